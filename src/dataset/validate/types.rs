//! The validator's vocabulary: formats, rules, options and the report.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::dataset::profile::{normalize_model_id, LARGE_MODEL, SMALL_MODEL};
use crate::error::{ErrorCode, SelftuneError};

/// Errors kept in a report by default; later ones are counted, not kept.
pub const DEFAULT_MAX_ERRORS: usize = 100;

/// Token limits selftune knows for its target models, used when no `maxTokens` is given.
pub const BUILTIN_TOKEN_LIMITS: &[(&str, usize)] = &[(SMALL_MODEL, 2_048), (LARGE_MODEL, 8_192)];

/// The built-in token limit of `model_id` (the seed's spellings are accepted).
pub fn builtin_max_tokens(model_id: &str) -> Option<usize> {
    let model = normalize_model_id(model_id);
    BUILTIN_TOKEN_LIMITS
        .iter()
        .find(|(id, _)| *id == model)
        .map(|(_, limit)| *limit)
}

/// One of Together's JSONL dataset formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum DatasetFormat {
    /// `{"text"}`
    General,
    /// `{"messages", "tools"?}`
    Conversation,
    /// `{"prompt", "completion"}`
    Instruction,
    /// `{"input", "preferred_output", "non_preferred_output"}`
    Preference,
}

impl DatasetFormat {
    pub const ALL: [DatasetFormat; 4] = [
        DatasetFormat::General,
        DatasetFormat::Conversation,
        DatasetFormat::Instruction,
        DatasetFormat::Preference,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DatasetFormat::General => "general",
            DatasetFormat::Conversation => "conversation",
            DatasetFormat::Instruction => "instruction",
            DatasetFormat::Preference => "preference",
        }
    }

    /// The keys whose presence makes a line this format.
    pub fn required_keys(self) -> &'static [&'static str] {
        match self {
            DatasetFormat::General => &["text"],
            DatasetFormat::Conversation => &["messages"],
            DatasetFormat::Instruction => &["prompt", "completion"],
            DatasetFormat::Preference => &["input", "preferred_output", "non_preferred_output"],
        }
    }

    /// Optional keys besides `weight`, which every format accepts.
    pub fn extra_keys(self) -> &'static [&'static str] {
        match self {
            DatasetFormat::Conversation => &["tools"],
            _ => &[],
        }
    }
}

impl fmt::Display for DatasetFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which rule an error breaks (stable identifiers, for machines).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum ValidationRule {
    /// The file has no non-blank line.
    NoSamples,
    /// The line is not valid UTF-8.
    NotUtf8,
    /// The line starts with a byte-order mark.
    ByteOrderMark,
    /// The line is not valid JSON.
    NotJson,
    /// The line is JSON but not an object.
    NotObject,
    /// The line has the keys of no format.
    UnknownFormat,
    /// The line has the keys of several formats.
    AmbiguousFormat,
    /// The line's format differs from the file's.
    MixedFormats,
    /// A top-level key the format does not accept.
    UnknownKey,
    /// The top-level `weight` is not a number of at least 0.
    SampleWeight,
    /// `text`, `prompt` or `completion` is not a non-empty string (or list of parts).
    Field,
    /// `messages` is not a non-empty list of objects.
    Messages,
    /// A message key Together does not accept.
    MessageKey,
    /// A message's role is missing or unknown.
    Role,
    /// Roles out of order (system first, then user/assistant alternation, tools after calls).
    RoleOrder,
    /// A conversation without an assistant message.
    NoAssistant,
    /// A message `weight` other than the integer 0 or 1.
    MessageWeight,
    /// A message's `content` is missing or of the wrong type.
    Content,
    /// `reasoning` / `reasoning_content` misplaced or not a string.
    Reasoning,
    /// `tools`, `tool_calls`, `tool_call_id` or `name` malformed or misplaced.
    Tools,
    /// Malformed multimodal content (parts, images, their place and size).
    Multimodal,
    /// A preference sample's input or outputs are malformed.
    Preference,
    /// Content holds a model's special-token string.
    SpecialToken,
    /// The sample is longer than the token limit.
    TooManyTokens,
}

/// One problem, on one line (`line` is null for the file as a whole).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ValidationError {
    /// 1-based line number; null for a problem of the whole file.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub line: Option<usize>,
    pub rule: ValidationRule,
    pub message: String,
}

/// Token counts of the samples, when a counter or a limit was given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ValidationTokens {
    /// The longest sample, in tokens.
    pub max: usize,
    /// All samples together.
    pub total: u64,
    /// False when the counts are estimates.
    pub exact: bool,
    /// The limit per sample, if any.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub limit: Option<usize>,
    /// Samples over the limit.
    pub over_limit: usize,
    /// What counted the tokens.
    pub counter: String,
}

/// The outcome of a validation, shaped like Together's `check_file` report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ValidationReport {
    pub passed: bool,
    /// "Checks passed", or the first error with its line.
    pub message: String,
    /// The file's format (that of its first sample with a recognizable one).
    #[cfg_attr(target_arch = "wasm32", tsify(type = "DatasetFormat | null"))]
    pub format: Option<DatasetFormat>,
    /// Non-blank lines.
    pub samples: usize,
    /// The first errors, in line order (at most `maxErrors`).
    pub errors: Vec<ValidationError>,
    /// Every error found, kept or not.
    pub error_count: usize,
    /// True when errors were found beyond those kept.
    pub errors_truncated: bool,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "ValidationTokens | null"))]
    pub tokens: Option<ValidationTokens>,
}

/// How to validate. Every field is optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ValidationOptions {
    /// The Together model the file is for: its built-in token limit applies (2,048 for
    /// DeepSeek-R1-Distill-Qwen-1.5B, 8,192 for DeepSeek-R1-Distill-Llama-70B) unless
    /// `maxTokens` is given, and its tokenizer counts when one is loaded.
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "string | null"))]
    pub model_id: Option<String>,
    /// Longest accepted sample, in tokens.
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "number | null"))]
    pub max_tokens: Option<usize>,
    /// Errors kept in the report (default 100); later ones are only counted.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub max_errors: usize,
}

impl Default for ValidationOptions {
    fn default() -> Self {
        ValidationOptions {
            model_id: None,
            max_tokens: None,
            max_errors: DEFAULT_MAX_ERRORS,
        }
    }
}

impl ValidationOptions {
    /// Parses options as given by JS (`null` means the defaults) and checks them.
    pub fn from_json(value: Value) -> Result<Self, SelftuneError> {
        let invalid = |problem: String| {
            SelftuneError::new(
                ErrorCode::InvalidArgument,
                format!("invalid validation options: {problem}"),
            )
        };
        let options: ValidationOptions = if value.is_null() {
            ValidationOptions::default()
        } else {
            serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?
        };
        if options.max_tokens == Some(0) {
            return Err(invalid("maxTokens must be at least 1".into()));
        }
        if options.max_errors == 0 {
            return Err(invalid("maxErrors must be at least 1".into()));
        }
        Ok(options)
    }

    /// The limit in force: `max_tokens`, else the model's built-in limit.
    pub fn token_limit(&self) -> Option<usize> {
        self.max_tokens
            .or_else(|| self.model_id.as_deref().and_then(builtin_max_tokens))
    }
}
