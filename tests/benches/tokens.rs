//! Token counting throughput, native: `cargo bench --bench tokens`. `node js/bench/tokens.mjs`
//! runs it on the same corpus as the wasm package and the references (passed in
//! `SELFTUNE_TOKENS_CORPUS`, a JSON array of documents) and prints the figures side by side; on
//! its own it counts the bundled sample plugins and MCP servers and this repository's sources.
//!
//! Each run builds a fresh tokenizer (so its pre-token cache starts empty) and counts every
//! document once, one call per document; the median of the runs is printed. With
//! `SELFTUNE_TOKENS_JSON=1` the result is one JSON line for the driver.

use std::path::Path;
use std::time::Instant;

use selftune::tokens::models::MODELS;
use selftune::tokens::TokenCounter;

const RUNS: usize = 7;

fn fallback_corpus() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let samples = std::fs::read_to_string(root.join("js/samples/events.jsonl")).expect("samples");
    let mut docs = Vec::new();
    for line in samples.lines().filter(|line| !line.trim().is_empty()) {
        let event: serde_json::Value = serde_json::from_str(line).expect("a sample event");
        for file in event["payload"]["outcome"]["files"]
            .as_array()
            .into_iter()
            .flatten()
        {
            docs.push(file["content"].as_str().unwrap_or_default().to_owned());
        }
    }
    let mut stack = vec![root.join("src")];
    while let Some(dir) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&dir).expect("src").flatten().collect();
        entries.sort_by_key(|entry| entry.path());
        for entry in entries {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                docs.push(std::fs::read_to_string(path).expect("a source file"));
            }
        }
    }
    docs
}

fn main() {
    let (docs, corpus_name) = match std::env::var("SELFTUNE_TOKENS_CORPUS") {
        Ok(path) => {
            let text = std::fs::read_to_string(&path).expect("the corpus file");
            let docs: Vec<String> = serde_json::from_str(&text).expect("a JSON array of texts");
            (docs, "the benchmark corpus")
        }
        Err(_) => (
            fallback_corpus(),
            "the sample plugins and MCP servers and src/",
        ),
    };
    let bytes: usize = docs.iter().map(String::len).sum();
    let json = std::env::var("SELFTUNE_TOKENS_JSON").is_ok_and(|v| v == "1");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for model in MODELS {
        let path = root
            .join("js/node_modules")
            .join(model.package)
            .join(model.file);
        let Ok(tokenizer_json) = std::fs::read_to_string(&path) else {
            eprintln!(
                "tokens bench: {} is not installed (npm ci in js/): skipping {}",
                model.package, model.model_id
            );
            continue;
        };
        let started = Instant::now();
        model.build(&tokenizer_json).expect("the tokenizer");
        let load_seconds = started.elapsed().as_secs_f64();
        let mut rates = Vec::new();
        let mut tokens = 0usize;
        for _ in 0..RUNS {
            let tokenizer = model.build(&tokenizer_json).expect("the tokenizer");
            let started = Instant::now();
            tokens = docs.iter().map(|doc| tokenizer.count(doc)).sum();
            rates.push(tokens as f64 / started.elapsed().as_secs_f64());
        }
        rates.sort_by(f64::total_cmp);
        let median = rates[RUNS / 2];
        if json {
            println!(
                "{}",
                serde_json::json!({
                    "model": model.model_id, "tokens": tokens, "bytes": bytes,
                    "tokensPerSecond": rates, "loadSeconds": load_seconds,
                })
            );
        } else {
            println!(
                "{}, native: median {:.2} M tokens/s (min {:.2}, max {:.2}), {:.1} MB/s; {} tokens in {:.1} MB of {}, {} runs; tokenizer built in {:.0} ms",
                model.model_id,
                median / 1e6,
                rates[0] / 1e6,
                rates[RUNS - 1] / 1e6,
                median * bytes as f64 / tokens as f64 / 1e6,
                tokens,
                bytes as f64 / 1e6,
                corpus_name,
                RUNS,
                load_seconds * 1e3
            );
        }
    }
}
