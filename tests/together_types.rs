//! Tolerant parsing of Together's responses: unknown fields, unknown enum values, fields of the
//! wrong type, money in two units, error bodies in several shapes.

use selftune::together::errors::{ErrorDetails, TogetherError, TogetherErrorKind};
use selftune::together::types::{
    Checkpoint, DataList, EndpointState, EventType, FileObject, FilePurpose, FineTuneEvent,
    FineTuneJob, JobStatus, Metrics, ModelLimits, Normalize, PriceEstimate, ProcessingStatus,
};
use serde::de::DeserializeOwned;
use serde_json::json;

fn parse<T: DeserializeOwned + Normalize>(value: serde_json::Value) -> T {
    let mut parsed: T = serde_json::from_value(value).expect("parses");
    parsed.normalize();
    parsed
}

#[test]
fn a_job_with_a_status_missing_from_the_enum_parses_and_keeps_it() {
    let job: FineTuneJob = parse(json!({
        "id": "ft-1",
        "status": "model_downloading",
        "created_at": "2026-11-26T12:00:00Z",
        "a_field_from_the_future": {"nested": [1, 2, 3]},
    }));
    assert_eq!(
        job.status,
        Some(JobStatus::Other("model_downloading".into()))
    );
    let status = job.status.unwrap();
    assert!(!status.is_known());
    assert!(!status.is_terminal());
    assert_eq!(status.as_str(), "model_downloading");
    // Serialized for JS, the value is the server's string.
    let js = serde_json::to_value(FineTuneJob {
        status: Some(status),
        ..FineTuneJob::default()
    })
    .unwrap();
    assert_eq!(js["status"], "model_downloading");
}

#[test]
fn known_statuses_and_terminal_ones() {
    for (text, status) in [
        ("pending", JobStatus::Pending),
        ("queued", JobStatus::Queued),
        ("running", JobStatus::Running),
        ("compressing", JobStatus::Compressing),
        ("uploading", JobStatus::Uploading),
        ("cancel_requested", JobStatus::CancelRequested),
        ("cancelled", JobStatus::Cancelled),
        ("error", JobStatus::Error),
        ("completed", JobStatus::Completed),
    ] {
        assert_eq!(JobStatus::from(text), status);
        assert_eq!(status.as_str(), text);
        assert_eq!(
            status.is_terminal(),
            matches!(text, "completed" | "cancelled" | "error")
        );
    }
    // "failed" is what some docs poll for; Together's value is "error".
    assert_eq!(JobStatus::from("failed"), JobStatus::Other("failed".into()));
}

#[test]
fn total_price_is_nano_dollars_and_an_estimate_is_dollars() {
    let job: FineTuneJob =
        parse(json!({"id": "ft-1", "status": "completed", "total_price": 1_500_000_000i64}));
    assert_eq!(job.total_price_nano_usd, Some(1_500_000_000));
    assert_eq!(job.total_price_usd, Some(1.5));
    let js = serde_json::to_value(&job).unwrap();
    assert_eq!(js["totalPriceUsd"], 1.5);
    assert_eq!(js["totalPriceNanoUsd"], 1_500_000_000i64);

    let estimate: PriceEstimate = parse(json!({
        "estimated_total_price": 1.5,
        "allowed_to_proceed": true,
        "user_limit": 100.0,
        "estimated_train_token_count": 3_125_000.0,
        "estimated_eval_token_count": 0,
    }));
    assert_eq!(estimate.estimated_total_price_usd, Some(1.5));
    assert_eq!(estimate.estimated_total_price_nano_usd, Some(1_500_000_000));
    assert_eq!(estimate.user_limit_usd, Some(100.0));
    assert_eq!(estimate.estimation_available, Some(true));
    assert_eq!(estimate.allowed_to_proceed, Some(true));

    let unavailable: PriceEstimate = parse(json!({
        "estimation_available": false,
        "unavailable_reason": "train_file_not_validated",
    }));
    assert_eq!(unavailable.estimation_available, Some(false));
    assert_eq!(
        unavailable.unavailable_reason.as_deref(),
        Some("train_file_not_validated")
    );
    assert_eq!(unavailable.estimated_total_price_nano_usd, None);
}

#[test]
fn fields_of_an_unexpected_type_read_as_absent_or_are_coerced() {
    let job: FineTuneJob = parse(json!({
        "id": "ft-1",
        "status": 7,
        "total_price": "2500000000",
        "n_epochs": 3.0,
        "token_count": "many",
        "batch_size": "max",
        "learning_rate": "0.0001",
        "created_at": 1_795_694_400,
        "events": "not a list",
        "progress": {"estimate_available": true, "seconds_remaining": "120"},
        "training_type": {"type": "Lora", "lora_r": 16, "lora_alpha": "32"},
    }));
    assert_eq!(job.status, None);
    assert_eq!(job.total_price_usd, Some(2.5));
    assert_eq!(job.n_epochs, Some(3));
    assert_eq!(job.token_count, None);
    assert_eq!(job.batch_size, Some(json!("max")));
    assert_eq!(job.learning_rate, Some(0.0001));
    assert_eq!(job.created_at.as_deref(), Some("1795694400"));
    assert!(job.events.is_empty());
    assert_eq!(job.progress.unwrap().seconds_remaining, Some(120));
    let training = job.training_type.unwrap();
    assert_eq!(training.kind.as_deref(), Some("Lora"));
    assert_eq!(training.lora_alpha, Some(32));
}

#[test]
fn a_file_response_reads_the_pascal_case_fields_and_the_processing_state() {
    let file: FileObject = parse(json!({
        "id": "file-1",
        "object": "file",
        "created_at": 1_715_021_438,
        "filename": "my_file.jsonl",
        "bytes": 2664,
        "purpose": "fine-tune",
        "Processed": true,
        "FileType": "jsonl",
        "LineCount": 123,
        "processing_status": "INVALID_FORMAT",
        "validation_report": {"valid": false, "error": "Line 7: messages[1] must contain a role field", "error_type": "INVALID_FORMAT", "nlines": 123, "dataset_has_reasoning": true, "new_flag": 1},
    }));
    assert_eq!(file.processed, Some(true));
    assert_eq!(file.file_type.as_deref(), Some("jsonl"));
    assert_eq!(file.line_count, Some(123));
    assert_eq!(file.purpose, Some(FilePurpose::FineTune));
    assert_eq!(
        file.processing_status,
        Some(ProcessingStatus::InvalidFormat)
    );
    let report = file.validation_report.unwrap();
    assert_eq!(
        report.error.as_deref(),
        Some("Line 7: messages[1] must contain a role field")
    );
    assert_eq!(report.dataset_has_reasoning, Some(true));

    let later: FileObject = parse(
        json!({"id": "file-2", "processing_status": "VALIDATING_TOKENS", "purpose": "sft-data"}),
    );
    assert_eq!(
        later.processing_status,
        Some(ProcessingStatus::Other("VALIDATING_TOKENS".into()))
    );
    assert_eq!(later.purpose, Some(FilePurpose::Other("sft-data".into())));
}

#[test]
fn lists_skip_items_they_cannot_read() {
    let list: DataList<FineTuneEvent> = parse(json!({"data": [
        {"object": "fine-tune-event", "type": "job_start", "message": "Job started", "level": null},
        "garbage",
        {"type": "early_stopped", "step": 40},
        {"type": "a_new_event_type"},
    ]}));
    assert_eq!(list.data.len(), 3);
    assert_eq!(list.data[0].kind, Some(EventType::JobStart));
    assert_eq!(list.data[0].level, None);
    assert_eq!(list.data[1].kind, Some(EventType::EarlyStopped));
    assert_eq!(
        list.data[2].kind,
        Some(EventType::Other("a_new_event_type".into()))
    );
    let none: DataList<Checkpoint> = parse(json!({"object": "list"}));
    assert!(none.data.is_empty());
}

#[test]
fn metrics_keep_numbers_only() {
    let metrics: Metrics = parse(json!({"metrics": [
        {"train/loss": 0.5, "train/global_step": 7, "note": "warmup"},
        {"eval/loss": 0.45, "train/global_step": 14},
        "junk",
    ]}));
    assert_eq!(metrics.metrics.len(), 2);
    assert_eq!(metrics.metrics[0]["train/loss"], 0.5);
    assert!(!metrics.metrics[0].contains_key("note"));
    assert_eq!(metrics.metrics[1]["eval/loss"], 0.45);
}

#[test]
fn model_limits_with_a_null_full_training() {
    let limits: ModelLimits = parse(json!({
        "model_name": "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B",
        "max_num_epochs": 20,
        "lora_training": {"max_rank": 64, "default_rank": 64, "target_modules": ["q_proj", 3, "v_proj"]},
        "full_training": null,
        "supports_reasoning": false,
    }));
    assert_eq!(limits.max_num_epochs, Some(20));
    let lora = limits.lora_training.unwrap();
    assert_eq!(lora.max_rank, Some(64));
    assert_eq!(lora.target_modules, vec!["q_proj", "v_proj"]);
    assert!(limits.full_training.is_none());
}

#[test]
fn endpoint_states_are_open_too() {
    assert_eq!(EndpointState::from("STARTED"), EndpointState::Started);
    assert_eq!(
        EndpointState::from("DEPLOYMENT_STATE_READY"),
        EndpointState::Other("DEPLOYMENT_STATE_READY".into())
    );
    assert!(EndpointState::KNOWN.contains(&"STOPPING"));
}

#[test]
fn error_bodies_in_each_of_togethers_shapes() {
    let data = ErrorDetails::parse(
        r#"{"id":"okkMWqL","error":{"message":"Unable to access non-serverless model x","type":"invalid_request_error","param":null,"code":"model_not_available"}}"#,
    );
    assert_eq!(
        data.message.as_deref(),
        Some("Unable to access non-serverless model x")
    );
    assert_eq!(data.param, None);
    assert_eq!(data.code.as_deref(), Some("model_not_available"));
    let bare = ErrorDetails::parse(r#"{"message":"Model x is not supported for fine-tuning"}"#);
    assert_eq!(
        bare.message.as_deref(),
        Some("Model x is not supported for fine-tuning")
    );
    let numeric = ErrorDetails::parse(r#"{"code":404,"message":"not here"}"#);
    assert_eq!(numeric.code.as_deref(), Some("404"));
    let text = ErrorDetails::parse(r#"{"error":"overloaded"}"#);
    assert_eq!(text.message.as_deref(), Some("overloaded"));
    assert_eq!(
        ErrorDetails::parse("<html>502</html>"),
        ErrorDetails::default()
    );
    let long = ErrorDetails::parse(&format!(r#"{{"message":"{}"}}"#, "x".repeat(2_000)));
    assert!(long.message.unwrap().chars().count() <= 501);

    let error = TogetherError::from_status(
        400,
        r#"{"error":{"message":"n_epochs must be at most 20","type":"invalid_request_error","param":"n_epochs","code":null}}"#,
    );
    assert_eq!(error.kind, TogetherErrorKind::InvalidRequest);
    assert_eq!(error.param.as_deref(), Some("n_epochs"));
    let selftune = error.to_selftune_error();
    assert_eq!(selftune.code.as_str(), "together_invalid_request");
    assert_eq!(selftune.field.as_deref(), Some("n_epochs"));
    assert!(selftune.message.contains("n_epochs must be at most 20"));
    let gateway = TogetherError::from_status(502, "<html>bad gateway</html>");
    assert_eq!(gateway.kind, TogetherErrorKind::Server);
    assert!(gateway.to_string().contains("HTTP 502 Bad Gateway"));
}
