//! A host whose HTTP port is a small scripted Together: files that pass validation after two
//! seconds, jobs that run on the simulated clock, prices that grow with steps, and faults queued
//! per route. Storage, clock and log are a `MemoryHost`'s.
#![allow(dead_code)]

use std::cell::{Cell, RefCell};

use serde_json::{json, Value};

use selftune::host::{
    Clock, Http, HttpRequest, HttpResponse, LogLevel, LogSink, PortError, Storage,
};

use super::{http_response, MemoryHost};

/// Job lifecycle on the simulated clock.
pub const QUEUE_MS: u64 = 60_000;
pub const STEP_MS: u64 = 10_000;
pub const TOTAL_STEPS: u64 = 10;

pub struct FakeFile {
    pub id: String,
    pub name: String,
    pub lines: usize,
    pub created_at: u64,
}

pub struct FakeJob {
    pub id: String,
    pub model: String,
    pub suffix: String,
    pub created_at: u64,
    pub cancelled_at: Option<u64>,
    pub body: Value,
}

/// A fault: the next `times` requests whose "METHOD path" starts with `route` get `status`
/// (or, with status 0, no answer at all).
pub struct Fault {
    pub route: String,
    pub status: u16,
    pub times: u32,
    /// For `POST /fine-tunes`: create the job anyway, then fail (the answer is lost).
    pub after_effect: bool,
}

/// Inference and endpoints, when a test turns them on (otherwise those routes answer 404).
#[derive(Debug, Clone)]
pub struct FakeServing {
    /// `(id, cents per minute, availability)`.
    pub hardware: Vec<(String, f64, String)>,
    /// What a dedicated endpoint (the fine-tune) answers.
    pub tuned_reply: String,
    /// What any other model (the base) answers.
    pub base_reply: String,
}

pub struct TogetherFake {
    pub serving: RefCell<Option<FakeServing>>,
    /// Endpoints as Together shows them (`state` moves PENDING -> STARTED on the first look).
    pub endpoints: RefCell<Vec<Value>>,
    pub files: RefCell<Vec<FakeFile>>,
    pub jobs: RefCell<Vec<FakeJob>>,
    pub faults: RefCell<Vec<Fault>>,
    /// Every request as "METHOD path".
    pub log: RefCell<Vec<String>>,
    /// Every Authorization header value seen.
    pub auth: RefCell<Vec<String>>,
    /// Files are judged invalid by server-side validation.
    pub reject_files: Cell<bool>,
    /// Jobs of this model end in `error` once running.
    pub failing_model: RefCell<Option<String>>,
    /// Dollars per job, by model substring ("1.5B", "70B").
    pub estimate_small_usd: Cell<f64>,
    pub estimate_large_usd: Cell<f64>,
    /// What a job is billed per step done, in nano-dollars.
    pub price_per_step_nano: Cell<u64>,
    pub min_batch_size: Cell<u64>,
    pub counter: Cell<u64>,
}

impl Default for TogetherFake {
    fn default() -> Self {
        TogetherFake {
            serving: RefCell::default(),
            endpoints: RefCell::default(),
            files: RefCell::default(),
            jobs: RefCell::default(),
            faults: RefCell::default(),
            log: RefCell::default(),
            auth: RefCell::default(),
            reject_files: Cell::new(false),
            failing_model: RefCell::new(None),
            estimate_small_usd: Cell::new(0.5),
            estimate_large_usd: Cell::new(4.0),
            price_per_step_nano: Cell::new(100_000_000),
            min_batch_size: Cell::new(1),
            counter: Cell::new(0),
        }
    }
}

pub struct PipelineHost {
    pub memory: MemoryHost,
    pub together: TogetherFake,
}

impl Default for PipelineHost {
    fn default() -> Self {
        PipelineHost::new()
    }
}

impl PipelineHost {
    pub fn new() -> Self {
        PipelineHost {
            memory: MemoryHost::new(),
            together: TogetherFake::default(),
        }
    }

    pub fn advance(&self, ms: u64) {
        self.memory.advance(ms);
    }

    /// `POST /fine-tunes` requests received.
    pub fn creations(&self) -> usize {
        self.count("POST /fine-tunes")
    }

    pub fn count(&self, route: &str) -> usize {
        self.together
            .log
            .borrow()
            .iter()
            .filter(|line| *line == route)
            .count()
    }

    pub fn fault(&self, route: &str, status: u16, times: u32) {
        self.together.faults.borrow_mut().push(Fault {
            route: route.to_owned(),
            status,
            times,
            after_effect: false,
        });
    }

    /// The next creation makes the job, then the answer is lost (a 502).
    pub fn lose_next_creation_answer(&self) {
        self.together.faults.borrow_mut().push(Fault {
            route: "POST /fine-tunes".to_owned(),
            status: 502,
            times: 1,
            after_effect: true,
        });
    }

    fn now(&self) -> u64 {
        self.memory.now_ms()
    }

    fn next_id(&self, prefix: &str) -> String {
        let n = self.together.counter.get() + 1;
        self.together.counter.set(n);
        format!("{prefix}-{n:04}")
    }

    fn job_state(&self, job: &FakeJob) -> (String, u64) {
        let now = self.now();
        let until = job.cancelled_at.unwrap_or(now);
        let elapsed = until.saturating_sub(job.created_at);
        let steps = (elapsed.saturating_sub(QUEUE_MS) / STEP_MS).min(TOTAL_STEPS);
        let status = if job.cancelled_at.is_some() {
            "cancelled"
        } else if elapsed < QUEUE_MS / 2 {
            "pending"
        } else if elapsed < QUEUE_MS {
            "queued"
        } else if self.together.failing_model.borrow().as_deref() == Some(job.model.as_str()) {
            "error"
        } else if steps < TOTAL_STEPS {
            "running"
        } else {
            "completed"
        };
        (status.to_owned(), steps)
    }

    fn job_json(&self, job: &FakeJob) -> Value {
        let (status, steps) = self.job_state(job);
        json!({
            "id": job.id, "status": status, "model": job.model, "suffix": job.suffix,
            "created_at": format!("2026-11-26T12:00:{:02}Z", job.created_at % 60),
            "model_output_name": format!("fake/{}-{}", job.model.rsplit('/').next().unwrap_or(""), job.suffix),
            "total_price": steps * self.together.price_per_step_nano.get(),
            "training_file": job.body["training_file"], "n_epochs": job.body["n_epochs"],
        })
    }

    fn route(&self, method: &str, path: &str, query: &str, body: &[u8]) -> (u16, Value) {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        match (method, segments.as_slice()) {
            ("POST", ["files", "upload"]) => {
                let text = String::from_utf8_lossy(body);
                let name = text
                    .split("name=\"file_name\"\r\n\r\n")
                    .nth(1)
                    .and_then(|rest| rest.split("\r\n").next())
                    .unwrap_or("unnamed")
                    .to_owned();
                let id = self.next_id("file");
                let lines = text.matches("\"prompt\"").count();
                self.together.files.borrow_mut().push(FakeFile {
                    id: id.clone(),
                    name: name.clone(),
                    lines,
                    created_at: self.now(),
                });
                (
                    200,
                    json!({ "id": id, "filename": name, "object": "file", "processing_status": "PENDING" }),
                )
            }
            ("GET", ["files"]) => {
                let data: Vec<Value> = self
                    .together
                    .files
                    .borrow()
                    .iter()
                    .map(|f| json!({ "id": f.id, "filename": f.name, "created_at": f.created_at / 1000 }))
                    .collect();
                (200, json!({ "data": data }))
            }
            ("GET", ["files", id]) => {
                let files = self.together.files.borrow();
                let Some(file) = files.iter().find(|f| f.id == *id) else {
                    return (404, json!({ "error": { "message": "no such file" } }));
                };
                let status = if self.now() < file.created_at + 2_000 {
                    "RUNNING"
                } else if self.together.reject_files.get() {
                    "INVALID_FORMAT"
                } else {
                    "COMPLETED"
                };
                (
                    200,
                    json!({ "id": file.id, "filename": file.name, "processing_status": status,
                    "validation_report": { "error": "line 1: missing 'completion'" } }),
                )
            }
            ("GET", ["fine-tunes", "models", "limits"]) => {
                let model = query.split("model_name=").nth(1).unwrap_or("");
                if !model.contains("DeepSeek") {
                    return (
                        404,
                        json!({ "error": { "message": "model not available" } }),
                    );
                }
                (
                    200,
                    json!({
                        "model_name": model, "max_num_epochs": 20, "max_learning_rate": 0.01,
                        "min_learning_rate": 1e-6, "max_seq_length_sft": 32768,
                        "lora_training": { "default_rank": 64, "max_rank": 64, "max_batch_size": 64,
                            "min_batch_size": self.together.min_batch_size.get() },
                        "full_training": { "max_batch_size": 32, "min_batch_size": 8 }
                    }),
                )
            }
            ("POST", ["fine-tunes", "estimate-price"]) => {
                let request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
                let model = request["model"].as_str().unwrap_or("");
                let usd = if model.contains("70B") {
                    self.together.estimate_large_usd.get()
                } else {
                    self.together.estimate_small_usd.get()
                };
                (
                    200,
                    json!({ "estimated_total_price": usd, "allowed_to_proceed": true, "user_limit": 1000.0 }),
                )
            }
            ("POST", ["fine-tunes"]) => (200, self.create(body)),
            ("GET", ["fine-tunes"]) => {
                let data: Vec<Value> = self
                    .together
                    .jobs
                    .borrow()
                    .iter()
                    .map(|j| self.job_json(j))
                    .collect();
                (200, json!({ "data": data }))
            }
            ("GET", ["fine-tunes", id]) => {
                match self.together.jobs.borrow().iter().find(|j| j.id == *id) {
                    Some(job) => (200, self.job_json(job)),
                    None => (404, json!({ "error": { "message": "no such job" } })),
                }
            }
            ("GET", ["fine-tunes", id, "events"]) => {
                let jobs = self.together.jobs.borrow();
                let Some(job) = jobs.iter().find(|j| j.id == *id) else {
                    return (404, json!({ "error": { "message": "no such job" } }));
                };
                let (status, steps) = self.job_state(job);
                let mut data =
                    vec![json!({ "type": "job_pending", "message": "queued", "level": "info" })];
                for step in 1..=steps {
                    data.push(json!({ "type": "training_progress", "step": step, "total_steps": TOTAL_STEPS, "level": "info" }));
                }
                if status == "error" {
                    data.push(json!({ "type": "job_error", "message": "CUDA out of memory", "level": "error" }));
                }
                (200, json!({ "data": data }))
            }
            ("GET", ["fine-tunes", id, "metrics"]) => {
                let jobs = self.together.jobs.borrow();
                let Some(job) = jobs.iter().find(|j| j.id == *id) else {
                    return (404, json!({ "error": { "message": "no such job" } }));
                };
                let (_, steps) = self.job_state(job);
                let rows: Vec<Value> = (1..=steps)
                    .flat_map(|step| {
                        let loss = 2.0 / (1.0 + step as f64);
                        vec![
                            json!({ "train/loss": loss, "train/global_step": step }),
                            json!({ "eval/loss": loss + 0.05, "train/global_step": step }),
                        ]
                    })
                    .collect();
                (200, json!({ "metrics": rows }))
            }
            ("POST", ["fine-tunes", id, "cancel"]) => {
                let now = self.now();
                let mut jobs = self.together.jobs.borrow_mut();
                let Some(job) = jobs.iter_mut().find(|j| j.id == *id) else {
                    return (404, json!({ "error": { "message": "no such job" } }));
                };
                job.cancelled_at.get_or_insert(now);
                drop(jobs);
                let jobs = self.together.jobs.borrow();
                let job = jobs.iter().find(|j| j.id == *id).unwrap();
                (200, self.job_json(job))
            }
            _ if self.together.serving.borrow().is_some() => self.serve(method, &segments, body),
            _ => (
                404,
                json!({ "error": { "message": format!("no route {method} {path}") } }),
            ),
        }
    }

    fn serve(&self, method: &str, segments: &[&str], body: &[u8]) -> (u16, Value) {
        let serving = self.together.serving.borrow().clone().unwrap();
        let request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let mut endpoints = self.together.endpoints.borrow_mut();
        match (method, segments) {
            ("GET", ["hardware"]) => {
                let data: Vec<Value> = serving
                    .hardware
                    .iter()
                    .map(|(id, cents, availability)| {
                        json!({ "object": "hardware", "id": id, "pricing": { "cents_per_minute": cents },
                                "availability": { "status": availability } })
                    })
                    .collect();
                (200, json!({ "object": "list", "data": data }))
            }
            ("POST", ["endpoints"]) => {
                let id = self.next_id("endpoint");
                let endpoint = json!({
                    "object": "endpoint", "id": id, "name": format!("me/{id}"),
                    "model": request["model"], "hardware": request["hardware"],
                    "inactive_timeout": request["inactive_timeout"], "state": "PENDING",
                });
                endpoints.push(endpoint.clone());
                (200, endpoint)
            }
            ("GET", ["endpoints"]) => (200, json!({ "object": "list", "data": *endpoints })),
            ("GET", ["endpoints", id]) => match endpoints.iter_mut().find(|e| e["id"] == *id) {
                Some(endpoint) => {
                    let seen = endpoint.clone();
                    endpoint["state"] = json!("STARTED");
                    (200, seen)
                }
                None => (404, json!({ "error": { "message": "no such endpoint" } })),
            },
            ("PATCH", ["endpoints", id]) => match endpoints.iter_mut().find(|e| e["id"] == *id) {
                Some(endpoint) => {
                    if let Some(timeout) = request.get("inactive_timeout") {
                        endpoint["inactive_timeout"] = timeout.clone();
                    }
                    (200, endpoint.clone())
                }
                None => (404, json!({ "error": { "message": "no such endpoint" } })),
            },
            ("DELETE", ["endpoints", id]) => {
                endpoints.retain(|e| e["id"] != *id);
                (200, json!({}))
            }
            ("POST", ["chat", "completions"]) => {
                let model = request["model"].as_str().unwrap_or("");
                let content = match endpoints.iter().find(|e| e["name"] == model) {
                    Some(e) if e["state"] != "STARTED" => {
                        return (
                            400,
                            json!({ "error": { "message": "endpoint not running" } }),
                        )
                    }
                    Some(_) => serving.tuned_reply.clone(),
                    None => serving.base_reply.clone(),
                };
                (
                    200,
                    json!({ "id": "chat-1", "choices": [{ "index": 0, "message": { "role": "assistant", "content": content } }],
                              "usage": { "prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30 } }),
                )
            }
            _ => (404, json!({ "error": { "message": "no route" } })),
        }
    }

    fn create(&self, body: &[u8]) -> Value {
        let request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let job = FakeJob {
            id: self.next_id("ft"),
            model: request["model"].as_str().unwrap_or("").to_owned(),
            suffix: request["suffix"].as_str().unwrap_or("").to_owned(),
            created_at: self.now(),
            cancelled_at: None,
            body: request,
        };
        let json = self.job_json(&job);
        self.together.jobs.borrow_mut().push(job);
        json
    }
}

impl Http for PipelineHost {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, PortError> {
        let url = request.url.clone();
        let rest = url.split("/v1").nth(1).unwrap_or(&url).to_owned();
        let (path, query) = rest.split_once('?').unwrap_or((&rest, ""));
        let line = format!("{} {}", request.method, path);
        self.together.log.borrow_mut().push(line.clone());
        for (name, value) in &request.headers {
            if name.eq_ignore_ascii_case("authorization") {
                self.together.auth.borrow_mut().push(value.clone());
            }
        }
        let fault = {
            let mut faults = self.together.faults.borrow_mut();
            let index = faults.iter().position(|f| f.times > 0 && line == f.route);
            index.map(|i| {
                faults[i].times -= 1;
                (faults[i].status, faults[i].after_effect)
            })
        };
        if let Some((status, after_effect)) = fault {
            if after_effect {
                self.route(
                    &request.method,
                    path,
                    query,
                    request.body.as_deref().unwrap_or(&[]),
                );
            }
            if status == 0 {
                return Err(PortError::new("connection reset"));
            }
            let body = json!({ "error": { "message": "injected fault" } }).to_string();
            return Ok(http_response(status, &[("retry-after-ms", "10")], &body));
        }
        let (status, body) = self.route(
            &request.method,
            path,
            query,
            request.body.as_deref().unwrap_or(&[]),
        );
        Ok(http_response(
            status,
            &[("content-type", "application/json")],
            &body.to_string(),
        ))
    }
}

impl Storage for PipelineHost {
    async fn read(&self, path: &str) -> Result<Option<String>, PortError> {
        self.memory.read(path).await
    }
    async fn write(&self, path: &str, contents: &str) -> Result<(), PortError> {
        self.memory.write(path, contents).await
    }
    async fn append(&self, path: &str, contents: &str) -> Result<(), PortError> {
        self.memory.append(path, contents).await
    }
    async fn list(&self, dir: &str) -> Result<Vec<String>, PortError> {
        self.memory.list(dir).await
    }
    async fn remove(&self, path: &str) -> Result<(), PortError> {
        self.memory.remove(path).await
    }
}

impl Clock for PipelineHost {
    fn now_ms(&self) -> u64 {
        self.memory.now_ms()
    }
    async fn sleep(&self, ms: u64) {
        self.memory.sleep(ms).await
    }
}

impl LogSink for PipelineHost {
    fn log(&self, level: LogLevel, message: &str) {
        self.memory.log(level, message)
    }
}
impl selftune::host::SyntaxCheck for PipelineHost {}
