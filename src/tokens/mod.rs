//! Token counting for the target models: exact when the model's vocabulary is loaded, otherwise a
//! conservative estimate that every report labels as such (`exact: false`).

mod estimate;

use std::collections::HashMap;

pub use estimate::Estimate;

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

/// The counters known to a handle, by Together model id.
#[derive(Default)]
pub struct TokenizerRegistry {
    exact: HashMap<String, Box<dyn TokenCounter>>,
    estimate: Estimate,
}

impl TokenizerRegistry {
    /// Uses `counter` for `model_id` from now on.
    pub fn register(&mut self, model_id: &str, counter: Box<dyn TokenCounter>) {
        self.exact.insert(model_id.to_owned(), counter);
    }

    /// The exact counter for `model_id` when one is registered, else the estimate.
    pub fn counter_for(&self, model_id: &str) -> &dyn TokenCounter {
        match self.exact.get(model_id) {
            Some(counter) => counter.as_ref(),
            None => &self.estimate,
        }
    }
}
