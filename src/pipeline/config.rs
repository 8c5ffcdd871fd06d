//! Pipeline configuration, in the original design's shape, with its defaults and checks.
//!
//! ```json
//! { "name": "…",
//!   "smallModel": { "baseModel", "suffix", "epochs", "learningRate", "batchSize"?, "lora"? },
//!   "largeModel": { … },
//!   "dataCollection": { "minDataPoints", "minQuality", "collectFor" (ms) },
//!   "deployment": { "autoDecision", "budget" (USD), "expectedUsage" (tokens/month) } }
//! ```

use serde::{Deserialize, Serialize};

use crate::dataset::profile::{normalize_model_id, LARGE_MODEL, SMALL_MODEL};
use crate::error::SelftuneError;

/// LoRA on with Together's defaults (`true`), off (`false`), or with explicit settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(untagged)]
pub enum LoraSetting {
    Enabled(bool),
    Custom(LoraParameters),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoraParameters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub rank: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub alpha: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub dropout: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ModelTraining {
    /// Together model id; the original design's spellings are accepted.
    pub base_model: String,
    /// Appended to the fine-tuned model's name; the pipeline id is added to it.
    pub suffix: String,
    pub epochs: u32,
    pub learning_rate: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub batch_size: Option<u32>,
    pub lora: LoraSetting,
    /// Set by selftune when `batchSize` is the seed's default rather than the user's: the limits
    /// check then moves it into the model's range instead of failing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub batch_size_is_default: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DataCollection {
    /// Examples of at least `minQuality` needed before training starts.
    pub min_data_points: u64,
    pub min_quality: f64,
    /// How long to collect before preparing, in milliseconds, counted from the launch.
    pub collect_for: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Deployment {
    /// Carry out the deployment decision instead of only recommending it.
    pub auto_decision: bool,
    /// The most the pipeline may spend on Together, in USD, fine-tuning included.
    pub budget: f64,
    /// Expected inference volume, in tokens per month, for the cost model.
    pub expected_usage: u64,
    /// The local GPU server's monthly cost in USD (the seed's $200).
    #[serde(default = "default_local_server_cost")]
    pub local_server_cost: f64,
    /// Precision of the weights for the size in the decision matrix (`fp16` by default).
    #[serde(default)]
    pub precision: crate::deploy::size::Precision,
    /// Test requests evaluated per model at most.
    #[serde(default = "default_evaluation_samples")]
    pub evaluation_samples: u32,
    /// USD the evaluation may spend per model (hosting the fine-tune on an endpoint while it runs).
    #[serde(default = "default_evaluation_budget")]
    pub evaluation_budget: f64,
    /// Minutes without requests before Together stops a deployed endpoint.
    #[serde(default = "default_inactive_timeout")]
    pub inactive_timeout: u32,
    /// Minutes a month a dedicated endpoint is expected to run, for its monthly cost (all month).
    #[serde(default = "default_endpoint_minutes")]
    pub endpoint_minutes_per_month: f64,
    /// A per-token price (USD per million tokens) to cost Together hosting with instead of a
    /// dedicated endpoint, when the fine-tune can be served that way (R1-Distill fine-tunes cannot).
    #[serde(default)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub serverless_usd_per_million: Option<f64>,
}

fn default_local_server_cost() -> f64 {
    crate::deploy::matrix::LOCAL_SERVER_USD_PER_MONTH
}
fn default_evaluation_samples() -> u32 {
    20
}
fn default_evaluation_budget() -> f64 {
    5.0
}
fn default_inactive_timeout() -> u32 {
    60
}
fn default_endpoint_minutes() -> f64 {
    crate::deploy::cost::MINUTES_PER_MONTH
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PipelineConfig {
    pub name: String,
    pub small_model: ModelTraining,
    pub large_model: ModelTraining,
    pub data_collection: DataCollection,
    pub deployment: Deployment,
}

/// The seed's defaults, per model slot.
fn default_training(large: bool) -> ModelTraining {
    ModelTraining {
        base_model: if large { LARGE_MODEL } else { SMALL_MODEL }.to_owned(),
        suffix: if large {
            "selftune-large"
        } else {
            "selftune-small"
        }
        .to_owned(),
        epochs: 3,
        learning_rate: if large { 1e-6 } else { 1e-5 },
        batch_size: Some(if large { 1 } else { 4 }),
        lora: LoraSetting::Enabled(true),
        batch_size_is_default: true,
    }
}

impl PipelineConfig {
    /// Parses a configuration: every field but `deployment.budget` may be left out and takes the
    /// seed's default. Errors name the field.
    pub fn from_json(value: serde_json::Value) -> Result<Self, SelftuneError> {
        let serde_json::Value::Object(mut root) = value else {
            return Err(config_error("the configuration must be an object"));
        };
        let name = match root.remove("name") {
            None | Some(serde_json::Value::Null) => "selftune".to_owned(),
            Some(serde_json::Value::String(name)) => name,
            Some(_) => return Err(config_error("name must be a string")),
        };
        let small_model = merge_training(root.remove("smallModel"), false, "smallModel")?;
        let large_model = merge_training(root.remove("largeModel"), true, "largeModel")?;
        let data_collection = merge(
            root.remove("dataCollection"),
            serde_json::json!({ "minDataPoints": 50, "minQuality": 0.7, "collectFor": 0 }),
            "dataCollection",
        )?;
        let deployment_value = root.remove("deployment").unwrap_or(serde_json::Value::Null);
        if deployment_value.get("budget").is_none_or(|b| b.is_null()) {
            return Err(config_error(
                "deployment.budget is required: the most the pipeline may spend, in USD",
            ));
        }
        let deployment = merge(
            Some(deployment_value),
            serde_json::json!({ "autoDecision": false, "expectedUsage": 1_000_000 }),
            "deployment",
        )?;
        if let Some(key) = root.keys().next() {
            return Err(config_error(format!("unknown field '{key}'")));
        }
        let config = PipelineConfig {
            name,
            small_model,
            large_model,
            data_collection,
            deployment,
        };
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), SelftuneError> {
        if self.name.trim().is_empty() || self.name.len() > 100 {
            return Err(config_error("name must be 1 to 100 characters"));
        }
        for (slot, model) in [
            ("smallModel", &self.small_model),
            ("largeModel", &self.large_model),
        ] {
            let suffix_ok = !model.suffix.is_empty()
                && model.suffix.len() <= 40
                && model
                    .suffix
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !suffix_ok {
                return Err(config_error(format!(
                    "{slot}.suffix must be 1 to 40 letters, digits, '-' or '_'"
                )));
            }
            if model.epochs == 0 || model.epochs > 100 {
                return Err(config_error(format!("{slot}.epochs must be 1 to 100")));
            }
            if !(model.learning_rate > 0.0 && model.learning_rate < 1.0) {
                return Err(config_error(format!(
                    "{slot}.learningRate must be between 0 and 1 (got {})",
                    model.learning_rate
                )));
            }
            if model.batch_size == Some(0) {
                return Err(config_error(format!("{slot}.batchSize must be at least 1")));
            }
            if let LoraSetting::Custom(lora) = &model.lora {
                if lora.rank == Some(0) {
                    return Err(config_error(format!("{slot}.lora.rank must be at least 1")));
                }
                if lora.dropout.is_some_and(|d| !(0.0..1.0).contains(&d)) {
                    return Err(config_error(format!(
                        "{slot}.lora.dropout must be in [0, 1)"
                    )));
                }
            }
        }
        let collection = &self.data_collection;
        if !(0.0..=1.0).contains(&collection.min_quality) {
            return Err(config_error(
                "dataCollection.minQuality must be between 0 and 1",
            ));
        }
        if collection.min_data_points == 0 {
            return Err(config_error(
                "dataCollection.minDataPoints must be at least 1",
            ));
        }
        let d = &self.deployment;
        if !(d.local_server_cost.is_finite() && d.local_server_cost >= 0.0) {
            return Err(config_error(
                "deployment.localServerCost must be a non-negative amount of USD",
            ));
        }
        if !(d.evaluation_budget.is_finite() && d.evaluation_budget >= 0.0) {
            return Err(config_error(
                "deployment.evaluationBudget must be a non-negative amount of USD",
            ));
        }
        if !(d.endpoint_minutes_per_month.is_finite()
            && (0.0..=44_640.0).contains(&d.endpoint_minutes_per_month))
        {
            return Err(config_error(
                "deployment.endpointMinutesPerMonth must be 0 to 44640",
            ));
        }
        if d.serverless_usd_per_million
            .is_some_and(|r| !(r.is_finite() && r >= 0.0))
        {
            return Err(config_error(
                "deployment.serverlessUsdPerMillion must be a non-negative amount of USD",
            ));
        }
        if d.evaluation_samples > 1_000 {
            return Err(config_error(
                "deployment.evaluationSamples must be at most 1000",
            ));
        }
        let budget = self.deployment.budget;
        if !(budget.is_finite() && budget > 0.0) {
            return Err(config_error(format!(
                "deployment.budget must be a positive amount of USD (got {budget})"
            )));
        }
        Ok(())
    }
}

fn merge_training(
    given: Option<serde_json::Value>,
    large: bool,
    slot: &str,
) -> Result<ModelTraining, SelftuneError> {
    let defaults = serde_json::to_value(default_training(large)).expect("plain data");
    let user_batch = given.as_ref().and_then(|g| g.get("batchSize")).is_some();
    let mut training: ModelTraining = merge(given, defaults, slot)?;
    training.base_model = normalize_model_id(&training.base_model);
    training.batch_size_is_default = !user_batch;
    Ok(training)
}

/// `given`'s fields over `defaults`, parsed strictly (unknown fields are errors).
fn merge<T: serde::de::DeserializeOwned>(
    given: Option<serde_json::Value>,
    defaults: serde_json::Value,
    field: &str,
) -> Result<T, SelftuneError> {
    let mut merged = defaults;
    match given {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::Object(fields)) => {
            for (key, value) in fields {
                merged[key] = value;
            }
        }
        Some(_) => return Err(config_error(format!("{field} must be an object"))),
    }
    serde_json::from_value(merged).map_err(|e| config_error(format!("{field}: {e}")))
}

fn config_error(problem: impl std::fmt::Display) -> SelftuneError {
    SelftuneError::invalid_config(format!("pipeline: {problem}"))
}
