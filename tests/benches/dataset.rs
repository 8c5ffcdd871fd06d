//! Dataset build time and peak memory: `cargo bench --bench dataset [-- N ...]` (default 10000
//! and 100000 examples of about 20 KB). Each size generates a log on disk through the capture
//! path (about 1,000 examples per day), then times `build_dataset` into another folder, printing
//! the wall time and the process's peak resident memory during the build (Linux `VmHWM`, reset
//! before the build through `/proc/self/clear_refs`).

use std::cell::Cell;
use std::fs;
use std::future::Future;
use std::io::Write as _;
use std::path::PathBuf;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use selftune::config::SelftuneConfig;
use selftune::dataset::options::BuildOptions;
use selftune::handle::Selftune;
use selftune::host::{
    Clock, Http, HttpRequest, HttpResponse, LogLevel, LogSink, PortError, Storage,
};

struct DiskHost {
    root: PathBuf,
    now: Cell<u64>,
}

fn io(error: std::io::Error) -> PortError {
    PortError::new(error.to_string())
}

impl Storage for DiskHost {
    async fn read(&self, path: &str) -> Result<Option<String>, PortError> {
        match fs::read_to_string(self.root.join(path)) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(e)),
        }
    }
    async fn write(&self, path: &str, contents: &str) -> Result<(), PortError> {
        let file = self.root.join(path);
        fs::create_dir_all(file.parent().unwrap()).map_err(io)?;
        let temp = file.with_extension("tmp");
        fs::write(&temp, contents).map_err(io)?;
        fs::rename(temp, file).map_err(io)
    }
    async fn append(&self, path: &str, contents: &str) -> Result<(), PortError> {
        let file = self.root.join(path);
        fs::create_dir_all(file.parent().unwrap()).map_err(io)?;
        let mut handle = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(file)
            .map_err(io)?;
        handle.write_all(contents.as_bytes()).map_err(io)
    }
    async fn list(&self, dir: &str) -> Result<Vec<String>, PortError> {
        let Ok(entries) = fs::read_dir(self.root.join(dir)) else {
            return Ok(Vec::new());
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        Ok(names)
    }
    async fn remove(&self, path: &str) -> Result<(), PortError> {
        match fs::remove_file(self.root.join(path)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(e)),
            _ => Ok(()),
        }
    }
}

impl Clock for DiskHost {
    fn now_ms(&self) -> u64 {
        self.now.get()
    }
    async fn sleep(&self, ms: u64) {
        self.now.set(self.now.get() + ms);
    }
}

impl LogSink for DiskHost {
    fn log(&self, level: LogLevel, message: &str) {
        if level == LogLevel::Error {
            eprintln!("{message}");
        }
    }
}

impl Http for DiskHost {
    async fn send(&self, _: HttpRequest) -> Result<HttpResponse, PortError> {
        Err(PortError::new("no network in the benchmark"))
    }
}

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

/// Plugin-like code of about `bytes` bytes, distinct per seed.
fn code(seed: u64, bytes: usize) -> String {
    const WORDS: [&str; 24] = [
        "runtime", "message", "state", "callback", "reply", "content", "text", "agent", "memory",
        "fetch", "response", "json", "settings", "value", "result", "items", "filter", "map",
        "await", "error", "logger", "options", "config", "handler",
    ];
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out = String::with_capacity(bytes + 100);
    let mut line = 0;
    while out.len() < bytes {
        let a = WORDS[(next() % 24) as usize];
        let b = WORDS[(next() % 24) as usize];
        let c = WORDS[(next() % 24) as usize];
        let d = WORDS[(next() % 24) as usize];
        // Mostly words, like real code: the token estimate counts every digit as a token.
        out.push_str(&format!(
            "  const {a}{}{} = await {b}.{c}(runtime, '{d} {a}', {{ {c}: {b} }});\n",
            c[..1].to_uppercase(),
            &c[1..],
        ));
        line += 1;
        if line % 8 == 0 {
            out.push_str(&format!(
                "  if (!{a}) {{ logger.warn('no {d} for {b}'); return; }}\n"
            ));
        }
    }
    out
}

fn event(i: u64) -> serde_json::Value {
    serde_json::json!({
        "originalRequest": format!("Create an ElizaOS plugin number {i} that summarizes the channel and replies with a digest."),
        "executionTime": 12_000,
        "outcome": {
            "success": true,
            "pluginName": format!("plugin-digest-{i}"),
            "files": [
                { "path": "src/index.ts", "content": code(i * 4, 6_000) },
                { "path": "src/actions/digest.ts", "content": code(i * 4 + 1, 6_000) },
                { "path": "src/providers/channel.ts", "content": code(i * 4 + 2, 5_000) },
                { "path": "src/__tests__/digest.test.ts", "content": code(i * 4 + 3, 3_000) }
            ]
        }
    })
}

fn peak_resident_kib() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let sizes: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![10_000, 100_000]
    } else {
        sizes
    };
    for n in sizes {
        let root =
            std::env::temp_dir().join(format!("selftune-bench-dataset-{n}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let host = DiskHost {
            root: root.clone(),
            now: Cell::new(1_790_000_000_000),
        };
        let selftune = block_on(Selftune::open(host, SelftuneConfig::default())).unwrap();
        let started = Instant::now();
        for i in 0..n {
            // About a thousand examples per day, so the log has realistic partitions.
            selftune.host().now.set(1_790_000_000_000 + i * 86_400);
            block_on(selftune.on_plugin_success(event(i))).unwrap();
        }
        let log_bytes: u64 = fs::read_dir(root.join("examples"))
            .unwrap()
            .filter_map(|e| e.ok()?.metadata().ok())
            .map(|m| m.len())
            .sum();
        let generated = started.elapsed();

        let _ = fs::write("/proc/self/clear_refs", "5");
        let started = Instant::now();
        let manifest = block_on(selftune.build_dataset(&BuildOptions::default())).unwrap();
        let built = started.elapsed();
        let peak = peak_resident_kib();
        let written: Vec<String> = manifest
            .profiles
            .iter()
            .map(|p| {
                format!(
                    "{} {}",
                    p.name,
                    p.counts.train + p.counts.validation + p.counts.test
                )
            })
            .collect();
        println!(
            "build_dataset, {n} examples ({:.0} MB of log, generated in {:.1} s): {:.2} s, peak memory {} ({})",
            log_bytes as f64 / 1e6,
            generated.as_secs_f64(),
            built.as_secs_f64(),
            peak.map_or("unknown".to_owned(), |kib| format!("{:.0} MB", kib as f64 / 1024.0)),
            written.join(", ")
        );
        let _ = fs::remove_dir_all(&root);
    }
}
impl selftune::host::SyntaxCheck for DiskHost {}
