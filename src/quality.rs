//! The quality score of a captured example, kept with its components so a dataset build can filter
//! on the score and explain it.
//!
//! The seed report's rule: base 0.5, +0.3 for a successful completion, +0.1 for two or more files,
//! +0.1 for an execution under 30 s, +0.1 for more than three files, at most 1.0.

use serde::{Deserialize, Serialize};

/// Executions faster than this earn the speed bonus.
pub const FAST_EXECUTION_MS: f64 = 30_000.0;

/// Each component is the amount it added to the score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct QualityComponents {
    pub base: f64,
    pub successful_completion: f64,
    pub multiple_files: f64,
    pub fast_execution: f64,
    pub many_files: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct QualityScore {
    /// Between 0.5 and 1.0, in steps of 0.1.
    pub score: f64,
    pub components: QualityComponents,
}

pub fn score(successful: bool, file_count: usize, execution_time_ms: Option<f64>) -> QualityScore {
    // Summed in tenths so that scores are exact decimals (0.9, not 0.8999999999999999).
    let base = 5;
    let successful_completion = if successful { 3 } else { 0 };
    let multiple_files = if file_count >= 2 { 1 } else { 0 };
    let fast_execution = match execution_time_ms {
        Some(ms) if ms < FAST_EXECUTION_MS => 1,
        _ => 0,
    };
    let many_files = if file_count > 3 { 1 } else { 0 };
    let total =
        (base + successful_completion + multiple_files + fast_execution + many_files).min(10);
    let tenths = |n: i32| f64::from(n) / 10.0;
    QualityScore {
        score: tenths(total),
        components: QualityComponents {
            base: tenths(base),
            successful_completion: tenths(successful_completion),
            multiple_files: tenths(multiple_files),
            fast_execution: tenths(fast_execution),
            many_files: tenths(many_files),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::score;

    #[test]
    fn follows_the_seed_rule() {
        assert_eq!(score(true, 1, None).score, 0.8);
        assert_eq!(score(true, 2, None).score, 0.9);
        assert_eq!(score(true, 2, Some(29_999.0)).score, 1.0);
        assert_eq!(score(true, 3, Some(30_000.0)).score, 0.9);
        assert_eq!(score(true, 4, None).score, 1.0);
        // Every bonus at once is capped at 1.0.
        assert_eq!(score(true, 8, Some(1.0)).score, 1.0);
        assert_eq!(score(false, 1, None).score, 0.5);
        let components = score(true, 4, Some(10.0)).components;
        assert_eq!(components.many_files, 0.1);
        assert_eq!(components.fast_execution, 0.1);
    }
}
