//! The training phase: creating each job exactly once (intent first, then a look for the job
//! after a restart or a lost answer), polling both, following their prices against the budget,
//! and cancelling.

use crate::audit::AuditEvent;
use crate::error::SelftuneError;
use crate::host::{Host, LogLevel};
use crate::pipeline::jobs;
use crate::pipeline::machine::{
    fail, surely_not_created, Machine, StepError, StepResult, Wake, JOB_POLL_MS,
};
use crate::pipeline::state::{Phase, PipelineState};

impl<H: Host> Machine<'_, H> {
    pub(super) async fn train(&self, state: &mut PipelineState) -> StepResult {
        if let Some(j) = state.jobs.iter().position(|job| job.job_id.is_none()) {
            return self.create_one(state, j).await;
        }
        let mut all_done = true;
        for j in 0..state.jobs.len() {
            if state.jobs[j].is_finished() {
                if state.jobs[j].status.as_deref() != Some("completed") {
                    all_done = false;
                }
                continue;
            }
            self.poll_job(state, j).await?;
            let job = &state.jobs[j];
            match job.status.as_deref() {
                Some("completed") => {}
                Some("error") => {
                    let why = job
                        .error
                        .clone()
                        .unwrap_or_else(|| "no reason given".into());
                    return Err(fail(
                        "job_failed",
                        format!(
                            "the {} job {} failed: {why}",
                            job.slot,
                            job.job_id.clone().unwrap_or_default()
                        ),
                    ));
                }
                Some("cancelled") if job.cancel_reason.is_none() => {
                    return Err(fail(
                        "job_cancelled",
                        format!(
                            "the {} job {} was cancelled outside the pipeline",
                            job.slot,
                            job.job_id.clone().unwrap_or_default()
                        ),
                    ));
                }
                _ => all_done = false,
            }
            if state.ledger.over_budget() {
                let slot = state.jobs[j].slot.clone();
                self.cancel_job(state, j, "budget_exceeded").await;
                return Err(fail(
                    "budget_exceeded",
                    format!(
                        "spending reached ${:.2}, over the budget of ${:.2}: the {slot} job was cancelled",
                        crate::pipeline::ledger::nano_to_usd(state.ledger.spent_nano()),
                        crate::pipeline::ledger::nano_to_usd(state.ledger.budget_nano)
                    ),
                ));
            }
        }
        if all_done {
            state.enter(Phase::Evaluating, self.now());
            return Ok(Wake::After(0));
        }
        Ok(Wake::After(JOB_POLL_MS))
    }

    async fn create_one(&self, state: &mut PipelineState, j: usize) -> StepResult {
        if state.jobs[j].create_intent_at.is_some() {
            // A creation was sent and its answer lost (or the process died): look for the job.
            let listed = self.together.list_fine_tunes().await?;
            if let Some(found) = jobs::find_created(&state.jobs[j], &listed) {
                let job = &mut state.jobs[j];
                job.job_id = Some(found.id.clone());
                job.status = jobs::status_text(found.status.as_ref());
                self.save(state).await?;
                self.audit_created(state, j, true).await;
                return Ok(Wake::After(0));
            }
        }
        let request = jobs::create_request(&state.jobs[j]);
        state.jobs[j].create_intent_at = Some(self.now());
        state.jobs[j].create_attempts += 1;
        self.save(state).await?;
        match self.together.create_fine_tune(&request).await {
            Ok(created) => {
                let job = &mut state.jobs[j];
                job.job_id = Some(created.id.clone());
                job.status = jobs::status_text(created.status.as_ref());
                self.save(state).await?;
                self.audit_created(state, j, false).await;
                Ok(Wake::After(0))
            }
            Err(error) => {
                if surely_not_created(error.kind) {
                    state.jobs[j].create_intent_at = None;
                    self.save(state).await?;
                }
                Err(error.into())
            }
        }
    }

    async fn audit_created(&self, state: &PipelineState, j: usize, reconciled: bool) {
        self.selftune
            .audit_event(AuditEvent::JobCreated {
                pipeline_id: state.id.clone(),
                job: state.jobs[j].slot.clone(),
                job_id: state.jobs[j].job_id.clone().unwrap_or_default(),
                reconciled,
            })
            .await;
    }

    async fn poll_job(&self, state: &mut PipelineState, j: usize) -> Result<(), StepError> {
        let id = state.jobs[j].job_id.clone().unwrap_or_default();
        let seen = self.together.retrieve_fine_tune(&id).await?;
        let events = self.together.fine_tune_events(&id).await?;
        let metrics = self
            .together
            .fine_tune_metrics(&id, &Default::default())
            .await
            .unwrap_or_default();
        let job = &mut state.jobs[j];
        job.status = jobs::status_text(seen.status.as_ref());
        if let Some(name) = seen.model_output_name.clone() {
            job.output_model = Some(name);
        }
        job.events_seen = job.events_seen.max(events.len() as u64);
        if let Some(latest) = events.iter().rev().find(|event| event.step.is_some()) {
            job.step = latest.step.and_then(|s| u64::try_from(s).ok());
            job.total_steps = latest.total_steps.and_then(|s| u64::try_from(s).ok());
        }
        if job.status.as_deref() == Some("error") {
            job.error = events
                .iter()
                .rev()
                .find(|event| event.level.as_deref() == Some("error"))
                .and_then(|event| event.message.clone())
                .or_else(|| Some("Together reported an error".into()));
        }
        // One pass over the metrics: the curve, and the latest losses and step from it.
        let curve = crate::pipeline::losses::loss_curve(&metrics.metrics);
        if let Some(last) = curve.last() {
            job.step = Some(job.step.map_or(last.step, |s| s.max(last.step)));
            job.training_loss = curve
                .iter()
                .rev()
                .find_map(|p| p.training_loss)
                .or(job.training_loss);
            job.validation_loss = curve
                .iter()
                .rev()
                .find_map(|p| p.validation_loss)
                .or(job.validation_loss);
            job.loss_curve = curve;
        }
        let slot = job.slot.clone();
        let price = seen.total_price_nano_usd.unwrap_or(0).max(0) as u64;
        state.ledger.record_spend(&slot, price);
        Ok(())
    }

    /// Asks Together to cancel job `j` (recorded first); a failure is logged, not returned.
    pub async fn cancel_job(&self, state: &mut PipelineState, j: usize, reason: &str) {
        let Some(id) = state.jobs[j].job_id.clone() else {
            return;
        };
        if state.jobs[j].is_finished() || state.jobs[j].cancel_reason.is_some() {
            return;
        }
        state.jobs[j].cancel_reason = Some(reason.to_owned());
        if let Err(error) = self.save(state).await {
            self.selftune.host.log(LogLevel::Error, &error.message);
        }
        match self.together.cancel_fine_tune(&id).await {
            Ok(job) => {
                state.jobs[j].status =
                    jobs::status_text(job.status.as_ref()).or(Some("cancel_requested".into()));
            }
            Err(error) => {
                let error: SelftuneError = error.into();
                self.selftune.host.log(
                    LogLevel::Error,
                    &format!(
                        "pipeline {}: could not cancel job {id}: {}",
                        state.id, error.message
                    ),
                );
            }
        }
        self.selftune
            .audit_event(AuditEvent::JobCancelled {
                pipeline_id: state.id.clone(),
                job: state.jobs[j].slot.clone(),
                job_id: id,
                reason: reason.to_owned(),
            })
            .await;
    }
}
