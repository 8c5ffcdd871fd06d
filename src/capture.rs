//! The capture path: an inbound event becomes a stored training example.
//!
//! validate -> redact secrets -> score -> content hash (exact dedup) -> append to the example log,
//! with one audit line per event.

use serde::Serialize;
use serde_json::Value;

use crate::audit::AuditEvent;
use crate::error::SelftuneError;
use crate::event::{parse_event, ExampleKind, Parsed, ValidEvent};
use crate::handle::Selftune;
use crate::hash::ContentHasher;
use crate::host::{Host, LogLevel};
use crate::quality::{self, QualityScore};
use crate::scrub::scrub_event;
use crate::store::{self, DuplicateSighting, ExampleRecord, LogEntry, SCHEMA_VERSION};
use crate::time::utc_date;

/// Why an event was not stored (an expected outcome, returned as data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    NotSuccessful,
    Duplicate,
    /// The same content was stored once and then forgotten on request.
    Forgotten,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::NotSuccessful => "not_successful",
            SkipReason::Duplicate => "duplicate",
            SkipReason::Forgotten => "forgotten",
        }
    }
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

impl<H: Host> Selftune<H> {
    pub async fn on_plugin_success(&self, event: Value) -> Result<CaptureResult, SelftuneError> {
        self.capture(ExampleKind::Plugin, event).await
    }

    pub async fn on_mcp_success(&self, event: Value) -> Result<CaptureResult, SelftuneError> {
        self.capture(ExampleKind::Mcp, event).await
    }

    async fn capture(
        &self,
        kind: ExampleKind,
        event: Value,
    ) -> Result<CaptureResult, SelftuneError> {
        let now = self.host.now_ms();
        let date = utc_date(now);
        if self.index.borrow().retention_day.as_deref() != Some(date.as_str()) {
            self.apply_retention().await?;
        }
        let mut event = match parse_event(kind, event, &self.config) {
            Ok(Parsed::Successful(event)) => *event,
            Ok(Parsed::NotSuccessful) => {
                return Ok(self.skip(SkipReason::NotSuccessful, None).await);
            }
            Err(error) => {
                self.audit_event(AuditEvent::Rejected {
                    reason: error.code.as_str().to_owned(),
                    field: error.field.clone(),
                })
                .await;
                return Err(error);
            }
        };
        // Redact before hashing, so the stored and the deduplicated forms are the same.
        let redactions = scrub_event(&mut event, &self.redaction_options());
        let hash = content_hash(&event);

        // Claim the content synchronously, before any await, so concurrent calls see it.
        let claimed = {
            let mut index = self.index.borrow_mut();
            if index.forgotten.contains(&hash) {
                None
            } else if let Some(existing) = index.id_by_hash.get(&hash) {
                Some(Err(existing.clone()))
            } else {
                let id = format!("ex_{}", &hash[..16]);
                index.id_by_hash.insert(hash.clone(), id.clone());
                Some(Ok(id))
            }
        };
        let path = store::partition_path(&date);
        match claimed {
            None => Ok(self.skip(SkipReason::Forgotten, None).await),
            Some(Err(existing)) => {
                let sighting = LogEntry::Duplicate(DuplicateSighting {
                    example_id: existing.clone(),
                    seen_at: now,
                    event_id: event.event_id.clone(),
                });
                self.append_entry(&path, &sighting).await?;
                self.audit_event(AuditEvent::Duplicate {
                    example_id: existing.clone(),
                })
                .await;
                Ok(CaptureResult::skipped(
                    SkipReason::Duplicate,
                    Some(existing),
                ))
            }
            Some(Ok(id)) => {
                let record = build_record(id.clone(), now, hash.clone(), event, redactions);
                let quality = record.quality.clone();
                let audit = AuditEvent::Stored {
                    example_id: id.clone(),
                    kind: kind.as_str().to_owned(),
                    redactions: record.redactions.clone(),
                };
                if let Err(error) = self
                    .append_entry(&path, &LogEntry::Example(Box::new(record)))
                    .await
                {
                    // Nothing counts as stored: release the content for a later attempt.
                    self.index.borrow_mut().id_by_hash.remove(&hash);
                    return Err(error);
                }
                self.audit_event(audit).await;
                Ok(CaptureResult::stored(id, quality))
            }
        }
    }

    async fn append_entry(&self, path: &str, entry: &LogEntry) -> Result<(), SelftuneError> {
        let _guard = self.log_lock.lock().await;
        let result = self.append_line(path, entry).await;
        if let Err(error) = &result {
            self.host.log(LogLevel::Error, &error.message);
        }
        result
    }

    async fn skip(&self, reason: SkipReason, example_id: Option<String>) -> CaptureResult {
        self.audit_event(AuditEvent::Rejected {
            reason: reason.as_str().to_owned(),
            field: None,
        })
        .await;
        CaptureResult::skipped(reason, example_id)
    }
}

fn build_record(
    id: String,
    now: u64,
    content_hash: String,
    event: ValidEvent,
    redactions: std::collections::BTreeMap<String, u32>,
) -> ExampleRecord {
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
        redactions,
        content_hash,
    }
}

/// A 128-bit SipHash digest over the kind, the request with whitespace runs collapsed, and the files sorted by path
/// with line endings unified and trailing whitespace dropped. Two events that differ only in that
/// formatting are the same example.
pub fn content_hash(event: &ValidEvent) -> String {
    let mut hasher = ContentHasher::default();
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
