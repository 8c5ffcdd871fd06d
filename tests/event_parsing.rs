#![cfg(not(target_arch = "wasm32"))]

use serde_json::{json, Value};

use selftune::config::SelftuneConfig;
use selftune::event::{normalize_path, parse_event, ExampleKind, Parsed, PluginEvent};

#[test]
fn the_typed_shape_and_the_parser_agree() {
    let event: PluginEvent = serde_json::from_value(json!({
        "id": "evt-1",
        "originalRequest": "Build a weather plugin",
        "executionTime": 1500.5,
        "tokensUsed": 1200,
        "outcome": {
            "success": true,
            "pluginName": "plugin-weather",
            "files": [{ "path": "src/index.ts", "content": "export {};\n" }],
            "dependencies": ["@elizaos/core"]
        }
    }))
    .unwrap();
    let Parsed::Successful(parsed) = parse_event(
        ExampleKind::Plugin,
        serde_json::to_value(&event).unwrap(),
        &SelftuneConfig::default(),
    )
    .unwrap() else {
        panic!("expected a successful event")
    };
    assert_eq!(parsed.event_id, event.id);
    assert_eq!(parsed.request, event.original_request);
    assert_eq!(parsed.execution_time_ms, event.execution_time);
    assert_eq!(parsed.tokens_used, event.tokens_used);
    assert_eq!(parsed.name, event.outcome.plugin_name);
    assert_eq!(parsed.files, event.outcome.files);
    assert_eq!(parsed.dependencies, event.outcome.dependencies);
}

#[test]
fn path_normalization() {
    assert_eq!(normalize_path("src/index.ts").unwrap(), "src/index.ts");
    assert_eq!(normalize_path("./src/./a.ts").unwrap(), "src/a.ts");
    assert_eq!(normalize_path("src\\a.ts").unwrap(), "src/a.ts");
    for bad in [
        "", "/abs", "\\abs", "c:/x", "a/../b", "..", "a//b", ".", "a\nb",
    ] {
        assert!(normalize_path(bad).is_err(), "{bad:?} should be rejected");
    }
}

/// Deterministic pseudo-random JSON: the parser must answer every shape with Ok or a clean Err.
#[test]
fn arbitrary_json_never_panics() {
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    fn value(next: &mut dyn FnMut() -> u64, depth: u32) -> Value {
        let keys = [
            "originalRequest",
            "outcome",
            "success",
            "files",
            "path",
            "content",
            "id",
            "executionTime",
            "tokensUsed",
            "tools",
            "dependencies",
            "name",
            "x",
        ];
        match next() % if depth > 3 { 5 } else { 7 } {
            0 => Value::Null,
            1 => json!(next().is_multiple_of(2)),
            2 => json!((next() % 2000) as f64 - 1000.5),
            3 => json!(["", "..", "/a", "a\u{0}", "ok.ts", "é", "\\"][(next() % 7) as usize]),
            4 => json!(next()),
            5 => Value::Array((0..next() % 4).map(|_| value(next, depth + 1)).collect()),
            _ => Value::Object(
                (0..next() % 6)
                    .map(|_| {
                        (
                            keys[(next() % keys.len() as u64) as usize].to_owned(),
                            value(next, depth + 1),
                        )
                    })
                    .collect(),
            ),
        }
    }
    let config = SelftuneConfig::default();
    for _ in 0..20_000 {
        let event = value(&mut next, 0);
        let _ = parse_event(ExampleKind::Plugin, event.clone(), &config);
        let _ = parse_event(ExampleKind::Mcp, event, &config);
    }
}
