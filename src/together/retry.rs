//! When to send a request again, and how long to wait first: a pure policy, so its schedule is
//! tested exactly with a simulated clock and a seeded jitter source.
//!
//! - Retried: no answer (connection refused or dropped), a timeout, 408, 429 and 5xx, and
//!   whatever the server marks `x-should-retry: true`; never what it marks `x-should-retry: false`.
//! - Only calls that are safe to repeat are retried. `POST /fine-tunes` and `POST /endpoints`
//!   cost money and Together offers no idempotency key: they are sent once, and the caller
//!   reconciles (lists jobs, looks for its suffix) instead.
//! - The wait is exponential with jitter, or what the server asks for in `retry-after-ms` or
//!   `retry-after` (seconds or an HTTP date) when that is at most 60 s. A longer ask ends the call
//!   with the wait in the error, so a persisted pipeline can sleep instead of holding a request.
//! - Caps: attempts per call and total time per call, waits included.
//!
//! `RateLimiter` spaces requests on the client side (a token bucket).

/// Whether a call may be sent again after a failure whose effect is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Repeating it is harmless (reads, deletes, cancels, estimates; an upload, whose duplicate
    /// costs nothing but storage; a chat completion).
    Safe,
    /// Repeating it may cost money twice (creating a job or an endpoint).
    Never,
}

/// How one attempt ended, when it did not succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome<'a> {
    /// An HTTP answer with this (non-2xx) status; header names are lower-case.
    Status {
        status: u16,
        headers: &'a [(String, String)],
    },
    /// No answer: connection refused, reset or dropped.
    ConnectionError,
    /// No answer within the request timeout.
    Timeout,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiveUpReason {
    /// The failure is not one that a retry can fix (a 400, a 404, ...).
    NotRetryable,
    /// The server said `x-should-retry: false`.
    ServerSaidNo,
    /// The call is not safe to repeat.
    NotIdempotent,
    /// `maxAttempts` requests were sent.
    Attempts,
    /// Waiting again would pass `maxRetryTimeMs`.
    TotalTime,
    /// The server asked for a wait longer than `maxRetryAfterMs`.
    RetryAfterTooLong,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Retry {
        delay_ms: u64,
    },
    GiveUp {
        reason: GiveUpReason,
        /// What the server asked for, when it did.
        retry_after_ms: Option<u64>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Requests per call, the first included (default 5).
    pub max_attempts: u32,
    /// The first backoff, before jitter (default 500 ms); it doubles on each retry.
    pub base_delay_ms: u64,
    /// Longest backoff (default 8 s).
    pub max_delay_ms: u64,
    /// Longest a call may take, its waits included (default 120 s).
    pub max_total_ms: u64,
    /// Longest `retry-after` honoured (60 s).
    pub max_retry_after_ms: u64,
    /// A backoff is shortened by up to this fraction at random (default 0.25).
    pub jitter: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_delay_ms: 500,
            max_delay_ms: 8_000,
            max_total_ms: 120_000,
            max_retry_after_ms: 60_000,
            jitter: 0.25,
        }
    }
}

/// What the policy needs to know about the attempt that just failed.
#[derive(Debug, Clone, Copy)]
pub struct AttemptContext<'a> {
    /// 1 for the first request of a call.
    pub attempt: u32,
    pub idempotency: Idempotency,
    pub outcome: AttemptOutcome<'a>,
    /// Since the call started.
    pub elapsed_ms: u64,
    /// The clock, to read an HTTP-date `retry-after`.
    pub now_ms: u64,
}

impl RetryPolicy {
    /// The wait before retry number `retry` (0 for the first retry), for a jitter draw `unit` in
    /// [0, 1): `min(base × 2^retry, max) × (1 − jitter × unit)`.
    pub fn backoff_ms(&self, retry: u32, unit: f64) -> u64 {
        let doubled = self
            .base_delay_ms
            .saturating_mul(1u64.checked_shl(retry.min(62)).unwrap_or(u64::MAX));
        let capped = doubled.min(self.max_delay_ms) as f64;
        let unit = if unit.is_finite() {
            unit.clamp(0.0, 1.0)
        } else {
            0.0
        };
        (capped * (1.0 - self.jitter.clamp(0.0, 1.0) * unit)).round() as u64
    }

    pub fn decide(&self, context: &AttemptContext<'_>, jitter: &mut Jitter) -> Decision {
        let (retryable, retry_after_ms) = match context.outcome {
            AttemptOutcome::ConnectionError | AttemptOutcome::Timeout => (true, None),
            AttemptOutcome::Status { status, headers } => {
                let retry_after = retry_after_ms(headers, context.now_ms);
                let retryable = match header(headers, "x-should-retry") {
                    Some(value) if value.eq_ignore_ascii_case("true") => true,
                    Some(value) if value.eq_ignore_ascii_case("false") => {
                        return Decision::GiveUp {
                            reason: GiveUpReason::ServerSaidNo,
                            retry_after_ms: retry_after,
                        }
                    }
                    _ => is_retryable_status(status),
                };
                (retryable, retry_after)
            }
        };
        let give_up = |reason| Decision::GiveUp {
            reason,
            retry_after_ms,
        };
        if !retryable {
            return give_up(GiveUpReason::NotRetryable);
        }
        if context.idempotency == Idempotency::Never {
            return give_up(GiveUpReason::NotIdempotent);
        }
        if context.attempt >= self.max_attempts {
            return give_up(GiveUpReason::Attempts);
        }
        let delay_ms = match retry_after_ms {
            Some(ms) if ms > self.max_retry_after_ms => {
                return give_up(GiveUpReason::RetryAfterTooLong)
            }
            Some(ms) => ms,
            None => self.backoff_ms(context.attempt.saturating_sub(1), jitter.next_unit()),
        };
        if context.elapsed_ms.saturating_add(delay_ms) > self.max_total_ms {
            return give_up(GiveUpReason::TotalTime);
        }
        Decision::Retry { delay_ms }
    }
}

/// 408, 429 and every 5xx.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500..=599)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.trim())
}

/// The wait a response asks for: `retry-after-ms` (milliseconds), else `retry-after` (seconds,
/// or an HTTP date, read against `now_ms`). Negative or unreadable values are ignored.
pub fn retry_after_ms(headers: &[(String, String)], now_ms: u64) -> Option<u64> {
    if let Some(ms) = header(headers, "retry-after-ms").and_then(non_negative) {
        return Some(ms.round() as u64);
    }
    let value = header(headers, "retry-after")?;
    if let Some(seconds) = non_negative(value) {
        return Some((seconds * 1000.0).round() as u64);
    }
    let at = http_date_ms(value)?;
    Some(at.saturating_sub(now_ms))
}

fn non_negative(text: &str) -> Option<f64> {
    text.parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0)
}

/// An IMF-fixdate (`Wed, 21 Oct 2015 07:28:00 GMT`), the form HTTP requires senders to use, in
/// milliseconds since the epoch.
pub fn http_date_ms(text: &str) -> Option<u64> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let [_weekday, day, month, year, time, zone] = parts.as_slice() else {
        return None;
    };
    if !zone.eq_ignore_ascii_case("GMT") {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let month = MONTHS
        .iter()
        .position(|name| name.eq_ignore_ascii_case(month))? as u32
        + 1;
    let day: u32 = day.parse().ok().filter(|d| (1..=31).contains(d))?;
    let year: i64 = year.parse().ok().filter(|y| (1970..=9999).contains(y))?;
    let mut clock = time.split(':').map(|part| part.parse::<u64>().ok());
    let (hours, minutes, seconds) = (clock.next()??, clock.next()??, clock.next()??);
    if clock.next().is_some() || hours > 23 || minutes > 59 || seconds > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let ms = (days as u64 * 86_400 + hours * 3_600 + minutes * 60 + seconds) * 1_000;
    Some(ms)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (the inverse of the era-based conversion
/// in `crate::time`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_index = i64::from((month + 9) % 12); // March = 0
    let day_of_year = (153 * month_index + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// A seeded source of jitter (SplitMix64): the same seed gives the same schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jitter {
    state: u64,
}

impl Jitter {
    pub fn new(seed: u64) -> Self {
        Jitter { state: seed }
    }

    /// A number in [0, 1).
    pub fn next_unit(&mut self) -> f64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A token bucket: `burst` requests at once, then `requests_per_minute` on average. Reservations
/// queue: each one says how long its request must wait.
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimiter {
    capacity: f64,
    per_ms: f64,
    tokens: f64,
    last_ms: Option<u64>,
}

impl RateLimiter {
    /// `requests_per_minute` 0 means no limit.
    pub fn new(requests_per_minute: u32, burst: u32) -> Self {
        let capacity = f64::from(burst.max(1));
        RateLimiter {
            capacity,
            per_ms: f64::from(requests_per_minute) / 60_000.0,
            tokens: capacity,
            last_ms: None,
        }
    }

    /// Takes a token for a request wanted at `now_ms`; returns the milliseconds to wait before
    /// sending it.
    pub fn reserve(&mut self, now_ms: u64) -> u64 {
        if self.per_ms <= 0.0 {
            return 0;
        }
        if let Some(last) = self.last_ms {
            let refill = now_ms.saturating_sub(last) as f64 * self.per_ms;
            self.tokens = (self.tokens + refill).min(self.capacity);
        }
        self.last_ms = Some(self.last_ms.map_or(now_ms, |last| last.max(now_ms)));
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            0
        } else {
            (-self.tokens / self.per_ms).ceil() as u64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates() {
        assert_eq!(
            http_date_ms("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(1_445_412_480_000)
        );
        assert_eq!(
            http_date_ms("Thu, 26 Nov 2026 12:00:00 GMT"),
            Some(1_795_694_400_000)
        );
        assert_eq!(
            http_date_ms("Thu, 29 Feb 2024 00:00:00 GMT"),
            Some(1_709_164_800_000)
        );
        assert_eq!(http_date_ms("tomorrow"), None);
        assert_eq!(http_date_ms("Wed, 21 Oct 2015 25:28:00 GMT"), None);
        assert_eq!(http_date_ms("Wed, 21 Foo 2015 07:28:00 GMT"), None);
    }

    #[test]
    fn jitter_is_in_range_and_seeded() {
        let mut a = Jitter::new(7);
        let mut b = Jitter::new(7);
        for _ in 0..1000 {
            let x = a.next_unit();
            assert!((0.0..1.0).contains(&x));
            assert_eq!(x, b.next_unit());
        }
    }
}
