//! Reading typed fields out of untyped JSON, with errors that name the field.

use serde_json::{Map, Value};

use crate::error::SelftuneError;
use crate::redact::{redact_text, RedactionOptions};

pub(super) fn required_string(
    object: &mut Map<String, Value>,
    key: &str,
    field: &str,
) -> Result<String, SelftuneError> {
    match object.remove(key) {
        Some(Value::String(text)) => Ok(text),
        None | Some(Value::Null) => Err(SelftuneError::invalid_event(field, "is required")),
        Some(other) => Err(SelftuneError::invalid_event(
            field,
            format!("must be a string, got {}", type_name(&other)),
        )),
    }
}

pub(super) fn optional_string(
    object: &mut Map<String, Value>,
    key: &str,
    field: &str,
) -> Result<Option<String>, SelftuneError> {
    match object.remove(key) {
        Some(Value::String(text)) => Ok(Some(text)),
        None | Some(Value::Null) => Ok(None),
        Some(other) => Err(SelftuneError::invalid_event(
            field,
            format!("must be a string, got {}", type_name(&other)),
        )),
    }
}

pub(super) fn optional_milliseconds(
    object: &mut Map<String, Value>,
    key: &str,
) -> Result<Option<f64>, SelftuneError> {
    match object.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => match number.as_f64() {
            Some(ms) if ms.is_finite() && ms >= 0.0 => Ok(Some(ms)),
            _ => Err(SelftuneError::invalid_event(
                key,
                format!("must be a non-negative number of milliseconds, got {number}"),
            )),
        },
        Some(other) => Err(SelftuneError::invalid_event(
            key,
            format!(
                "must be a number of milliseconds, got {}",
                type_name(&other)
            ),
        )),
    }
}

pub(super) fn optional_count(
    object: &mut Map<String, Value>,
    key: &str,
) -> Result<Option<u64>, SelftuneError> {
    match object.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => {
            // JS numbers arrive as floats; accept them when they are whole and in range.
            let whole = number.as_u64().or_else(|| {
                number
                    .as_f64()
                    .filter(|n| n.fract() == 0.0 && *n >= 0.0 && *n <= 9_007_199_254_740_991.0)
                    .map(|n| n as u64)
            });
            whole.map(Some).ok_or_else(|| {
                SelftuneError::invalid_event(
                    key,
                    format!("must be a non-negative whole number, got {number}"),
                )
            })
        }
        Some(other) => Err(SelftuneError::invalid_event(
            key,
            format!("must be a number, got {}", type_name(&other)),
        )),
    }
}

pub(super) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A short, single-line excerpt of caller text for error messages, with secrets redacted: error
/// messages end up in logs.
pub(super) fn preview(text: &str) -> String {
    const LIMIT: usize = 80;
    let text = redact_text(text, None, &RedactionOptions::default()).text;
    let mut shown: String = text.chars().take(LIMIT).collect();
    if shown.len() < text.len() {
        shown.push('…');
    }
    shown.escape_debug().to_string()
}
