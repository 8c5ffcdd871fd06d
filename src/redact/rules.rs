//! The provider token table: one row per fixed prefix. A new provider is a
//! new row. Formats come from the providers' public documentation and the
//! rule facts published by gitleaks (MIT) and Nosey Parker (Apache-2.0).

use super::entropy::Charset;
use super::kind::SecretKind;

/// A token made of a fixed prefix and a body drawn from `charset`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PrefixRule {
    pub kind: SecretKind,
    /// Literal, case-sensitive prefix. The byte before it must not be
    /// `[A-Za-z0-9_]`.
    pub prefix: &'static str,
    /// Allowed bytes of the body (the maximal run after the prefix is taken).
    pub charset: Charset,
    /// Inclusive bounds on the body length; a longer run is not this token.
    pub min_len: usize,
    pub max_len: usize,
    /// Minimum Shannon entropy of the body (bits per byte, capped for short
    /// bodies), to skip `xoxb-xxxxxxxx` style placeholders.
    pub min_entropy: f64,
    /// The body must contain a digit (cheap guard for short generic prefixes).
    pub needs_digit: bool,
    /// When not empty, the body is `.`-separated segments of exactly these
    /// lengths (SendGrid `SG.<22>.<43>`).
    pub dot_segments: &'static [usize],
}

const fn rule(
    kind: SecretKind,
    prefix: &'static str,
    charset: Charset,
    min_len: usize,
    max_len: usize,
) -> PrefixRule {
    PrefixRule {
        kind,
        prefix,
        charset,
        min_len,
        max_len,
        min_entropy: 3.0,
        needs_digit: false,
        dot_segments: &[],
    }
}

const fn with_segments(mut r: PrefixRule, dot_segments: &'static [usize]) -> PrefixRule {
    r.dot_segments = dot_segments;
    r
}

const fn with_digit(mut r: PrefixRule) -> PrefixRule {
    r.needs_digit = true;
    r
}

const fn with_entropy(mut r: PrefixRule, min_entropy: f64) -> PrefixRule {
    r.min_entropy = min_entropy;
    r
}

use Charset::{Alnum, AlnumDash, AlnumUnderscore, Base64Url, Base64UrlDot, UpperAlnum};
use SecretKind as K;

/// Longer prefixes come before shorter ones that they extend (`sk-ant-`
/// before `sk-`): the first row whose prefix matches decides.
pub(crate) const PREFIX_RULES: &[PrefixRule] = &[
    // Anthropic: sk-ant-api03- / sk-ant-admin01- + 93 base64url + "AA".
    rule(K::AnthropicApiKey, "sk-ant-api03-", Base64Url, 80, 160),
    rule(K::AnthropicApiKey, "sk-ant-admin01-", Base64Url, 80, 160),
    rule(K::AnthropicApiKey, "sk-ant-", Base64Url, 32, 200),
    // OpenRouter: sk-or-v1- + 64 hex.
    rule(K::OpenRouterApiKey, "sk-or-v1-", Base64Url, 32, 128),
    // OpenAI: sk-proj- / sk-svcacct- / sk-admin- + base64url (contains T3BlbkFJ).
    rule(K::OpenAiApiKey, "sk-proj-", Base64Url, 40, 300),
    rule(K::OpenAiApiKey, "sk-svcacct-", Base64Url, 40, 300),
    rule(K::OpenAiApiKey, "sk-admin-", Base64Url, 40, 300),
    rule(K::OpenAiApiKey, "sk-None-", Base64Url, 40, 300),
    // Legacy OpenAI sk- + 48 alnum; also OpenAI-compatible providers (DeepSeek
    // sk- + 32 hex). Short prefix: demand a digit and real entropy.
    with_entropy(
        with_digit(rule(K::OpenAiApiKey, "sk-", Base64Url, 32, 300)),
        3.5,
    ),
    // Stripe secret / restricted keys (live and test) and webhook secrets.
    rule(K::StripeKey, "sk_live_", Alnum, 16, 255),
    rule(K::StripeKey, "sk_test_", Alnum, 16, 255),
    rule(K::StripeKey, "rk_live_", Alnum, 16, 255),
    rule(K::StripeKey, "rk_test_", Alnum, 16, 255),
    rule(K::StripeKey, "whsec_", Alnum, 24, 128),
    // Together AI: tgp_v1_ + 43 base64url.
    rule(K::TogetherApiKey, "tgp_v1_", Base64Url, 30, 128),
    // Hugging Face: hf_ + 34 letters (documented), allow digits too.
    rule(K::HuggingFaceToken, "hf_", Alnum, 34, 64),
    // Google API key: AIza + 35 [0-9A-Za-z_-].
    rule(K::GoogleApiKey, "AIza", Base64Url, 35, 35),
    // AWS access key ids: 4-letter prefix + 16 upper-case alnum.
    // 16 random characters can fall below 3 bits by chance; the prefix is specific enough.
    with_entropy(rule(K::AwsAccessKeyId, "AKIA", UpperAlnum, 16, 16), 2.5),
    with_entropy(rule(K::AwsAccessKeyId, "ASIA", UpperAlnum, 16, 16), 2.5),
    with_entropy(rule(K::AwsAccessKeyId, "ABIA", UpperAlnum, 16, 16), 2.5),
    with_entropy(rule(K::AwsAccessKeyId, "ACCA", UpperAlnum, 16, 16), 2.5),
    // GitHub classic tokens (36 alnum today, allowed to grow) and fine-grained PATs.
    rule(K::GithubToken, "ghp_", Alnum, 36, 251),
    rule(K::GithubToken, "gho_", Alnum, 36, 251),
    rule(K::GithubToken, "ghs_", Alnum, 36, 251),
    rule(K::GithubToken, "ghu_", Alnum, 36, 251),
    rule(K::GithubToken, "ghr_", Alnum, 36, 251),
    rule(K::GithubToken, "github_pat_", AlnumUnderscore, 60, 255),
    // GitLab personal / pipeline trigger / deploy / runner tokens.
    rule(K::GitlabToken, "glpat-", Base64Url, 20, 64),
    rule(K::GitlabToken, "glptt-", Base64Url, 20, 64),
    rule(K::GitlabToken, "gldt-", Base64Url, 20, 64),
    rule(K::GitlabToken, "glrt-", Base64Url, 20, 64),
    // Slack bot / user / workspace / refresh / legacy / config / app tokens.
    with_entropy(
        with_digit(rule(K::SlackToken, "xoxb-", AlnumDash, 10, 255)),
        2.5,
    ),
    with_entropy(
        with_digit(rule(K::SlackToken, "xoxp-", AlnumDash, 10, 255)),
        2.5,
    ),
    with_entropy(
        with_digit(rule(K::SlackToken, "xoxa-", AlnumDash, 10, 255)),
        2.5,
    ),
    with_entropy(
        with_digit(rule(K::SlackToken, "xoxr-", AlnumDash, 10, 255)),
        2.5,
    ),
    with_entropy(
        with_digit(rule(K::SlackToken, "xoxs-", AlnumDash, 10, 255)),
        2.5,
    ),
    with_entropy(
        with_digit(rule(K::SlackToken, "xoxe-", AlnumDash, 10, 255)),
        2.5,
    ),
    with_entropy(
        with_digit(rule(K::SlackToken, "xoxo-", AlnumDash, 10, 255)),
        2.5,
    ),
    with_entropy(
        with_digit(rule(K::SlackToken, "xoxe.xox", Base64UrlDot, 20, 255)),
        2.5,
    ),
    with_entropy(
        with_digit(rule(K::SlackToken, "xapp-", AlnumDash, 20, 255)),
        2.5,
    ),
    // npm automation / publish tokens: npm_ + 36 alnum.
    rule(K::NpmToken, "npm_", Alnum, 36, 36),
    // SendGrid: SG. + 22 + . + 43.
    with_segments(
        rule(K::SendgridApiKey, "SG.", Base64UrlDot, 66, 66),
        &[22, 43],
    ),
    // Groq, xAI, Perplexity, Replicate.
    rule(K::GroqApiKey, "gsk_", Alnum, 40, 64),
    rule(K::XaiApiKey, "xai-", Alnum, 60, 100),
    rule(K::PerplexityApiKey, "pplx-", Alnum, 40, 64),
    rule(K::ReplicateApiToken, "r8_", Alnum, 30, 50),
];

/// Most rows sharing one first byte.
const MAX_PER_BYTE: usize = 16;

/// Rule indices by the first byte of their prefix, in table order.
pub(crate) struct ByFirstByte {
    rows: [[u8; MAX_PER_BYTE]; 256],
    counts: [u8; 256],
}

impl ByFirstByte {
    /// The rules whose prefix starts with `b`, longest-first as in the table.
    #[inline]
    pub(crate) fn rules(&self, b: u8) -> impl Iterator<Item = &'static PrefixRule> + '_ {
        let n = usize::from(self.counts[usize::from(b)]);
        self.rows[usize::from(b)][..n]
            .iter()
            .map(|&k| &PREFIX_RULES[usize::from(k)])
    }

    /// True when some prefix starts with byte `b`.
    #[inline]
    pub(crate) fn any(&self, b: u8) -> bool {
        self.counts[usize::from(b)] > 0
    }
}

pub(crate) static BY_FIRST_BYTE: ByFirstByte = by_first_byte();

const fn by_first_byte() -> ByFirstByte {
    let mut t = ByFirstByte {
        rows: [[0; MAX_PER_BYTE]; 256],
        counts: [0; 256],
    };
    let mut i = 0;
    while i < PREFIX_RULES.len() {
        let b = PREFIX_RULES[i].prefix.as_bytes()[0] as usize;
        let n = t.counts[b] as usize;
        assert!(n < MAX_PER_BYTE, "too many prefixes share a first byte");
        t.rows[b][n] = i as u8;
        t.counts[b] += 1;
        i += 1;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_byte_table_covers_every_rule() {
        for r in PREFIX_RULES {
            let b = r.prefix.as_bytes()[0];
            assert!(BY_FIRST_BYTE.any(b), "{}", r.prefix);
            assert!(BY_FIRST_BYTE.rules(b).any(|x| x.prefix == r.prefix));
            assert!(r.min_len <= r.max_len);
        }
    }

    #[test]
    fn longer_prefixes_come_first() {
        for (i, a) in PREFIX_RULES.iter().enumerate() {
            for b in &PREFIX_RULES[i + 1..] {
                assert!(
                    !b.prefix.starts_with(a.prefix) || a.prefix == b.prefix,
                    "{} shadows {}",
                    a.prefix,
                    b.prefix
                );
            }
        }
    }
}
