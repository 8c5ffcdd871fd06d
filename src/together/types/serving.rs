//! Inference and deployment: chat completions, hardware and dedicated endpoints.

use serde::{Deserialize, Serialize};

use crate::together::lenient::{lenient, lenient_f64, lenient_i64, lenient_list, lenient_text};

use super::{EndpointState, HardwareAvailability, Normalize};

/// `POST /chat/completions`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(default, rename_all(serialize = "camelCase"))]
pub struct ChatCompletion {
    pub id: String,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub model: Option<String>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub created: Option<i64>,
    #[serde(deserialize_with = "lenient_list")]
    pub choices: Vec<ChatChoice>,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
}

impl Normalize for ChatCompletion {}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(default, rename_all(serialize = "camelCase"))]
pub struct ChatChoice {
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub index: Option<i64>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub finish_reason: Option<String>,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub message: Option<ChatReply>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(default, rename_all(serialize = "camelCase"))]
pub struct ChatReply {
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub role: Option<String>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub content: Option<String>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub reasoning: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(default, rename_all(serialize = "camelCase"))]
pub struct Usage {
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub prompt_tokens: Option<i64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub completion_tokens: Option<i64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_tokens: Option<i64>,
}

/// A hardware configuration for dedicated endpoints (`GET /hardware`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(default, rename_all(serialize = "camelCase"))]
pub struct Hardware {
    pub id: String,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub pricing: Option<HardwarePricing>,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub specs: Option<HardwareSpecs>,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub availability: Option<HardwareStatus>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub updated_at: Option<String>,
}

impl Normalize for Hardware {}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(default, rename_all(serialize = "camelCase"))]
pub struct HardwarePricing {
    #[serde(
        deserialize_with = "lenient_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub cents_per_minute: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(default, rename_all(serialize = "camelCase"))]
pub struct HardwareSpecs {
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub gpu_type: Option<String>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub gpu_link: Option<String>,
    #[serde(
        deserialize_with = "lenient_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub gpu_memory: Option<f64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub gpu_count: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(default, rename_all(serialize = "camelCase"))]
pub struct HardwareStatus {
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub status: Option<HardwareAvailability>,
}

/// A dedicated endpoint. Call its model with `model = name` once its state is `STARTED`; it is
/// billed per minute while it runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(default, rename_all(serialize = "camelCase"))]
pub struct Endpoint {
    pub id: String,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub display_name: Option<String>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub model: Option<String>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub hardware: Option<String>,
    #[serde(
        rename = "type",
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<String>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub owner: Option<String>,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub state: Option<EndpointState>,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<AutoscalingInfo>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub inactive_timeout: Option<i64>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<String>,
}

impl Normalize for Endpoint {}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(default, rename_all(serialize = "camelCase"))]
pub struct AutoscalingInfo {
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub min_replicas: Option<i64>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_replicas: Option<i64>,
}
