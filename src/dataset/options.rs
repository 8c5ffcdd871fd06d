//! Options of a dataset build, with their defaults.

use serde::{Deserialize, Serialize};

use crate::dataset::minhash::NearDuplicateConfig;
use crate::dataset::profile::{builtin_profiles, normalize_model_id, ModelProfile};
use crate::error::SelftuneError;

/// What to do with an example over a profile's token limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum OverLength {
    /// Leave it out of that profile (the default).
    Drop,
    /// Leave out files from the end of the answer until it fits; drop it if even one is too long.
    Truncate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct SplitRatios {
    pub train: f64,
    pub validation: f64,
    pub test: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct BuildOptions {
    /// Examples scoring under this are left out (default 0.7).
    pub min_quality: f64,
    /// Default: `small` (R1-Distill-Qwen-1.5B, 2,048 tokens, no reasoning) and `large`
    /// (R1-Distill-Llama-70B, 8,192 tokens, with reasoning).
    pub profiles: Vec<ModelProfile>,
    pub near_duplicates: NearDuplicateConfig,
    pub over_length: OverLength,
    /// At most this many examples per profile, the best by quality (default: no cap).
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "number | null"))]
    pub max_examples: Option<usize>,
    /// Seed of the split (default 42): the same seed and log give the same split.
    pub seed: u64,
    pub split: SplitRatios,
    /// Epochs and evaluations assumed by the cost estimate (defaults 3 and 0).
    pub epochs: u32,
    pub evaluations: u32,
    /// Folder of the host's storage that receives the files, when no output storage is given.
    pub out_dir: String,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            min_quality: 0.7,
            profiles: builtin_profiles(),
            near_duplicates: NearDuplicateConfig::default(),
            over_length: OverLength::Drop,
            max_examples: None,
            seed: 42,
            split: SplitRatios {
                train: 0.8,
                validation: 0.1,
                test: 0.1,
            },
            epochs: 3,
            evaluations: 0,
            out_dir: "datasets".into(),
        }
    }
}

impl BuildOptions {
    /// Parses options (`null` means the defaults), normalizes model ids and checks the values.
    pub fn from_json(value: serde_json::Value) -> Result<Self, SelftuneError> {
        let mut options: BuildOptions = if value.is_null() {
            BuildOptions::default()
        } else {
            serde_json::from_value(value).map_err(|e| {
                SelftuneError::invalid_argument(format!("buildDataset options: {e}"))
            })?
        };
        for profile in &mut options.profiles {
            profile.model = normalize_model_id(&profile.model);
        }
        options.check().map_err(SelftuneError::invalid_argument)?;
        Ok(options)
    }

    fn check(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.min_quality) {
            return Err("buildDataset options: minQuality must be between 0 and 1".into());
        }
        if self.profiles.is_empty() {
            return Err("buildDataset options: profiles must not be empty".into());
        }
        let mut names: Vec<&str> = self.profiles.iter().map(|p| p.name.as_str()).collect();
        names.sort();
        names.dedup();
        if names.len() != self.profiles.len() {
            return Err("buildDataset options: profile names must be unique".into());
        }
        for profile in &self.profiles {
            let plain = !profile.name.is_empty()
                && profile
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !plain {
                return Err(format!(
                    "buildDataset options: profile name '{}' must be letters, digits, '-' or '_'",
                    profile.name
                ));
            }
            if profile.max_tokens < 16 {
                return Err(format!(
                    "buildDataset options: profile '{}' maxTokens must be at least 16",
                    profile.name
                ));
            }
        }
        let ratios = [self.split.train, self.split.validation, self.split.test];
        if ratios.iter().any(|r| !(0.0..=1.0).contains(r)) || ratios.iter().sum::<f64>() <= 0.0 {
            return Err(
                "buildDataset options: split ratios must be between 0 and 1, not all 0".into(),
            );
        }
        if self.epochs == 0 {
            return Err("buildDataset options: epochs must be at least 1".into());
        }
        if self.max_examples == Some(0) {
            return Err("buildDataset options: maxExamples must be at least 1".into());
        }
        self.near_duplicates.check()
    }
}
