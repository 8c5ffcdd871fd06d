//! Format-valid fake secrets of every kind, planted in realistic plugin files. Values come from a
//! seeded generator at run time, so no credential-shaped literal lives in the repository.
#![allow(dead_code)]

use serde_json::{json, Value};

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn pick(&mut self, alphabet: &str, length: usize) -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        (0..length)
            .map(|_| chars[(self.next() % chars.len() as u64) as usize])
            .collect()
    }
}

pub const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
pub const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
pub const UPPER_ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
pub const B64URL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
pub const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
pub const HEX: &str = "0123456789abcdef";
pub const DIGITS: &str = "0123456789";
pub const BASE58: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

fn base64url(bytes: &[u8]) -> String {
    let alphabet = B64URL.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(alphabet[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// One planted secret: its kind as the scrubber names it, and the value that must disappear.
pub struct Planted {
    pub kind: &'static str,
    pub value: String,
}

/// A plugin event whose request, files (TypeScript, `.env`, JSON, YAML, Python, a PEM file) and
/// metadata carry one fake secret of every kind; returns the event and what was planted.
pub fn plugin_with_secrets(seed: u64) -> (Value, Vec<Planted>) {
    let mut r = Rng::new(seed);
    let mut planted = Vec::new();
    let mut plant = |kind: &'static str, value: String| {
        planted.push(Planted {
            kind,
            value: value.clone(),
        });
        value
    };

    let together = plant("together_api_key", format!("tgp_v1_{}", r.pick(B64URL, 43)));
    let together_hex = plant("together_api_key", r.pick(HEX, 64));
    let openai = plant("openai_api_key", format!("sk-proj-{}", r.pick(B64URL, 120)));
    let anthropic = plant(
        "anthropic_api_key",
        format!("sk-ant-api03-{}AA", r.pick(B64URL, 93)),
    );
    let huggingface = plant("huggingface_token", format!("hf_{}", r.pick(ALNUM, 34)));
    let google = plant("google_api_key", format!("AIza{}", r.pick(B64URL, 35)));
    let aws_id = plant(
        "aws_access_key_id",
        format!("AKIA{}", r.pick(UPPER_ALNUM, 16)),
    );
    let aws_secret = plant("aws_secret_key", r.pick(B64, 40));
    let github = plant("github_token", format!("ghp_{}", r.pick(ALNUM, 36)));
    let github_oauth = plant("github_token", format!("gho_{}", r.pick(ALNUM, 36)));
    let github_server = plant("github_token", format!("ghs_{}", r.pick(ALNUM, 36)));
    let github_user = plant("github_token", format!("ghu_{}", r.pick(ALNUM, 36)));
    let github_pat = plant(
        "github_token",
        format!("github_pat_{}_{}", r.pick(ALNUM, 22), r.pick(ALNUM, 59)),
    );
    let gitlab = plant("gitlab_token", format!("glpat-{}", r.pick(B64URL, 20)));
    let slack = plant(
        "slack_token",
        format!(
            "xoxb-{}-{}-{}",
            r.pick(DIGITS, 12),
            r.pick(DIGITS, 13),
            r.pick(ALNUM, 24)
        ),
    );
    let slack_hook = plant(
        "slack_webhook",
        format!(
            "https://hooks.slack.com/services/T{}/B{}/{}",
            r.pick(UPPER_ALNUM, 10),
            r.pick(UPPER_ALNUM, 10),
            r.pick(ALNUM, 24)
        ),
    );
    let stripe = plant("stripe_key", format!("sk_live_{}", r.pick(ALNUM, 99)));
    let npm = plant("npm_token", format!("npm_{}", r.pick(ALNUM, 36)));
    let bot_id = format!("1{}", r.pick(DIGITS, 17));
    let discord = plant(
        "discord_bot_token",
        format!(
            "{}.{}.{}",
            base64url(bot_id.as_bytes()),
            r.pick(B64URL, 6),
            r.pick(B64URL, 38)
        ),
    );
    let discord_hook = plant(
        "discord_webhook",
        format!(
            "https://discord.com/api/webhooks/{}/{}",
            r.pick(DIGITS, 19),
            r.pick(B64URL, 68)
        ),
    );
    let telegram = plant(
        "telegram_bot_token",
        format!("{}:AA{}", r.pick(DIGITS, 10), r.pick(B64URL, 33)),
    );
    let twitter_key = plant("twitter_credential", r.pick(ALNUM, 25));
    let twitter_secret = plant("twitter_credential", r.pick(ALNUM, 50));
    let twitter_token = plant(
        "twitter_credential",
        format!("{}-{}", r.pick(DIGITS, 19), r.pick(ALNUM, 30)),
    );
    let header = base64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload =
        base64url(format!(r#"{{"sub":"{}","role":"service"}}"#, r.pick(DIGITS, 9)).as_bytes());
    let jwt = plant("jwt", format!("{header}.{payload}.{}", r.pick(B64URL, 43)));
    let pem_body: Vec<String> = (0..8).map(|_| r.pick(B64, 64)).collect();
    let pem = plant(
        "private_key",
        format!(
            "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----",
            pem_body.join("\n")
        ),
    );
    let db_password = plant("url_password", r.pick(ALNUM, 20));
    let evm = plant("evm_private_key", format!("0x{}", r.pick(HEX, 64)));
    let solana = plant("solana_secret_key", r.pick(BASE58, 88));
    let generic_env = plant("generic_secret", r.pick(ALNUM, 32));
    let generic_ts = plant("generic_secret", r.pick(ALNUM, 40));
    let generic_json = plant("generic_secret", r.pick(ALNUM, 36));
    let generic_password = plant(
        "password",
        format!("{}!{}", r.pick(ALNUM, 10), r.pick(DIGITS, 4)),
    );
    let email = plant(
        "email",
        format!("{}.ops@acme-robotics.io", r.pick("abcdefghij", 6)),
    );
    let phone = plant("phone_number", "+1 415 867 5309".to_owned());

    let env_file = format!(
        "# Generated settings\n\
         TOGETHER_API_KEY={together_hex}\n\
         OPENAI_API_KEY={openai}\n\
         ANTHROPIC_API_KEY={anthropic}\n\
         AWS_ACCESS_KEY_ID={aws_id}\n\
         AWS_SECRET_ACCESS_KEY={aws_secret}\n\
         DISCORD_API_TOKEN={discord}\n\
         TELEGRAM_BOT_TOKEN={telegram}\n\
         TWITTER_API_KEY={twitter_key}\n\
         TWITTER_API_SECRET_KEY={twitter_secret}\n\
         TWITTER_ACCESS_TOKEN={twitter_token}\n\
         EVM_PRIVATE_KEY={evm}\n\
         SOLANA_PRIVATE_KEY={solana}\n\
         INTERNAL_SERVICE_TOKEN={generic_env}\n\
         POSTGRES_URL=postgres://app:{db_password}@db.internal:5432/agent\n\
         NPM_TOKEN={npm}\n"
    );
    let index_ts = format!(
        "import {{ type Plugin, type IAgentRuntime }} from '@elizaos/core';\n\
         \n\
         // Pasted in while debugging; selftune must not keep these.\n\
         const TOGETHER_KEY = '{together}';\n\
         const hfToken = \"{huggingface}\";\n\
         const mapsKey = `{google}`;\n\
         const signingSecret = \"{generic_ts}\";\n\
         const adminPassword = \"{generic_password}\";\n\
         const serviceJwt = '{jwt}';\n\
         \n\
         export const alertsPlugin: Plugin = {{\n\
           name: 'alerts',\n\
           description: 'Posts alerts to Slack and Discord',\n\
           init: async (_config: Record<string, string>, runtime: IAgentRuntime) => {{\n\
             const slackToken = runtime.getSetting('SLACK_BOT_TOKEN') ?? '{slack}';\n\
             const github = process.env.GITHUB_TOKEN || '{github}';\n\
             await fetch('{slack_hook}', {{ method: 'POST', body: JSON.stringify({{ text: 'up' }}) }});\n\
             await fetch('{discord_hook}', {{ method: 'POST' }});\n\
             console.log('maintainer: {email}, on call: {phone}', slackToken, github, TOGETHER_KEY, hfToken, mapsKey, signingSecret, adminPassword, serviceJwt);\n\
           }},\n\
         }};\n\
         export default alertsPlugin;\n"
    );
    let config_json = format!(
        "{{\n  \"stripe\": {{ \"secretKey\": \"{stripe}\" }},\n  \"gitlab\": {{ \"token\": \"{gitlab}\" }},\n  \"clientSecret\": \"{generic_json}\",\n  \"githubApp\": {{ \"installationToken\": \"{github_server}\", \"userToken\": \"{github_user}\", \"oauthToken\": \"{github_oauth}\", \"pat\": \"{github_pat}\" }}\n}}\n"
    );
    let event = json!({
        "id": format!("evt-{}", r.pick(DIGITS, 6)),
        "originalRequest": format!("Build an alerts plugin. Use my Together key {together} and mail {email} when done."),
        "executionTime": 14_000,
        "tokensUsed": 5_100,
        "outcome": {
            "success": true,
            "pluginName": "plugin-alerts",
            "description": format!("Alerts plugin; deploy token {npm}"),
            "files": [
                { "path": "src/index.ts", "content": index_ts },
                { "path": ".env", "content": env_file },
                { "path": "config/secrets.json", "content": config_json },
                { "path": "keys/deploy.pem", "content": format!("{pem}\n") },
            ],
            "dependencies": { "@elizaos/core": "^1.7.0" }
        }
    });
    (event, planted)
}
