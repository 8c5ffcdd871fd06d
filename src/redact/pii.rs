//! Personal data: e-mail addresses and phone numbers.

#[inline]
fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

/// Top-level "domains" that are really file extensions (`icon@2x.png`,
/// `pkg@file.js`).
const FILE_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "bmp", "js", "mjs", "cjs", "ts", "tsx",
    "jsx", "mts", "cts", "json", "css", "scss", "less", "map", "md", "mdx", "lock", "yaml", "yml",
    "txt", "html", "htm", "wasm", "vue", "svelte", "rs", "py", "toml", "sh", "mp3", "mp4", "wav",
    "webm", "pdf", "zip", "gz", "tgz",
];

/// The e-mail around the `@` at `at`, as `(start, end)`.
///
/// Not matched: npm scopes and versions (`@elizaos/core`, `pkg@1.2.3`),
/// decorators (`@Injectable()`), `user@host` without a dotted domain, image
/// densities (`logo@2x.png`), URL user-info (`https://user@host`), and
/// `git@github.com`-style SSH remotes.
pub(crate) fn email_at(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    let mut start = at;
    while start > 0 && at - start < 64 && is_local_byte(bytes[start - 1]) {
        start -= 1;
    }
    if start == at || (start > 0 && is_local_byte(bytes[start - 1])) {
        return None;
    }
    let local = &bytes[start..at];
    if !(local[0].is_ascii_alphanumeric() || local[0] == b'_')
        || local.ends_with(b".")
        || local.windows(2).any(|w| w == b"..")
        || local == b"git"
    {
        return None;
    }
    if start > 0 && matches!(bytes[start - 1], b'/' | b'@' | b'\\') {
        return None;
    }
    if in_url_authority(bytes, start) {
        return None;
    }
    // Domain: dot-separated labels of [A-Za-z0-9-], at least two, ending in
    // an alphabetic TLD that is not a file extension.
    let mut p = at + 1;
    let mut labels = 0;
    let mut last_label = (p, p);
    loop {
        let len = bytes
            .get(p..)?
            .iter()
            .take(64)
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
            .count();
        if len == 0 || len > 63 || bytes[p] == b'-' || bytes[p + len - 1] == b'-' {
            break;
        }
        labels += 1;
        last_label = (p, p + len);
        p += len;
        if p - at > 253 {
            return None;
        }
        if bytes.get(p) == Some(&b'.') && bytes.get(p + 1).is_some_and(u8::is_ascii_alphanumeric) {
            p += 1;
        } else {
            break;
        }
    }
    if labels < 2 {
        return None;
    }
    let tld = &bytes[last_label.0..last_label.1];
    if !(2..=24).contains(&tld.len()) || !tld.iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    if FILE_EXTENSIONS
        .iter()
        .any(|e| tld.eq_ignore_ascii_case(e.as_bytes()))
    {
        return None;
    }
    Some((start, last_label.1))
}

/// True when `start` lies in the authority of a `scheme://` URL on the same
/// token (the URL rule owns user-info).
fn in_url_authority(bytes: &[u8], start: usize) -> bool {
    let mut k = start;
    let floor = start.saturating_sub(256);
    while k > floor {
        let b = bytes[k - 1];
        if b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'`' | b'<' | b'(' | b'/') {
            return b == b'/' && k >= 3 && &bytes[k - 3..k] == b"://";
        }
        k -= 1;
    }
    false
}

/// Whether a phone number may start right after `prev`.
#[inline]
pub(crate) fn phone_may_follow(prev: Option<u8>) -> bool {
    match prev {
        None => true,
        Some(b) => {
            !(b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'_' | b'.'
                        | b'-'
                        | b'/'
                        | b'@'
                        | b'$'
                        | b'#'
                        | b'\\'
                        | b'+'
                        | b'%'
                        | b'&'
                        | b'*'
                        | b')'
                        | b']'
                        | b'^'
                        | b'|'
                ))
        }
    }
}

/// The phone number must not run on into more digits, letters, or another
/// `-`/`.`-joined group (IPs, versions, long ids).
fn phone_may_end(bytes: &[u8], end: usize) -> bool {
    match bytes.get(end) {
        None => true,
        Some(b) if b.is_ascii_alphanumeric() || *b == b'_' => false,
        Some(b'-' | b'.' | b'/' | b':') => !bytes.get(end + 1).is_some_and(u8::is_ascii_digit),
        Some(_) => true,
    }
}

/// Real numbers use several different digits and do not count up or down
/// (`+1234567890`, `(999) 999-9999` and `+15555555555` are test data).
fn plausible_digits(number: &[u8]) -> bool {
    let digits: Vec<u8> = number.iter().copied().filter(u8::is_ascii_digit).collect();
    let mut seen = [false; 10];
    for &d in &digits {
        seen[usize::from(d - b'0')] = true;
    }
    let pairs = digits.len().saturating_sub(1).max(1);
    let steps = digits
        .windows(2)
        .filter(|w| w[0].abs_diff(w[1]) <= 1)
        .count();
    seen.iter().filter(|&&s| s).count() >= 3 && steps * 5 < pairs * 4
}

fn digits_at(bytes: &[u8], p: usize) -> usize {
    bytes.get(p..).map_or(0, |s| {
        s.iter().take(16).take_while(|b| b.is_ascii_digit()).count()
    })
}

/// An international number at `i` (`+` then 8-15 digits in groups of at most
/// 5, separated by single spaces, `-`, `.` or a parenthesised group). Without
/// separators it needs 10-15 digits. Returns the end.
pub(crate) fn international_phone_at(bytes: &[u8], i: usize) -> Option<usize> {
    let mut p = i + 1;
    let mut total = 0;
    let mut groups = 0;
    let mut lens = [0usize; 8];
    let mut end;
    loop {
        let paren = bytes.get(p) == Some(&b'(');
        if paren {
            p += 1;
        }
        let n = digits_at(bytes, p);
        if n == 0 || n > 5 && groups > 0 {
            return None;
        }
        if groups == 0 && bytes[p] == b'0' {
            return None;
        }
        if groups < lens.len() {
            lens[groups] = n;
        }
        groups += 1;
        total += n;
        p += n;
        end = p;
        if paren {
            if bytes.get(p) != Some(&b')') {
                return None;
            }
            p += 1;
            end = p;
        }
        if groups >= 8 || total > 15 {
            break;
        }
        // One separator, then another group must follow.
        let sep = bytes.get(p).copied();
        let next = match sep {
            Some(b' ' | b'-' | b'.') => p + 1,
            Some(b'(') => p,
            _ => break,
        };
        let follows = bytes
            .get(next)
            .is_some_and(|b| b.is_ascii_digit() || *b == b'(');
        if !follows {
            break;
        }
        p = next;
    }
    if bytes.get(end.wrapping_sub(1)) == Some(&b')') {
        return None;
    }
    let ok = if groups == 1 {
        (10..=15).contains(&total)
    } else {
        (8..=15).contains(&total) && lens[0] <= 4
    };
    let date_like = groups == 3 && lens[..3] == [4, 2, 2];
    (ok && !date_like && phone_may_end(bytes, end) && plausible_digits(&bytes[i..end]))
        .then_some(end)
}

/// A North-American number at `i`: `(415) 555-2671`, `415-555-2671`,
/// `415.555.2671`, `415 555 2671`, optionally led by `1-`/`1 `/`1.`. The
/// area code and exchange start with 2-9; the separators between the
/// exchange and line number match. Returns the end.
pub(crate) fn nanp_phone_at(bytes: &[u8], i: usize) -> Option<usize> {
    let mut p = i;
    if bytes.get(p) == Some(&b'1')
        && matches!(bytes.get(p + 1), Some(b'-' | b' ' | b'.'))
        && bytes
            .get(p + 2)
            .is_some_and(|b| b.is_ascii_digit() || *b == b'(')
    {
        p += 2;
    }
    let (area_start, sep) = if bytes.get(p) == Some(&b'(') {
        if digits_at(bytes, p + 1) != 3 || bytes.get(p + 4) != Some(&b')') {
            return None;
        }
        let area_start = p + 1;
        let after = p + 5;
        match bytes.get(after) {
            Some(b' ' | b'-') => p = after + 1,
            Some(b) if b.is_ascii_digit() => p = after,
            _ => return None,
        }
        (area_start, None)
    } else {
        if digits_at(bytes, p) != 3 {
            return None;
        }
        let s = *bytes.get(p + 3)?;
        if !matches!(s, b'-' | b'.' | b' ') {
            return None;
        }
        let start = p;
        p += 4;
        (start, Some(s))
    };
    let area = bytes[area_start];
    if !(b'2'..=b'9').contains(&area) {
        return None;
    }
    if digits_at(bytes, p) != 3 || !(b'2'..=b'9').contains(&bytes[p]) {
        return None;
    }
    let s2 = *bytes.get(p + 3)?;
    match sep {
        Some(s) if s != s2 => return None,
        None if !matches!(s2, b'-' | b'.' | b' ') => return None,
        _ => {}
    }
    p += 4;
    if digits_at(bytes, p) != 4 {
        return None;
    }
    let end = p + 4;
    (phone_may_end(bytes, end) && plausible_digits(&bytes[i..end])).then_some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(s: &str) -> Option<&str> {
        let at = s.find('@')?;
        email_at(s.as_bytes(), at).map(|(a, b)| &s[a..b])
    }

    #[test]
    fn emails() {
        assert_eq!(
            email("mail jane.doe@example.com now"),
            Some("jane.doe@example.com")
        );
        assert_eq!(
            email("\"a+b@sub.example.org\""),
            Some("a+b@sub.example.org")
        );
        assert_eq!(email("import x from '@elizaos/core'"), None);
        assert_eq!(email("@Injectable()"), None);
        assert_eq!(email("user@host"), None);
        assert_eq!(email("logo@2x.png"), None);
        assert_eq!(email("git@github.com:org/repo.git"), None);
        assert_eq!(email("https://user@example.com/x"), None);
        assert_eq!(email("\"name@1.2.3\""), None);
    }

    fn intl(s: &str) -> Option<&str> {
        international_phone_at(s.as_bytes(), 0).map(|e| &s[..e])
    }

    fn nanp(s: &str) -> Option<&str> {
        nanp_phone_at(s.as_bytes(), 0).map(|e| &s[..e])
    }

    #[test]
    fn phones() {
        assert_eq!(intl("+1 415 555 0123"), Some("+1 415 555 0123"));
        assert_eq!(intl("+44 20 7946 0958."), Some("+44 20 7946 0958"));
        assert_eq!(intl("+14155550123"), Some("+14155550123"));
        assert_eq!(intl("+1 (415) 555-0123"), Some("+1 (415) 555-0123"));
        assert_eq!(intl("+100"), None);
        assert_eq!(intl("+86400000"), None);
        assert_eq!(intl("+2024-01-15"), None);
        assert_eq!(nanp("(415) 555-0123"), Some("(415) 555-0123"));
        assert_eq!(nanp("415-555-0123 "), Some("415-555-0123"));
        assert_eq!(nanp("415.555.0123"), Some("415.555.0123"));
        assert_eq!(nanp("1-800-555-0199"), Some("1-800-555-0199"));
        assert_eq!(nanp("2024-01-15"), None);
        assert_eq!(nanp("123-456-7890"), None);
        assert_eq!(nanp("415-555-0123-99"), None);
        assert_eq!(nanp("415.555.0123.1"), None);
        assert_eq!(nanp("(999) 999-9999"), None);
        assert_eq!(intl("+1234567890"), None);
        assert_eq!(intl("+15555555555"), None);
        assert_eq!(nanp("415-555.0123"), None);
    }
}
