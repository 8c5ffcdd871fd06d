//! `manifest.json`: what a dataset build produced, per profile, and what it cost to leave out.

use serde::{Deserialize, Serialize};

use crate::dataset::options::BuildOptions;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct SplitCounts {
    pub train: u64,
    pub validation: u64,
    pub test: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct SplitFiles {
    pub train: String,
    pub validation: String,
    pub test: String,
}

/// Examples left out, by reason.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Dropped {
    /// Quality score under `minQuality`.
    pub low_quality: u64,
    /// Same content as an example already taken.
    pub duplicate: u64,
    /// Too similar to a better example (MinHash).
    pub near_duplicate: u64,
    /// Over the profile's token limit (after truncation, with `overLength: "truncate"`).
    pub too_long: u64,
    /// Content that cannot be trained on as is (a model's special-token string in it).
    pub invalid: u64,
    /// Forgotten on request.
    pub forgotten: u64,
    /// Past `maxExamples`.
    pub over_cap: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct TokenStats {
    pub train: u64,
    pub validation: u64,
    pub test: u64,
    /// The longest line.
    pub max: u64,
    /// False when the counts are an estimate (no vocabulary loaded for the model).
    pub exact: bool,
    /// What counted them.
    pub counter: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct CostEstimate {
    pub amount_usd: f64,
    /// `epochs × train tokens + evaluations × validation tokens`.
    pub billed_tokens: u64,
    pub epochs: u32,
    pub evaluations: u32,
    pub rate_usd_per_million_tokens: f64,
    pub rate_source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ProfileManifest {
    pub name: String,
    pub model: String,
    /// The wire format: `instruction`, `messages` or `reasoning_field`.
    pub format: String,
    pub format_reason: String,
    pub reasoning: bool,
    pub max_tokens: usize,
    /// Paths relative to the dataset folder.
    pub files: SplitFiles,
    pub counts: SplitCounts,
    pub dropped: Dropped,
    /// Examples shortened (files left out from the end) to fit, with `overLength: "truncate"`.
    pub truncated: u64,
    pub tokens: TokenStats,
    pub estimated_training_cost_usd: CostEstimate,
    /// Whether every written file passed the Together-format validator.
    pub validated: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct DatasetManifest {
    pub created_at: u64,
    /// Examples read from the log (before any selection).
    pub examples_read: u64,
    /// Secrets found again at build time (records from older versions, or rules that improved).
    pub redacted_at_build: u64,
    pub options: BuildOptions,
    pub profiles: Vec<ProfileManifest>,
}

/// Together's LoRA SFT rate for a model, in USD per million tokens, from the size in its id.
/// An offline table: the pipeline asks `POST /fine-tunes/estimate-price` before paying.
pub fn lora_sft_rate(model: &str) -> (f64, &'static str) {
    const SOURCE: &str = "Together fine-tuning price table (together.ai/pricing, early 2025, LoRA SFT by model size); an offline estimate, confirm with POST /fine-tunes/estimate-price";
    let size = parameter_billions(model).unwrap_or(70.0);
    let rate = if size <= 16.0 {
        0.48
    } else if size < 70.0 {
        1.50
    } else {
        2.90
    };
    (rate, SOURCE)
}

/// `…-1.5B` -> 1.5, `…-70B` -> 70.
fn parameter_billions(model: &str) -> Option<f64> {
    model
        .rsplit(['-', '/', '_'])
        .filter_map(|part| part.strip_suffix(['B', 'b']))
        .filter_map(|number| number.parse::<f64>().ok())
        .next()
}
