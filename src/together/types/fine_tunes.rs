//! Fine-tuning: model limits, price estimates, jobs, events, checkpoints and metrics.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::together::lenient::{lenient, lenient_f64, lenient_i64, lenient_list, lenient_text};
use serde_json::Value;

use super::{nano_usd_to_usd, usd_to_nano_usd, EventType, JobStatus, Normalize};

/// What a base model allows (`GET /fine-tunes/models/limits`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(default, rename_all(serialize = "camelCase"))]
pub struct ModelLimits {
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub model_name: Option<String>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_num_epochs: Option<i64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_num_evals: Option<i64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_num_checkpoints: Option<i64>,
    #[serde(
        deserialize_with = "lenient_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_learning_rate: Option<f64>,
    #[serde(
        deserialize_with = "lenient_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub min_learning_rate: Option<f64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub min_max_seq_length: Option<i64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_seq_length_sft: Option<i64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_seq_length_dpo: Option<i64>,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub supports_vision: Option<bool>,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub supports_tools: Option<bool>,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub supports_reasoning: Option<bool>,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub supports_full_training: Option<bool>,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub merge_output_lora: Option<bool>,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub lora_training: Option<LoraLimits>,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub full_training: Option<FullTrainingLimits>,
}

impl Normalize for ModelLimits {}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(default, rename_all(serialize = "camelCase"))]
pub struct LoraLimits {
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_rank: Option<i64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_rank: Option<i64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_batch_size: Option<i64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_batch_size_dpo: Option<i64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub min_batch_size: Option<i64>,
    #[serde(deserialize_with = "lenient_list")]
    pub target_modules: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(default, rename_all(serialize = "camelCase"))]
pub struct FullTrainingLimits {
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_batch_size: Option<i64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_batch_size_dpo: Option<i64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub min_batch_size: Option<i64>,
}

/// `POST /fine-tunes/estimate-price`. Together answers in dollars; `estimatedTotalPriceNanoUsd`
/// is the same amount in the unit of a job's `totalPrice`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(default, rename_all(serialize = "camelCase"))]
pub struct PriceEstimate {
    /// False when Together cannot estimate yet (see `unavailableReason`). Absent on the wire in
    /// the published spec: then it is true when a price came back.
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub estimation_available: Option<bool>,
    /// `train_file_not_validated`, `train_file_invalid`, `multimodal_dataset`, ...
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub unavailable_reason: Option<String>,
    #[serde(
        rename(deserialize = "estimated_total_price"),
        deserialize_with = "lenient_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub estimated_total_price_usd: Option<f64>,
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub estimated_total_price_nano_usd: Option<i64>,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub allowed_to_proceed: Option<bool>,
    /// The account's credit limit, in dollars.
    #[serde(
        rename(deserialize = "user_limit"),
        deserialize_with = "lenient_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub user_limit_usd: Option<f64>,
    #[serde(
        deserialize_with = "lenient_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub estimated_train_token_count: Option<f64>,
    #[serde(
        deserialize_with = "lenient_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub estimated_eval_token_count: Option<f64>,
}

impl Normalize for PriceEstimate {
    fn normalize(&mut self) {
        self.estimated_total_price_nano_usd = self.estimated_total_price_usd.map(usd_to_nano_usd);
        if self.estimation_available.is_none() {
            self.estimation_available = Some(self.estimated_total_price_usd.is_some());
        }
    }
}

/// A fine-tuning job (`FinetuneResponse`, or the truncated form from create, list and cancel).
/// `totalPriceNanoUsd` is Together's `total_price` as sent; `totalPriceUsd` is it in dollars.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(default, rename_all(serialize = "camelCase"))]
pub struct FineTuneJob {
    pub id: String,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub status: Option<JobStatus>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<String>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub updated_at: Option<String>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub started_at: Option<String>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub model: Option<String>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string | null"))]
    pub model_output_name: Option<String>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub model_output_path: Option<String>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub training_file: Option<String>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub validation_file: Option<String>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub suffix: Option<String>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub n_epochs: Option<i64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub n_checkpoints: Option<i64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub n_evals: Option<i64>,
    /// A number, or `"max"`.
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | \"max\" | null"))]
    pub batch_size: Option<Value>,
    #[serde(
        deserialize_with = "lenient_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub learning_rate: Option<f64>,
    #[serde(
        deserialize_with = "lenient_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub warmup_ratio: Option<f64>,
    #[serde(
        deserialize_with = "lenient_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_grad_norm: Option<f64>,
    #[serde(
        deserialize_with = "lenient_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub weight_decay: Option<f64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub random_seed: Option<i64>,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub packing: Option<bool>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_seq_length: Option<i64>,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub training_type: Option<TrainingTypeInfo>,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub training_method: Option<TrainingMethodInfo>,
    #[serde(
        rename(deserialize = "total_price"),
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_price_nano_usd: Option<i64>,
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub total_price_usd: Option<f64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub token_count: Option<i64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub param_count: Option<i64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub epochs_completed: Option<i64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub trainingfile_numlines: Option<i64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub trainingfile_size: Option<i64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub queue_depth: Option<i64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub eval_steps: Option<i64>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub wandb_url: Option<String>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub from_checkpoint: Option<String>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub user_id: Option<String>,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub progress: Option<JobProgress>,
    #[serde(deserialize_with = "lenient_list")]
    pub events: Vec<FineTuneEvent>,
}

impl Normalize for FineTuneJob {
    fn normalize(&mut self) {
        self.total_price_usd = self.total_price_nano_usd.map(nano_usd_to_usd);
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(default, rename_all(serialize = "camelCase"))]
pub struct TrainingTypeInfo {
    /// `Lora` or `Full`.
    #[serde(
        rename = "type",
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<String>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub lora_r: Option<i64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub lora_alpha: Option<i64>,
    #[serde(
        deserialize_with = "lenient_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub lora_dropout: Option<f64>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub lora_trainable_modules: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(default, rename_all(serialize = "camelCase"))]
pub struct TrainingMethodInfo {
    /// `sft` or `dpo`.
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub method: Option<String>,
    /// A boolean, or `"auto"`.
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "boolean | \"auto\" | null"))]
    pub train_on_inputs: Option<Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(default, rename_all(serialize = "camelCase"))]
pub struct JobProgress {
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub estimate_available: Option<bool>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub seconds_remaining: Option<i64>,
}

/// One line of a job's history (`GET /fine-tunes/{id}/events`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(default, rename_all(serialize = "camelCase"))]
pub struct FineTuneEvent {
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<String>,
    /// `info`, `warning`, `error`, ... (open).
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub level: Option<String>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub message: Option<String>,
    #[serde(
        rename = "type",
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<EventType>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub step: Option<i64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_steps: Option<i64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub token_count: Option<i64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub param_count: Option<i64>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub checkpoint_path: Option<String>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub model_path: Option<String>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub wandb_url: Option<String>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub hash: Option<String>,
}

impl Normalize for FineTuneEvent {}

/// A saved checkpoint (`GET /fine-tunes/{id}/checkpoints`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(default, rename_all(serialize = "camelCase"))]
pub struct Checkpoint {
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub step: Option<i64>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<String>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub path: Option<String>,
    /// A display label.
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub checkpoint_type: Option<String>,
    /// `model` or `adapter` (newer SDK field).
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string | null"))]
    pub checkpoint: Option<String>,
}

impl Normalize for Checkpoint {}

/// Training metrics in chronological order: flat maps such as `{"train/loss": 0.5,
/// "train/global_step": 7}`. Values that are not numbers are dropped.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(default, rename_all(serialize = "camelCase"))]
pub struct Metrics {
    #[serde(deserialize_with = "metric_rows")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Array<Record<string, number>>"))]
    pub metrics: Vec<BTreeMap<String, f64>>,
}

impl Normalize for Metrics {}

fn metric_rows<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<BTreeMap<String, f64>>, D::Error> {
    let value = Value::deserialize(deserializer)?;
    let Value::Array(rows) = value else {
        return Ok(Vec::new());
    };
    Ok(rows
        .into_iter()
        .filter_map(|row| match row {
            Value::Object(map) => Some(
                map.into_iter()
                    .filter_map(|(key, value)| value.as_f64().map(|n| (key, n)))
                    .collect(),
            ),
            _ => None,
        })
        .collect())
}

/// Where to download a finished job's weights, and which weights. The address needs the same
/// `Authorization` header as every other call; it answers with a `.tar.zst` archive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ModelDownload {
    pub url: String,
    pub job_id: String,
    pub model_output_name: Option<String>,
    /// `merged`, `adapter` or `model_output_path`; absent when a step was asked for.
    pub checkpoint: Option<String>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub checkpoint_step: Option<u64>,
}
