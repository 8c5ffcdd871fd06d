//! Cost analysis: what hosting a model on Together costs per month for the expected usage,
//! against a local GPU server, and the usage at which they cost the same.
//!
//! Figures and assumptions:
//! - A month is 30 days = 43,200 minutes.
//! - Per-token hosting (serverless): `usage / 1e6 × rate` with the rate in USD per million
//!   tokens. DeepSeek-R1-Distill fine-tunes have no serverless LoRA serving on Together, so for
//!   them this basis exists only when the caller supplies a rate.
//! - Dedicated endpoint: billed per minute while it runs, idle or not (`GET /hardware`'s
//!   `pricing.cents_per_minute`). The month is priced at `running minutes × cents / 100`; the
//!   default is an endpoint kept up all month (43,200 minutes). Its cost does not depend on the
//!   tokens served, so against a flat-priced server there is no break-even in tokens: the
//!   analysis gives instead the per-minute price at which both cost the same
//!   (`server $ × 100 / minutes`, 0.463 ¢/min for $200 and a full month).
//! - Local GPU server: a flat monthly figure (the seed's $200, configurable), whatever the usage.
//! - Break-even against per-token hosting: `server $ / rate × 1e6` tokens per month (with
//!   $200 and $0.18 per million: 1,111,111,111 tokens; with $2.00 per million: 100,000,000).

use serde::{Deserialize, Serialize};

use crate::together::types::{Hardware, HardwareAvailability};

/// Minutes in the month the cost model uses (30 days).
pub const MINUTES_PER_MONTH: f64 = 43_200.0;

/// How Together's monthly figure was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum CostBasis {
    PerToken,
    Dedicated,
    /// No price was known: the figure is infinite (shown as `null`).
    Unknown,
}

/// The cost analysis of one model, shown in the status and the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct CostAnalysis {
    pub usage_tokens_per_month: u64,
    pub basis: CostBasis,
    /// Together's monthly cost for the usage; `None` when no price is known.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub together_usd_per_month: Option<f64>,
    /// The dedicated hardware priced, when the basis is dedicated.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string | null"))]
    pub hardware: Option<String>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub cents_per_minute: Option<f64>,
    pub running_minutes_per_month: f64,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub per_token_usd_per_million: Option<f64>,
    pub local_server_usd_per_month: f64,
    /// Tokens per month at which per-token hosting costs as much as the server.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub break_even_tokens_per_month: Option<u64>,
    /// The dedicated price (¢/min) at which the endpoint costs as much as the server.
    pub break_even_cents_per_minute: f64,
    /// What the fine-tune cost (Together's `total_price`).
    pub training_usd: f64,
}

/// Per-token monthly cost.
pub fn per_token_usd(usage_tokens: u64, usd_per_million: f64) -> f64 {
    usage_tokens as f64 / 1e6 * usd_per_million
}

/// Dedicated endpoint monthly cost.
pub fn dedicated_usd(cents_per_minute: f64, running_minutes: f64) -> f64 {
    cents_per_minute * running_minutes / 100.0
}

/// Tokens per month at which per-token hosting costs as much as the server; `None` for a rate
/// that is not positive.
pub fn break_even_tokens(server_usd: f64, usd_per_million: f64) -> Option<u64> {
    if !(usd_per_million.is_finite() && usd_per_million > 0.0 && server_usd.is_finite()) {
        return None;
    }
    let tokens = (server_usd.max(0.0) / usd_per_million * 1e6).round();
    (tokens < u64::MAX as f64).then_some(tokens as u64)
}

/// The dedicated price (¢/min) at which an endpoint running `running_minutes` a month costs as
/// much as the server.
pub fn break_even_cents_per_minute(server_usd: f64, running_minutes: f64) -> f64 {
    if running_minutes > 0.0 {
        server_usd * 100.0 / running_minutes
    } else {
        f64::INFINITY
    }
}

/// The cheapest hardware that is available (or whose availability is not reported) and priced.
pub fn cheapest_hardware(hardware: &[Hardware]) -> Option<(&Hardware, f64)> {
    hardware
        .iter()
        .filter(|hw| {
            hw.availability
                .as_ref()
                .and_then(|a| a.status.as_ref())
                .is_none_or(|status| *status == HardwareAvailability::Available)
        })
        .filter_map(|hw| {
            let cents = hw.pricing.as_ref()?.cents_per_minute?;
            (cents.is_finite() && cents >= 0.0).then_some((hw, cents))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.id.cmp(&b.0.id)))
}

/// What the analysis is computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct CostInput<'a> {
    pub usage_tokens_per_month: u64,
    pub per_token_usd_per_million: Option<f64>,
    pub hardware: &'a [Hardware],
    pub running_minutes_per_month: f64,
    pub local_server_usd_per_month: f64,
    pub training_usd: f64,
}

/// The analysis: per-token when a rate is known, otherwise the cheapest dedicated hardware.
pub fn analyse(input: &CostInput<'_>) -> CostAnalysis {
    let server = input.local_server_usd_per_month;
    let rate = input
        .per_token_usd_per_million
        .filter(|r| r.is_finite() && *r >= 0.0);
    let cheapest = cheapest_hardware(input.hardware);
    let (basis, monthly, hardware, cents) = match (rate, cheapest) {
        (Some(rate), _) => (
            CostBasis::PerToken,
            Some(per_token_usd(input.usage_tokens_per_month, rate)),
            None,
            None,
        ),
        (None, Some((hw, cents))) => (
            CostBasis::Dedicated,
            Some(dedicated_usd(cents, input.running_minutes_per_month)),
            Some(hw.id.clone()),
            Some(cents),
        ),
        (None, None) => (CostBasis::Unknown, None, None, None),
    };
    CostAnalysis {
        usage_tokens_per_month: input.usage_tokens_per_month,
        basis,
        together_usd_per_month: monthly,
        hardware,
        cents_per_minute: cents,
        running_minutes_per_month: input.running_minutes_per_month,
        per_token_usd_per_million: rate,
        local_server_usd_per_month: server,
        break_even_tokens_per_month: rate.and_then(|r| break_even_tokens(server, r)),
        break_even_cents_per_minute: break_even_cents_per_minute(
            server,
            input.running_minutes_per_month,
        ),
        training_usd: input.training_usd,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::together::types::{HardwarePricing, HardwareStatus};

    fn hw(id: &str, cents: Option<f64>, status: Option<HardwareAvailability>) -> Hardware {
        Hardware {
            id: id.into(),
            pricing: Some(HardwarePricing {
                cents_per_minute: cents,
            }),
            availability: status.map(|status| HardwareStatus {
                status: Some(status),
            }),
            ..Hardware::default()
        }
    }

    #[test]
    fn break_even_figures() {
        assert_eq!(break_even_tokens(200.0, 2.0), Some(100_000_000));
        assert_eq!(break_even_tokens(200.0, 0.18), Some(1_111_111_111));
        assert_eq!(break_even_tokens(300.0, 2.0), Some(150_000_000));
        assert_eq!(break_even_tokens(200.0, 0.0), None);
        assert_eq!(break_even_tokens(200.0, f64::NAN), None);
        // At the break-even both sides cost the server's $200.
        assert!((per_token_usd(100_000_000, 2.0) - 200.0).abs() < 1e-9);
        let cents = break_even_cents_per_minute(200.0, MINUTES_PER_MONTH);
        assert!((cents - 0.462_962_962_962).abs() < 1e-9);
        assert!((dedicated_usd(cents, MINUTES_PER_MONTH) - 200.0).abs() < 1e-9);
        assert!(break_even_cents_per_minute(200.0, 0.0).is_infinite());
    }

    #[test]
    fn monthly_costs() {
        assert!((per_token_usd(1_000_000, 0.18) - 0.18).abs() < 1e-12);
        assert!((per_token_usd(99_999, 2.0) - 0.199_998).abs() < 1e-12);
        // An H100 at 5.5 ¢/min kept up all month: $2,376.
        assert!((dedicated_usd(5.5, MINUTES_PER_MONTH) - 2_376.0).abs() < 1e-9);
        // One hour a day.
        assert!((dedicated_usd(5.5, 30.0 * 60.0) - 99.0).abs() < 1e-9);
    }

    #[test]
    fn picks_the_cheapest_available_hardware() {
        let list = vec![
            hw("8x_h100", Some(44.0), Some(HardwareAvailability::Available)),
            hw(
                "1x_a100",
                Some(2.5),
                Some(HardwareAvailability::Unavailable),
            ),
            hw("1x_l40s", Some(3.0), None),
            hw("1x_h100", Some(5.5), Some(HardwareAvailability::Available)),
            hw("unpriced", None, Some(HardwareAvailability::Available)),
        ];
        let (best, cents) = cheapest_hardware(&list).unwrap();
        assert_eq!((best.id.as_str(), cents), ("1x_l40s", 3.0));
        assert!(cheapest_hardware(&list[1..2]).is_none());
        assert!(cheapest_hardware(&[]).is_none());
    }

    #[test]
    fn analysis_prefers_a_known_rate_and_falls_back_to_dedicated() {
        let list = vec![hw("1x_h100", Some(5.5), None)];
        let mut input = CostInput {
            usage_tokens_per_month: 1_000_000,
            per_token_usd_per_million: None,
            hardware: &list,
            running_minutes_per_month: MINUTES_PER_MONTH,
            local_server_usd_per_month: 200.0,
            training_usd: 1.25,
        };
        let dedicated = analyse(&input);
        assert_eq!(dedicated.basis, CostBasis::Dedicated);
        assert_eq!(dedicated.hardware.as_deref(), Some("1x_h100"));
        assert!((dedicated.together_usd_per_month.unwrap() - 2_376.0).abs() < 1e-9);
        assert_eq!(dedicated.break_even_tokens_per_month, None);
        assert_eq!(dedicated.training_usd, 1.25);
        input.per_token_usd_per_million = Some(2.0);
        let per_token = analyse(&input);
        assert_eq!(per_token.basis, CostBasis::PerToken);
        assert!((per_token.together_usd_per_month.unwrap() - 2.0).abs() < 1e-12);
        assert_eq!(per_token.break_even_tokens_per_month, Some(100_000_000));
        input.per_token_usd_per_million = None;
        input.hardware = &[];
        let unknown = analyse(&input);
        assert_eq!(unknown.basis, CostBasis::Unknown);
        assert_eq!(unknown.together_usd_per_month, None);
    }
}
