//! `TogetherClient` for JS: `new TogetherClient(host, options, env)`, then one async method per
//! Together call. Conversions only; the calls, retries and errors live in `crate::together`.

use std::rc::Rc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::error::SelftuneError;
use crate::together::client::TogetherClient as Client;
use crate::together::config::{TogetherConfig, TogetherOptions};
use crate::together::errors::TogetherError;
use crate::together::requests::{
    ChatRequest, CreateEndpoint, CreateFineTune, DownloadOptions, EstimatePrice, FileUpload,
    MetricsFilter, UpdateEndpoint, WaitOptions,
};
use crate::wasm::convert::{from_js, to_js};
use crate::wasm::error::to_js_error;
use crate::wasm::host::{check_host, JsHost};

#[wasm_bindgen(typescript_custom_section)]
const TOGETHER_TYPES: &str = r#"
/** A fine-tuning job's status; values Together adds later come through as they are. */
export type JobStatus =
  | "pending" | "queued" | "running" | "compressing" | "uploading"
  | "cancel_requested" | "cancelled" | "error" | "completed" | (string & {});

/** A file's server-side processing state; `COMPLETED` means ready to train on. */
export type ProcessingStatus =
  | "PENDING" | "QUEUED" | "RUNNING" | "COMPLETED" | "FAILED" | "INVALID_FORMAT" | (string & {});

export type FilePurpose =
  | "fine-tune" | "eval" | "eval-sample" | "eval-output" | "eval-summary" | "batch-generated"
  | "batch-api" | "calibration" | (string & {});

/** The kind of a fine-tuning event (`job_start`, `checkpoint_save`, `job_complete`, ...). */
export type EventType = string;

export type EndpointState =
  | "PENDING" | "STARTING" | "STARTED" | "STOPPING" | "STOPPED" | "ERROR" | (string & {});

export type HardwareAvailability = "available" | "unavailable" | "insufficient" | (string & {});

/** Environment variables the client reads: TOGETHER_API_KEY, TOGETHER_AI_API_KEY, TOGETHER_BASE_URL, TOGETHER_TIMEOUT_MS. */
export type TogetherEnv = Record<string, string | undefined>;
"#;

/// A Together API client over a host's `fetch`, clock and log.
#[wasm_bindgen]
pub struct TogetherClient {
    inner: Rc<Client<JsHost>>,
}

fn invalid(name: &str) -> impl Fn(String) -> SelftuneError + '_ {
    move |problem| SelftuneError::invalid_argument(format!("{name} {problem}"))
}

fn required<T: DeserializeOwned>(value: &JsValue, name: &str) -> Result<T, JsValue> {
    let json = from_js(value, invalid(name))?;
    serde_json::from_value(json)
        .map_err(|error| to_js_error(SelftuneError::invalid_argument(format!("{name}: {error}"))))
}

fn optional<T: DeserializeOwned + Default>(value: &JsValue, name: &str) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    required(value, name)
}

fn reply<T: Serialize>(result: Result<T, TogetherError>) -> Result<JsValue, JsValue> {
    to_js(&result.map_err(|error| to_js_error(error.into()))?)
}

/// Runs one call of the client as a promise.
macro_rules! call {
    ($self:ident, |$client:ident| $body:expr) => {{
        let $client = Rc::clone(&$self.inner);
        wasm_bindgen_futures::future_to_promise(async move { reply($body.await) })
    }};
}

/// The same, with an argument converted beforehand: a malformed one rejects the promise.
macro_rules! call_with {
    ($self:ident, $argument:expr, |$client:ident, $value:ident| $body:expr) => {{
        let $client = Rc::clone(&$self.inner);
        let argument = $argument;
        wasm_bindgen_futures::future_to_promise(async move {
            let $value = argument?;
            reply($body.await)
        })
    }};
}

#[wasm_bindgen]
impl TogetherClient {
    /// `options` override `env` (a copy of `process.env`, or just the TOGETHER_* variables),
    /// which overrides the defaults. Throws `invalid_config` without an API key.
    #[wasm_bindgen(constructor)]
    pub fn new(
        host: JsHost,
        #[wasm_bindgen(unchecked_param_type = "TogetherOptions | undefined")] options: JsValue,
        #[wasm_bindgen(unchecked_param_type = "TogetherEnv | undefined")] env: JsValue,
    ) -> Result<TogetherClient, JsValue> {
        check_host(&host).map_err(to_js_error)?;
        let options = from_js(&options, SelftuneError::invalid_config)?;
        let options = TogetherOptions::from_json(options).map_err(to_js_error)?;
        let env = from_js(&env, SelftuneError::invalid_config)?;
        let lookup = |name: &str| {
            env.get(name)
                .and_then(|value| value.as_str())
                .map(str::to_owned)
        };
        let config = TogetherConfig::resolve(options, lookup).map_err(to_js_error)?;
        Ok(TogetherClient {
            inner: Rc::new(Client::new(host, config)),
        })
    }

    /// The base URL calls go to.
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.inner.base_url().to_owned()
    }

    /// `POST /files/upload` with the bytes of a dataset.
    #[wasm_bindgen(js_name = uploadFile, unchecked_return_type = "Promise<FileObject>")]
    pub fn upload_file(
        &self,
        #[wasm_bindgen(unchecked_param_type = "FileUpload")] upload: JsValue,
        bytes: Vec<u8>,
    ) -> js_sys::Promise {
        let upload = required::<FileUpload>(&upload, "upload");
        call_with!(self, upload, |client, upload| client
            .upload_file(&upload, &bytes))
    }

    #[wasm_bindgen(js_name = retrieveFile, unchecked_return_type = "Promise<FileObject>")]
    pub fn retrieve_file(&self, id: String) -> js_sys::Promise {
        call!(self, |client| client.retrieve_file(&id))
    }

    #[wasm_bindgen(js_name = listFiles, unchecked_return_type = "Promise<FileObject[]>")]
    pub fn list_files(&self) -> js_sys::Promise {
        call!(self, |client| client.list_files())
    }

    #[wasm_bindgen(js_name = deleteFile, unchecked_return_type = "Promise<FileDeleted>")]
    pub fn delete_file(&self, id: String) -> js_sys::Promise {
        call!(self, |client| client.delete_file(&id))
    }

    /// Resolves once Together has validated the file; rejects with `together_file_rejected` and
    /// the server's reason when it is not in an accepted format.
    #[wasm_bindgen(js_name = waitForFile, unchecked_return_type = "Promise<FileObject>")]
    pub fn wait_for_file(
        &self,
        id: String,
        #[wasm_bindgen(unchecked_param_type = "WaitOptions | undefined")] options: JsValue,
    ) -> js_sys::Promise {
        let options = optional::<WaitOptions>(&options, "options");
        call_with!(self, options, |client, options| client
            .wait_for_file(&id, &options))
    }

    #[wasm_bindgen(js_name = modelLimits, unchecked_return_type = "Promise<ModelLimits>")]
    pub fn model_limits(&self, model: String) -> js_sys::Promise {
        call!(self, |client| client.model_limits(&model))
    }

    #[wasm_bindgen(js_name = estimatePrice, unchecked_return_type = "Promise<PriceEstimate>")]
    pub fn estimate_price(
        &self,
        #[wasm_bindgen(unchecked_param_type = "EstimatePrice")] request: JsValue,
    ) -> js_sys::Promise {
        let request = required::<EstimatePrice>(&request, "request");
        call_with!(self, request, |client, request| client
            .estimate_price(&request))
    }

    /// `POST /fine-tunes`, sent once and never retried.
    #[wasm_bindgen(js_name = createFineTune, unchecked_return_type = "Promise<FineTuneJob>")]
    pub fn create_fine_tune(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateFineTune")] request: JsValue,
    ) -> js_sys::Promise {
        let request = required::<CreateFineTune>(&request, "request");
        call_with!(self, request, |client, request| client
            .create_fine_tune(&request))
    }

    #[wasm_bindgen(js_name = retrieveFineTune, unchecked_return_type = "Promise<FineTuneJob>")]
    pub fn retrieve_fine_tune(&self, id: String) -> js_sys::Promise {
        call!(self, |client| client.retrieve_fine_tune(&id))
    }

    #[wasm_bindgen(js_name = listFineTunes, unchecked_return_type = "Promise<FineTuneJob[]>")]
    pub fn list_fine_tunes(&self) -> js_sys::Promise {
        call!(self, |client| client.list_fine_tunes())
    }

    #[wasm_bindgen(js_name = cancelFineTune, unchecked_return_type = "Promise<FineTuneJob>")]
    pub fn cancel_fine_tune(&self, id: String) -> js_sys::Promise {
        call!(self, |client| client.cancel_fine_tune(&id))
    }

    #[wasm_bindgen(js_name = fineTuneEvents, unchecked_return_type = "Promise<FineTuneEvent[]>")]
    pub fn fine_tune_events(&self, id: String) -> js_sys::Promise {
        call!(self, |client| client.fine_tune_events(&id))
    }

    #[wasm_bindgen(
        js_name = fineTuneCheckpoints,
        unchecked_return_type = "Promise<Checkpoint[]>"
    )]
    pub fn fine_tune_checkpoints(&self, id: String) -> js_sys::Promise {
        call!(self, |client| client.fine_tune_checkpoints(&id))
    }

    #[wasm_bindgen(js_name = fineTuneMetrics, unchecked_return_type = "Promise<Metrics>")]
    pub fn fine_tune_metrics(
        &self,
        id: String,
        #[wasm_bindgen(unchecked_param_type = "MetricsFilter | undefined")] filter: JsValue,
    ) -> js_sys::Promise {
        let filter = optional::<MetricsFilter>(&filter, "filter");
        call_with!(self, filter, |client, filter| client
            .fine_tune_metrics(&id, &filter))
    }

    /// The address of a job's weights (no request is made).
    #[wasm_bindgen(js_name = downloadAddress)]
    pub fn download_address(
        &self,
        #[wasm_bindgen(js_name = jobId)] job_id: String,
        #[wasm_bindgen(unchecked_param_type = "DownloadOptions | undefined")] options: JsValue,
    ) -> Result<String, JsValue> {
        let options: DownloadOptions = optional(&options, "options")?;
        self.inner
            .download_address(&job_id, &options)
            .map_err(|error| to_js_error(error.into()))
    }

    /// Checks that the job is completed, then gives the address of its model.
    #[wasm_bindgen(js_name = modelDownload, unchecked_return_type = "Promise<ModelDownload>")]
    pub fn model_download(
        &self,
        #[wasm_bindgen(js_name = jobId)] job_id: String,
        #[wasm_bindgen(unchecked_param_type = "DownloadOptions | undefined")] options: JsValue,
    ) -> js_sys::Promise {
        let options = optional::<DownloadOptions>(&options, "options");
        call_with!(self, options, |client, options| client
            .model_download(&job_id, &options))
    }

    #[wasm_bindgen(js_name = chatCompletion, unchecked_return_type = "Promise<ChatCompletion>")]
    pub fn chat_completion(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ChatRequest")] request: JsValue,
    ) -> js_sys::Promise {
        let request = required::<ChatRequest>(&request, "request");
        call_with!(self, request, |client, request| client
            .chat_completion(&request))
    }

    #[wasm_bindgen(js_name = listHardware, unchecked_return_type = "Promise<Hardware[]>")]
    pub fn list_hardware(&self, model: Option<String>) -> js_sys::Promise {
        call!(self, |client| client.list_hardware(model.as_deref()))
    }

    /// `POST /endpoints`, sent once and never retried.
    #[wasm_bindgen(js_name = createEndpoint, unchecked_return_type = "Promise<Endpoint>")]
    pub fn create_endpoint(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateEndpoint")] request: JsValue,
    ) -> js_sys::Promise {
        let request = required::<CreateEndpoint>(&request, "request");
        call_with!(self, request, |client, request| client
            .create_endpoint(&request))
    }

    #[wasm_bindgen(js_name = getEndpoint, unchecked_return_type = "Promise<Endpoint>")]
    pub fn get_endpoint(&self, id: String) -> js_sys::Promise {
        call!(self, |client| client.get_endpoint(&id))
    }

    #[wasm_bindgen(js_name = updateEndpoint, unchecked_return_type = "Promise<Endpoint>")]
    pub fn update_endpoint(
        &self,
        id: String,
        #[wasm_bindgen(unchecked_param_type = "UpdateEndpoint")] request: JsValue,
    ) -> js_sys::Promise {
        let request = required::<UpdateEndpoint>(&request, "request");
        call_with!(self, request, |client, request| client
            .update_endpoint(&id, &request))
    }

    #[wasm_bindgen(js_name = deleteEndpoint, unchecked_return_type = "Promise<void>")]
    pub fn delete_endpoint(&self, id: String) -> js_sys::Promise {
        call!(self, |client| client.delete_endpoint(&id))
    }
}
