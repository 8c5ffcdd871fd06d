//! The deployment decision matrix: the seed's table, with the cases it leaves open closed.
//!
//! The seed's table:
//!
//! | size | usage | monthly | target |
//! |---|---|---|---|
//! | under 3 GB | any | any | local (Ollama) |
//! | 3–10 GB | under 100K tokens/month | under $200 | Together hosting |
//! | 3–10 GB | over 100K tokens/month | over $200 | local GPU |
//! | over 10 GB | any | any | Together hosting |
//!
//! "Monthly" is what hosting the model on Together would cost per month for the expected usage
//! (see `cost.rs`); $200 is the monthly cost of a local GPU server (configurable).
//!
//! The closed rule, applied in this order:
//!
//! 1. `size < 3 GB` → **local (Ollama)**. Exactly 3 GB is not "under 3 GB".
//! 2. `size > 10 GB` → **Together hosting**. Exactly 10 GB is not "over 10 GB".
//! 3. `3 GB ≤ size ≤ 10 GB`:
//!    - usage `< 100K` and Together monthly `< local server cost` → **Together hosting** (the
//!      seed's row);
//!    - usage `≥ 100K` and Together monthly `≥ local server cost` → **local GPU** (the seed's
//!      row; exactly 100K is not "under 100K", exactly $200 is not "under $200");
//!    - the mixed cases (low usage but Together costing at least the server, or high usage but
//!      Together costing less than the server) go to whichever is cheaper per month: Together
//!      when its monthly cost is strictly below the server's, otherwise local GPU (at a tie the
//!      server wins: same money, and its capacity is not metered).
//!
//! A model that does not beat its base model in the evaluation is not deployed at all; that is
//! decided before the matrix (see [`decide`]).

use serde::{Deserialize, Serialize};

/// Below this size (GB) a model runs locally with Ollama.
pub const SMALL_GB: f64 = 3.0;
/// Above this size (GB) a model is hosted on Together.
pub const LARGE_GB: f64 = 10.0;
/// Usage (tokens/month) from which the seed counts usage as high.
pub const HIGH_USAGE_TOKENS: u64 = 100_000;
/// The seed's local GPU server cost (USD/month), the default of the configuration.
pub const LOCAL_SERVER_USD_PER_MONTH: f64 = 200.0;

/// Where a model is deployed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// On the user's machine with Ollama (small models).
    LocalOllama,
    /// On the user's own GPU server (Ollama or another GGUF runtime).
    LocalGpu,
    /// A Together dedicated endpoint.
    Together,
    /// Not deployed: the fine-tune does not beat its base model, or was not evaluated.
    None,
}

/// What the matrix looks at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatrixInput {
    pub size_gb: f64,
    pub usage_tokens_per_month: u64,
    /// What Together hosting would cost per month for that usage.
    pub together_usd_per_month: f64,
    /// The local GPU server's monthly cost.
    pub local_server_usd_per_month: f64,
}

/// The matrix's answer with the rule that fired, in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    pub target: Target,
    /// The matrix cell, e.g. `3-10GB/low-usage/cheap`.
    pub cell: String,
    pub reasons: Vec<String>,
}

/// The matrix alone (the evaluation gate is in [`decide`]). Non-finite or negative figures are
/// treated as the most expensive case for Together (`+inf`), so bad input never hosts by accident.
pub fn matrix(input: &MatrixInput) -> Decision {
    let size = if input.size_gb.is_finite() {
        input.size_gb.max(0.0)
    } else {
        f64::INFINITY
    };
    let together =
        if input.together_usd_per_month.is_finite() && input.together_usd_per_month >= 0.0 {
            input.together_usd_per_month
        } else {
            f64::INFINITY
        };
    let server = if input.local_server_usd_per_month.is_finite() {
        input.local_server_usd_per_month.max(0.0)
    } else {
        LOCAL_SERVER_USD_PER_MONTH
    };
    let usage = input.usage_tokens_per_month;
    if size < SMALL_GB {
        return Decision {
            target: Target::LocalOllama,
            cell: "under-3GB".into(),
            reasons: vec![format!(
                "{size:.2} GB is under {SMALL_GB} GB: it runs locally with Ollama at any usage and budget"
            )],
        };
    }
    if size > LARGE_GB {
        return Decision {
            target: Target::Together,
            cell: "over-10GB".into(),
            reasons: vec![format!(
                "{size:.2} GB is over {LARGE_GB} GB: it is hosted on Together at any usage and budget"
            )],
        };
    }
    let low_usage = usage < HIGH_USAGE_TOKENS;
    let cheap = together < server;
    let usage_words = if low_usage {
        format!("{usage} tokens/month is under {HIGH_USAGE_TOKENS}")
    } else {
        format!("{usage} tokens/month is at least {HIGH_USAGE_TOKENS}")
    };
    let cost_words = if cheap {
        format!("Together at ${together:.2}/month is under the local server's ${server:.2}/month")
    } else {
        format!(
            "Together at ${together:.2}/month is not under the local server's ${server:.2}/month"
        )
    };
    let band = format!("{size:.2} GB is in the 3–10 GB band");
    let (target, cell, rule) = match (low_usage, cheap) {
        (true, true) => (
            Target::Together,
            "3-10GB/low-usage/cheap",
            "the seed's row: Together hosting",
        ),
        (false, false) => (
            Target::LocalGpu,
            "3-10GB/high-usage/expensive",
            "the seed's row: local GPU",
        ),
        (true, false) => (
            Target::LocalGpu,
            "3-10GB/low-usage/expensive",
            "a case the seed leaves open: the cheaper per month wins, and Together is not cheaper",
        ),
        (false, true) => (
            Target::Together,
            "3-10GB/high-usage/cheap",
            "a case the seed leaves open: the cheaper per month wins, and Together is cheaper",
        ),
    };
    Decision {
        target,
        cell: cell.into(),
        reasons: vec![band, usage_words, cost_words, rule.into()],
    }
}

/// The evaluation's verdict for the gate in [`decide`].
#[derive(Debug, Clone, PartialEq)]
pub enum Gate {
    /// The fine-tune beats its base (win rate over one half, with the figures in words).
    Beats(String),
    /// It does not; the reason says by how much.
    DoesNotBeat(String),
    /// It was not evaluated (skipped with this reason).
    NotEvaluated(String),
}

/// The deployment decision: the evaluation gate, then the matrix.
pub fn decide(gate: &Gate, input: &MatrixInput) -> Decision {
    match gate {
        Gate::Beats(why) => {
            let mut decision = matrix(input);
            decision.reasons.insert(0, why.clone());
            decision
        }
        Gate::DoesNotBeat(why) => Decision {
            target: Target::None,
            cell: "does-not-beat-base".into(),
            reasons: vec![
                why.clone(),
                "a fine-tune that does not beat its base model is not deployed".into(),
            ],
        },
        Gate::NotEvaluated(why) => Decision {
            target: Target::None,
            cell: "not-evaluated".into(),
            reasons: vec![
                why.clone(),
                "a fine-tune that was not shown to beat its base model is not deployed".into(),
            ],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(size_gb: f64, usage: u64, together: f64) -> MatrixInput {
        MatrixInput {
            size_gb,
            usage_tokens_per_month: usage,
            together_usd_per_month: together,
            local_server_usd_per_month: 200.0,
        }
    }

    #[test]
    fn every_cell_and_boundary() {
        use Target::*;
        // (size GB, tokens/month, Together $/month, expected target, expected cell)
        let table: &[(f64, u64, f64, Target, &str)] = &[
            // under 3 GB: any usage, any cost
            (0.0, 0, 0.0, LocalOllama, "under-3GB"),
            (0.84, 10_000_000, 10_000.0, LocalOllama, "under-3GB"),
            (2.999, 99_999, 199.99, LocalOllama, "under-3GB"),
            (2.999, 100_000, 200.0, LocalOllama, "under-3GB"),
            // exactly 3 GB is in the band
            (3.0, 99_999, 199.99, Together, "3-10GB/low-usage/cheap"),
            (3.0, 100_000, 200.0, LocalGpu, "3-10GB/high-usage/expensive"),
            // the band's four cells
            (5.0, 50_000, 50.0, Together, "3-10GB/low-usage/cheap"),
            (
                5.0,
                5_000_000,
                900.0,
                LocalGpu,
                "3-10GB/high-usage/expensive",
            ),
            (5.0, 50_000, 900.0, LocalGpu, "3-10GB/low-usage/expensive"),
            (5.0, 5_000_000, 50.0, Together, "3-10GB/high-usage/cheap"),
            // usage boundary: 99,999 is under, 100,000 is not
            (5.0, 99_999, 100.0, Together, "3-10GB/low-usage/cheap"),
            (5.0, 100_000, 100.0, Together, "3-10GB/high-usage/cheap"),
            (5.0, 100_000, 300.0, LocalGpu, "3-10GB/high-usage/expensive"),
            (5.0, 99_999, 300.0, LocalGpu, "3-10GB/low-usage/expensive"),
            // cost boundary: $199.99 is under, $200 is not (a tie goes to the server)
            (5.0, 1_000, 199.99, Together, "3-10GB/low-usage/cheap"),
            (5.0, 1_000, 200.0, LocalGpu, "3-10GB/low-usage/expensive"),
            (5.0, 1_000_000, 199.99, Together, "3-10GB/high-usage/cheap"),
            (
                5.0,
                1_000_000,
                200.0,
                LocalGpu,
                "3-10GB/high-usage/expensive",
            ),
            // exactly 10 GB is in the band
            (10.0, 1_000, 10.0, Together, "3-10GB/low-usage/cheap"),
            (
                10.0,
                1_000_000,
                500.0,
                LocalGpu,
                "3-10GB/high-usage/expensive",
            ),
            // over 10 GB: any usage, any cost
            (10.001, 1_000_000, 500.0, Together, "over-10GB"),
            (140.0, 0, 0.0, Together, "over-10GB"),
            (140.0, u64::MAX, 1e9, Together, "over-10GB"),
        ];
        for &(size, usage, together, target, cell) in table {
            let got = matrix(&input(size, usage, together));
            assert_eq!(
                (got.target, got.cell.as_str()),
                (target, cell),
                "size {size} usage {usage} together {together}"
            );
            assert!(!got.reasons.is_empty());
        }
    }

    #[test]
    fn the_server_cost_is_configurable() {
        let mut case = input(5.0, 1_000, 250.0);
        assert_eq!(matrix(&case).target, Target::LocalGpu);
        case.local_server_usd_per_month = 300.0;
        assert_eq!(matrix(&case).target, Target::Together);
    }

    #[test]
    fn bad_figures_never_host_by_accident() {
        assert_eq!(
            matrix(&input(5.0, 1_000, f64::NAN)).target,
            Target::LocalGpu
        );
        assert_eq!(matrix(&input(5.0, 1_000, -1.0)).target, Target::LocalGpu);
        assert_eq!(
            matrix(&input(f64::NAN, 1_000, 1.0)).target,
            Target::Together
        );
    }

    #[test]
    fn the_evaluation_gates_the_matrix() {
        let case = input(140.0, 1_000_000, 500.0);
        let beats = decide(&Gate::Beats("wins 7 of 10".into()), &case);
        assert_eq!(beats.target, Target::Together);
        assert_eq!(beats.reasons[0], "wins 7 of 10");
        let loses = decide(&Gate::DoesNotBeat("wins 3 of 10".into()), &case);
        assert_eq!(loses.target, Target::None);
        assert_eq!(loses.cell, "does-not-beat-base");
        let skipped = decide(
            &Gate::NotEvaluated("over the evaluation budget".into()),
            &case,
        );
        assert_eq!(skipped.target, Target::None);
        assert!(skipped.reasons[0].contains("budget"));
    }
}
