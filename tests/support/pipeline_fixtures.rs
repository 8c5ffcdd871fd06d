//! Shared pieces of the pipeline tests: a fake key, the client settings and generated examples.

use serde_json::{json, Value};

use selftune::together::{TogetherConfig, TogetherOptions};

pub const FAKE_KEY: &str = "fake-together-key-0000-not-real";

pub fn together() -> TogetherConfig {
    TogetherConfig::resolve(
        TogetherOptions {
            api_key: Some(FAKE_KEY.into()),
            base_url: Some("http://together.fake.test/v1".into()),
            requests_per_minute: Some(0),
            file_poll_interval_ms: Some(1_000),
            jitter_seed: Some(7),
            ..TogetherOptions::default()
        },
        |_| None,
    )
    .unwrap()
}

pub fn plugin(i: usize) -> Value {
    let code: String = (0..24)
        .map(|k| {
            format!(
                "export const value{i}x{k} = {} + {};\n",
                i * 31 + k,
                k * 7 + i
            )
        })
        .collect();
    json!({
        "originalRequest": format!("Build plugin number {i} that computes table {i}"),
        "executionTime": 2_000,
        "outcome": { "success": true, "pluginName": format!("plugin-{i}"), "files": [
            { "path": "src/index.ts", "content": code },
            { "path": "src/extra.ts", "content": format!("export const extra{i} = {i};\n") }
        ]}
    })
}
