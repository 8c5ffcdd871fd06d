//! The kinds of secret and personal data the redactor knows, with their
//! stable snake_case names (used in placeholders and in counts).

use std::fmt;

/// What a redacted span was. `as_str()` is stable: it appears in the
/// `<REDACTED:kind>` placeholder and as the key of the counts map.
///
/// Names only ever use `[a-z_]`, so a placeholder can never be matched again
/// by any rule (no digits for the phone rule, no `@`, no token prefix).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SecretKind {
    /// Together AI key (`tgp_v1_…`, or a 64-hex value in a Together assignment).
    TogetherApiKey,
    /// OpenAI key (`sk-`, `sk-proj-`, `sk-svcacct-`, `sk-admin-`).
    OpenAiApiKey,
    /// Anthropic key (`sk-ant-api03-…`, `sk-ant-admin01-…`).
    AnthropicApiKey,
    /// OpenRouter key (`sk-or-v1-…`).
    OpenRouterApiKey,
    /// Groq key (`gsk_…`).
    GroqApiKey,
    /// xAI key (`xai-…`).
    XaiApiKey,
    /// Perplexity key (`pplx-…`).
    PerplexityApiKey,
    /// Replicate token (`r8_…`).
    ReplicateApiToken,
    /// Hugging Face token (`hf_…`).
    HuggingFaceToken,
    /// Google API key (`AIza…`).
    GoogleApiKey,
    /// AWS access key id (`AKIA…`, `ASIA…`, `ABIA…`, `ACCA…`).
    AwsAccessKeyId,
    /// AWS secret access key (40 chars, in an assignment).
    AwsSecretKey,
    /// GitHub token (`ghp_`, `gho_`, `ghs_`, `ghu_`, `ghr_`, `github_pat_`).
    GithubToken,
    /// GitLab token (`glpat-…` and friends).
    GitlabToken,
    /// Slack token (`xoxb-`, `xoxp-`, `xoxa-`, `xoxr-`, `xoxs-`, `xoxe-`, `xapp-`).
    SlackToken,
    /// Slack incoming webhook URL.
    SlackWebhook,
    /// Stripe secret / restricted / webhook key (live or test).
    StripeKey,
    /// SendGrid key (`SG.….…`).
    SendgridApiKey,
    /// npm token (`npm_…`) or an `_authToken` value.
    NpmToken,
    /// Discord bot token.
    DiscordBotToken,
    /// Discord webhook URL.
    DiscordWebhook,
    /// Telegram bot token.
    TelegramBotToken,
    /// Twitter/X API key, secret, access token or bearer token (assignment).
    TwitterCredential,
    /// JSON Web Token.
    Jwt,
    /// PEM private key block.
    PrivateKey,
    /// Password inside a connection URL.
    UrlPassword,
    /// EVM (Ethereum & co) private key (assignment).
    EvmPrivateKey,
    /// Solana secret key (base58 or 64-byte array, assignment).
    SolanaSecretKey,
    /// BIP-39 mnemonic / seed phrase (assignment).
    SeedPhrase,
    /// High-entropy value assigned to a key/secret/token name.
    GenericSecret,
    /// Value assigned to a password name.
    Password,
    /// E-mail address.
    Email,
    /// Phone number.
    PhoneNumber,
}

impl SecretKind {
    /// Every kind, in declaration order.
    pub const ALL: &'static [SecretKind] = &[
        SecretKind::TogetherApiKey,
        SecretKind::OpenAiApiKey,
        SecretKind::AnthropicApiKey,
        SecretKind::OpenRouterApiKey,
        SecretKind::GroqApiKey,
        SecretKind::XaiApiKey,
        SecretKind::PerplexityApiKey,
        SecretKind::ReplicateApiToken,
        SecretKind::HuggingFaceToken,
        SecretKind::GoogleApiKey,
        SecretKind::AwsAccessKeyId,
        SecretKind::AwsSecretKey,
        SecretKind::GithubToken,
        SecretKind::GitlabToken,
        SecretKind::SlackToken,
        SecretKind::SlackWebhook,
        SecretKind::StripeKey,
        SecretKind::SendgridApiKey,
        SecretKind::NpmToken,
        SecretKind::DiscordBotToken,
        SecretKind::DiscordWebhook,
        SecretKind::TelegramBotToken,
        SecretKind::TwitterCredential,
        SecretKind::Jwt,
        SecretKind::PrivateKey,
        SecretKind::UrlPassword,
        SecretKind::EvmPrivateKey,
        SecretKind::SolanaSecretKey,
        SecretKind::SeedPhrase,
        SecretKind::GenericSecret,
        SecretKind::Password,
        SecretKind::Email,
        SecretKind::PhoneNumber,
    ];

    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::TogetherApiKey => "together_api_key",
            SecretKind::OpenAiApiKey => "openai_api_key",
            SecretKind::AnthropicApiKey => "anthropic_api_key",
            SecretKind::OpenRouterApiKey => "openrouter_api_key",
            SecretKind::GroqApiKey => "groq_api_key",
            SecretKind::XaiApiKey => "xai_api_key",
            SecretKind::PerplexityApiKey => "perplexity_api_key",
            SecretKind::ReplicateApiToken => "replicate_api_token",
            SecretKind::HuggingFaceToken => "huggingface_token",
            SecretKind::GoogleApiKey => "google_api_key",
            SecretKind::AwsAccessKeyId => "aws_access_key_id",
            SecretKind::AwsSecretKey => "aws_secret_key",
            SecretKind::GithubToken => "github_token",
            SecretKind::GitlabToken => "gitlab_token",
            SecretKind::SlackToken => "slack_token",
            SecretKind::SlackWebhook => "slack_webhook",
            SecretKind::StripeKey => "stripe_key",
            SecretKind::SendgridApiKey => "sendgrid_api_key",
            SecretKind::NpmToken => "npm_token",
            SecretKind::DiscordBotToken => "discord_bot_token",
            SecretKind::DiscordWebhook => "discord_webhook",
            SecretKind::TelegramBotToken => "telegram_bot_token",
            SecretKind::TwitterCredential => "twitter_credential",
            SecretKind::Jwt => "jwt",
            SecretKind::PrivateKey => "private_key",
            SecretKind::UrlPassword => "url_password",
            SecretKind::EvmPrivateKey => "evm_private_key",
            SecretKind::SolanaSecretKey => "solana_secret_key",
            SecretKind::SeedPhrase => "seed_phrase",
            SecretKind::GenericSecret => "generic_secret",
            SecretKind::Password => "password",
            SecretKind::Email => "email",
            SecretKind::PhoneNumber => "phone_number",
        }
    }

    /// Whether this kind is personal data (switchable in the options) rather
    /// than a credential.
    pub fn is_pii(self) -> bool {
        matches!(self, SecretKind::Email | SecretKind::PhoneNumber)
    }

    /// The placeholder that replaces a value of this kind.
    pub fn placeholder(self) -> String {
        format!("<REDACTED:{}>", self.as_str())
    }
}

impl fmt::Display for SecretKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::SecretKind;

    #[test]
    fn names_are_unique_snake_case_letters() {
        let mut seen = std::collections::BTreeSet::new();
        for kind in SecretKind::ALL {
            let name = kind.as_str();
            assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
            assert!(seen.insert(name), "duplicate {name}");
        }
        assert_eq!(seen.len(), SecretKind::ALL.len());
    }
}
