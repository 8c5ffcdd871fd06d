#![cfg(not(target_arch = "wasm32"))]
//! Every planted fake secret is redacted before anything reaches storage.

mod support;

use std::collections::BTreeMap;

use serde_json::{json, Value};

use selftune::config::SelftuneConfig;
use selftune::handle::Selftune;
use selftune::store::{self, LogEntry};
use support::planted::{plugin_with_secrets, Rng, B64URL};
use support::{block_on, MemoryHost};

fn everything_stored(host: &MemoryHost) -> String {
    host.files
        .borrow()
        .values()
        .cloned()
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn no_planted_secret_survives_into_storage() {
    for seed in 1..=300 {
        let selftune =
            block_on(Selftune::open(MemoryHost::new(), SelftuneConfig::default())).unwrap();
        let (event, planted) = plugin_with_secrets(seed);
        let result = block_on(selftune.on_plugin_success(event)).unwrap();
        assert!(result.stored);
        let stored = everything_stored(selftune.host());
        for secret in &planted {
            assert!(
                !stored.contains(&secret.value),
                "seed {seed}: a {} survived: {}",
                secret.kind,
                &secret.value[..secret.value.len().min(24)]
            );
        }
        // The record counts what it replaced, per kind, for every kind planted.
        let text = selftune.host().file("examples/2026-11-26.jsonl").unwrap();
        let entries = store::parse_partition::<LogEntry>("p", &text, selftune.host()).entries;
        let LogEntry::Example(record) = &entries[0] else {
            panic!()
        };
        let mut expected: BTreeMap<&str, u32> = BTreeMap::new();
        for secret in &planted {
            *expected.entry(secret.kind).or_default() += 1;
        }
        for (kind, count) in expected {
            let got = record.redactions.get(kind).copied().unwrap_or(0);
            assert!(
                got >= count,
                "seed {seed}: {kind}: {got} redactions, {count} planted: {:?}",
                record.redactions
            );
        }
        // The code still reads naturally around the placeholders.
        let index = &record.files[0].content;
        assert!(
            index.contains("const hfToken = \"<REDACTED:huggingface_token>\";"),
            "{index}"
        );
        assert!(index.contains("runtime.getSetting('SLACK_BOT_TOKEN')"));
        assert!(record.files[1]
            .content
            .contains("postgres://app:<REDACTED:url_password>@db.internal:5432/agent"));
    }
}

#[test]
fn a_canary_key_never_appears_in_storage_logs_errors_or_results() {
    let canary = format!("tgp_v1_{}", Rng::new(99).pick(B64URL, 43));
    let selftune = block_on(Selftune::open(MemoryHost::new(), SelftuneConfig::default())).unwrap();
    let mut seen = Vec::new();

    // Everywhere an event can carry text.
    let everywhere = json!({
        "id": format!("evt {canary}"),
        "originalRequest": format!("use {canary}"),
        "outcome": {
            "success": true,
            "pluginName": canary,
            "description": format!("key={canary}"),
            "files": [
                { "path": format!("keys/{canary}.txt"), "content": format!("TOGETHER_API_KEY={canary}\n") },
                { "path": "src/index.ts", "content": format!("const key = '{canary}';\n") }
            ],
            "dependencies": { "left-pad": canary }
        }
    });
    let mcp = json!({
        "originalRequest": "An MCP server",
        "outcome": {
            "success": true,
            "mcpName": format!("{canary}"),
            "tools": [{ "name": "call", "description": format!("uses {canary}"),
                        "inputSchema": { "type": "object", "default": canary } }],
            "files": [{ "path": "server.ts", "content": format!("// {canary}\n") }]
        }
    });
    seen.push(format!(
        "{:?}",
        block_on(selftune.on_plugin_success(everywhere.clone())).unwrap()
    ));
    seen.push(format!(
        "{:?}",
        block_on(selftune.on_plugin_success(everywhere)).unwrap()
    ));
    seen.push(format!(
        "{:?}",
        block_on(selftune.on_mcp_success(mcp)).unwrap()
    ));

    // Rejections: the error names the field and says what is wrong, without the value.
    let bad_events: Vec<Value> = vec![
        json!({ "originalRequest": canary, "outcome": { "success": true, "files": [{ "path": format!("/{canary}"), "content": "" }] } }),
        json!({ "originalRequest": canary, "outcome": { "success": true, "files": [{ "path": format!("a/../{canary}"), "content": "" }] } }),
        json!({ "originalRequest": canary, "outcome": { "success": true, "files": [{ "path": canary, "content": "1" }, { "path": canary, "content": "2" }] } }),
        json!({ "originalRequest": canary, "outcome": { "success": true, "files": [{ "path": "a", "content": format!("{canary}\u{0}") }] } }),
        json!({ "originalRequest": canary, "outcome": { "success": "yes" } }),
        json!({ "originalRequest": canary, "outcome": { "success": true, "files": [{ "path": "a", "content": "" }], "dependencies": { canary.clone(): 3 } } }),
        json!({ "originalRequest": canary, "outcome": { "success": false, "files": [{ "path": canary, "content": canary }] } }),
    ];
    for event in bad_events {
        match block_on(selftune.on_plugin_success(event)) {
            Ok(result) => seen.push(format!("{result:?}")),
            Err(error) => seen.push(format!("{error:?} {error}")),
        }
    }
    // A torn line written by some older writer, holding the key in clear.
    let path = "examples/2026-11-26.jsonl";
    let text = selftune.host().file(path).unwrap()
        + &format!("{{\"type\":\"example\",\"request\":\"{canary}");
    selftune.host().set_file(path, &text);
    let reopened = block_on(Selftune::open(
        reopen(selftune.host()),
        SelftuneConfig::default(),
    ))
    .unwrap();
    seen.push(format!("{:?}", block_on(reopened.stats()).unwrap()));
    seen.push(serde_json::to_string(&block_on(reopened.audit(None)).unwrap()).unwrap());

    for text in &seen {
        assert!(!text.contains(&canary), "the canary leaked: {text}");
    }
    for (_, line) in reopened
        .host()
        .logs
        .borrow()
        .iter()
        .chain(selftune.host().logs.borrow().iter())
    {
        assert!(
            !line.contains(&canary),
            "the canary leaked into a log line: {line}"
        );
    }
    // Only the line planted by hand above still holds it.
    let stored = everything_stored(reopened.host()).replace(&text, "");
    assert!(!stored.contains(&canary), "the canary reached storage");
}

fn reopen(old: &MemoryHost) -> MemoryHost {
    let host = MemoryHost::new();
    *host.files.borrow_mut() = old.files.borrow().clone();
    host
}
