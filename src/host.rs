//! The ports: everything the core needs from the outside world.
//!
//! The core is generic over one [`Host`]. On wasm the host is an adapter over the JS object the
//! shim passes in (`{ fetch, storage, now, sleep, log }`); native tests use in-memory fakes with a
//! clock they can advance. The traits use `async fn` without `Send` bounds on purpose: a JS host is
//! single-threaded and its handles are `!Send`.
#![allow(async_fn_in_trait)]

use std::fmt;

/// A failure reported by a port (a rejected JS promise, an I/O error). The message comes from the
/// host and must never carry secrets: hosts report paths and causes, not payloads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortError {
    pub message: String,
}

impl PortError {
    pub fn new(message: impl Into<String>) -> Self {
        PortError {
            message: message.into(),
        }
    }
}

impl fmt::Display for PortError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    /// Header names are lower-case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
    }
}

pub trait Http {
    /// Sends one request. An HTTP error status is a response, not an `Err`; `Err` means the request
    /// never got an answer (connection refused, DNS, aborted).
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, PortError>;
}

/// Text files addressed by relative paths with `/` separators (`examples/2026-11-26.jsonl`).
pub trait Storage {
    /// The whole file, or `None` when it does not exist.
    async fn read(&self, path: &str) -> Result<Option<String>, PortError>;
    /// Atomic replace: readers see the old or the new contents, never a mix.
    async fn write(&self, path: &str, contents: &str) -> Result<(), PortError>;
    /// Durable append, creating the file (and its folders) when missing.
    async fn append(&self, path: &str, contents: &str) -> Result<(), PortError>;
    /// Names of the files directly inside `dir`, sorted; empty when `dir` does not exist.
    async fn list(&self, dir: &str) -> Result<Vec<String>, PortError>;
    /// Removes a file; removing a missing file is not an error.
    async fn remove(&self, path: &str) -> Result<(), PortError>;
}

pub trait Clock {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
    async fn sleep(&self, ms: u64);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Debug,
    Info,
    Warn,
    Error,
}

impl LogLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Warn => "warn",
            LogLevel::Error => "error",
        }
    }
}

pub trait LogSink {
    fn log(&self, level: LogLevel, message: &str);
}

/// The outcome of a syntax check by a real parser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyntaxOutcome {
    Parses,
    /// The parser's first error.
    Fails(String),
}

/// An optional port: a real parser for languages the core cannot parse itself (TypeScript,
/// JavaScript). The shim implements it with esbuild when that package is installed; a host without
/// a parser answers `None` and evaluation reports the language as unchecked rather than guessing.
pub trait SyntaxCheck {
    fn parse_check(&self, _language: &str, _code: &str) -> Option<SyntaxOutcome> {
        None
    }
}

/// Everything a host supplies.
pub trait Host: Http + Storage + Clock + LogSink + SyntaxCheck {}

impl<T: Http + Storage + Clock + LogSink + SyntaxCheck> Host for T {}

impl<T: SyntaxCheck + ?Sized> SyntaxCheck for &T {
    fn parse_check(&self, language: &str, code: &str) -> Option<SyntaxOutcome> {
        (**self).parse_check(language, code)
    }
}

// A borrowed host is a host: the pipeline lends the handle's host to a Together client.
impl<T: Http + ?Sized> Http for &T {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, PortError> {
        (**self).send(request).await
    }
}

impl<T: Clock + ?Sized> Clock for &T {
    fn now_ms(&self) -> u64 {
        (**self).now_ms()
    }

    async fn sleep(&self, ms: u64) {
        (**self).sleep(ms).await
    }
}

impl<T: LogSink + ?Sized> LogSink for &T {
    fn log(&self, level: LogLevel, message: &str) {
        (**self).log(level, message)
    }
}

impl<T: Storage + ?Sized> Storage for &T {
    async fn read(&self, path: &str) -> Result<Option<String>, PortError> {
        (**self).read(path).await
    }

    async fn write(&self, path: &str, contents: &str) -> Result<(), PortError> {
        (**self).write(path, contents).await
    }

    async fn append(&self, path: &str, contents: &str) -> Result<(), PortError> {
        (**self).append(path, contents).await
    }

    async fn list(&self, dir: &str) -> Result<Vec<String>, PortError> {
        (**self).list(dir).await
    }

    async fn remove(&self, path: &str) -> Result<(), PortError> {
        (**self).remove(path).await
    }
}
