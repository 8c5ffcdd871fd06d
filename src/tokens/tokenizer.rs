//! The exact counter: added tokens split out first, then NFC (when the vocabulary asks for it),
//! the hand-written pre-tokenizer, and byte-pair merging of each pre-token, with a cache from
//! pre-token to count.

use std::borrow::Cow;
use std::cell::RefCell;

use super::added::{AddedTokens, Section};
use super::bpe::FastMap;
use super::nfc::nfc;
use super::pretokenize::{self, Digits};
use super::vocabulary::Vocabulary;
use super::TokenCounter;

/// Pre-tokens up to this many bytes are cached (longer ones are rare and rarely repeat).
const CACHE_PIECE_BYTES: usize = 48;
/// The cache is emptied when it reaches this many entries, which bounds its memory to a few
/// megabytes; code has far fewer distinct short pre-tokens than that.
const CACHE_ENTRIES: usize = 1 << 18;

/// A byte-level BPE tokenizer that counts tokens exactly as Hugging Face `tokenizers` does with
/// `add_special_tokens=False`.
pub struct BpeTokenizer {
    vocabulary: Vocabulary,
    added: AddedTokens,
    description: String,
    cache: RefCell<FastMap<Box<[u8]>, u32>>,
}

impl BpeTokenizer {
    /// A tokenizer over `vocabulary` with `added` as its added tokens (the vocabulary's own, or a
    /// model's replacement for them). `description` is what reports show.
    pub fn new(
        vocabulary: Vocabulary,
        added: Vec<super::vocabulary::AddedToken>,
        description: String,
    ) -> Self {
        BpeTokenizer {
            vocabulary,
            added: AddedTokens::new(added),
            description,
            cache: RefCell::new(FastMap::default()),
        }
    }

    /// The tokenizer exactly as `tokenizer.json` describes it, with its own added tokens.
    pub fn from_json(json: &str, description: &str) -> Result<Self, crate::error::SelftuneError> {
        let mut vocabulary = Vocabulary::from_json(json)?;
        let added = std::mem::take(&mut vocabulary.added_tokens);
        Ok(BpeTokenizer::new(vocabulary, added, description.to_owned()))
    }

    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    pub fn added_tokens(&self) -> &[super::vocabulary::AddedToken] {
        self.added.tokens()
    }

    /// The number of tokens `text` encodes to.
    pub fn count_tokens(&self, text: &str) -> usize {
        let mut total = 0;
        self.added.split(text, |section| match section {
            Section::Added(_) => total += 1,
            Section::Text(part) => total += self.count_text(part),
        });
        total
    }

    fn count_text(&self, text: &str) -> usize {
        let text = if self.vocabulary.nfc {
            nfc(text)
        } else {
            Cow::Borrowed(text)
        };
        let mut cache = self.cache.borrow_mut();
        if cache.len() >= CACHE_ENTRIES {
            cache.clear();
        }
        let mut total = 0;
        let digits: Digits = self.vocabulary.digits;
        pretokenize::split(&text, digits, |piece| {
            total += if piece.len() == 1 {
                1
            } else if piece.len() <= CACHE_PIECE_BYTES {
                match cache.get(piece) {
                    Some(&n) => n as usize,
                    None => {
                        let n = self.count_piece(piece);
                        cache.insert(piece.into(), n as u32);
                        n
                    }
                }
            } else {
                self.count_piece(piece)
            }
        });
        total
    }

    fn count_piece(&self, piece: &[u8]) -> usize {
        if let Some(whole) = &self.vocabulary.whole_tokens {
            if whole.contains_key(piece) {
                return 1;
            }
        }
        self.vocabulary.merges.count(piece)
    }
}

impl TokenCounter for BpeTokenizer {
    fn count(&self, text: &str) -> usize {
        self.count_tokens(text)
    }

    fn exact(&self) -> bool {
        true
    }

    fn describe(&self) -> String {
        self.description.clone()
    }
}
