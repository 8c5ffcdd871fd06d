//! The client over a scripted HTTP port and a simulated clock: what it sends, how it retries (and
//! when it does not), how errors map to codes, and that the API key never leaks.

mod support;

use selftune::error::ErrorCode;
use selftune::host::LogLevel;
use selftune::together::config::{TogetherConfig, TogetherOptions};
use selftune::together::requests::{
    BatchSize, ChatMessage, ChatRequest, CreateEndpoint, CreateFineTune, DownloadOptions,
    LrScheduler, MetricsFilter, TrainingMethod, TrainingType, UpdateEndpoint, WaitOptions,
};
use selftune::together::retry::{Decision, Idempotency, Jitter, RetryPolicy};
use selftune::together::types::JobStatus;
use selftune::together::{TogetherClient, TogetherError, TogetherErrorKind};
use serde_json::{json, Value};
use support::{http_response, SimHost, SimReply};

const KEY: &str = "test-key-not-real-0123456789abcdef";
const BASE: &str = "https://api.together.example/v1";

fn options() -> TogetherOptions {
    TogetherOptions {
        api_key: Some(KEY.into()),
        base_url: Some(BASE.into()),
        jitter_seed: Some(42),
        requests_per_minute: Some(0),
        ..TogetherOptions::default()
    }
}

fn client_with(options: TogetherOptions) -> TogetherClient<SimHost> {
    TogetherClient::new(
        SimHost::new(),
        TogetherConfig::resolve(options, |_| None).unwrap(),
    )
}

fn fresh() -> TogetherClient<SimHost> {
    client_with(options())
}

fn job(status: &str) -> String {
    json!({"id": "ft-1", "status": status, "total_price": 0}).to_string()
}

fn header<'a>(request: &'a selftune::host::HttpRequest, name: &str) -> Option<&'a str> {
    request
        .headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

fn sent_json(client: &TogetherClient<SimHost>, index: usize) -> Value {
    let sent = client.host().sent.borrow();
    serde_json::from_slice(sent[index].1.body.as_ref().unwrap()).unwrap()
}

/// Everything a failure shows: its Display, Debug, the SelftuneError, and the host's log.
fn all_text(client: &TogetherClient<SimHost>, error: &TogetherError) -> String {
    let logs: Vec<String> = client
        .host()
        .logs
        .borrow()
        .iter()
        .map(|(_, line)| line.clone())
        .collect();
    format!(
        "{error}\n{error:?}\n{:?}\n{}\n{client:?}",
        error.to_selftune_error(),
        logs.join("\n")
    )
}

#[test]
fn requests_carry_the_key_only_in_the_authorization_header() {
    let client = fresh();
    client.host().respond(200, &job("running"));
    let job = client
        .host()
        .run(client.retrieve_fine_tune("ft-1"))
        .unwrap();
    assert_eq!(job.status, Some(JobStatus::Running));
    let sent = client.host().sent.borrow();
    let request = &sent[0].1;
    assert_eq!(request.method, "GET");
    assert_eq!(request.url, format!("{BASE}/fine-tunes/ft-1"));
    assert_eq!(
        header(request, "authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(header(request, "accept"), Some("application/json"));
    assert!(request.body.is_none());
    assert!(!request.url.contains(KEY));
}

#[test]
fn ids_and_query_values_are_percent_encoded() {
    let client = fresh();
    client.host().respond(200, "{}").respond(200, "{}");
    client
        .host()
        .run(client.model_limits("deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B"))
        .unwrap();
    client
        .host()
        .run(client.retrieve_file("../fine-tunes?x=1"))
        .unwrap();
    let sent = client.host().sent.borrow();
    assert_eq!(
        sent[0].1.url,
        format!("{BASE}/fine-tunes/models/limits?model_name=deepseek-ai%2FDeepSeek-R1-Distill-Qwen-1.5B")
    );
    assert_eq!(
        sent[1].1.url,
        format!("{BASE}/files/..%2Ffine-tunes%3Fx%3D1")
    );
}

#[test]
fn an_upload_is_one_multipart_request_with_purpose_file_name_and_file() {
    let client = fresh();
    client.host().respond(
        200,
        r#"{"id":"file-1","object":"file","bytes":28,"purpose":"fine-tune","Processed":false,"FileType":"jsonl","filename":"train.jsonl"}"#,
    );
    let bytes = b"{\"prompt\":\"a\",\"completion\":\"b\"}\n";
    let upload = serde_json::from_value(json!({"fileName": "train.jsonl"})).unwrap();
    let file = client
        .host()
        .run(client.upload_file(&upload, bytes))
        .unwrap();
    assert_eq!(file.id, "file-1");
    let sent = client.host().sent.borrow();
    let request = &sent[0].1;
    assert_eq!(request.method, "POST");
    assert_eq!(request.url, format!("{BASE}/files/upload"));
    let content_type = header(request, "content-type").unwrap();
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap();
    let body = String::from_utf8(request.body.clone().unwrap()).unwrap();
    for part in [
        "Content-Disposition: form-data; name=\"purpose\"\r\n\r\nfine-tune\r\n",
        "Content-Disposition: form-data; name=\"file_name\"\r\n\r\ntrain.jsonl\r\n",
        "Content-Disposition: form-data; name=\"file_type\"\r\n\r\njsonl\r\n",
        "Content-Disposition: form-data; name=\"file\"; filename=\"train.jsonl\"\r\nContent-Type: application/octet-stream\r\n\r\n{\"prompt\":\"a\",\"completion\":\"b\"}\n\r\n",
    ] {
        assert!(body.contains(part), "{part:?} missing from {body:?}");
    }
    assert!(body.starts_with(&format!("--{boundary}\r\n")));
    assert!(body.ends_with(&format!("\r\n--{boundary}--\r\n")));
    assert_eq!(body.matches(&format!("--{boundary}\r\n")).count(), 4);
}

#[test]
fn a_create_body_is_togethers_snake_case_with_unset_fields_left_out() {
    let client = fresh();
    client.host().respond(200, &job("pending"));
    let request = CreateFineTune {
        training_file: "file-1".into(),
        model: "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B".into(),
        n_epochs: Some(3),
        batch_size: Some(BatchSize::Max("max".into())),
        learning_rate: Some(1e-4),
        lr_scheduler: Some(LrScheduler::Linear { min_lr_ratio: 0.1 }),
        suffix: Some("selftune-p1".into()),
        training_method: Some(TrainingMethod::Sft {
            train_on_inputs: Some(false),
        }),
        training_type: Some(TrainingType::Lora {
            lora_r: 16,
            lora_alpha: 32,
            lora_dropout: None,
            lora_trainable_modules: None,
        }),
        ..CreateFineTune::default()
    };
    client
        .host()
        .run(client.create_fine_tune(&request))
        .unwrap();
    assert_eq!(
        sent_json(&client, 0),
        json!({
            "training_file": "file-1",
            "model": "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B",
            "n_epochs": 3,
            "batch_size": "max",
            "learning_rate": 0.0001,
            "lr_scheduler": {"lr_scheduler_type": "linear", "lr_scheduler_args": {"min_lr_ratio": 0.1}},
            "suffix": "selftune-p1",
            "training_method": {"method": "sft", "train_on_inputs": false},
            "training_type": {"type": "Lora", "lora_r": 16, "lora_alpha": 32},
        })
    );
    // SFT with train_on_inputs unset leaves the block out: Together's default ("auto") applies.
    let auto = CreateFineTune {
        training_method: Some(TrainingMethod::Sft {
            train_on_inputs: None,
        }),
        ..request
    };
    assert!(auto.to_wire().unwrap().get("training_method").is_none());
}

#[test]
fn the_same_request_from_js_reads_as_camel_case_and_typos_are_rejected() {
    let request: CreateFineTune = serde_json::from_value(json!({
        "trainingFile": "file-1",
        "model": "m",
        "nEpochs": 2,
        "batchSize": 8,
        "trainingType": {"type": "Lora", "loraR": 8, "loraAlpha": 16},
        "trainingMethod": {"method": "sft", "trainOnInputs": true},
    }))
    .unwrap();
    let wire = request.to_wire().unwrap();
    assert_eq!(wire["batch_size"], 8);
    assert_eq!(wire["training_type"]["lora_alpha"], 16);
    assert_eq!(wire["training_method"]["train_on_inputs"], true);
    let typo = serde_json::from_value::<CreateFineTune>(
        json!({"trainingFile": "f", "model": "m", "nEpoch": 2}),
    );
    assert!(typo.unwrap_err().to_string().contains("nEpoch"));
    for bad in [
        json!({"trainingFile": "", "model": "m"}),
        json!({"trainingFile": "f", "model": "m", "suffix": "x".repeat(65)}),
        json!({"trainingFile": "f", "model": "m", "batchSize": "huge"}),
        json!({"trainingFile": "f", "model": "m", "warmupRatio": 2.0}),
        json!({"trainingFile": "f", "model": "m", "trainingType": {"type": "Lora", "loraR": 0, "loraAlpha": 1}}),
    ] {
        let request: CreateFineTune = serde_json::from_value(bad.clone()).unwrap();
        let error = request.to_wire().unwrap_err();
        assert_eq!(error.kind, TogetherErrorKind::InvalidArgument, "{bad}");
        assert_eq!(error.to_selftune_error().code, ErrorCode::InvalidArgument);
    }
}

#[test]
fn a_429_with_retry_after_ms_waits_exactly_that_long() {
    let client = fresh();
    client
        .host()
        .respond_with(
            429,
            &[("retry-after-ms", "1500")],
            r#"{"error":{"message":"slow down","type":"rate_limit_exceeded"}}"#,
        )
        .respond(200, &job("queued"));
    let job = client
        .host()
        .run(client.retrieve_fine_tune("ft-1"))
        .unwrap();
    assert_eq!(job.status, Some(JobStatus::Queued));
    assert_eq!(client.host().send_times(), vec![0, 1_500]);
    let logs = client.host().logs.borrow();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].0, LogLevel::Warn);
    assert!(
        logs[0]
            .1
            .contains("GET /fine-tunes/ft-1: HTTP 429; retrying in 1500 ms (attempt 2 of 5)"),
        "{}",
        logs[0].1
    );
}

#[test]
fn server_errors_are_retried_on_the_seeded_backoff_schedule() {
    let client = fresh();
    client
        .host()
        .respond(500, "{}")
        .respond(503, "{}")
        .respond(502, "<html>bad gateway</html>")
        .respond(200, "{\"data\":[]}");
    let files = client.host().run(client.list_files()).unwrap();
    assert!(files.is_empty());
    // The waits are the policy's own schedule for jitter seed 42.
    let policy = RetryPolicy::default();
    let mut jitter = Jitter::new(42);
    let mut expected = vec![0];
    for retry in 0..3 {
        let last = *expected.last().unwrap();
        expected.push(last + policy.backoff_ms(retry, jitter.next_unit()));
    }
    assert_eq!(client.host().send_times(), expected);
    assert_eq!(client.host().send_times(), vec![0, 407, 1_367, 3_228]);
}

#[test]
fn a_dropped_connection_is_retried() {
    let client = fresh();
    client
        .host()
        .push(SimReply::Fail {
            after_ms: 30,
            message: "socket hang up".into(),
        })
        .respond(
            200,
            r#"{"data":[{"id":"file-1","processing_status":"COMPLETED"}]}"#,
        );
    let files = client.host().run(client.list_files()).unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(client.host().sent.borrow().len(), 2);
    assert!(client.host().logs.borrow()[0]
        .1
        .contains("no response: socket hang up"));
}

#[test]
fn a_slow_response_times_out_and_the_retry_succeeds() {
    let client = client_with(TogetherOptions {
        timeout_ms: Some(2_000),
        ..options()
    });
    client
        .host()
        .push(SimReply::Respond {
            after_ms: 5_000,
            response: http_response(200, &[], &job("running")),
        })
        .respond(200, &job("compressing"));
    let job = client
        .host()
        .run(client.retrieve_fine_tune("ft-1"))
        .unwrap();
    assert_eq!(job.status, Some(JobStatus::Compressing));
    let times = client.host().send_times();
    assert_eq!(times.len(), 2);
    // Timed out at 2 s, then the first backoff (407 ms for seed 42).
    assert_eq!(times[1], 2_000 + 407);
}

#[test]
fn a_call_that_never_answers_ends_with_a_timeout_error() {
    let client = client_with(TogetherOptions {
        timeout_ms: Some(1_000),
        max_attempts: Some(3),
        ..options()
    });
    for _ in 0..3 {
        client.host().push(SimReply::Hang);
    }
    let error = client
        .host()
        .run(client.retrieve_fine_tune("ft-1"))
        .unwrap_err();
    assert_eq!(error.kind, TogetherErrorKind::Timeout);
    assert_eq!(error.attempts, 3);
    assert_eq!(error.to_selftune_error().code.as_str(), "together_timeout");
    assert!(error.to_string().contains("no response within 1000 ms"));
    // The timeout is measured in 250 ms slices.
    assert!(client.host().sleeps.borrow().contains(&250));
}

#[test]
fn creating_a_job_is_sent_once_whatever_happens() {
    let request = CreateFineTune {
        training_file: "file-1".into(),
        model: "m".into(),
        ..CreateFineTune::default()
    };
    for (reply, code) in [
        (
            SimReply::Respond {
                after_ms: 0,
                response: http_response(500, &[], "{}"),
            },
            "together_server",
        ),
        (
            SimReply::Respond {
                after_ms: 0,
                response: http_response(429, &[("retry-after", "1")], "{}"),
            },
            "together_rate_limited",
        ),
        (
            SimReply::Fail {
                after_ms: 0,
                message: "connection reset".into(),
            },
            "together_http",
        ),
        (SimReply::Hang, "together_timeout"),
    ] {
        let client = fresh();
        client.host().push(reply).respond(200, &job("pending"));
        let error = client
            .host()
            .run(client.create_fine_tune(&request))
            .unwrap_err();
        assert_eq!(error.to_selftune_error().code.as_str(), code);
        assert_eq!(client.host().sent.borrow().len(), 1, "{code}");
        assert_eq!(error.attempts, 1);
        assert!(client.host().logs.borrow()[0].1.contains("not retried"));
    }
    // Creating an endpoint is billed per minute: sent once too.
    let client = fresh();
    client.host().respond(503, "{}").respond(200, "{}");
    let endpoint = CreateEndpoint {
        model: "m".into(),
        hardware: "h".into(),
        ..CreateEndpoint::default()
    };
    assert!(client
        .host()
        .run(client.create_endpoint(&endpoint))
        .is_err());
    assert_eq!(client.host().sent.borrow().len(), 1);
}

#[test]
fn statuses_map_to_typed_errors_and_stable_codes() {
    let cases: [(u16, &str, TogetherErrorKind, &str); 8] = [
        (
            401,
            r#"{"error":{"message":"Invalid API key provided","type":"invalid_request_error","code":"invalid_api_key"}}"#,
            TogetherErrorKind::Unauthorized,
            "together_unauthorized",
        ),
        (
            402,
            r#"{"error":{"message":"Insufficient balance","type":"payment_required"}}"#,
            TogetherErrorKind::PaymentRequired,
            "together_payment_required",
        ),
        (
            404,
            r#"{"message":"Model x is not supported for fine-tuning"}"#,
            TogetherErrorKind::NotFound,
            "together_not_found",
        ),
        (
            400,
            r#"{"error":{"message":"lora_r must be at most 64","type":"invalid_request_error","param":"training_type.lora_r"}}"#,
            TogetherErrorKind::InvalidRequest,
            "together_invalid_request",
        ),
        (
            403,
            r#"{"error":{"message":"not allowed"}}"#,
            TogetherErrorKind::InvalidRequest,
            "together_invalid_request",
        ),
        (
            429,
            r#"{"error":{"message":"Rate limit exceeded"}}"#,
            TogetherErrorKind::RateLimited,
            "together_rate_limited",
        ),
        (
            503,
            r#"{"error":{"message":"The server is overloaded or not ready yet."}}"#,
            TogetherErrorKind::Server,
            "together_server",
        ),
        (504, "", TogetherErrorKind::Timeout, "together_timeout"),
    ];
    for (status, body, kind, code) in cases {
        let client = client_with(TogetherOptions {
            max_attempts: Some(2),
            ..options()
        });
        client.host().respond(status, body).respond(status, body);
        let error = client
            .host()
            .run(client.retrieve_file("file-1"))
            .unwrap_err();
        assert_eq!(error.kind, kind, "{status}");
        assert_eq!(error.status, Some(status));
        let selftune = error.to_selftune_error();
        assert_eq!(selftune.code.as_str(), code, "{status}");
        assert!(
            selftune
                .message
                .starts_with("Together API GET /files/file-1: "),
            "{}",
            selftune.message
        );
        let retried = matches!(status, 429 | 503 | 504);
        assert_eq!(error.attempts, if retried { 2 } else { 1 }, "{status}");
    }
    let client = fresh();
    client.host().respond(
        400,
        r#"{"error":{"message":"lora_r must be at most 64","type":"invalid_request_error","param":"training_type.lora_r"}}"#,
    );
    let error = client.host().run(client.retrieve_file("f")).unwrap_err();
    let selftune = error.to_selftune_error();
    assert_eq!(selftune.field.as_deref(), Some("training_type.lora_r"));
    assert_eq!(
        selftune.message,
        "Together API GET /files/f: invalid request (HTTP 400): lora_r must be at most 64 [param: training_type.lora_r]"
    );
}

#[test]
fn rate_limited_past_the_attempts_reports_what_the_server_asked_for() {
    let client = client_with(TogetherOptions {
        max_attempts: Some(2),
        ..options()
    });
    client
        .host()
        .respond_with(429, &[("retry-after", "1")], "{}")
        .respond_with(429, &[("retry-after", "2")], "{}");
    let error = client.host().run(client.list_fine_tunes()).unwrap_err();
    assert_eq!(error.kind, TogetherErrorKind::RateLimited);
    assert_eq!(error.retry_after_ms, Some(2_000));
    assert!(error
        .to_string()
        .contains("[retry after 2000 ms] after 2 attempts"));
    // Asked to wait longer than a minute: no waiting, the caller gets the wait.
    let client = fresh();
    client
        .host()
        .respond_with(429, &[("retry-after", "120")], "{}");
    let error = client.host().run(client.list_fine_tunes()).unwrap_err();
    assert_eq!(error.retry_after_ms, Some(120_000));
    assert_eq!(client.host().elapsed(), 0);
}

#[test]
fn a_success_that_is_not_json_is_an_http_error() {
    let client = fresh();
    client.host().respond(200, "<html>captive portal</html>");
    let error = client.host().run(client.list_files()).unwrap_err();
    assert_eq!(error.kind, TogetherErrorKind::Http);
    assert_eq!(error.to_selftune_error().code.as_str(), "together_http");
    assert!(!error.to_string().contains("captive"));
}

#[test]
fn the_key_never_appears_in_errors_logs_or_debug_output() {
    // A server that echoes the key back, and a port whose error quotes it.
    let client = client_with(TogetherOptions {
        max_attempts: Some(2),
        ..options()
    });
    client
        .host()
        .push(SimReply::Fail {
            after_ms: 0,
            message: format!("request with header Authorization: Bearer {KEY} failed"),
        })
        .respond(
            401,
            &format!(r#"{{"error":{{"message":"Invalid API key {KEY}","param":"{KEY}","code":"invalid_api_key"}}}}"#),
        );
    let error = client
        .host()
        .run(client.retrieve_file("file-1"))
        .unwrap_err();
    assert_eq!(error.kind, TogetherErrorKind::Unauthorized);
    let text = all_text(&client, &error);
    assert!(!text.contains(KEY), "{text}");
    assert!(text.contains("<redacted>"));
    // The configuration and the options print without it.
    let config = TogetherConfig::resolve(options(), |_| None).unwrap();
    assert!(!format!("{config:?}").contains(KEY));
    assert!(!format!("{:?}", options()).contains(KEY));
    assert!(!format!("{client:?}").contains(KEY));
    // A rejected file's reason is scrubbed too.
    let client = fresh();
    client.host().respond(
        200,
        &json!({"id": "file-1", "processing_status": "INVALID_FORMAT", "validation_report": {"error": format!("Line 1: {KEY}")}}).to_string(),
    );
    let error = client
        .host()
        .run(client.wait_for_file("file-1", &WaitOptions::default()))
        .unwrap_err();
    assert!(!all_text(&client, &error).contains(KEY));
}

#[test]
fn waiting_for_a_file_polls_until_together_has_validated_it() {
    let client = fresh();
    for status in ["PENDING", "QUEUED", "RUNNING", "COMPLETED"] {
        client.host().respond(
            200,
            &json!({"id": "file-1", "processing_status": status, "Processed": status == "COMPLETED"}).to_string(),
        );
    }
    let options = WaitOptions {
        poll_interval_ms: Some(5_000),
        timeout_ms: None,
    };
    let file = client
        .host()
        .run(client.wait_for_file("file-1", &options))
        .unwrap();
    assert_eq!(file.processed, Some(true));
    assert_eq!(client.host().send_times(), vec![0, 5_000, 10_000, 15_000]);
}

#[test]
fn an_invalid_file_surfaces_togethers_reason() {
    let client = fresh();
    client
        .host()
        .respond(200, r#"{"id":"file-1","processing_status":"RUNNING"}"#)
        .respond(
            200,
            r#"{"id":"file-1","processing_status":"INVALID_FORMAT","validation_report":{"valid":false,"error":"Line 2: messages[1] must contain a role field","error_type":"INVALID_FORMAT"}}"#,
        );
    let error = client
        .host()
        .run(client.wait_for_file("file-1", &WaitOptions::default()))
        .unwrap_err();
    assert_eq!(error.kind, TogetherErrorKind::FileRejected);
    let selftune = error.to_selftune_error();
    assert_eq!(selftune.code.as_str(), "together_file_rejected");
    assert!(selftune
        .message
        .contains("file file-1 is not in a format Together accepts: Line 2: messages[1] must contain a role field"));
    let failed = client_with(options());
    failed
        .host()
        .respond(200, r#"{"id":"file-2","processing_status":"FAILED"}"#);
    let error = failed
        .host()
        .run(failed.wait_for_file("file-2", &WaitOptions::default()))
        .unwrap_err();
    assert!(error.to_string().contains("could not process file file-2"));
}

#[test]
fn waiting_for_a_file_gives_up_after_its_timeout() {
    let client = fresh();
    for _ in 0..10 {
        client
            .host()
            .respond(200, r#"{"id":"file-1","processing_status":"QUEUED"}"#);
    }
    let options = WaitOptions {
        poll_interval_ms: Some(1_000),
        timeout_ms: Some(3_500),
    };
    let error = client
        .host()
        .run(client.wait_for_file("file-1", &options))
        .unwrap_err();
    assert_eq!(error.kind, TogetherErrorKind::Timeout);
    assert!(error
        .to_string()
        .contains("file file-1 is still QUEUED after 3000 ms"));
    assert_eq!(client.host().sent.borrow().len(), 4);
}

#[test]
fn the_client_side_rate_limit_spaces_requests() {
    let client = client_with(TogetherOptions {
        requests_per_minute: Some(120),
        burst: Some(1),
        ..options()
    });
    for _ in 0..3 {
        client.host().respond(200, "{\"data\":[]}");
    }
    for _ in 0..3 {
        client.host().run(client.list_files()).unwrap();
    }
    assert_eq!(client.host().send_times(), vec![0, 500, 1_000]);
}

#[test]
fn the_download_address_of_a_finished_model() {
    let client = fresh();
    client.host().respond(
        200,
        r#"{"id":"ft-1","status":"completed","model_output_name":"me/model-x","training_type":{"type":"Lora","lora_r":8,"lora_alpha":16}}"#,
    );
    let download = client
        .host()
        .run(client.model_download("ft-1", &DownloadOptions::default()))
        .unwrap();
    assert_eq!(
        download.url,
        format!("{BASE}/finetune/download?ft_id=ft-1&checkpoint=merged")
    );
    assert_eq!(download.model_output_name.as_deref(), Some("me/model-x"));
    client.host().respond(
        200,
        r#"{"id":"ft-2","status":"completed","training_type":{"type":"Full"}}"#,
    );
    let full = client
        .host()
        .run(client.model_download("ft-2", &DownloadOptions::default()))
        .unwrap();
    assert_eq!(full.checkpoint.as_deref(), Some("model_output_path"));
    client.host().respond(200, &job("running"));
    let early = client
        .host()
        .run(client.model_download("ft-1", &DownloadOptions::default()))
        .unwrap_err();
    assert!(early.to_string().contains("ft-1 is running"));
    let step = DownloadOptions {
        checkpoint: Some("adapter".into()),
        checkpoint_step: Some(40),
    };
    assert_eq!(
        client.download_address("ft-1", &step).unwrap(),
        format!("{BASE}/finetune/download?ft_id=ft-1&checkpoint_step=40")
    );
    let bad = DownloadOptions {
        checkpoint: Some("weights".into()),
        checkpoint_step: None,
    };
    assert!(client.download_address("ft-1", &bad).is_err());
}

#[test]
fn metrics_filters_chat_hardware_and_endpoints_are_sent_as_together_expects() {
    let client = fresh();
    client
        .host()
        .respond(200, r#"{"metrics":[{"train/loss":0.5}]}"#)
        .respond(200, r#"{"id":"c1","choices":[{"index":0,"message":{"role":"assistant","content":"hi"}}]}"#)
        .respond(200, r#"{"object":"list","data":[{"id":"1x_nvidia_h100_80gb_sxm","pricing":{"cents_per_minute":5.5}}]}"#)
        .respond(200, r#"{"id":"endpoint-1","state":"PENDING"}"#)
        .respond(200, r#"{"id":"endpoint-1","state":"STOPPING"}"#)
        .respond(204, "");
    let filter = MetricsFilter {
        global_step_from: Some(10),
        global_step_to: Some(20),
        ..MetricsFilter::default()
    };
    let metrics = client
        .host()
        .run(client.fine_tune_metrics("ft-1", &filter))
        .unwrap();
    assert_eq!(metrics.metrics[0]["train/loss"], 0.5);
    let chat = ChatRequest {
        model: "me/endpoint-x".into(),
        messages: vec![ChatMessage {
            role: "user".into(),
            content: "Build a plugin".into(),
        }],
        max_tokens: Some(64),
        temperature: Some(0.6),
        ..ChatRequest::default()
    };
    let reply = client.host().run(client.chat_completion(&chat)).unwrap();
    assert_eq!(
        reply.choices[0]
            .message
            .as_ref()
            .unwrap()
            .content
            .as_deref(),
        Some("hi")
    );
    let hardware = client
        .host()
        .run(client.list_hardware(Some("me/model-x")))
        .unwrap();
    assert_eq!(
        hardware[0].pricing.as_ref().unwrap().cents_per_minute,
        Some(5.5)
    );
    let endpoint = CreateEndpoint {
        model: "me/model-x".into(),
        hardware: "1x_nvidia_h100_80gb_sxm".into(),
        inactive_timeout: Some(10),
        ..CreateEndpoint::default()
    };
    client
        .host()
        .run(client.create_endpoint(&endpoint))
        .unwrap();
    let stop = UpdateEndpoint {
        state: Some("STOPPED".into()),
        ..UpdateEndpoint::default()
    };
    client
        .host()
        .run(client.update_endpoint("endpoint-1", &stop))
        .unwrap();
    client
        .host()
        .run(client.delete_endpoint("endpoint-1"))
        .unwrap();
    let sent = client.host().sent.borrow();
    let lines: Vec<String> = sent
        .iter()
        .map(|(_, r)| format!("{} {}", r.method, r.url.trim_start_matches(BASE)))
        .collect();
    assert_eq!(
        lines,
        [
            "GET /fine-tunes/ft-1/metrics?global_step_from=10&global_step_to=20",
            "POST /chat/completions",
            "GET /hardware?model=me%2Fmodel-x",
            "POST /endpoints",
            "PATCH /endpoints/endpoint-1",
            "DELETE /endpoints/endpoint-1",
        ]
    );
    drop(sent);
    assert_eq!(
        sent_json(&client, 1),
        json!({"model": "me/endpoint-x", "messages": [{"role": "user", "content": "Build a plugin"}], "max_tokens": 64, "temperature": 0.6})
    );
    assert_eq!(
        sent_json(&client, 3),
        json!({"model": "me/model-x", "hardware": "1x_nvidia_h100_80gb_sxm", "autoscaling": {"min_replicas": 1, "max_replicas": 1}, "inactive_timeout": 10})
    );
    assert_eq!(sent_json(&client, 4), json!({"state": "STOPPED"}));
}

#[test]
fn deleting_an_endpoint_that_an_earlier_attempt_deleted_succeeds() {
    let client = fresh();
    client
        .host()
        .push(SimReply::Fail {
            after_ms: 0,
            message: "connection reset after the request was sent".into(),
        })
        .respond(404, r#"{"error":{"message":"Endpoint not found"}}"#);
    client
        .host()
        .run(client.delete_endpoint("endpoint-1"))
        .unwrap();
    // A 404 on the first attempt is an error.
    let client = fresh();
    client.host().respond(404, "{}");
    assert!(client
        .host()
        .run(client.delete_endpoint("endpoint-1"))
        .is_err());
}

#[test]
fn configuration_comes_from_options_then_the_environment_then_defaults() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        }
    };
    let config = TogetherConfig::resolve(
        TogetherOptions::default(),
        env(&[("TOGETHER_API_KEY", "k1")]),
    )
    .unwrap();
    assert_eq!(config.api_key.expose(), "k1");
    assert_eq!(config.base_url, "https://api.together.xyz/v1");
    assert_eq!(config.timeout_ms, 60_000);
    // The original design's name still works; the current one wins when both are set.
    let legacy = TogetherConfig::resolve(
        TogetherOptions::default(),
        env(&[("TOGETHER_AI_API_KEY", "k2")]),
    )
    .unwrap();
    assert_eq!(legacy.api_key.expose(), "k2");
    let both = TogetherConfig::resolve(
        TogetherOptions::default(),
        env(&[("TOGETHER_AI_API_KEY", "k2"), ("TOGETHER_API_KEY", "k1")]),
    )
    .unwrap();
    assert_eq!(both.api_key.expose(), "k1");
    let from_env = TogetherConfig::resolve(
        TogetherOptions::default(),
        env(&[
            ("TOGETHER_API_KEY", "k1"),
            ("TOGETHER_BASE_URL", "http://127.0.0.1:4010/v1/"),
            ("TOGETHER_TIMEOUT_MS", "1500"),
        ]),
    )
    .unwrap();
    assert_eq!(from_env.base_url, "http://127.0.0.1:4010/v1");
    assert_eq!(from_env.timeout_ms, 1_500);
    let explicit = TogetherConfig::resolve(
        TogetherOptions {
            api_key: Some("k3".into()),
            base_url: Some("https://other.example/v1".into()),
            timeout_ms: Some(9),
            ..TogetherOptions::default()
        },
        env(&[("TOGETHER_API_KEY", "k1"), ("TOGETHER_TIMEOUT_MS", "1500")]),
    )
    .unwrap();
    assert_eq!(explicit.api_key.expose(), "k3");
    assert_eq!(explicit.base_url, "https://other.example/v1");
    assert_eq!(explicit.timeout_ms, 9);

    let missing = TogetherConfig::resolve(
        TogetherOptions::default(),
        env(&[("TOGETHER_API_KEY", "  ")]),
    )
    .unwrap_err();
    assert_eq!(missing.code, ErrorCode::InvalidConfig);
    assert!(missing.message.contains("TOGETHER_API_KEY"));
    for (name, value) in [
        ("TOGETHER_BASE_URL", "ftp://example.com"),
        ("TOGETHER_BASE_URL", "https://user:secret@example.com/v1"),
        ("TOGETHER_TIMEOUT_MS", "soon"),
    ] {
        let pairs: &'static [(&'static str, &'static str)] =
            Box::leak(vec![("TOGETHER_API_KEY", "k1"), (name, value)].into_boxed_slice());
        let error = TogetherConfig::resolve(TogetherOptions::default(), env(pairs)).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidConfig, "{value}");
        assert!(!error.message.contains("secret"), "{}", error.message);
    }
    let spaced = TogetherConfig::resolve(
        TogetherOptions {
            api_key: Some("abc def".into()),
            ..TogetherOptions::default()
        },
        |_| None,
    )
    .unwrap_err();
    assert!(!spaced.message.contains("abc def"));
    let unknown = TogetherOptions::from_json(json!({"apiKey": "k", "timeoutMS": 5})).unwrap_err();
    assert!(unknown.message.contains("timeoutMS"));
}

#[test]
fn the_policy_keeps_never_for_calls_that_cost_money() {
    // A guard on the classification itself: create calls are the only ones marked Never.
    let policy = RetryPolicy::default();
    let mut jitter = Jitter::new(0);
    let decision = policy.decide(
        &selftune::together::retry::AttemptContext {
            attempt: 1,
            idempotency: Idempotency::Never,
            outcome: selftune::together::retry::AttemptOutcome::Timeout,
            elapsed_ms: 0,
            now_ms: 0,
        },
        &mut jitter,
    );
    assert!(matches!(decision, Decision::GiveUp { .. }));
}
