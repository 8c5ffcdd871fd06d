//! The retry policy as a pure function: its schedule, what it retries, what it never retries, and
//! its caps; and the client-side rate limiter.

use selftune::together::retry::{
    http_date_ms, is_retryable_status, retry_after_ms, AttemptContext, AttemptOutcome, Decision,
    GiveUpReason, Idempotency, Jitter, RateLimiter, RetryPolicy,
};

const NOW: u64 = 1_795_694_400_000; // 2026-11-26T12:00:00Z

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn decide(
    policy: &RetryPolicy,
    attempt: u32,
    idempotency: Idempotency,
    outcome: AttemptOutcome<'_>,
    elapsed_ms: u64,
    jitter: &mut Jitter,
) -> Decision {
    policy.decide(
        &AttemptContext {
            attempt,
            idempotency,
            outcome,
            elapsed_ms,
            now_ms: NOW,
        },
        jitter,
    )
}

fn status(status: u16, headers: &[(String, String)]) -> AttemptOutcome<'_> {
    AttemptOutcome::Status { status, headers }
}

#[test]
fn the_backoff_doubles_from_the_base_up_to_the_cap_minus_at_most_a_quarter() {
    let policy = RetryPolicy::default();
    let nominal = [500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000];
    for (retry, nominal) in nominal.into_iter().enumerate() {
        assert_eq!(policy.backoff_ms(retry as u32, 0.0), nominal);
        assert_eq!(
            policy.backoff_ms(retry as u32, 0.5),
            (nominal as f64 * 0.875).round() as u64
        );
        assert_eq!(policy.backoff_ms(retry as u32, 1.0), nominal * 3 / 4);
    }
    // No overflow however many retries.
    assert_eq!(policy.backoff_ms(u32::MAX, 0.0), 8_000);
    assert_eq!(policy.backoff_ms(3, f64::NAN), 4_000);
}

#[test]
fn the_schedule_of_a_seed_is_fixed() {
    let policy = RetryPolicy::default();
    let no_headers = headers(&[]);
    let schedule = |seed: u64| {
        let mut jitter = Jitter::new(seed);
        (1..policy.max_attempts)
            .map(|attempt| {
                match decide(
                    &policy,
                    attempt,
                    Idempotency::Safe,
                    status(503, &no_headers),
                    0,
                    &mut jitter,
                ) {
                    Decision::Retry { delay_ms } => delay_ms,
                    other => panic!("attempt {attempt}: {other:?}"),
                }
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(schedule(42), SEED_42_SCHEDULE);
    assert_eq!(schedule(42), schedule(42));
    assert_ne!(schedule(42), schedule(43));
    for (retry, delay) in schedule(7).into_iter().enumerate() {
        let nominal = 500u64 << retry;
        assert!(
            delay <= nominal && delay >= nominal * 3 / 4,
            "retry {retry}: {delay}"
        );
    }
    // The fifth attempt is the last one.
    let mut jitter = Jitter::new(42);
    assert_eq!(
        decide(
            &policy,
            5,
            Idempotency::Safe,
            status(503, &no_headers),
            0,
            &mut jitter
        ),
        Decision::GiveUp {
            reason: GiveUpReason::Attempts,
            retry_after_ms: None
        }
    );
}

/// The waits before retries 1 to 4 of a call whose jitter is seeded with 42 (SplitMix64): pinned, so
/// a change to the policy or the jitter source shows here.
const SEED_42_SCHEDULE: [u64; 4] = [407, 960, 1_861, 3_656];

#[test]
fn what_is_retried() {
    let policy = RetryPolicy::default();
    let none = headers(&[]);
    let mut jitter = Jitter::new(1);
    for code in [408, 429, 500, 502, 503, 504, 599] {
        assert!(is_retryable_status(code), "{code}");
        assert!(matches!(
            decide(
                &policy,
                1,
                Idempotency::Safe,
                status(code, &none),
                0,
                &mut jitter
            ),
            Decision::Retry { .. }
        ));
    }
    for code in [400, 401, 402, 403, 404, 409, 422] {
        assert!(!is_retryable_status(code), "{code}");
        assert_eq!(
            decide(
                &policy,
                1,
                Idempotency::Safe,
                status(code, &none),
                0,
                &mut jitter
            ),
            Decision::GiveUp {
                reason: GiveUpReason::NotRetryable,
                retry_after_ms: None
            },
            "{code}"
        );
    }
    for outcome in [AttemptOutcome::ConnectionError, AttemptOutcome::Timeout] {
        assert!(matches!(
            decide(&policy, 1, Idempotency::Safe, outcome, 0, &mut jitter),
            Decision::Retry { .. }
        ));
    }
}

#[test]
fn a_call_that_costs_money_is_never_retried() {
    let policy = RetryPolicy::default();
    let none = headers(&[]);
    let asked = headers(&[("retry-after-ms", "10"), ("x-should-retry", "true")]);
    let mut jitter = Jitter::new(1);
    for outcome in [
        status(500, &none),
        status(503, &none),
        status(429, &asked),
        AttemptOutcome::ConnectionError,
        AttemptOutcome::Timeout,
    ] {
        let decision = decide(&policy, 1, Idempotency::Never, outcome, 0, &mut jitter);
        assert!(
            matches!(
                decision,
                Decision::GiveUp {
                    reason: GiveUpReason::NotIdempotent,
                    ..
                }
            ),
            "{outcome:?}: {decision:?}"
        );
    }
}

#[test]
fn the_server_says_how_long_to_wait_up_to_a_minute() {
    let policy = RetryPolicy::default();
    let mut jitter = Jitter::new(1);
    let mut retry = |pairs: &[(&str, &str)]| {
        let h = headers(pairs);
        decide(
            &policy,
            1,
            Idempotency::Safe,
            status(429, &h),
            0,
            &mut jitter,
        )
    };
    assert_eq!(
        retry(&[("retry-after-ms", "1500")]),
        Decision::Retry { delay_ms: 1_500 }
    );
    assert_eq!(
        retry(&[("retry-after-ms", "12.6")]),
        Decision::Retry { delay_ms: 13 }
    );
    assert_eq!(
        retry(&[("Retry-After", "2")]),
        Decision::Retry { delay_ms: 2_000 }
    );
    assert_eq!(
        retry(&[("retry-after", "0")]),
        Decision::Retry { delay_ms: 0 }
    );
    // retry-after-ms wins over retry-after.
    assert_eq!(
        retry(&[("retry-after", "30"), ("retry-after-ms", "250")]),
        Decision::Retry { delay_ms: 250 }
    );
    // An HTTP date, 45 s from now.
    assert_eq!(
        retry(&[("retry-after", "Thu, 26 Nov 2026 12:00:45 GMT")]),
        Decision::Retry { delay_ms: 45_000 }
    );
    assert_eq!(
        retry(&[("retry-after", "60")]),
        Decision::Retry { delay_ms: 60_000 }
    );
    // Longer than a minute: the call ends, and says how long the server asked for.
    assert_eq!(
        retry(&[("retry-after", "61")]),
        Decision::GiveUp {
            reason: GiveUpReason::RetryAfterTooLong,
            retry_after_ms: Some(61_000)
        }
    );
    assert_eq!(
        retry(&[("retry-after", "Thu, 26 Nov 2026 13:00:00 GMT")]),
        Decision::GiveUp {
            reason: GiveUpReason::RetryAfterTooLong,
            retry_after_ms: Some(3_600_000)
        }
    );
    // Unreadable or negative values are ignored: the backoff applies.
    for junk in ["soon", "-5", "NaN", ""] {
        let decision = retry(&[("retry-after", junk)]);
        assert!(
            matches!(decision, Decision::Retry { delay_ms } if (375..=500).contains(&delay_ms)),
            "{junk}: {decision:?}"
        );
    }
    assert_eq!(
        retry_after_ms(
            &headers(&[("retry-after", "Thu, 26 Nov 2026 11:59:00 GMT")]),
            NOW
        ),
        Some(0)
    );
    assert_eq!(
        http_date_ms("Thu, 26 Nov 2026 12:00:45 GMT"),
        Some(NOW + 45_000)
    );
}

#[test]
fn x_should_retry_overrides_the_status() {
    let policy = RetryPolicy::default();
    let mut jitter = Jitter::new(1);
    let yes = headers(&[("x-should-retry", "true")]);
    let no = headers(&[("x-should-retry", "false"), ("retry-after", "1")]);
    assert!(matches!(
        decide(
            &policy,
            1,
            Idempotency::Safe,
            status(409, &yes),
            0,
            &mut jitter
        ),
        Decision::Retry { .. }
    ));
    assert_eq!(
        decide(
            &policy,
            1,
            Idempotency::Safe,
            status(503, &no),
            0,
            &mut jitter
        ),
        Decision::GiveUp {
            reason: GiveUpReason::ServerSaidNo,
            retry_after_ms: Some(1_000)
        }
    );
}

#[test]
fn a_call_stops_retrying_when_the_next_wait_would_pass_its_time_budget() {
    let policy = RetryPolicy {
        max_total_ms: 10_000,
        ..RetryPolicy::default()
    };
    let mut jitter = Jitter::new(1);
    let wait = headers(&[("retry-after-ms", "3000")]);
    assert_eq!(
        decide(
            &policy,
            2,
            Idempotency::Safe,
            status(429, &wait),
            7_000,
            &mut jitter
        ),
        Decision::Retry { delay_ms: 3_000 }
    );
    assert_eq!(
        decide(
            &policy,
            2,
            Idempotency::Safe,
            status(429, &wait),
            7_001,
            &mut jitter
        ),
        Decision::GiveUp {
            reason: GiveUpReason::TotalTime,
            retry_after_ms: Some(3_000)
        }
    );
    let single = RetryPolicy {
        max_attempts: 1,
        ..RetryPolicy::default()
    };
    assert!(matches!(
        decide(
            &single,
            1,
            Idempotency::Safe,
            AttemptOutcome::Timeout,
            0,
            &mut jitter
        ),
        Decision::GiveUp {
            reason: GiveUpReason::Attempts,
            ..
        }
    ));
}

#[test]
fn the_rate_limiter_lets_a_burst_through_then_spaces_requests() {
    // 60 a minute: one a second after a burst of 3.
    let mut limiter = RateLimiter::new(60, 3);
    assert_eq!(limiter.reserve(NOW), 0);
    assert_eq!(limiter.reserve(NOW), 0);
    assert_eq!(limiter.reserve(NOW), 0);
    assert_eq!(limiter.reserve(NOW), 1_000);
    assert_eq!(limiter.reserve(NOW), 2_000);
    // Tokens come back with time, up to the burst.
    let mut limiter = RateLimiter::new(60, 3);
    for _ in 0..3 {
        limiter.reserve(NOW);
    }
    assert_eq!(limiter.reserve(NOW + 1_500), 0);
    assert_eq!(limiter.reserve(NOW + 1_500), 500);
    let mut rested = RateLimiter::new(60, 2);
    rested.reserve(NOW);
    assert_eq!(rested.reserve(NOW + 3_600_000), 0);
    assert_eq!(rested.reserve(NOW + 3_600_000), 0);
    assert_eq!(rested.reserve(NOW + 3_600_000), 1_000);
    // 0 a minute: no limit.
    let mut off = RateLimiter::new(0, 1);
    assert!((0..100).all(|_| off.reserve(NOW) == 0));
}
