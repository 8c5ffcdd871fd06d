//! The Together.ai client: typed requests and tolerant responses for every call the pipeline
//! makes (files, fine-tuning, inference, dedicated endpoints), a pure retry policy, typed errors,
//! and the configuration. All I/O goes through the host's `Http` port; retry waits and timeouts
//! are measured on its `Clock`.
//!
//! ```text
//! config.rs     API key (redacted in Debug), base URL, timeouts, retry and rate settings
//! requests.rs   what is sent: the typed requests (camelCase DTOs)
//! wire.rs       their snake_case JSON bodies and query strings, checked
//! types/        what comes back: tolerant serde types, open enums, money in both units
//! lenient.rs    the tolerant-parsing helpers and the open-enum macro
//! retry.rs      the retry policy, the jitter source and the client-side rate limiter
//! errors.rs     TogetherError and its SelftuneError codes
//! multipart.rs  the multipart/form-data body of an upload
//! client.rs     TogetherClient: the calls themselves
//! transport.rs  one call's journey: timeout race, retry loop, rate limit, parsing
//! ```

pub mod client;
pub mod config;
pub mod errors;
pub mod lenient;
pub mod multipart;
pub mod requests;
pub mod retry;
pub mod transport;
pub mod types;
pub mod wire;

pub use client::TogetherClient;
pub use config::{ApiKey, TogetherConfig, TogetherOptions, DEFAULT_BASE_URL};
pub use errors::{TogetherError, TogetherErrorKind};
pub use retry::{Idempotency, RetryPolicy};
