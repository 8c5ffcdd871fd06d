//! The persisted state of one pipeline: its phase, its configuration, what it has done so far
//! outside (uploads, jobs) with an intent marker written before each effect, and its costs.
//! It never holds the API key.

use serde::{Deserialize, Serialize};

use crate::pipeline::config::{ModelTraining, PipelineConfig};
use crate::pipeline::ledger::Ledger;

/// Bumped when the stored shape changes incompatibly.
pub const STATE_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Collecting,
    Preparing,
    Uploading,
    Training,
    Evaluating,
    Deploying,
    Completed,
    Failed,
    Cancelled,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Collecting => "collecting",
            Phase::Preparing => "preparing",
            Phase::Uploading => "uploading",
            Phase::Training => "training",
            Phase::Evaluating => "evaluating",
            Phase::Deploying => "deploying",
            Phase::Completed => "completed",
            Phase::Failed => "failed",
            Phase::Cancelled => "cancelled",
        }
    }

    /// The pipeline will not change any more.
    pub fn is_final(self) -> bool {
        matches!(self, Phase::Completed | Phase::Failed | Phase::Cancelled)
    }
}

/// One dataset file on its way to Together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct FileRecord {
    /// `train` or `validation`.
    pub split: String,
    /// Where the built file is, in the host's storage.
    pub path: String,
    /// The name it is uploaded under; it carries the pipeline id, so an upload cut short by a
    /// crash is found again by listing the files.
    pub upload_name: String,
    pub lines: u64,
    /// Set (to the time) before the upload is sent.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub upload_intent_at: Option<u64>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string | null"))]
    pub file_id: Option<String>,
    /// Together has checked it (`processing_status` `COMPLETED`).
    pub validated: bool,
}

/// One fine-tuning job: the small or the large model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct JobRecord {
    /// `small` or `large`.
    pub slot: String,
    pub training: ModelTraining,
    /// The suffix sent to Together: the configured one, the slot and the pipeline's short id.
    pub suffix: String,
    pub files: Vec<FileRecord>,
    /// Set (to the time) before `POST /fine-tunes` is sent; a restart that finds it set and no
    /// job id looks for the job before creating one.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub create_intent_at: Option<u64>,
    /// How many creations were sent (never more than one unless the first surely failed).
    pub create_attempts: u32,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string | null"))]
    pub job_id: Option<String>,
    /// Together's latest status for the job (`pending`, `running`, ..., or one it adds later).
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string | null"))]
    pub status: Option<String>,
    /// Set when this pipeline asked Together to cancel the job.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string | null"))]
    pub cancel_reason: Option<String>,
    pub events_seen: u64,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub step: Option<u64>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub total_steps: Option<u64>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub training_loss: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub validation_loss: Option<f64>,
    /// Losses by step so far (states stored before it existed read as empty).
    #[serde(default)]
    pub loss_curve: Vec<crate::pipeline::losses::LossPoint>,
    /// The fine-tuned model's name, once Together gives it.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string | null"))]
    pub output_model: Option<String>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string | null"))]
    pub error: Option<String>,
    /// Together's default LoRA rank for the model, from its limits.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub lora_default_rank: Option<u32>,
}

impl JobRecord {
    pub fn new(slot: &str, training: ModelTraining, short_id: &str) -> Self {
        JobRecord {
            slot: slot.to_owned(),
            suffix: job_suffix(&training.suffix, slot, short_id),
            training,
            files: Vec::new(),
            create_intent_at: None,
            create_attempts: 0,
            job_id: None,
            status: None,
            cancel_reason: None,
            events_seen: 0,
            step: None,
            total_steps: None,
            training_loss: None,
            validation_loss: None,
            loss_curve: Vec::new(),
            output_model: None,
            error: None,
            lora_default_rank: None,
        }
    }

    /// Together will not change the job any more.
    pub fn is_finished(&self) -> bool {
        matches!(
            self.status.as_deref(),
            Some("completed" | "cancelled" | "error")
        )
    }

    pub fn file(&self, split: &str) -> Option<&FileRecord> {
        self.files.iter().find(|file| file.split == split)
    }
}

/// `{suffix}-{slot}-{shortId}`, cut to Together's 40-character bound (the id part is kept). The
/// slot is left out when the configured suffix already ends with it (`selftune-small`).
pub fn job_suffix(configured: &str, slot: &str, short_id: &str) -> String {
    let tail = if configured.ends_with(&format!("-{slot}")) {
        format!("-{short_id}")
    } else {
        format!("-{slot}-{short_id}")
    };
    let room = 40usize.saturating_sub(tail.len());
    let head: String = configured.chars().take(room).collect();
    format!("{head}{tail}")
}

/// What the dataset build produced, per profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct DataStats {
    /// Examples of at least `minQuality` in the log, last counted.
    pub qualifying_examples: u64,
    pub min_data_points: u64,
    /// Lines per profile and split, once the datasets are built.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, ProfileData>"))]
    pub profiles: std::collections::BTreeMap<String, ProfileData>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ProfileData {
    pub train: u64,
    pub validation: u64,
    pub test: u64,
    /// Training tokens (one epoch).
    pub tokens: u64,
    /// The longest line, in tokens.
    pub max_line_tokens: u64,
    /// The dataset build's own cost estimate, used when Together gives none.
    pub estimated_usd: f64,
}

/// Why a pipeline failed: a stable code and a message with the figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct PipelineError {
    pub code: String,
    pub message: String,
    /// Milliseconds since the Unix epoch.
    pub at: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct PipelineState {
    pub version: u32,
    pub id: String,
    pub config: PipelineConfig,
    pub phase: Phase,
    pub created_at: u64,
    pub updated_at: u64,
    pub phase_started_at: u64,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub finished_at: Option<u64>,
    /// 0 to 100; never goes down.
    pub progress: f64,
    pub data: DataStats,
    /// `small`, then `large`.
    pub jobs: Vec<JobRecord>,
    pub ledger: Ledger,
    pub limits_checked: bool,
    pub estimates_approved: bool,
    /// The latest failure: the one that ended the pipeline, or a transient one it retries.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "PipelineError | null"))]
    pub last_error: Option<PipelineError>,
    /// Transient failures in a row (reset by a step that succeeds).
    pub retries: u32,
    /// Steps performed so far.
    pub steps: u64,
    /// Each model's evaluation, by slot.
    #[serde(default)]
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(type = "Record<string, EvaluationRecord>")
    )]
    pub evaluations: std::collections::BTreeMap<String, crate::pipeline::outcome::EvaluationRecord>,
    /// Every dedicated endpoint the pipeline asked for, deleted ones included.
    #[serde(default)]
    pub endpoints: Vec<crate::pipeline::outcome::EndpointRecord>,
    /// Each model's deployment decision and what was done, by slot.
    #[serde(default)]
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(type = "Record<string, DeploymentRecord>")
    )]
    pub deployments: std::collections::BTreeMap<String, crate::pipeline::outcome::DeploymentRecord>,
}

impl PipelineState {
    /// USD left of the pipeline's budget once the fine-tunes and every endpoint so far are paid.
    pub fn budget_left_usd(&self, now: u64) -> f64 {
        let endpoints_usd: f64 = self.endpoints.iter().map(|e| e.cost_usd(now)).sum();
        (self.ledger.remaining_usd() - endpoints_usd).max(0.0)
    }

    pub fn new(id: &str, config: PipelineConfig, now: u64) -> Self {
        let short = short_id(id);
        let jobs = vec![
            JobRecord::new("small", config.small_model.clone(), &short),
            JobRecord::new("large", config.large_model.clone(), &short),
        ];
        PipelineState {
            version: STATE_VERSION,
            id: id.to_owned(),
            ledger: Ledger::new(config.deployment.budget),
            data: DataStats {
                min_data_points: config.data_collection.min_data_points,
                ..DataStats::default()
            },
            config,
            phase: Phase::Collecting,
            created_at: now,
            updated_at: now,
            phase_started_at: now,
            finished_at: None,
            progress: 0.0,
            jobs,
            limits_checked: false,
            estimates_approved: false,
            last_error: None,
            retries: 0,
            steps: 0,
            evaluations: Default::default(),
            endpoints: Vec::new(),
            deployments: Default::default(),
        }
    }

    pub fn short_id(&self) -> String {
        short_id(&self.id)
    }

    pub fn enter(&mut self, phase: Phase, now: u64) {
        if self.phase != phase {
            self.phase = phase;
            self.phase_started_at = now;
        }
        if phase.is_final() {
            self.finished_at.get_or_insert(now);
        }
    }

    pub fn fail(&mut self, code: &str, message: impl Into<String>, now: u64) {
        self.last_error = Some(PipelineError {
            code: code.to_owned(),
            message: message.into(),
            at: now,
        });
        self.enter(Phase::Failed, now);
    }
}

/// The part of a pipeline id that goes into job suffixes and file names (`pl_` dropped).
pub fn short_id(id: &str) -> String {
    id.trim_start_matches("pl_").chars().take(12).collect()
}

#[cfg(test)]
mod suffix_tests {
    use super::job_suffix;

    #[test]
    fn the_slot_appears_once() {
        assert_eq!(
            job_suffix("selftune-small", "small", "0123456789ab"),
            "selftune-small-0123456789ab"
        );
        assert_eq!(
            job_suffix("eliza", "large", "0123456789ab"),
            "eliza-large-0123456789ab"
        );
        let long = job_suffix(&"x".repeat(60), "large", "0123456789ab");
        assert_eq!(long.len(), 40);
        assert!(long.ends_with("-large-0123456789ab"));
    }
}
