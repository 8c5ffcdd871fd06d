//! Files: what an upload, a retrieve, a list and a delete answer.

use serde::{Deserialize, Serialize};

use crate::together::lenient::{lenient, lenient_i64, lenient_text};

use super::{FilePurpose, Normalize, ProcessingStatus};

/// An uploaded file (`FileResponse`, with the SDKs' `processing_status` and `validation_report`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(default, rename_all(serialize = "camelCase"))]
pub struct FileObject {
    pub id: String,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub object: Option<String>,
    /// Seconds since the epoch.
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<i64>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub filename: Option<String>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub bytes: Option<i64>,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub purpose: Option<FilePurpose>,
    /// `FileType` on the wire.
    #[serde(
        alias = "FileType",
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub file_type: Option<String>,
    /// `Processed` on the wire (deprecated by Together in favour of `processingStatus`).
    #[serde(
        alias = "Processed",
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub processed: Option<bool>,
    /// `LineCount` on the wire.
    #[serde(
        alias = "LineCount",
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub line_count: Option<i64>,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub processing_status: Option<ProcessingStatus>,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub validation_report: Option<FileValidationReport>,
}

impl Normalize for FileObject {}

/// Together's server-side check of an uploaded dataset.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(default, rename_all(serialize = "camelCase"))]
pub struct FileValidationReport {
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub valid: Option<bool>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub dataset_format: Option<String>,
    /// What is wrong, e.g. `Line 7: messages[1] must contain a role field`.
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub error: Option<String>,
    #[serde(
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub error_type: Option<String>,
    #[serde(
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub nlines: Option<i64>,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub dataset_has_reasoning: Option<bool>,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub dataset_has_tools: Option<bool>,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub dataset_has_message_weights: Option<bool>,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub dataset_has_sample_weights: Option<bool>,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub dataset_is_multimodal: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(default, rename_all(serialize = "camelCase"))]
pub struct FileDeleted {
    pub id: String,
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub deleted: Option<bool>,
}

impl Normalize for FileDeleted {}
