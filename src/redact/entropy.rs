//! Byte classes, Shannon entropy and the "is this a real value or a
//! placeholder / identifier / word" heuristics shared by every rule.

/// Character sets a token body may be made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Charset {
    /// `[A-Za-z0-9]`
    Alnum,
    /// `[A-Za-z0-9_]`
    AlnumUnderscore,
    /// `[A-Za-z0-9-]`
    AlnumDash,
    /// `[A-Za-z0-9_-]` (base64url)
    Base64Url,
    /// `[A-Za-z0-9_.-]`
    Base64UrlDot,
    /// `[A-Z0-9]`
    UpperAlnum,
}

impl Charset {
    #[inline]
    pub(crate) const fn contains(self, b: u8) -> bool {
        match self {
            Charset::Alnum => b.is_ascii_alphanumeric(),
            Charset::AlnumUnderscore => b.is_ascii_alphanumeric() || b == b'_',
            Charset::AlnumDash => b.is_ascii_alphanumeric() || b == b'-',
            Charset::Base64Url => b.is_ascii_alphanumeric() || b == b'_' || b == b'-',
            Charset::Base64UrlDot => {
                b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.'
            }
            Charset::UpperAlnum => b.is_ascii_uppercase() || b.is_ascii_digit(),
        }
    }

    /// Length of the run of bytes in this set starting at `from`, counting
    /// at most `max + 1` bytes (so callers can tell "longer than max" while
    /// the work per call stays bounded).
    #[inline]
    pub(crate) fn run(self, bytes: &[u8], from: usize, max: usize) -> usize {
        bytes.get(from..).map_or(0, |s| {
            s.iter()
                .take(max.saturating_add(1))
                .take_while(|&&b| self.contains(b))
                .count()
        })
    }
}

/// `[A-Za-z0-9_]`: a byte that continues an identifier-like word.
#[inline]
pub(crate) const fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// True when position `i` starts a word (the previous byte is not a word byte).
#[inline]
pub(crate) fn at_word_start(bytes: &[u8], i: usize) -> bool {
    i == 0 || !is_word_byte(bytes[i - 1])
}

/// `[1-9A-HJ-NP-Za-km-z]`
#[inline]
pub(crate) fn is_base58(b: u8) -> bool {
    b.is_ascii_alphanumeric() && !matches!(b, b'0' | b'O' | b'I' | b'l')
}

/// Shannon entropy in bits per byte.
pub(crate) fn shannon_entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let len = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

/// Which character classes a value uses.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Classes {
    pub lower: bool,
    pub upper: bool,
    pub digit: bool,
    pub other: bool,
}

impl Classes {
    pub(crate) fn of(bytes: &[u8]) -> Classes {
        let mut c = Classes::default();
        for &b in bytes {
            match b {
                b'a'..=b'z' => c.lower = true,
                b'A'..=b'Z' => c.upper = true,
                b'0'..=b'9' => c.digit = true,
                _ => c.other = true,
            }
        }
        c
    }

    pub(crate) fn count(self) -> usize {
        usize::from(self.lower)
            + usize::from(self.upper)
            + usize::from(self.digit)
            + usize::from(self.other)
    }
}

pub(crate) fn is_hex(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(u8::is_ascii_hexdigit)
}

/// True for runs such as `abcdefgh`, `12345678` or `aaaaaaa`: more than half
/// of the neighbouring pairs are equal or consecutive.
pub(crate) fn is_sequential(bytes: &[u8]) -> bool {
    if bytes.len() < 4 {
        return true;
    }
    let pairs = bytes.len() - 1;
    let seq = bytes
        .windows(2)
        .filter(|w| {
            let d = i16::from(w[1]) - i16::from(w[0]);
            (-1..=1).contains(&d)
        })
        .count();
    seq * 2 > pairs
}

/// A token body drawn at random: long enough, not sequential, and with at
/// least `min_entropy` bits per byte (capped for short bodies, whose entropy
/// cannot exceed log2(len)).
pub(crate) fn looks_random(body: &[u8], min_entropy: f64) -> bool {
    if body.len() < 6 || is_sequential(body) {
        return false;
    }
    let cap = (body.len() as f64).log2() * 0.8;
    shannon_entropy(body) >= min_entropy.min(cap)
}

fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.len() >= needle.len()
        && hay
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.len() >= needle.len() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Whole words (split on punctuation) that mark any value as a placeholder.
/// At least four letters, so a random base64url key never splits into one.
const STRICT_WORDS: &[&str] = &[
    "your",
    "yours",
    "example",
    "examples",
    "sample",
    "placeholder",
    "dummy",
    "changeme",
    "replace",
    "insert",
    "here",
    "redacted",
    "test",
    "testing",
    "fake",
    "mock",
    "fixme",
    "todo",
];

/// Short words that only mark a placeholder in an assignment value.
const LOOSE_WORDS: &[&str] = &[
    "my",
    "xxx",
    "none",
    "null",
    "undefined",
    "empty",
    "secret",
    "token",
    "key",
    "api",
    "password",
    "value",
    "default",
    "foo",
    "bar",
    "abc",
    "change",
];

/// Substrings that mark a value as a placeholder, whatever the case. Long
/// enough that a random token essentially never contains them.
const PLACEHOLDER_SUBSTRINGS_CI: &[&[u8]] = &[
    b"example",
    b"placeholder",
    b"changeme",
    b"change_me",
    b"redacted",
    b"dummy",
    b"insert_",
    b"replace_",
    b"your_",
    b"your-",
    b"_here",
    b"-here",
];

/// Markers that never appear in a real token: templates, elisions, masks.
const PLACEHOLDER_MARKERS: &[&[u8]] = &[
    b"xxxx",
    b"XXXX",
    b"****",
    b"...",
    "\u{2026}".as_bytes(),
    b"${",
    b"{{",
    b"}}",
    b"<",
    b">",
    b"%s",
    b"#{",
    b"0000000000",
    b"REDACTED",
];

/// Strict placeholder test for bodies that follow a strong provider prefix:
/// only markers and whole placeholder words, so a random key is never
/// mistaken for a placeholder.
pub(crate) fn is_placeholder_strict(value: &[u8]) -> bool {
    if value.is_empty() {
        return true;
    }
    if PLACEHOLDER_MARKERS.iter().any(|m| contains(value, m)) {
        return true;
    }
    if value.ends_with(b"EXAMPLE") || value.ends_with(b"example") {
        return true;
    }
    has_word(value, STRICT_WORDS)
}

fn has_word(value: &[u8], words: &[&str]) -> bool {
    value
        .split(|b| !b.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .any(|w| words.iter().any(|p| w.eq_ignore_ascii_case(p.as_bytes())))
}

/// Looser placeholder test for values found next to a name (assignments):
/// also catches `your-openai-key-here`, `exampleSecret`, `$VAR`, `%(x)s`.
pub(crate) fn is_placeholder_loose(value: &[u8]) -> bool {
    if is_placeholder_strict(value) {
        return true;
    }
    if matches!(
        value.first(),
        Some(b'$' | b'%' | b'{' | b'[' | b'(' | b'@' | b'!' | b'&' | b'*')
    ) {
        return true;
    }
    has_word(value, LOOSE_WORDS)
        || PLACEHOLDER_SUBSTRINGS_CI
            .iter()
            .any(|s| contains_ci(value, s))
}

/// `CONSTANT_CASE`, `camelCase`, `PascalCase`, `snake_case`, `kebab-case`
/// or dotted identifiers: names of things rather than random values.
pub(crate) fn is_identifier_like(value: &[u8]) -> bool {
    if value.is_empty() || !value[0].is_ascii_alphabetic() {
        return false;
    }
    if !value
        .iter()
        .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/' | b':'))
    {
        return false;
    }
    // Every segment must read like a word: lowercase letters with at most a
    // capitalised first letter (or all caps), and digits only at the end.
    value
        .split(|&b| matches!(b, b'_' | b'-' | b'.' | b'/' | b':'))
        .all(|seg| seg.is_empty() || segment_is_wordish(seg))
}

fn segment_is_wordish(seg: &[u8]) -> bool {
    let letters_end = seg.iter().position(u8::is_ascii_digit).unwrap_or(seg.len());
    let (letters, digits) = seg.split_at(letters_end);
    if !digits.iter().all(u8::is_ascii_digit) || digits.len() > 4 {
        return false;
    }
    if letters.is_empty() {
        return digits.len() <= 4;
    }
    if letters.iter().all(u8::is_ascii_uppercase) {
        return true;
    }
    // camelCase: every upper-case letter starts a sub-word of >= 3 letters
    // (or ends the segment as a single-letter word, like `toX`).
    let mut i = 0;
    while i < letters.len() {
        if letters[i].is_ascii_uppercase() && i > 0 {
            let run = letters[i + 1..]
                .iter()
                .take_while(|b| b.is_ascii_lowercase())
                .count();
            if run < 2 && i + 1 + run < letters.len() {
                return false;
            }
        }
        i += 1;
    }
    // Also reject long all-lowercase runs mixed with single capitals that
    // alternate too often (random strings): at most one capital every 3 letters.
    let uppers = letters.iter().filter(|b| b.is_ascii_uppercase()).count();
    uppers * 3 <= letters.len() + 2
}

/// Lower-case words joined by separators (`my-app-storage`, `eliza.v2.cache`):
/// a slug, not a secret.
pub(crate) fn is_slug(value: &[u8]) -> bool {
    let mut segments = 0;
    for seg in value.split(|&b| matches!(b, b'-' | b'_' | b'.' | b':' | b'/' | b' ')) {
        if seg.is_empty() {
            continue;
        }
        segments += 1;
        let lower_word = seg.len() >= 2 && seg.iter().all(u8::is_ascii_lowercase);
        let short_num = seg.len() <= 4 && seg.iter().all(u8::is_ascii_digit);
        let version = seg.len() <= 4
            && seg[0] == b'v'
            && seg.len() > 1
            && seg[1..].iter().all(u8::is_ascii_digit);
        if !(lower_word || short_num || version) {
            return false;
        }
    }
    segments >= 2
}

/// `0x` + 40 hex: a public EVM address, never a secret.
pub(crate) fn is_evm_address(value: &[u8]) -> bool {
    value.len() == 42 && value.starts_with(b"0x") && is_hex(&value[2..])
}

/// Decode unpadded base64url (or standard base64) into bytes; None when a
/// byte is outside the alphabet.
pub(crate) fn decode_base64(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for &b in input {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_bounds() {
        assert_eq!(shannon_entropy(b""), 0.0);
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
    }

    #[test]
    fn sequential_and_random() {
        assert!(is_sequential(b"abcdefghijklmnop"));
        assert!(is_sequential(b"1234567890"));
        assert!(is_sequential(b"AAAAAAAAAAAAAAAA"));
        assert!(!is_sequential(b"q7Zk2pLx9vB4"));
        assert!(looks_random(b"q7Zk2pLx9vB4mW8rT1yH", 3.5));
        assert!(!looks_random(b"AAAAAAAAAAAAAAAAAAAA", 1.0));
    }

    #[test]
    fn placeholders() {
        for p in [
            "your_api_key",
            "your-api-key-here",
            "<YOUR_TOKEN>",
            "xxxxxxxxxxxx",
            "changeme",
            "example",
            "test",
            "dummy",
            "placeholder",
            "...",
            "****",
            "${API_KEY}",
        ] {
            assert!(is_placeholder_loose(p.as_bytes()), "{p}");
        }
        assert!(!is_placeholder_strict(b"q7Zk2pLx9vB4mW8rT1yH"));
        assert!(!is_placeholder_loose(b"q7Zk2pLx9vB4mW8rT1yH"));
    }

    #[test]
    fn identifiers_and_slugs() {
        for v in [
            "OPENAI_API_KEY",
            "apiKey",
            "userPassword",
            "config.apiKey",
            "toX",
            "Bearer",
        ] {
            assert!(is_identifier_like(v.as_bytes()), "{v}");
        }
        for v in ["q7Zk2pLx9vB4mW8rT1yH", "aBcDeFgHiJkLmN", "x9f8e7d6c5b4"] {
            assert!(!is_identifier_like(v.as_bytes()), "{v}");
        }
        assert!(is_slug(b"eliza-agent-storage"));
        assert!(is_slug(b"my-app-v2-cache"));
        assert!(!is_slug(b"q7zk2plx-9vb4mw8r"));
    }

    #[test]
    fn base64_decoding() {
        assert_eq!(decode_base64(b"MTIzNA").unwrap(), b"1234");
        assert_eq!(decode_base64(b"aGVsbG8").unwrap(), b"hello");
        assert!(decode_base64(b"a.b").is_none());
    }
}
