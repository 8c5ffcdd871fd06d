//! The evaluating and deploying phases against the scripted Together fake: a fine-tune that beats
//! its base is deployed as the matrix decides, one that does not is not, and an endpoint whose
//! creation answer is lost is found again instead of created twice.

mod support;

use std::future::Future;

use serde_json::{json, Value};

use selftune::config::SelftuneConfig;
use selftune::handle::Selftune;
use selftune::pipeline::state::Phase;
use selftune::pipeline::status::PipelineStatus;
use support::block_on;
use support::pipeline_fixtures::{plugin, together};
use support::together_fake::{FakeServing, Fault, PipelineHost};

/// An answer in the trained format naming the reference's files, with code that parses.
const GOOD: &str = "<think>\nTwo files.\n</think>\n\nHere is the plugin `plugin-1`, in 2 files.\n\n`src/index.ts`\n```typescript\nexport const value1x0 = 31 + 1;\n```\n\n`src/extra.ts`\n```typescript\nexport const extra1 = 1;\n```";
/// No files at all.
const BAD: &str = "I cannot write that plugin.";

fn serving(host: &PipelineHost, tuned: &str, base: &str, cents: f64) {
    *host.together.serving.borrow_mut() = Some(FakeServing {
        hardware: vec![
            ("1x_cheap".into(), cents, "available".into()),
            ("1x_gone".into(), cents / 2.0, "unavailable".into()),
            ("8x_big".into(), cents * 10.0, "available".into()),
        ],
        tuned_reply: tuned.into(),
        base_reply: base.into(),
    });
}

/// Runs a pipeline to its end and answers its status.
fn run(host: &PipelineHost, deployment: Value) -> PipelineStatus {
    let selftune: Selftune<&PipelineHost> =
        block_on(Selftune::open(host, SelftuneConfig::default())).unwrap();
    for i in 0..20 {
        assert!(
            block_on(selftune.on_plugin_success(plugin(i)))
                .unwrap()
                .stored
        );
    }
    let mut config = json!({
        "smallModel": { "baseModel": "deepseek-r1-distill-qwen-1.5b", "suffix": "small" },
        "largeModel": { "baseModel": "Deepseek-R1-distill-llama-70b", "suffix": "large" },
        "dataCollection": { "minDataPoints": 10, "minQuality": 0.7, "collectFor": 0 },
        "deployment": { "budget": 10.0 }
    });
    for (key, value) in deployment.as_object().unwrap() {
        config["deployment"][key] = value.clone();
    }
    let id = block_on(selftune.launch_pipeline(config)).unwrap();
    for _ in 0..2_000 {
        let result = block_on(selftune.advance_pipeline(&id, &together())).unwrap();
        if result.done {
            let status = block_on(selftune.pipeline_status(&id)).unwrap();
            assert_eq!(
                status.current_phase,
                Phase::Completed,
                "{:?}",
                status.last_error
            );
            return status;
        }
        host.advance(result.wake_after_ms.unwrap());
    }
    panic!("the pipeline did not end");
}

fn target(status: &PipelineStatus, slot: &str) -> String {
    serde_json::to_value(status.deployments[slot].decision.target)
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn fine_tunes_that_beat_their_base_are_deployed_where_the_matrix_says() {
    let host = PipelineHost::new();
    // 0.2 ¢/min all month is $86.40: under the $200 server.
    serving(&host, GOOD, BAD, 0.2);
    let status = run(
        &host,
        json!({ "autoDecision": true, "expectedUsage": 50_000, "evaluationSamples": 2 }),
    );
    for slot in ["small", "large"] {
        let evaluation = &status.evaluations[slot];
        let summary = evaluation.summary.as_ref().expect("evaluated");
        assert_eq!(summary.samples, 2, "{slot}");
        assert_eq!(summary.wins, 2, "{slot}");
        assert!(summary.beats_base);
        assert_eq!(
            evaluation.hardware.as_deref(),
            Some("1x_cheap"),
            "the cheapest available"
        );
        // The native host has no TypeScript parser: those blocks are unchecked, not guessed.
        assert!(!evaluation.parser_available);
        assert_eq!(evaluation.pairs[0].tuned.blocks_unchecked, 2);
    }
    // 1.5B at fp16 is 3.0 GB: the 3–10 GB band, low usage and Together under $200.
    assert_eq!(status.deployments["small"].size_gb, Some(3.0));
    assert_eq!(
        status.deployments["small"].decision.cell,
        "3-10GB/low-usage/cheap"
    );
    assert_eq!(target(&status, "small"), "together");
    assert_eq!(status.deployments["large"].decision.cell, "over-10GB");
    let cost = &status.deployments["large"].cost;
    assert!((cost.together_usd_per_month.unwrap() - 86.4).abs() < 1e-9);
    assert!((cost.training_usd - 1.0).abs() < 1e-9);
    // Each evaluation endpoint became the deployment: two creations, both recorded and live,
    // with the deployment's inactivity timeout, each smoke-tested.
    assert_eq!(host.count("POST /endpoints"), 2);
    assert_eq!(host.together.endpoints.borrow().len(), 2);
    for endpoint in &status.endpoints {
        assert_eq!(endpoint.purpose, "deployment");
        assert_eq!(endpoint.inactive_timeout, 60);
        assert!(endpoint.deleted_at.is_none());
    }
    for slot in ["small", "large"] {
        let deployment = &status.deployments[slot];
        assert!(
            deployment.carried_out && deployment.smoke_test.is_some(),
            "{slot}"
        );
    }
    assert!(host
        .together
        .endpoints
        .borrow()
        .iter()
        .all(|e| e["inactive_timeout"] == 60));
}

#[test]
fn an_endpoint_whose_idle_minutes_would_pass_the_budget_is_recommended_not_created() {
    let host = PipelineHost::new();
    // 20 ¢/min: the 60 idle minutes alone cost $12, more than the $10 budget less the $2 of
    // training.
    serving(&host, GOOD, BAD, 20.0);
    let status = run(
        &host,
        json!({ "autoDecision": true, "expectedUsage": 50_000_000, "evaluationSamples": 1, "evaluationBudget": 50.0 }),
    );
    assert_eq!(target(&status, "large"), "together");
    let large = &status.deployments["large"];
    assert!(!large.carried_out);
    assert!(large.endpoint_id.is_none());
    assert!(
        large
            .summary
            .contains("not created: it would cost at least $12.00 (60 idle minutes at 20 ¢/min"),
        "{}",
        large.summary
    );
    assert!(
        large.summary.contains("left of the $10.00 budget"),
        "{}",
        large.summary
    );
    // The evaluation endpoints were deleted, and none was created for a deployment.
    assert!(status.endpoints.iter().all(|e| e.deleted_at.is_some()));
    assert!(status.endpoints.iter().all(|e| e.purpose == "evaluation"));
}

#[test]
fn an_evaluation_never_spends_more_than_is_left_of_the_pipeline_budget() {
    let host = PipelineHost::new();
    // 80 ¢/min for 10.5 minutes is $8.40: within the $50 evaluation budget, over the $8 left of
    // the $10 budget after $2 of training.
    serving(&host, GOOD, BAD, 80.0);
    let status = run(
        &host,
        json!({ "autoDecision": true, "evaluationSamples": 1, "evaluationBudget": 50.0 }),
    );
    for slot in ["small", "large"] {
        let evaluation = &status.evaluations[slot];
        assert!(evaluation.summary.is_none(), "{slot}");
        let reason = evaluation.reason.as_deref().unwrap_or_default();
        assert!(
            reason.contains("over what is left of the pipeline's budget of $8.00"),
            "{slot}: {reason}"
        );
    }
    assert_eq!(host.count("POST /endpoints"), 0, "no endpoint was created");
}

#[test]
fn a_fine_tune_that_does_not_beat_its_base_is_not_deployed_and_its_endpoint_is_deleted() {
    let host = PipelineHost::new();
    serving(&host, BAD, GOOD, 0.2);
    let status = run(
        &host,
        json!({ "autoDecision": true, "evaluationSamples": 2 }),
    );
    for slot in ["small", "large"] {
        let summary = status.evaluations[slot].summary.as_ref().unwrap();
        assert_eq!(summary.losses, 2);
        assert!(!summary.beats_base);
        assert_eq!(target(&status, slot), "none");
        assert_eq!(status.deployments[slot].decision.cell, "does-not-beat-base");
        assert!(status.deployments[slot].summary.starts_with("not deployed"));
    }
    assert!(
        host.together.endpoints.borrow().is_empty(),
        "nothing left running"
    );
    assert!(status.endpoints.iter().all(|e| e.deleted_at.is_some()));
    assert_eq!(status.endpoints.len(), 2, "the records stay");
}

#[test]
fn an_evaluation_over_its_budget_is_skipped_and_a_small_model_goes_local() {
    let host = PipelineHost::new();
    // 50 ¢/min for 11 minutes is $5.50: over a $1 evaluation budget.
    serving(&host, GOOD, BAD, 50.0);
    let status = run(
        &host,
        json!({ "evaluationBudget": 1.0, "evaluationSamples": 2, "precision": "q4_k_m" }),
    );
    for slot in ["small", "large"] {
        let evaluation = &status.evaluations[slot];
        assert!(evaluation.summary.is_none());
        assert!(evaluation
            .reason
            .as_ref()
            .unwrap()
            .contains("over the evaluation budget of $1.00"));
        assert_eq!(target(&status, slot), "none");
        assert_eq!(status.deployments[slot].decision.cell, "not-evaluated");
    }
    assert_eq!(
        host.count("POST /endpoints"),
        0,
        "no endpoint for a skipped evaluation"
    );
}

#[test]
fn a_lost_endpoint_creation_answer_is_found_again_not_created_twice() {
    let host = PipelineHost::new();
    serving(&host, GOOD, BAD, 0.2);
    host.together.faults.borrow_mut().push(Fault {
        route: "POST /endpoints".into(),
        status: 502,
        times: 1,
        after_effect: true,
    });
    let status = run(
        &host,
        json!({ "autoDecision": true, "expectedUsage": 5_000_000, "evaluationSamples": 1 }),
    );
    // One POST whose answer was lost, then a look at the list that adopts it; then the other slot.
    assert_eq!(host.count("GET /endpoints"), 1);
    assert_eq!(host.count("POST /endpoints"), 2);
    assert_eq!(status.endpoints.len(), 2);
    assert!(
        status.evaluations["small"]
            .summary
            .as_ref()
            .unwrap()
            .beats_base
    );
    // High usage and Together at $86.40 < $200: the open cell "high usage, cheap" goes to Together.
    assert_eq!(
        status.deployments["small"].decision.cell,
        "3-10GB/high-usage/cheap"
    );
    assert_eq!(host.together.endpoints.borrow().len(), 2);
}

#[test]
fn a_local_decision_writes_the_modelfile_and_deletes_the_evaluation_endpoint() {
    let host = PipelineHost::new();
    // 1 ¢/min all month is $432: over the server, and 1M tokens/month is high usage.
    serving(&host, GOOD, BAD, 1.0);
    let status = run(
        &host,
        json!({ "autoDecision": true, "evaluationSamples": 1 }),
    );
    let small = &status.deployments["small"];
    assert_eq!(small.decision.cell, "3-10GB/high-usage/expensive");
    let local = small.local.as_ref().unwrap();
    let text = block_on(selftune::host::Storage::read(&host, &local.modelfile_path))
        .unwrap()
        .unwrap();
    assert!(text.contains("PARAMETER temperature 0.6"));
    assert!(local.commands[0].contains("/finetune/download?ft_id="));
    let live: Vec<_> = status
        .endpoints
        .iter()
        .filter(|e| e.deleted_at.is_none())
        .collect();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].slot, "large");
    let report = block_on(selftune::host::Storage::read(
        &host,
        &format!("pipelines/{}/report.md", status.id),
    ))
    .unwrap()
    .unwrap();
    assert!(
        report.contains("### small: local_gpu (3-10GB/high-usage/expensive)"),
        "{report}"
    );
    assert!(report.contains("convert_hf_to_gguf.py"));
}

#[test]
fn cancelling_during_the_evaluation_deletes_its_endpoint_and_keeps_the_record() {
    let host = PipelineHost::new();
    serving(&host, GOOD, BAD, 0.2);
    let selftune: Selftune<&PipelineHost> =
        block_on(Selftune::open(&host, SelftuneConfig::default())).unwrap();
    for i in 0..20 {
        assert!(
            block_on(selftune.on_plugin_success(plugin(i)))
                .unwrap()
                .stored
        );
    }
    let config = json!({
        "dataCollection": { "minDataPoints": 10, "minQuality": 0.7, "collectFor": 0 },
        "deployment": { "budget": 10.0, "evaluationSamples": 2 }
    });
    let id = block_on(selftune.launch_pipeline(config)).unwrap();
    for _ in 0..2_000 {
        let result = block_on(selftune.advance_pipeline(&id, &together())).unwrap();
        assert!(!result.done, "the pipeline ended before an endpoint ran");
        if !host.together.endpoints.borrow().is_empty() {
            break;
        }
        host.advance(result.wake_after_ms.unwrap());
    }
    let status = block_on(selftune.cancel_pipeline(&id, Some(&together()))).unwrap();
    assert_eq!(status.status, "cancelled");
    assert!(
        host.together.endpoints.borrow().is_empty(),
        "nothing left running"
    );
    assert_eq!(status.endpoints.len(), 1);
    assert!(status.endpoints[0].deleted_at.is_some());
    assert_eq!(status.endpoints[0].purpose, "evaluation");
}

/// Runs a pipeline whose process dies at the `crash_at`-th poll of a step (then restarts).
fn run_with_crash(host: &PipelineHost, crash_at: Option<u64>) -> (String, u64) {
    let config = json!({
        "dataCollection": { "minDataPoints": 10, "minQuality": 0.7, "collectFor": 0 },
        "deployment": { "budget": 10.0, "autoDecision": true, "expectedUsage": 50_000, "evaluationSamples": 1 }
    });
    let id = {
        let selftune: Selftune<&PipelineHost> =
            block_on(Selftune::open(host, SelftuneConfig::default())).unwrap();
        for i in 0..12 {
            assert!(
                block_on(selftune.on_plugin_success(plugin(i)))
                    .unwrap()
                    .stored
            );
        }
        block_on(selftune.launch_pipeline(config)).unwrap()
    };
    let mut polls = 0u64;
    for _ in 0..1_000 {
        let selftune: Selftune<&PipelineHost> =
            block_on(Selftune::open(host, SelftuneConfig::default())).unwrap();
        let client = together();
        let mut step = std::pin::pin!(selftune.advance_pipeline(&id, &client));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let outcome = loop {
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
fn a_restart_at_any_point_never_loses_an_endpoint_or_creates_a_second() {
    let clean = PipelineHost::new();
    serving(&clean, GOOD, BAD, 0.2);
    let (_, total) = run_with_crash(&clean, None);
    let stride = (total / 100).max(1);
    for crash_at in (1..total).step_by(stride as usize) {
        let host = PipelineHost::new();
        serving(&host, GOOD, BAD, 0.2);
        let (id, _) = run_with_crash(&host, Some(crash_at));
        let selftune: Selftune<&PipelineHost> =
            block_on(Selftune::open(&host, SelftuneConfig::default())).unwrap();
        let status = block_on(selftune.pipeline_status(&id)).unwrap();
        assert_eq!(
            status.status, "completed",
            "crash at {crash_at}: {:?}",
            status.last_error
        );
        // Every endpoint running at Together is recorded, and there is one per model.
        let running: Vec<String> = host
            .together
            .endpoints
            .borrow()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(running.len(), 2, "crash at {crash_at}");
        for endpoint in &running {
            assert!(
                status
                    .endpoints
                    .iter()
                    .any(|e| e.id.as_deref() == Some(endpoint.as_str()) && e.deleted_at.is_none()),
                "crash at {crash_at}: {endpoint} runs without a record"
            );
        }
        assert_eq!(
            host.count("POST /endpoints"),
            2,
            "crash at {crash_at}: one creation per model"
        );
    }
}

#[test]
fn a_per_token_rate_gives_the_break_even_in_tokens() {
    let host = PipelineHost::new();
    serving(&host, GOOD, BAD, 1.0);
    let status = run(
        &host,
        json!({ "evaluationSamples": 1, "expectedUsage": 150_000_000, "serverlessUsdPerMillion": 2.0 }),
    );
    let cost = &status.deployments["small"].cost;
    assert_eq!(serde_json::to_value(cost.basis).unwrap(), "per_token");
    // 150M tokens at $2.00 per million: $300 a month; the $200 server breaks even at 100M.
    assert!((cost.together_usd_per_month.unwrap() - 300.0).abs() < 1e-9);
    assert_eq!(cost.break_even_tokens_per_month, Some(100_000_000));
    assert_eq!(
        status.deployments["small"].decision.cell,
        "3-10GB/high-usage/expensive"
    );
}
