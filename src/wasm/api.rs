//! The exported handle, `SelftuneCore`. Each method converts its arguments, calls the core and
//! converts the result; errors become `SelftuneError`s.

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::config::redaction_options_from_json;
use crate::config::SelftuneConfig;
use crate::dataset::options::BuildOptions;
use crate::error::SelftuneError;
use crate::event::ExampleKind;
use crate::handle::Selftune;
use crate::redact;
use crate::wasm::convert::{from_js, to_js};
use crate::wasm::error::to_js_error;
use crate::wasm::host::{check_host, check_storage, JsHost, JsStorage};

#[wasm_bindgen]
pub struct SelftuneCore {
    pub(crate) inner: Rc<Selftune<JsHost>>,
}

#[wasm_bindgen]
impl SelftuneCore {
    /// Opens the example log through `host` and rebuilds the duplicate index from it.
    pub async fn create(
        host: JsHost,
        #[wasm_bindgen(unchecked_param_type = "SelftuneConfig | undefined")] config: JsValue,
    ) -> Result<SelftuneCore, JsValue> {
        check_host(&host).map_err(to_js_error)?;
        let config = from_js(&config, SelftuneError::invalid_config)?;
        let config = SelftuneConfig::from_json(config).map_err(to_js_error)?;
        let inner = Selftune::open(host, config).await.map_err(to_js_error)?;
        Ok(SelftuneCore {
            inner: Rc::new(inner),
        })
    }

    /// Captures a successful plugin generation. Resolves to what happened as data; rejects with a
    /// `SelftuneError` (`invalid_event`, `storage`) when the event is malformed or cannot be stored.
    #[wasm_bindgen(js_name = onPluginSuccess, unchecked_return_type = "Promise<CaptureResult>")]
    pub fn on_plugin_success(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PluginEvent")] event: JsValue,
    ) -> js_sys::Promise {
        self.capture(ExampleKind::Plugin, event)
    }

    /// Captures a successful MCP server generation; see `onPluginSuccess`.
    #[wasm_bindgen(js_name = onMcpSuccess, unchecked_return_type = "Promise<CaptureResult>")]
    pub fn on_mcp_success(
        &self,
        #[wasm_bindgen(unchecked_param_type = "McpEvent")] event: JsValue,
    ) -> js_sys::Promise {
        self.capture(ExampleKind::Mcp, event)
    }

    /// A summary of the example log.
    #[wasm_bindgen(unchecked_return_type = "Promise<LogStats>")]
    pub fn stats(&self) -> js_sys::Promise {
        let inner = Rc::clone(&self.inner);
        wasm_bindgen_futures::future_to_promise(async move {
            to_js(&inner.stats().await.map_err(to_js_error)?)
        })
    }

    /// Removes one example, and sightings of duplicates of it, from the log for good.
    #[wasm_bindgen(unchecked_return_type = "Promise<ForgetResult>")]
    pub fn forget(
        &self,
        #[wasm_bindgen(js_name = exampleId)] example_id: String,
    ) -> js_sys::Promise {
        let inner = Rc::clone(&self.inner);
        wasm_bindgen_futures::future_to_promise(async move {
            to_js(&inner.forget(&example_id).await.map_err(to_js_error)?)
        })
    }

    /// Removes day partitions older than `retentionDays` (this also runs on open and daily).
    #[wasm_bindgen(js_name = applyRetention, unchecked_return_type = "Promise<RetentionReport>")]
    pub fn apply_retention(&self) -> js_sys::Promise {
        let inner = Rc::clone(&self.inner);
        wasm_bindgen_futures::future_to_promise(async move {
            to_js(&inner.apply_retention().await.map_err(to_js_error)?)
        })
    }

    /// The audit log, oldest first; with `limit`, only the newest entries.
    #[wasm_bindgen(unchecked_return_type = "Promise<AuditEntry[]>")]
    pub fn audit(&self, limit: Option<u32>) -> js_sys::Promise {
        let inner = Rc::clone(&self.inner);
        wasm_bindgen_futures::future_to_promise(async move {
            let entries = inner.audit(limit.map(|n| n as usize)).await;
            to_js(&entries.map_err(to_js_error)?)
        })
    }

    /// Builds the datasets from the example log; resolves to the manifest. Files go to `output`
    /// when given, else to the folder `options.outDir` (default `datasets`) of the host's storage.
    #[wasm_bindgen(js_name = buildDataset, unchecked_return_type = "Promise<DatasetManifest>")]
    pub fn build_dataset(
        &self,
        #[wasm_bindgen(unchecked_param_type = "BuildOptions | undefined")] options: JsValue,
        #[wasm_bindgen(unchecked_param_type = "SelftuneStorage | undefined")] output: JsValue,
    ) -> js_sys::Promise {
        let inner = Rc::clone(&self.inner);
        let options = from_js(&options, SelftuneError::invalid_argument)
            .and_then(|json| BuildOptions::from_json(json).map_err(to_js_error));
        let output = if output.is_undefined() || output.is_null() {
            Ok(None)
        } else {
            check_storage(&output, "output")
                .map(|()| Some(output.unchecked_into::<JsStorage>()))
                .map_err(to_js_error)
        };
        wasm_bindgen_futures::future_to_promise(async move {
            let options = options?;
            let manifest = match output? {
                Some(output) => inner.build_dataset_into(&options, &output).await,
                None => inner.build_dataset(&options).await,
            };
            to_js(&manifest.map_err(to_js_error)?)
        })
    }

    /// The configuration in force, with defaults filled in.
    #[wasm_bindgen(unchecked_return_type = "SelftuneConfig")]
    pub fn config(&self) -> Result<JsValue, JsValue> {
        to_js(self.inner.config())
    }

    /// Builds `modelId`'s tokenizer from the text of the `tokenizer.json` its vocabulary ships in
    /// (see `tokenizerModels()`) and counts that model's tokens exactly from now on.
    #[wasm_bindgen(js_name = registerTokenizer, unchecked_return_type = "TokenizerInfo")]
    pub fn register_tokenizer(
        &self,
        #[wasm_bindgen(js_name = modelId)] model_id: &str,
        #[wasm_bindgen(js_name = tokenizerJson)] tokenizer_json: &str,
    ) -> Result<JsValue, JsValue> {
        let info = self.inner.load_tokenizer_json(model_id, tokenizer_json);
        to_js(&info.map_err(to_js_error)?)
    }

    /// The tokens of `text` for `modelId`: exact once its tokenizer is registered, else an
    /// estimate (`exact: false`).
    #[wasm_bindgen(js_name = countTokens, unchecked_return_type = "TokenCount")]
    pub fn count_tokens(
        &self,
        #[wasm_bindgen(js_name = modelId)] model_id: &str,
        text: &str,
    ) -> Result<JsValue, JsValue> {
        to_js(&self.inner.count_tokens(model_id, text))
    }

    /// Whether `modelId`'s tokenizer is registered.
    #[wasm_bindgen(js_name = hasTokenizer)]
    pub fn has_tokenizer(&self, #[wasm_bindgen(js_name = modelId)] model_id: &str) -> bool {
        self.inner.has_tokenizer(model_id)
    }

    fn capture(&self, kind: ExampleKind, event: JsValue) -> js_sys::Promise {
        let inner = Rc::clone(&self.inner);
        let event = from_js(&event, |problem| {
            SelftuneError::invalid_event("event", problem)
        });
        wasm_bindgen_futures::future_to_promise(async move {
            let result = match kind {
                ExampleKind::Plugin => inner.on_plugin_success(event?).await,
                ExampleKind::Mcp => inner.on_mcp_success(event?).await,
            };
            to_js(&result.map_err(to_js_error)?)
        })
    }
}

/// Redacts secrets (and, by default, e-mail addresses and phone numbers) from one text. `path`
/// names the file the text comes from, when it is one (`.env` files get their own rules).
#[wasm_bindgen(js_name = redactText, unchecked_return_type = "RedactedText")]
pub fn redact_text(
    text: &str,
    path: Option<String>,
    #[wasm_bindgen(unchecked_param_type = "RedactionOptions | undefined")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let options = from_js(&options, SelftuneError::invalid_config)?;
    let options = redaction_options_from_json(options).map_err(to_js_error)?;
    to_js(&redact::redact_text(text, path.as_deref(), &options))
}
