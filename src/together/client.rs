//! `TogetherClient`: every call the pipeline makes to Together, over the host's `Http` port, with
//! the retry policy, the client-side rate limit and per-request timeouts measured on the host's
//! `Clock` (so native tests run them on a simulated clock).

use std::cell::RefCell;
use std::fmt;

use crate::host::{Clock, Http, LogSink};
use crate::together::config::TogetherConfig;
use crate::together::errors::{TogetherError, TogetherErrorKind};
use crate::together::multipart::{form_data, Field};
use crate::together::requests::{
    ChatRequest, CreateEndpoint, CreateFineTune, DownloadOptions, EstimatePrice, FileUpload,
    MetricsFilter, UpdateEndpoint, WaitOptions, DOWNLOAD_CHECKPOINTS,
};
use crate::together::retry::{Jitter, RateLimiter};
use crate::together::transport::{encode_component, Call};
use crate::together::types::{
    ChatCompletion, Checkpoint, DataList, Endpoint, FileDeleted, FileObject, FineTuneEvent,
    FineTuneJob, Hardware, JobStatus, Metrics, ModelDownload, ModelLimits, PriceEstimate,
    ProcessingStatus,
};

pub struct TogetherClient<H> {
    pub(super) host: H,
    pub(super) config: TogetherConfig,
    pub(super) limiter: RefCell<RateLimiter>,
    pub(super) jitter: RefCell<Jitter>,
}

impl<H> fmt::Debug for TogetherClient<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TogetherClient")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn id_segment(what: &str, id: &str) -> Result<String, TogetherError> {
    if id.trim().is_empty() {
        return Err(TogetherError::invalid_argument(format!(
            "{what} must not be empty"
        )));
    }
    Ok(encode_component(id))
}

/// `jsonl`, `parquet` or `csv` from a file name's extension; `jsonl` otherwise.
fn file_type_of(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".parquet") {
        "parquet"
    } else if lower.ends_with(".csv") {
        "csv"
    } else {
        "jsonl"
    }
}

impl<H: Http + Clock + LogSink> TogetherClient<H> {
    pub fn new(host: H, config: TogetherConfig) -> Self {
        let seed = config
            .jitter_seed
            .unwrap_or_else(|| host.now_ms() ^ 0x5EED_0F5E_1F7E_5EED);
        TogetherClient {
            limiter: RefCell::new(RateLimiter::new(config.requests_per_minute, config.burst)),
            jitter: RefCell::new(Jitter::new(seed)),
            host,
            config,
        }
    }

    pub fn host(&self) -> &H {
        &self.host
    }

    pub fn config(&self) -> &TogetherConfig {
        &self.config
    }

    /// The base URL calls go to.
    pub fn base_url(&self) -> &str {
        &self.config.base_url
    }

    // ---- files -------------------------------------------------------------------------------

    /// `POST /files/upload` (multipart). The file is then validated by Together in the
    /// background: see `wait_for_file`.
    pub async fn upload_file(
        &self,
        upload: &FileUpload,
        bytes: &[u8],
    ) -> Result<FileObject, TogetherError> {
        if upload.file_name.trim().is_empty() {
            return Err(TogetherError::invalid_argument(
                "fileName must not be empty",
            ));
        }
        if bytes.is_empty() {
            return Err(TogetherError::invalid_argument("the file is empty"));
        }
        let purpose = upload.purpose.as_deref().unwrap_or("fine-tune");
        let file_type = upload
            .file_type
            .as_deref()
            .unwrap_or_else(|| file_type_of(&upload.file_name));
        let form = form_data(
            &[
                Field {
                    name: "purpose",
                    value: purpose,
                },
                Field {
                    name: "file_name",
                    value: &upload.file_name,
                },
                Field {
                    name: "file_type",
                    value: file_type,
                },
            ],
            &upload.file_name,
            bytes,
        );
        let mut call = Call::new("POST", "/files/upload".to_owned());
        call.body = Some((form.content_type, form.body));
        call.timeout_ms = self.config.upload_timeout_ms;
        self.json(call).await
    }

    /// `GET /files/{id}`.
    pub async fn retrieve_file(&self, id: &str) -> Result<FileObject, TogetherError> {
        let path = format!("/files/{}", id_segment("file id", id)?);
        self.json(Call::new("GET", path)).await
    }

    /// `GET /files`.
    pub async fn list_files(&self) -> Result<Vec<FileObject>, TogetherError> {
        let list: DataList<FileObject> = self.json(Call::new("GET", "/files".to_owned())).await?;
        Ok(list.data)
    }

    /// `DELETE /files/{id}`.
    pub async fn delete_file(&self, id: &str) -> Result<FileDeleted, TogetherError> {
        let path = format!("/files/{}", id_segment("file id", id)?);
        self.json(Call::new("DELETE", path)).await
    }

    /// Polls `GET /files/{id}` until Together has validated the file: resolves when its
    /// `processing_status` is `COMPLETED`; fails with `FileRejected` and the server's
    /// `validation_report.error` on `INVALID_FORMAT` (or `FAILED`), and with `Timeout` when it is
    /// still processing after `timeout_ms`.
    pub async fn wait_for_file(
        &self,
        id: &str,
        options: &WaitOptions,
    ) -> Result<FileObject, TogetherError> {
        let poll_ms = options
            .poll_interval_ms
            .unwrap_or(self.config.file_poll_interval_ms)
            .max(1);
        let timeout_ms = options.timeout_ms.unwrap_or(self.config.file_timeout_ms);
        let start = self.host.now_ms();
        loop {
            let file = self.retrieve_file(id).await?;
            let rejected = |problem: String| {
                TogetherError::new(TogetherErrorKind::FileRejected, problem)
                    .with_request(format!("GET /files/{}", encode_component(id)))
            };
            match &file.processing_status {
                Some(ProcessingStatus::Completed) => return Ok(file),
                Some(ProcessingStatus::InvalidFormat) => {
                    let report = file.validation_report.as_ref();
                    let why = report
                        .and_then(|report| report.error.clone())
                        .unwrap_or_else(|| "no reason given".to_owned());
                    return Err(rejected(format!(
                        "file {id} is not in a format Together accepts: {}",
                        self.redact(&why)
                    )));
                }
                Some(ProcessingStatus::Failed) => {
                    let why = file
                        .validation_report
                        .as_ref()
                        .and_then(|report| report.error.clone())
                        .map(|why| format!(": {}", self.redact(&why)))
                        .unwrap_or_default();
                    return Err(rejected(format!(
                        "Together could not process file {id}{why}"
                    )));
                }
                // An older server without processing_status: `Processed` is all there is.
                None if file.processed == Some(true) => return Ok(file),
                _ => {}
            }
            let elapsed = self.host.now_ms().saturating_sub(start);
            if elapsed.saturating_add(poll_ms) > timeout_ms {
                let state = file
                    .processing_status
                    .as_ref()
                    .map_or("unprocessed", |status| status.as_str())
                    .to_owned();
                return Err(TogetherError::new(
                    TogetherErrorKind::Timeout,
                    format!("file {id} is still {state} after {elapsed} ms"),
                )
                .with_request(format!("GET /files/{}", encode_component(id))));
            }
            self.host.sleep(poll_ms).await;
        }
    }

    // ---- fine-tuning ---------------------------------------------------------------------------

    /// `GET /fine-tunes/models/limits?model_name=...`; `NotFound` for a model Together does not
    /// fine-tune.
    pub async fn model_limits(&self, model: &str) -> Result<ModelLimits, TogetherError> {
        if model.trim().is_empty() {
            return Err(TogetherError::invalid_argument("model must not be empty"));
        }
        let call =
            Call::new("GET", "/fine-tunes/models/limits".to_owned()).query("model_name", model);
        self.json(call).await
    }

    /// `POST /fine-tunes/estimate-price`: in dollars (and nano-dollars).
    pub async fn estimate_price(
        &self,
        request: &EstimatePrice,
    ) -> Result<PriceEstimate, TogetherError> {
        let body = request.to_wire()?;
        self.json(Call::new("POST", "/fine-tunes/estimate-price".to_owned()).json(&body))
            .await
    }

    /// `POST /fine-tunes`. Sent exactly once: if it fails without a clear answer (a timeout, a
    /// 5xx, a dropped connection) the job may or may not exist, and the caller must look for it
    /// (`list_fine_tunes`, by suffix) before creating another.
    pub async fn create_fine_tune(
        &self,
        request: &CreateFineTune,
    ) -> Result<FineTuneJob, TogetherError> {
        let body = request.to_wire()?;
        let call = Call::new("POST", "/fine-tunes".to_owned())
            .json(&body)
            .never_retry();
        self.json(call).await
    }

    /// `GET /fine-tunes/{id}`.
    pub async fn retrieve_fine_tune(&self, id: &str) -> Result<FineTuneJob, TogetherError> {
        let path = format!("/fine-tunes/{}", id_segment("job id", id)?);
        self.json(Call::new("GET", path)).await
    }

    /// `GET /fine-tunes`.
    pub async fn list_fine_tunes(&self) -> Result<Vec<FineTuneJob>, TogetherError> {
        let list: DataList<FineTuneJob> = self
            .json(Call::new("GET", "/fine-tunes".to_owned()))
            .await?;
        Ok(list.data)
    }

    /// `POST /fine-tunes/{id}/cancel` (repeating a cancel is harmless). Tokens already processed
    /// are billed.
    pub async fn cancel_fine_tune(&self, id: &str) -> Result<FineTuneJob, TogetherError> {
        let path = format!("/fine-tunes/{}/cancel", id_segment("job id", id)?);
        self.json(Call::new("POST", path)).await
    }

    /// `GET /fine-tunes/{id}/events`.
    pub async fn fine_tune_events(&self, id: &str) -> Result<Vec<FineTuneEvent>, TogetherError> {
        let path = format!("/fine-tunes/{}/events", id_segment("job id", id)?);
        let list: DataList<FineTuneEvent> = self.json(Call::new("GET", path)).await?;
        Ok(list.data)
    }

    /// `GET /fine-tunes/{id}/checkpoints`.
    pub async fn fine_tune_checkpoints(&self, id: &str) -> Result<Vec<Checkpoint>, TogetherError> {
        let path = format!("/fine-tunes/{}/checkpoints", id_segment("job id", id)?);
        let list: DataList<Checkpoint> = self.json(Call::new("GET", path)).await?;
        Ok(list.data)
    }

    /// `GET /fine-tunes/{id}/metrics`, filters as query parameters.
    pub async fn fine_tune_metrics(
        &self,
        id: &str,
        filter: &MetricsFilter,
    ) -> Result<Metrics, TogetherError> {
        let path = format!("/fine-tunes/{}/metrics", id_segment("job id", id)?);
        let mut call = Call::new("GET", path);
        call.query = filter.to_query();
        self.json(call).await
    }

    /// The address of `GET /finetune/download` for a job's weights (no request is made).
    pub fn download_address(
        &self,
        job_id: &str,
        options: &DownloadOptions,
    ) -> Result<String, TogetherError> {
        if job_id.trim().is_empty() {
            return Err(TogetherError::invalid_argument("job id must not be empty"));
        }
        let mut call = Call::new("GET", "/finetune/download".to_owned()).query("ft_id", job_id);
        match (options.checkpoint_step, options.checkpoint.as_deref()) {
            (Some(step), _) => call = call.query("checkpoint_step", step.to_string()),
            (None, Some(kind)) => {
                if !DOWNLOAD_CHECKPOINTS.contains(&kind) {
                    return Err(TogetherError::invalid_argument(format!(
                        "checkpoint must be one of {} (got '{kind}')",
                        DOWNLOAD_CHECKPOINTS.join(", ")
                    )));
                }
                call = call.query("checkpoint", kind);
            }
            (None, None) => call = call.query("checkpoint", "merged"),
        }
        Ok(self.url(&call))
    }

    /// Where to download a finished job's model: checks that the job is `completed`, then gives
    /// the address (merged weights for LoRA jobs, `model_output_path` for full ones, unless
    /// `options` say otherwise). Fetch it with the same `Authorization` header.
    pub async fn model_download(
        &self,
        job_id: &str,
        options: &DownloadOptions,
    ) -> Result<ModelDownload, TogetherError> {
        let job = self.retrieve_fine_tune(job_id).await?;
        if job.status != Some(JobStatus::Completed) {
            let status = job
                .status
                .as_ref()
                .map_or("of unknown status", |status| status.as_str())
                .to_owned();
            return Err(TogetherError::new(
                TogetherErrorKind::InvalidRequest,
                format!("fine-tune job {job_id} is {status}: its model can be downloaded once it is completed"),
            )
            .with_request(format!("GET /fine-tunes/{}", encode_component(job_id))));
        }
        let mut options = options.clone();
        if options.checkpoint.is_none() && options.checkpoint_step.is_none() {
            let full = job
                .training_type
                .as_ref()
                .and_then(|kind| kind.kind.as_deref())
                .is_some_and(|kind| kind.eq_ignore_ascii_case("full"));
            options.checkpoint = Some(if full { "model_output_path" } else { "merged" }.to_owned());
        }
        Ok(ModelDownload {
            url: self.download_address(job_id, &options)?,
            job_id: job_id.to_owned(),
            model_output_name: job.model_output_name,
            checkpoint: options
                .checkpoint
                .filter(|_| options.checkpoint_step.is_none()),
            checkpoint_step: options.checkpoint_step,
        })
    }

    // ---- inference and deployment ----------------------------------------------------------

    /// `POST /chat/completions` (not streamed).
    pub async fn chat_completion(
        &self,
        request: &ChatRequest,
    ) -> Result<ChatCompletion, TogetherError> {
        let body = request.to_wire()?;
        self.json(Call::new("POST", "/chat/completions".to_owned()).json(&body))
            .await
    }

    /// `GET /hardware`, optionally for one model (`NotFound`: the model cannot be hosted).
    pub async fn list_hardware(&self, model: Option<&str>) -> Result<Vec<Hardware>, TogetherError> {
        let mut call = Call::new("GET", "/hardware".to_owned());
        if let Some(model) = model.filter(|model| !model.trim().is_empty()) {
            call = call.query("model", model);
        }
        let list: DataList<Hardware> = self.json(call).await?;
        Ok(list.data)
    }

    /// `GET /endpoints`: the account's endpoints (the list may omit display names).
    pub async fn list_endpoints(&self) -> Result<Vec<Endpoint>, TogetherError> {
        let list: DataList<Endpoint> = self.json(Call::new("GET", "/endpoints".to_owned())).await?;
        Ok(list.data)
    }

    /// `POST /endpoints`. Sent exactly once (a second endpoint would be billed too).
    pub async fn create_endpoint(
        &self,
        request: &CreateEndpoint,
    ) -> Result<Endpoint, TogetherError> {
        let body = request.to_wire()?;
        let call = Call::new("POST", "/endpoints".to_owned())
            .json(&body)
            .never_retry();
        self.json(call).await
    }

    /// `GET /endpoints/{id}`.
    pub async fn get_endpoint(&self, id: &str) -> Result<Endpoint, TogetherError> {
        let path = format!("/endpoints/{}", id_segment("endpoint id", id)?);
        self.json(Call::new("GET", path)).await
    }

    /// `PATCH /endpoints/{id}`: start or stop it, rename it, change its scaling.
    pub async fn update_endpoint(
        &self,
        id: &str,
        request: &UpdateEndpoint,
    ) -> Result<Endpoint, TogetherError> {
        let path = format!("/endpoints/{}", id_segment("endpoint id", id)?);
        let body = request.to_wire()?;
        self.json(Call::new("PATCH", path).json(&body)).await
    }

    /// `DELETE /endpoints/{id}`. A 404 on a retry means an earlier attempt deleted it.
    pub async fn delete_endpoint(&self, id: &str) -> Result<(), TogetherError> {
        let path = format!("/endpoints/{}", id_segment("endpoint id", id)?);
        match self.send(&self.prepare(Call::new("DELETE", path))).await {
            Ok(_) => Ok(()),
            Err(error) if error.kind == TogetherErrorKind::NotFound && error.attempts > 1 => Ok(()),
            Err(error) => Err(error),
        }
    }
}
