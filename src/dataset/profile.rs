//! Model profiles: which model a dataset is for, its token limit, whether it carries reasoning,
//! and the wire format its lines use.

use serde::{Deserialize, Serialize};

pub const SMALL_MODEL: &str = "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B";
pub const LARGE_MODEL: &str = "deepseek-ai/DeepSeek-R1-Distill-Llama-70B";

/// How a line is laid out for Together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum WireFormat {
    /// `{"prompt", "completion"}` with the DeepSeek-R1 chat template already applied: the
    /// completion is trained verbatim, `<think>` block included.
    Instruction,
    /// `{"messages": [user, assistant]}`; Together applies the model's chat template, and the
    /// stock R1-Distill template strips everything before `</think>` from assistant turns.
    Messages,
    /// `{"messages": [...]}` with the reasoning in the assistant's `reasoning` field, which
    /// Together documents for its reasoning models (R1-Distill is not among them).
    ReasoningField,
}

impl WireFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            WireFormat::Instruction => "instruction",
            WireFormat::Messages => "messages",
            WireFormat::ReasoningField => "reasoning_field",
        }
    }

    /// Why a profile uses this format, for the manifest.
    pub fn reason(self, reasoning: bool) -> &'static str {
        match (self, reasoning) {
            (WireFormat::Instruction, true) => "The DeepSeek-R1-Distill chat template strips everything before `</think>` from assistant turns, and Together does not list R1-Distill among the models that take a `reasoning` field. A prompt/completion pair with the template already applied keeps the `<think>` block in the completion, which is what is trained.",
            (WireFormat::Instruction, false) => "R1-Distill models start every answer inside `<think>` (the generation prompt ends with `<think>\\n`). The completion closes an empty think block and then answers, so the model learns to answer directly; the template is applied here so nothing is stripped.",
            (WireFormat::Messages, true) => "Chosen in the profile. The reasoning is left out of these lines: Together renders messages with the model's chat template, and the R1-Distill template strips a `<think>` block from assistant turns.",
            (WireFormat::Messages, false) => "Chosen in the profile: plain user/assistant messages; the answer has no reasoning to lose to the chat template.",
            (WireFormat::ReasoningField, _) => "Chosen in the profile: Together's documented `reasoning` field on the assistant message. R1-Distill is not on Together's list of reasoning fine-tuning models; check with a preview before paying for a job.",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ModelProfile {
    /// Folder name of the profile's files (`small`, `large`).
    pub name: String,
    /// Together model id.
    pub model: String,
    /// Longest accepted line, in the model's tokens (prompt and completion together).
    pub max_tokens: usize,
    /// Whether the answer is preceded by a reasoning block.
    pub reasoning: bool,
    pub format: WireFormat,
    /// A system prompt; none by default, as DeepSeek advises for R1 models.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub system_prompt: Option<String>,
}

/// The two built-in profiles.
pub fn builtin_profiles() -> Vec<ModelProfile> {
    vec![
        ModelProfile {
            name: "small".into(),
            model: SMALL_MODEL.into(),
            max_tokens: 2_048,
            reasoning: false,
            format: WireFormat::Instruction,
            system_prompt: None,
        },
        ModelProfile {
            name: "large".into(),
            model: LARGE_MODEL.into(),
            max_tokens: 8_192,
            reasoning: true,
            format: WireFormat::Instruction,
            system_prompt: None,
        },
    ]
}

/// Accepts the seed's spellings (`deepseek-r1-distill-qwen-1.5b`, `Deepseek-R1-distill-llama-70b`)
/// and returns Together's model id; other ids pass through unchanged.
pub fn normalize_model_id(model: &str) -> String {
    let bare = model
        .rsplit('/')
        .next()
        .unwrap_or(model)
        .to_ascii_lowercase();
    match bare.as_str() {
        "deepseek-r1-distill-qwen-1.5b" => SMALL_MODEL.to_owned(),
        "deepseek-r1-distill-llama-70b" => LARGE_MODEL.to_owned(),
        _ => model.to_owned(),
    }
}
