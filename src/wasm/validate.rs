//! The dataset validator for JS: `new DatasetValidator(options, counter)`, then `pushLines` /
//! `pushLineBytes` in file order, then `finish()`. Conversions and the counter adapter only; the
//! rules live in `crate::dataset::validate`.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::dataset::validate::{ValidationOptions, Validator};
use crate::error::{ErrorCode, SelftuneError};
use crate::tokens::TokenCounter;
use crate::wasm::convert::{from_js, to_js};
use crate::wasm::error::{js_message, to_js_error};

#[wasm_bindgen(typescript_custom_section)]
const TOKEN_COUNTER_LIKE: &str = r#"
/** Counts tokens for `DatasetValidator`, e.g. with a model's exact tokenizer. */
export interface TokenCounterLike {
  count(text: string): number;
  /** False when `count` is an estimate. */
  exact: boolean;
  /** What counts, for the report. */
  describe?: string;
}
"#;

fn invalid_argument(message: String) -> JsValue {
    to_js_error(SelftuneError::new(ErrorCode::InvalidArgument, message))
}

/// A JS counter object as a `TokenCounter`. A throw or a result that is not a count is kept and
/// surfaces as an error from the next `push*` call.
struct JsCounter {
    count: Function,
    this: JsValue,
    exact: bool,
    describe: String,
    failure: Rc<RefCell<Option<String>>>,
}

impl JsCounter {
    fn from_js(counter: JsValue, failure: Rc<RefCell<Option<String>>>) -> Result<Self, JsValue> {
        let get = |key: &str| Reflect::get(&counter, &key.into()).unwrap_or(JsValue::UNDEFINED);
        let count = get("count").dyn_into::<Function>().map_err(|_| {
            invalid_argument("the token counter has no count(text) function".into())
        })?;
        let exact = get("exact").as_bool().unwrap_or(false);
        let describe = get("describe")
            .as_string()
            .unwrap_or_else(|| "a token counter given by the caller".into());
        Ok(JsCounter {
            count,
            this: counter,
            exact,
            describe,
            failure,
        })
    }

    fn fail(&self, problem: String) -> usize {
        self.failure.borrow_mut().get_or_insert(problem);
        0
    }
}

impl TokenCounter for JsCounter {
    fn count(&self, text: &str) -> usize {
        match self.count.call1(&self.this, &text.into()) {
            Ok(value) => match value.as_f64() {
                Some(n) if n.is_finite() && n >= 0.0 && n.fract() == 0.0 => n as usize,
                _ => self.fail(format!(
                    "the token counter returned {} instead of a whole number",
                    value.js_typeof().as_string().unwrap_or_default()
                )),
            },
            Err(thrown) => self.fail(format!("the token counter threw: {}", js_message(&thrown))),
        }
    }

    fn exact(&self) -> bool {
        self.exact
    }

    fn describe(&self) -> String {
        self.describe.clone()
    }
}

/// Validates a dataset file against Together's rules, line by line (see `validateFile`).
#[wasm_bindgen]
pub struct DatasetValidator {
    inner: Validator<'static>,
    failure: Rc<RefCell<Option<String>>>,
}

#[wasm_bindgen]
impl DatasetValidator {
    /// `options`: `{ modelId?, maxTokens?, maxErrors? }`. `counter` counts tokens instead of the
    /// core's estimate (used when a limit or a model is given).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "ValidationOptions | undefined")] options: JsValue,
        #[wasm_bindgen(unchecked_param_type = "TokenCounterLike | undefined")] counter: JsValue,
    ) -> Result<DatasetValidator, JsValue> {
        let options = from_js(&options, |problem| {
            SelftuneError::new(ErrorCode::InvalidArgument, format!("options {problem}"))
        })?;
        let options = ValidationOptions::from_json(options).map_err(to_js_error)?;
        let failure = Rc::new(RefCell::new(None));
        let inner = if counter.is_undefined() || counter.is_null() {
            Validator::new(options)
        } else {
            let counter = JsCounter::from_js(counter, Rc::clone(&failure))?;
            Validator::with_boxed_counter(options, Box::new(counter))
        };
        Ok(DatasetValidator { inner, failure })
    }

    /// Validates complete lines, separated by `\n` (no final newline: the text ends where the
    /// last line ends).
    #[wasm_bindgen(js_name = pushLines)]
    pub fn push_lines(&mut self, text: &str) -> Result<(), JsValue> {
        self.inner.push_lines(text);
        self.check_counter()
    }

    /// Validates one line given as bytes (without its newline): a line that is not UTF-8 is
    /// reported with the position of its first invalid byte.
    #[wasm_bindgen(js_name = pushLineBytes)]
    pub fn push_line_bytes(&mut self, line: &[u8]) -> Result<(), JsValue> {
        self.inner.push_line_bytes(line);
        self.check_counter()
    }

    /// Lines pushed so far.
    #[wasm_bindgen(getter)]
    pub fn lines(&self) -> u32 {
        u32::try_from(self.inner.lines()).unwrap_or(u32::MAX)
    }

    /// The report; the validator cannot be used afterwards.
    #[wasm_bindgen(unchecked_return_type = "ValidationReport")]
    pub fn finish(self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.finish())
    }

    fn check_counter(&self) -> Result<(), JsValue> {
        match self.failure.borrow_mut().take() {
            Some(problem) => Err(invalid_argument(problem)),
            None => Ok(()),
        }
    }
}
