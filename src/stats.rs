//! A summary of the example log, for `selftune stats` and the handle's `stats()`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::SelftuneError;
use crate::host::{LogSink, Storage};
use crate::store::{self, LogEntry};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct LogStats {
    /// Distinct examples stored.
    pub examples: u64,
    /// Events that repeated a stored example (counted, not stored).
    pub duplicates: u64,
    /// Examples per kind (`plugin`, `mcp`).
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, number>"))]
    pub by_kind: BTreeMap<String, u64>,
    /// Examples per quality score (`"0.8"`, `"0.9"`, `"1.0"`).
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, number>"))]
    pub by_quality: BTreeMap<String, u64>,
    /// Mean quality score, or null when the log is empty.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub mean_quality: Option<f64>,
    pub files: u64,
    /// UTF-8 bytes of file contents.
    pub content_bytes: u64,
    pub partitions: u64,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub first_captured_at: Option<u64>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub last_captured_at: Option<u64>,
    /// Lines that could not be read (torn or corrupt) and were skipped.
    pub skipped_lines: u64,
}

pub async fn collect(host: &(impl Storage + LogSink)) -> Result<LogStats, SelftuneError> {
    let mut stats = LogStats {
        examples: 0,
        duplicates: 0,
        by_kind: BTreeMap::new(),
        by_quality: BTreeMap::new(),
        mean_quality: None,
        files: 0,
        content_bytes: 0,
        partitions: 0,
        first_captured_at: None,
        last_captured_at: None,
        skipped_lines: 0,
    };
    let mut quality_sum = 0.0;
    for date in store::partitions(host).await? {
        let read = store::read_partition::<LogEntry>(host, host, &date).await?;
        stats.partitions += 1;
        stats.skipped_lines += read.skipped_lines as u64;
        for entry in read.entries {
            match entry {
                LogEntry::Example(record) => {
                    stats.examples += 1;
                    *stats
                        .by_kind
                        .entry(record.kind.as_str().to_owned())
                        .or_default() += 1;
                    *stats
                        .by_quality
                        .entry(format!("{:.1}", record.quality.score))
                        .or_default() += 1;
                    quality_sum += record.quality.score;
                    stats.files += record.files.len() as u64;
                    stats.content_bytes += record
                        .files
                        .iter()
                        .map(|file| file.content.len() as u64)
                        .sum::<u64>();
                    stats.first_captured_at = Some(
                        stats
                            .first_captured_at
                            .map_or(record.captured_at, |t| t.min(record.captured_at)),
                    );
                    stats.last_captured_at = Some(
                        stats
                            .last_captured_at
                            .map_or(record.captured_at, |t| t.max(record.captured_at)),
                    );
                }
                LogEntry::Duplicate(_) => stats.duplicates += 1,
            }
        }
    }
    if stats.examples > 0 {
        let mean = quality_sum / stats.examples as f64;
        stats.mean_quality = Some((mean * 1000.0).round() / 1000.0);
    }
    Ok(stats)
}
