//! The client's settings: explicit options first, then the environment, then defaults.
//!
//! | setting | option | environment |
//! |---|---|---|
//! | API key | `apiKey` | `TOGETHER_API_KEY`, else `TOGETHER_AI_API_KEY` (the original design's name) |
//! | base URL | `baseUrl` | `TOGETHER_BASE_URL` (default `https://api.together.xyz/v1`) |
//! | request timeout | `timeoutMs` | `TOGETHER_TIMEOUT_MS` (default 60 s) |
//!
//! The key is held in an `ApiKey`, whose `Debug` shows `<redacted>`; it leaves the client only in
//! the `Authorization` header.

use std::fmt;

use serde::Deserialize;

use crate::error::SelftuneError;
use crate::together::retry::RetryPolicy;

/// Together's public API. The emulator is only ever used when a base URL points at it.
pub const DEFAULT_BASE_URL: &str = "https://api.together.xyz/v1";
pub const DEFAULT_TIMEOUT_MS: u64 = 60_000;
/// Uploads carry the whole dataset; Together's SDK gives file parts 300 s.
pub const DEFAULT_UPLOAD_TIMEOUT_MS: u64 = 300_000;
/// Together's documented tier-1 baseline is 600 requests per minute (for serverless inference;
/// the fine-tuning API's own limits are unpublished).
pub const DEFAULT_REQUESTS_PER_MINUTE: u32 = 600;
pub const DEFAULT_BURST: u32 = 10;
pub const DEFAULT_FILE_POLL_INTERVAL_MS: u64 = 2_000;
/// Server-side validation of an upload can take minutes.
pub const DEFAULT_FILE_TIMEOUT_MS: u64 = 30 * 60_000;

pub const ENV_API_KEY: &str = "TOGETHER_API_KEY";
pub const ENV_API_KEY_LEGACY: &str = "TOGETHER_AI_API_KEY";
pub const ENV_BASE_URL: &str = "TOGETHER_BASE_URL";
pub const ENV_TIMEOUT_MS: &str = "TOGETHER_TIMEOUT_MS";

/// The environment variables the client reads.
pub const ENV_NAMES: [&str; 4] = [
    ENV_API_KEY,
    ENV_API_KEY_LEGACY,
    ENV_BASE_URL,
    ENV_TIMEOUT_MS,
];

/// A Together API key. Its `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Result<Self, SelftuneError> {
        let key = key.into().trim().to_owned();
        if key.is_empty() {
            return Err(SelftuneError::invalid_config(
                "the Together API key is empty",
            ));
        }
        // A header value cannot hold these; the message must not quote the key.
        if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(SelftuneError::invalid_config(
                "the Together API key contains whitespace or control characters",
            ));
        }
        Ok(ApiKey(key))
    }

    /// The key itself, for the `Authorization` header and for redaction.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Options for `new TogetherClient(host, options)`. Every field is optional.
#[derive(Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct TogetherOptions {
    /// Default: `TOGETHER_API_KEY`, else `TOGETHER_AI_API_KEY`.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub api_key: Option<String>,
    /// Default: `TOGETHER_BASE_URL`, else `https://api.together.xyz/v1`.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub base_url: Option<String>,
    /// One request's timeout (default: `TOGETHER_TIMEOUT_MS`, else 60000).
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub timeout_ms: Option<u64>,
    /// An upload's timeout (default 300000).
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub upload_timeout_ms: Option<u64>,
    /// Requests per call, the first included (default 5).
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub max_attempts: Option<u32>,
    /// First retry backoff before jitter (default 500); it doubles each time.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub retry_base_delay_ms: Option<u64>,
    /// Longest backoff (default 8000).
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub retry_max_delay_ms: Option<u64>,
    /// Longest a call may take with its retries (default 120000).
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub max_retry_time_ms: Option<u64>,
    /// Client-side rate limit (default 600; 0 turns it off).
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub requests_per_minute: Option<u32>,
    /// Requests that may go at once before the rate limit spaces them (default 10).
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub burst: Option<u32>,
    /// Seed of the retry jitter (default: from the clock). Fix it for a reproducible schedule.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub jitter_seed: Option<u64>,
    /// `waitForFile`: between two looks (default 2000).
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub file_poll_interval_ms: Option<u64>,
    /// `waitForFile`: give up after (default 1800000, 30 minutes).
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub file_timeout_ms: Option<u64>,
}

impl fmt::Debug for TogetherOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TogetherOptions")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("timeout_ms", &self.timeout_ms)
            .finish_non_exhaustive()
    }
}

impl TogetherOptions {
    pub fn from_json(value: serde_json::Value) -> Result<Self, SelftuneError> {
        if value.is_null() {
            return Ok(TogetherOptions::default());
        }
        // serde's message names the field or the type, never the value of a string.
        serde_json::from_value(value)
            .map_err(|error| SelftuneError::invalid_config(format!("Together options: {error}")))
    }
}

#[derive(Clone, PartialEq)]
pub struct TogetherConfig {
    pub api_key: ApiKey,
    /// Without a trailing `/`, e.g. `https://api.together.xyz/v1`.
    pub base_url: String,
    pub timeout_ms: u64,
    pub upload_timeout_ms: u64,
    pub retry: RetryPolicy,
    pub requests_per_minute: u32,
    pub burst: u32,
    pub jitter_seed: Option<u64>,
    pub file_poll_interval_ms: u64,
    pub file_timeout_ms: u64,
}

impl fmt::Debug for TogetherConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TogetherConfig")
            .field("api_key", &self.api_key)
            .field("base_url", &self.base_url)
            .field("timeout_ms", &self.timeout_ms)
            .field("upload_timeout_ms", &self.upload_timeout_ms)
            .field("retry", &self.retry)
            .field("requests_per_minute", &self.requests_per_minute)
            .field("burst", &self.burst)
            .finish_non_exhaustive()
    }
}

impl TogetherConfig {
    /// A configuration with defaults for everything but the key.
    pub fn new(api_key: &str) -> Result<Self, SelftuneError> {
        TogetherConfig::resolve(
            TogetherOptions {
                api_key: Some(api_key.to_owned()),
                ..TogetherOptions::default()
            },
            |_| None,
        )
    }

    /// Options first, then `env` (a lookup of environment variables), then defaults.
    pub fn resolve(
        options: TogetherOptions,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, SelftuneError> {
        let env = |name: &str| env(name).filter(|value| !value.trim().is_empty());
        let key = options
            .api_key
            .or_else(|| env(ENV_API_KEY))
            .or_else(|| env(ENV_API_KEY_LEGACY))
            .ok_or_else(|| {
                SelftuneError::invalid_config(
                    "no Together API key: set TOGETHER_API_KEY (or TOGETHER_AI_API_KEY), or pass apiKey",
                )
            })?;
        let api_key = ApiKey::new(key)?;
        let base_url = options
            .base_url
            .or_else(|| env(ENV_BASE_URL))
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
        let base_url = check_base_url(&base_url)?;
        let timeout_ms = match options.timeout_ms {
            Some(ms) => ms,
            None => match env(ENV_TIMEOUT_MS) {
                Some(text) => text.trim().parse::<u64>().map_err(|_| {
                    SelftuneError::invalid_config(format!(
                        "{ENV_TIMEOUT_MS} must be a whole number of milliseconds (got '{}')",
                        text.trim()
                    ))
                })?,
                None => DEFAULT_TIMEOUT_MS,
            },
        };
        let defaults = RetryPolicy::default();
        let retry = RetryPolicy {
            max_attempts: options.max_attempts.unwrap_or(defaults.max_attempts),
            base_delay_ms: options
                .retry_base_delay_ms
                .unwrap_or(defaults.base_delay_ms),
            max_delay_ms: options.retry_max_delay_ms.unwrap_or(defaults.max_delay_ms),
            max_total_ms: options.max_retry_time_ms.unwrap_or(defaults.max_total_ms),
            ..defaults
        };
        let config = TogetherConfig {
            api_key,
            base_url,
            timeout_ms,
            upload_timeout_ms: options
                .upload_timeout_ms
                .unwrap_or(DEFAULT_UPLOAD_TIMEOUT_MS.max(timeout_ms)),
            retry,
            requests_per_minute: options
                .requests_per_minute
                .unwrap_or(DEFAULT_REQUESTS_PER_MINUTE),
            burst: options.burst.unwrap_or(DEFAULT_BURST),
            jitter_seed: options.jitter_seed,
            file_poll_interval_ms: options
                .file_poll_interval_ms
                .unwrap_or(DEFAULT_FILE_POLL_INTERVAL_MS),
            file_timeout_ms: options.file_timeout_ms.unwrap_or(DEFAULT_FILE_TIMEOUT_MS),
        };
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), SelftuneError> {
        let positive = [
            ("timeoutMs", self.timeout_ms),
            ("uploadTimeoutMs", self.upload_timeout_ms),
            ("filePollIntervalMs", self.file_poll_interval_ms),
        ];
        for (name, value) in positive {
            if value == 0 {
                return Err(SelftuneError::invalid_config(format!(
                    "{name} must be at least 1"
                )));
            }
        }
        if self.retry.max_attempts == 0 {
            return Err(SelftuneError::invalid_config(
                "maxAttempts must be at least 1",
            ));
        }
        if self.retry.base_delay_ms > self.retry.max_delay_ms {
            return Err(SelftuneError::invalid_config(
                "retryBaseDelayMs must not exceed retryMaxDelayMs",
            ));
        }
        Ok(())
    }
}

fn check_base_url(url: &str) -> Result<String, SelftuneError> {
    let url = url.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let valid = match rest {
        Some(rest) => {
            !rest.is_empty()
                && !rest.starts_with('/')
                && !rest.contains(['?', '#', '@'])
                && !rest.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if !valid {
        // A URL with credentials or a query may carry a secret: it is not quoted.
        let shown = if url.contains(['?', '#', '@']) {
            String::new()
        } else {
            format!(" (got '{url}')")
        };
        return Err(SelftuneError::invalid_config(format!(
            "the Together base URL must be http(s)://host[:port][/path] without a query or credentials{shown}"
        )));
    }
    Ok(url.to_owned())
}
