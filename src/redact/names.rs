//! What an assignment target's name says about its value: `API_KEY`,
//! `clientSecret`, `DB_PASSWORD`, `EVM_PRIVATE_KEY`, `MNEMONIC`, … The word
//! lists are data; a new naming convention is a new entry.

/// What a name says about the value assigned to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameClass {
    /// `*_KEY`, `*_SECRET`, `*_TOKEN`, `apiKey`, `clientSecret`, …
    Generic,
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
    pub(crate) fn rank(self) -> u8 {
        match self {
            NameClass::Generic => 1,
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

/// For each byte (either case), the [`NAME_HINTS`] entries (as bits) that
/// start with it.
static HINTS_BY_FIRST: [u16; 256] = hints_by_first();

const fn hints_by_first() -> [u16; 256] {
    assert!(NAME_HINTS.len() <= 16);
    let mut t = [0; 256];
    let mut k = 0;
    while k < NAME_HINTS.len() {
        let first = NAME_HINTS[k][0];
        t[first as usize] |= 1 << k;
        t[first.to_ascii_uppercase() as usize] |= 1 << k;
        k += 1;
    }
    t
}

/// Whether `name` contains a [`NAME_HINTS`] entry, ignoring case. Most
/// names in code fail this, so it runs first and compares only the hints
/// that start with each byte (usually none), without allocating.
fn has_hint(name: &[u8]) -> bool {
    (0..name.len()).any(|k| {
        let mut hints = HINTS_BY_FIRST[usize::from(name[k])];
        while hints != 0 {
            let hint = NAME_HINTS[hints.trailing_zeros() as usize];
            // The second byte first: it rejects almost every candidate.
            let found = name[k..].get(..hint.len()).is_some_and(|w| {
                w[1].to_ascii_lowercase() == hint[1] && w.eq_ignore_ascii_case(hint)
            });
            if found {
                return true;
            }
            hints &= hints - 1;
        }
        false
    })
}

/// Qualifiers before `key` that name a non-secret key.
const KEY_DENY: &[&str] = &[
    "gpg",
    "pgp",
    "ssh",
    "host",
    "fingerprint",
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
    if !has_hint(name) {
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
    if name.starts_with(b"_")
        && (name.eq_ignore_ascii_case(b"_authtoken") || name.eq_ignore_ascii_case(b"_auth"))
    {
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
    Some(NameClass::Generic)
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
    fn hints_ignore_case() {
        for name in [
            "API_KEY",
            "apiKey",
            "ApiKEY",
            "PassWord",
            "x_Auth",
            "SEEDphrase",
            "pwd",
        ] {
            assert!(has_hint(name.as_bytes()), "{name}");
        }
        for name in [
            "",
            "k",
            "ke",
            "name",
            "keyboard_",
            "description",
            "tokn",
            "p\u{e9}ss",
        ] {
            let expected = name.to_ascii_lowercase().contains("key");
            assert_eq!(has_hint(name.as_bytes()), expected, "{name}");
        }
    }

    #[test]
    fn classes() {
        use NameClass::*;
        assert_eq!(classify(b"API_KEY"), Some(Generic));
        assert_eq!(classify(b"accessToken"), Some(Generic));
        assert_eq!(classify(b"clientSecret"), Some(Generic));
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
}
