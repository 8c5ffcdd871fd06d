//! Secret and personal-data redaction for captured training examples.
//!
//! Every piece of text that may become a fine-tuning example (generated
//! files, the user's request) goes through [`redact_text`] first. A model
//! that memorises a key from its training data leaks it forever, so the
//! rules lean towards redacting; the false-positive guards exist because
//! mangled code is bad training data too.
//!
//! # Placeholder format
//!
//! A secret becomes `<REDACTED:kind>`, where `kind` is
//! [`SecretKind::as_str`] (`[a-z_]` only, e.g. `<REDACTED:github_token>`).
//! The surrounding syntax is kept byte for byte:
//!
//! - provider tokens: only the token (`"ghp_…"` → `"<REDACTED:github_token>"`);
//! - assignments: only the value (`AWS_SECRET_ACCESS_KEY=<REDACTED:aws_secret_key>`,
//!   `apiKey: "<REDACTED:generic_secret>"`); `Bearer ` stays in front of a
//!   redacted `Authorization` value;
//! - URLs: only the password (`postgres://user:<REDACTED:url_password>@host/db`),
//!   except Slack/Discord webhooks, whose whole URL is the secret;
//! - PEM: the whole `BEGIN … PRIVATE KEY` … `END …` block is one placeholder.
//!
//! Counts are kept per kind ([`Redacted::counts`]), never values. No rule
//! matches a placeholder (`<` starts no token, ends every bare value and
//! marks any quoted value as a placeholder), and [`redact_text`] rescans its
//! own output until nothing more is found (a value that lost an overlap to
//! a more specific match is judged again on its own), so redacting twice
//! equals redacting once.
//!
//! # Rules and their sources
//!
//! All rules are written from the providers' public token formats, guided
//! by the rule facts published by gitleaks (MIT, `cmd/generate/config/rules`:
//! prefixes, lengths, keywords, entropy floors) and Nosey Parker
//! (Apache-2.0). Nothing comes from trufflehog. There is no regex engine:
//! each detector is a small byte scanner over a bounded window, driven by
//! one pass (`scanner.rs`) that steps over every position where no detector
//! can start with byte tables (`skip.rs`), so the work is linear.
//!
//! - `rules.rs`: the provider table, one row per prefix (kind, prefix, body
//!   charset, length bounds, entropy floor): OpenAI (`sk-`, `sk-proj-`,
//!   `sk-svcacct-`, `sk-admin-`), Anthropic (`sk-ant-api03-`,
//!   `sk-ant-admin01-`), OpenRouter, Together `tgp_v1_`, Hugging Face `hf_`,
//!   Google `AIza`, AWS key ids (`AKIA`/`ASIA`/`ABIA`/`ACCA`), GitHub
//!   (`ghp_`/`gho_`/`ghs_`/`ghu_`/`ghr_`/`github_pat_`), GitLab (`glpat-`…),
//!   Slack (`xoxb-`/`xoxp-`/`xoxa-`/`xoxr-`/`xoxs-`/`xoxe-`/`xapp-`), Stripe
//!   live *and* test keys (`sk_`/`rk_`, `whsec_`), npm `npm_`, SendGrid,
//!   Groq, xAI, Perplexity, Replicate. A new provider is a new row.
//! - `structured.rs`: JWTs (`eyJ….eyJ….signature`), Discord bot tokens (the
//!   first segment must decode to a numeric bot id), Telegram bot tokens
//!   (also in `api.telegram.org/bot…` URLs), PEM private key blocks (RSA, EC,
//!   DSA, OPENSSH, PKCS#8, ENCRYPTED, PGP; a block needs real key material, a
//!   base64 run of 32+ bytes, and a truncated block without `END` loses its
//!   base64 lines), passwords in `scheme://user:pass@host` URLs (any scheme:
//!   postgres, mysql, mongodb+srv, redis, amqp, https, …), Slack and Discord
//!   webhook URLs.
//! - `names.rs` + `values.rs` + `assign.rs`: values recognised by the name
//!   they are given: `*_KEY`, `*_SECRET`, `*_TOKEN`, `*PASSWORD`/`PASSWD`/
//!   `PWD`/`PASS`, `apiKey`, `secretKey`, `accessToken`, `clientSecret`,
//!   `Authorization`, … in `.env` lines (`export`, quotes, comments), TS/JS
//!   (`const`, object properties, `?? "…"` / `|| "…"` fallbacks after
//!   `process.env.X` or `runtime.getSetting("X")`), JSON, YAML, Python
//!   (`os.getenv("X", "…")`, `… or "…"`), URL query strings (`?api_key=…`)
//!   and command-line flags (`--api-key …`). Names also select specific
//!   kinds: AWS secret keys (40 chars), EVM private keys (64 hex, optional
//!   `0x`), Solana secret keys (base58 of 86-88 chars or a 64-number array),
//!   seed phrases (12-24 lower-case words), Twitter/X credentials (`TWITTER_*`,
//!   `X_*`), Together 64-hex keys and `.npmrc` `_authToken`/`_auth`. Key-taking
//!   calls count as names: `privateKeyToAccount("0x…")`, `new Wallet("0x…")`,
//!   `Keypair.fromSecretKey(…)`, `mnemonicToAccount("…")`. A Solana keypair
//!   file (`*.json` holding only a 64-number array) is redacted whole.
//!   Generic values must look random: length ≥ 16, two character classes,
//!   entropy ≥ 3.2 bits/byte (hex ≥ 3.0), and not an identifier, slug,
//!   env-var name, URL, path, EVM address or placeholder. Passwords need
//!   length ≥ 8 and must not be a well-known default.
//! - `pii.rs`: e-mail addresses and phone numbers (international `+` forms
//!   with 8-15 digits, North-American `(415) 555-0123` / `415-555-0123` /
//!   `415.555.0123` / `1-800-…`; dates, versions, IPs, ports, ids, hex and
//!   counting/repeated test numbers are rejected), each switchable in
//!   [`RedactionOptions`].
//! - `entropy.rs`: Shannon entropy, character classes and the placeholder /
//!   identifier / slug heuristics shared by the rules.
//!
//! When matches overlap, the more specific one wins (PEM > webhooks >
//! provider tokens > URL passwords > name-selected kinds > generic >
//! e-mail > phone).
//!
//! # Not redacted
//!
//! References (`process.env.X`, `runtime.getSetting('X')`,
//! `import.meta.env.X`, `os.environ["X"]`, `${API_KEY}`, `{{X}}`),
//! placeholders (`your_api_key`, `your-api-key-here`, `<YOUR_TOKEN>`,
//! `xxx…`, `changeme`, `example`, `test`, `dummy`, `placeholder`, `sk-...`,
//! `****`, the AWS documentation keys `AKIAIOSFODNN7EXAMPLE`/`…EXAMPLEKEY`),
//! type annotations (`apiKey: string`, `apiKey?: string`), identifiers and
//! expressions in code (`apiKey: apiKey`, `config.apiKey`, `getToken()`),
//! short or low-entropy values, UUIDs / commit SHAs / hashes / integrity
//! strings not assigned to a secret name, EVM addresses, base58 addresses
//! assigned to `*_TOKEN` names (Solana mints), CSS colours, data URIs, npm
//! scopes and versions (`@elizaos/core`, `pkg@1.2.3`), decorators,
//! `user@host` without a dotted domain, `logo@2x.png`, `git@github.com`,
//! URL passwords shorter than 4 bytes (`a:b@`) and publicly known defaults
//! (`postgres:postgres`, `guest:guest`, `user:password`).
//!
//! # Lock files
//!
//! Lock files (`package-lock.json`, `npm-shrinkwrap.json`, `yarn.lock`,
//! `pnpm-lock.yaml`, `bun.lock`, `*.lock`) **are scanned** for every secret
//! kind: registry URLs with credentials (`https://user:token@registry/…`)
//! and `.npmrc`-style `_authToken=` lines can end up in them, and scanning
//! is cheap. Their `integrity` hashes (`sha512-…`), `resolved` URLs and
//! versions match no rule (hashes count only when assigned to a secret
//! name), so they pass through unchanged. Phone-number detection is off for
//! lock files, which are nothing but versions and hashes. `.npmrc` is read
//! as an env-style file, so `//registry.npmjs.org/:_authToken=…` is redacted.
//!
//! # Known limits
//!
//! - An unprefixed secret is only found next to a recognisable name (or
//!   flag, header, call); a bare random string in prose, or `const k = "…"`
//!   with a meaningless name, is kept. Secrets assembled by string
//!   concatenation are not seen.
//! - In code files a bare (unquoted) value is an expression, so only string
//!   literals and fallbacks are checked there.
//! - Generic values shorter than 16 bytes and passwords shorter than 8 are
//!   kept; so are passwords containing spaces, and human-chosen secrets made
//!   of lower-case words joined by `-`/`_`/`.` (they look like slugs).
//! - Provider tokens need a word boundary before the prefix (`xghp_…` is not
//!   matched) and a body within the documented length range.
//! - Phone numbers: only `+` international and North-American forms.
//!   E-mail rules are ASCII-only.
//! - Public test vectors (the jwt.io sample token, RFC examples) are
//!   redacted like real secrets.
//! - [`find_secrets`] reports the first pass over the original text; the
//!   rescans of [`redact_text`] may find a little more.

mod assign;
mod entropy;
mod kind;
mod names;
mod pii;
mod rules;
mod scanner;
mod skip;
mod structured;
mod values;

use std::collections::BTreeMap;

pub use kind::SecretKind;

/// What to redact besides credentials (which are always redacted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RedactionOptions {
    /// Replace e-mail addresses with `<REDACTED:email>`.
    pub redact_emails: bool,
    /// Replace phone numbers with `<REDACTED:phone_number>`.
    pub redact_phone_numbers: bool,
}

impl Default for RedactionOptions {
    fn default() -> Self {
        RedactionOptions {
            redact_emails: true,
            redact_phone_numbers: true,
        }
    }
}

/// The redacted text and how many values of each kind were replaced.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Redacted {
    pub text: String,
    /// Kind name ([`SecretKind::as_str`]) → number of replacements.
    pub counts: BTreeMap<String, u32>,
}

impl Redacted {
    /// Total number of replacements.
    pub fn total(&self) -> u32 {
        self.counts.values().fold(0u32, |a, &b| a.saturating_add(b))
    }

    /// True when nothing was replaced.
    pub fn is_clean(&self) -> bool {
        self.counts.is_empty()
    }
}

/// One redacted span of the original text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finding {
    /// Byte offset of the first redacted byte.
    pub start: usize,
    /// Byte offset just past the last redacted byte.
    pub end: usize,
    pub kind: SecretKind,
}

/// A raw detector match, before overlaps are resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    pub start: usize,
    pub end: usize,
    pub kind: SecretKind,
}

impl Hit {
    pub(crate) fn new(start: usize, end: usize, kind: SecretKind) -> Hit {
        Hit { start, end, kind }
    }
}

/// How a file's content is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    /// `.env*`, `.npmrc`, shell, ini/properties/toml, Dockerfile: bare
    /// values after `=` are literals.
    Env,
    /// YAML: bare values after `:` are literals.
    Yaml,
    /// Source and JSON: only string literals are values.
    Code,
    /// Lock files: like YAML/env for values, no phone numbers.
    Lock,
    /// Markdown, plain text, free text (no path): bare values accepted when
    /// they do not look like code.
    Text,
}

impl FileKind {
    pub(crate) fn from_path(path: Option<&str>) -> FileKind {
        let Some(path) = path else {
            return FileKind::Text;
        };
        let name = path
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(path)
            .to_ascii_lowercase();
        const LOCKS: &[&str] = &[
            "package-lock.json",
            "npm-shrinkwrap.json",
            "yarn.lock",
            "pnpm-lock.yaml",
            "bun.lock",
            "bun.lockb",
        ];
        if LOCKS.contains(&name.as_str()) || name.ends_with(".lock") {
            return FileKind::Lock;
        }
        const ENV_NAMES: &[&str] = &[
            ".npmrc",
            ".yarnrc",
            ".pypirc",
            ".netrc",
            ".envrc",
            ".gitconfig",
            ".pgpass",
            "dockerfile",
            "procfile",
            "makefile",
        ];
        if name.starts_with(".env") || ENV_NAMES.contains(&name.as_str()) || name.ends_with(".env")
        {
            return FileKind::Env;
        }
        let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
        match ext {
            "env" | "ini" | "cfg" | "conf" | "properties" | "toml" | "sh" | "bash" | "zsh"
            | "fish" | "ps1" | "bat" | "cmd" => FileKind::Env,
            "yaml" | "yml" => FileKind::Yaml,
            "ts" | "tsx" | "js" | "jsx" | "mjs" | "cjs" | "mts" | "cts" | "py" | "json"
            | "jsonc" | "json5" | "rs" | "go" | "java" | "kt" | "rb" | "php" | "cs" | "swift"
            | "c" | "h" | "cc" | "cpp" | "hpp" | "vue" | "svelte" | "astro" | "sol" | "dart"
            | "scala" | "lua" | "ipynb" => FileKind::Code,
            _ => FileKind::Text,
        }
    }
}

/// What the scanner needs to know.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context {
    pub file: FileKind,
    pub emails: bool,
    pub phones: bool,
}

/// Higher wins when two matches overlap.
fn priority(kind: SecretKind) -> u8 {
    use SecretKind as K;
    match kind {
        K::PrivateKey => 100,
        K::SlackWebhook | K::DiscordWebhook => 90,
        K::UrlPassword => 60,
        K::AwsSecretKey
        | K::EvmPrivateKey
        | K::SolanaSecretKey
        | K::SeedPhrase
        | K::TwitterCredential => 50,
        K::GenericSecret | K::Password => 40,
        K::Email => 20,
        K::PhoneNumber => 10,
        _ => 80,
    }
}

/// Keep the best non-overlapping matches, sorted by start.
fn resolve(mut hits: Vec<Hit>, text: &str) -> Vec<Finding> {
    hits.retain(|h| {
        h.start < h.end
            && h.end <= text.len()
            && text.is_char_boundary(h.start)
            && text.is_char_boundary(h.end)
    });
    hits.sort_by(|a, b| {
        priority(b.kind)
            .cmp(&priority(a.kind))
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.start.cmp(&b.start))
    });
    let mut taken: BTreeMap<usize, (usize, SecretKind)> = BTreeMap::new();
    for h in hits {
        let before = taken
            .range(..=h.start)
            .next_back()
            .is_some_and(|(_, &(end, _))| end > h.start);
        let after = taken
            .range(h.start..)
            .next()
            .is_some_and(|(&s, _)| s < h.end);
        if !before && !after {
            taken.insert(h.start, (h.end, h.kind));
        }
    }
    taken
        .into_iter()
        .map(|(start, (end, kind))| Finding { start, end, kind })
        .collect()
}

/// Find every secret (and, per `options`, personal data) in `text`.
/// `path` is the file's path when `text` is a file's content, `None` for
/// free text. Findings are sorted and never overlap.
pub fn find_secrets(text: &str, path: Option<&str>, options: &RedactionOptions) -> Vec<Finding> {
    let file = FileKind::from_path(path);
    let ctx = Context {
        file,
        emails: options.redact_emails,
        phones: options.redact_phone_numbers && file != FileKind::Lock,
    };
    let bytes = text.as_bytes();
    let mut hits = Vec::new();
    keypair_file(bytes, path, &mut hits);
    scanner::scan(bytes, &ctx, &mut hits);
    resolve(hits, text)
}

/// A Solana keypair file (`id.json`, `keypair.json`) is nothing but a JSON
/// array of 64 numbers.
fn keypair_file(bytes: &[u8], path: Option<&str>, hits: &mut Vec<Hit>) {
    if !path.is_some_and(|p| p.to_ascii_lowercase().ends_with(".json")) {
        return;
    }
    let start = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
    if let Some(end) = values::byte_array_64(bytes, start) {
        if bytes[end..].iter().all(u8::is_ascii_whitespace) {
            hits.push(Hit::new(start, end, SecretKind::SolanaSecretKey));
        }
    }
}

/// At most this many passes; each pass that finds something replaces at
/// least one byte of non-placeholder text, so real inputs settle in one or
/// two.
const MAX_PASSES: usize = 8;

/// Redact `text`: every secret becomes `<REDACTED:kind>`, surrounding syntax
/// unchanged. See the module documentation for what is found and kept.
///
/// The result is a fixed point: the redacted text is scanned again until
/// nothing more is found, so a value that was hidden behind an overlapping
/// match is not left behind, and `redact_text(redact_text(x).text)` returns
/// the same text with empty counts.
pub fn redact_text(text: &str, path: Option<&str>, options: &RedactionOptions) -> Redacted {
    let mut counts = BTreeMap::new();
    let mut current: Option<String> = None;
    for _ in 0..MAX_PASSES {
        let input = current.as_deref().unwrap_or(text);
        let findings = find_secrets(input, path, options);
        if findings.is_empty() {
            break;
        }
        let next = apply(input, &findings, &mut counts);
        current = Some(next);
    }
    Redacted {
        text: current.unwrap_or_else(|| text.to_owned()),
        counts,
    }
}

/// Replace `findings` (sorted, disjoint) in `text`, counting them.
fn apply(text: &str, findings: &[Finding], counts: &mut BTreeMap<String, u32>) -> String {
    let mut out = String::with_capacity(text.len() + findings.len() * 8);
    let mut pos = 0;
    for f in findings {
        out.push_str(&text[pos..f.start]);
        out.push_str("<REDACTED:");
        out.push_str(f.kind.as_str());
        out.push('>');
        pos = f.end;
        let c = counts.entry(f.kind.as_str().to_owned()).or_insert(0u32);
        *c = c.saturating_add(1);
    }
    out.push_str(&text[pos..]);
    out
}

/// Add the counts of `from` into `into`.
pub fn add_counts(into: &mut BTreeMap<String, u32>, from: &BTreeMap<String, u32>) {
    for (kind, &n) in from {
        let c = into.entry(kind.clone()).or_insert(0);
        *c = c.saturating_add(n);
    }
}
