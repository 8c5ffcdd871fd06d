//! JSON text across the boundary, in both directions.

use js_sys::JSON;
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::error::SelftuneError;
use crate::wasm::error::{js_message, to_js_error};

/// A JS value as JSON; `undefined` reads as `null`. `invalid` builds the error for values that
/// have no JSON form (a circular object, a BigInt).
pub fn from_js(
    value: &JsValue,
    invalid: impl Fn(String) -> SelftuneError,
) -> Result<serde_json::Value, JsValue> {
    if value.is_undefined() {
        return Ok(serde_json::Value::Null);
    }
    let text = JSON::stringify(value).map_err(|thrown| {
        to_js_error(invalid(format!(
            "is not JSON data: {}",
            js_message(&thrown)
        )))
    })?;
    let text = text.as_string().unwrap_or_else(|| "null".to_owned());
    serde_json::from_str(&text)
        .map_err(|error| to_js_error(invalid(format!("is not readable JSON: {error}"))))
}

pub fn to_js(value: &impl Serialize) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value)
        .map_err(|error| JsValue::from(js_sys::Error::new(&error.to_string())))?;
    JSON::parse(&text)
}
