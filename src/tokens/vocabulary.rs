//! Reads a Hugging Face `tokenizer.json` of a byte-level BPE vocabulary: its vocab and merges,
//! the pre-tokenizer's split pattern, the normalizer and the added tokens.
//!
//! Only what this crate can reproduce exactly is accepted: a `BPE` model without dropout, byte
//! fallback or word prefixes/suffixes; an `NFC` normalizer or none; and a pre-tokenizer that is the
//! Qwen2 or Llama 3 split pattern followed by `ByteLevel` without its own regex. Anything else is
//! refused with an error naming what differs, because a count from a tokenizer that is only
//! nearly the same would be wrong without anyone noticing.

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use super::bpe::{FastMap, Merges};
use super::pretokenize::Digits;
use crate::error::{ErrorCode, SelftuneError};

/// The Qwen2 split pattern, as `tokenizer.json` spells it.
pub const QWEN2_PATTERN: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
/// The Llama 3 split pattern: as Qwen2's, with up to three digits in a piece.
pub const LLAMA3_PATTERN: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// One token outside the BPE: matched in the raw text before anything else, always one token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedToken {
    pub id: u32,
    pub content: String,
    pub special: bool,
    /// Whitespace before the token is part of it.
    pub lstrip: bool,
    /// Whitespace after the token is part of it.
    pub rstrip: bool,
}

/// A vocabulary read from `tokenizer.json`, ready to count with.
pub struct Vocabulary {
    pub(crate) merges: Merges,
    pub digits: Digits,
    pub nfc: bool,
    /// With `ignore_merges`, every token of the vocab by its bytes: a pre-token that is one of them
    /// is one token without merging.
    pub(crate) whole_tokens: Option<FastMap<Box<[u8]>, u32>>,
    pub added_tokens: Vec<AddedToken>,
    /// Entries of `model.vocab`.
    pub vocab_size: usize,
    pub merge_count: usize,
}

impl fmt::Debug for Vocabulary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vocabulary")
            .field("digits", &self.digits)
            .field("nfc", &self.nfc)
            .field("ignore_merges", &self.whole_tokens.is_some())
            .field("vocab_size", &self.vocab_size)
            .field("merge_count", &self.merge_count)
            .field("added_tokens", &self.added_tokens.len())
            .finish()
    }
}

fn invalid(problem: impl fmt::Display) -> SelftuneError {
    SelftuneError::new(
        ErrorCode::InvalidArgument,
        format!("tokenizer.json: {problem}"),
    )
}

#[derive(Deserialize)]
struct TokenizerFile {
    #[serde(default)]
    added_tokens: Vec<AddedTokenFile>,
    #[serde(default)]
    normalizer: Value,
    #[serde(default)]
    pre_tokenizer: Value,
    model: ModelFile,
}

#[derive(Deserialize)]
struct AddedTokenFile {
    id: u32,
    content: String,
    #[serde(default)]
    single_word: bool,
    #[serde(default)]
    lstrip: bool,
    #[serde(default)]
    rstrip: bool,
    #[serde(default)]
    special: bool,
}

#[derive(Deserialize)]
struct ModelFile {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    dropout: Option<f64>,
    #[serde(default)]
    continuing_subword_prefix: Option<String>,
    #[serde(default)]
    end_of_word_suffix: Option<String>,
    #[serde(default)]
    byte_fallback: bool,
    #[serde(default)]
    ignore_merges: bool,
    vocab: HashMap<String, u32>,
    merges: Vec<Merge>,
}

/// A merge, spelled `"a b"` (older files) or `["a", "b"]` (newer ones).
struct Merge(String, String);

impl<'de> Deserialize<'de> for Merge {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MergeVisitor;
        impl<'de> Visitor<'de> for MergeVisitor {
            type Value = Merge;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a merge: \"left right\" or [\"left\", \"right\"]")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<Merge, E> {
                let (left, right) = value
                    .split_once(' ')
                    .ok_or_else(|| E::custom(format!("merge '{value}' has no space")))?;
                if right.contains(' ') {
                    return Err(E::custom(format!(
                        "merge '{value}' has more than two parts"
                    )));
                }
                Ok(Merge(left.to_owned(), right.to_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Merge, A::Error> {
                let left: String = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let right: String = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(1, &self))?;
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::invalid_length(3, &self));
                }
                Ok(Merge(left, right))
            }
        }
        deserializer.deserialize_any(MergeVisitor)
    }
}

/// GPT-2's byte-level alphabet: the printable bytes stand for themselves, the other 68 for
/// U+0100 onwards, in byte order. Returns, for each code point below 0x144, the byte it stands
/// for.
fn byte_level_decoder() -> [Option<u8>; 0x144] {
    let mut table = [None; 0x144];
    let mut extra = 0x100usize;
    for b in 0..=255u8 {
        let printable = (b'!'..=b'~').contains(&b) || (0xA1..=0xAC).contains(&b) || b >= 0xAE;
        if printable {
            table[b as usize] = Some(b);
        } else {
            table[extra] = Some(b);
            extra += 1;
        }
    }
    table
}

/// The bytes a vocab entry stands for, or `None` when it is not in the byte-level alphabet.
fn token_bytes(token: &str, decoder: &[Option<u8>; 0x144]) -> Option<Vec<u8>> {
    token
        .chars()
        .map(|c| decoder.get(c as usize).copied().flatten())
        .collect()
}

fn pre_tokenizer_digits(value: &Value) -> Result<Digits, SelftuneError> {
    let steps = match value.get("type").and_then(Value::as_str) {
        Some("Sequence") => value
            .get("pretokenizers")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        Some(_) => vec![value.clone()],
        None => return Err(invalid(
            "a pre_tokenizer is required (Split with the Qwen2 or Llama 3 pattern, then ByteLevel)",
        )),
    };
    let [split, byte_level] = steps.as_slice() else {
        return Err(invalid(format!(
            "unsupported pre_tokenizer: expected Split then ByteLevel, got {} steps",
            steps.len()
        )));
    };
    let pattern = split.pointer("/pattern/Regex").and_then(Value::as_str);
    let digits = match pattern {
        Some(QWEN2_PATTERN) => Digits::One,
        Some(LLAMA3_PATTERN) => Digits::UpToThree,
        _ => {
            return Err(invalid(format!(
                "unsupported pre_tokenizer split pattern {}: only the Qwen2 and Llama 3 patterns are implemented",
                split.get("pattern").unwrap_or(&Value::Null)
            )))
        }
    };
    let isolated = split.get("type").and_then(Value::as_str) == Some("Split")
        && split.get("behavior").and_then(Value::as_str) == Some("Isolated")
        && split.get("invert").and_then(Value::as_bool) != Some(true);
    if !isolated {
        return Err(invalid(
            "unsupported Split: expected behavior Isolated, not inverted",
        ));
    }
    let plain_byte_level = byte_level.get("type").and_then(Value::as_str) == Some("ByteLevel")
        && byte_level.get("use_regex").and_then(Value::as_bool) == Some(false)
        && byte_level.get("add_prefix_space").and_then(Value::as_bool) != Some(true);
    if !plain_byte_level {
        return Err(invalid(
            "unsupported pre_tokenizer: the Split must be followed by ByteLevel with use_regex false and no prefix space",
        ));
    }
    Ok(digits)
}

fn normalizer_is_nfc(value: &Value) -> Result<bool, SelftuneError> {
    match value {
        Value::Null => Ok(false),
        _ if value.get("type").and_then(Value::as_str) == Some("NFC") => Ok(true),
        _ if value.get("type").and_then(Value::as_str) == Some("Sequence")
            && value
                .get("normalizers")
                .and_then(Value::as_array)
                .is_some_and(|list| list.is_empty()) =>
        {
            Ok(false)
        }
        other => Err(invalid(format!(
            "unsupported normalizer {other}: only NFC or none is implemented"
        ))),
    }
}

impl Vocabulary {
    /// Reads `tokenizer.json` text.
    pub fn from_json(json: &str) -> Result<Self, SelftuneError> {
        let file: TokenizerFile = serde_json::from_str(json)
            .map_err(|error| invalid(format!("not readable: {error}")))?;
        let model = file.model;
        if model.kind.as_deref().is_some_and(|kind| kind != "BPE") {
            return Err(invalid(format!(
                "model type {:?} is not BPE",
                model.kind.unwrap_or_default()
            )));
        }
        if model.dropout.is_some_and(|p| p > 0.0) {
            return Err(invalid("BPE dropout is not supported"));
        }
        if model.byte_fallback {
            return Err(invalid(
                "byte_fallback is not supported (not a byte-level BPE)",
            ));
        }
        if model
            .continuing_subword_prefix
            .is_some_and(|p| !p.is_empty())
            || model.end_of_word_suffix.is_some_and(|s| !s.is_empty())
        {
            return Err(invalid(
                "subword prefixes and word suffixes are not supported",
            ));
        }
        let digits = pre_tokenizer_digits(&file.pre_tokenizer)?;
        let nfc = normalizer_is_nfc(&file.normalizer)?;

        let decoder = byte_level_decoder();
        let mut ids_by_bytes: FastMap<Box<[u8]>, u32> = FastMap::default();
        ids_by_bytes.reserve(model.vocab.len());
        for (token, &id) in &model.vocab {
            // Entries outside the byte-level alphabet cannot come out of merging bytes.
            if let Some(bytes) = token_bytes(token, &decoder) {
                ids_by_bytes.insert(bytes.into_boxed_slice(), id);
            }
        }
        let mut byte_ids = [0u32; 256];
        for (b, slot) in byte_ids.iter_mut().enumerate() {
            *slot = *ids_by_bytes
                .get(&[b as u8][..])
                .ok_or_else(|| invalid(format!("the vocab lacks the byte {b:#04x}")))?;
        }

        let mut pairs: FastMap<u64, u64> = FastMap::default();
        pairs.reserve(model.merges.len());
        let id_of = |token: &str| -> Result<(Vec<u8>, u32), SelftuneError> {
            let bytes = token_bytes(token, &decoder)
                .ok_or_else(|| invalid(format!("merge part '{token}' is not byte-level")))?;
            let id = *ids_by_bytes
                .get(bytes.as_slice())
                .ok_or_else(|| invalid(format!("merge part '{token}' is not in the vocab")))?;
            Ok((bytes, id))
        };
        for (rank, Merge(left, right)) in model.merges.iter().enumerate() {
            let (mut bytes, left_id) = id_of(left)?;
            let (right_bytes, right_id) = id_of(right)?;
            bytes.extend_from_slice(&right_bytes);
            let merged = *ids_by_bytes.get(bytes.as_slice()).ok_or_else(|| {
                invalid(format!(
                    "the merge of '{left}' and '{right}' is not in the vocab"
                ))
            })?;
            pairs.insert(
                ((left_id as u64) << 32) | right_id as u64,
                ((rank as u64) << 32) | merged as u64,
            );
        }

        let mut added_tokens = Vec::with_capacity(file.added_tokens.len());
        for token in file.added_tokens {
            if token.single_word {
                return Err(invalid(format!(
                    "added token '{}' is single_word, which is not supported",
                    token.content
                )));
            }
            if token.content.is_empty() {
                return Err(invalid(format!("added token {} is empty", token.id)));
            }
            added_tokens.push(AddedToken {
                id: token.id,
                content: token.content,
                special: token.special,
                lstrip: token.lstrip,
                rstrip: token.rstrip,
            });
        }

        Ok(Vocabulary {
            merges: Merges { byte_ids, pairs },
            digits,
            nfc,
            whole_tokens: model.ignore_merges.then_some(ids_by_bytes),
            added_tokens,
            vocab_size: model.vocab.len(),
            merge_count: model.merges.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_level_alphabet() {
        let decoder = byte_level_decoder();
        assert_eq!(token_bytes("Ġ", &decoder), Some(vec![b' ']));
        assert_eq!(token_bytes("Ċ", &decoder), Some(vec![b'\n']));
        assert_eq!(token_bytes("ĉ", &decoder), Some(vec![b'\t']));
        assert_eq!(token_bytes("Ā", &decoder), Some(vec![0]));
        assert_eq!(token_bytes("ÃŃ", &decoder), Some(vec![0xC3, 0xAD]));
        assert_eq!(token_bytes("a", &decoder), Some(vec![b'a']));
        assert_eq!(
            token_bytes("<|endoftext|>", &decoder),
            Some(b"<|endoftext|>".to_vec())
        );
        assert_eq!(token_bytes("<\u{FF5C}User\u{FF5C}>", &decoder), None);
        let mapped: std::collections::HashSet<u8> = decoder.iter().flatten().copied().collect();
        assert_eq!(mapped.len(), 256);
    }
}
