//! What Together answers, parsed tolerantly (see `lenient`): unknown fields are ignored, a field
//! of an unexpected type reads as absent, enums keep unknown values as `Other(String)`, and money
//! is normalized (a job's `total_price` is in nano-dollars, a price estimate is in dollars; both
//! are given here in both units).
//!
//! The field names on the wire are Together's snake_case; serialized for JS they are camelCase.

use serde::Deserialize;

use crate::together::lenient::{lenient_list, open_enum};

/// Nano-dollars in a dollar (`total_price` is an integer count of them).
pub const NANO_USD_PER_USD: f64 = 1_000_000_000.0;

pub fn nano_usd_to_usd(nano: i64) -> f64 {
    nano as f64 / NANO_USD_PER_USD
}

pub fn usd_to_nano_usd(usd: f64) -> i64 {
    (usd * NANO_USD_PER_USD).round() as i64
}

/// Fills the fields derived after parsing (money in the other unit).
pub trait Normalize {
    fn normalize(&mut self) {}
}

open_enum! {
    /// A fine-tuning job's status (`FinetuneJobStatus`). Terminal: `completed`, `cancelled`, `error`.
    pub enum JobStatus {
        Pending = "pending",
        Queued = "queued",
        Running = "running",
        Compressing = "compressing",
        Uploading = "uploading",
        CancelRequested = "cancel_requested",
        Cancelled = "cancelled",
        Error = "error",
        Completed = "completed",
    }
}

impl JobStatus {
    /// The job will not change any more.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            JobStatus::Completed | JobStatus::Cancelled | JobStatus::Error
        )
    }
}

open_enum! {
    /// A file's server-side processing state; `Completed` is the readiness signal.
    pub enum ProcessingStatus {
        Pending = "PENDING",
        Queued = "QUEUED",
        Running = "RUNNING",
        Completed = "COMPLETED",
        Failed = "FAILED",
        InvalidFormat = "INVALID_FORMAT",
    }
}

open_enum! {
    /// Why a file was uploaded.
    pub enum FilePurpose {
        FineTune = "fine-tune",
        Eval = "eval",
        EvalSample = "eval-sample",
        EvalOutput = "eval-output",
        EvalSummary = "eval-summary",
        BatchGenerated = "batch-generated",
        BatchApi = "batch-api",
        Calibration = "calibration",
    }
}

open_enum! {
    /// The kind of a fine-tuning event (`FinetuneEventType`, with the SDKs' newer values).
    pub enum EventType {
        JobPending = "job_pending",
        JobStart = "job_start",
        JobStopped = "job_stopped",
        JobComplete = "job_complete",
        JobError = "job_error",
        JobRestarted = "job_restarted",
        CancelRequested = "cancel_requested",
        ModelDownloading = "model_downloading",
        ModelDownloadComplete = "model_download_complete",
        TrainingDataDownloading = "training_data_downloading",
        TrainingDataDownloadComplete = "training_data_download_complete",
        ValidationDataDownloading = "validation_data_downloading",
        ValidationDataDownloadComplete = "validation_data_download_complete",
        WandbInit = "wandb_init",
        TrainingStart = "training_start",
        CheckpointSave = "checkpoint_save",
        EpochComplete = "epoch_complete",
        TrainingComplete = "training_complete",
        ModelCompressing = "model_compressing",
        ModelCompressionComplete = "model_compression_complete",
        ModelUploading = "model_uploading",
        ModelUploadComplete = "model_upload_complete",
        BillingLimit = "billing_limit",
        Refund = "refund",
        Warning = "warning",
        EarlyStopped = "early_stopped",
        TokenizedDatasetUploadComplete = "tokenized_dataset_upload_complete",
    }
}

open_enum! {
    /// A dedicated endpoint's state.
    pub enum EndpointState {
        Pending = "PENDING",
        Starting = "STARTING",
        Started = "STARTED",
        Stopping = "STOPPING",
        Stopped = "STOPPED",
        Error = "ERROR",
    }
}

open_enum! {
    /// Whether a hardware configuration can be had now.
    pub enum HardwareAvailability {
        Available = "available",
        Unavailable = "unavailable",
        Insufficient = "insufficient",
    }
}

/// `{ data: [...] }`, the shape of Together's lists.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(bound(deserialize = "T: serde::de::DeserializeOwned"))]
pub struct DataList<T> {
    #[serde(default = "Vec::new", deserialize_with = "lenient_list")]
    pub data: Vec<T>,
}

impl<T: Normalize> Normalize for DataList<T> {
    fn normalize(&mut self) {
        self.data.iter_mut().for_each(Normalize::normalize);
    }
}

mod files;
mod fine_tunes;
mod serving;

pub use files::*;
pub use fine_tunes::*;
pub use serving::*;
