//! One step of a pipeline. Each call to `step` does at most one external effect (an upload, a
//! job creation, a round of polling), writing the state before and after it, and says when it
//! wants to run again. A restart therefore resumes where the last write left off.

use crate::audit::AuditEvent;
use crate::dataset::options::BuildOptions;
use crate::error::SelftuneError;
use crate::handle::Selftune;
use crate::host::{Host, LogLevel};
use crate::pipeline::jobs;
use crate::pipeline::state::{FileRecord, Phase, PipelineState, ProfileData};
use crate::pipeline::status::progress_of;
use crate::pipeline::{report, store};
use crate::together::types::{ProcessingStatus, NANO_USD_PER_USD};
use crate::together::{TogetherClient, TogetherError, TogetherErrorKind};

/// How often a running job is looked at.
pub const JOB_POLL_MS: u64 = 30_000;
/// How often the example log is counted while collecting.
pub const COLLECT_POLL_MS: u64 = 60_000;
/// Transient failures in a row before the pipeline gives up.
pub const MAX_RETRIES: u32 = 12;

/// When the pipeline wants its next step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    After(u64),
    Done,
}

/// Why a step stopped short.
pub(crate) enum StepError {
    /// Storage failed: the step is abandoned and the caller sees the error.
    Fatal(SelftuneError),
    /// A Together call failed: transient kinds are retried later, the others fail the pipeline.
    Together(TogetherError),
    /// The pipeline cannot go on.
    Fail { code: String, message: String },
}

impl From<SelftuneError> for StepError {
    fn from(error: SelftuneError) -> Self {
        StepError::Fatal(error)
    }
}

impl From<TogetherError> for StepError {
    fn from(error: TogetherError) -> Self {
        StepError::Together(error)
    }
}

pub(super) fn fail(code: &str, message: impl Into<String>) -> StepError {
    StepError::Fail {
        code: code.to_owned(),
        message: message.into(),
    }
}

pub fn is_transient(kind: TogetherErrorKind) -> bool {
    matches!(
        kind,
        TogetherErrorKind::RateLimited
            | TogetherErrorKind::Server
            | TogetherErrorKind::Timeout
            | TogetherErrorKind::Http
    )
}

/// The creation certainly did not happen: Together answered with a refusal.
pub(super) fn surely_not_created(kind: TogetherErrorKind) -> bool {
    !matches!(
        kind,
        TogetherErrorKind::Server | TogetherErrorKind::Timeout | TogetherErrorKind::Http
    )
}

fn backoff_ms(retries: u32) -> u64 {
    (5_000u64 << retries.min(6)).min(300_000)
}

pub(super) type StepResult = Result<Wake, StepError>;

pub(crate) struct Machine<'a, H: Host> {
    pub selftune: &'a Selftune<H>,
    pub together: &'a TogetherClient<&'a H>,
}

impl<H: Host> Machine<'_, H> {
    pub(super) fn now(&self) -> u64 {
        self.selftune.host.now_ms()
    }

    pub async fn save(&self, state: &mut PipelineState) -> Result<(), SelftuneError> {
        state.updated_at = self.now();
        store::save(&self.selftune.host, state).await
    }

    /// Performs the next step of `state` and persists the outcome.
    pub async fn advance(&self, state: &mut PipelineState) -> Result<Wake, SelftuneError> {
        if state.phase.is_final() {
            return Ok(Wake::Done);
        }
        let outcome = self.step(state).await;
        let now = self.now();
        let wake = match outcome {
            Ok(wake) => {
                state.retries = 0;
                if state
                    .last_error
                    .as_ref()
                    .is_some_and(|_| !state.phase.is_final())
                {
                    state.last_error = None;
                }
                wake
            }
            Err(StepError::Fatal(error)) => return Err(error),
            Err(StepError::Together(error)) if is_transient(error.kind) => {
                state.retries += 1;
                let selftune_error: SelftuneError = error.into();
                if state.retries > MAX_RETRIES {
                    let message = format!(
                        "gave up after {} failed attempts in a row: {}",
                        state.retries, selftune_error.message
                    );
                    self.fail_and_stop(state, selftune_error.code.as_str(), message)
                        .await?;
                    Wake::Done
                } else {
                    state.last_error = Some(crate::pipeline::state::PipelineError {
                        code: selftune_error.code.as_str().to_owned(),
                        message: selftune_error.message,
                        at: now,
                    });
                    Wake::After(backoff_ms(state.retries))
                }
            }
            Err(StepError::Together(error)) => {
                let error: SelftuneError = error.into();
                self.fail_and_stop(state, error.code.as_str(), error.message)
                    .await?;
                Wake::Done
            }
            Err(StepError::Fail { code, message }) => {
                self.fail_and_stop(state, &code, message).await?;
                Wake::Done
            }
        };
        state.steps += 1;
        state.progress = state.progress.max(progress_of(state, now)).min(100.0);
        self.save(state).await?;
        Ok(if state.phase.is_final() {
            Wake::Done
        } else {
            wake
        })
    }

    async fn step(&self, state: &mut PipelineState) -> StepResult {
        match state.phase {
            Phase::Collecting => self.collect(state).await,
            Phase::Preparing => self.prepare(state).await,
            Phase::Uploading => self.upload(state).await,
            Phase::Training => self.train(state).await,
            Phase::Evaluating => self.evaluate(state).await,
            Phase::Deploying => self.deploy(state).await,
            Phase::Completed | Phase::Failed | Phase::Cancelled => Ok(Wake::Done),
        }
    }

    async fn collect(&self, state: &mut PipelineState) -> StepResult {
        let stats = self.selftune.stats().await?;
        let min_quality = state.config.data_collection.min_quality;
        state.data.qualifying_examples = stats
            .by_quality
            .iter()
            .filter(|(score, _)| score.parse::<f64>().is_ok_and(|s| s + 1e-9 >= min_quality))
            .map(|(_, count)| count)
            .sum();
        let elapsed = self.now().saturating_sub(state.created_at);
        let window = state.config.data_collection.collect_for;
        let enough = state.data.qualifying_examples >= state.data.min_data_points;
        if elapsed >= window && enough {
            state.enter(Phase::Preparing, self.now());
            return Ok(Wake::After(0));
        }
        let wait = if elapsed < window {
            (window - elapsed).min(COLLECT_POLL_MS)
        } else {
            COLLECT_POLL_MS
        };
        Ok(Wake::After(wait))
    }

    async fn prepare(&self, state: &mut PipelineState) -> StepResult {
        let out_dir = store::dataset_dir(&state.id);
        let mut options = BuildOptions {
            min_quality: state.config.data_collection.min_quality,
            out_dir: out_dir.clone(),
            epochs: state.config.small_model.epochs,
            ..BuildOptions::default()
        };
        for profile in &mut options.profiles {
            if let Some(job) = state.jobs.iter().find(|job| job.slot == profile.name) {
                profile.model = job.training.base_model.clone();
            }
        }
        let manifest = self.selftune.build_dataset(&options).await?;
        let short = state.short_id();
        for job in &mut state.jobs {
            let Some(profile) = manifest.profiles.iter().find(|p| p.name == job.slot) else {
                return Err(fail(
                    "pipeline_failed",
                    format!("the dataset build made no {} profile", job.slot),
                ));
            };
            let scale = f64::from(job.training.epochs) / f64::from(options.epochs.max(1));
            state.data.profiles.insert(
                job.slot.clone(),
                ProfileData {
                    train: profile.counts.train,
                    validation: profile.counts.validation,
                    test: profile.counts.test,
                    tokens: profile.tokens.train,
                    max_line_tokens: profile.tokens.max,
                    estimated_usd: profile.estimated_training_cost_usd.amount_usd * scale,
                },
            );
            if profile.counts.train == 0 {
                return Err(fail(
                    "insufficient_data",
                    format!(
                        "the {} dataset has no training examples ({} examples read; see the manifest's dropped counts)",
                        job.slot, manifest.examples_read
                    ),
                ));
            }
            let mut files = vec![("train", &profile.files.train, profile.counts.train)];
            if profile.counts.validation > 0 {
                files.push((
                    "validation",
                    &profile.files.validation,
                    profile.counts.validation,
                ));
            }
            job.files = files
                .into_iter()
                .map(|(split, path, lines)| FileRecord {
                    split: split.to_owned(),
                    path: format!("{out_dir}/{path}"),
                    upload_name: format!("selftune-{short}-{}-{split}.jsonl", job.slot),
                    lines,
                    upload_intent_at: None,
                    file_id: None,
                    validated: false,
                })
                .collect();
        }
        state.enter(Phase::Uploading, self.now());
        Ok(Wake::After(0))
    }

    async fn upload(&self, state: &mut PipelineState) -> StepResult {
        // One upload per step: the first file without an id.
        let next = state.jobs.iter().enumerate().find_map(|(j, job)| {
            job.files
                .iter()
                .position(|file| file.file_id.is_none())
                .map(|f| (j, f))
        });
        if let Some((j, f)) = next {
            return self.upload_one(state, j, f).await;
        }
        let mut waiting = false;
        for j in 0..state.jobs.len() {
            for f in 0..state.jobs[j].files.len() {
                let file = &state.jobs[j].files[f];
                if file.validated {
                    continue;
                }
                let id = file.file_id.clone().unwrap_or_default();
                let seen = self.together.retrieve_file(&id).await?;
                let why = || {
                    seen.validation_report
                        .as_ref()
                        .and_then(|report| report.error.clone())
                        .unwrap_or_else(|| "no reason given".to_owned())
                };
                match seen.processing_status {
                    Some(ProcessingStatus::Completed) => state.jobs[j].files[f].validated = true,
                    None if seen.processed == Some(true) => state.jobs[j].files[f].validated = true,
                    Some(ProcessingStatus::InvalidFormat | ProcessingStatus::Failed) => {
                        return Err(fail(
                            "together_file_rejected",
                            format!(
                                "Together rejected the {} {} file {id}: {}",
                                state.jobs[j].slot,
                                state.jobs[j].files[f].split,
                                why()
                            ),
                        ));
                    }
                    _ => waiting = true,
                }
            }
        }
        if waiting {
            return Ok(Wake::After(self.together.config().file_poll_interval_ms));
        }
        if !state.limits_checked {
            self.check_limits(state).await?;
            state.limits_checked = true;
            return Ok(Wake::After(0));
        }
        self.approve_estimates(state).await?;
        state.enter(Phase::Training, self.now());
        Ok(Wake::After(0))
    }

    async fn upload_one(&self, state: &mut PipelineState, j: usize, f: usize) -> StepResult {
        let record = state.jobs[j].files[f].clone();
        if record.upload_intent_at.is_some() {
            // A restart after an upload whose answer was lost: look for the file first.
            let files = self.together.list_files().await?;
            let found = files
                .iter()
                .filter(|file| file.filename.as_deref() == Some(record.upload_name.as_str()))
                .max_by_key(|file| file.created_at);
            if let Some(found) = found {
                state.jobs[j].files[f].file_id = Some(found.id.clone());
                self.audit_upload(state, j, f).await;
                return Ok(Wake::After(0));
            }
        }
        let host = &self.selftune.host;
        let text = crate::host::Storage::read(host, &record.path)
            .await
            .map_err(|e| SelftuneError::storage("read", &record.path, e))?
            .unwrap_or_default();
        state.jobs[j].files[f].upload_intent_at = Some(self.now());
        self.save(state).await?;
        let upload = crate::together::requests::FileUpload {
            file_name: record.upload_name.clone(),
            purpose: None,
            file_type: None,
        };
        let file = self.together.upload_file(&upload, text.as_bytes()).await?;
        state.jobs[j].files[f].file_id = Some(file.id);
        self.save(state).await?;
        self.audit_upload(state, j, f).await;
        Ok(Wake::After(0))
    }

    async fn audit_upload(&self, state: &PipelineState, j: usize, f: usize) {
        let file = &state.jobs[j].files[f];
        self.selftune
            .audit_event(AuditEvent::FileUploaded {
                pipeline_id: state.id.clone(),
                job: state.jobs[j].slot.clone(),
                split: file.split.clone(),
                file_id: file.file_id.clone().unwrap_or_default(),
            })
            .await;
    }

    async fn check_limits(&self, state: &mut PipelineState) -> Result<(), StepError> {
        let mut problems = Vec::new();
        for job in &mut state.jobs {
            let model = job.training.base_model.clone();
            let limits = match self.together.model_limits(&model).await {
                Ok(limits) => limits,
                Err(error) if error.kind == TogetherErrorKind::NotFound => {
                    problems.push(format!("Together does not fine-tune {model}"));
                    continue;
                }
                Err(error) => return Err(error.into()),
            };
            job.lora_default_rank = jobs::default_rank(&limits);
            if let Some(fitted) = jobs::fitted_default_batch(&job.training, &limits) {
                self.selftune.host.log(
                    LogLevel::Info,
                    &format!(
                        "pipeline {}: the {} model's default batch size {} is outside Together's range for {model}; {fitted} is used",
                        state.id,
                        job.slot,
                        job.training.batch_size.unwrap_or_default()
                    ),
                );
                job.training.batch_size = Some(fitted);
            }
            let longest = state
                .data
                .profiles
                .get(&job.slot)
                .map_or(0, |data| data.max_line_tokens);
            problems.extend(jobs::limit_problems(
                &job.slot,
                &job.training,
                &limits,
                longest,
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(fail(
                "limits_exceeded",
                format!(
                    "the jobs are outside the models' limits: {}; no job was created",
                    problems.join("; ")
                ),
            ))
        }
    }

    async fn approve_estimates(&self, state: &mut PipelineState) -> Result<(), StepError> {
        let mut estimates = Vec::new();
        for job in &state.jobs {
            let estimate = self
                .together
                .estimate_price(&jobs::estimate_request(job))
                .await?;
            if estimate.allowed_to_proceed == Some(false) {
                return Err(fail(
                    "together_payment_required",
                    format!(
                        "Together will not run the {} job on this account (its limit is ${:.2}); no job was created",
                        job.slot,
                        estimate.user_limit_usd.unwrap_or(0.0)
                    ),
                ));
            }
            let fallback = state
                .data
                .profiles
                .get(&job.slot)
                .map_or(0.0, |data| data.estimated_usd);
            let usd = estimate
                .estimated_total_price_usd
                .or_else(|| {
                    estimate
                        .estimated_total_price_nano_usd
                        .map(|nano| nano as f64 / NANO_USD_PER_USD)
                })
                .filter(|usd| usd.is_finite() && *usd >= 0.0)
                .unwrap_or(fallback);
            estimates.push((job.slot.clone(), usd));
        }
        let pairs: Vec<(&str, f64)> = estimates.iter().map(|(s, u)| (s.as_str(), *u)).collect();
        if let Err(over) = state.ledger.approve_estimates(&pairs) {
            let parts: Vec<String> = estimates
                .iter()
                .map(|(slot, usd)| format!("{slot} ${usd:.2}"))
                .collect();
            return Err(fail(
                "budget_exceeded",
                format!(
                    "the jobs are estimated at ${:.2} ({}), over the budget of ${:.2}; no job was created",
                    over.estimated_usd,
                    parts.join(", "),
                    over.budget_usd
                ),
            ));
        }
        state.estimates_approved = true;
        Ok(())
    }

    /// Ends the pipeline as failed and cancels the jobs still running.
    async fn fail_and_stop(
        &self,
        state: &mut PipelineState,
        code: &str,
        message: String,
    ) -> Result<(), SelftuneError> {
        state.fail(code, message, self.now());
        for j in 0..state.jobs.len() {
            self.cancel_job(state, j, "failed").await;
        }
        self.release_endpoints(state).await;
        self.save(state).await?;
        if let Err(error) = report::write(&self.selftune.host, state, self.now()).await {
            self.selftune.host.log(LogLevel::Error, &error.message);
        }
        self.selftune
            .audit_event(AuditEvent::PipelineEnded {
                pipeline_id: state.id.clone(),
                status: "failed".into(),
                code: Some(code.to_owned()),
            })
            .await;
        Ok(())
    }
}
