//! How one call travels: its request, the timeout race on the host clock, the retry loop with
//! the rate limiter, and the parsing of the answer.

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::Poll;

use serde::de::DeserializeOwned;

use crate::host::{Clock, Http, HttpRequest, HttpResponse, LogLevel, LogSink};
use crate::together::client::TogetherClient;
use crate::together::errors::{redact_key, TogetherError, TogetherErrorKind};
use crate::together::retry::{AttemptContext, AttemptOutcome, Decision, GiveUpReason, Idempotency};
use crate::together::types::Normalize;

/// A request timeout is measured in slices of this many milliseconds, so that a timer left
/// behind by a request that answered in time ends soon (a JS host cannot cancel a timer).
pub const TIMEOUT_SLICE_MS: u64 = 250;

/// One logical call: sent once, or again by the retry policy.
pub(super) struct Call {
    pub(super) method: &'static str,
    /// Percent-encoded, relative to the base URL: `/files/file-1`.
    pub(super) path: String,
    pub(super) query: Vec<(&'static str, String)>,
    /// `(content type, bytes)`.
    pub(super) body: Option<(String, Vec<u8>)>,
    pub(super) idempotency: Idempotency,
    pub(super) timeout_ms: u64,
}

impl Call {
    pub(super) fn new(method: &'static str, path: String) -> Self {
        Call {
            method,
            path,
            query: Vec::new(),
            body: None,
            idempotency: Idempotency::Safe,
            timeout_ms: 0,
        }
    }

    pub(super) fn json(mut self, body: &serde_json::Value) -> Self {
        self.body = Some(("application/json".to_owned(), body.to_string().into_bytes()));
        self
    }

    pub(super) fn query(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.query.push((name, value.into()));
        self
    }

    pub(super) fn never_retry(mut self) -> Self {
        self.idempotency = Idempotency::Never;
        self
    }

    pub(super) fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

enum Either<A, B> {
    Left(A),
    Right(B),
}

/// The first of two futures to finish; `a` is polled first.
async fn race<A: Future, B: Future>(a: A, b: B) -> Either<A::Output, B::Output> {
    let mut a = pin!(a);
    let mut b = pin!(b);
    poll_fn(|cx| {
        if let Poll::Ready(value) = a.as_mut().poll(cx) {
            return Poll::Ready(Either::Left(value));
        }
        if let Poll::Ready(value) = b.as_mut().poll(cx) {
            return Poll::Ready(Either::Right(value));
        }
        Poll::Pending
    })
    .await
}

/// RFC 3986 percent-encoding of everything but unreserved characters.
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

impl<H: Http + Clock + LogSink> TogetherClient<H> {
    pub(super) fn prepare(&self, mut call: Call) -> Call {
        if call.timeout_ms == 0 {
            call.timeout_ms = self.config.timeout_ms;
        }
        call
    }

    pub(super) fn url(&self, call: &Call) -> String {
        let mut url = format!("{}{}", self.config.base_url, call.path);
        for (index, (name, value)) in call.query.iter().enumerate() {
            url.push(if index == 0 { '?' } else { '&' });
            url.push_str(name);
            url.push('=');
            url.push_str(&encode_component(value));
        }
        url
    }

    fn request(&self, call: &Call) -> HttpRequest {
        let mut headers = vec![
            (
                "Authorization".to_owned(),
                format!("Bearer {}", self.config.api_key.expose()),
            ),
            ("Accept".to_owned(), "application/json".to_owned()),
        ];
        if let Some((content_type, _)) = &call.body {
            headers.push(("Content-Type".to_owned(), content_type.clone()));
        }
        HttpRequest {
            method: call.method.to_owned(),
            url: self.url(call),
            headers,
            body: call.body.as_ref().map(|(_, bytes)| bytes.clone()),
        }
    }

    pub(super) fn redact(&self, text: &str) -> String {
        redact_key(text, self.config.api_key.expose())
    }

    /// Waits `ms` on the host clock, in slices (see `TIMEOUT_SLICE_MS`).
    async fn deadline(&self, ms: u64) {
        let start = self.host.now_ms();
        let mut slept = 0u64;
        loop {
            let elapsed = self.host.now_ms().saturating_sub(start).max(slept);
            if elapsed >= ms {
                return;
            }
            let slice = (ms - elapsed).min(TIMEOUT_SLICE_MS);
            self.host.sleep(slice).await;
            slept += slice;
        }
    }

    pub(super) async fn json<T: DeserializeOwned + Normalize>(
        &self,
        call: Call,
    ) -> Result<T, TogetherError> {
        let call = self.prepare(call);
        let response = self.send(&call).await?;
        let mut value: T = serde_json::from_slice(&response.body).map_err(|error| {
            let mut failure = TogetherError::new(
                TogetherErrorKind::Http,
                format!("the response is not the JSON Together sends: {error}"),
            )
            .with_request(call.label());
            failure.status = Some(response.status);
            failure
        })?;
        value.normalize();
        Ok(value)
    }

    /// Sends `call` until it succeeds (2xx) or the retry policy gives up.
    pub(super) async fn send(&self, call: &Call) -> Result<HttpResponse, TogetherError> {
        let request = self.request(call);
        let label = call.label();
        let policy = &self.config.retry;
        let start = self.host.now_ms();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let wait = self.limiter.borrow_mut().reserve(self.host.now_ms());
            if wait > 0 {
                self.host.sleep(wait).await;
            }
            let result = race(
                self.host.send(request.clone()),
                self.deadline(call.timeout_ms),
            )
            .await;
            let now = self.host.now_ms();
            let (mut error, headers) = match result {
                Either::Left(Ok(response)) if (200..300).contains(&response.status) => {
                    return Ok(response)
                }
                Either::Left(Ok(response)) => {
                    let body = self.redact(&String::from_utf8_lossy(&response.body));
                    (
                        TogetherError::from_response(&response, &body),
                        Some(response.headers),
                    )
                }
                Either::Left(Err(port)) => (
                    TogetherError::new(
                        TogetherErrorKind::Http,
                        format!("no response: {}", self.redact(&port.message)),
                    ),
                    None,
                ),
                Either::Right(()) => (
                    TogetherError::new(
                        TogetherErrorKind::Timeout,
                        format!("no response within {} ms", call.timeout_ms),
                    ),
                    None,
                ),
            };
            let outcome = match (&headers, error.status) {
                (Some(headers), Some(status)) => AttemptOutcome::Status { status, headers },
                _ if error.kind == TogetherErrorKind::Timeout => AttemptOutcome::Timeout,
                _ => AttemptOutcome::ConnectionError,
            };
            let context = AttemptContext {
                attempt,
                idempotency: call.idempotency,
                outcome,
                elapsed_ms: now.saturating_sub(start),
                now_ms: now,
            };
            let decision = policy.decide(&context, &mut self.jitter.borrow_mut());
            let what = match error.status {
                Some(status) => format!("HTTP {status}"),
                None => error.message.clone(),
            };
            match decision {
                Decision::Retry { delay_ms } => {
                    self.host.log(
                        LogLevel::Warn,
                        &format!(
                            "Together {label}: {what}; retrying in {delay_ms} ms (attempt {} of {})",
                            attempt + 1,
                            policy.max_attempts
                        ),
                    );
                    self.host.sleep(delay_ms).await;
                }
                Decision::GiveUp {
                    reason,
                    retry_after_ms,
                } => {
                    if reason == GiveUpReason::NotIdempotent {
                        self.host.log(
                            LogLevel::Warn,
                            &format!("Together {label}: {what}; not retried: the call is not safe to repeat"),
                        );
                    }
                    error.request = Some(label);
                    error.retry_after_ms = retry_after_ms;
                    error.attempts = attempt;
                    return Err(error);
                }
            }
        }
    }
}
