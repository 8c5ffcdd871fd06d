//! The capture path: an inbound event becomes a stored training example.
//!
//! validate -> score -> content hash (exact dedup) -> append to the example log.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use serde::Serialize;
use serde_json::Value;

use crate::config::SelftuneConfig;
use crate::error::SelftuneError;
use crate::event::{parse_event, ExampleKind, Parsed, ValidEvent};
use crate::hash::Sha256;
use crate::host::{Host, LogLevel};
use crate::quality::{self, QualityScore};
use crate::stats::{self, LogStats};
use crate::store::{self, DuplicateSighting, ExampleRecord, IndexEntry, LogEntry, SCHEMA_VERSION};
use crate::time::utc_date;

/// Why an event was not stored (an expected outcome, returned as data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    NotSuccessful,
    Duplicate,
}

/// `{ stored: true, exampleId, quality }` or `{ stored: false, reason }` (with the `exampleId` of
/// the stored original for a duplicate).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaptureResult {
    pub stored: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quality: Option<QualityScore>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<SkipReason>,
}

impl CaptureResult {
    fn stored(example_id: String, quality: QualityScore) -> Self {
        CaptureResult {
            stored: true,
            example_id: Some(example_id),
            quality: Some(quality),
            reason: None,
        }
    }

    fn skipped(reason: SkipReason, example_id: Option<String>) -> Self {
        CaptureResult {
            stored: false,
            example_id,
            quality: None,
            reason: Some(reason),
        }
    }
}

/// What the handle remembers between calls: which contents are stored, and which partitions end
/// in a torn line.
#[derive(Default)]
struct LogIndex {
    id_by_hash: HashMap<String, String>,
    torn_partitions: HashSet<String>,
}

/// A selftune handle over one host. Calls may overlap (JS awaits them concurrently): the index is
/// updated before each await, so two identical events racing each other are stored once.
pub struct Selftune<H: Host> {
    host: H,
    config: SelftuneConfig,
    index: RefCell<LogIndex>,
}

impl<H: Host> Selftune<H> {
    /// Opens the example log and rebuilds the duplicate index from it.
    pub async fn open(host: H, config: SelftuneConfig) -> Result<Self, SelftuneError> {
        config.validate()?;
        let mut index = LogIndex::default();
        for date in store::partitions(&host).await? {
            let read = store::read_partition::<IndexEntry>(&host, &host, &date).await?;
            if !read.ends_cleanly {
                index.torn_partitions.insert(date.clone());
            }
            for entry in read.entries {
                if let (Some(id), Some(hash)) = (entry.id, entry.content_hash) {
                    if entry.entry_type == "example" {
                        index.id_by_hash.entry(hash).or_insert(id);
                    }
                }
            }
        }
        Ok(Selftune {
            host,
            config,
            index: RefCell::new(index),
        })
    }

    pub fn host(&self) -> &H {
        &self.host
    }

    pub fn config(&self) -> &SelftuneConfig {
        &self.config
    }

    pub async fn on_plugin_success(&self, event: Value) -> Result<CaptureResult, SelftuneError> {
        self.capture(ExampleKind::Plugin, event).await
    }

    pub async fn on_mcp_success(&self, event: Value) -> Result<CaptureResult, SelftuneError> {
        self.capture(ExampleKind::Mcp, event).await
    }

    pub async fn stats(&self) -> Result<LogStats, SelftuneError> {
        stats::collect(&self.host).await
    }

    async fn capture(
        &self,
        kind: ExampleKind,
        event: Value,
    ) -> Result<CaptureResult, SelftuneError> {
        let event = match parse_event(kind, event, &self.config)? {
            Parsed::Successful(event) => *event,
            Parsed::NotSuccessful => {
                return Ok(CaptureResult::skipped(SkipReason::NotSuccessful, None))
            }
        };
        let hash = content_hash(&event);
        let now = self.host.now_ms();
        let date = utc_date(now);

        // Claim the content synchronously, before any await, so concurrent calls see it.
        let (entry, after_torn_tail, result) = {
            let mut index = self.index.borrow_mut();
            let after_torn_tail = index.torn_partitions.remove(&date);
            if let Some(existing) = index.id_by_hash.get(&hash) {
                let sighting = DuplicateSighting {
                    example_id: existing.clone(),
                    seen_at: now,
                    event_id: event.event_id.clone(),
                };
                let result = CaptureResult::skipped(SkipReason::Duplicate, Some(existing.clone()));
                (LogEntry::Duplicate(sighting), after_torn_tail, result)
            } else {
                let id = format!("ex_{}", &hash[..16]);
                index.id_by_hash.insert(hash.clone(), id.clone());
                let record = build_record(id.clone(), now, hash.clone(), event);
                let result = CaptureResult::stored(id, record.quality.clone());
                (LogEntry::Example(Box::new(record)), after_torn_tail, result)
            }
        };

        if let Err(error) = store::append(&self.host, &date, &entry, after_torn_tail).await {
            // The append may have left a partial line; nothing new counts as stored.
            let mut index = self.index.borrow_mut();
            index.torn_partitions.insert(date);
            if result.stored {
                index.id_by_hash.remove(&hash);
            }
            self.host.log(LogLevel::Error, &error.message);
            return Err(error);
        }
        Ok(result)
    }
}

fn build_record(id: String, now: u64, content_hash: String, event: ValidEvent) -> ExampleRecord {
    let quality = quality::score(true, event.files.len(), event.execution_time_ms);
    ExampleRecord {
        schema_version: SCHEMA_VERSION,
        id,
        kind: event.kind,
        captured_at: now,
        event_id: event.event_id,
        request: event.request,
        name: event.name,
        description: event.description,
        files: event.files,
        dependencies: event.dependencies,
        tools: event.tools,
        execution_time_ms: event.execution_time_ms,
        tokens_used: event.tokens_used,
        quality,
        content_hash,
    }
}

/// SHA-256 over the kind, the request with whitespace runs collapsed, and the files sorted by path
/// with line endings unified and trailing whitespace dropped. Two events that differ only in that
/// formatting are the same example.
pub fn content_hash(event: &ValidEvent) -> String {
    let mut hasher = Sha256::default();
    let mut field = |bytes: &[u8]| {
        hasher.update(&(bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    field(event.kind.as_str().as_bytes());
    let request = event
        .request
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    field(request.as_bytes());
    let mut files: Vec<_> = event.files.iter().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    for file in files {
        field(file.path.as_bytes());
        let content = file.content.trim_end();
        if content.contains('\r') {
            field(content.replace("\r\n", "\n").as_bytes());
        } else {
            field(content.as_bytes());
        }
    }
    hasher.hex()
}
