//! The cost ledger: what each job is estimated to cost and what it has cost so far, against the
//! budget. Amounts are kept in nano-dollars (Together's `total_price` unit) so sums never drift.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub const NANO_PER_USD: f64 = 1e9;

pub fn usd_to_nano(usd: f64) -> u64 {
    if usd.is_finite() && usd > 0.0 {
        (usd * NANO_PER_USD).round() as u64
    } else {
        0
    }
}

pub fn nano_to_usd(nano: u64) -> f64 {
    nano as f64 / NANO_PER_USD
}

/// The estimates exceed the budget: nothing may be created.
#[derive(Debug, Clone, PartialEq)]
pub struct OverBudget {
    pub estimated_usd: f64,
    pub budget_usd: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct JobCost {
    /// From `POST /fine-tunes/estimate-price`, before the job exists.
    pub estimated_nano: u64,
    /// The job's latest `total_price`.
    pub spent_nano: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Ledger {
    pub budget_nano: u64,
    /// By job slot (`small`, `large`).
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, JobCost>"))]
    pub jobs: BTreeMap<String, JobCost>,
}

impl Ledger {
    pub fn new(budget_usd: f64) -> Self {
        Ledger {
            budget_nano: usd_to_nano(budget_usd),
            jobs: BTreeMap::new(),
        }
    }

    /// Records the price estimates of the jobs about to be created; refuses when their sum, with
    /// what was already spent, is over the budget.
    pub fn approve_estimates(&mut self, estimates_usd: &[(&str, f64)]) -> Result<(), OverBudget> {
        let estimated: u64 = estimates_usd.iter().map(|(_, usd)| usd_to_nano(*usd)).sum();
        let total = estimated + self.spent_nano();
        if total > self.budget_nano {
            return Err(OverBudget {
                estimated_usd: nano_to_usd(total),
                budget_usd: nano_to_usd(self.budget_nano),
            });
        }
        for (job, usd) in estimates_usd {
            self.jobs
                .entry((*job).to_owned())
                .or_default()
                .estimated_nano = usd_to_nano(*usd);
        }
        Ok(())
    }

    /// Records a job's latest `total_price` (nano-dollars; it only ever grows) and says whether the
    /// pipeline is now past its budget.
    pub fn record_spend(&mut self, job: &str, total_price_nano: u64) -> bool {
        let cost = self.jobs.entry(job.to_owned()).or_default();
        cost.spent_nano = cost.spent_nano.max(total_price_nano);
        self.over_budget()
    }

    pub fn spent_nano(&self) -> u64 {
        self.jobs.values().map(|job| job.spent_nano).sum()
    }

    pub fn over_budget(&self) -> bool {
        self.spent_nano() > self.budget_nano
    }

    pub fn remaining_usd(&self) -> f64 {
        nano_to_usd(self.budget_nano.saturating_sub(self.spent_nano()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_are_approved_only_within_the_budget() {
        let mut ledger = Ledger::new(10.0);
        let over = ledger
            .approve_estimates(&[("small", 1.25), ("large", 9.0)])
            .unwrap_err();
        assert_eq!(
            over,
            OverBudget {
                estimated_usd: 10.25,
                budget_usd: 10.0
            }
        );
        assert!(
            ledger.jobs.is_empty(),
            "nothing recorded for a refused plan"
        );
        ledger
            .approve_estimates(&[("small", 1.25), ("large", 8.75)])
            .unwrap();
        assert_eq!(ledger.jobs["large"].estimated_nano, 8_750_000_000);
    }

    #[test]
    fn spending_follows_total_price_and_never_goes_down() {
        let mut ledger = Ledger::new(2.0);
        assert!(!ledger.record_spend("small", 500_000_000));
        assert!(
            !ledger.record_spend("small", 400_000_000),
            "a stale, lower price is ignored"
        );
        assert_eq!(ledger.spent_nano(), 500_000_000);
        assert!(!ledger.record_spend("large", 1_500_000_000));
        assert_eq!(ledger.remaining_usd(), 0.0);
        assert!(
            ledger.record_spend("large", 1_500_000_001),
            "one nano-dollar over"
        );
    }
}
