//! The audit log: append-only JSONL under `audit/`, one file per UTC day, one line per operation.
//! Lines carry ids, kinds, reasons and counts: never content, never secrets.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::SelftuneError;
use crate::host::{LogSink, Storage};
use crate::store;

pub const AUDIT_DIR: &str = "audit";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum AuditEvent {
    /// An example was stored; `redactions` counts the secrets replaced, per kind.
    #[serde(rename_all = "camelCase")]
    Stored {
        example_id: String,
        kind: String,
        #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, number>"))]
        redactions: BTreeMap<String, u32>,
    },
    /// An event repeated a stored example.
    #[serde(rename_all = "camelCase")]
    Duplicate { example_id: String },
    /// An event was not stored: `not_successful`, `forgotten`, or `invalid_event` with the field.
    #[serde(rename_all = "camelCase")]
    Rejected {
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(target_arch = "wasm32", tsify(optional))]
        field: Option<String>,
    },
    /// An example was removed on request.
    #[serde(rename_all = "camelCase")]
    Forgotten { example_id: String },
    /// Datasets were built: examples read, and lines written per profile.
    #[serde(rename_all = "camelCase")]
    DatasetBuilt {
        examples_read: u64,
        #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, number>"))]
        written: BTreeMap<String, u64>,
    },
    /// A day's partition passed the retention period and was removed.
    #[serde(rename_all = "camelCase")]
    Pruned { partition: String, examples: u64 },
    /// A pipeline uploaded a dataset file to Together.
    #[serde(rename_all = "camelCase")]
    FileUploaded {
        pipeline_id: String,
        job: String,
        split: String,
        file_id: String,
    },
    /// A pipeline created a fine-tuning job (or found one it had created before a restart).
    #[serde(rename_all = "camelCase")]
    JobCreated {
        pipeline_id: String,
        job: String,
        job_id: String,
        reconciled: bool,
    },
    /// A pipeline cancelled a fine-tuning job (`reason`: `cancelled`, `budget_exceeded`, `failed`).
    #[serde(rename_all = "camelCase")]
    JobCancelled {
        pipeline_id: String,
        job: String,
        job_id: String,
        reason: String,
    },
    /// A pipeline reached an end: `completed`, `failed` (with its code) or `cancelled`.
    #[serde(rename_all = "camelCase")]
    PipelineEnded {
        pipeline_id: String,
        status: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(target_arch = "wasm32", tsify(optional))]
        code: Option<String>,
    },
}

/// One audit line: `{ at, op, ... }` (its TypeScript type is declared by hand in `wasm/types.rs`,
/// since a flattened union cannot be an interface).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// Milliseconds since the Unix epoch.
    pub at: u64,
    #[serde(flatten)]
    pub event: AuditEvent,
}

pub fn audit_path(date: &str) -> String {
    format!("{AUDIT_DIR}/{date}.jsonl")
}

/// Every readable audit entry, oldest first.
pub async fn read_all(host: &(impl Storage + LogSink)) -> Result<Vec<AuditEntry>, SelftuneError> {
    let names = host
        .list(AUDIT_DIR)
        .await
        .map_err(|e| SelftuneError::storage("list", AUDIT_DIR, e))?;
    let mut entries = Vec::new();
    for name in names.iter().filter(|name| name.ends_with(".jsonl")) {
        let path = format!("{AUDIT_DIR}/{name}");
        let text = host
            .read(&path)
            .await
            .map_err(|e| SelftuneError::storage("read", &path, e))?
            .unwrap_or_default();
        entries.extend(store::parse_partition::<AuditEntry>(&path, &text, host).entries);
    }
    Ok(entries)
}
