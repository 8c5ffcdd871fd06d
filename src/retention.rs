//! Retention: day partitions of the example log older than `retentionDays` are removed.
//!
//! A partition goes once its whole day is more than `retentionDays` days in the past, so nothing
//! younger than that is ever removed. Retention runs when a handle opens and on the first capture
//! of each UTC day. Tombstones of forgotten examples are kept.

use serde::{Deserialize, Serialize};

use crate::audit::AuditEvent;
use crate::error::SelftuneError;
use crate::handle::Selftune;
use crate::host::Host;
use crate::store::{self, IndexEntry};
use crate::time::utc_date;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct RetentionReport {
    /// Dates (`YYYY-MM-DD`) of the partitions removed.
    pub removed_partitions: Vec<String>,
    pub removed_examples: u64,
}

const DAY_MS: u64 = 86_400_000;

impl<H: Host> Selftune<H> {
    /// Removes partitions past the retention period; does nothing without `retentionDays`.
    pub async fn apply_retention(&self) -> Result<RetentionReport, SelftuneError> {
        let now = self.host.now_ms();
        self.index.borrow_mut().retention_day = Some(utc_date(now));
        let Some(days) = self.config.retention_days else {
            return Ok(RetentionReport::default());
        };
        let cutoff = utc_date(now.saturating_sub(u64::from(days) * DAY_MS));
        let mut report = RetentionReport::default();
        {
            let _guard = self.log_lock.lock().await;
            for date in store::partitions(&self.host).await? {
                if date.as_str() >= cutoff.as_str() {
                    continue;
                }
                let read =
                    store::read_partition::<IndexEntry>(&self.host, &self.host, &date).await?;
                let examples = read
                    .entries
                    .iter()
                    .filter(|entry| entry.entry_type == "example")
                    .count() as u64;
                let path = store::partition_path(&date);
                self.host
                    .remove(&path)
                    .await
                    .map_err(|e| SelftuneError::storage("remove", &path, e))?;
                self.audit_event(AuditEvent::Pruned {
                    partition: date.clone(),
                    examples,
                })
                .await;
                report.removed_examples += examples;
                report.removed_partitions.push(date);
            }
        }
        if !report.removed_partitions.is_empty() {
            // Removed contents may be captured afresh: forget their hashes.
            self.rebuild_index().await?;
        }
        Ok(report)
    }
}
