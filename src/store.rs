//! The example log: append-only JSONL, one partition per UTC day (`examples/2026-11-26.jsonl`).
//!
//! Each line is one [`LogEntry`]: an example, or a sighting of an exact duplicate of one. A crash in
//! the middle of an append can leave a torn last line; readers skip it (and any unreadable line)
//! with a warning, and the next append first closes it with a newline, so a torn line never hides
//! a record written after it.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::SelftuneError;
use crate::event::{Dependencies, ExampleKind, GeneratedFile, McpTool};
use crate::host::{LogLevel, LogSink, Storage};
use crate::quality::QualityScore;

pub const LOG_DIR: &str = "examples";
pub const SCHEMA_VERSION: u32 = 1;

/// One captured training example, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ExampleRecord {
    pub schema_version: u32,
    /// `ex_` and the first 16 hex digits of the content hash.
    pub id: String,
    pub kind: ExampleKind,
    /// Milliseconds since the Unix epoch.
    pub captured_at: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub event_id: Option<String>,
    pub request: String,
    /// The plugin's or MCP server's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub description: Option<String>,
    pub files: Vec<GeneratedFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub dependencies: Option<Dependencies>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub tools: Vec<McpTool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub execution_time_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub tokens_used: Option<u64>,
    pub quality: QualityScore,
    /// Secrets and personal data replaced before storage, counted per kind (never the values).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(optional, type = "Record<string, number>")
    )]
    pub redactions: BTreeMap<String, u32>,
    /// 128-bit digest (32 hex digits) of the normalized request and files (request with whitespace collapsed, files sorted by path).
    pub content_hash: String,
}

/// An event whose content was already stored: counted, not stored again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DuplicateSighting {
    pub example_id: String,
    pub seen_at: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum LogEntry {
    Example(Box<ExampleRecord>),
    Duplicate(DuplicateSighting),
}

/// Just enough of a line to rebuild the duplicate index, without materializing file contents.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexEntry {
    #[serde(rename = "type")]
    pub entry_type: String,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub content_hash: Option<String>,
}

/// The readable entries of one partition.
#[derive(Debug)]
pub struct PartitionRead<T> {
    pub entries: Vec<T>,
    pub skipped_lines: usize,
    /// False when the file ends in a torn line: the next append must start on a new line.
    pub ends_cleanly: bool,
}

pub fn partition_path(date: &str) -> String {
    format!("{LOG_DIR}/{date}.jsonl")
}

/// Partition dates (`YYYY-MM-DD`), oldest first.
pub async fn partitions(storage: &impl Storage) -> Result<Vec<String>, SelftuneError> {
    let names = storage
        .list(LOG_DIR)
        .await
        .map_err(|e| SelftuneError::storage("list", LOG_DIR, e))?;
    let mut dates: Vec<String> = names
        .into_iter()
        .filter_map(|name| name.strip_suffix(".jsonl").map(str::to_owned))
        .filter(|date| is_partition_date(date))
        .collect();
    dates.sort();
    Ok(dates)
}

fn is_partition_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, byte)| match i {
            4 | 7 => *byte == b'-',
            _ => byte.is_ascii_digit(),
        })
}

/// Reads one partition, skipping (and reporting through `log`) lines that do not parse.
pub async fn read_partition<T: DeserializeOwned>(
    storage: &impl Storage,
    log: &impl LogSink,
    date: &str,
) -> Result<PartitionRead<T>, SelftuneError> {
    let path = partition_path(date);
    let text = storage
        .read(&path)
        .await
        .map_err(|e| SelftuneError::storage("read", &path, e))?
        .unwrap_or_default();
    Ok(parse_partition(&path, &text, log))
}

pub fn parse_partition<T: DeserializeOwned>(
    path: &str,
    text: &str,
    log: &impl LogSink,
) -> PartitionRead<T> {
    let ends_cleanly = text.is_empty() || text.ends_with('\n');
    let line_count = text.split('\n').count();
    let mut entries = Vec::new();
    let mut skipped_lines = 0;
    for (index, line) in text.split('\n').enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<T>(line) {
            Ok(entry) => entries.push(entry),
            Err(error) => {
                skipped_lines += 1;
                let what = if index + 1 == line_count {
                    "a torn last record (a crash during an append?)"
                } else {
                    "an unreadable record"
                };
                log.log(
                    LogLevel::Warn,
                    &format!("{path} line {}: skipped {what}: {error}", index + 1),
                );
            }
        }
    }
    PartitionRead {
        entries,
        skipped_lines,
        ends_cleanly,
    }
}

/// Appends one value as one JSON line. `after_torn_tail` starts it on a fresh line first, so a
/// torn line left by a crash never swallows it.
pub async fn append_json_line(
    storage: &impl Storage,
    path: &str,
    value: &impl Serialize,
    after_torn_tail: bool,
) -> Result<(), SelftuneError> {
    let json = serde_json::to_string(value)
        .map_err(|e| SelftuneError::storage("encode a record for", path, e.to_string()))?;
    let mut line = String::with_capacity(json.len() + 2);
    if after_torn_tail {
        line.push('\n');
    }
    line.push_str(&json);
    line.push('\n');
    storage
        .append(path, &line)
        .await
        .map_err(|e| SelftuneError::storage("append to", path, e))
}

/// Whether a JSONL file is missing, empty, or ends with a newline.
pub async fn ends_cleanly(storage: &impl Storage, path: &str) -> Result<bool, SelftuneError> {
    let text = storage
        .read(path)
        .await
        .map_err(|e| SelftuneError::storage("read", path, e))?;
    Ok(text.is_none_or(|text| text.is_empty() || text.ends_with('\n')))
}
