//! Validation of a dataset file against Together's fine-tuning rules, one line at a time.
//!
//! The rules are Together's current server-side ones (formats and keys, roles and their order,
//! weights) plus selftune's own: no model special-token string in content, and an optional token
//! limit per sample. The report mirrors Together's `check_file`: pass or fail, the format, the
//! sample count, and the errors with their line numbers.
//!
//! ```
//! use selftune::dataset::validate::{validate_text, ValidationOptions};
//!
//! let report = validate_text("{\"text\": \"hello\"}\n{\"prompt\": \"a\", \"completion\": \"b\"}\n",
//!     &ValidationOptions::default());
//! assert!(!report.passed);
//! assert_eq!(report.errors[0].line, Some(2));
//! ```

mod messages;
mod sequence;
pub mod special_tokens;
mod types;

use serde_json::{Map, Value};

use crate::dataset::profile::normalize_model_id;
use crate::tokens::{Estimate, TokenCounter, TokenizerRegistry};

pub use special_tokens::{find_special_token, first_special_token, special_tokens};
pub use types::{
    builtin_max_tokens, DatasetFormat, ValidationError, ValidationOptions, ValidationReport,
    ValidationRule, ValidationTokens, BUILTIN_TOKEN_LIMITS, DEFAULT_MAX_ERRORS,
};

/// Problems found on one line: (rule, message).
#[derive(Default)]
struct Problems(Vec<(ValidationRule, String)>);

impl Problems {
    fn add(&mut self, rule: ValidationRule, message: impl Into<String>) {
        self.0.push((rule, message.into()));
    }

    /// Reports a special-token string found in `text`, naming where (`messages[1].content`).
    fn special_token(&mut self, place: &str, text: &str) {
        if let Some(token) = first_special_token(text) {
            self.add(
                ValidationRule::SpecialToken,
                special_token_message(place, token),
            );
        }
    }
}

fn special_token_message(place: &str, token: &str) -> String {
    format!("{place} contains the special-token string \"{token}\"")
}

/// A streaming validator: push the file's lines in order, then `finish`.
///
/// Memory stays bounded by the longest line plus the errors kept, so files of any size can be
/// validated as they are read.
pub struct Validator<'a> {
    limit: Option<usize>,
    counter: Option<Box<dyn TokenCounter + 'a>>,
    max_errors: usize,
    line: usize,
    samples: usize,
    /// The file's format and the line that set it.
    format: Option<(DatasetFormat, usize)>,
    errors: Vec<ValidationError>,
    error_count: usize,
    tokens_max: usize,
    tokens_total: u64,
    over_limit: usize,
}

/// Lends a borrowed counter to a validator that owns its counter.
struct Lent<'a>(&'a dyn TokenCounter);

impl TokenCounter for Lent<'_> {
    fn count(&self, text: &str) -> usize {
        self.0.count(text)
    }
    fn exact(&self) -> bool {
        self.0.exact()
    }
    fn describe(&self) -> String {
        self.0.describe()
    }
}

impl Validator<'static> {
    /// A validator without a tokenizer: when `max_tokens` or `model_id` is given, samples are
    /// counted with the labelled estimate.
    pub fn new(options: ValidationOptions) -> Self {
        let counts = options.max_tokens.is_some() || options.model_id.is_some();
        let counter = counts.then(|| Box::new(Estimate) as Box<dyn TokenCounter>);
        Validator::build(options, counter)
    }
}

impl<'a> Validator<'a> {
    /// A validator that counts every sample with `counter`.
    pub fn with_counter(options: ValidationOptions, counter: &'a dyn TokenCounter) -> Self {
        Validator::build(options, Some(Box::new(Lent(counter))))
    }

    /// A validator that counts every sample with `counter`, which it keeps.
    pub fn with_boxed_counter(
        options: ValidationOptions,
        counter: Box<dyn TokenCounter + 'a>,
    ) -> Self {
        Validator::build(options, Some(counter))
    }

    /// A validator that counts with the registry's counter for `options.model_id` (exact when
    /// its vocabulary is loaded, else the estimate); without a model id, as [`Validator::new`].
    pub fn with_registry(options: ValidationOptions, registry: &'a TokenizerRegistry) -> Self {
        match options.model_id.as_deref().map(normalize_model_id) {
            Some(model) => {
                let counter = registry.counter_for(&model);
                Validator::with_counter(options, counter)
            }
            None => Validator::new(options),
        }
    }

    fn build(options: ValidationOptions, counter: Option<Box<dyn TokenCounter + 'a>>) -> Self {
        Validator {
            limit: options.token_limit(),
            counter,
            max_errors: options.max_errors.max(1),
            line: 0,
            samples: 0,
            format: None,
            errors: Vec::new(),
            error_count: 0,
            tokens_max: 0,
            tokens_total: 0,
            over_limit: 0,
        }
    }

    /// Lines pushed so far (blank ones included).
    pub fn lines(&self) -> usize {
        self.line
    }

    /// Errors found so far, kept or not.
    pub fn error_count(&self) -> usize {
        self.error_count
    }

    /// Validates the next line of the file (with or without its line ending). Blank lines are
    /// skipped, as Together's checker does, but still counted for line numbers.
    pub fn push_line(&mut self, line: &str) {
        self.line += 1;
        if line.trim().is_empty() {
            return;
        }
        self.samples += 1;
        let mut problems = Problems::default();
        self.check_line(line, &mut problems);
        for (rule, message) in problems.0 {
            self.record(Some(self.line), rule, message);
        }
    }

    /// Validates each `\n`-separated line of `text`: a run of complete lines without the final
    /// newline (an empty `text` is one blank line).
    pub fn push_lines(&mut self, text: &str) {
        for line in text.split('\n') {
            self.push_line(line);
        }
    }

    /// Validates the next line given as bytes: a line that is not UTF-8 is an error.
    pub fn push_line_bytes(&mut self, line: &[u8]) {
        match std::str::from_utf8(line) {
            Ok(text) => self.push_line(text),
            Err(error) => self.push_invalid_utf8(error.valid_up_to()),
        }
    }

    /// Records that the next line is not valid UTF-8 (the caller decoded it); `valid_up_to` is
    /// the byte offset of the first invalid byte in the line.
    pub fn push_invalid_utf8(&mut self, valid_up_to: usize) {
        self.line += 1;
        self.samples += 1;
        self.record(
            Some(self.line),
            ValidationRule::NotUtf8,
            format!(
                "the file is not UTF-8 encoded: invalid byte at byte {} of the line",
                valid_up_to + 1
            ),
        );
    }

    /// The report. A file without samples fails.
    pub fn finish(mut self) -> ValidationReport {
        if self.samples == 0 {
            self.record(
                None,
                ValidationRule::NoSamples,
                "the file has no samples: it is empty or holds only blank lines".into(),
            );
        }
        let message = match self.errors.first() {
            None => "Checks passed".to_owned(),
            Some(ValidationError {
                line: Some(line),
                message,
                ..
            }) => format!("line {line}: {message}"),
            Some(ValidationError { message, .. }) => message.clone(),
        };
        let tokens = self.counter.as_ref().map(|counter| ValidationTokens {
            max: self.tokens_max,
            total: self.tokens_total,
            exact: counter.exact(),
            limit: self.limit,
            over_limit: self.over_limit,
            counter: counter.describe(),
        });
        ValidationReport {
            passed: self.error_count == 0,
            message,
            format: self.format.map(|(format, _)| format),
            samples: self.samples,
            errors_truncated: self.error_count > self.errors.len(),
            error_count: self.error_count,
            errors: self.errors,
            tokens,
        }
    }

    fn record(&mut self, line: Option<usize>, rule: ValidationRule, message: String) {
        self.error_count += 1;
        if self.errors.len() < self.max_errors {
            self.errors.push(ValidationError {
                line,
                rule,
                message,
            });
        }
    }

    fn check_line(&mut self, line: &str, problems: &mut Problems) {
        if line.starts_with('\u{feff}') {
            problems.add(
                ValidationRule::ByteOrderMark,
                "the line starts with a byte-order mark (U+FEFF): save the file as UTF-8 without BOM",
            );
            return;
        }
        let value: Value = match serde_json::from_str(line) {
            Ok(value) => value,
            Err(error) => {
                // serde_json's message never quotes the input; drop its "at line 1 column N".
                let text = error.to_string();
                let reason = text.split(" at line ").next().unwrap_or(&text);
                problems.add(
                    ValidationRule::NotJson,
                    format!("not valid JSON: {reason} (column {})", error.column()),
                );
                return;
            }
        };
        let Value::Object(sample) = value else {
            problems.add(
                ValidationRule::NotObject,
                format!(
                    "each line must be a JSON object, got {}",
                    messages::describe(&value)
                ),
            );
            return;
        };
        let Some(format) = detect_format(&sample, problems) else {
            return;
        };
        match self.format {
            None => self.format = Some((format, self.line)),
            Some((file_format, first)) if file_format != format => {
                problems.add(
                    ValidationRule::MixedFormats,
                    format!(
                        "the sample is in the {format} format, but the file's format is {file_format} (from line {first}): all samples must share one format"
                    ),
                );
                return;
            }
            Some(_) => {}
        }
        check_keys(format, &sample, problems);
        match format {
            DatasetFormat::General => check_general(&sample, problems),
            DatasetFormat::Conversation => messages::check_conversation(&sample, problems),
            DatasetFormat::Instruction => check_instruction(&sample, problems),
            DatasetFormat::Preference => messages::check_preference(&sample, problems),
        }
        self.count_tokens(format, &sample, problems);
    }

    fn count_tokens(
        &mut self,
        format: DatasetFormat,
        sample: &Map<String, Value>,
        problems: &mut Problems,
    ) {
        let Some(counter) = &self.counter else {
            return;
        };
        let tokens = sequence::sequences(format, sample)
            .iter()
            .map(|text| counter.count(text))
            .max()
            .unwrap_or(0);
        self.tokens_max = self.tokens_max.max(tokens);
        self.tokens_total += tokens as u64;
        if let Some(limit) = self.limit {
            if tokens > limit {
                self.over_limit += 1;
                let how = if counter.exact() {
                    "exact count"
                } else {
                    "estimate"
                };
                problems.add(
                    ValidationRule::TooManyTokens,
                    format!("the sample has {tokens} tokens ({how}), over the limit of {limit}"),
                );
            }
        }
    }
}

/// Validates a whole text (a file's contents), line by line.
pub fn validate_text(text: &str, options: &ValidationOptions) -> ValidationReport {
    let mut validator = Validator::new(options.clone());
    push_text(&mut validator, text);
    validator.finish()
}

/// Validates a whole text, counting tokens with `counter`.
pub fn validate_text_with(
    text: &str,
    options: &ValidationOptions,
    counter: &dyn TokenCounter,
) -> ValidationReport {
    let mut validator = Validator::with_counter(options.clone(), counter);
    push_text(&mut validator, text);
    validator.finish()
}

/// Validates a file's bytes: lines that are not UTF-8 are errors.
pub fn validate_bytes(bytes: &[u8], options: &ValidationOptions) -> ValidationReport {
    let mut validator = Validator::new(options.clone());
    let mut lines = bytes.split(|b| *b == b'\n').peekable();
    while let Some(line) = lines.next() {
        // The empty piece after a final newline is not a line.
        if lines.peek().is_none() && line.is_empty() {
            break;
        }
        validator.push_line_bytes(line);
    }
    validator.finish()
}

fn push_text(validator: &mut Validator<'_>, text: &str) {
    let text = text.strip_suffix('\n').unwrap_or(text);
    if !text.is_empty() {
        validator.push_lines(text);
    }
}

/// The one format whose required keys the sample has.
fn detect_format(sample: &Map<String, Value>, problems: &mut Problems) -> Option<DatasetFormat> {
    let matched: Vec<DatasetFormat> = DatasetFormat::ALL
        .into_iter()
        .filter(|format| {
            format
                .required_keys()
                .iter()
                .all(|k| sample.contains_key(*k))
        })
        .collect();
    match matched.as_slice() {
        [format] => Some(*format),
        [] => {
            let keys: Vec<String> = sample.keys().map(|k| messages::describe_str(k)).collect();
            let found = if keys.is_empty() {
                "it has no keys".to_owned()
            } else {
                format!("found {}", keys.join(", "))
            };
            problems.add(
                ValidationRule::UnknownFormat,
                format!(
                    "could not detect the format: a sample needs \"text\" (general), \"messages\" (conversation), \"prompt\" and \"completion\" (instruction), or \"input\", \"preferred_output\" and \"non_preferred_output\" (preference); {found}"
                ),
            );
            None
        }
        several => {
            let names: Vec<&str> = several.iter().map(|f| f.as_str()).collect();
            problems.add(
                ValidationRule::AmbiguousFormat,
                format!(
                    "the sample matches several formats ({}): keep the keys of one",
                    names.join(", ")
                ),
            );
            None
        }
    }
}

/// Unknown top-level keys, and the optional sample `weight`.
fn check_keys(format: DatasetFormat, sample: &Map<String, Value>, problems: &mut Problems) {
    let allowed = |key: &str| {
        key == "weight"
            || format.required_keys().contains(&key)
            || format.extra_keys().contains(&key)
    };
    for key in sample.keys().filter(|k| !allowed(k)) {
        let mut accepted: Vec<&str> = format.required_keys().to_vec();
        accepted.extend(format.extra_keys());
        accepted.push("weight");
        problems.add(
            ValidationRule::UnknownKey,
            format!(
                "unknown top-level key {}: the {format} format accepts {}",
                messages::describe_str(key),
                accepted.join(", ")
            ),
        );
    }
    if let Some(weight) = sample.get("weight") {
        if !weight.as_f64().is_some_and(|w| w >= 0.0) {
            problems.add(
                ValidationRule::SampleWeight,
                format!(
                    "weight must be a number of at least 0, got {}",
                    messages::describe(weight)
                ),
            );
        }
    }
}

fn check_general(sample: &Map<String, Value>, problems: &mut Problems) {
    match sample.get("text") {
        Some(Value::String(text)) if !text.is_empty() => problems.special_token("text", text),
        other => problems.add(
            ValidationRule::Field,
            format!(
                "text must be a non-empty string, got {}",
                messages::describe_opt(other)
            ),
        ),
    }
}

/// `prompt` and `completion`: non-empty strings (with the DeepSeek-R1 template markers allowed
/// in their places), or lists of content parts with images only in the prompt.
fn check_instruction(sample: &Map<String, Value>, problems: &mut Problems) {
    use special_tokens::{check_completion_markers, misplaced_in_prompt, CompletionMarkers};
    const TEMPLATE_HINT: &str = "(template markers may only open the prompt as \"<｜User｜>\" and close it as \"<｜Assistant｜>\")";
    const COMPLETION_HINT: &str = "(template markers may only open the completion as \"<think>\\n\", close it once with \"</think>\", and end it as \"<｜end▁of▁sentence｜>\")";
    for (field, hint) in [("prompt", TEMPLATE_HINT), ("completion", COMPLETION_HINT)] {
        match sample.get(field) {
            Some(Value::String(text)) if !text.is_empty() => {
                let problem = if field == "prompt" {
                    misplaced_in_prompt(text).map(|token| special_token_message(field, token))
                } else {
                    match check_completion_markers(text) {
                        Ok(()) => None,
                        Err(CompletionMarkers::Misplaced(token)) => {
                            Some(special_token_message(field, token))
                        }
                        Err(CompletionMarkers::UnclosedThink) => Some(
                            "completion opens \"<think>\" and never closes it with \"</think>\""
                                .to_owned(),
                        ),
                    }
                };
                if let Some(problem) = problem {
                    problems.add(ValidationRule::SpecialToken, format!("{problem} {hint}"));
                }
            }
            Some(Value::Array(parts)) if !parts.is_empty() => {
                let images = messages::check_parts(field, parts, field == "prompt", problems);
                messages::check_image_count(images, problems);
            }
            other => problems.add(
                ValidationRule::Field,
                format!(
                    "{field} must be a non-empty string or list of content parts, got {}",
                    messages::describe_opt(other)
                ),
            ),
        }
    }
}
