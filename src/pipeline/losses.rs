//! The loss curve of a job, from Together's metrics rows, for the dashboard's chart.
//!
//! Together answers `GET /fine-tunes/{id}/metrics` with the whole series in chronological order:
//! flat rows such as `{"train/loss": 0.5, "train/global_step": 10}` and, at evaluation steps,
//! `{"eval/loss": 0.6, "train/global_step": 10}`. Rows at one step are merged into one point.

use serde::{Deserialize, Serialize};

/// The most points kept per job: enough for a chart, small enough for the stored state.
pub const MAX_POINTS: usize = 200;

/// Losses at one training step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct LossPoint {
    pub step: u64,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub training_loss: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub validation_loss: Option<f64>,
}

/// The curve of `rows`, at most `MAX_POINTS` long. A row without a step belongs to the step of
/// the row before it; rows before any step, and losses that are not finite, are left out.
pub fn loss_curve(rows: &[std::collections::BTreeMap<String, f64>]) -> Vec<LossPoint> {
    let mut points: Vec<LossPoint> = Vec::new();
    let mut step: Option<u64> = None;
    for row in rows {
        if let Some(s) = row.get("train/global_step") {
            if s.is_finite() && *s >= 0.0 {
                step = Some(*s as u64);
            }
        }
        let Some(at) = step else { continue };
        let finite = |key: &str| row.get(key).copied().filter(|v| v.is_finite());
        let (training, validation) = (finite("train/loss"), finite("eval/loss"));
        if training.is_none() && validation.is_none() {
            continue;
        }
        if points.last().is_none_or(|last| last.step != at) {
            points.push(LossPoint {
                step: at,
                training_loss: None,
                validation_loss: None,
            });
        }
        let point = points.last_mut().expect("pushed above");
        point.training_loss = training.or(point.training_loss);
        point.validation_loss = validation.or(point.validation_loss);
    }
    thin(points)
}

/// Keeps every validation point, the first and the last, and training points evenly spaced.
fn thin(points: Vec<LossPoint>) -> Vec<LossPoint> {
    if points.len() <= MAX_POINTS {
        return points;
    }
    let last = points.len() - 1;
    let validations = points
        .iter()
        .filter(|p| p.validation_loss.is_some())
        .count();
    let room = MAX_POINTS.saturating_sub(validations).max(2);
    let every = last.div_ceil(room - 1).max(1);
    let mut kept: Vec<LossPoint> = points
        .into_iter()
        .enumerate()
        .filter(|(i, p)| *i == 0 || *i == last || i % every == 0 || p.validation_loss.is_some())
        .map(|(_, p)| p)
        .collect();
    // Many validation points could still leave too many: keep the newest.
    if kept.len() > MAX_POINTS {
        let first = kept.remove(0);
        let start = kept.len() - (MAX_POINTS - 1);
        kept = std::iter::once(first).chain(kept.drain(start..)).collect();
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn row(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn merges_rows_of_one_step() {
        let rows = vec![
            row(&[("train/loss", 1.0), ("train/global_step", 1.0)]),
            row(&[("train/loss", 0.8), ("train/global_step", 2.0)]),
            row(&[("eval/loss", 0.9), ("train/global_step", 2.0)]),
            row(&[("eval/loss", f64::NAN)]),
        ];
        let curve = loss_curve(&rows);
        assert_eq!(curve.len(), 2);
        assert_eq!(curve[1].training_loss, Some(0.8));
        assert_eq!(curve[1].validation_loss, Some(0.9));
    }

    #[test]
    fn rows_before_any_step_are_left_out() {
        let curve = loss_curve(&[row(&[("train/loss", 1.0)])]);
        assert!(curve.is_empty());
    }

    #[test]
    fn long_series_are_thinned_keeping_ends_and_validations() {
        let mut rows = Vec::new();
        for step in 1..=5_000 {
            rows.push(row(&[
                ("train/loss", 1.0 / step as f64),
                ("train/global_step", step as f64),
            ]));
            if step % 500 == 0 {
                rows.push(row(&[
                    ("eval/loss", 0.5),
                    ("train/global_step", step as f64),
                ]));
            }
        }
        let curve = loss_curve(&rows);
        assert!(curve.len() <= MAX_POINTS, "{} points", curve.len());
        assert!(curve.len() > MAX_POINTS / 2);
        assert_eq!(curve.first().map(|p| p.step), Some(1));
        assert_eq!(curve.last().map(|p| p.step), Some(5_000));
        assert_eq!(
            curve.iter().filter(|p| p.validation_loss.is_some()).count(),
            10
        );
        assert!(curve.windows(2).all(|w| w[0].step < w[1].step));
    }
}
