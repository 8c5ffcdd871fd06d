//! The final pipeline report: datasets, jobs and losses, evaluation, the decision with its
//! reasons, costs and the deployment, as JSON (`pipelines/<id>/report.json`) and Markdown for
//! people (`report.md`). Written whenever a pipeline ends: completed, failed or cancelled.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::error::SelftuneError;
use crate::host::{Host, Storage};
use crate::pipeline::outcome::{DeploymentRecord, EndpointRecord, EvaluationRecord};
use crate::pipeline::state::{DataStats, PipelineError, PipelineState};
use crate::pipeline::status::{status_of, JobStatusView, PipelineCosts};
use crate::pipeline::store;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct PipelineReport {
    pub id: String,
    pub name: String,
    pub status: String,
    /// Why the pipeline failed, when it did.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "PipelineError | null"))]
    pub last_error: Option<PipelineError>,
    pub data: DataStats,
    pub jobs: Vec<JobStatusView>,
    pub costs: PipelineCosts,
    /// What the evaluations cost (endpoint minutes), all models.
    pub evaluation_usd: f64,
    /// What every endpoint the pipeline created has cost so far (running ones up to now).
    pub endpoints_usd: f64,
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(type = "Record<string, EvaluationRecord>")
    )]
    pub evaluations: BTreeMap<String, EvaluationRecord>,
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(type = "Record<string, DeploymentRecord>")
    )]
    pub deployments: BTreeMap<String, DeploymentRecord>,
    pub endpoints: Vec<EndpointRecord>,
    pub generated_at: u64,
}

pub fn report_of(state: &PipelineState, now: u64) -> PipelineReport {
    let status = status_of(state);
    PipelineReport {
        id: state.id.clone(),
        name: state.config.name.clone(),
        status: status.status,
        last_error: state.last_error.clone(),
        data: state.data.clone(),
        jobs: status.jobs,
        costs: status.costs,
        evaluation_usd: state.evaluations.values().map(|e| e.cost_usd).sum(),
        endpoints_usd: state.endpoints.iter().map(|e| e.cost_usd(now)).sum(),
        evaluations: state.evaluations.clone(),
        deployments: state.deployments.clone(),
        endpoints: state.endpoints.clone(),
        generated_at: now,
    }
}

/// Writes the report of `state` (both files) into the host's storage.
pub async fn write<H: Host>(
    host: &H,
    state: &PipelineState,
    now: u64,
) -> Result<(), SelftuneError> {
    let report = report_of(state, now);
    let base = format!("{}/{}", store::PIPELINE_DIR, state.id);
    let json = serde_json::to_string_pretty(&report).unwrap_or_default();
    for (path, text) in [
        (format!("{base}/report.json"), json),
        (format!("{base}/report.md"), markdown(&report)),
    ] {
        Storage::write(host, &path, &text)
            .await
            .map_err(|e| SelftuneError::storage("write", &path, e))?;
    }
    Ok(())
}

/// A DTO enum's wire name (`local_gpu`, `fp16`, `dedicated`).
fn wire<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn usd(value: Option<f64>) -> String {
    value.map_or_else(|| "unknown".into(), |v| format!("${v:.2}"))
}

/// The report for people.
pub fn markdown(report: &PipelineReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Pipeline {} ({})\n\nStatus: {}\n",
        report.name, report.id, report.status
    );
    if let Some(error) = &report.last_error {
        let _ = writeln!(out, "Failed: `{}`: {}\n", error.code, error.message);
    }
    let _ = writeln!(
        out,
        "## Datasets\n\n| profile | train | validation | test | training tokens (one epoch) |\n|---|---|---|---|---|"
    );
    for (profile, d) in &report.data.profiles {
        let _ = writeln!(
            out,
            "| {profile} | {} | {} | {} | {} |",
            d.train, d.validation, d.test, d.tokens
        );
    }
    let _ = writeln!(out, "\n## Jobs\n\n| slot | job | status | training loss | validation loss | output model | spent |\n|---|---|---|---|---|---|---|");
    for job in &report.jobs {
        let loss = |l: Option<f64>| l.map_or_else(|| "-".into(), |l| format!("{l:.4}"));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | ${:.2} |",
            job.slot,
            job.job_id.as_deref().unwrap_or("-"),
            job.status.as_deref().unwrap_or("-"),
            loss(job.training_loss),
            loss(job.validation_loss),
            job.output_model.as_deref().unwrap_or("-"),
            job.spent_usd
        );
    }
    let _ = writeln!(out, "\n## Evaluation\n");
    for (slot, e) in &report.evaluations {
        match &e.summary {
            Some(s) => {
                let _ = writeln!(
                    out,
                    "- **{slot}**: {} requests of {}; win rate {:.0}% ({} won, {} tied, {} lost); mean score {:.3} fine-tuned against {:.3} base (files {:.2}/{:.2}, token F1 {:.2}/{:.2}); cost ${:.2} (estimated ${:.2}), {} tokens{}",
                    s.samples, e.test_requests, s.win_rate * 100.0, s.wins, s.ties, s.losses,
                    s.tuned.score, s.base.score, s.tuned.files, s.base.files, s.tuned.tokens, s.base.tokens,
                    e.cost_usd, e.estimated_usd, e.tokens,
                    if e.parser_available { "" } else { "; TypeScript blocks unchecked (no parser in the host)" }
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "- **{slot}**: skipped: {}",
                    e.reason.as_deref().unwrap_or("-")
                );
            }
        }
    }
    let _ = writeln!(out, "\n## Decision and deployment\n");
    for (slot, d) in &report.deployments {
        let c = &d.cost;
        let _ = writeln!(
            out,
            "### {slot}: {} ({})\n\n- size: {} ({} B parameters, {})\n- reasons: {}\n- cost: Together {} a month ({}{}), local server ${:.2} a month; break-even {}; training cost ${:.2}\n- deployment: {}\n",
            wire(&d.decision.target),
            d.decision.cell,
            d.size_gb.map_or_else(|| "unknown".into(), |s| format!("{s:.2} GB")),
            d.parameters_billions.map_or_else(|| "?".into(), |p| p.to_string()),
            wire(&d.precision),
            d.decision.reasons.join("; "),
            usd(c.together_usd_per_month),
            wire(&c.basis),
            c.hardware.as_ref().map_or_else(String::new, |h| format!(" on {h}")),
            c.local_server_usd_per_month,
            c.break_even_tokens_per_month.map_or_else(
                || format!("none in tokens (a dedicated endpoint is priced per minute; it matches the server at {:.3} ¢/min)", c.break_even_cents_per_minute),
                |t| format!("{t} tokens/month")
            ),
            c.training_usd,
            d.summary,
        );
        if let Some(local) = &d.local {
            let _ = writeln!(
                out,
                "Modelfile: `{}`. Commands you run:\n\n```sh\n{}\n```\n",
                local.modelfile_path,
                local.commands.join("\n")
            );
        }
    }
    let _ = writeln!(out, "## Costs\n\n- budget ${:.2}, training spent ${:.2}\n- evaluation ${:.2}\n- endpoints so far ${:.2}", report.costs.budget_usd, report.costs.spent_usd, report.evaluation_usd, report.endpoints_usd);
    for e in &report.endpoints {
        let _ = writeln!(
            out,
            "  - {} {} ({}) on {}: {}",
            e.slot,
            e.name.as_deref().unwrap_or("-"),
            e.purpose,
            e.hardware,
            e.state.as_deref().unwrap_or("-")
        );
    }
    out
}
