//! Secrets recognised by the name they are assigned to: `.env` lines,
//! TS/JS/Python assignments and object properties, JSON and YAML keys,
//! URL query parameters, `process.env.X ?? "…"` fallbacks and a few
//! key-taking calls (`privateKeyToAccount("0x…")`, `Keypair.fromSecretKey(…)`).
//!
//! Only the value is replaced; the name, quotes and separator stay.

use super::entropy::{
    is_base58, is_evm_address, is_hex, is_identifier_like, is_placeholder_loose, is_sequential,
    is_slug, looks_random, shannon_entropy, Classes,
};
use super::kind::SecretKind;
use super::{FileKind, Hit};

/// What a name says about the value assigned to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameClass {
    /// `*_KEY`, `*_SECRET`, `*_TOKEN`, `apiKey`, `clientSecret`, …
    /// `token_last`: the last word is `token` (public mint addresses are
    /// often assigned to such names, so base58 addresses are skipped).
    Generic {
        token_last: bool,
    },
    Password,
    AwsSecret,
    EvmKey,
    SolanaKey,
    Twitter,
    Together,
    Mnemonic,
    /// `Authorization` header: `Bearer <token>`, `Basic <b64>`.
    Auth,
    /// `.npmrc` `_authToken` / `_auth`.
    NpmAuth,
}

impl NameClass {
    /// Classes that are more specific win when two names apply.
    fn rank(self) -> u8 {
        match self {
            NameClass::Generic { .. } => 1,
            NameClass::Auth => 2,
            _ => 3,
        }
    }
}

const NAME_HINTS: &[&[u8]] = &[
    b"key",
    b"secret",
    b"token",
    b"pass",
    b"pwd",
    b"auth",
    b"mnemonic",
    b"seed",
    b"phrase",
    b"credential",
    b"bearer",
];

/// Qualifiers before `key` that name a non-secret key.
const KEY_DENY: &[&str] = &[
    "public",
    "publishable",
    "pub",
    "primary",
    "foreign",
    "sort",
    "partition",
    "cache",
    "storage",
    "idempotency",
    "query",
    "i18n",
    "translation",
    "route",
    "hot",
    "unique",
    "map",
    "lookup",
    "index",
    "dedup",
    "dedupe",
    "react",
    "item",
    "list",
    "row",
    "column",
    "field",
    "object",
    "entry",
    "group",
    "state",
    "store",
    "local",
    "registry",
    "message",
    "event",
    "metric",
    "label",
    "config",
    "setting",
    "settings",
    "env",
    "name",
    "id",
    "type",
    "form",
    "table",
    "search",
    "hash",
    "memory",
    "redis",
    "kv",
    "prefix",
    "file",
    "bucket",
    "s3",
    "upload",
    "composite",
    "cursor",
    "schema",
    "child",
    "parent",
    "next",
    "prev",
    "keyboard",
    "room",
    "channel",
    "user",
    "session_id",
    "dictionary",
    "dict",
    "emoji",
    "icon",
    "image",
    "model",
    "provider",
    "plugin",
    "action",
    "service",
    "task",
    "job",
    "queue",
    "topic",
    "cache_",
    "component",
    "element",
    "node",
    "path",
    "request",
    "response",
    "tab",
    "menu",
    "sign_in",
];

/// Qualifiers before `token` that name a non-secret token.
const TOKEN_DENY: &[&str] = &[
    "page",
    "next",
    "continuation",
    "cancellation",
    "cancel",
    "sync",
    "pagination",
    "max",
    "min",
    "num",
    "total",
    "count",
    "input",
    "output",
    "prompt",
    "completion",
    "special",
    "eos",
    "bos",
    "pad",
    "unk",
    "sep",
    "mask",
    "cls",
    "stop",
    "end",
    "start",
    "mint",
    "native",
    "base",
    "quote",
    "wrapped",
    "reward",
    "stake",
    "gas",
    "fee",
    "lp",
    "pool",
    "target",
    "source",
    "from",
    "to",
    "in",
    "out",
    "pay",
    "buy",
    "sell",
    "payment",
    "erc20",
    "spl",
    "usdc",
    "usdt",
    "sol",
    "eth",
    "weth",
    "meme",
    "new",
    "old",
    "first",
    "last",
    "id",
    "type",
    "symbol",
    "name",
    "default",
    "design",
    "theme",
    "color",
    "css",
    "style",
    "chat",
    "image",
    "audio",
    "text",
    "cancel_",
];

const GENERIC_LAST: &[&str] = &[
    "key",
    "apikey",
    "secret",
    "token",
    "secretkey",
    "accesskey",
    "accesstoken",
    "clientsecret",
    "credential",
    "credentials",
    "bearer",
    "authtoken",
    "privatekey",
    "refreshtoken",
];

/// Split a name into lower-case words at `_ - . $`, spaces, camelCase humps
/// and letter/digit changes; trailing all-digit words are dropped.
fn name_words(name: &[u8]) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    for (k, &b) in name.iter().enumerate() {
        if !b.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if let Some(&prev) = k.checked_sub(1).and_then(|p| name.get(p)) {
            let next_lower = name.get(k + 1).is_some_and(u8::is_ascii_lowercase);
            let hump = (prev.is_ascii_lowercase() && b.is_ascii_uppercase())
                || (prev.is_ascii_uppercase() && b.is_ascii_uppercase() && next_lower)
                || (prev.is_ascii_alphabetic() && b.is_ascii_digit())
                || (prev.is_ascii_digit() && b.is_ascii_alphabetic());
            if hump && !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
        }
        cur.push(b.to_ascii_lowercase() as char);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    while words
        .last()
        .is_some_and(|w| w.bytes().all(|b| b.is_ascii_digit()))
    {
        words.pop();
    }
    words
}

/// Classify an assignment target name. `name` is the last `.`-segment,
/// with leading `-`/`$` removed.
pub(crate) fn classify(name: &[u8]) -> Option<NameClass> {
    if name.is_empty() || name.len() > 96 {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    if !NAME_HINTS
        .iter()
        .any(|h| lower.windows(h.len()).any(|w| w == *h))
    {
        return None;
    }
    let words = name_words(name);
    let last = words.last()?.as_str();
    let prev = words.len().checked_sub(2).map(|k| words[k].as_str());
    let has = |w: &str| words.iter().any(|x| x == w);

    if has("mnemonic")
        || has("seedphrase")
        || (has("seed") && (has("phrase") || has("words")))
        || (has("recovery") && has("phrase"))
    {
        return Some(NameClass::Mnemonic);
    }
    if matches!(
        last,
        "password" | "passwd" | "pwd" | "pass" | "passphrase" | "passcode"
    ) || (words.len() == 1 && (last.ends_with("password") || last.ends_with("passwd")))
    {
        if matches!(
            prev,
            Some("show" | "toggle" | "forgot" | "reset" | "hide" | "min" | "max")
        ) {
            return None;
        }
        return Some(NameClass::Password);
    }
    if name.starts_with(b"_") && (lower == b"_authtoken" || lower == b"_auth") {
        return Some(NameClass::NpmAuth);
    }
    if last == "key" && prev.is_some_and(|q| KEY_DENY.contains(&q)) {
        return None;
    }
    let solana = has("solana") || has("sol") || has("phantom");
    let private_key = (has("private") && last == "key")
        || matches!(last, "privkey" | "privatekey")
        || words == ["pk"];
    if private_key {
        return Some(if solana {
            NameClass::SolanaKey
        } else {
            NameClass::EvmKey
        });
    }
    if solana && matches!(last, "key" | "secret" | "secretkey") {
        return Some(NameClass::SolanaKey);
    }
    let n = words.len();
    let secret_access_key = n >= 3 && words[n - 3..] == ["secret", "access", "key"];
    if (has("aws") && has("secret")) || secret_access_key {
        return Some(NameClass::AwsSecret);
    }
    let credential_last = matches!(last, "key" | "secret" | "token" | "apikey" | "bearer");
    // `X_API_KEY` is Twitter/X; the `x-api-key` header is not.
    let x_env = words[0] == "x" && words.len() > 1 && !name.contains(&b'-');
    if (words[0] == "twitter" || x_env) && credential_last {
        return Some(NameClass::Twitter);
    }
    if has("together") && credential_last {
        return Some(NameClass::Together);
    }
    if last == "authorization" || (last == "auth" && prev == Some("x")) {
        return Some(NameClass::Auth);
    }
    if !GENERIC_LAST.contains(&last) {
        return None;
    }
    if last == "key" {
        let qualifier = prev?;
        if KEY_DENY.contains(&qualifier) {
            return None;
        }
    }
    if last == "token" {
        if let Some(q) = prev {
            if TOKEN_DENY.contains(&q) {
                return None;
            }
        }
    }
    if words == ["secret", "key"] {
        // `secretKey`: Solana keypair field or generic secret; the value decides.
        return Some(NameClass::SolanaKey);
    }
    Some(NameClass::Generic {
        token_last: last == "token",
    })
}

/// Values that are clearly not a literal secret, whatever the name.
fn common_reject(v: &[u8]) -> bool {
    const REFS: &[&[u8]] = &[
        b"process.env",
        b"import.meta",
        b"os.environ",
        b"runtime.",
        b"env(",
        b"Deno.env",
        b"Bun.env",
    ];
    let lower = v.to_ascii_lowercase();
    v.is_empty()
        || is_placeholder_loose(v)
        || v.windows(3).any(|w| w == b"://")
        || is_evm_address(v)
        || v.starts_with(b"/")
        || v.starts_with(b"./")
        || v.starts_with(b"~/")
        || REFS.iter().any(|r| v.starts_with(r))
        || matches!(
            lower.as_slice(),
            b"true"
                | b"false"
                | b"null"
                | b"undefined"
                | b"none"
                | b"nil"
                | b"required"
                | b"optional"
        )
}

fn is_env_var_name(v: &[u8]) -> bool {
    v.first().is_some_and(u8::is_ascii_uppercase)
        && v.contains(&b'_')
        && v.iter()
            .all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// A random-looking credential of at least `min_len` bytes.
fn generic_ok(v: &[u8], min_len: usize) -> bool {
    if v.len() < min_len || v.len() > 1024 || v.iter().any(|b| b.is_ascii_whitespace()) {
        return false;
    }
    if is_identifier_like(v) || is_slug(v) || is_env_var_name(v) {
        return false;
    }
    if is_hex(v) {
        return v.len() >= 16 && looks_random(v, 3.0);
    }
    if v.iter().all(u8::is_ascii_digit) {
        return v.len() >= 16 && !is_sequential(v) && shannon_entropy(v) >= 2.9;
    }
    Classes::of(v).count() >= 2 && looks_random(v, 3.2)
}

/// Publicly known defaults that are not worth hiding (and look like code).
const PASSWORD_DEFAULTS: &[&str] = &[
    "password",
    "password1",
    "passw0rd",
    "changeme",
    "changeit",
    "secret",
    "admin",
    "root",
    "testing",
    "default",
    "postgres",
    "mysql",
    "example",
    "12345678",
    "123456789",
    "1234567890",
    "qwerty",
    "qwertyuiop",
    "letmein",
    "hunter2",
    "required",
    "optional",
    "undefined",
];

fn password_ok(v: &[u8]) -> bool {
    if v.len() < 8 || v.len() > 256 || v.iter().any(|b| b.is_ascii_whitespace()) {
        return false;
    }
    if is_env_var_name(v)
        || PASSWORD_DEFAULTS
            .iter()
            .any(|d| v.eq_ignore_ascii_case(d.as_bytes()))
        || is_sequential(v)
        || shannon_entropy(v) < 2.5
    {
        return false;
    }
    Classes::of(v).count() >= 2 || v.len() >= 12
}

fn is_mnemonic(v: &[u8]) -> bool {
    let words: Vec<&[u8]> = v.split(|&b| b == b' ').collect();
    if ![12, 15, 18, 21, 24].contains(&words.len()) {
        return false;
    }
    if !words
        .iter()
        .all(|w| (3..=8).contains(&w.len()) && w.iter().all(u8::is_ascii_lowercase))
    {
        return false;
    }
    let mut distinct: Vec<&[u8]> = words.clone();
    distinct.sort_unstable();
    distinct.dedup();
    distinct.len() * 3 >= words.len() * 2
}

/// A 64-byte array literal `[n, n, …]` at `p` (Solana keypair); returns the
/// end (after `]`).
pub(crate) fn byte_array_64(bytes: &[u8], p: usize) -> Option<usize> {
    if bytes.get(p) != Some(&b'[') {
        return None;
    }
    let limit = bytes.len().min(p + 2048);
    let mut k = p + 1;
    let mut count = 0;
    loop {
        while k < limit && bytes[k].is_ascii_whitespace() {
            k += 1;
        }
        let n = bytes[k.min(limit)..limit]
            .iter()
            .take(4)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if n == 0 || n > 3 {
            return None;
        }
        let value: u32 = bytes[k..k + n]
            .iter()
            .fold(0, |acc, &d| acc * 10 + u32::from(d - b'0'));
        if value > 255 {
            return None;
        }
        count += 1;
        k += n;
        while k < limit && bytes[k].is_ascii_whitespace() {
            k += 1;
        }
        match bytes.get(k) {
            Some(b',') if k < limit => k += 1,
            Some(b']') if k < limit => return (count == 64).then_some(k + 1),
            _ => return None,
        }
        if count > 64 {
            return None;
        }
    }
}

fn strip_0x(v: &[u8]) -> &[u8] {
    v.strip_prefix(b"0x")
        .or_else(|| v.strip_prefix(b"0X"))
        .unwrap_or(v)
}

fn is_base58_len(v: &[u8], lens: std::ops::RangeInclusive<usize>) -> bool {
    lens.contains(&v.len()) && v.iter().all(|&b| is_base58(b))
}

/// Decide whether literal `v` assigned to a name of `class` is a secret.
/// Returns the kind and the sub-range of `v` to replace.
fn evaluate(class: NameClass, v: &[u8]) -> Option<(SecretKind, usize, usize)> {
    let whole = |k: SecretKind| Some((k, 0, v.len()));
    match class {
        NameClass::Mnemonic => {
            if v.is_empty() || v[0] == b'<' || !is_mnemonic(v) {
                return None;
            }
            return whole(SecretKind::SeedPhrase);
        }
        NameClass::Auth => {
            let schemes: [&[u8]; 4] = [b"bearer ", b"basic ", b"token ", b"bot "];
            let lower = v.to_ascii_lowercase();
            let off = schemes
                .iter()
                .find(|s| lower.starts_with(s))
                .map_or(0, |s| s.len());
            let rest = &v[off..];
            if common_reject(rest) || !generic_ok(rest, 12) {
                return None;
            }
            return Some((SecretKind::GenericSecret, off, v.len()));
        }
        _ => {}
    }
    if common_reject(v) {
        return None;
    }
    match class {
        NameClass::Password => password_ok(v).then_some((SecretKind::Password, 0, v.len())),
        NameClass::AwsSecret => {
            if v.len() == 40
                && v.iter()
                    .all(|&b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+')
                && Classes::of(v).count() >= 2
                && looks_random(v, 3.0)
            {
                whole(SecretKind::AwsSecretKey)
            } else if generic_ok(v, 16) {
                whole(SecretKind::GenericSecret)
            } else {
                None
            }
        }
        NameClass::EvmKey | NameClass::SolanaKey => {
            let hex = strip_0x(v);
            let solana = class == NameClass::SolanaKey;
            if hex.len() == 64 && is_hex(hex) && looks_random(hex, 3.0) {
                whole(if solana {
                    SecretKind::SolanaSecretKey
                } else {
                    SecretKind::EvmPrivateKey
                })
            } else if is_base58_len(v, 86..=88) && looks_random(v, 3.5) {
                whole(SecretKind::SolanaSecretKey)
            } else if generic_ok(v, 16) {
                whole(SecretKind::GenericSecret)
            } else {
                None
            }
        }
        NameClass::Twitter => {
            generic_ok(v, 16).then_some((SecretKind::TwitterCredential, 0, v.len()))
        }
        NameClass::Together => {
            generic_ok(v, 16).then_some((SecretKind::TogetherApiKey, 0, v.len()))
        }
        NameClass::NpmAuth => generic_ok(v, 16).then_some((SecretKind::NpmToken, 0, v.len())),
        NameClass::Generic { token_last } => {
            if token_last && is_base58_len(v, 32..=44) {
                // A Solana mint / program address, not a credential.
                return None;
            }
            generic_ok(v, 16).then_some((SecretKind::GenericSecret, 0, v.len()))
        }
        NameClass::Mnemonic | NameClass::Auth => None,
    }
}

/// A byte range `(start, end)` of the input.
type Span = (usize, usize);

/// Which separator triggered the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    Eq,
    Colon,
}

#[inline]
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'$' | b'-')
}

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
    while j > floor && is_name_byte(bytes[j - 1]) {
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
        match WRAPPERS.iter().find(|w| bytes[p..].starts_with(w)) {
            Some(w) => p = skip_spaces(bytes, p + w.len()),
            None => break,
        }
    }
    p
}

/// Handle the `=` or `:` at `i`.
pub(crate) fn assignment_at(bytes: &[u8], i: usize, file: FileKind, hits: &mut Vec<Hit>) {
    let b = bytes[i];
    let next = bytes.get(i + 1).copied();
    let prev = i.checked_sub(1).map(|k| bytes[k]);
    let (sep_start, sep) = if b == b'=' {
        if matches!(next, Some(b'=' | b'>' | b'~')) {
            return;
        }
        match prev {
            Some(b':') => (i - 1, Sep::Eq),
            Some(
                b'=' | b'!' | b'<' | b'>' | b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'^'
                | b'?',
            ) => return,
            _ => (i, Sep::Eq),
        }
    } else {
        if matches!(next, Some(b':' | b'=' | b'/')) || prev == Some(b':') {
            return;
        }
        (i, Sep::Colon)
    };
    let Some((mut ns, mut ne, quoted_name)) = name_before(bytes, sep_start) else {
        return;
    };
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
                    None => return,
                }
            }
        }
    }
    // `apiKey?: …` is a type annotation.
    if sep == Sep::Colon && ns > 0 && bytes[ne..sep_start].contains(&b'?') {
        return;
    }
    let before_name = ns.checked_sub(1).map(|k| bytes[k]);
    let query_param = sep == Sep::Eq && matches!(before_name, Some(b'?' | b'&'));
    let outer = class_of(bytes, (ns, ne));

    let mut p = skip_spaces(bytes, i + 1);
    if p >= bytes.len() {
        return;
    }
    p = unwrap_calls(bytes, p);
    if p >= bytes.len() {
        return;
    }
    // Byte-array keys: `secretKey: [12, 34, …]`, `new Uint8Array([…])`.
    if bytes[p] == b'[' {
        if matches!(outer, Some(NameClass::SolanaKey | NameClass::EvmKey)) {
            if let Some(end) = byte_array_64(bytes, p) {
                hits.push(Hit::new(p, end, SecretKind::SolanaSecretKey));
            }
        }
        return;
    }
    if let Some(span) = quoted_value(bytes, p) {
        if let Some(class) = outer {
            push_eval(class, bytes, span, hits);
        }
        return;
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
                push_eval(
                    NameClass::Generic { token_last: false },
                    bytes,
                    (s, e),
                    hits,
                );
            }
            return;
        }
        if mode != Unquoted::No {
            if let Some(span) = unquoted_value(bytes, p, mode, class) {
                push_eval(class, bytes, span, hits);
                return;
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
            return;
        }
        // `.env` / YAML with a code-looking or unreadable value: nothing.
        let _ = class;
        return;
    }
    // The target name says nothing: maybe the expression reads a secret
    // setting and falls back to a literal.
    if matches!(mode, Unquoted::No | Unquoted::Strict) {
        let (lit, inner) = fallback_literal(bytes, p);
        if let (Some(lit), Some(inner)) = (lit, inner) {
            if let Some(class) = class_of(bytes, inner) {
                push_eval(class, bytes, lit, hits);
            }
        }
    }
}

/// Calls that take key material directly.
const KEY_CALLS: &[(&[u8], NameClass)] = &[
    (b"privateKeyToAccount", NameClass::EvmKey),
    (b"privateKeyToAddress", NameClass::EvmKey),
    (b"Wallet", NameClass::EvmKey),
    (b"fromSecretKey", NameClass::SolanaKey),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        assert_eq!(name_words(b"OPENAI_API_KEY"), ["openai", "api", "key"]);
        assert_eq!(name_words(b"apiKey"), ["api", "key"]);
        assert_eq!(name_words(b"APIKey2"), ["api", "key"]);
        assert_eq!(name_words(b"_authToken"), ["auth", "token"]);
        assert_eq!(name_words(b"x-api-key"), ["x", "api", "key"]);
    }

    #[test]
    fn classes() {
        use NameClass::*;
        assert_eq!(classify(b"API_KEY"), Some(Generic { token_last: false }));
        assert_eq!(classify(b"accessToken"), Some(Generic { token_last: true }));
        assert_eq!(
            classify(b"clientSecret"),
            Some(Generic { token_last: false })
        );
        assert_eq!(classify(b"DB_PASSWORD"), Some(Password));
        assert_eq!(classify(b"password"), Some(Password));
        assert_eq!(classify(b"AWS_SECRET_ACCESS_KEY"), Some(AwsSecret));
        assert_eq!(classify(b"secretAccessKey"), Some(AwsSecret));
        assert_eq!(classify(b"EVM_PRIVATE_KEY"), Some(EvmKey));
        assert_eq!(classify(b"SOLANA_PRIVATE_KEY"), Some(SolanaKey));
        assert_eq!(classify(b"secretKey"), Some(SolanaKey));
        assert_eq!(classify(b"TWITTER_API_SECRET"), Some(Twitter));
        assert_eq!(classify(b"X_BEARER_TOKEN"), Some(Twitter));
        assert_eq!(classify(b"TOGETHER_API_KEY"), Some(Together));
        assert_eq!(classify(b"MNEMONIC"), Some(Mnemonic));
        assert_eq!(classify(b"Authorization"), Some(Auth));
        assert_eq!(classify(b"_authToken"), Some(NpmAuth));
        for none in [
            "publicKey",
            "SOLANA_PUBLIC_KEY",
            "cacheKey",
            "queryKey",
            "key",
            "maxTokens",
            "nextPageToken",
            "API_KEY_NAME",
            "tokenAddress",
            "showPassword",
            "name",
        ] {
            assert_eq!(classify(none.as_bytes()), None, "{none}");
        }
    }

    #[test]
    fn arrays() {
        let arr: Vec<String> = (0..64).map(|k| ((k * 37 + 11) % 256).to_string()).collect();
        let text = format!("[{}]", arr.join(", "));
        assert_eq!(byte_array_64(text.as_bytes(), 0), Some(text.len()));
        assert_eq!(byte_array_64(b"[1, 2, 3]", 0), None);
        assert_eq!(byte_array_64(b"[1, 2, 300]", 0), None);
    }
}
