//! The one error type of the core. It crosses to JS as a real `Error` named `SelftuneError`
//! with a stable `code`, so callers can branch on the code and read the message.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Stable, machine-readable error codes (part of the public API: never rename one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// An inbound event is malformed; the message names the field.
    InvalidEvent,
    /// The configuration passed to `create` is malformed.
    InvalidConfig,
    /// The storage port failed (disk full, permission denied, ...).
    Storage,
    /// The host object given by the shim lacks something the core needs.
    InvalidHost,
    /// An argument of a call (not an event) is malformed.
    InvalidArgument,
    /// Together rejected the API key (401).
    TogetherUnauthorized,
    /// Together wants payment: a credit or spending limit is reached (402).
    TogetherPaymentRequired,
    /// Together has no such file, job, model or endpoint (404).
    TogetherNotFound,
    /// Together rejected the request (400 and other 4xx); `field` holds its `param`.
    TogetherInvalidRequest,
    /// Together kept answering 429 after the retries allowed.
    TogetherRateLimited,
    /// Together kept failing with 5xx after the retries allowed.
    TogetherServer,
    /// Together did not answer in time (or a file was not processed in time).
    TogetherTimeout,
    /// No HTTP answer (connection refused or dropped), or one Together would not send.
    TogetherHttp,
    /// An uploaded file failed Together's server-side validation or processing.
    TogetherFileRejected,
    /// The price estimates of a pipeline's jobs, or its spending, exceed its budget.
    BudgetExceeded,
    /// A job's hyperparameters are outside the model's limits (`GET /fine-tunes/models/limits`).
    LimitsExceeded,
    /// No pipeline has this id.
    PipelineNotFound,
    /// A pipeline failed; the message says why.
    PipelineFailed,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidEvent => "invalid_event",
            ErrorCode::InvalidConfig => "invalid_config",
            ErrorCode::Storage => "storage",
            ErrorCode::InvalidHost => "invalid_host",
            ErrorCode::InvalidArgument => "invalid_argument",
            ErrorCode::TogetherUnauthorized => "together_unauthorized",
            ErrorCode::TogetherPaymentRequired => "together_payment_required",
            ErrorCode::TogetherNotFound => "together_not_found",
            ErrorCode::TogetherInvalidRequest => "together_invalid_request",
            ErrorCode::TogetherRateLimited => "together_rate_limited",
            ErrorCode::TogetherServer => "together_server",
            ErrorCode::TogetherTimeout => "together_timeout",
            ErrorCode::TogetherHttp => "together_http",
            ErrorCode::TogetherFileRejected => "together_file_rejected",
            ErrorCode::BudgetExceeded => "budget_exceeded",
            ErrorCode::LimitsExceeded => "limits_exceeded",
            ErrorCode::PipelineNotFound => "pipeline_not_found",
            ErrorCode::PipelineFailed => "pipeline_failed",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SelftuneError {
    pub code: ErrorCode,
    /// The offending field as a path (`outcome.files[2].path`), when there is one.
    pub field: Option<String>,
    pub message: String,
}

impl SelftuneError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        SelftuneError {
            code,
            field: None,
            message: message.into(),
        }
    }

    pub fn invalid_event(field: impl Into<String>, problem: impl fmt::Display) -> Self {
        let field = field.into();
        SelftuneError {
            code: ErrorCode::InvalidEvent,
            message: format!("invalid event: {field}: {problem}"),
            field: Some(field),
        }
    }

    pub fn invalid_config(problem: impl fmt::Display) -> Self {
        SelftuneError::new(
            ErrorCode::InvalidConfig,
            format!("invalid config: {problem}"),
        )
    }

    pub fn invalid_argument(message: impl Into<String>) -> Self {
        SelftuneError::new(ErrorCode::InvalidArgument, message)
    }

    pub fn storage(action: &str, path: &str, cause: impl fmt::Display) -> Self {
        SelftuneError::new(
            ErrorCode::Storage,
            format!("storage: could not {action} '{path}': {cause}"),
        )
    }
}

impl fmt::Display for SelftuneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SelftuneError {}
