//! The selftune handle: one host, one configuration, and what it remembers between calls.
//!
//! Its operations live beside their concern: capturing in `capture.rs`, forgetting in
//! `forget.rs`, retention in `retention.rs`.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use crate::audit::{self, AuditEntry, AuditEvent};
use crate::config::SelftuneConfig;
use crate::error::SelftuneError;
use crate::forget;
use crate::host::{Host, LogLevel};
use crate::lock::AsyncLock;
use crate::redact::RedactionOptions;
use crate::stats::{self, LogStats};
use crate::store::{self, IndexEntry};
use crate::time::utc_date;
use crate::tokens::{TokenCounter, TokenizerRegistry};

/// What the handle knows about the log, kept in step with every write.
#[derive(Default)]
pub(crate) struct LogIndex {
    /// Content hash -> id of the stored example.
    pub id_by_hash: HashMap<String, String>,
    /// Content hashes of forgotten examples: never stored again.
    pub forgotten: HashSet<String>,
    /// JSONL files whose last line is torn: the next append starts on a fresh line.
    pub torn_paths: HashSet<String>,
    /// The day retention last ran for.
    pub retention_day: Option<String>,
}

/// A selftune handle. Calls may overlap (JS awaits them concurrently): the index is updated before
/// each await, and appends and rewrites of the log take `log_lock`.
pub struct Selftune<H: Host> {
    pub(crate) host: H,
    pub(crate) config: SelftuneConfig,
    pub(crate) index: RefCell<LogIndex>,
    pub(crate) log_lock: AsyncLock,
    /// Taken by each pipeline step, so steps and cancels of this handle never interleave.
    pub(crate) pipeline_lock: AsyncLock,
    /// Replaced, never mutated in place: readers keep the snapshot they started with.
    pub(crate) tokenizers: RefCell<Rc<TokenizerRegistry>>,
}

impl<H: Host> Selftune<H> {
    /// Opens the example log, rebuilds the duplicate index from it, and applies retention.
    pub async fn open(host: H, config: SelftuneConfig) -> Result<Self, SelftuneError> {
        config.validate()?;
        let selftune = Selftune {
            host,
            config,
            index: RefCell::new(LogIndex::default()),
            log_lock: AsyncLock::default(),
            pipeline_lock: AsyncLock::default(),
            tokenizers: RefCell::new(Rc::new(TokenizerRegistry::default())),
        };
        selftune.rebuild_index().await?;
        let forgotten = forget::read_tombstones(&selftune.host).await?;
        selftune.index.borrow_mut().forgotten = forgotten;
        let today_audit = audit::audit_path(&utc_date(selftune.host.now_ms()));
        if !store::ends_cleanly(&selftune.host, &today_audit).await? {
            selftune.index.borrow_mut().torn_paths.insert(today_audit);
        }
        selftune.apply_retention().await?;
        Ok(selftune)
    }

    pub fn host(&self) -> &H {
        &self.host
    }

    pub fn config(&self) -> &SelftuneConfig {
        &self.config
    }

    /// Counts tokens for `model_id` with `counter` from now on.
    pub fn register_tokenizer(&self, model_id: &str, counter: Box<dyn TokenCounter>) {
        let mut registry = TokenizerRegistry::clone(&self.tokenizers.borrow());
        registry.register(model_id, counter);
        *self.tokenizers.borrow_mut() = Rc::new(registry);
    }

    /// The counters in force now.
    pub fn tokenizers(&self) -> Rc<TokenizerRegistry> {
        Rc::clone(&self.tokenizers.borrow())
    }

    pub(crate) fn redaction_options(&self) -> RedactionOptions {
        RedactionOptions {
            redact_emails: self.config.redact_emails,
            redact_phone_numbers: self.config.redact_phone_numbers,
        }
    }

    pub async fn stats(&self) -> Result<LogStats, SelftuneError> {
        stats::collect(&self.host).await
    }

    /// The audit log, oldest first; with `limit`, only the newest `limit` entries.
    pub async fn audit(&self, limit: Option<usize>) -> Result<Vec<AuditEntry>, SelftuneError> {
        let mut entries = audit::read_all(&self.host).await?;
        if let Some(limit) = limit {
            let skip = entries.len().saturating_sub(limit);
            entries.drain(..skip);
        }
        Ok(entries)
    }

    /// Reads every partition to learn which contents are stored and which files end torn.
    pub(crate) async fn rebuild_index(&self) -> Result<(), SelftuneError> {
        let mut id_by_hash = HashMap::new();
        let mut torn = Vec::new();
        for date in store::partitions(&self.host).await? {
            let read = store::read_partition::<IndexEntry>(&self.host, &self.host, &date).await?;
            if !read.ends_cleanly {
                torn.push(store::partition_path(&date));
            }
            for entry in read.entries {
                if let (Some(id), Some(hash)) = (entry.id, entry.content_hash) {
                    if entry.entry_type == "example" {
                        id_by_hash.entry(hash).or_insert(id);
                    }
                }
            }
        }
        let mut index = self.index.borrow_mut();
        index.id_by_hash = id_by_hash;
        index
            .torn_paths
            .retain(|path| !path.starts_with(store::LOG_DIR));
        index.torn_paths.extend(torn);
        Ok(())
    }

    /// Appends one JSON line to `path`, first closing a torn last line if there is one. A failed
    /// append may leave a partial line, so the file is then marked torn.
    pub(crate) async fn append_line(
        &self,
        path: &str,
        value: &impl serde::Serialize,
    ) -> Result<(), SelftuneError> {
        let after_torn_tail = self.index.borrow_mut().torn_paths.remove(path);
        let result = store::append_json_line(&self.host, path, value, after_torn_tail).await;
        if result.is_err() {
            self.index.borrow_mut().torn_paths.insert(path.to_owned());
        }
        result
    }

    /// Records an operation in the audit log. The operation already happened, so a failure here
    /// is logged rather than returned.
    pub(crate) async fn audit_event(&self, event: AuditEvent) {
        let entry = AuditEntry {
            at: self.host.now_ms(),
            event,
        };
        let path = audit::audit_path(&utc_date(entry.at));
        if let Err(error) = self.append_line(&path, &entry).await {
            self.host.log(LogLevel::Error, &error.message);
        }
    }
}
