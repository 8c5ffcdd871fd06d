//! In-memory fakes of the ports, a simulated clock and a tiny executor for native tests.
#![allow(dead_code)]

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

pub mod pipeline_fixtures;
pub mod planted;

use selftune::host::{
    Clock, Http, HttpRequest, HttpResponse, LogLevel, LogSink, PortError, Storage,
};

/// Storage in a map, a clock that only moves when told (or when something sleeps), and a log
/// that remembers every line. Storage calls yield once before completing, so concurrent callers
/// really interleave.
#[derive(Default)]
pub struct MemoryHost {
    pub files: RefCell<BTreeMap<String, String>>,
    pub now: Cell<u64>,
    pub logs: RefCell<Vec<(LogLevel, String)>>,
    /// Fail every append whose path contains this text.
    pub fail_appends_to: RefCell<Option<String>>,
    pub responses: RefCell<Vec<HttpResponse>>,
    pub requests: RefCell<Vec<HttpRequest>>,
}

/// 2026-11-26T12:00:00Z
pub const NOON_2026_11_26: u64 = 1_795_694_400_000;

impl MemoryHost {
    pub fn new() -> Self {
        let host = MemoryHost::default();
        host.now.set(NOON_2026_11_26);
        host
    }

    pub fn advance(&self, ms: u64) {
        self.now.set(self.now.get() + ms);
    }

    pub fn file(&self, path: &str) -> Option<String> {
        self.files.borrow().get(path).cloned()
    }

    pub fn set_file(&self, path: &str, contents: &str) {
        self.files
            .borrow_mut()
            .insert(path.to_owned(), contents.to_owned());
    }

    pub fn warnings(&self) -> Vec<String> {
        self.logs
            .borrow()
            .iter()
            .filter(|(level, _)| *level == LogLevel::Warn)
            .map(|(_, line)| line.clone())
            .collect()
    }
}

impl Storage for MemoryHost {
    async fn read(&self, path: &str) -> Result<Option<String>, PortError> {
        YieldOnce::default().await;
        Ok(self.file(path))
    }

    async fn write(&self, path: &str, contents: &str) -> Result<(), PortError> {
        YieldOnce::default().await;
        self.set_file(path, contents);
        Ok(())
    }

    async fn append(&self, path: &str, contents: &str) -> Result<(), PortError> {
        YieldOnce::default().await;
        if let Some(needle) = self.fail_appends_to.borrow().as_deref() {
            if path.contains(needle) {
                // Like a disk that filled up mid-write: half the line lands.
                let half: String = contents
                    .chars()
                    .take(contents.chars().count() / 2)
                    .collect();
                self.files
                    .borrow_mut()
                    .entry(path.to_owned())
                    .or_default()
                    .push_str(&half);
                return Err(PortError::new(format!(
                    "ENOSPC: no space left on device, write '{path}'"
                )));
            }
        }
        self.files
            .borrow_mut()
            .entry(path.to_owned())
            .or_default()
            .push_str(contents);
        Ok(())
    }

    async fn list(&self, dir: &str) -> Result<Vec<String>, PortError> {
        YieldOnce::default().await;
        let prefix = format!("{dir}/");
        Ok(self
            .files
            .borrow()
            .keys()
            .filter_map(|path| path.strip_prefix(&prefix))
            .filter(|rest| !rest.contains('/'))
            .map(str::to_owned)
            .collect())
    }

    async fn remove(&self, path: &str) -> Result<(), PortError> {
        YieldOnce::default().await;
        self.files.borrow_mut().remove(path);
        Ok(())
    }
}

impl Clock for MemoryHost {
    fn now_ms(&self) -> u64 {
        self.now.get()
    }

    async fn sleep(&self, ms: u64) {
        self.advance(ms);
    }
}

impl LogSink for MemoryHost {
    fn log(&self, level: LogLevel, message: &str) {
        self.logs.borrow_mut().push((level, message.to_owned()));
    }
}

impl Http for MemoryHost {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, PortError> {
        self.requests.borrow_mut().push(request);
        let mut responses = self.responses.borrow_mut();
        if responses.is_empty() {
            return Err(PortError::new("connection refused"));
        }
        Ok(responses.remove(0))
    }
}

/// Pending once, then ready: a stand-in for a real I/O wait.
#[derive(Default)]
pub struct YieldOnce {
    yielded: bool,
}

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            Poll::Ready(())
        } else {
            self.yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// Runs one future to completion (the fakes never block, so polling in a loop is enough).
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

/// Runs many futures concurrently, round-robin, like JS awaiting `Promise.all`.
pub fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    let mut cx = Context::from_waker(Waker::noop());
    while outputs.iter().any(Option::is_none) {
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
                    *output = Some(value);
                }
            }
        }
    }
    outputs.into_iter().map(Option::unwrap).collect()
}

/// Runs two different futures concurrently, polling them in turn.
pub fn join2<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let mut a = std::pin::pin!(a);
    let mut b = std::pin::pin!(b);
    let (mut out_a, mut out_b) = (None, None);
    let mut cx = Context::from_waker(Waker::noop());
    while out_a.is_none() || out_b.is_none() {
        if out_a.is_none() {
            if let Poll::Ready(value) = a.as_mut().poll(&mut cx) {
                out_a = Some(value);
            }
        }
        if out_b.is_none() {
            if let Poll::Ready(value) = b.as_mut().poll(&mut cx) {
                out_b = Some(value);
            }
        }
    }
    (out_a.unwrap(), out_b.unwrap())
}

/// A host for timing tests: its clock moves only when every task waits. `sleep` and scripted HTTP
/// delays are timers; `run` polls a future and, whenever it is stuck, moves the clock to the next
/// timer. So a request that takes 70 s against a 60 s timeout really times out, in no real time.
pub struct SimHost {
    pub now: Cell<u64>,
    timers: RefCell<Vec<u64>>,
    pub script: RefCell<std::collections::VecDeque<SimReply>>,
    /// Every request, with the simulated time it was sent.
    pub sent: RefCell<Vec<(u64, HttpRequest)>>,
    /// Every `sleep` asked for, in milliseconds.
    pub sleeps: RefCell<Vec<u64>>,
    pub logs: RefCell<Vec<(LogLevel, String)>>,
}

/// What the next request gets.
pub enum SimReply {
    /// This response, after `after_ms`.
    Respond {
        after_ms: u64,
        response: HttpResponse,
    },
    /// A port failure (connection refused, reset), after `after_ms`.
    Fail { after_ms: u64, message: String },
    /// Never answers.
    Hang,
}

/// A response with lower-case header names.
pub fn http_response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: headers
            .iter()
            .map(|(name, value)| (name.to_ascii_lowercase(), (*value).to_owned()))
            .collect(),
        body: body.as_bytes().to_vec(),
    }
}

impl Default for SimHost {
    fn default() -> Self {
        SimHost::new()
    }
}

impl SimHost {
    pub fn new() -> Self {
        SimHost {
            now: Cell::new(NOON_2026_11_26),
            timers: RefCell::new(Vec::new()),
            script: RefCell::new(std::collections::VecDeque::new()),
            sent: RefCell::new(Vec::new()),
            sleeps: RefCell::new(Vec::new()),
            logs: RefCell::new(Vec::new()),
        }
    }

    /// Queues an immediate response.
    pub fn respond(&self, status: u16, body: &str) -> &Self {
        self.respond_with(status, &[], body)
    }

    pub fn respond_with(&self, status: u16, headers: &[(&str, &str)], body: &str) -> &Self {
        self.push(SimReply::Respond {
            after_ms: 0,
            response: http_response(status, headers, body),
        })
    }

    pub fn push(&self, reply: SimReply) -> &Self {
        self.script.borrow_mut().push_back(reply);
        self
    }

    /// Milliseconds since the host was created, at which each request was sent.
    pub fn send_times(&self) -> Vec<u64> {
        self.sent
            .borrow()
            .iter()
            .map(|(at, _)| at - NOON_2026_11_26)
            .collect()
    }

    pub fn elapsed(&self) -> u64 {
        self.now.get() - NOON_2026_11_26
    }

    /// Runs `future` to completion on the simulated clock.
    pub fn run<F: Future>(&self, future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                return output;
            }
            let now = self.now.get();
            let next = self
                .timers
                .borrow()
                .iter()
                .copied()
                .filter(|&t| t > now)
                .min();
            match next {
                Some(next) => {
                    self.now.set(next);
                    self.timers.borrow_mut().retain(|&t| t > next);
                }
                None => panic!("the future waits for nothing the simulated clock can reach"),
            }
        }
    }

    fn timer(&self, ms: u64) -> SimTimer<'_> {
        SimTimer {
            host: self,
            deadline: self.now.get().saturating_add(ms),
        }
    }
}

pub struct SimTimer<'a> {
    host: &'a SimHost,
    deadline: u64,
}

impl Future for SimTimer<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if self.host.now.get() >= self.deadline {
            Poll::Ready(())
        } else {
            self.host.timers.borrow_mut().push(self.deadline);
            Poll::Pending
        }
    }
}

impl Clock for SimHost {
    fn now_ms(&self) -> u64 {
        self.now.get()
    }

    async fn sleep(&self, ms: u64) {
        self.sleeps.borrow_mut().push(ms);
        self.timer(ms).await;
    }
}

impl LogSink for SimHost {
    fn log(&self, level: LogLevel, message: &str) {
        self.logs.borrow_mut().push((level, message.to_owned()));
    }
}

impl Http for SimHost {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, PortError> {
        self.sent.borrow_mut().push((self.now.get(), request));
        let next = self.script.borrow_mut().pop_front();
        match next {
            None => Err(PortError::new("connection refused (nothing scripted)")),
            Some(SimReply::Respond { after_ms, response }) => {
                self.timer(after_ms).await;
                Ok(response)
            }
            Some(SimReply::Fail { after_ms, message }) => {
                self.timer(after_ms).await;
                Err(PortError::new(message))
            }
            Some(SimReply::Hang) => std::future::pending().await,
        }
    }
}
pub mod together_fake;
impl selftune::host::SyntaxCheck for MemoryHost {}
impl selftune::host::SyntaxCheck for SimHost {}
