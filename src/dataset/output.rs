//! Where dataset files go: a folder inside the host's storage, or a storage of its own (the CLI's
//! `--out DIR`), written in large appends so a big dataset costs few syscalls and no extra memory.

use crate::error::SelftuneError;
use crate::host::{PortError, Storage};

/// A storage seen through a folder of another one.
pub struct Prefixed<'a, S: Storage> {
    inner: &'a S,
    prefix: String,
}

impl<'a, S: Storage> Prefixed<'a, S> {
    pub fn new(inner: &'a S, prefix: &str) -> Self {
        Prefixed {
            inner,
            prefix: prefix.trim_matches('/').to_owned(),
        }
    }

    fn path(&self, path: &str) -> String {
        if self.prefix.is_empty() {
            path.to_owned()
        } else {
            format!("{}/{path}", self.prefix)
        }
    }
}

impl<S: Storage> Storage for Prefixed<'_, S> {
    async fn read(&self, path: &str) -> Result<Option<String>, PortError> {
        self.inner.read(&self.path(path)).await
    }

    async fn write(&self, path: &str, contents: &str) -> Result<(), PortError> {
        self.inner.write(&self.path(path), contents).await
    }

    async fn append(&self, path: &str, contents: &str) -> Result<(), PortError> {
        self.inner.append(&self.path(path), contents).await
    }

    async fn list(&self, dir: &str) -> Result<Vec<String>, PortError> {
        self.inner.list(&self.path(dir)).await
    }

    async fn remove(&self, path: &str) -> Result<(), PortError> {
        self.inner.remove(&self.path(path)).await
    }
}

/// Buffers lines for one file and appends them in chunks of about a megabyte.
pub struct LineWriter {
    pub path: String,
    buffer: String,
}

const FLUSH_BYTES: usize = 1 << 20;

impl LineWriter {
    pub fn new(path: String) -> Self {
        LineWriter {
            path,
            buffer: String::new(),
        }
    }

    /// Starts the file empty.
    pub async fn reset(&self, out: &impl Storage) -> Result<(), SelftuneError> {
        out.remove(&self.path)
            .await
            .map_err(|e| SelftuneError::storage("remove", &self.path, e))?;
        out.append(&self.path, "")
            .await
            .map_err(|e| SelftuneError::storage("create", &self.path, e))
    }

    pub async fn push(&mut self, out: &impl Storage, line: &str) -> Result<(), SelftuneError> {
        self.buffer.push_str(line);
        self.buffer.push('\n');
        if self.buffer.len() >= FLUSH_BYTES {
            self.flush(out).await?;
        }
        Ok(())
    }

    pub async fn flush(&mut self, out: &impl Storage) -> Result<(), SelftuneError> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        out.append(&self.path, &self.buffer)
            .await
            .map_err(|e| SelftuneError::storage("append to", &self.path, e))?;
        self.buffer.clear();
        Ok(())
    }
}
