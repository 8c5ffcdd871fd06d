//! Core errors become real JS `Error`s: `name` "SelftuneError", a stable `code`, and `field` when
//! the error is about one field of the input.

use js_sys::{Error, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::error::SelftuneError;

pub fn to_js_error(error: SelftuneError) -> JsValue {
    let js_error = Error::new(&error.message);
    js_error.set_name("SelftuneError");
    // Setting a property on a fresh Error object cannot fail.
    let _ = Reflect::set(&js_error, &"code".into(), &error.code.as_str().into());
    if let Some(field) = &error.field {
        let _ = Reflect::set(&js_error, &"field".into(), &field.into());
    }
    js_error.into()
}

/// The message of whatever a JS call threw or rejected with.
pub fn js_message(value: &JsValue) -> String {
    if let Some(error) = value.dyn_ref::<Error>() {
        return String::from(error.message());
    }
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}
