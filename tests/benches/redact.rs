//! Scrubbing throughput, native: `cargo bench --bench redact`. Prints the median of several runs
//! over the bundled sample plugins and MCP servers (repeated to a few megabytes), with each file's
//! path, as the capture path calls it.

use std::time::Instant;

use selftune::redact::{redact_text, RedactionOptions};

const TARGET_BYTES: usize = 4 << 20;
const RUNS: usize = 9;

fn corpus() -> Vec<(String, String)> {
    let samples = concat!(env!("CARGO_MANIFEST_DIR"), "/js/samples/events.jsonl");
    let text = std::fs::read_to_string(samples).expect("the bundled samples");
    let mut files = Vec::new();
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let event: serde_json::Value = serde_json::from_str(line).expect("a sample event");
        for file in event["payload"]["outcome"]["files"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let path = file["path"].as_str().unwrap_or_default().to_owned();
            let content = file["content"].as_str().unwrap_or_default().to_owned();
            files.push((path, content));
        }
    }
    let once: usize = files.iter().map(|(_, content)| content.len()).sum();
    let copies = TARGET_BYTES.div_ceil(once);
    (0..copies).flat_map(|_| files.clone()).collect()
}

fn main() {
    let files = corpus();
    let bytes: usize = files.iter().map(|(_, content)| content.len()).sum();
    let options = RedactionOptions::default();
    let mut rates = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let mut replaced = 0u32;
        for (path, content) in &files {
            replaced += redact_text(content, Some(path), &options).total();
        }
        let seconds = started.elapsed().as_secs_f64();
        std::hint::black_box(replaced);
        rates.push(bytes as f64 / seconds / 1e6);
    }
    rates.sort_by(f64::total_cmp);
    println!(
        "redact_text, native: median {:.1} MB/s (min {:.1}, max {:.1}) over {:.1} MB of sample plugin and MCP code, {RUNS} runs",
        rates[RUNS / 2],
        rates[0],
        rates[RUNS - 1],
        bytes as f64 / 1e6
    );
}
