#![cfg(not(target_arch = "wasm32"))]
//! Forgetting, retention and the audit log.

mod support;

use serde_json::{json, Value};

use selftune::audit::AuditEvent;
use selftune::capture::SkipReason;
use selftune::config::SelftuneConfig;
use selftune::error::ErrorCode;
use selftune::handle::Selftune;
use support::{block_on, join2, join_all, MemoryHost, YieldOnce};

const DAY: u64 = 86_400_000;

fn event(request: &str) -> Value {
    json!({
        "originalRequest": request,
        "executionTime": 5_000,
        "outcome": { "success": true, "files": [
            { "path": "src/index.ts", "content": format!("// {request}\nexport {{}};\n") },
            { "path": "package.json", "content": "{ \"name\": \"demo\" }" }
        ]}
    })
}

fn open_with(host: MemoryHost, config: Value) -> Selftune<MemoryHost> {
    let config = SelftuneConfig::from_json(config).unwrap();
    block_on(Selftune::open(host, config)).unwrap()
}

fn store(selftune: &Selftune<MemoryHost>, request: &str) -> String {
    let result = block_on(selftune.on_plugin_success(event(request))).unwrap();
    assert!(result.stored, "{result:?}");
    result.example_id.unwrap()
}

fn log_text(host: &MemoryHost) -> String {
    host.files
        .borrow()
        .iter()
        .filter(|(path, _)| path.starts_with("examples/"))
        .map(|(_, text)| text.as_str())
        .collect()
}

#[test]
fn forget_removes_the_example_and_its_sightings_everywhere() {
    let selftune = open_with(MemoryHost::new(), Value::Null);
    let keep = store(&selftune, "keep me");
    let gone = store(&selftune, "forget me");
    selftune.host().advance(DAY); // a sighting on the next day, in another partition
    block_on(selftune.on_plugin_success(event("forget me"))).unwrap();

    let result = block_on(selftune.forget(&gone)).unwrap();
    assert!(result.forgotten);
    assert_eq!(result.removed_lines, 2);
    let text = log_text(selftune.host());
    assert!(
        !text.contains(&gone) && !text.contains("forget me"),
        "{text}"
    );
    assert!(text.contains(&keep));

    let stats = block_on(selftune.stats()).unwrap();
    assert_eq!((stats.examples, stats.duplicates), (1, 0));

    // The same content is not captured again, not even after a restart.
    let again = block_on(selftune.on_plugin_success(event("forget me"))).unwrap();
    assert_eq!(again.reason, Some(SkipReason::Forgotten));
    let host = MemoryHost::new();
    *host.files.borrow_mut() = selftune.host().files.borrow().clone();
    let reopened = open_with(host, Value::Null);
    let again = block_on(reopened.on_plugin_success(event("forget me"))).unwrap();
    assert_eq!(again.reason, Some(SkipReason::Forgotten));
    // The tombstone holds the hash, never the content.
    let tombstones = reopened.host().file("forgotten.jsonl").unwrap();
    assert!(tombstones.contains(&gone) && !tombstones.contains("forget me"));
}

#[test]
fn forgetting_an_unknown_id_changes_nothing() {
    let selftune = open_with(MemoryHost::new(), Value::Null);
    store(&selftune, "one");
    let before = selftune.host().files.borrow().clone();
    let result = block_on(selftune.forget("ex_0000000000000000")).unwrap();
    assert!(!result.forgotten);
    assert_eq!(result.reason.as_deref(), Some("not_found"));
    let after = selftune.host().files.borrow().clone();
    assert_eq!(
        before.get("examples/2026-11-26.jsonl"),
        after.get("examples/2026-11-26.jsonl")
    );
    let error = block_on(selftune.forget("")).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidArgument);
}

#[test]
fn forget_keeps_unreadable_lines_and_lines_appended_meanwhile() {
    // A capture started at each point of a forget's read-then-rewrite: its line always survives.
    for delay in 0..8 {
        let selftune = open_with(MemoryHost::new(), Value::Null);
        let gone = store(&selftune, "forget me");
        let path = "examples/2026-11-26.jsonl";
        let text = selftune.host().file(path).unwrap() + "{garbage}\n";
        selftune.host().set_file(path, &text);

        let capture_later = async {
            for _ in 0..delay {
                YieldOnce::default().await;
            }
            selftune
                .on_plugin_success(event("captured meanwhile"))
                .await
        };
        let (forgot, captured) = join2(selftune.forget(&gone), capture_later);
        assert!(forgot.unwrap().forgotten);
        assert!(captured.unwrap().stored);
        let text = selftune.host().file(path).unwrap();
        assert!(text.contains("{garbage}"), "delay {delay}");
        assert!(text.contains("captured meanwhile"), "delay {delay}: {text}");
        assert!(!text.contains("forget me"), "delay {delay}");
    }
}

#[test]
fn retention_removes_whole_days_past_the_period() {
    let host = MemoryHost::new();
    let selftune = open_with(host, json!({ "retentionDays": 2 }));
    let old = store(&selftune, "three days ago");
    selftune.host().advance(DAY);
    store(&selftune, "two days ago");
    selftune.host().advance(DAY);
    store(&selftune, "yesterday");
    selftune.host().advance(DAY);
    // The first capture of the day applies retention: the partition of three days ago goes.
    let today = store(&selftune, "today");
    let files: Vec<String> = selftune
        .host()
        .files
        .borrow()
        .keys()
        .filter(|p| p.starts_with("examples/"))
        .cloned()
        .collect();
    assert_eq!(
        files,
        [
            "examples/2026-11-27.jsonl",
            "examples/2026-11-28.jsonl",
            "examples/2026-11-29.jsonl"
        ]
    );
    assert_ne!(old, today);
    // Pruned contents can be captured afresh.
    assert!(
        block_on(selftune.on_plugin_success(event("three days ago")))
            .unwrap()
            .stored
    );
    let pruned: Vec<_> = block_on(selftune.audit(None))
        .unwrap()
        .into_iter()
        .filter_map(|entry| match entry.event {
            AuditEvent::Pruned {
                partition,
                examples,
            } => Some((partition, examples)),
            _ => None,
        })
        .collect();
    assert_eq!(pruned, [("2026-11-26".to_owned(), 1)]);
}

#[test]
fn retention_on_open_and_on_demand() {
    let selftune = open_with(MemoryHost::new(), Value::Null);
    store(&selftune, "old");
    let host = MemoryHost::new();
    *host.files.borrow_mut() = selftune.host().files.borrow().clone();
    host.advance(10 * DAY);
    let reopened = open_with(host, json!({ "retentionDays": 7 }));
    assert_eq!(block_on(reopened.stats()).unwrap().examples, 0);
    let report = block_on(reopened.apply_retention()).unwrap();
    assert!(report.removed_partitions.is_empty());

    let error = SelftuneConfig::from_json(json!({ "retentionDays": 0 })).unwrap_err();
    assert!(error.message.contains("retentionDays"));
}

#[test]
fn the_audit_log_has_one_line_per_operation_and_no_content() {
    let selftune = open_with(MemoryHost::new(), Value::Null);
    let id = store(&selftune, "Build a secret-free plugin");
    block_on(selftune.on_plugin_success(event("Build a secret-free plugin"))).unwrap();
    let mut failed = event("x");
    failed["outcome"]["success"] = json!(false);
    block_on(selftune.on_plugin_success(failed)).unwrap();
    let mut bad = event("x");
    bad["outcome"]["files"][0]["path"] = json!("../escape.ts");
    block_on(selftune.on_plugin_success(bad)).unwrap_err();
    block_on(selftune.forget(&id)).unwrap();

    let entries = block_on(selftune.audit(None)).unwrap();
    let ops: Vec<String> = entries
        .iter()
        .map(|entry| {
            serde_json::to_value(entry).unwrap()["op"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        ops,
        ["stored", "duplicate", "rejected", "rejected", "forgotten"]
    );
    assert_eq!(
        entries[3].event,
        AuditEvent::Rejected {
            reason: "invalid_event".into(),
            field: Some("outcome.files[0].path".into())
        }
    );
    let audit_text: String = selftune
        .host()
        .files
        .borrow()
        .iter()
        .filter(|(path, _)| path.starts_with("audit/"))
        .map(|(_, text)| text.clone())
        .collect();
    assert!(!audit_text.contains("secret-free") && !audit_text.contains("escape"));
    assert_eq!(block_on(selftune.audit(Some(2))).unwrap().len(), 2);
}

#[test]
fn concurrent_captures_and_audit_lines_stay_whole() {
    let selftune = open_with(MemoryHost::new(), Value::Null);
    let events: Vec<Value> = (0..50)
        .map(|i| event(&format!("plugin {}", i % 25)))
        .collect();
    join_all(
        events
            .into_iter()
            .map(|e| selftune.on_plugin_success(e))
            .collect(),
    );
    let entries = block_on(selftune.audit(None)).unwrap();
    assert_eq!(entries.len(), 50);
    let stats = block_on(selftune.stats()).unwrap();
    assert_eq!(
        (stats.examples, stats.duplicates, stats.skipped_lines),
        (25, 25, 0)
    );
}
