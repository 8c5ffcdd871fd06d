#![cfg(not(target_arch = "wasm32"))]

mod support;

use serde_json::{json, Value};

use selftune::capture::{CaptureResult, SkipReason};
use selftune::config::SelftuneConfig;
use selftune::error::ErrorCode;
use selftune::handle::Selftune;
use selftune::store::{self, LogEntry};
use support::{block_on, join_all, MemoryHost, NOON_2026_11_26};

const TODAY: &str = "examples/2026-11-26.jsonl";

fn open(host: MemoryHost) -> Selftune<MemoryHost> {
    block_on(Selftune::open(host, SelftuneConfig::default())).expect("open")
}

fn plugin_event(request: &str, files: usize) -> Value {
    let files: Vec<Value> = (0..files)
        .map(|i| {
            json!({
                "path": format!("src/actions/action{i}.ts"),
                "content": format!("export const action{i} = {{ name: 'ACTION_{i}' }};\n"),
            })
        })
        .collect();
    json!({
        "originalRequest": request,
        "executionTime": 12_000,
        "tokensUsed": 3_400,
        "outcome": {
            "success": true,
            "pluginName": "plugin-weather",
            "description": "Weather lookups",
            "files": files,
            "dependencies": { "@elizaos/core": "^1.7.0" }
        }
    })
}

fn entries(host: &MemoryHost, path: &str) -> Vec<LogEntry> {
    let text = host.file(path).unwrap_or_default();
    store::parse_partition::<LogEntry>(path, &text, host).entries
}

/// Paths of the example log's partitions.
fn log_files(host: &MemoryHost) -> Vec<String> {
    host.files
        .borrow()
        .keys()
        .filter(|path| path.starts_with("examples/"))
        .cloned()
        .collect()
}

fn capture_plugin(selftune: &Selftune<MemoryHost>, event: Value) -> CaptureResult {
    block_on(selftune.on_plugin_success(event)).expect("capture")
}

#[test]
fn a_successful_plugin_is_stored_with_its_quality() {
    let selftune = open(MemoryHost::new());
    let result = capture_plugin(&selftune, plugin_event("Build a weather plugin", 4));

    assert!(result.stored);
    let quality = result.quality.as_ref().unwrap();
    assert_eq!(quality.score, 1.0);
    let id = result.example_id.clone().unwrap();
    assert!(id.starts_with("ex_") && id.len() == 19, "{id}");

    let stored = entries(selftune.host(), TODAY);
    assert_eq!(stored.len(), 1);
    let LogEntry::Example(record) = &stored[0] else {
        panic!("expected an example, got {stored:?}")
    };
    assert_eq!(record.id, id);
    assert_eq!(record.request, "Build a weather plugin");
    assert_eq!(record.name.as_deref(), Some("plugin-weather"));
    assert_eq!(record.files.len(), 4);
    assert_eq!(record.captured_at, NOON_2026_11_26);
    assert_eq!(record.execution_time_ms, Some(12_000.0));
    assert_eq!(record.tokens_used, Some(3_400));
    assert_eq!(record.quality.components.many_files, 0.1);
    assert_eq!(record.content_hash.len(), 32);
    assert!(id.ends_with(&record.content_hash[..16]));
}

#[test]
fn the_result_is_plain_camel_case_data() {
    let selftune = open(MemoryHost::new());
    let stored =
        serde_json::to_value(capture_plugin(&selftune, plugin_event("Build it", 1))).unwrap();
    assert_eq!(stored["stored"], json!(true));
    assert!(stored["exampleId"].is_string());
    assert_eq!(stored["quality"]["score"], json!(0.9));
    assert_eq!(
        stored["quality"]["components"]["successfulCompletion"],
        json!(0.3)
    );
    assert!(stored.get("reason").is_none());

    let duplicate =
        serde_json::to_value(capture_plugin(&selftune, plugin_event("Build it", 1))).unwrap();
    assert_eq!(duplicate["stored"], json!(false));
    assert_eq!(duplicate["reason"], json!("duplicate"));
    assert_eq!(duplicate["exampleId"], stored["exampleId"]);
}

#[test]
fn an_mcp_server_keeps_its_tools() {
    let selftune = open(MemoryHost::new());
    let event = json!({
        "originalRequest": "An MCP server that reads RSS feeds",
        "outcome": {
            "success": true,
            "mcpName": "rss-reader",
            "tools": ["list_feeds", { "name": "read_feed", "description": "Reads one feed",
                      "inputSchema": { "type": "object", "properties": { "url": { "type": "string" } } } }],
            "files": [{ "path": "src/index.ts", "content": "console.log('rss');\n" }]
        }
    });
    let result = block_on(selftune.on_mcp_success(event)).unwrap();
    assert!(result.stored);
    assert_eq!(result.quality.unwrap().score, 0.8);
    let LogEntry::Example(record) = &entries(selftune.host(), TODAY)[0] else {
        panic!("expected an example")
    };
    assert_eq!(record.kind.as_str(), "mcp");
    assert_eq!(record.name.as_deref(), Some("rss-reader"));
    assert_eq!(record.tools.len(), 2);
    assert_eq!(record.tools[0].name, "list_feeds");
    assert_eq!(
        record.tools[1].description.as_deref(),
        Some("Reads one feed")
    );
    assert!(record.tools[1].input_schema.is_some());
}

#[test]
fn an_unsuccessful_outcome_is_not_stored() {
    let selftune = open(MemoryHost::new());
    let mut event = plugin_event("Build a thing", 2);
    event["outcome"]["success"] = json!(false);
    event["outcome"]["files"] = json!([]);
    let result = capture_plugin(&selftune, event);
    assert_eq!(result.reason, Some(SkipReason::NotSuccessful));
    assert!(!result.stored);
    assert!(log_files(selftune.host()).is_empty());
}

fn rejection(selftune: &Selftune<MemoryHost>, event: Value) -> (String, String) {
    let error = block_on(selftune.on_plugin_success(event)).expect_err("should be rejected");
    assert_eq!(error.code, ErrorCode::InvalidEvent, "{}", error.message);
    (error.field.unwrap_or_default(), error.message)
}

#[test]
fn malformed_events_are_rejected_naming_the_field_and_nothing_is_stored() {
    let selftune = open(MemoryHost::new());
    let with = |edit: &dyn Fn(&mut Value)| {
        let mut event = plugin_event("Build a weather plugin", 2);
        edit(&mut event);
        event
    };
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!("a string"), "event", "must be an object"),
        (
            with(&|e| e["originalRequest"] = json!("  \n ")),
            "originalRequest",
            "must not be empty",
        ),
        (
            with(&|e| {
                e.as_object_mut().unwrap().remove("originalRequest");
            }),
            "originalRequest",
            "is required",
        ),
        (
            with(&|e| e["originalRequest"] = json!(42)),
            "originalRequest",
            "must be a string, got a number",
        ),
        (
            with(&|e| e["outcome"]["files"] = json!([])),
            "outcome.files",
            "at least one file",
        ),
        (
            with(&|e| {
                e["outcome"].as_object_mut().unwrap().remove("files");
            }),
            "outcome.files",
            "is required",
        ),
        (
            with(&|e| e["outcome"]["files"][1]["path"] = json!("/etc/passwd")),
            "outcome.files[1].path",
            "must be relative",
        ),
        (
            with(&|e| e["outcome"]["files"][1]["path"] = json!("C:\\temp\\a.ts")),
            "outcome.files[1].path",
            "must be relative",
        ),
        (
            with(&|e| e["outcome"]["files"][0]["path"] = json!("src/../../x.ts")),
            "outcome.files[0].path",
            "'..'",
        ),
        (
            with(&|e| e["outcome"]["files"][1]["path"] = json!("./src/actions/action0.ts")),
            "outcome.files[1].path",
            "more than once",
        ),
        (
            with(&|e| e["outcome"]["files"][1]["content"] = json!("a\u{0}b")),
            "outcome.files[1].content",
            "NUL",
        ),
        (
            with(&|e| e["outcome"]["files"][0]["content"] = json!("x".repeat(256 * 1024 + 1))),
            "outcome.files[0].content",
            "maxFileBytes",
        ),
        (
            with(&|e| e["outcome"]["files"][0] = json!("src/a.ts")),
            "outcome.files[0]",
            "must be an object",
        ),
        (
            with(&|e| e["outcome"]["success"] = json!("yes")),
            "outcome.success",
            "must be a boolean",
        ),
        (
            with(&|e| e["outcome"] = json!(null)),
            "outcome",
            "is required",
        ),
        (
            with(&|e| e["executionTime"] = json!(-5)),
            "executionTime",
            "non-negative",
        ),
        (
            with(&|e| e["tokensUsed"] = json!(1.5)),
            "tokensUsed",
            "whole number",
        ),
        (
            with(&|e| e["outcome"]["dependencies"] = json!({ "zod": 3 })),
            "outcome.dependencies.zod",
            "version string",
        ),
        (with(&|e| e["id"] = json!("")), "id", "1 to 200 bytes"),
    ];
    for (event, field, problem) in cases {
        let (got_field, message) = rejection(&selftune, event);
        assert_eq!(got_field, field, "{message}");
        assert!(
            message.contains(field) && message.contains(problem),
            "{message}"
        );
    }
    assert!(log_files(selftune.host()).is_empty());
}

#[test]
fn an_event_over_the_total_limit_is_rejected() {
    let selftune = open(MemoryHost::new());
    let mut event = plugin_event("Build it", 1);
    let big = "y".repeat(200 * 1024);
    let files: Vec<Value> = (0..11)
        .map(|i| json!({ "path": format!("f{i}.ts"), "content": big }))
        .collect();
    event["outcome"]["files"] = json!(files);
    let (field, message) = rejection(&selftune, event);
    assert_eq!(field, "event");
    assert!(message.contains("maxEventBytes"), "{message}");
}

#[test]
fn limits_are_configurable() {
    let config =
        SelftuneConfig::from_json(json!({ "maxFileBytes": 10, "maxEventBytes": 100 })).unwrap();
    let selftune = block_on(Selftune::open(MemoryHost::new(), config)).unwrap();
    let mut event = plugin_event("Build it", 1);
    event["outcome"]["files"][0]["content"] = json!("01234567890");
    let (field, _) = rejection(&selftune, event);
    assert_eq!(field, "outcome.files[0].content");
}

#[test]
fn bad_configs_are_rejected_with_what_is_wrong() {
    let unknown = SelftuneConfig::from_json(json!({ "maxFileByte": 10 })).unwrap_err();
    assert_eq!(unknown.code, ErrorCode::InvalidConfig);
    assert!(
        unknown.message.contains("maxFileByte"),
        "{}",
        unknown.message
    );
    let inverted =
        SelftuneConfig::from_json(json!({ "maxFileBytes": 10, "maxEventBytes": 5 })).unwrap_err();
    assert!(
        inverted.message.contains("maxEventBytes"),
        "{}",
        inverted.message
    );
    assert_eq!(
        SelftuneConfig::from_json(Value::Null).unwrap(),
        SelftuneConfig::default()
    );
}

#[test]
fn paths_are_normalized() {
    let selftune = open(MemoryHost::new());
    let mut event = plugin_event("Build it", 2);
    event["outcome"]["files"][0]["path"] = json!("./src\\index.ts");
    capture_plugin(&selftune, event);
    let LogEntry::Example(record) = &entries(selftune.host(), TODAY)[0] else {
        panic!()
    };
    assert_eq!(record.files[0].path, "src/index.ts");
}

#[test]
fn exact_duplicates_are_stored_once_and_counted() {
    let selftune = open(MemoryHost::new());
    let first = capture_plugin(&selftune, plugin_event("Build a  weather\nplugin", 3));
    let mut again = plugin_event("  Build a weather plugin ", 3);
    again["id"] = json!("event-2");
    // Same files in another order and with Windows line endings.
    let files = again["outcome"]["files"].as_array_mut().unwrap();
    files.reverse();
    for file in files.iter_mut() {
        let content = file["content"].as_str().unwrap().replace('\n', "\r\n");
        file["content"] = json!(content);
    }
    let second = capture_plugin(&selftune, again);
    assert_eq!(second.reason, Some(SkipReason::Duplicate));
    assert_eq!(second.example_id, first.example_id);

    let stats = block_on(selftune.stats()).unwrap();
    assert_eq!(stats.examples, 1);
    assert_eq!(stats.duplicates, 1);

    // A different request is a different example.
    assert!(
        capture_plugin(
            &selftune,
            plugin_event("Build a weather plugin for Mars", 3)
        )
        .stored
    );
}

#[test]
fn the_duplicate_index_survives_a_restart() {
    let selftune = open(MemoryHost::new());
    let first = capture_plugin(&selftune, plugin_event("Build it", 2));
    let host = reopen(selftune);
    let selftune = open(host);
    let again = capture_plugin(&selftune, plugin_event("Build it", 2));
    assert_eq!(again.reason, Some(SkipReason::Duplicate));
    assert_eq!(again.example_id, first.example_id);
}

fn reopen(selftune: Selftune<MemoryHost>) -> MemoryHost {
    let old = selftune.host();
    let host = MemoryHost::new();
    *host.files.borrow_mut() = old.files.borrow().clone();
    host.now.set(old.now.get());
    host
}

#[test]
fn one_partition_per_utc_day() {
    let selftune = open(MemoryHost::new());
    capture_plugin(&selftune, plugin_event("first", 1));
    selftune.host().advance(12 * 3_600_000); // midnight
    capture_plugin(&selftune, plugin_event("second", 1));
    let files = log_files(selftune.host());
    assert_eq!(
        files,
        ["examples/2026-11-26.jsonl", "examples/2026-11-27.jsonl"]
    );
    let stats = block_on(selftune.stats()).unwrap();
    assert_eq!(stats.partitions, 2);
    assert_eq!(stats.examples, 2);
}

#[test]
fn a_torn_last_line_is_skipped_and_never_hides_later_records() {
    let selftune = open(MemoryHost::new());
    capture_plugin(&selftune, plugin_event("one", 1));
    capture_plugin(&selftune, plugin_event("two", 1));
    let host = reopen(selftune);
    // A crash in the middle of the third append.
    let torn = r#"{"type":"example","id":"ex_0123","kind":"plug"#;
    let text = host.file(TODAY).unwrap() + torn;
    host.set_file(TODAY, &text);

    let selftune = open(host);
    assert!(capture_plugin(&selftune, plugin_event("three", 1)).stored);
    let stats = block_on(selftune.stats()).unwrap();
    assert_eq!(stats.examples, 3);
    assert_eq!(stats.skipped_lines, 1);
    let warnings = selftune.host().warnings();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("line 3") && w.contains(TODAY)),
        "{warnings:?}"
    );
}

#[test]
fn a_corrupt_line_in_the_middle_does_not_hide_the_others() {
    let host = MemoryHost::new();
    let selftune = open(host);
    capture_plugin(&selftune, plugin_event("one", 1));
    let host = reopen(selftune);
    let text = host.file(TODAY).unwrap() + "{not json}\n\u{fffd}\u{fffd}\n";
    host.set_file(TODAY, &text);
    let selftune = open(host);
    capture_plugin(&selftune, plugin_event("two", 1));
    let stats = block_on(selftune.stats()).unwrap();
    assert_eq!((stats.examples, stats.skipped_lines), (2, 2));
}

#[test]
fn a_failed_append_stores_nothing_and_the_next_one_recovers() {
    let selftune = open(MemoryHost::new());
    *selftune.host().fail_appends_to.borrow_mut() = Some("examples/".into());
    let error = block_on(selftune.on_plugin_success(plugin_event("one", 2))).unwrap_err();
    assert_eq!(error.code, ErrorCode::Storage);
    assert!(error.message.contains("ENOSPC"), "{}", error.message);

    *selftune.host().fail_appends_to.borrow_mut() = None;
    // The content was released, so it is stored now, on a fresh line after the partial one.
    assert!(capture_plugin(&selftune, plugin_event("one", 2)).stored);
    let stats = block_on(selftune.stats()).unwrap();
    assert_eq!((stats.examples, stats.skipped_lines), (1, 1));
}

#[test]
fn a_hundred_concurrent_events_are_each_stored_exactly_once() {
    let selftune = open(MemoryHost::new());
    // 100 distinct events, each sent twice at the same time.
    let events: Vec<Value> = (0..200)
        .map(|i| plugin_event(&format!("Build plugin number {}", i % 100), 2))
        .collect();
    let results = join_all(
        events
            .into_iter()
            .map(|event| selftune.on_plugin_success(event))
            .collect(),
    );
    let stored = results
        .iter()
        .filter(|r| r.as_ref().unwrap().stored)
        .count();
    assert_eq!(stored, 100);
    let stats = block_on(selftune.stats()).unwrap();
    assert_eq!(
        (stats.examples, stats.duplicates, stats.skipped_lines),
        (100, 100, 0)
    );
    let mut ids: Vec<String> = entries(selftune.host(), TODAY)
        .into_iter()
        .filter_map(|entry| match entry {
            LogEntry::Example(record) => Some(record.id),
            LogEntry::Duplicate(_) => None,
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 100);
}

#[test]
fn stats_summarize_the_log() {
    let selftune = open(MemoryHost::new());
    let stats = block_on(selftune.stats()).unwrap();
    assert_eq!(stats.examples, 0);
    assert_eq!(stats.mean_quality, None);

    capture_plugin(&selftune, plugin_event("one", 1)); // 0.9 (fast execution)
    capture_plugin(&selftune, plugin_event("two", 4)); // 1.0
    let stats = block_on(selftune.stats()).unwrap();
    assert_eq!(stats.examples, 2);
    assert_eq!(stats.files, 5);
    assert_eq!(stats.by_kind.get("plugin"), Some(&2));
    assert_eq!(stats.by_quality.get("0.9"), Some(&1));
    assert_eq!(stats.by_quality.get("1.0"), Some(&1));
    assert_eq!(stats.mean_quality, Some(0.95));
    assert_eq!(stats.first_captured_at, Some(NOON_2026_11_26));
    let json = serde_json::to_value(&stats).unwrap();
    assert!(json.get("byKind").is_some() && json.get("meanQuality").is_some());
}
