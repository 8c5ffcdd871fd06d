//! Token counting for the target models: exact when the model's vocabulary is loaded, otherwise a
//! conservative estimate that every report labels as such (`exact: false`).
//!
//! # Why an implementation of our own
//!
//! The exact counter is a byte-level BPE written for this crate rather than Hugging Face's
//! `tokenizers` crate, `tiktoken-rs` or GitHub's `bpe`:
//! - `tokenizers` (0.22, `unstable_wasm`) adds about 3 MB of wasm, needs `getrandom` glue, and
//!   counts 0.3 to 0.9 million tokens/s single-threaded on this kind of machine;
//! - `tiktoken-rs` only ships OpenAI's encodings and reads no `tokenizer.json`;
//! - `bpe` targets tiktoken-style vocabularies and has no Qwen2 / Llama 3 pre-tokenizer.
//!
//! Counting needs much less than a general tokenizer: the two vocabularies share one pre-tokenizer
//! pattern (up to the number of digits per piece), so it is written out by hand
//! (`pretokenize.rs`) over committed Unicode tables (`unicode_tables.rs`, generated, with the
//! Unicode version in the file) instead of run by a regex engine; merges work on token ids with an
//! integer-keyed table (`bpe.rs`); repeated pre-tokens are answered from a cache; added tokens are
//! split out first with a byte trie (`added.rs`). Only the count is produced, never ids or
//! offsets. NFC, which the Qwen vocabulary asks for, is written here too (`nfc.rs`), over
//! generated tables of only what composition needs: the `unicode-normalization` crate would have
//! added 126 KB of wasm, these tables and code 53 KB. All of `tokens` adds 133 KB to the optimized
//! wasm (59 KB gzipped), and no dependency.
//!
//! Exactness is checked against references nobody on this project wrote: `@lenml/tokenizers` over
//! the same `tokenizer.json` in `js/tests/tokens.test.mjs` (code, prose, Unicode, special tokens,
//! and random strings), and Hugging Face's `tokenizers` in `js/bench/tokens-hf.py`.

mod added;
mod bpe;
mod chars;
mod counting;
mod estimate;
pub mod models;
pub mod nfc;
pub mod pretokenize;
mod tokenizer;
#[rustfmt::skip]
mod unicode_tables;
pub mod vocabulary;

use std::collections::HashMap;
use std::rc::Rc;

use serde::{Deserialize, Serialize};

pub use estimate::Estimate;
pub use models::{canonical_model_id, model_for, model_list, ModelTokenizerInfo, VocabularyFamily};
pub use tokenizer::BpeTokenizer;
pub use unicode_tables::UNICODE_VERSION;

/// Counts tokens the way a model's tokenizer does.
pub trait TokenCounter {
    /// Tokens in `text`. Special-token strings that appear in it (`<｜User｜>`, `<think>`) count
    /// as one token each, as the reference tokenizer treats added tokens.
    fn count(&self, text: &str) -> usize;
    /// False for an estimate.
    fn exact(&self) -> bool;
    /// What produced the count, for reports (`"Qwen2 BPE from tokenizer.json"`, `"estimate: …"`).
    fn describe(&self) -> String;
}

/// The counters known to a handle, by Together model id. Cloning shares the counters.
#[derive(Default, Clone)]
pub struct TokenizerRegistry {
    exact: HashMap<String, Rc<dyn TokenCounter>>,
    estimate: Estimate,
}

/// A known model's canonical id, or the id as given.
fn registry_key(model_id: &str) -> String {
    canonical_model_id(model_id)
        .map(str::to_owned)
        .unwrap_or_else(|| model_id.to_owned())
}

impl TokenizerRegistry {
    /// Uses `counter` for `model_id` from now on. Known models are stored under their canonical
    /// id, so any accepted spelling finds the counter.
    pub fn register(&mut self, model_id: &str, counter: Box<dyn TokenCounter>) {
        self.exact.insert(registry_key(model_id), Rc::from(counter));
    }

    /// The exact counter for `model_id` when one is registered, else the estimate.
    pub fn counter_for(&self, model_id: &str) -> &dyn TokenCounter {
        match self.exact.get(&registry_key(model_id)) {
            Some(counter) => counter.as_ref(),
            None => &self.estimate,
        }
    }

    /// Whether an exact counter is registered for `model_id`.
    pub fn has_exact(&self, model_id: &str) -> bool {
        self.exact.contains_key(&registry_key(model_id))
    }
}

/// The tokens of one text for one model, as `countTokens` reports them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct TokenCount {
    /// The model, as Together spells it when known.
    pub model: String,
    pub tokens: u64,
    /// False when no vocabulary is loaded for the model and `tokens` is an estimate.
    pub exact: bool,
    /// What produced the count.
    pub tokenizer: String,
}

/// A tokenizer registered for a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct TokenizerInfo {
    pub model: String,
    pub vocabulary: VocabularyFamily,
    /// Entries of the BPE vocab (added tokens not included).
    pub vocab_size: u64,
    pub merges: u64,
    pub added_tokens: u64,
    pub tokenizer: String,
}
