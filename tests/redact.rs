#![cfg(not(target_arch = "wasm32"))]
//! Integration tests for `selftune::redact`.
//!
//! Every credential below is an obviously fake value assembled at run time
//! from a deterministic pseudo-random generator (or from repeated pieces), so
//! no literal in this file looks like a real secret to a repository scanner.

use std::collections::BTreeMap;

use selftune::redact::{add_counts, find_secrets, redact_text, RedactionOptions, SecretKind};

// ---------------------------------------------------------------- helpers

/// xorshift64*: deterministic fake material.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick(&mut self, charset: &str, len: usize) -> String {
        let cs = charset.as_bytes();
        (0..len).map(|_| cs[self.below(cs.len())] as char).collect()
    }
}

const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const LETTERS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const HEX: &str = "0123456789abcdef";
const DIGITS: &str = "0123456789";
const B64URL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE58: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const AWS_SECRET_CHARS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+";

fn b64url_encode(data: &[u8]) -> String {
    let cs = B64URL.as_bytes();
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk.len();
        let v = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for k in 0..=n {
            out.push(cs[((v >> (18 - 6 * k)) & 63) as usize] as char);
        }
    }
    out
}

/// `-----BEGIN <label>-----`, assembled so that no scanner sees a key header.
fn pem_begin(label: &str) -> String {
    format!("{d}BEGIN {label}{d}", d = "-".repeat(5))
}

fn opts() -> RedactionOptions {
    RedactionOptions::default()
}

fn counts(pairs: &[(&str, u32)]) -> BTreeMap<String, u32> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

/// `template` holds `{S}` once; the secret must be replaced by the kind's
/// placeholder and everything else must stay byte-identical.
#[track_caller]
fn assert_redacts(template: &str, secret: &str, path: Option<&str>, kind: &str) {
    let input = template.replace("{S}", secret);
    let expected = template.replace("{S}", &format!("<REDACTED:{kind}>"));
    let out = redact_text(&input, path, &opts());
    assert_eq!(out.text, expected, "input: {input}");
    assert_eq!(out.counts, counts(&[(kind, 1)]), "input: {input}");
    let again = redact_text(&out.text, path, &opts());
    assert_eq!(again.text, out.text, "not idempotent: {input}");
    assert!(again.counts.is_empty());
}

#[track_caller]
fn assert_clean(input: &str, path: Option<&str>) {
    let out = redact_text(input, path, &opts());
    assert_eq!(out.text, input, "changed ({:?})", out.counts);
    assert!(out.counts.is_empty(), "{:?}", out.counts);
}

// ------------------------------------------------------- provider tokens

#[test]
fn together_keys() {
    let mut r = Rng::new(1);
    let key = format!("tgp_v1_{}", r.pick(B64URL, 43));
    assert_redacts(
        "TOGETHER_API_KEY={S}\n",
        &key,
        Some(".env"),
        "together_api_key",
    );
    assert_redacts(
        "const together = new Together({ apiKey: \"{S}\" });",
        &key,
        Some("src/index.ts"),
        "together_api_key",
    );
    let hex = r.pick(HEX, 64);
    assert_redacts(
        "TOGETHER_API_KEY=\"{S}\"\n",
        &hex,
        Some(".env.local"),
        "together_api_key",
    );
    assert_redacts(
        "export const TOGETHER_API_KEY = '{S}';",
        &hex,
        Some("config.ts"),
        "together_api_key",
    );
}

#[test]
fn openai_keys() {
    let mut r = Rng::new(2);
    for prefix in ["sk-proj-", "sk-svcacct-", "sk-admin-"] {
        let key = format!(
            "{prefix}{}T3BlbkFJ{}",
            r.pick(B64URL, 74),
            r.pick(B64URL, 74)
        );
        assert_redacts(
            "const openai = new OpenAI({ apiKey: \"{S}\" });",
            &key,
            Some("src/openai.ts"),
            "openai_api_key",
        );
    }
    let legacy = format!("sk-{}", r.pick(ALNUM, 48));
    assert_redacts(
        "OPENAI_API_KEY={S}",
        &legacy,
        Some(".env"),
        "openai_api_key",
    );
    assert_redacts(
        "my key is {S} please use it",
        &legacy,
        None,
        "openai_api_key",
    );
}

#[test]
fn anthropic_keys() {
    let mut r = Rng::new(3);
    for prefix in ["sk-ant-api03-", "sk-ant-admin01-"] {
        let key = format!("{prefix}{}AA", r.pick(B64URL, 93));
        assert_redacts(
            "ANTHROPIC_API_KEY=\"{S}\"",
            &key,
            Some(".env"),
            "anthropic_api_key",
        );
        assert_redacts(
            "client = Anthropic(api_key='{S}')",
            &key,
            Some("bot.py"),
            "anthropic_api_key",
        );
    }
}

#[test]
fn huggingface_google_aws_ids() {
    let mut r = Rng::new(4);
    let hf = format!("hf_{}", r.pick(LETTERS, 34));
    assert_redacts(
        "huggingface-cli login --token {S}\n",
        &hf,
        None,
        "huggingface_token",
    );
    let google = format!("AIza{}", r.pick(B64URL, 35));
    assert_redacts(
        "fetch(`https://maps.googleapis.com/api?key={S}`)",
        &google,
        Some("src/maps.ts"),
        "google_api_key",
    );
    for prefix in ["AKIA", "ASIA", "ABIA", "ACCA"] {
        let id = format!("{prefix}{}", r.pick(UPPER_ALNUM, 16));
        assert_redacts(
            "aws_access_key_id = {S}\n",
            &id,
            Some("credentials.ini"),
            "aws_access_key_id",
        );
        assert_redacts(
            "{ accessKeyId: '{S}' }",
            &id,
            Some("s3.ts"),
            "aws_access_key_id",
        );
    }
}

#[test]
fn aws_secret_keys() {
    let mut r = Rng::new(5);
    let secret = r.pick(AWS_SECRET_CHARS, 40);
    assert_redacts(
        "AWS_SECRET_ACCESS_KEY={S}\n",
        &secret,
        Some(".env"),
        "aws_secret_key",
    );
    assert_redacts(
        "aws_secret_access_key = {S}\n",
        &secret,
        Some("credentials.ini"),
        "aws_secret_key",
    );
    assert_redacts(
        "new S3Client({ credentials: { accessKeyId, secretAccessKey: \"{S}\" } })",
        &secret,
        Some("s3.ts"),
        "aws_secret_key",
    );
}

#[test]
fn github_and_gitlab_tokens() {
    let mut r = Rng::new(6);
    for prefix in ["ghp_", "gho_", "ghs_", "ghu_", "ghr_"] {
        let tok = format!("{prefix}{}", r.pick(ALNUM, 36));
        assert_redacts("GITHUB_TOKEN={S}", &tok, Some(".env"), "github_token");
        assert_redacts(
            "git clone https://x-access-token:{S}@github.com/o/r.git",
            &tok,
            None,
            "github_token",
        );
    }
    let pat = format!("github_pat_{}_{}", r.pick(ALNUM, 22), r.pick(ALNUM, 59));
    assert_redacts(
        "const octokit = new Octokit({ auth: \"{S}\" });",
        &pat,
        Some("gh.ts"),
        "github_token",
    );
    let gl = format!("glpat-{}", r.pick(B64URL, 20));
    assert_redacts("GITLAB_TOKEN: {S}\n", &gl, Some("ci.yml"), "gitlab_token");
}

#[test]
fn slack_tokens_and_webhooks() {
    let mut r = Rng::new(7);
    for prefix in ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-"] {
        let tok = format!(
            "{prefix}{}-{}-{}",
            r.pick(DIGITS, 12),
            r.pick(DIGITS, 13),
            r.pick(ALNUM, 24)
        );
        assert_redacts("SLACK_BOT_TOKEN=\"{S}\"", &tok, Some(".env"), "slack_token");
    }
    let app = format!(
        "xapp-1-A{}-{}-{}",
        r.pick(UPPER_ALNUM, 10),
        r.pick(DIGITS, 13),
        r.pick(HEX, 64)
    );
    assert_redacts("appToken: '{S}',", &app, Some("slack.ts"), "slack_token");
    let hook = format!(
        "https://hooks.slack.com/services/T{}/B{}/{}",
        r.pick(UPPER_ALNUM, 8),
        r.pick(UPPER_ALNUM, 10),
        r.pick(ALNUM, 24)
    );
    assert_redacts(
        "await fetch(\"{S}\", { method: \"POST\" });",
        &hook,
        Some("notify.ts"),
        "slack_webhook",
    );
    assert_redacts(
        "SLACK_WEBHOOK_URL={S}\n",
        &hook,
        Some(".env"),
        "slack_webhook",
    );
}

#[test]
fn stripe_npm_sendgrid_and_llm_providers() {
    let mut r = Rng::new(8);
    for prefix in ["sk_live_", "rk_live_", "sk_test_"] {
        let key = format!("{prefix}{}", r.pick(ALNUM, 24));
        assert_redacts(
            "const stripe = new Stripe('{S}');",
            &key,
            Some("pay.ts"),
            "stripe_key",
        );
    }
    let npm = format!("npm_{}", r.pick(ALNUM, 36));
    assert_redacts(
        "//registry.npmjs.org/:_authToken={S}\n",
        &npm,
        Some(".npmrc"),
        "npm_token",
    );
    let sg = format!("SG.{}.{}", r.pick(B64URL, 22), r.pick(B64URL, 43));
    assert_redacts(
        "SENDGRID_API_KEY={S}",
        &sg,
        Some(".env"),
        "sendgrid_api_key",
    );
    let cases = [
        (
            format!("sk-or-v1-{}", r.pick(HEX, 64)),
            "openrouter_api_key",
        ),
        (format!("gsk_{}", r.pick(ALNUM, 52)), "groq_api_key"),
        (format!("xai-{}", r.pick(ALNUM, 80)), "xai_api_key"),
        (format!("pplx-{}", r.pick(ALNUM, 48)), "perplexity_api_key"),
        (format!("r8_{}", r.pick(ALNUM, 37)), "replicate_api_token"),
    ];
    for (key, kind) in &cases {
        assert_redacts(
            "settings: { LLM_KEY: \"{S}\" }",
            key,
            Some("character.ts"),
            kind,
        );
    }
}

#[test]
fn npmrc_auth_token_without_prefix() {
    let mut r = Rng::new(9);
    let legacy = format!(
        "{}-{}-{}-{}-{}",
        r.pick(HEX, 8),
        r.pick(HEX, 4),
        r.pick(HEX, 4),
        r.pick(HEX, 4),
        r.pick(HEX, 12)
    );
    assert_redacts(
        "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken={S}\n",
        &legacy,
        Some(".npmrc"),
        "npm_token",
    );
    // Inside a lock file the same line is still found.
    assert_redacts(
        "//registry.npmjs.org/:_authToken={S}\n",
        &legacy,
        Some("yarn.lock"),
        "npm_token",
    );
}

fn fake_discord_token(r: &mut Rng) -> String {
    let id = format!("1{}", r.pick(DIGITS, 17));
    format!(
        "{}.{}.{}",
        b64url_encode(id.as_bytes()),
        r.pick(B64URL, 6),
        r.pick(B64URL, 38)
    )
}

#[test]
fn discord_tokens_and_webhooks() {
    let mut r = Rng::new(10);
    let tok = fake_discord_token(&mut r);
    assert!(tok.starts_with('M'));
    assert_redacts(
        "DISCORD_API_TOKEN={S}\n",
        &tok,
        Some(".env"),
        "discord_bot_token",
    );
    assert_redacts(
        "client.login(\"{S}\");",
        &tok,
        Some("bot.ts"),
        "discord_bot_token",
    );
    for host in ["discord.com", "discordapp.com"] {
        let hook = format!(
            "https://{host}/api/webhooks/{}/{}",
            r.pick(DIGITS, 18),
            r.pick(B64URL, 68)
        );
        assert_redacts(
            "const WEBHOOK = \"{S}\";",
            &hook,
            Some("hook.ts"),
            "discord_webhook",
        );
    }
}

#[test]
fn telegram_tokens() {
    let mut r = Rng::new(11);
    let tok = format!("{}:AA{}", r.pick(DIGITS, 10), r.pick(B64URL, 33));
    assert_redacts(
        "TELEGRAM_BOT_TOKEN={S}\n",
        &tok,
        Some(".env"),
        "telegram_bot_token",
    );
    assert_redacts(
        "const bot = new Telegraf('{S}');",
        &tok,
        Some("tg.ts"),
        "telegram_bot_token",
    );
    assert_redacts(
        "curl https://api.telegram.org/bot{S}/getMe",
        &tok,
        None,
        "telegram_bot_token",
    );
}

#[test]
fn twitter_credentials() {
    let mut r = Rng::new(12);
    let api_key = r.pick(ALNUM, 25);
    let api_secret = r.pick(ALNUM, 50);
    let access = format!("{}-{}", r.pick(DIGITS, 19), r.pick(ALNUM, 30));
    let bearer = format!(
        "AAAAAAAAAAAAAAAAAAAAA{}%3D{}",
        r.pick(ALNUM, 40),
        r.pick(ALNUM, 50)
    );
    for (tpl, val) in [
        ("TWITTER_API_KEY={S}\n", &api_key),
        ("TWITTER_API_SECRET_KEY={S}\n", &api_secret),
        ("TWITTER_ACCESS_TOKEN={S}\n", &access),
        ("TWITTER_ACCESS_TOKEN_SECRET={S}\n", &api_secret),
        ("X_API_KEY=\"{S}\"\n", &api_key),
        ("X_BEARER_TOKEN={S}\n", &bearer),
    ] {
        assert_redacts(tpl, val, Some(".env"), "twitter_credential");
    }
    let pw = format!("Tw{}!{}", r.pick(ALNUM, 6), r.pick(DIGITS, 3));
    assert_redacts("TWITTER_PASSWORD={S}\n", &pw, Some(".env"), "password");
}

fn fake_jwt(r: &mut Rng) -> String {
    let header = b64url_encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = b64url_encode(br#"{"sub":"fake-user","name":"Fake","iat":1}"#);
    format!("{header}.{payload}.{}", r.pick(B64URL, 43))
}

#[test]
fn jwts() {
    let mut r = Rng::new(13);
    let jwt = fake_jwt(&mut r);
    assert!(jwt.starts_with("eyJ"));
    assert_redacts(
        "headers: { Authorization: `Bearer {S}` },",
        &jwt,
        Some("api.ts"),
        "jwt",
    );
    assert_redacts("SUPABASE_ANON_KEY={S}\n", &jwt, Some(".env"), "jwt");
    assert_redacts("the token {S} expired", &jwt, None, "jwt");
}

fn fake_pem(r: &mut Rng, label: &str, sep: &str) -> String {
    let mut body = Vec::new();
    for _ in 0..6 {
        body.push(r.pick(B64, 64));
    }
    body.push(format!("{}==", r.pick(B64, 30)));
    format!(
        "{dash}BEGIN {label}{dash}{sep}{}{sep}{dash}END {label}{dash}",
        body.join(sep),
        dash = "-".repeat(5)
    )
}

#[test]
fn pem_private_keys() {
    let mut r = Rng::new(14);
    for label in [
        "RSA PRIVATE KEY",
        "EC PRIVATE KEY",
        "OPENSSH PRIVATE KEY",
        "PRIVATE KEY",
        "ENCRYPTED PRIVATE KEY",
        "PGP PRIVATE KEY BLOCK",
    ] {
        let pem = fake_pem(&mut r, label, "\n");
        assert_redacts(
            "key file:\n{S}\nend of file\n",
            &pem,
            Some("notes.md"),
            "private_key",
        );
        // JSON-escaped one-liner, as in a service-account file.
        let escaped = fake_pem(&mut r, label, "\\n");
        assert_redacts(
            "{ \"type\": \"service_account\", \"private_key\": \"{S}\\n\" }",
            &escaped,
            Some("sa.json"),
            "private_key",
        );
    }
    // A truncated block (no END line) still loses its body.
    let body = (0..4)
        .map(|_| r.pick(B64, 64))
        .collect::<Vec<_>>()
        .join("\n");
    let truncated = format!(
        "{}BEGIN RSA PRIVATE KEY{}\n{body}",
        "-".repeat(5),
        "-".repeat(5)
    );
    assert_redacts("{S}\n\nmore text\n", &truncated, None, "private_key");
    // Public keys and certificates are not secrets.
    let public = format!(
        "{d}BEGIN PUBLIC KEY{d}\n{}\n{d}END PUBLIC KEY{d}",
        r.pick(B64, 64),
        d = "-".repeat(5)
    );
    assert_clean(&public, Some("key.pem"));
}

#[test]
fn url_passwords() {
    let mut r = Rng::new(15);
    for scheme in [
        "postgres",
        "postgresql",
        "mysql",
        "mongodb",
        "mongodb+srv",
        "redis",
        "rediss",
        "amqp",
        "https",
    ] {
        let pw = r.pick(ALNUM, 20);
        let tpl = format!("DATABASE_URL={scheme}://app_user:{{S}}@db.internal:5432/app?ssl=true\n");
        assert_redacts(&tpl, &pw, Some(".env"), "url_password");
        let tpl = format!("const url = \"{scheme}://app_user:{{S}}@cluster0.mongodb.net/db\";");
        assert_redacts(&tpl, &pw, Some("db.ts"), "url_password");
    }
    // Empty user name (`redis://:password@host`).
    let pw = r.pick(ALNUM, 16);
    assert_redacts(
        "REDIS_URL=redis://:{S}@localhost:6379\n",
        &pw,
        Some(".env"),
        "url_password",
    );
}

#[test]
fn evm_private_keys() {
    let mut r = Rng::new(16);
    let hex = r.pick(HEX, 64);
    let with_0x = format!("0x{hex}");
    assert_redacts(
        "EVM_PRIVATE_KEY={S}\n",
        &with_0x,
        Some(".env"),
        "evm_private_key",
    );
    assert_redacts(
        "WALLET_PRIVATE_KEY={S}\n",
        &hex,
        Some(".env"),
        "evm_private_key",
    );
    assert_redacts(
        "PRIVATE_KEY=\"{S}\"\n",
        &with_0x,
        Some(".env"),
        "evm_private_key",
    );
    assert_redacts(
        "const account = privateKeyToAccount(\"{S}\");",
        &with_0x,
        Some("wallet.ts"),
        "evm_private_key",
    );
    assert_redacts(
        "const privateKey = runtime.getSetting(\"EVM_PRIVATE_KEY\") ?? \"{S}\";",
        &with_0x,
        Some("wallet.ts"),
        "evm_private_key",
    );
}

fn fake_byte_array(r: &mut Rng) -> String {
    let nums: Vec<String> = (0..64).map(|_| r.below(256).to_string()).collect();
    format!("[{}]", nums.join(","))
}

#[test]
fn solana_secret_keys() {
    let mut r = Rng::new(17);
    let b58 = r.pick(BASE58, 88);
    assert_redacts(
        "SOLANA_PRIVATE_KEY={S}\n",
        &b58,
        Some(".env"),
        "solana_secret_key",
    );
    assert_redacts(
        "SOLANA_SECRET_KEY=\"{S}\"\n",
        &b58,
        Some(".env"),
        "solana_secret_key",
    );
    let b58_87 = r.pick(BASE58, 87);
    assert_redacts(
        "  secretKey: '{S}',",
        &b58_87,
        Some("wallet.ts"),
        "solana_secret_key",
    );
    let arr = fake_byte_array(&mut r);
    assert_redacts(
        "SOLANA_SECRET_KEY={S}\n",
        &arr,
        Some(".env"),
        "solana_secret_key",
    );
    assert_redacts(
        "const secretKey = {S};",
        &arr,
        Some("wallet.ts"),
        "solana_secret_key",
    );
    assert_redacts(
        "const kp = Keypair.fromSecretKey(new Uint8Array({S}));",
        &arr,
        Some("wallet.ts"),
        "solana_secret_key",
    );
    assert_redacts(
        "const kp = Keypair.fromSecretKey(bs58.decode(\"{S}\"));",
        &b58,
        Some("wallet.ts"),
        "solana_secret_key",
    );
    // A keypair file (`id.json`) is just the array.
    assert_redacts("{S}\n", &arr, Some("keys/id.json"), "solana_secret_key");
    let pretty = arr.replace(',', ",\n  ");
    assert_redacts(
        "{S}",
        &pretty,
        Some("deployer-keypair.json"),
        "solana_secret_key",
    );
}

#[test]
fn seed_phrases() {
    let mut r = Rng::new(18);
    let words: Vec<String> = (0..12)
        .map(|_| {
            let len = 3 + r.below(5);
            r.pick("abcdefghijklmnopqrstuvwxyz", len)
        })
        .collect();
    let phrase = words.join(" ");
    assert_redacts(
        "WALLET_MNEMONIC=\"{S}\"\n",
        &phrase,
        Some(".env"),
        "seed_phrase",
    );
    assert_redacts("MNEMONIC={S}\n", &phrase, Some(".env"), "seed_phrase");
    assert_redacts(
        "const seedPhrase = '{S}';",
        &phrase,
        Some("w.ts"),
        "seed_phrase",
    );
}

// ---------------------------------------------------- generic assignments

fn fake_generic(r: &mut Rng) -> String {
    r.pick(ALNUM, 32)
}

#[test]
fn generic_env_assignments() {
    let mut r = Rng::new(19);
    let v = fake_generic(&mut r);
    for tpl in [
        "MY_SERVICE_API_KEY={S}\n",
        "MY_SERVICE_API_KEY=\"{S}\"\n",
        "MY_SERVICE_API_KEY='{S}'\n",
        "export BIRDEYE_API_KEY={S}\n",
        "export HELIUS_SECRET=\"{S}\"\n",
        "SESSION_TOKEN = {S}\n",
        "# comment\nWEBHOOK_SECRET={S} # trailing comment\n",
    ] {
        assert_redacts(tpl, &v, Some(".env"), "generic_secret");
    }
}

#[test]
fn generic_code_assignments() {
    let mut r = Rng::new(20);
    let v = fake_generic(&mut r);
    let ts = [
        "const API_KEY = \"{S}\";",
        "export const CLIENT_SECRET = '{S}';",
        "const config = { apiKey: '{S}', model: 'gpt-4o' };",
        "  accessToken: \"{S}\",",
        "  clientSecret: `{S}`,",
        "const apiKey = process.env.BIRDEYE_API_KEY ?? \"{S}\";",
        "const apiKey = process.env.BIRDEYE_API_KEY || '{S}';",
        "const key = runtime.getSetting(\"BIRDEYE_API_KEY\") || \"{S}\";",
        "private apiKey: string = \"{S}\";",
        "this.apiKey = \"{S}\";",
        "headers: { \"x-api-key\": \"{S}\" },",
        "headers: { Authorization: \"Bearer {S}\" },",
    ];
    for tpl in ts {
        assert_redacts(tpl, &v, Some("src/plugin.ts"), "generic_secret");
    }
    assert_redacts(
        "{ \"apiKey\": \"{S}\", \"model\": \"x\" }",
        &v,
        Some("character.json"),
        "generic_secret",
    );
    assert_redacts(
        "{\"settings\":{\"secrets\":{\"BIRDEYE_API_KEY\":\"{S}\"}}}",
        &v,
        Some("characters/eliza.character.json"),
        "generic_secret",
    );
    for tpl in [
        "API_KEY = \"{S}\"\n",
        "client = Client(api_key=\"{S}\")\n",
        "api_key = os.getenv(\"BIRDEYE_API_KEY\", \"{S}\")\n",
        "token = os.environ.get(\"SERVICE_TOKEN\") or \"{S}\"\n",
    ] {
        assert_redacts(tpl, &v, Some("main.py"), "generic_secret");
    }
    assert_redacts(
        "services:\n  birdeye:\n    api_key: {S}\n",
        &v,
        Some("config.yaml"),
        "generic_secret",
    );
    assert_redacts(
        "birdeye:\n  apiKey: \"{S}\"\n",
        &v,
        Some("config.yml"),
        "generic_secret",
    );
    assert_redacts(
        "fetch(`https://public-api.example.io/v1/price?api_key={S}&address=${addr}`)",
        &v,
        Some("price.ts"),
        "generic_secret",
    );
    // Free text (the user's request).
    assert_redacts(
        "please set BIRDEYE_API_KEY={S} in the plugin",
        &v,
        None,
        "generic_secret",
    );
    assert_redacts(
        "Use my Birdeye API key: {S} for prices.",
        &v,
        None,
        "generic_secret",
    );
    assert_redacts("the access token = {S}\n", &v, None, "generic_secret");
}

#[test]
fn passwords() {
    let mut r = Rng::new(21);
    let pw = format!("{}#{}", r.pick(ALNUM, 8), r.pick(DIGITS, 3));
    assert_redacts("DB_PASSWORD={S}\n", &pw, Some(".env"), "password");
    assert_redacts("  password: \"{S}\",", &pw, Some("db.ts"), "password");
    assert_redacts(
        "{\"password\": \"{S}\"}",
        &pw,
        Some("config.json"),
        "password",
    );
    assert_redacts("smtp_passwd = '{S}'\n", &pw, Some("mail.py"), "password");
}

#[test]
fn cli_flags_headers_and_compose_files() {
    let mut r = Rng::new(32);
    let v = fake_generic(&mut r);
    assert_redacts(
        "node cli.js --api-key {S} --verbose",
        &v,
        None,
        "generic_secret",
    );
    assert_redacts(
        "elizaos start --token \"{S}\"\n",
        &v,
        Some("run.sh"),
        "generic_secret",
    );
    assert_redacts("node cli.js --api-key={S}", &v, None, "generic_secret");
    assert_redacts(
        "curl -H 'X-API-Key: {S}' https://api.example.io",
        &v,
        None,
        "generic_secret",
    );
    assert_redacts(
        "curl -H \"Authorization: Bearer {S}\" https://api.example.io",
        &v,
        Some("README.md"),
        "generic_secret",
    );
    assert_redacts(
        "services:\n  agent:\n    environment:\n      - BIRDEYE_API_KEY={S}\n      - NODE_ENV=production\n",
        &v,
        Some("docker-compose.yml"),
        "generic_secret",
    );
    assert_redacts(
        "os.environ[\"BIRDEYE_API_KEY\"] = \"{S}\"\n",
        &v,
        Some("setup.py"),
        "generic_secret",
    );
    let words: Vec<String> = (0..12)
        .map(|_| {
            let len = 4 + r.below(4);
            r.pick("abcdefghijklmnopqrstuvwxyz", len)
        })
        .collect();
    assert_redacts(
        "const account = mnemonicToAccount(\"{S}\");",
        &words.join(" "),
        Some("wallet.ts"),
        "seed_phrase",
    );
}

#[test]
fn documentation_shapes_are_not_redacted() {
    let d = "-".repeat(5);
    for text in [
        // PEM headers without key material: docs and code that checks headers.
        format!("PRIVATE_KEY=\"{d}BEGIN RSA PRIVATE KEY{d}\\nKh9NV...\\n{d}END RSA PRIVATE KEY{d}\\n\""),
        format!("PRIVATE_KEY=\"{d}BEGIN RSA PRIVATE KEY{d}\n...\nKh9NV...\n...\n{d}END RSA PRIVATE KEY{d}\""),
        format!("if (pem.indexOf(\"{d}BEGIN PRIVATE KEY{d}\") !== 0) throw new Error(\"bad key\");"),
        // Documentation URLs with toy credentials.
        "const options = new URL('https://abc:xyz@example.com');".to_string(),
        "uri://foo:bar@example.com:1/path?query#frag".to_string(),
        // Phone-shaped test data.
        "expect(z.parse(a, \"+1234567890\")).toEqual(\"+1234567890\");".to_string(),
        "const i = t[0] + 256 * t[1] + 65536 * t[2] + 16777216 * e[0]+4294967296*e[1];".to_string(),
        "mask: \"(999) 999-9999\", fallback: \"+15555555555\"".to_string(),
        // A field name assigned to a password-named constant.
        "AttributeOID.CHALLENGE_PASSWORD: \"challengePassword\",".to_string(),
        // Public key fingerprints in a README.
        "  - Release GPG key: 9554F04D7259F04124DE6B476D5A82AC7E37093B".to_string(),
        // Dotted paths that start like a SendGrid key.
        "SG.components.layout.header.navigation.primary.items.first.child.label".to_string(),
    ] {
        assert_clean(&text, Some("src/index.ts"));
        assert_clean(&text, None);
    }
}

// ------------------------------------------------------------------- PII

#[test]
fn emails_and_phones() {
    assert_redacts("Contact: {S}\n", "jane.doe@example.com", None, "email");
    assert_redacts(
        "author: \"{S}\"",
        "dev+bots@mail.example.org",
        Some("package.json"),
        "email",
    );
    assert_redacts(
        "\"author\": \"Jane <{S}>\"",
        "jane@example.com",
        Some("package.json"),
        "email",
    );
    assert_redacts(
        "call me at {S} tomorrow",
        "+1 415 555 0123",
        None,
        "phone_number",
    );
    assert_redacts(
        "phone: '{S}',",
        "+44 20 7946 0958",
        Some("c.ts"),
        "phone_number",
    );
    assert_redacts("tel:{S}", "+14155550123", None, "phone_number");
    assert_redacts("Office: {S}.", "(415) 555-0123", None, "phone_number");
    assert_redacts("Office: {S}\n", "415-555-0123", None, "phone_number");
    assert_redacts("Office: {S}\n", "415.555.0123", None, "phone_number");
    assert_redacts("Toll free {S}!", "1-800-555-0199", None, "phone_number");
}

#[test]
fn pii_options_switch_off() {
    let text = "mail jane@example.com or call +1 415 555 0123";
    let none = RedactionOptions {
        redact_emails: false,
        redact_phone_numbers: false,
    };
    let out = redact_text(text, None, &none);
    assert_eq!(out.text, text);
    assert!(out.is_clean());
    let only_email = RedactionOptions {
        redact_emails: true,
        redact_phone_numbers: false,
    };
    let out = redact_text(text, None, &only_email);
    assert_eq!(out.text, "mail <REDACTED:email> or call +1 415 555 0123");
    // Credentials are always redacted.
    let mut r = Rng::new(22);
    let tok = format!("ghp_{}", r.pick(ALNUM, 36));
    let out = redact_text(&format!("token {tok}"), None, &none);
    assert_eq!(out.text, "token <REDACTED:github_token>");
}

#[test]
fn pii_negatives() {
    for text in [
        "import { Plugin } from \"@elizaos/core\";",
        "import { Server } from '@modelcontextprotocol/sdk/server/index.js';",
        "@Injectable()\nexport class Service {}",
        "\"@elizaos/plugin-sql@1.2.3\"",
        "\"dependencies\": { \"@scope/name\": \"^1.2.3\" }",
        "ssh user@host",
        "git@github.com:elizaos/eliza.git",
        "<img src=\"logo@2x.png\">",
        "released 2024-01-15T10:30:00Z, version 1.22.333",
        "const PORT = 3000; const id = 1234567890; const big = 18446744073709551615;",
        "listening on 127.0.0.1:8080 and 10.0.0.254",
        "const color = \"#1a2b3c\"; const hex = 0xdeadbeef;",
        "timeout: 86400000, ratio: 1.5e-10, offset: -120",
        "uuid 123e4567-e89b-12d3-a456-426614174000",
        "fib(10) + 12345678 - 4155550123",
        "phone 123-456-7890 is not a valid NANP number",
    ] {
        assert_clean(text, Some("src/index.ts"));
        assert_clean(text, None);
    }
}

// --------------------------------------------------------------- negatives

#[test]
fn references_are_not_redacted() {
    for text in [
        "const apiKey = process.env.OPENAI_API_KEY;",
        "const apiKey = process.env.OPENAI_API_KEY!;",
        "const token = runtime.getSetting('DISCORD_API_TOKEN');",
        "const key = import.meta.env.VITE_API_KEY;",
        "api_key = os.environ[\"OPENAI_API_KEY\"]",
        "api_key = os.getenv(\"OPENAI_API_KEY\")",
        "OPENAI_API_KEY=${OPENAI_API_KEY}",
        "apiKey: `${process.env.API_KEY}`,",
        "headers: { Authorization: `Bearer ${apiKey}` },",
        "const apiKey: string = config.apiKey;",
        "apiKey: apiKey,",
        "apiKey: config.apiKey,",
        "const token = getToken();",
        "const token = await this.getAccessToken(userId);",
        "apiKey: string;",
        "apiKey?: string;",
        "private readonly apiKey: string | undefined;",
        "def __init__(self, api_key: str | None = None):",
        "if (!apiKey) throw new Error('OPENAI_API_KEY is required');",
        "apiKey: z.string().min(1),",
        "OPENAI_API_KEY: z.string().optional(),",
        "const secretKey = Keypair.generate().secretKey;",
    ] {
        assert_clean(text, Some("src/plugin.ts"));
    }
}

#[test]
fn placeholders_are_not_redacted() {
    for text in [
        "OPENAI_API_KEY=your_api_key",
        "OPENAI_API_KEY=your-api-key-here",
        "OPENAI_API_KEY=<YOUR_TOKEN>",
        "OPENAI_API_KEY=xxxxxxxxxxxxxxxxxxxxxxxx",
        "OPENAI_API_KEY=sk-...",
        "OPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "ANTHROPIC_API_KEY=sk-ant-...",
        "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "SECRET_KEY=changeme",
        "API_KEY=example",
        "API_KEY=test",
        "API_KEY=dummy",
        "API_KEY=placeholder",
        "API_KEY=****",
        "API_KEY=",
        "TWITTER_PASSWORD=",
        "HF_TOKEN=hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        // The AWS documentation examples, split so scanners do not trip on them.
        concat!("AWS_ACCESS_KEY_ID=AKIA", "IOSFODNN7EXAMPLE"),
        concat!("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG", "/bPxRfiCYEXAMPLEKEY"),
        "SLACK_BOT_TOKEN=xoxb-your-bot-token",
        "STRIPE_SECRET_KEY=sk_test_...",
        "EVM_PRIVATE_KEY=0x0000000000000000000000000000000000000000000000000000000000000000",
        "MNEMONIC=\"test test test test test test test test test test test junk\"",
        "DATABASE_URL=postgres://postgres:postgres@localhost:5432/eliza",
        "DATABASE_URL=postgresql://user:password@localhost:5432/db",
        "DATABASE_URL=postgres://${DB_USER}:${DB_PASS}@${DB_HOST}/db",
        "AMQP_URL=amqp://guest:guest@localhost:5672",
        "REDIS_URL=redis://localhost:6379",
        "DISCORD_WEBHOOK=https://discord.com/api/webhooks/your-webhook-id/your-token",
        "SLACK_WEBHOOK=https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
    ] {
        assert_clean(text, Some(".env.example"));
        assert_clean(text, None);
    }
}

#[test]
fn short_low_entropy_and_names_are_not_redacted() {
    for text in [
        "password: \"password\",",
        "password: \"hunter2\",",
        "token: \"abc\",",
        "apiKey: \"OPENAI_API_KEY\",",
        "secret: \"TWITTER_PASSWORD\",",
        "const storageKey = \"eliza-agent-storage\";",
        "const cacheKey = `user:${id}:profile`;",
        "queryKey: [\"agents\", agentId],",
        "publicKey: \"7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU\",",
        "const SOL_TOKEN = \"So11111111111111111111111111111111111111112\";",
        "const USDC_TOKEN = \"EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v\";",
        "WETH_TOKEN: \"0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2\",",
        "tokenAddress: \"0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2\",",
        "eos_token: \"</s>\",",
        "maxTokens: 4096,",
        "apiKeyDescription: \"Your OpenAI API key\",",
        "apiKey: \"Your OpenAI API key\",",
        "password: \"Enter your password\",",
        "showPassword: false,",
    ] {
        assert_clean(text, Some("src/plugin.ts"));
    }
}

#[test]
fn hashes_ids_colors_and_data_are_not_redacted() {
    let mut r = Rng::new(23);
    let sha = r.pick(HEX, 40);
    let sha256 = r.pick(HEX, 64);
    let integrity = format!("sha512-{}==", r.pick(B64, 86));
    let data_uri = format!("data:image/png;base64,{}=", r.pick(B64, 400));
    let uuid = format!(
        "{}-{}-4{}-a{}-{}",
        r.pick(HEX, 8),
        r.pick(HEX, 4),
        r.pick(HEX, 3),
        r.pick(HEX, 3),
        r.pick(HEX, 12)
    );
    for text in [
        format!("const COMMIT = \"{sha}\";"),
        format!("git checkout {sha}"),
        format!("const hash = \"{sha256}\";"),
        format!("const txHash = \"0x{sha256}\";"),
        format!("const agentId = \"{uuid}\" as UUID;"),
        format!("id: stringToUuid(\"{uuid}\"),"),
        format!("\"integrity\": \"{integrity}\","),
        format!("<img src=\"{data_uri}\" />"),
        "color: #ff00aa; background: rgba(0, 0, 0, 0.5);".to_string(),
        "\"version\": \"1.0.0-beta.12\",".to_string(),
        "\"@elizaos/core\": \"^1.0.15\",".to_string(),
        "\"resolved\": \"https://registry.npmjs.org/@elizaos/core/-/core-1.0.15.tgz\",".to_string(),
    ] {
        assert_clean(&text, Some("src/plugin.ts"));
    }
}

#[test]
fn lock_files_pass_through() {
    let mut r = Rng::new(24);
    let lock = format!(
        concat!(
            "{{\n  \"name\": \"plugin\",\n  \"lockfileVersion\": 3,\n  \"packages\": {{\n",
            "    \"node_modules/@elizaos/core\": {{\n      \"version\": \"1.0.15\",\n",
            "      \"resolved\": \"https://registry.npmjs.org/@elizaos/core/-/core-1.0.15.tgz\",\n",
            "      \"integrity\": \"sha512-{}==\",\n      \"license\": \"MIT\"\n    }}\n  }}\n}}\n"
        ),
        r.pick(B64, 86)
    );
    assert_clean(&lock, Some("package-lock.json"));
    let yarn = format!(
        "\"@elizaos/core@^1.0.0\":\n  version \"1.0.15\"\n  resolved \"https://registry.yarnpkg.com/@elizaos/core/-/core-1.0.15.tgz#{}\"\n  integrity sha512-{}==\n",
        r.pick(HEX, 40),
        r.pick(B64, 86)
    );
    assert_clean(&yarn, Some("yarn.lock"));
    let pnpm = format!(
        "packages:\n  /@elizaos/core@1.0.15:\n    resolution: {{integrity: sha512-{}==}}\n    engines: {{node: '>=18'}}\n",
        r.pick(B64, 86)
    );
    assert_clean(&pnpm, Some("pnpm-lock.yaml"));
    // Credentials in a lock file are still found.
    let pw = r.pick(ALNUM, 24);
    assert_redacts(
        "\"resolved\": \"https://ci-user:{S}@npm.internal.example/pkg/-/pkg-1.0.0.tgz\",",
        &pw,
        Some("package-lock.json"),
        "url_password",
    );
}

// -------------------------------------------------------- realistic files

/// A ~5 KB ElizaOS plugin with every kind of near-miss and no secret.
fn clean_plugin() -> String {
    let mut r = Rng::new(25);
    let uuid = format!(
        "{}-{}-4{}-8{}-{}",
        r.pick(HEX, 8),
        r.pick(HEX, 4),
        r.pick(HEX, 3),
        r.pick(HEX, 3),
        r.pick(HEX, 12)
    );
    let sha = r.pick(HEX, 40);
    let mut s = format!(
        r#"import {{
  type Action,
  type IAgentRuntime,
  type Memory,
  type Plugin,
  type Provider,
  type State,
  logger,
  ModelType,
}} from "@elizaos/core";
import {{ Server }} from "@modelcontextprotocol/sdk/server/index.js";
import {{ z }} from "zod";

// Generated from template at commit {sha}.
const PLUGIN_ID = "{uuid}";
const DEFAULT_BASE_URL = "https://api.together.xyz/v1";
const CACHE_TTL_MS = 86400000;
const MAX_RETRIES = 3;

export const configSchema = z.object({{
  TOGETHER_API_KEY: z.string().min(1, "TOGETHER_API_KEY is required"),
  TOGETHER_BASE_URL: z.string().url().optional(),
  SMALL_MODEL: z.string().default("meta-llama/Llama-3.3-70B-Instruct-Turbo"),
}});

export interface TogetherConfig {{
  apiKey: string;
  baseUrl?: string;
  timeoutMs: number;
}}

function readConfig(runtime: IAgentRuntime): TogetherConfig {{
  const apiKey =
    runtime.getSetting("TOGETHER_API_KEY") ?? process.env.TOGETHER_API_KEY;
  if (!apiKey) {{
    throw new Error("TOGETHER_API_KEY is not set; add it to your .env file");
  }}
  return {{
    apiKey,
    baseUrl: runtime.getSetting("TOGETHER_BASE_URL") || DEFAULT_BASE_URL,
    timeoutMs: Number(process.env.TOGETHER_TIMEOUT_MS ?? 30000),
  }};
}}

async function callTogether(config: TogetherConfig, prompt: string): Promise<string> {{
  const res = await fetch(`${{config.baseUrl}}/chat/completions`, {{
    method: "POST",
    headers: {{
      Authorization: `Bearer ${{config.apiKey}}`,
      "Content-Type": "application/json",
    }},
    body: JSON.stringify({{
      model: "meta-llama/Llama-3.3-70B-Instruct-Turbo",
      messages: [{{ role: "user", content: prompt }}],
      max_tokens: 512,
      temperature: 0.7,
    }}),
  }});
  if (!res.ok) {{
    logger.error(`Together request failed: ${{res.status}} ${{res.statusText}}`);
    throw new Error(`HTTP ${{res.status}}`);
  }}
  const data = (await res.json()) as {{ choices: {{ message: {{ content: string }} }}[] }};
  return data.choices[0]?.message.content ?? "";
}}

const summarizeAction: Action = {{
  name: "SUMMARIZE_TEXT",
  similes: ["TLDR", "SUMMARY"],
  description: "Summarize the user's text with a Together-hosted model",
  validate: async (runtime: IAgentRuntime, _message: Memory) => {{
    return Boolean(runtime.getSetting("TOGETHER_API_KEY"));
  }},
  handler: async (runtime, message, _state, _options, callback) => {{
    const config = readConfig(runtime);
    const text = await callTogether(config, `Summarize:\n${{message.content.text}}`);
    await callback?.({{ text, actions: ["SUMMARIZE_TEXT"] }});
    return {{ success: true, text }};
  }},
  examples: [
    [
      {{ name: "{{{{user1}}}}", content: {{ text: "Can you summarize this article?" }} }},
      {{ name: "{{{{agentName}}}}", content: {{ text: "Here is a short summary.", actions: ["SUMMARIZE_TEXT"] }} }},
    ],
  ],
}};

const statusProvider: Provider = {{
  name: "TOGETHER_STATUS",
  get: async (runtime: IAgentRuntime, _message: Memory, _state: State) => {{
    const hasKey = Boolean(runtime.getSetting("TOGETHER_API_KEY"));
    return {{ text: hasKey ? "Together is configured" : "Together is not configured", values: {{}}, data: {{}} }};
  }},
}};

export class TogetherService {{
  static serviceType = "together";
  private readonly apiKey: string;
  private cacheKey = "together-cache-v2";
  private retries = MAX_RETRIES;

  constructor(private runtime: IAgentRuntime) {{
    this.apiKey = readConfig(runtime).apiKey;
  }}

  async models(): Promise<string[]> {{
    const res = await fetch("https://api.together.xyz/v1/models", {{
      headers: {{ Authorization: `Bearer ${{this.apiKey}}` }},
    }});
    const json = (await res.json()) as {{ id: string }}[];
    return json.map((m) => m.id);
  }}
}}

export const togetherPlugin: Plugin = {{
  name: "plugin-together",
  description: "Together AI models for ElizaOS (see https://docs.together.ai)",
  config: {{
    TOGETHER_API_KEY: process.env.TOGETHER_API_KEY,
    TOGETHER_BASE_URL: process.env.TOGETHER_BASE_URL,
  }},
  async init(config: Record<string, string>) {{
    const validated = await configSchema.parseAsync(config);
    for (const [key, value] of Object.entries(validated)) {{
      if (value) process.env[key] = value;
    }}
  }},
  actions: [summarizeAction],
  providers: [statusProvider],
  services: [TogetherService as any],
  models: {{
    [ModelType.TEXT_SMALL]: async (runtime, {{ prompt }}) => callTogether(readConfig(runtime), prompt),
  }},
}};

const mcp = new Server({{ name: "together-mcp", version: "1.0.0" }}, {{ capabilities: {{ tools: {{}} }} }});
logger.info(`plugin ${{PLUGIN_ID}} ready at 2024-05-01T12:00:00Z (v1.0.15, port 3000)`);
export default togetherPlugin;
"#
    );
    while s.len() < 5 * 1024 {
        s.push_str("// padding: color #a1b2c3, ratio 0.75, id 1234567890, ip 10.0.0.1:8080\n");
    }
    s
}

#[test]
fn clean_plugin_file_is_unchanged() {
    let plugin = clean_plugin();
    assert!(plugin.len() >= 5 * 1024);
    let out = redact_text(&plugin, Some("src/index.ts"), &opts());
    assert!(out.counts.is_empty(), "{:?}", out.counts);
    assert_eq!(out.text, plugin);
    // The same content read as free text is clean too.
    assert!(redact_text(&plugin, None, &opts()).counts.is_empty());
}

#[test]
fn realistic_env_file() {
    let mut r = Rng::new(26);
    let gh = format!("ghp_{}", r.pick(ALNUM, 36));
    let oa = format!("sk-proj-{}", r.pick(B64URL, 100));
    let pw = r.pick(ALNUM, 18);
    let discord = fake_discord_token(&mut r);
    let evm = format!("0x{}", r.pick(HEX, 64));
    let env = format!(
        "# ElizaOS agent\nOPENAI_API_KEY={oa}\nGITHUB_TOKEN=\"{gh}\"\nDISCORD_APPLICATION_ID=1234567890123456789\n\
         DISCORD_API_TOKEN={discord}\nPOSTGRES_URL=postgres://eliza:{pw}@db:5432/eliza\nEVM_PRIVATE_KEY={evm}\n\
         LOG_LEVEL=info\nSERVER_PORT=3000\nTWITTER_USERNAME=eliza_bot\nTWITTER_EMAIL=bot@example.com\n"
    );
    let out = redact_text(&env, Some(".env"), &opts());
    let expected = "# ElizaOS agent\nOPENAI_API_KEY=<REDACTED:openai_api_key>\nGITHUB_TOKEN=\"<REDACTED:github_token>\"\n\
         DISCORD_APPLICATION_ID=1234567890123456789\nDISCORD_API_TOKEN=<REDACTED:discord_bot_token>\n\
         POSTGRES_URL=postgres://eliza:<REDACTED:url_password>@db:5432/eliza\nEVM_PRIVATE_KEY=<REDACTED:evm_private_key>\n\
         LOG_LEVEL=info\nSERVER_PORT=3000\nTWITTER_USERNAME=eliza_bot\nTWITTER_EMAIL=<REDACTED:email>\n";
    assert_eq!(out.text, expected);
    assert_eq!(
        out.counts,
        counts(&[
            ("discord_bot_token", 1),
            ("email", 1),
            ("evm_private_key", 1),
            ("github_token", 1),
            ("openai_api_key", 1),
            ("url_password", 1),
        ])
    );
    assert_eq!(out.total(), 6);
    assert_eq!(redact_text(&out.text, Some(".env"), &opts()).text, out.text);
}

// ------------------------------------------------------------- properties

#[test]
fn redacting_twice_equals_once() {
    let mut r = Rng::new(27);
    let mut doc = clean_plugin();
    for _ in 0..20 {
        doc.push_str(&format!("const API_KEY = \"{}\";\n", r.pick(ALNUM, 32)));
        doc.push_str(&format!("GITHUB_TOKEN=ghp_{}\n", r.pick(ALNUM, 36)));
        doc.push_str(&format!(
            "url = \"redis://:{}@cache:6379\"\n",
            r.pick(ALNUM, 20)
        ));
        doc.push_str(&format!("{}\n", fake_jwt(&mut r)));
        doc.push_str(&format!("{}\n", fake_pem(&mut r, "PRIVATE KEY", "\n")));
        doc.push_str("write to jane@example.com or +1 415 555 0123\n");
    }
    for path in [
        None,
        Some("src/index.ts"),
        Some(".env"),
        Some("README.md"),
        Some("a.yaml"),
    ] {
        let once = redact_text(&doc, path, &opts());
        assert!(!once.counts.is_empty());
        let twice = redact_text(&once.text, path, &opts());
        assert_eq!(twice.text, once.text);
        assert!(twice.counts.is_empty(), "{:?}", twice.counts);
    }
}

#[test]
fn placeholders_are_never_rematched() {
    for kind in SecretKind::ALL {
        let p = kind.placeholder();
        for tpl in [
            "{P}",
            "API_KEY={P}",
            "API_KEY=\"{P}\"",
            "apiKey: '{P}',",
            "postgres://u:{P}@h/db",
            "Authorization: Bearer {P}",
            "MNEMONIC={P}",
            "const k = process.env.X ?? \"{P}\";",
        ] {
            let text = tpl.replace("{P}", &p);
            for path in [None, Some(".env"), Some("a.ts")] {
                let out = redact_text(&text, path, &opts());
                assert_eq!(out.text, text, "{kind:?} in {tpl} ({path:?})");
            }
        }
    }
}

#[test]
fn random_utf8_never_panics() {
    let mut r = Rng::new(28);
    let glue = [
        "ghp_",
        "sk-",
        "sk-ant-api03-",
        "AKIA",
        "AIza",
        "xoxb-",
        "eyJ",
        "<PEM>",
        "postgres://",
        "://",
        "@",
        "+1 ",
        "(415) ",
        "API_KEY=",
        "apiKey: \"",
        "[",
        "0x",
        "hf_",
        "tgp_v1_",
        "é",
        "日本",
        "🦀",
        "\u{0301}",
        "ß",
        "\u{feff}",
        "\"",
        "'",
        "`",
        "=",
        ":",
        "\n",
        "\\n",
        "bot1234567890:AA",
    ];
    for iteration in 0..3000 {
        let len = r.below(200);
        let mut bytes: Vec<u8> = (0..len).map(|_| r.next() as u8).collect();
        // Mix in structure so the detectors actually run.
        for _ in 0..r.below(8) {
            let pem = pem_begin("RSA PRIVATE KEY");
            let piece = match glue[r.below(glue.len())] {
                "<PEM>" => pem.as_str(),
                other => other,
            };
            let at = r.below(bytes.len() + 1);
            bytes.splice(at..at, piece.bytes());
            if r.below(2) == 0 {
                let fill_len = r.below(100);
                let fill = r.pick(ALNUM, fill_len);
                let at = (at + piece.len()).min(bytes.len());
                bytes.splice(at..at, fill.bytes());
            }
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        for path in [
            None,
            Some(".env"),
            Some("x.ts"),
            Some("id.json"),
            Some("package-lock.json"),
        ] {
            let out = redact_text(&text, path, &opts());
            let twice = redact_text(&out.text, path, &opts());
            assert_eq!(twice.text, out.text, "iteration {iteration}: {text:?}");
            for f in find_secrets(&text, path, &opts()) {
                assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
            }
        }
    }
}

#[test]
fn multibyte_characters_next_to_matches() {
    let mut r = Rng::new(29);
    let gh = format!("ghp_{}", r.pick(ALNUM, 36));
    for (before, after) in [("é", "é"), ("日本", "語"), ("🦀", "🦀"), ("\u{0301}", "ß")] {
        let text = format!("{before}{gh}{after}");
        let out = redact_text(&text, None, &opts());
        assert_eq!(out.text, format!("{before}<REDACTED:github_token>{after}"));
        let text = format!("ü{before}jane@example.com{after}");
        let _ = redact_text(&text, None, &opts());
        let text = format!("API_KEY={before}{}{after}", r.pick(ALNUM, 30));
        let _ = redact_text(&text, Some(".env"), &opts());
        let text = format!("{before}+1 415 555 0123{after}");
        let _ = redact_text(&text, None, &opts());
    }
    // Truncated prefixes at the very end of the input.
    for tail in [
        "ghp_",
        "sk-ant-",
        "-----BEGIN ",
        "postgres://u:",
        "API_KEY=\"",
        "eyJ",
        "+1 4",
        "jane@",
    ] {
        let _ = redact_text(tail, None, &opts());
        let _ = redact_text(&format!("x {tail}"), Some(".env"), &opts());
    }
}

#[test]
fn megabyte_of_tricky_prefixes_is_bounded() {
    let unit = concat!(
        "sk-sk-ghp_eyJ.eyJ.AKIA<PEM>\n",
        "API_KEY=\"aaaa:postgres://u:p@h a_key=a_key=@@x.y.z +1 (415) 5 ",
        "[1,2,3,4,5,6,7,8,9,10, MNO-MNO.MNO.x 12345678:AA eyJhbGci.eyJzdWIi.",
        "\n"
    );
    let unit = unit.replace("<PEM>", &pem_begin("PRIVATE KEY"));
    let mut text = String::new();
    while text.len() < 1024 * 1024 {
        text.push_str(&unit);
    }
    let out = redact_text(&text, None, &opts());
    assert!(out.text.len() >= text.len() / 2);
    let out = redact_text(&text, Some(".env"), &opts());
    assert!(!out.text.is_empty());
    // One line, no newline: long runs of token bytes.
    let long: String = "sk-".repeat(350_000);
    let _ = redact_text(&long, None, &opts());
    let long: String = "eyJa-".repeat(200_000);
    let _ = redact_text(&long, None, &opts());
    let long = format!("API_KEY=\"{}", "a_key=\"".repeat(150_000));
    let _ = redact_text(&long, Some(".env"), &opts());
    let long = pem_begin("RSA PRIVATE KEY").repeat(30_000);
    let out = redact_text(&long, None, &opts());
    // Headers without key material are not keys.
    assert!(out.counts.is_empty());
    let mut r = Rng::new(31);
    let body = r.pick(B64, 64);
    let long = format!("{}\n{body}\n", pem_begin("RSA PRIVATE KEY")).repeat(20_000);
    let out = redact_text(&long, None, &opts());
    assert_eq!(out.counts.get("private_key"), Some(&20_000));
}

// ------------------------------------------------------------------- API

#[test]
fn add_counts_merges() {
    let mut total = counts(&[("email", 1), ("jwt", 2)]);
    add_counts(&mut total, &counts(&[("jwt", 3), ("github_token", 1)]));
    assert_eq!(
        total,
        counts(&[("email", 1), ("github_token", 1), ("jwt", 5)])
    );
    add_counts(&mut total, &BTreeMap::new());
    assert_eq!(total.len(), 3);
}

#[test]
fn kinds_have_stable_names() {
    assert_eq!(SecretKind::GithubToken.as_str(), "github_token");
    assert_eq!(SecretKind::AwsSecretKey.as_str(), "aws_secret_key");
    assert_eq!(SecretKind::UrlPassword.as_str(), "url_password");
    assert_eq!(SecretKind::PhoneNumber.to_string(), "phone_number");
    assert_eq!(
        SecretKind::PrivateKey.placeholder(),
        "<REDACTED:private_key>"
    );
    assert!(SecretKind::Email.is_pii() && !SecretKind::Jwt.is_pii());
}

#[test]
fn find_secrets_reports_original_offsets() {
    let mut r = Rng::new(30);
    let tok = format!("ghp_{}", r.pick(ALNUM, 36));
    let text = format!("a {tok} b jane@example.com");
    let found = find_secrets(&text, None, &opts());
    assert_eq!(found.len(), 2);
    assert_eq!(&text[found[0].start..found[0].end], tok);
    assert_eq!(found[0].kind, SecretKind::GithubToken);
    assert_eq!(&text[found[1].start..found[1].end], "jane@example.com");
}

#[test]
fn options_and_report_serialize_camel_case() {
    let json = serde_json::to_string(&RedactionOptions::default()).unwrap();
    assert_eq!(json, r#"{"redactEmails":true,"redactPhoneNumbers":true}"#);
    let partial: RedactionOptions = serde_json::from_str(r#"{"redactEmails":false}"#).unwrap();
    assert!(!partial.redact_emails && partial.redact_phone_numbers);
    let out = redact_text("mail jane@example.com", None, &opts());
    let json = serde_json::to_string(&out).unwrap();
    assert_eq!(
        json,
        r#"{"text":"mail <REDACTED:email>","counts":{"email":1}}"#
    );
}
