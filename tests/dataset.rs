#![cfg(not(target_arch = "wasm32"))]
//! Dataset builds over the example log: rendering, selection, near-duplicates, split, output.

mod support;

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Value};

use selftune::config::SelftuneConfig;
use selftune::dataset::minhash::{signature, similarity, NearDuplicateConfig};
use selftune::dataset::options::BuildOptions;
use selftune::dataset::profile::{builtin_profiles, normalize_model_id, ModelProfile, WireFormat};
use selftune::dataset::render::{answer_text, render_line, user_text};
use selftune::dataset::split::{assign, Split};
use selftune::event::{ExampleKind, GeneratedFile};
use selftune::handle::Selftune;
use selftune::quality::score;
use selftune::store::ExampleRecord;
use support::{block_on, MemoryHost};

fn record(files: Vec<(&str, &str)>) -> ExampleRecord {
    ExampleRecord {
        schema_version: 1,
        id: "ex_0123456789abcdef".into(),
        kind: ExampleKind::Plugin,
        captured_at: 0,
        event_id: None,
        request: "Build a dice plugin. It rolls N dice.".into(),
        name: Some("plugin-dice".into()),
        description: None,
        files: files
            .into_iter()
            .map(|(path, content)| GeneratedFile {
                path: path.into(),
                content: content.into(),
            })
            .collect(),
        dependencies: None,
        tools: Vec::new(),
        execution_time_ms: None,
        tokens_used: None,
        quality: score(true, 2, Some(1_000.0)),
        redactions: BTreeMap::new(),
        content_hash: "0".repeat(32),
    }
}

fn profile(format: WireFormat, reasoning: bool) -> ModelProfile {
    ModelProfile {
        name: "p".into(),
        model: "m".into(),
        max_tokens: 8_192,
        reasoning,
        format,
        system_prompt: None,
    }
}

#[test]
fn golden_lines_for_every_wire_format() {
    let example = record(vec![
        ("src/index.ts", "export const roll = (n: number) => n;\n"),
        ("README.md", "# Dice\nUse ```roll```.\n"),
    ]);
    let user = user_text(&example);
    let answer = answer_text(&example, &example.files);
    assert_eq!(
        answer,
        "Here is the plugin `plugin-dice`, in 2 files.\n\n`src/index.ts`\n```typescript\nexport const roll = (n: number) => n;\n```\n\n`README.md`\n````markdown\n# Dice\nUse ```roll```.\n````"
    );
    let prompt = format!("<｜User｜>{user}<｜Assistant｜>");

    let small = render_line(
        &profile(WireFormat::Instruction, false),
        &user,
        Some("ignored"),
        &answer,
    )
    .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&small.json).unwrap(),
        json!({ "prompt": prompt, "completion": format!("<think>\n\n</think>\n\n{answer}<｜end▁of▁sentence｜>") })
    );
    assert_eq!(
        small.sequence,
        format!(
            "<｜begin▁of▁sentence｜>{prompt}<think>\n\n</think>\n\n{answer}<｜end▁of▁sentence｜>"
        )
    );

    let large = render_line(
        &profile(WireFormat::Instruction, true),
        &user,
        Some("1. Requirements analysis\n…"),
        &answer,
    )
    .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&large.json).unwrap(),
        json!({ "prompt": prompt, "completion": format!("<think>\n1. Requirements analysis\n…\n</think>\n\n{answer}<｜end▁of▁sentence｜>") })
    );

    let messages = render_line(
        &profile(WireFormat::Messages, true),
        &user,
        Some("thinking"),
        &answer,
    )
    .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&messages.json).unwrap(),
        json!({ "messages": [{ "role": "user", "content": user }, { "role": "assistant", "content": answer }] })
    );

    let field = render_line(
        &profile(WireFormat::ReasoningField, true),
        &user,
        Some("thinking"),
        &answer,
    )
    .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&field.json).unwrap(),
        json!({ "messages": [{ "role": "user", "content": user }, { "role": "assistant", "content": answer, "reasoning": "thinking" }] })
    );
    assert!(field
        .sequence
        .contains("<｜Assistant｜><think>\nthinking\n</think>\n\n"));
}

#[test]
fn content_with_a_special_token_string_is_not_rendered() {
    let example = record(vec![("src/chat.ts", "const end = '<|im_end|>';\n")]);
    let answer = answer_text(&example, &example.files);
    assert!(render_line(
        &profile(WireFormat::Instruction, true),
        &user_text(&example),
        None,
        &answer
    )
    .is_err());
}

#[test]
fn seed_spellings_become_together_ids() {
    assert_eq!(
        normalize_model_id("deepseek-r1-distill-qwen-1.5b"),
        "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B"
    );
    assert_eq!(
        normalize_model_id("Deepseek-R1-distill-llama-70b"),
        "deepseek-ai/DeepSeek-R1-Distill-Llama-70B"
    );
    assert_eq!(normalize_model_id("org/other"), "org/other");
}

fn plugin_code(seed: usize, lines: usize) -> String {
    (0..lines)
        .map(|i| format!("export const handler{seed}_{i} = async (runtime, message) => runtime.reply(message, 'value {seed} {i}');\n"))
        .collect()
}

#[test]
fn minhash_estimates_similarity() {
    let config = NearDuplicateConfig::default();
    let base = plugin_code(1, 200);
    let mut edited = base.clone();
    edited.push_str("export const extra = 1;\n");
    let other = plugin_code(2, 200);
    let a = signature(&[&base], &config);
    assert_eq!(similarity(&a, &signature(&[&base], &config)), 1.0);
    assert!(similarity(&a, &signature(&[&edited], &config)) > 0.9);
    assert!(similarity(&a, &signature(&[&other], &config)) < 0.3);
}

#[test]
fn split_is_seeded_reproducible_and_follows_the_ratios() {
    let groups: Vec<Vec<String>> = (0..1_000).map(|i| vec![format!("ex_{i:04}")]).collect();
    let first = assign(&groups, [0.8, 0.1, 0.1], 7);
    assert_eq!(first, assign(&groups, [0.8, 0.1, 0.1], 7));
    assert_ne!(first, assign(&groups, [0.8, 0.1, 0.1], 8));
    let mut counts: HashMap<Split, usize> = HashMap::new();
    for split in first.values() {
        *counts.entry(*split).or_default() += 1;
    }
    assert_eq!(
        (
            counts[&Split::Train],
            counts[&Split::Validation],
            counts[&Split::Test]
        ),
        (800, 100, 100)
    );
    // A group never straddles splits.
    let grouped = vec![
        vec!["a".to_owned(), "b".to_owned(), "c".to_owned()],
        vec!["d".to_owned()],
    ];
    let assigned = assign(&grouped, [0.5, 0.25, 0.25], 1);
    assert_eq!(assigned["a"], assigned["b"]);
    assert_eq!(assigned["b"], assigned["c"]);
}

fn plugin_event(request: &str, content: &str) -> Value {
    json!({
        "originalRequest": request,
        "executionTime": 2_000,
        "outcome": { "success": true, "pluginName": "p", "files": [
            { "path": "src/index.ts", "content": content },
            { "path": "package.json", "content": "{ \"name\": \"p\" }\n" }
        ]}
    })
}

fn build(
    selftune: &Selftune<MemoryHost>,
    options: Value,
) -> selftune::dataset::manifest::DatasetManifest {
    block_on(selftune.build_dataset(&BuildOptions::from_json(options).unwrap())).unwrap()
}

fn lines(host: &MemoryHost, path: &str) -> Vec<Value> {
    host.file(path)
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn near_duplicates_keep_one_and_never_cross_splits() {
    let selftune = block_on(Selftune::open(MemoryHost::new(), SelftuneConfig::default())).unwrap();
    // 30 distinct plugins, each with a near-identical twin (one line added).
    for i in 0..30 {
        let code = plugin_code(i, 60);
        block_on(selftune.on_plugin_success(plugin_event(&format!("Plugin {i}"), &code))).unwrap();
        let twin = format!("{code}export const twin = true;\n");
        block_on(selftune.on_plugin_success(plugin_event(&format!("Plugin {i}, again"), &twin)))
            .unwrap();
    }
    let manifest = build(&selftune, json!({ "profiles": [builtin_profiles()[1]] }));
    let large = &manifest.profiles[0];
    assert_eq!(large.dropped.near_duplicate, 30);
    assert_eq!(
        large.counts.train + large.counts.validation + large.counts.test,
        30
    );
    let mut seen: HashMap<String, &str> = HashMap::new();
    for split in ["train", "validation", "test"] {
        for line in lines(selftune.host(), &format!("datasets/large/{split}.jsonl")) {
            let request = line["prompt"]
                .as_str()
                .unwrap()
                .split("Request: Plugin ")
                .nth(1)
                .unwrap();
            let key = request.split([',', '<']).next().unwrap().to_owned();
            assert!(
                seen.insert(key, split).is_none(),
                "a plugin and its twin were both kept"
            );
        }
    }
}

#[test]
fn building_the_samples_writes_valid_files_and_a_manifest() {
    let selftune = block_on(Selftune::open(MemoryHost::new(), SelftuneConfig::default())).unwrap();
    let samples = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/js/samples/events.jsonl"
    ))
    .unwrap();
    for line in samples.lines() {
        let recorded: Value = serde_json::from_str(line).unwrap();
        let payload = recorded["payload"].clone();
        let _ = match recorded["event"].as_str() {
            Some("mcp-success") => block_on(selftune.on_mcp_success(payload)),
            _ => block_on(selftune.on_plugin_success(payload)),
        };
    }
    let manifest = build(&selftune, Value::Null);
    assert_eq!(manifest.examples_read, 15);
    let host = selftune.host();
    let stored: Value =
        serde_json::from_str(&host.file("datasets/manifest.json").unwrap()).unwrap();
    assert_eq!(
        stored["profiles"][0]["model"],
        "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B"
    );
    for profile in &manifest.profiles {
        assert!(profile.validated, "{} failed validation", profile.name);
        assert!(!profile.tokens.exact);
        assert!(profile.tokens.counter.starts_with("estimate"));
        let total = profile.counts.train + profile.counts.validation + profile.counts.test;
        assert_eq!(
            total + profile.dropped.too_long + profile.dropped.invalid,
            15,
            "{profile:?}"
        );
        assert!(profile.tokens.max as usize <= profile.max_tokens);
        assert!(profile.estimated_training_cost_usd.amount_usd >= 0.0);
        for split in ["train", "validation", "test"] {
            for line in lines(host, &format!("datasets/{}/{split}.jsonl", profile.name)) {
                let completion = line["completion"].as_str().unwrap();
                assert!(completion.starts_with("<think>\n"));
                assert!(completion.ends_with("<｜end▁of▁sentence｜>"));
                let (thinking, answer) = completion.split_once("\n</think>\n\n").unwrap();
                if profile.reasoning {
                    // The reasoning is in the completion, the part that is trained.
                    assert!(
                        thinking.contains("1. Requirements analysis")
                            && thinking.contains("7. Final verification")
                    );
                } else {
                    assert_eq!(thinking, "<think>\n");
                }
                assert!(answer.contains("```"));
                assert!(!line["prompt"].as_str().unwrap().contains("<think>"));
            }
        }
    }
    let small = &manifest.profiles[0];
    let large = &manifest.profiles[1];
    assert!(
        large.counts.train >= small.counts.train,
        "8K fits more than 2K"
    );
    assert!(large.counts.train > 0);
    // The same log and seed give the same files.
    let before = host.file("datasets/large/train.jsonl");
    build(&selftune, Value::Null);
    assert_eq!(before, host.file("datasets/large/train.jsonl"));
}

#[test]
fn forgotten_low_quality_and_over_length_examples_stay_out() {
    let selftune = block_on(Selftune::open(MemoryHost::new(), SelftuneConfig::default())).unwrap();
    let kept =
        block_on(selftune.on_plugin_success(plugin_event("Keep me", &plugin_code(1, 5)))).unwrap();
    let gone = block_on(selftune.on_plugin_success(plugin_event("Forget me", &plugin_code(2, 5))))
        .unwrap();
    block_on(selftune.forget(gone.example_id.as_deref().unwrap())).unwrap();
    let mut single = plugin_event("Single file, slow", &plugin_code(3, 5));
    single["executionTime"] = json!(90_000);
    single["outcome"]["files"] = json!([{ "path": "a.ts", "content": plugin_code(3, 5) }]);
    block_on(selftune.on_plugin_success(single)).unwrap(); // quality 0.8
    block_on(selftune.on_plugin_success(plugin_event("Too long", &plugin_code(4, 400)))).unwrap();
    let special = plugin_event("Special", "const stop = '<｜end▁of▁sentence｜>';\n");
    block_on(selftune.on_plugin_success(special)).unwrap();

    let manifest = build(
        &selftune,
        json!({ "minQuality": 0.85, "profiles": [builtin_profiles()[0]] }),
    );
    let small = &manifest.profiles[0];
    assert_eq!(
        small.dropped.forgotten, 0,
        "forget removes it from the log itself"
    );
    assert_eq!(small.dropped.low_quality, 1);
    assert_eq!(small.dropped.too_long, 1);
    assert_eq!(small.dropped.invalid, 1);
    let all: String = ["train", "validation", "test"]
        .iter()
        .map(|s| {
            selftune
                .host()
                .file(&format!("datasets/small/{s}.jsonl"))
                .unwrap_or_default()
        })
        .collect();
    assert!(all.contains("Keep me") && !all.contains("Forget me"));
    assert!(kept.stored);

    // Truncation leaves files out from the end instead of dropping the example.
    let mut long = plugin_event("Long but splittable", &plugin_code(5, 10));
    long["outcome"]["files"] = json!([
        { "path": "src/index.ts", "content": plugin_code(5, 10) },
        { "path": "src/big.ts", "content": plugin_code(6, 400) }
    ]);
    block_on(selftune.on_plugin_success(long)).unwrap();
    let manifest = build(
        &selftune,
        json!({ "overLength": "truncate", "profiles": [builtin_profiles()[0]] }),
    );
    assert_eq!(manifest.profiles[0].truncated, 1);
}

#[test]
fn options_are_checked() {
    for bad in [
        json!({ "minQuality": 2 }),
        json!({ "profiles": [] }),
        json!({ "split": { "train": 0, "validation": 0, "test": 0 } }),
        json!({ "overLength": "squash" }),
        json!({ "maxExample": 3 }),
    ] {
        let error = BuildOptions::from_json(bad.clone()).unwrap_err();
        assert_eq!(error.code.as_str(), "invalid_argument", "{bad}");
    }
    let options = BuildOptions::from_json(json!({ "profiles": [{ "name": "s", "model": "deepseek-r1-distill-qwen-1.5b", "maxTokens": 1024, "reasoning": false, "format": "messages" }] })).unwrap();
    assert_eq!(
        options.profiles[0].model,
        "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B"
    );
}
