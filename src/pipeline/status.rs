//! What `getPipelineStatus` answers: a view of the stored state, with the progress figure.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::pipeline::ledger::nano_to_usd;
use crate::pipeline::state::{DataStats, JobRecord, Phase, PipelineError, PipelineState};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct JobStatusView {
    /// `small` or `large`.
    pub slot: String,
    pub model: String,
    pub suffix: String,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string | null"))]
    pub job_id: Option<String>,
    /// Together's status for the job, or null before it exists.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string | null"))]
    pub status: Option<String>,
    pub events_seen: u64,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub step: Option<u64>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub total_steps: Option<u64>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub training_loss: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub validation_loss: Option<f64>,
    /// Losses by step (at most `losses::MAX_POINTS`), for a chart.
    pub loss_curve: Vec<crate::pipeline::losses::LossPoint>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string | null"))]
    pub output_model: Option<String>,
    pub estimated_usd: f64,
    pub spent_usd: f64,
    /// Uploaded file ids by split (`train`, `validation`).
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, string>"))]
    pub files: BTreeMap<String, String>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string | null"))]
    pub cancel_reason: Option<String>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string | null"))]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct PipelineCosts {
    pub budget_usd: f64,
    /// The sum of Together's estimates for both jobs (0 until they are asked for).
    pub estimated_usd: f64,
    /// What the jobs have cost so far (their `total_price`).
    pub spent_usd: f64,
    pub remaining_usd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct PipelineStatus {
    pub id: String,
    pub name: String,
    /// `running` until the pipeline ends, then `completed`, `failed` or `cancelled`.
    pub status: String,
    pub current_phase: Phase,
    /// 0 to 100, never going down.
    pub progress: f64,
    pub jobs: Vec<JobStatusView>,
    /// Fine-tuning events seen, over both jobs.
    pub events_seen: u64,
    /// The latest training loss per job slot.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, number>"))]
    pub training_loss: BTreeMap<String, f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, number>"))]
    pub validation_loss: BTreeMap<String, f64>,
    pub costs: PipelineCosts,
    pub data: DataStats,
    pub created_at: u64,
    pub updated_at: u64,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub finished_at: Option<u64>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "PipelineError | null"))]
    pub last_error: Option<PipelineError>,
    /// Each model's evaluation against its base, by slot.
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(type = "Record<string, EvaluationRecord>")
    )]
    pub evaluations: BTreeMap<String, crate::pipeline::outcome::EvaluationRecord>,
    /// Each model's deployment decision, cost analysis and deployment, by slot.
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(type = "Record<string, DeploymentRecord>")
    )]
    pub deployments: BTreeMap<String, crate::pipeline::outcome::DeploymentRecord>,
    /// Every dedicated endpoint the pipeline created (deleted ones keep their record).
    pub endpoints: Vec<crate::pipeline::outcome::EndpointRecord>,
}

fn job_view(state: &PipelineState, job: &JobRecord) -> JobStatusView {
    let cost = state
        .ledger
        .jobs
        .get(&job.slot)
        .cloned()
        .unwrap_or_default();
    JobStatusView {
        slot: job.slot.clone(),
        model: job.training.base_model.clone(),
        suffix: job.suffix.clone(),
        job_id: job.job_id.clone(),
        status: job.status.clone(),
        events_seen: job.events_seen,
        step: job.step,
        total_steps: job.total_steps,
        training_loss: job.training_loss,
        validation_loss: job.validation_loss,
        loss_curve: job.loss_curve.clone(),
        output_model: job.output_model.clone(),
        estimated_usd: nano_to_usd(cost.estimated_nano),
        spent_usd: nano_to_usd(cost.spent_nano),
        files: job
            .files
            .iter()
            .filter_map(|file| Some((file.split.clone(), file.file_id.clone()?)))
            .collect(),
        cancel_reason: job.cancel_reason.clone(),
        error: job.error.clone(),
    }
}

pub fn status_of(state: &PipelineState) -> PipelineStatus {
    let jobs: Vec<JobStatusView> = state.jobs.iter().map(|job| job_view(state, job)).collect();
    let loss = |pick: fn(&JobStatusView) -> Option<f64>| {
        jobs.iter()
            .filter_map(|job| Some((job.slot.clone(), pick(job)?)))
            .collect()
    };
    let estimated: u64 = state.ledger.jobs.values().map(|j| j.estimated_nano).sum();
    PipelineStatus {
        id: state.id.clone(),
        name: state.config.name.clone(),
        status: if state.phase.is_final() {
            state.phase.as_str()
        } else {
            "running"
        }
        .to_owned(),
        current_phase: state.phase,
        progress: state.progress,
        events_seen: jobs.iter().map(|job| job.events_seen).sum(),
        training_loss: loss(|job| job.training_loss),
        validation_loss: loss(|job| job.validation_loss),
        costs: PipelineCosts {
            budget_usd: nano_to_usd(state.ledger.budget_nano),
            estimated_usd: nano_to_usd(estimated),
            spent_usd: nano_to_usd(state.ledger.spent_nano()),
            remaining_usd: state.ledger.remaining_usd(),
        },
        data: state.data.clone(),
        created_at: state.created_at,
        updated_at: state.updated_at,
        finished_at: state.finished_at,
        last_error: state.last_error.clone(),
        evaluations: state.evaluations.clone(),
        deployments: state.deployments.clone(),
        endpoints: state.endpoints.clone(),
        jobs,
    }
}

/// The progress a state stands for (the caller keeps the maximum): collecting 0–10 by examples
/// and time, preparing 12, uploading 15–25 by files, training 25–90 by steps, evaluating 92,
/// deploying 96, completed 100.
pub fn progress_of(state: &PipelineState, now: u64) -> f64 {
    match state.phase {
        Phase::Collecting => {
            let wanted = state.data.min_data_points.max(1) as f64;
            let data = (state.data.qualifying_examples as f64 / wanted).min(1.0);
            let window = state.config.data_collection.collect_for;
            let time = if window == 0 {
                1.0
            } else {
                (now.saturating_sub(state.created_at) as f64 / window as f64).min(1.0)
            };
            10.0 * data.min(time)
        }
        Phase::Preparing => 12.0,
        Phase::Uploading => {
            let files: Vec<_> = state.jobs.iter().flat_map(|job| &job.files).collect();
            let done = files.iter().filter(|file| file.validated).count() as f64;
            15.0 + 10.0 * done / files.len().max(1) as f64
        }
        Phase::Training => {
            let fractions: Vec<f64> = state.jobs.iter().map(job_fraction).collect();
            let mean = fractions.iter().sum::<f64>() / fractions.len().max(1) as f64;
            25.0 + 65.0 * mean
        }
        Phase::Evaluating => 92.0,
        Phase::Deploying => 96.0,
        Phase::Completed => 100.0,
        Phase::Failed | Phase::Cancelled => state.progress,
    }
}

fn job_fraction(job: &JobRecord) -> f64 {
    if job.status.as_deref() == Some("completed") {
        return 1.0;
    }
    match (job.step, job.total_steps) {
        (Some(step), Some(total)) if total > 0 => 0.95 * (step as f64 / total as f64).min(1.0),
        _ => 0.0,
    }
}
