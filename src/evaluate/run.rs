//! The evaluation's plan and summary: which test requests are asked (under a sample cap), what
//! hosting the fine-tune for them would cost (against the evaluation's budget), and the per-model
//! figures once both models have answered.
//!
//! A fine-tuned DeepSeek-R1-Distill model is served only on a dedicated endpoint, billed per
//! minute. The estimate is `cents/min × (startup + samples × minutes per sample) / 100` with
//! 10 minutes of startup and half a minute per sample (both models' answers); the real cost is
//! measured from the endpoint's running minutes. The base model is asked serverless.

use serde::{Deserialize, Serialize};

use crate::dataset::render::{ASSISTANT, USER};
use crate::evaluate::score::AnswerScore;

/// Minutes an endpoint is assumed to take to start, for the estimate.
pub const STARTUP_MINUTES: f64 = 10.0;
/// Minutes per evaluated request (two answers), for the estimate.
pub const MINUTES_PER_SAMPLE: f64 = 0.5;
/// A fine-tune wins a request when its score is above the base's by more than this.
pub const WIN_MARGIN: f64 = 1e-9;

/// One request of the test split and its reference answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestCase {
    /// The user's request as the chat API takes it.
    pub request: String,
    /// The reference completion (reasoning included when the format carries it).
    pub reference: String,
}

/// Reads a test split line in any of the dataset's formats: instruction
/// (`prompt`/`completion` with the R1 template pre-rendered), or messages (with an optional
/// `reasoning` field on the assistant turn). `None` for a line that is neither.
pub fn test_case(line: &str) -> Option<TestCase> {
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    if let (Some(prompt), Some(completion)) = (
        value.get("prompt").and_then(|v| v.as_str()),
        value.get("completion").and_then(|v| v.as_str()),
    ) {
        let after_user = prompt.split_once(USER).map_or(prompt, |(_, rest)| rest);
        let request = after_user
            .rsplit_once(ASSISTANT)
            .map_or(after_user, |(head, _)| head);
        return Some(TestCase {
            request: request.to_owned(),
            reference: completion.to_owned(),
        });
    }
    let messages = value.get("messages")?.as_array()?;
    let content = |role: &str| {
        messages
            .iter()
            .find(|m| m.get("role").and_then(|r| r.as_str()) == Some(role))
    };
    let user = content("user")?.get("content")?.as_str()?.to_owned();
    let assistant = content("assistant")?;
    let answer = assistant.get("content")?.as_str()?;
    let reference = match assistant.get("reasoning").and_then(|r| r.as_str()) {
        Some(reasoning) => format!("<think>\n{reasoning}\n</think>\n\n{answer}"),
        None => answer.to_owned(),
    };
    Some(TestCase {
        request: user,
        reference,
    })
}

/// Indices of `cap` requests out of `total`, spread evenly and in order (all when `cap ≥ total`).
pub fn sample_indices(total: usize, cap: usize) -> Vec<usize> {
    if cap >= total {
        return (0..total).collect();
    }
    (0..cap).map(|k| k * total / cap).collect()
}

/// The estimated cost of hosting the fine-tune for `samples` requests.
pub fn estimated_hosting_usd(cents_per_minute: f64, samples: usize) -> f64 {
    cents_per_minute * (STARTUP_MINUTES + samples as f64 * MINUTES_PER_SAMPLE) / 100.0
}

/// Whether the evaluation may run: `Err` carries the reason it is skipped.
pub fn check_budget(cents_per_minute: f64, samples: usize, budget_usd: f64) -> Result<f64, String> {
    if samples == 0 {
        return Err("the test split has no requests to evaluate".into());
    }
    let usd = estimated_hosting_usd(cents_per_minute, samples);
    if usd > budget_usd {
        return Err(format!(
            "hosting the fine-tune for {samples} requests is estimated at ${usd:.2} ({cents_per_minute} ¢/min for {:.1} min), over the evaluation budget of ${budget_usd:.2}",
            STARTUP_MINUTES + samples as f64 * MINUTES_PER_SAMPLE
        ));
    }
    Ok(usd)
}

/// Both models' scores on one request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct SamplePair {
    pub index: u32,
    pub tuned: AnswerScore,
    pub base: AnswerScore,
    pub tokens: u64,
}

/// Mean scores of one model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct MeanScores {
    pub score: f64,
    pub files: f64,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub parses: Option<f64>,
    pub tokens: f64,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub think: Option<f64>,
}

/// The evaluation of one fine-tune against its base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct EvaluationSummary {
    pub samples: u32,
    pub wins: u32,
    pub ties: u32,
    pub losses: u32,
    /// `(wins + ties / 2) / samples`.
    pub win_rate: f64,
    pub tuned: MeanScores,
    pub base: MeanScores,
    /// The fine-tune beats its base: a win rate over one half and a higher mean score.
    pub beats_base: bool,
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0u32), |(s, n), v| (s + v, n + 1));
    if n == 0 {
        0.0
    } else {
        sum / f64::from(n)
    }
}

fn mean_opt(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let present: Vec<f64> = values.flatten().collect();
    (!present.is_empty()).then(|| mean(present.into_iter()))
}

fn means(scores: &[&AnswerScore]) -> MeanScores {
    MeanScores {
        score: mean(scores.iter().map(|s| s.score)),
        files: mean(scores.iter().map(|s| s.files)),
        parses: mean_opt(scores.iter().map(|s| s.parses)),
        tokens: mean(scores.iter().map(|s| s.tokens)),
        think: mean_opt(scores.iter().map(|s| s.think)),
    }
}

/// Summarizes the pairs.
pub fn summarize(pairs: &[SamplePair]) -> EvaluationSummary {
    let (mut wins, mut ties, mut losses) = (0, 0, 0);
    for pair in pairs {
        let diff = pair.tuned.score - pair.base.score;
        if diff > WIN_MARGIN {
            wins += 1;
        } else if diff < -WIN_MARGIN {
            losses += 1;
        } else {
            ties += 1;
        }
    }
    let samples = pairs.len() as u32;
    let win_rate = if samples == 0 {
        0.0
    } else {
        (f64::from(wins) + f64::from(ties) / 2.0) / f64::from(samples)
    };
    let tuned = means(&pairs.iter().map(|p| &p.tuned).collect::<Vec<_>>());
    let base = means(&pairs.iter().map(|p| &p.base).collect::<Vec<_>>());
    EvaluationSummary {
        samples,
        wins,
        ties,
        losses,
        win_rate,
        beats_base: samples > 0 && win_rate > 0.5 && tuned.score > base.score,
        tuned,
        base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(value: f64) -> AnswerScore {
        AnswerScore {
            files: value,
            parses: None,
            tokens: value,
            think: None,
            score: value,
            blocks_parsed: 0,
            blocks_failed: 0,
            blocks_unchecked: 0,
            first_parse_error: None,
        }
    }

    fn pair(tuned: f64, base: f64) -> SamplePair {
        SamplePair {
            index: 0,
            tuned: score(tuned),
            base: score(base),
            tokens: 10,
        }
    }

    #[test]
    fn reads_both_formats() {
        let instruction = serde_json::json!({
            "prompt": "<｜User｜>Build X<｜Assistant｜>",
            "completion": "<think>\nr\n</think>\n\nA<｜end▁of▁sentence｜>"
        })
        .to_string();
        let case = test_case(&instruction).unwrap();
        assert_eq!(case.request, "Build X");
        assert!(case.reference.starts_with("<think>"));
        let messages = serde_json::json!({"messages": [
            {"role": "user", "content": "Build Y"},
            {"role": "assistant", "content": "B", "reasoning": "why"}
        ]})
        .to_string();
        let case = test_case(&messages).unwrap();
        assert_eq!(
            (case.request.as_str(), case.reference.as_str()),
            ("Build Y", "<think>\nwhy\n</think>\n\nB")
        );
        assert_eq!(test_case("not json"), None);
        assert_eq!(test_case("{\"text\": \"x\"}"), None);
    }

    #[test]
    fn samples_under_the_cap() {
        assert_eq!(sample_indices(3, 20), vec![0, 1, 2]);
        assert_eq!(sample_indices(10, 4), vec![0, 2, 5, 7]);
        assert_eq!(sample_indices(10, 0), Vec::<usize>::new());
    }

    #[test]
    fn skips_over_the_budget() {
        // 4 ¢/min for 10 + 20 × 0.5 = 20 minutes: $0.80.
        assert!((check_budget(4.0, 20, 5.0).unwrap() - 0.8).abs() < 1e-12);
        let reason = check_budget(44.0, 4, 5.0).unwrap_err();
        assert!(
            reason.contains("$5.28") && reason.contains("$5.00"),
            "{reason}"
        );
        assert!(check_budget(4.0, 0, 5.0)
            .unwrap_err()
            .contains("no requests"));
        // Exactly at the budget runs.
        assert!(check_budget(10.0, 20, 2.0).is_ok());
    }

    #[test]
    fn win_rate_and_verdict() {
        let s = summarize(&[
            pair(0.9, 0.1),
            pair(0.8, 0.2),
            pair(0.5, 0.5),
            pair(0.1, 0.4),
        ]);
        assert_eq!((s.wins, s.ties, s.losses), (2, 1, 1));
        assert!((s.win_rate - 0.625).abs() < 1e-12);
        assert!(s.beats_base);
        let even = summarize(&[pair(0.5, 0.5), pair(0.5, 0.5)]);
        assert_eq!(even.win_rate, 0.5);
        assert!(!even.beats_base);
        let worse = summarize(&[pair(0.1, 0.9)]);
        assert!(!worse.beats_base);
        assert!(!summarize(&[]).beats_base);
    }
}
