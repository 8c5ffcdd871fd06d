//! Secrets recognised by the name they are assigned to: `.env` lines,
//! TS/JS/Python assignments and object properties, JSON and YAML keys,
//! URL query parameters, `process.env.X ?? "…"` fallbacks and a few
//! key-taking calls (`privateKeyToAccount("0x…")`, `Keypair.fromSecretKey(…)`).
//!
//! Only the value is replaced; the name, quotes and separator stay.

use super::kind::SecretKind;
use super::names::{classify, NameClass};
use super::values::{byte_array_64, evaluate};
use super::{FileKind, Hit};

/// A byte range `(start, end)` of the input.
type Span = (usize, usize);

/// Which separator triggered the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    Eq,
    Colon,
}

const fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'$' | b'-')
}

/// `is_name_byte` as a table: `name_before` walks back over every name.
static NAME_BYTES: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = is_name_byte(b as u8);
        b += 1;
    }
    t
};

fn skip_back_spaces(bytes: &[u8], mut j: usize) -> usize {
    let floor = j.saturating_sub(32);
    while j > floor && matches!(bytes[j - 1], b' ' | b'\t') {
        j -= 1;
    }
    j
}

fn skip_spaces(bytes: &[u8], mut p: usize) -> usize {
    let limit = bytes.len().min(p + 32);
    while p < limit && matches!(bytes[p], b' ' | b'\t') {
        p += 1;
    }
    p
}

/// The name ending at `end` (exclusive): `(start, end, quoted)`.
fn name_before(bytes: &[u8], end: usize) -> Option<(usize, usize, bool)> {
    let mut j = skip_back_spaces(bytes, end);
    let mut quoted = false;
    if j > 0 && bytes[j - 1] == b']' {
        j -= 1;
    }
    if j > 0 && matches!(bytes[j - 1], b'"' | b'\'' | b'`') {
        j -= 1;
        quoted = true;
    }
    let name_end = j;
    let floor = j.saturating_sub(96);
    while j > floor && NAME_BYTES[usize::from(bytes[j - 1])] {
        j -= 1;
    }
    (j < name_end).then_some((j, name_end, quoted))
}

/// The last `.`-segment of a name, without leading `-`/`$`.
fn trim_name(name: &[u8]) -> &[u8] {
    let seg = name
        .iter()
        .rposition(|&b| b == b'.')
        .map_or(name, |p| &name[p + 1..]);
    let lead = seg.iter().take_while(|&&b| b == b'-' || b == b'$').count();
    &seg[lead..]
}

/// A string literal starting with the quote at `q`: `(content_start,
/// content_end)`; single line, escapes skipped, at most 4 KiB.
fn string_literal(bytes: &[u8], q: usize) -> Option<(usize, usize)> {
    let quote = bytes[q];
    let limit = bytes.len().min(q + 4096);
    let mut k = q + 1;
    while k < limit {
        match bytes[k] {
            b'\\' => k += 2,
            b'\n' if quote != b'`' => return None,
            b if b == quote => return Some((q + 1, k)),
            _ => k += 1,
        }
    }
    None
}

/// A literal value at `p`: optional Python string prefix, then a quoted
/// string. Returns the content span; template literals with `${` are skipped.
fn quoted_value(bytes: &[u8], p: usize) -> Option<(usize, usize)> {
    let mut q = p;
    if matches!(bytes.get(q), Some(b'b' | b'r' | b'u' | b'B' | b'R' | b'U'))
        && matches!(bytes.get(q + 1), Some(b'"' | b'\''))
    {
        q += 1;
    }
    if !matches!(bytes.get(q), Some(b'"' | b'\'' | b'`')) {
        return None;
    }
    let (s, e) = string_literal(bytes, q)?;
    if bytes[q] == b'`' && bytes[s..e].windows(2).any(|w| w == b"${") {
        return None;
    }
    Some((s, e))
}

/// How unquoted values are read in this file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unquoted {
    /// Not accepted (code: an unquoted value is an expression).
    No,
    /// `.env`, YAML, `.npmrc`, lock files: a bare value is a literal.
    Literal,
    /// Free text / Markdown: accepted when it does not look like code.
    Strict,
    /// A URL query parameter (`?api_key=…&`): ends at `&`, `#` or a quote.
    Query,
}

/// The unquoted value at `p`: `(start, end)`, or None when it is an
/// expression (call, member access, template).
fn unquoted_value(
    bytes: &[u8],
    p: usize,
    mode: Unquoted,
    class: NameClass,
) -> Option<(usize, usize)> {
    let limit = bytes.len().min(p + 1024);
    if class == NameClass::Mnemonic {
        // The phrase runs to the end of the line (or a ` #` comment).
        let mut e = p;
        while e < limit && !matches!(bytes[e], b'\n' | b'\r' | b'"' | b'\'' | b'#') {
            e += 1;
        }
        while e > p && matches!(bytes[e - 1], b' ' | b'\t') {
            e -= 1;
        }
        return (e > p).then_some((p, e));
    }
    let stop = |b: u8| {
        b.is_ascii_whitespace()
            || b >= 0x80
            || matches!(b, b'"' | b'\'' | b'`' | b'<' | b'>')
            || (mode == Unquoted::Strict && matches!(b, b',' | b';' | b')' | b'(' | b'}' | b']'))
            || (mode == Unquoted::Query && matches!(b, b'&' | b'#' | b')' | b'$' | b'{' | b'}'))
    };
    let mut e = p;
    while e < limit && !stop(bytes[e]) {
        e += 1;
    }
    if mode == Unquoted::Strict {
        if bytes.get(e) == Some(&b'(') {
            return None;
        }
        while e > p && matches!(bytes[e - 1], b'.' | b',' | b':' | b';') {
            e -= 1;
        }
    }
    let v = &bytes[p..e];
    if v.is_empty() {
        return None;
    }
    if mode == Unquoted::Strict {
        // Code-looking values: member access or a plain identifier.
        let member = v
            .windows(2)
            .any(|w| w[0] == b'.' && w[1].is_ascii_alphabetic())
            && v.iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'$'));
        if member || !v.iter().any(u8::is_ascii_digit) {
            return None;
        }
    }
    Some((p, e))
}

/// In an expression (`process.env.X ?? "lit"`, `getSetting("X") || 'lit'`,
/// `os.getenv("X", "lit")`, `os.environ.get("X") or "lit"`), find the
/// fallback literal, and the name the expression reads (the first string
/// argument or the identifier after `env.`), if any.
fn fallback_literal(bytes: &[u8], p: usize) -> (Option<Span>, Option<Span>) {
    let limit = bytes.len().min(p + 300);
    let mut inner: Option<Span> = None;
    let mut depth = 0usize;
    let mut k = p;
    let literal_after = |k: usize| quoted_value(bytes, skip_spaces(bytes, k));
    while k < limit {
        let b = bytes[k];
        match b {
            b'\n' | b';' => break,
            b'"' | b'\'' | b'`' => match string_literal(bytes, k) {
                Some((s, e)) => {
                    if depth >= 1 && inner.is_none() {
                        inner = Some((s, e));
                    }
                    k = e + 1;
                    continue;
                }
                None => break,
            },
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            }
            b',' => {
                if depth == 0 {
                    break;
                }
                if depth == 1 && inner.is_some() {
                    if let Some(lit) = literal_after(k + 1) {
                        return (Some(lit), inner);
                    }
                }
            }
            b'?' | b'|' if bytes.get(k + 1) == Some(&b) => {
                if let Some(lit) = literal_after(k + 2) {
                    return (Some(lit), inner);
                }
                k += 2;
                continue;
            }
            b'o' if bytes[k..].starts_with(b"or ") && k > 0 && bytes[k - 1] == b' ' => {
                if let Some(lit) = literal_after(k + 2) {
                    return (Some(lit), inner);
                }
            }
            b'e' if inner.is_none() && bytes[k..].starts_with(b"env.") => {
                let s = k + 4;
                let n = bytes[s..limit]
                    .iter()
                    .take_while(|&&c| c.is_ascii_alphanumeric() || c == b'_')
                    .count();
                if n > 0 {
                    inner = Some((s, s + n));
                }
                k = s + n;
                continue;
            }
            _ => {}
        }
        k += 1;
    }
    (None, inner)
}

fn push_eval(class: NameClass, bytes: &[u8], (s, e): (usize, usize), hits: &mut Vec<Hit>) {
    let v = &bytes[s..e];
    if class != NameClass::Mnemonic {
        if let Some(end) = byte_array_64(v, 0).filter(|_| v.first() == Some(&b'[')) {
            if matches!(class, NameClass::SolanaKey | NameClass::EvmKey) && end == v.len() {
                hits.push(Hit::new(s, e, SecretKind::SolanaSecretKey));
            }
            return;
        }
    }
    if let Some((kind, a, b)) = evaluate(class, v) {
        hits.push(Hit::new(s + a, s + b, kind));
    }
}

fn class_of(bytes: &[u8], (s, e): (usize, usize)) -> Option<NameClass> {
    classify(trim_name(&bytes[s..e]))
}

fn best(a: Option<NameClass>, b: Option<NameClass>) -> Option<NameClass> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if y.rank() > x.rank() { y } else { x }),
        (x, y) => x.or(y),
    }
}

/// Wrapper calls around key material: `new Uint8Array([...])`, `bs58.decode("…")`.
const WRAPPERS: &[&[u8]] = &[
    b"new Uint8Array(",
    b"Uint8Array.from(",
    b"Buffer.from(",
    b"bs58.decode(",
    b"base58.decode(",
    b"Keypair.fromSecretKey(",
];

fn unwrap_calls(bytes: &[u8], mut p: usize) -> usize {
    for _ in 0..3 {
        // (The first-byte test skips a memcmp per wrapper on ordinary values.)
        let first = bytes.get(p).copied();
        match WRAPPERS
            .iter()
            .find(|w| first == Some(w[0]) && bytes[p..].starts_with(w))
        {
            Some(w) => p = skip_spaces(bytes, p + w.len()),
            None => break,
        }
    }
    p
}

/// Handle the `=` or `:` at `i`. Returns where assignment triggers may
/// resume when a bare value was consumed.
pub(crate) fn assignment_at(
    bytes: &[u8],
    i: usize,
    file: FileKind,
    hits: &mut Vec<Hit>,
) -> Option<usize> {
    let b = bytes[i];
    let next = bytes.get(i + 1).copied();
    let prev = i.checked_sub(1).map(|k| bytes[k]);
    let (sep_start, sep) = if b == b'=' {
        if matches!(next, Some(b'=' | b'>' | b'~')) {
            return None;
        }
        match prev {
            Some(b':') => (i - 1, Sep::Eq),
            Some(
                b'=' | b'!' | b'<' | b'>' | b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'^'
                | b'?',
            ) => return None,
            _ => (i, Sep::Eq),
        }
    } else {
        if matches!(next, Some(b':' | b'=' | b'/')) || prev == Some(b':') {
            return None;
        }
        (i, Sep::Colon)
    };
    let (mut ns, mut ne, quoted_name) = name_before(bytes, sep_start)?;
    // `apiKey: string = "…"` / `api_key: str = "…"`: use the annotated name.
    if sep == Sep::Eq && !quoted_name {
        let word = &bytes[ns..ne];
        if matches!(word, b"string" | b"String" | b"str" | b"any" | b"unknown") {
            let j = skip_back_spaces(bytes, ns);
            if j > 0 && bytes[j - 1] == b':' {
                let j = if j > 1 && bytes[j - 2] == b'?' {
                    j - 1
                } else {
                    j
                };
                match name_before(bytes, j - 1) {
                    Some((s, e, _)) => {
                        ns = s;
                        ne = e;
                    }
                    None => return None,
                }
            }
        }
    }
    // `apiKey?: …` is a type annotation.
    if sep == Sep::Colon && ns > 0 && bytes[ne..sep_start].contains(&b'?') {
        return None;
    }
    let before_name = ns.checked_sub(1).map(|k| bytes[k]);
    let query_param = sep == Sep::Eq && matches!(before_name, Some(b'?' | b'&'));
    let mut outer = class_of(bytes, (ns, ne));
    if outer.is_none() && file == FileKind::Text && !quoted_name {
        outer = prose_name(bytes, ns, ne);
    }

    let mut p = skip_spaces(bytes, i + 1);
    if p >= bytes.len() {
        return None;
    }
    p = unwrap_calls(bytes, p);
    if p >= bytes.len() {
        return None;
    }
    // Byte-array keys: `secretKey: [12, 34, …]`, `new Uint8Array([…])`.
    if bytes[p] == b'[' {
        if matches!(outer, Some(NameClass::SolanaKey | NameClass::EvmKey)) {
            if let Some(end) = byte_array_64(bytes, p) {
                hits.push(Hit::new(p, end, SecretKind::SolanaSecretKey));
            }
        }
        return None;
    }
    if let Some(span) = quoted_value(bytes, p) {
        if let Some(class) = outer {
            push_eval(class, bytes, span, hits);
        }
        return None;
    }
    let mode = match file {
        _ if query_param => Unquoted::Query,
        FileKind::Env | FileKind::Lock => Unquoted::Literal,
        FileKind::Yaml => Unquoted::Literal,
        FileKind::Text => Unquoted::Strict,
        FileKind::Code => Unquoted::No,
    };
    let auth_scheme = outer == Some(NameClass::Auth) && {
        let lower = bytes[p..bytes.len().min(p + 8)].to_ascii_lowercase();
        lower.starts_with(b"bearer ")
            || lower.starts_with(b"basic ")
            || lower.starts_with(b"token ")
    };
    if let Some(class) = outer {
        if auth_scheme {
            // `Authorization: Bearer <token>` inside a string or header block.
            let scheme_len = bytes[p..].iter().take_while(|&&c| c != b' ').count() + 1;
            let s = p + scheme_len;
            let e = s + bytes[s..]
                .iter()
                .take(1024)
                .take_while(|&&c| {
                    !c.is_ascii_whitespace() && !matches!(c, b'"' | b'\'' | b'`' | b',')
                })
                .count();
            if e > s {
                push_eval(NameClass::Generic, bytes, (s, e), hits);
            }
            return None;
        }
        if mode != Unquoted::No {
            if let Some(span) = unquoted_value(bytes, p, mode, class) {
                push_eval(class, bytes, span, hits);
                // A bare value holds no further assignment: skip its `=`/`:`.
                return Some(span.1);
            }
        }
        if matches!(mode, Unquoted::Strict | Unquoted::No) {
            let (lit, inner) = fallback_literal(bytes, p);
            if let Some(lit) = lit {
                let class = best(Some(class), inner.and_then(|n| class_of(bytes, n)));
                if let Some(class) = class {
                    push_eval(class, bytes, lit, hits);
                }
            }
            return None;
        }
        // `.env` / YAML with an unreadable value: nothing.
        return None;
    }
    // The target name says nothing: maybe the expression reads a secret
    // setting and falls back to a literal.
    if matches!(mode, Unquoted::No | Unquoted::Strict) && reads_setting(bytes, p) {
        let (lit, inner) = fallback_literal(bytes, p);
        if let (Some(lit), Some(inner)) = (lit, inner) {
            if let Some(class) = class_of(bytes, inner) {
                push_eval(class, bytes, lit, hits);
            }
        }
    }
    None
}

/// In prose the name may be two words: `API key: …`, `access token = …`.
fn prose_name(bytes: &[u8], ns: usize, ne: usize) -> Option<NameClass> {
    let word = &bytes[ns..ne];
    let last = ["key", "token", "secret", "password"]
        .iter()
        .any(|w| word.eq_ignore_ascii_case(w.as_bytes()));
    if !last || ns < 2 || bytes[ns - 1] != b' ' {
        return None;
    }
    let (ps, pe, _) = name_before(bytes, ns - 1)?;
    let mut joined = bytes[ps..pe].to_vec();
    joined.push(b'_');
    joined.extend_from_slice(word);
    classify(trim_name(&joined))
}

/// Cheap pre-check: the expression at `p` mentions an environment or
/// settings read (`process.env`, `getSetting`, `getenv`, `os.environ`)
/// before the end of its line (and within 80 bytes). It runs on most `=`
/// and `:` in code, so it is a single pass.
fn reads_setting(bytes: &[u8], p: usize) -> bool {
    let window = &bytes[p..bytes.len().min(p + 80)];
    for (k, &b) in window.iter().enumerate() {
        if b == b'\n' {
            return false;
        }
        // `b | 0x20` folds `E` into `e`: one test per byte on the common path.
        if b | 0x20 == b'e' {
            let rest = window.get(k + 1..k + 3);
            if matches!((b, rest), (b'e', Some(b"nv" | b"tt")) | (b'E', Some(b"NV"))) {
                return true;
            }
        }
    }
    false
}

/// A command-line flag with a separate value: `--api-key <value>`,
/// `--token "<value>"` (`--api-key=<value>` is an ordinary assignment).
/// `i` is the first `-` of `--`.
pub(crate) fn flag_at(bytes: &[u8], i: usize, hits: &mut Vec<Hit>) {
    let name_start = i + 2;
    let name_len = bytes[name_start..]
        .iter()
        .take(65)
        .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        .count();
    let name_end = name_start + name_len;
    if name_len == 0 || name_len > 64 || !matches!(bytes.get(name_end), Some(b' ' | b'\t')) {
        return;
    }
    let Some(class) = classify(&bytes[name_start..name_end]) else {
        return;
    };
    let p = skip_spaces(bytes, name_end);
    if p >= bytes.len() || bytes[p] == b'-' {
        return;
    }
    let span = quoted_value(bytes, p).or_else(|| unquoted_value(bytes, p, Unquoted::Strict, class));
    if let Some(span) = span {
        push_eval(class, bytes, span, hits);
    }
}

/// Calls that take key material directly.
const KEY_CALLS: &[(&[u8], NameClass)] = &[
    (b"privateKeyToAccount", NameClass::EvmKey),
    (b"privateKeyToAddress", NameClass::EvmKey),
    (b"Wallet", NameClass::EvmKey),
    (b"fromSecretKey", NameClass::SolanaKey),
    (b"mnemonicToAccount", NameClass::Mnemonic),
    (b"fromPhrase", NameClass::Mnemonic),
    (b"fromMnemonic", NameClass::Mnemonic),
    (b"mnemonicToSeed", NameClass::Mnemonic),
    (b"mnemonicToSeedSync", NameClass::Mnemonic),
];

/// Handle the `(` at `i` of a key-taking call.
pub(crate) fn call_at(bytes: &[u8], i: usize, hits: &mut Vec<Hit>) {
    let mut j = i;
    let floor = i.saturating_sub(32);
    while j > floor && (bytes[j - 1].is_ascii_alphanumeric() || bytes[j - 1] == b'_') {
        j -= 1;
    }
    let callee = &bytes[j..i];
    let Some(&(_, class)) = KEY_CALLS.iter().find(|(name, _)| *name == callee) else {
        return;
    };
    let p = unwrap_calls(bytes, skip_spaces(bytes, i + 1));
    if p >= bytes.len() {
        return;
    }
    if bytes[p] == b'[' {
        if let Some(end) = byte_array_64(bytes, p) {
            hits.push(Hit::new(p, end, SecretKind::SolanaSecretKey));
        }
        return;
    }
    if let Some(span) = quoted_value(bytes, p) {
        push_eval(class, bytes, span, hits);
    }
}
