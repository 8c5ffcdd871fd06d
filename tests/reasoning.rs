#![cfg(not(target_arch = "wasm32"))]
//! Reasoning blocks derived from the bundled sample plugins and MCP servers.

mod support;

use serde_json::Value;

use selftune::config::SelftuneConfig;
use selftune::handle::Selftune;
use selftune::reasoning::{requirements, synthesize, SECTION_TITLES};
use selftune::store::{self, ExampleRecord, LogEntry};
use support::{block_on, MemoryHost};

/// The bundled samples, captured through the real path, as stored records.
pub fn sample_records() -> Vec<ExampleRecord> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/js/samples/events.jsonl"
    ))
    .unwrap();
    let selftune = block_on(Selftune::open(MemoryHost::new(), SelftuneConfig::default())).unwrap();
    for line in text.lines() {
        let recorded: Value = serde_json::from_str(line).unwrap();
        let payload = recorded["payload"].clone();
        let _ = match recorded["event"].as_str() {
            Some("mcp-success") => block_on(selftune.on_mcp_success(payload)),
            _ => block_on(selftune.on_plugin_success(payload)),
        };
    }
    let log = selftune.host().file("examples/2026-11-26.jsonl").unwrap();
    store::parse_partition::<LogEntry>("log", &log, selftune.host())
        .entries
        .into_iter()
        .filter_map(|entry| match entry {
            LogEntry::Example(record) => Some(*record),
            LogEntry::Duplicate(_) => None,
        })
        .collect()
}

fn block_for(records: &[ExampleRecord], name: &str) -> String {
    let record = records
        .iter()
        .find(|r| r.name.as_deref() == Some(name))
        .unwrap();
    synthesize(record)
}

#[test]
fn blocks_are_derived_from_the_code() {
    let records = sample_records();
    let weather = block_for(&records, "plugin-weather");
    assert!(
        weather.contains("The plugin is the `Plugin` object `weatherPlugin`"),
        "{weather}"
    );
    assert!(weather.contains("- action GET_WEATHER (`getWeatherAction`), in `src/index.ts`"));
    assert!(weather.contains("`OPENWEATHER_API_KEY`"));
    assert!(weather.contains("1 file:"));

    let timezone = block_for(&records, "mcp-timezone");
    assert!(
        timezone.contains("The server exposes 3 tools:"),
        "{timezone}"
    );
    assert!(timezone.contains("- `convert_time`: Converts a local time"));
    assert!(timezone.contains("(inputs: from_timezone, time, to_timezone)"));
    assert!(timezone.contains("over the stdio transport"));

    let moderation = block_for(&records, "plugin-discord-moderation");
    assert!(
        moderation.contains("evaluator DISCORD_MODERATION"),
        "{moderation}"
    );
    assert!(moderation.contains("- `src/__tests__/rules.test.ts` checks: \"checkMessage\""));
    assert!(
        moderation.contains("- \"Add unit tests for the rules\": `src/__tests__/rules.test.ts`")
    );

    // Different examples, different blocks: nothing here is a fixed template.
    assert_ne!(weather.lines().nth(3), timezone.lines().nth(3));
}

#[test]
fn every_block_has_the_seven_parts_in_order_and_is_deterministic() {
    for record in sample_records() {
        let block = synthesize(&record);
        let mut at = 0;
        for (number, title) in SECTION_TITLES.iter().enumerate() {
            let heading = format!("{}. {title}\n", number + 1);
            let found = block[at..]
                .find(&heading)
                .unwrap_or_else(|| panic!("{title} missing in:\n{block}"));
            at += found + heading.len();
        }
        assert_eq!(block, synthesize(&record));
    }
}

#[test]
fn requirements_come_from_the_request_sentences() {
    let found = requirements("Build a weather plugin. It reads OPENWEATHER_API_KEY; answers in metric units!\n- supports imperial too");
    assert_eq!(
        found,
        [
            "Build a weather plugin",
            "It reads OPENWEATHER_API_KEY",
            "answers in metric units!",
            "supports imperial too"
        ]
    );
}
