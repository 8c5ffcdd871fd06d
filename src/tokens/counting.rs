//! The handle's token counting: registering a model's vocabulary, and counting with it.

use super::models::model_for;
use super::{registry_key, TokenCount, TokenizerInfo};
use crate::error::{ErrorCode, SelftuneError};
use crate::handle::Selftune;
use crate::host::Host;

fn unknown_model(model_id: &str) -> SelftuneError {
    let known: Vec<&str> = super::models::MODELS.iter().map(|m| m.model_id).collect();
    SelftuneError::new(
        ErrorCode::InvalidArgument,
        format!(
            "no tokenizer is known for model '{model_id}' (known: {})",
            known.join(", ")
        ),
    )
}

impl<H: Host> Selftune<H> {
    /// Builds `model_id`'s tokenizer from the base `tokenizer.json` text its vocabulary ships in
    /// (see `tokens::models`) and counts with it from now on.
    pub fn load_tokenizer_json(
        &self,
        model_id: &str,
        tokenizer_json: &str,
    ) -> Result<TokenizerInfo, SelftuneError> {
        let model = model_for(model_id).ok_or_else(|| unknown_model(model_id))?;
        let tokenizer = model.build(tokenizer_json)?;
        let vocabulary = tokenizer.vocabulary();
        let info = TokenizerInfo {
            model: model.model_id.to_owned(),
            vocabulary: model.family,
            vocab_size: vocabulary.vocab_size as u64,
            merges: vocabulary.merge_count as u64,
            added_tokens: tokenizer.added_tokens().len() as u64,
            tokenizer: super::TokenCounter::describe(&tokenizer),
        };
        self.register_tokenizer(model.model_id, Box::new(tokenizer));
        Ok(info)
    }

    /// Whether `model_id` counts exactly (its vocabulary is registered).
    pub fn has_tokenizer(&self, model_id: &str) -> bool {
        self.tokenizers().has_exact(model_id)
    }

    /// The tokens of `text` for `model_id`: exact when its vocabulary is registered, else the
    /// labelled estimate.
    pub fn count_tokens(&self, model_id: &str, text: &str) -> TokenCount {
        let registry = self.tokenizers();
        let counter = registry.counter_for(model_id);
        TokenCount {
            model: registry_key(model_id),
            tokens: counter.count(text) as u64,
            exact: counter.exact(),
            tokenizer: counter.describe(),
        }
    }
}
