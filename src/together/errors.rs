//! Typed failures of Together calls, and how they become `SelftuneError`s with stable codes.
//!
//! No text built here ever holds the API key: messages come from the status, the request's
//! method and path (never its headers), and the server's own message, from which the client
//! strips its key before it gets here (see `redact_key`).

use std::fmt;

use serde::Deserialize;
use serde_json::Value;

use crate::error::{ErrorCode, SelftuneError};
use crate::host::HttpResponse;

/// What went wrong, coarse enough to branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TogetherErrorKind {
    /// 401 (a missing or wrong API key).
    Unauthorized,
    /// 402 (credit or spending limit reached).
    PaymentRequired,
    /// 404.
    NotFound,
    /// 400, 403, 409, 422 and other 4xx: the request itself is at fault. `param` names the field
    /// when Together says which.
    InvalidRequest,
    /// 429, after the retries the policy allows.
    RateLimited,
    /// 5xx, after the retries the policy allows.
    Server,
    /// No answer within the timeout (or a file not processed in time).
    Timeout,
    /// No HTTP answer at all (connection refused or dropped), or an answer that is not what
    /// Together sends (not JSON, an unexpected status).
    Http,
    /// An uploaded file failed Together's server-side validation (`INVALID_FORMAT`) or its
    /// processing (`FAILED`).
    FileRejected,
    /// A call's argument is malformed; nothing was sent.
    InvalidArgument,
}

impl TogetherErrorKind {
    pub fn code(self) -> ErrorCode {
        match self {
            TogetherErrorKind::Unauthorized => ErrorCode::TogetherUnauthorized,
            TogetherErrorKind::PaymentRequired => ErrorCode::TogetherPaymentRequired,
            TogetherErrorKind::NotFound => ErrorCode::TogetherNotFound,
            TogetherErrorKind::InvalidRequest => ErrorCode::TogetherInvalidRequest,
            TogetherErrorKind::RateLimited => ErrorCode::TogetherRateLimited,
            TogetherErrorKind::Server => ErrorCode::TogetherServer,
            TogetherErrorKind::Timeout => ErrorCode::TogetherTimeout,
            TogetherErrorKind::Http => ErrorCode::TogetherHttp,
            TogetherErrorKind::FileRejected => ErrorCode::TogetherFileRejected,
            TogetherErrorKind::InvalidArgument => ErrorCode::InvalidArgument,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            TogetherErrorKind::Unauthorized => "unauthorized",
            TogetherErrorKind::PaymentRequired => "payment required",
            TogetherErrorKind::NotFound => "not found",
            TogetherErrorKind::InvalidRequest => "invalid request",
            TogetherErrorKind::RateLimited => "rate limited",
            TogetherErrorKind::Server => "server error",
            TogetherErrorKind::Timeout => "timed out",
            TogetherErrorKind::Http => "HTTP failure",
            TogetherErrorKind::FileRejected => "file rejected",
            TogetherErrorKind::InvalidArgument => "invalid argument",
        }
    }
}

/// A failed Together call. The details live behind a `Box` so that `Result`s stay small; read
/// them through `Deref` (`error.kind`, `error.status`, ...).
#[derive(Clone, PartialEq)]
pub struct TogetherError(Box<TogetherFailure>);

#[derive(Debug, Clone, PartialEq)]
pub struct TogetherFailure {
    pub kind: TogetherErrorKind,
    /// The HTTP status, when there was an answer.
    pub status: Option<u16>,
    /// `GET /files/file-123`: the method and path of the call (no host, no query, no headers).
    pub request: Option<String>,
    /// Together's message, or what the client saw.
    pub message: String,
    /// Together's `error.param`: the request field at fault.
    pub param: Option<String>,
    /// Together's `error.code` (`model_not_available`, `invalid_api_key`, ...).
    pub error_code: Option<String>,
    /// How long the server asked to wait (429 and 503), when it said.
    pub retry_after_ms: Option<u64>,
    /// Requests sent for this call, retries included.
    pub attempts: u32,
}

impl TogetherError {
    pub fn new(kind: TogetherErrorKind, message: impl Into<String>) -> Self {
        TogetherError(Box::new(TogetherFailure {
            kind,
            status: None,
            request: None,
            message: message.into(),
            param: None,
            error_code: None,
            retry_after_ms: None,
            attempts: 0,
        }))
    }

    pub fn invalid_argument(message: impl Into<String>) -> Self {
        TogetherError::new(TogetherErrorKind::InvalidArgument, message)
    }

    pub fn with_request(mut self, request: impl Into<String>) -> Self {
        self.request = Some(request.into());
        self
    }

    /// The error a non-2xx answer stands for. `body_text` is the body with the key already
    /// stripped.
    pub fn from_status(status: u16, body_text: &str) -> Self {
        let kind = match status {
            401 => TogetherErrorKind::Unauthorized,
            402 => TogetherErrorKind::PaymentRequired,
            404 => TogetherErrorKind::NotFound,
            408 | 504 => TogetherErrorKind::Timeout,
            429 => TogetherErrorKind::RateLimited,
            500..=599 => TogetherErrorKind::Server,
            400..=499 => TogetherErrorKind::InvalidRequest,
            _ => TogetherErrorKind::Http,
        };
        let details = ErrorDetails::parse(body_text);
        let message = details
            .message
            .unwrap_or_else(|| format!("HTTP {status} {}", reason(status)));
        TogetherError(Box::new(TogetherFailure {
            kind,
            status: Some(status),
            request: None,
            message,
            param: details.param,
            error_code: details.code,
            retry_after_ms: None,
            attempts: 0,
        }))
    }

    pub fn from_response(response: &HttpResponse, body_text: &str) -> Self {
        TogetherError::from_status(response.status, body_text)
    }

    pub fn to_selftune_error(&self) -> SelftuneError {
        let mut error = SelftuneError::new(self.kind.code(), self.to_string());
        error.field = self.param.clone();
        error
    }
}

impl std::ops::Deref for TogetherError {
    type Target = TogetherFailure;

    fn deref(&self) -> &TogetherFailure {
        &self.0
    }
}

impl std::ops::DerefMut for TogetherError {
    fn deref_mut(&mut self) -> &mut TogetherFailure {
        &mut self.0
    }
}

impl fmt::Display for TogetherError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind == TogetherErrorKind::InvalidArgument {
            return write!(f, "invalid argument: {}", self.message);
        }
        write!(f, "Together API")?;
        if let Some(request) = &self.request {
            write!(f, " {request}")?;
        }
        write!(f, ": {}", self.kind.describe())?;
        if let Some(status) = self.status {
            write!(f, " (HTTP {status})")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(param) = &self.param {
            write!(f, " [param: {param}]")?;
        }
        if let Some(code) = &self.error_code {
            write!(f, " [code: {code}]")?;
        }
        if let Some(ms) = self.retry_after_ms {
            write!(f, " [retry after {ms} ms]")?;
        }
        if self.attempts > 1 {
            write!(f, " after {} attempts", self.attempts)?;
        }
        Ok(())
    }
}

impl fmt::Debug for TogetherError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TogetherError({:?}: {self})", self.kind)
    }
}

impl std::error::Error for TogetherError {}

impl From<TogetherError> for SelftuneError {
    fn from(error: TogetherError) -> Self {
        error.to_selftune_error()
    }
}

/// The parts of an error body, whichever of Together's shapes it has: `{"error": {message, type,
/// param, code}}` (`ErrorData`), `{"message": ...}` (model limits), `{"code": 404, "message":
/// ...}` (`ErrorResponse`) or `{"error": "text"}`.
#[derive(Debug, Default, PartialEq)]
pub struct ErrorDetails {
    pub message: Option<String>,
    pub param: Option<String>,
    pub code: Option<String>,
}

/// Longest server message kept in an error (a proxy's HTML page is not a message).
const MAX_MESSAGE_CHARS: usize = 500;

impl ErrorDetails {
    pub fn parse(body: &str) -> Self {
        let Ok(value) = serde_json::from_str::<Value>(body) else {
            return ErrorDetails::default();
        };
        #[derive(Deserialize, Default)]
        #[serde(default)]
        struct Inner {
            message: Option<Value>,
            param: Option<Value>,
            code: Option<Value>,
        }
        let text = |value: Option<Value>| match value {
            Some(Value::String(text)) if !text.trim().is_empty() => Some(shorten(&text)),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let inner = match value.get("error") {
            Some(Value::String(message)) => {
                return ErrorDetails {
                    message: Some(shorten(message)),
                    ..ErrorDetails::default()
                }
            }
            Some(error @ Value::Object(_)) => serde_json::from_value::<Inner>(error.clone()),
            _ => serde_json::from_value::<Inner>(value.clone()),
        }
        .unwrap_or_default();
        ErrorDetails {
            message: text(inner.message),
            param: text(inner.param),
            code: text(inner.code),
        }
    }
}

fn shorten(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= MAX_MESSAGE_CHARS {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(MAX_MESSAGE_CHARS).collect();
    short.push('…');
    short
}

/// Replaces every occurrence of `key` in `text` (a server that echoes the key back, a host whose
/// error message quotes a header) with `<redacted>`.
pub fn redact_key(text: &str, key: &str) -> String {
    if key.is_empty() || !text.contains(key) {
        return text.to_owned();
    }
    text.replace(key, "<redacted>")
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        409 => "Conflict",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}
