//! Forgetting: one example removed from the log on request, for good.
//!
//! A tombstone (the example id and its content hash, no content) is written first, then every
//! partition holding the example or sightings of it is rewritten atomically without them. A crash
//! in between leaves the tombstone, which keeps the example out of datasets and stops the same
//! content from being captured again; calling `forget` again finishes the rewrite.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::audit::AuditEvent;
use crate::error::{ErrorCode, SelftuneError};
use crate::handle::Selftune;
use crate::host::{Host, LogSink, Storage};
use crate::store::{self, LogEntry};

pub const TOMBSTONES_PATH: &str = "forgotten.jsonl";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tombstone {
    pub example_id: String,
    pub content_hash: String,
    pub forgotten_at: u64,
}

/// `{ forgotten: true, exampleId, removedLines }`, or `{ forgotten: false, exampleId, reason:
/// "not_found" }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ForgetResult {
    pub forgotten: bool,
    pub example_id: String,
    /// Log lines removed: the example and any sightings of duplicates of it.
    pub removed_lines: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "\"not_found\""))]
    pub reason: Option<String>,
}

pub async fn read_tombstones(
    host: &(impl Storage + LogSink),
) -> Result<HashSet<String>, SelftuneError> {
    let text = host
        .read(TOMBSTONES_PATH)
        .await
        .map_err(|e| SelftuneError::storage("read", TOMBSTONES_PATH, e))?
        .unwrap_or_default();
    let read = store::parse_partition::<Tombstone>(TOMBSTONES_PATH, &text, host);
    Ok(read.entries.into_iter().map(|t| t.content_hash).collect())
}

impl<H: Host> Selftune<H> {
    /// Removes one example (and sightings of its duplicates) from the log, durably.
    pub async fn forget(&self, example_id: &str) -> Result<ForgetResult, SelftuneError> {
        if example_id.is_empty() || example_id.len() > 200 {
            return Err(SelftuneError::new(
                ErrorCode::InvalidArgument,
                "forget: exampleId must be 1 to 200 bytes long",
            ));
        }
        let _guard = self.log_lock.lock().await;
        let mut plans = Vec::new();
        let mut content_hash = None;
        for date in store::partitions(&self.host).await? {
            let path = store::partition_path(&date);
            let text = self
                .host
                .read(&path)
                .await
                .map_err(|e| SelftuneError::storage("read", &path, e))?
                .unwrap_or_default();
            let mut kept = Vec::new();
            let mut removed = 0u64;
            for line in text.split('\n').filter(|line| !line.is_empty()) {
                match serde_json::from_str::<LogEntry>(line) {
                    Ok(LogEntry::Example(record)) if record.id == example_id => {
                        content_hash = Some(record.content_hash);
                        removed += 1;
                    }
                    Ok(LogEntry::Duplicate(sighting)) if sighting.example_id == example_id => {
                        removed += 1;
                    }
                    // Lines it cannot read are kept as they are: forgetting never loses others.
                    _ => kept.push(line),
                }
            }
            if removed > 0 {
                let mut rewritten = kept.join("\n");
                if !rewritten.is_empty() {
                    rewritten.push('\n');
                }
                plans.push((path, rewritten, removed));
            }
        }
        let Some(content_hash) = content_hash else {
            return Ok(ForgetResult {
                forgotten: false,
                example_id: example_id.to_owned(),
                removed_lines: 0,
                reason: Some("not_found".to_owned()),
            });
        };

        let tombstone = Tombstone {
            example_id: example_id.to_owned(),
            content_hash: content_hash.clone(),
            forgotten_at: self.host.now_ms(),
        };
        self.append_line(TOMBSTONES_PATH, &tombstone).await?;
        {
            let mut index = self.index.borrow_mut();
            index.forgotten.insert(content_hash.clone());
            index.id_by_hash.remove(&content_hash);
        }
        let mut removed_lines = 0;
        for (path, contents, removed) in plans {
            self.host
                .write(&path, &contents)
                .await
                .map_err(|e| SelftuneError::storage("rewrite", &path, e))?;
            // The rewrite ends with a newline: a torn tail it had is gone.
            self.index.borrow_mut().torn_paths.remove(&path);
            removed_lines += removed;
        }
        self.audit_event(AuditEvent::Forgotten {
            example_id: example_id.to_owned(),
        })
        .await;
        Ok(ForgetResult {
            forgotten: true,
            example_id: example_id.to_owned(),
            removed_lines,
            reason: None,
        })
    }
}
