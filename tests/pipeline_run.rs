#![cfg(not(target_arch = "wasm32"))]
//! The pipeline against a scripted Together on the simulated clock: every phase, every failure
//! path, the budget, cancellation, and restarts at every await point.

mod support;

use std::future::Future;

use serde_json::{json, Value};

use selftune::config::SelftuneConfig;
use selftune::handle::Selftune;
use selftune::pipeline::state::Phase;
use support::block_on;
use support::pipeline_fixtures::{plugin, together, FAKE_KEY};
use support::together_fake::PipelineHost;

fn open(host: &PipelineHost) -> Selftune<&PipelineHost> {
    block_on(Selftune::open(host, SelftuneConfig::default())).unwrap()
}

fn capture(selftune: &Selftune<&PipelineHost>, range: std::ops::Range<usize>) {
    for i in range {
        let result = block_on(selftune.on_plugin_success(plugin(i))).unwrap();
        assert!(result.stored, "example {i} stored");
    }
}

fn config(extra: Value) -> Value {
    let mut config = json!({
        "name": "test pipeline",
        "smallModel": { "baseModel": "deepseek-r1-distill-qwen-1.5b", "suffix": "small" },
        "largeModel": { "baseModel": "Deepseek-R1-distill-llama-70b", "suffix": "large" },
        "dataCollection": { "minDataPoints": 10, "minQuality": 0.7, "collectFor": 0 },
        "deployment": { "budget": 10.0 }
    });
    for (key, value) in extra.as_object().unwrap() {
        for (inner, v) in value.as_object().unwrap() {
            config[key][inner] = v.clone();
        }
    }
    config
}

/// Advances until the pipeline ends, moving the clock by each wake-up; returns the phases seen.
fn drive(selftune: &Selftune<&PipelineHost>, host: &PipelineHost, id: &str) -> Vec<Phase> {
    let mut phases = Vec::new();
    let mut progress = 0.0;
    for _ in 0..2_000 {
        let result = block_on(selftune.advance_pipeline(id, &together())).unwrap();
        assert!(result.progress >= progress, "progress never goes down");
        progress = result.progress;
        if phases.last() != Some(&result.phase) {
            phases.push(result.phase);
        }
        if result.done {
            return phases;
        }
        host.advance(result.wake_after_ms.unwrap());
    }
    panic!("the pipeline did not end: {phases:?}");
}

#[test]
fn a_pipeline_goes_through_every_phase_and_trains_both_models() {
    let host = PipelineHost::new();
    let selftune = open(&host);
    capture(&selftune, 0..20);
    let id = block_on(selftune.launch_pipeline(config(json!({})))).unwrap();
    assert!(id.starts_with("pl_"));
    let status = block_on(selftune.pipeline_status(&id)).unwrap();
    assert_eq!(status.status, "running");
    assert_eq!(status.current_phase, Phase::Collecting);
    assert_eq!(
        host.together.log.borrow().len(),
        0,
        "launching sends nothing"
    );

    let phases = drive(&selftune, &host, &id);
    assert_eq!(
        phases,
        vec![
            Phase::Preparing,
            Phase::Uploading,
            Phase::Training,
            Phase::Evaluating,
            Phase::Deploying,
            Phase::Completed
        ]
    );
    assert_eq!(host.creations(), 2, "one creation per job");
    let status = block_on(selftune.pipeline_status(&id)).unwrap();
    assert_eq!(status.status, "completed");
    assert_eq!(status.progress, 100.0);
    assert!(status.last_error.is_none());
    assert_eq!(status.data.qualifying_examples, 20);
    assert!(status.data.profiles["small"].train > 0);
    for job in &status.jobs {
        assert_eq!(job.status.as_deref(), Some("completed"), "{}", job.slot);
        assert_eq!(job.step, Some(10));
        assert!(job.suffix.ends_with(&format!("-{}-{}", job.slot, &id[3..])));
        assert!(job.output_model.is_some());
        assert!(job.files.contains_key("train"));
        assert!((job.spent_usd - 1.0).abs() < 1e-9, "10 steps at $0.10");
        // The chart's curve: one point per step, both losses, falling.
        assert_eq!(job.loss_curve.len(), 10, "{}", job.slot);
        assert_eq!(
            job.loss_curve.last().and_then(|p| p.training_loss),
            job.training_loss
        );
        assert!(job.loss_curve.iter().all(|p| p.validation_loss.is_some()));
        assert!(job.loss_curve[0].training_loss > job.loss_curve[9].training_loss);
    }
    assert_eq!(
        status.jobs[0].model,
        "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B"
    );
    assert_eq!(
        status.jobs[1].model,
        "deepseek-ai/DeepSeek-R1-Distill-Llama-70B"
    );
    assert!((status.costs.estimated_usd - 4.5).abs() < 1e-9);
    assert!((status.costs.spent_usd - 2.0).abs() < 1e-9);
    assert!(status.training_loss["small"] < 0.2);
    assert!(status.validation_loss["large"] > status.training_loss["large"]);
    assert!(status.events_seen >= 22);

    // The request that created each job carried the configuration and the seed's defaults.
    let jobs = host.together.jobs.borrow();
    let small = &jobs
        .iter()
        .find(|j| j.suffix.contains("-small-"))
        .unwrap()
        .body;
    assert_eq!(small["n_epochs"], 3);
    assert_eq!(small["learning_rate"], 1e-5);
    assert_eq!(small["batch_size"], 4);
    assert_eq!(small["training_type"]["type"], "Lora");
    let large = &jobs
        .iter()
        .find(|j| j.suffix.contains("-large-"))
        .unwrap()
        .body;
    assert_eq!(large["learning_rate"], 1e-6);
    assert_eq!(large["batch_size"], 1);

    let ops: Vec<String> = block_on(selftune.audit(None))
        .unwrap()
        .iter()
        .map(|entry| {
            serde_json::to_value(entry).unwrap()["op"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ops.iter().filter(|op| *op == "job_created").count(), 2);
    assert!(ops.iter().filter(|op| *op == "file_uploaded").count() >= 2);
    assert_eq!(ops.last().map(String::as_str), Some("pipeline_ended"));
    // A finished pipeline stays finished.
    let again = block_on(selftune.advance_pipeline(&id, &together())).unwrap();
    assert!(again.done);
    assert_eq!(host.creations(), 2);
}

#[test]
fn collecting_waits_for_the_window_and_the_minimum() {
    let host = PipelineHost::new();
    let selftune = open(&host);
    capture(&selftune, 0..6);
    let config =
        config(json!({ "dataCollection": { "minDataPoints": 8, "collectFor": 3_600_000 } }));
    let id = block_on(selftune.launch_pipeline(config)).unwrap();
    let first = block_on(selftune.advance_pipeline(&id, &together())).unwrap();
    assert_eq!(first.phase, Phase::Collecting);
    assert_eq!(first.wake_after_ms, Some(60_000));
    let status = block_on(selftune.pipeline_status(&id)).unwrap();
    assert_eq!(
        (status.data.qualifying_examples, status.data.min_data_points),
        (6, 8)
    );
    host.advance(3_600_000);
    let waiting = block_on(selftune.advance_pipeline(&id, &together())).unwrap();
    assert_eq!(
        waiting.phase,
        Phase::Collecting,
        "the window passed, the data is short"
    );
    capture(&selftune, 6..12);
    let ready = block_on(selftune.advance_pipeline(&id, &together())).unwrap();
    assert_eq!(ready.phase, Phase::Preparing);
    assert_eq!(drive(&selftune, &host, &id).last(), Some(&Phase::Completed));
}

#[test]
fn a_file_together_rejects_fails_the_pipeline_before_any_job() {
    let host = PipelineHost::new();
    host.together.reject_files.set(true);
    let selftune = open(&host);
    capture(&selftune, 0..20);
    let id = block_on(selftune.launch_pipeline(config(json!({})))).unwrap();
    assert_eq!(drive(&selftune, &host, &id).last(), Some(&Phase::Failed));
    let status = block_on(selftune.pipeline_status(&id)).unwrap();
    let error = status.last_error.unwrap();
    assert_eq!(error.code, "together_file_rejected");
    assert!(
        error.message.contains("missing 'completion'"),
        "{}",
        error.message
    );
    assert_eq!(host.creations(), 0);
}

#[test]
fn a_job_error_fails_the_pipeline_and_cancels_the_other_job() {
    let host = PipelineHost::new();
    *host.together.failing_model.borrow_mut() =
        Some("deepseek-ai/DeepSeek-R1-Distill-Llama-70B".into());
    let selftune = open(&host);
    capture(&selftune, 0..20);
    let id = block_on(selftune.launch_pipeline(config(json!({})))).unwrap();
    assert_eq!(drive(&selftune, &host, &id).last(), Some(&Phase::Failed));
    let status = block_on(selftune.pipeline_status(&id)).unwrap();
    let error = status.last_error.unwrap();
    assert_eq!(error.code, "job_failed");
    assert!(
        error.message.contains("CUDA out of memory"),
        "{}",
        error.message
    );
    assert_eq!(status.jobs[0].cancel_reason.as_deref(), Some("failed"));
    assert_eq!(
        host.count(&format!(
            "POST /fine-tunes/{}/cancel",
            status.jobs[0].job_id.as_deref().unwrap()
        )),
        1
    );
}

#[test]
fn estimates_over_the_budget_fail_with_the_figures_and_create_nothing() {
    let host = PipelineHost::new();
    let selftune = open(&host);
    capture(&selftune, 0..20);
    let id = block_on(selftune.launch_pipeline(config(json!({ "deployment": { "budget": 3.0 } }))))
        .unwrap();
    assert_eq!(drive(&selftune, &host, &id).last(), Some(&Phase::Failed));
    let status = block_on(selftune.pipeline_status(&id)).unwrap();
    let error = status.last_error.unwrap();
    assert_eq!(error.code, "budget_exceeded");
    for figure in ["$4.50", "small $0.50", "large $4.00", "budget of $3.00"] {
        assert!(
            error.message.contains(figure),
            "{figure} in {}",
            error.message
        );
    }
    assert_eq!(host.creations(), 0);
    assert_eq!(host.count("POST /fine-tunes/estimate-price"), 2);
    // A failed pipeline leaves a report that says why.
    let report = host
        .memory
        .file(&format!("pipelines/{id}/report.md"))
        .expect("a report");
    assert!(report.contains("Status: failed"), "{report}");
    assert!(report.contains("Failed: `budget_exceeded`: the jobs are estimated at $4.50"));
    let json: Value = serde_json::from_str(
        &host
            .memory
            .file(&format!("pipelines/{id}/report.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(json["lastError"]["code"], "budget_exceeded");
}

#[test]
fn a_job_whose_spending_passes_the_budget_is_cancelled() {
    let host = PipelineHost::new();
    // Estimated at $4.50 in all, but each step really costs $0.50: $5 per job.
    host.together.price_per_step_nano.set(500_000_000);
    let selftune = open(&host);
    capture(&selftune, 0..20);
    let id = block_on(selftune.launch_pipeline(config(json!({ "deployment": { "budget": 6.0 } }))))
        .unwrap();
    assert_eq!(drive(&selftune, &host, &id).last(), Some(&Phase::Failed));
    let status = block_on(selftune.pipeline_status(&id)).unwrap();
    assert_eq!(status.last_error.as_ref().unwrap().code, "budget_exceeded");
    assert!(status
        .jobs
        .iter()
        .any(|job| job.cancel_reason.as_deref() == Some("budget_exceeded")));
    assert!(status
        .jobs
        .iter()
        .all(|job| job.status.as_deref() != Some("completed")));
    // Cancelled at the first look past the budget: at most one poll's worth of steps over.
    assert!(
        status.costs.spent_usd <= 6.0 + 2.0 * 3.0 * 0.5 + 1e-9,
        "{}",
        status.costs.spent_usd
    );
}

#[test]
fn limits_are_checked_before_any_job() {
    let host = PipelineHost::new();
    host.together.min_batch_size.set(8);
    let selftune = open(&host);
    capture(&selftune, 0..20);
    // Batch sizes the user chose are checked, not moved.
    let id = block_on(selftune.launch_pipeline(config(json!({
        "smallModel": { "learningRate": 0.5, "batchSize": 4 },
        "largeModel": { "batchSize": 1 }
    }))))
    .unwrap();
    assert_eq!(drive(&selftune, &host, &id).last(), Some(&Phase::Failed));
    let error = block_on(selftune.pipeline_status(&id))
        .unwrap()
        .last_error
        .unwrap();
    assert_eq!(error.code, "limits_exceeded");
    for part in [
        "smallModel.learningRate",
        "smallModel.batchSize 4 is below the model's minimum 8",
        "largeModel.batchSize 1",
    ] {
        assert!(error.message.contains(part), "{part} in {}", error.message);
    }
    assert_eq!(host.creations(), 0);
    assert_eq!(host.count("POST /fine-tunes/estimate-price"), 0);
}

#[test]
fn the_seed_default_batch_sizes_are_moved_into_the_model_range() {
    let host = PipelineHost::new();
    host.together.min_batch_size.set(8);
    let selftune = open(&host);
    capture(&selftune, 0..20);
    // No batchSize given: the seed's 4 and 1 are below the minimum 8, so 8 is sent.
    let id = block_on(selftune.launch_pipeline(config(json!({})))).unwrap();
    assert_eq!(drive(&selftune, &host, &id).last(), Some(&Phase::Completed));
    let jobs = host.together.jobs.borrow();
    assert_eq!(jobs.len(), 2);
    for job in jobs.iter() {
        assert_eq!(job.body["batch_size"], 8, "{}", job.suffix);
    }
    let state = block_on(selftune.pipeline_state(&id)).unwrap();
    assert!(state
        .jobs
        .iter()
        .all(|job| job.training.batch_size == Some(8)));
}

#[test]
fn cancelling_stops_the_running_jobs_and_the_pipeline() {
    let host = PipelineHost::new();
    let selftune = open(&host);
    capture(&selftune, 0..20);
    let id = block_on(selftune.launch_pipeline(config(json!({})))).unwrap();
    loop {
        let result = block_on(selftune.advance_pipeline(&id, &together())).unwrap();
        let state = block_on(selftune.pipeline_state(&id)).unwrap();
        if state.jobs.iter().all(|job| job.job_id.is_some()) {
            break;
        }
        host.advance(result.wake_after_ms.unwrap());
    }
    host.advance(90_000);
    let status = block_on(selftune.cancel_pipeline(&id, Some(&together()))).unwrap();
    assert_eq!(status.status, "cancelled");
    for job in &status.jobs {
        assert_eq!(job.cancel_reason.as_deref(), Some("cancelled"));
        assert_eq!(job.status.as_deref(), Some("cancelled"));
    }
    assert_eq!(host.count("POST /fine-tunes"), 2);
    let after = block_on(selftune.advance_pipeline(&id, &together())).unwrap();
    assert!(after.done);
    assert_eq!(after.phase, Phase::Cancelled);
    let report = host
        .memory
        .file(&format!("pipelines/{id}/report.md"))
        .expect("a cancelled pipeline's report");
    assert!(report.contains("Status: cancelled"), "{report}");
    let listed = block_on(selftune.list_pipelines()).unwrap();
    assert_eq!(listed.len(), 1);
    assert!(block_on(selftune.unfinished_pipelines())
        .unwrap()
        .is_empty());
}

#[test]
fn transient_failures_are_retried_and_a_lost_creation_answer_is_reconciled() {
    let host = PipelineHost::new();
    host.fault("POST /files/upload", 503, 6);
    host.fault("GET /fine-tunes/models/limits", 429, 7);
    host.lose_next_creation_answer();
    let selftune = open(&host);
    capture(&selftune, 0..20);
    let id = block_on(selftune.launch_pipeline(config(json!({})))).unwrap();
    assert_eq!(drive(&selftune, &host, &id).last(), Some(&Phase::Completed));
    assert_eq!(
        host.together.jobs.borrow().len(),
        2,
        "exactly one job per model"
    );
    assert_eq!(host.creations(), 2);
    let ops: Vec<Value> = block_on(selftune.audit(None))
        .unwrap()
        .iter()
        .map(|entry| serde_json::to_value(entry).unwrap())
        .filter(|entry| entry["op"] == "job_created")
        .collect();
    assert_eq!(ops.iter().filter(|e| e["reconciled"] == true).count(), 1);
}

/// Runs a pipeline to its end, dropping the step in flight (as a killed process would) at the
/// `crash_at`-th poll over the whole run and reopening the handle; returns the polls used.
fn run_with_crash(host: &PipelineHost, crash_at: Option<u64>) -> (String, u64) {
    let id = {
        let selftune = open(host);
        capture(&selftune, 0..12);
        block_on(selftune.launch_pipeline(config(json!({})))).unwrap()
    };
    let mut polls = 0u64;
    for _ in 0..1_000 {
        let selftune = open(host);
        let client = together();
        let mut step = std::pin::pin!(selftune.advance_pipeline(&id, &client));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let outcome: Option<selftune::pipeline::run::AdvanceResult> = loop {
            polls += 1;
            if Some(polls) == crash_at {
                break None;
            }
            if let std::task::Poll::Ready(result) = step.as_mut().poll(&mut cx) {
                break Some(result.unwrap());
            }
        };
        match outcome {
            None => continue,
            Some(result) if result.done => return (id.clone(), polls),
            Some(result) => host.advance(result.wake_after_ms.unwrap().max(1)),
        }
    }
    panic!("crash at {crash_at:?}: the pipeline did not end");
}

#[test]
fn a_restart_at_any_await_point_resumes_without_a_second_job() {
    let (_, total) = run_with_crash(&PipelineHost::new(), None);
    let stride = (total / 120).max(1);
    for crash_at in (1..total).step_by(stride as usize) {
        let host = PipelineHost::new();
        let (id, _) = run_with_crash(&host, Some(crash_at));
        let selftune = open(&host);
        let status = block_on(selftune.pipeline_status(&id)).unwrap();
        assert_eq!(
            status.status, "completed",
            "crash at {crash_at}: {:?}",
            status.last_error
        );
        assert_eq!(
            host.together.jobs.borrow().len(),
            2,
            "crash at {crash_at}: one job per model"
        );
        assert_eq!(
            host.creations(),
            2,
            "crash at {crash_at}: one creation per job"
        );
    }
}

#[test]
fn a_pipeline_without_jobs_is_cancelled_without_a_key() {
    let host = PipelineHost::new();
    let selftune = open(&host);
    let id = block_on(selftune.launch_pipeline(config(json!({})))).unwrap();
    block_on(selftune.advance_pipeline(&id, &together())).unwrap();
    let status = block_on(selftune.cancel_pipeline(&id, None)).unwrap();
    assert_eq!(status.status, "cancelled");
    assert!(host.together.log.borrow().is_empty());
    assert!(host
        .memory
        .file(&format!("pipelines/{id}/report.md"))
        .is_some());

    capture(&selftune, 0..12);
    let running = block_on(selftune.launch_pipeline(config(json!({})))).unwrap();
    drive_until_jobs(&selftune, &host, &running);
    let refused = block_on(selftune.cancel_pipeline(&running, None)).unwrap_err();
    assert_eq!(refused.code.as_str(), "invalid_config");
    assert_eq!(
        block_on(selftune.pipeline_status(&running)).unwrap().status,
        "running"
    );
}

fn drive_until_jobs(selftune: &Selftune<&PipelineHost>, host: &PipelineHost, id: &str) {
    loop {
        let result = block_on(selftune.advance_pipeline(id, &together())).unwrap();
        let state = block_on(selftune.pipeline_state(id)).unwrap();
        if state.jobs.iter().all(|job| job.job_id.is_some()) {
            return;
        }
        host.advance(result.wake_after_ms.unwrap());
    }
}

#[test]
fn an_unknown_id_is_a_clear_error() {
    let host = PipelineHost::new();
    let selftune = open(&host);
    let missing = block_on(selftune.pipeline_status("pl_000000000000")).unwrap_err();
    assert_eq!(missing.code.as_str(), "pipeline_not_found");
    let malformed = block_on(selftune.pipeline_status("../etc")).unwrap_err();
    assert_eq!(malformed.code.as_str(), "invalid_argument");
    let bad = block_on(selftune.launch_pipeline(json!({ "deployment": {} }))).unwrap_err();
    assert_eq!(bad.code.as_str(), "invalid_config");
}

#[test]
fn the_api_key_never_lands_in_state_status_or_audit() {
    let host = PipelineHost::new();
    host.fault("POST /files/upload", 401, 1);
    let selftune = open(&host);
    capture(&selftune, 0..12);
    let failing = block_on(selftune.launch_pipeline(config(json!({})))).unwrap();
    drive(&selftune, &host, &failing);
    let id = block_on(selftune.launch_pipeline(config(json!({})))).unwrap();
    drive(&selftune, &host, &id);
    assert!(host
        .together
        .auth
        .borrow()
        .iter()
        .all(|h| h == &format!("Bearer {FAKE_KEY}")));
    let stored: String = host.memory.files.borrow().values().cloned().collect();
    assert!(!stored.contains(FAKE_KEY), "the key is in storage");
    let statuses = serde_json::to_string(&block_on(selftune.list_pipelines()).unwrap()).unwrap();
    assert!(!statuses.contains(FAKE_KEY));
    assert!(
        stored.contains("together_unauthorized"),
        "the failure is recorded"
    );
}
