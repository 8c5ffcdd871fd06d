//! The persisted records of the last two phases: each model's evaluation, the dedicated
//! endpoints the pipeline created (recorded before the POST, never dropped), and each model's
//! deployment decision and what was done about it.

use serde::{Deserialize, Serialize};

use crate::deploy::cost::CostAnalysis;
use crate::deploy::matrix::Decision;
use crate::deploy::modelfile::LocalDeployment;
use crate::deploy::size::Precision;
use crate::evaluate::run::{EvaluationSummary, SamplePair};

/// Where one model's evaluation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum EvaluationStage {
    /// The fine-tune's endpoint is being created or started.
    Hosting,
    /// Requests are being asked, one per step.
    Running,
    Done,
    /// Not run; `reason` says why.
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct EvaluationRecord {
    pub stage: EvaluationStage,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string | null"))]
    pub reason: Option<String>,
    /// Requests in the test split.
    pub test_requests: u32,
    /// The indices asked (at most the sample cap).
    pub sample: Vec<u32>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string | null"))]
    pub hardware: Option<String>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub cents_per_minute: Option<f64>,
    pub estimated_usd: f64,
    pub budget_usd: f64,
    pub pairs: Vec<SamplePair>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "EvaluationSummary | null"))]
    pub summary: Option<EvaluationSummary>,
    /// Tokens both models used (prompt and completion).
    pub tokens: u64,
    /// The endpoint's running minutes during the evaluation, priced.
    pub cost_usd: f64,
    /// Whether TypeScript/JavaScript blocks could be checked (the host has a parser).
    pub parser_available: bool,
}

impl EvaluationRecord {
    pub fn skipped(reason: impl Into<String>, budget_usd: f64) -> Self {
        EvaluationRecord {
            stage: EvaluationStage::Skipped,
            reason: Some(reason.into()),
            test_requests: 0,
            sample: Vec::new(),
            hardware: None,
            cents_per_minute: None,
            estimated_usd: 0.0,
            budget_usd,
            pairs: Vec::new(),
            summary: None,
            tokens: 0,
            cost_usd: 0.0,
            parser_available: false,
        }
    }
}

/// A dedicated endpoint the pipeline asked for. Written with `intentAt` before the POST; a
/// record is kept after deletion (`deletedAt`), so no endpoint ever runs unrecorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct EndpointRecord {
    pub slot: String,
    /// `evaluation`, or `deployment` once a decision keeps it.
    pub purpose: String,
    /// The fine-tuned model served.
    pub model: String,
    pub hardware: String,
    pub cents_per_minute: f64,
    pub inactive_timeout: u32,
    pub intent_at: u64,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string | null"))]
    pub id: Option<String>,
    /// The name chat requests use as `model`.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string | null"))]
    pub name: Option<String>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string | null"))]
    pub state: Option<String>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub created_at: Option<u64>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub started_at: Option<u64>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub deleted_at: Option<u64>,
}

impl EndpointRecord {
    pub fn is_live(&self) -> bool {
        self.deleted_at.is_none()
    }

    /// Minutes billed so far (from creation to deletion or `now`), priced.
    pub fn cost_usd(&self, now: u64) -> f64 {
        let Some(from) = self.created_at.or(self.id.as_ref().map(|_| self.intent_at)) else {
            return 0.0;
        };
        let to = self.deleted_at.unwrap_or(now).max(from);
        (to - from) as f64 / 60_000.0 * self.cents_per_minute / 100.0
    }
}

/// Where one model's deployment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum DeploymentStage {
    Decided,
    Done,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct DeploymentRecord {
    pub stage: DeploymentStage,
    pub decision: Decision,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub parameters_billions: Option<f64>,
    pub precision: Precision,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub size_gb: Option<f64>,
    pub cost: CostAnalysis,
    /// The decision was carried out (`deployment.autoDecision`), not only recommended.
    pub carried_out: bool,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string | null"))]
    pub endpoint_name: Option<String>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string | null"))]
    pub endpoint_id: Option<String>,
    /// The smoke test's reply (its start) once the endpoint answered.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string | null"))]
    pub smoke_test: Option<String>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "LocalDeployment | null"))]
    pub local: Option<LocalDeployment>,
    /// In words: what the package did and what is left for the user.
    pub summary: String,
}
