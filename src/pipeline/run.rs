//! The pipeline's face on the handle: launch, advance one step, status, list, cancel. Calls that
//! talk to Together take the client's configuration (with the API key) from the caller: the key
//! is never stored with the pipeline.

use serde::{Deserialize, Serialize};

use crate::audit::AuditEvent;
use crate::error::SelftuneError;
use crate::handle::Selftune;
use crate::host::{Host, LogLevel};
use crate::pipeline::config::PipelineConfig;
use crate::pipeline::machine::{Machine, Wake};
use crate::pipeline::state::{Phase, PipelineState};
use crate::pipeline::status::{status_of, PipelineStatus};
use crate::pipeline::{report, store};
use crate::together::{TogetherClient, TogetherConfig};

/// What one `advancePipeline` call did, and when the pipeline wants the next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct AdvanceResult {
    pub id: String,
    pub phase: Phase,
    pub progress: f64,
    /// The pipeline has ended (completed, failed or cancelled).
    pub done: bool,
    /// Milliseconds until the next step is due (null when done).
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub wake_after_ms: Option<u64>,
}

impl<H: Host> Selftune<H> {
    /// Checks `config` and stores a new pipeline in `collecting`; resolves to its id. Nothing is
    /// sent to Together until it is advanced.
    pub async fn launch_pipeline(
        &self,
        config: serde_json::Value,
    ) -> Result<String, SelftuneError> {
        let config = PipelineConfig::from_json(config)?;
        let _guard = self.pipeline_lock.lock().await;
        let now = self.host.now_ms();
        let id = store::new_id(&self.host, now, &config.name).await?;
        let state = PipelineState::new(&id, config, now);
        store::save(&self.host, &state).await?;
        Ok(id)
    }

    /// Performs the next step of pipeline `id`.
    pub async fn advance_pipeline(
        &self,
        id: &str,
        together: &TogetherConfig,
    ) -> Result<AdvanceResult, SelftuneError> {
        let _guard = self.pipeline_lock.lock().await;
        let mut state = store::require(&self.host, id).await?;
        let client = TogetherClient::new(&self.host, together.clone());
        let machine = Machine {
            selftune: self,
            together: &client,
        };
        let wake = match machine.advance(&mut state).await {
            Ok(wake) => wake,
            // Cancelled by another process meanwhile: that is the pipeline's state now.
            Err(_) if self.stored_phase(id).await == Some(Phase::Cancelled) => Wake::Done,
            Err(error) => return Err(error),
        };
        let state = store::require(&self.host, id).await?;
        Ok(AdvanceResult {
            id: state.id.clone(),
            phase: state.phase,
            progress: state.progress,
            done: matches!(wake, Wake::Done) || state.phase.is_final(),
            wake_after_ms: match wake {
                Wake::After(ms) if !state.phase.is_final() => Some(ms),
                _ => None,
            },
        })
    }

    async fn stored_phase(&self, id: &str) -> Option<Phase> {
        store::load(&self.host, id)
            .await
            .ok()
            .flatten()
            .map(|state| state.phase)
    }

    pub async fn pipeline_status(&self, id: &str) -> Result<PipelineStatus, SelftuneError> {
        Ok(status_of(&store::require(&self.host, id).await?))
    }

    /// The stored state itself (for tests and debugging).
    pub async fn pipeline_state(&self, id: &str) -> Result<PipelineState, SelftuneError> {
        store::require(&self.host, id).await
    }

    /// Every pipeline, oldest first.
    pub async fn list_pipelines(&self) -> Result<Vec<PipelineStatus>, SelftuneError> {
        let mut states = Vec::new();
        for id in store::list_ids(&self.host).await? {
            if let Some(state) = store::load(&self.host, &id).await? {
                states.push(state);
            }
        }
        states.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(states.iter().map(status_of).collect())
    }

    /// Ids of the pipelines that have not ended: what a restarted service drives again.
    pub async fn unfinished_pipelines(&self) -> Result<Vec<String>, SelftuneError> {
        Ok(self
            .list_pipelines()
            .await?
            .into_iter()
            .filter(|status| !status.current_phase.is_final())
            .map(|status| status.id)
            .collect())
    }

    /// Stops pipeline `id`: it is marked cancelled first, then its running jobs are cancelled
    /// (and a job whose creation was in flight is looked for and cancelled too). A pipeline that
    /// has already ended is left as it is. `together` may be `None` while no job was created;
    /// otherwise cancelling needs the key, and its absence is an `invalid_config` error.
    pub async fn cancel_pipeline(
        &self,
        id: &str,
        together: Option<&TogetherConfig>,
    ) -> Result<PipelineStatus, SelftuneError> {
        let _guard = self.pipeline_lock.lock().await;
        let mut state = store::require(&self.host, id).await?;
        if state.phase.is_final() {
            return Ok(status_of(&state));
        }
        let touched_together = state
            .jobs
            .iter()
            .any(|job| job.job_id.is_some() || job.create_intent_at.is_some())
            || state.endpoints.iter().any(|e| e.is_live());
        let together = match together {
            Some(config) => config.clone(),
            None if touched_together => {
                return Err(SelftuneError::invalid_config(
                    "cancelling the pipeline's jobs needs the Together API key: set TOGETHER_API_KEY or pass apiKey",
                ))
            }
            None => {
                state.enter(Phase::Cancelled, self.host.now_ms());
                state.updated_at = self.host.now_ms();
                store::save(&self.host, &state).await?;
                self.audit_cancelled(&state).await;
                return Ok(status_of(&state));
            }
        };
        let client = TogetherClient::new(&self.host, together);
        let machine = Machine {
            selftune: self,
            together: &client,
        };
        let in_flight = state
            .jobs
            .iter()
            .any(|job| job.job_id.is_none() && job.create_intent_at.is_some());
        if in_flight {
            if let Ok(listed) = client.list_fine_tunes().await {
                for job in &mut state.jobs {
                    if job.job_id.is_none() && job.create_intent_at.is_some() {
                        if let Some(found) = crate::pipeline::jobs::find_created(job, &listed) {
                            job.job_id = Some(found.id.clone());
                            job.status = crate::pipeline::jobs::status_text(found.status.as_ref());
                        }
                    }
                }
            }
        }
        state.enter(Phase::Cancelled, self.host.now_ms());
        machine.save(&mut state).await?;
        for j in 0..state.jobs.len() {
            machine.cancel_job(&mut state, j, "cancelled").await;
        }
        machine.release_endpoints(&mut state).await;
        machine.save(&mut state).await?;
        self.audit_cancelled(&state).await;
        Ok(status_of(&state))
    }

    /// Writes the report of a cancelled pipeline (a failure is logged) and audits the end.
    async fn audit_cancelled(&self, state: &PipelineState) {
        if let Err(error) = report::write(&self.host, state, self.host.now_ms()).await {
            self.host.log(LogLevel::Error, &error.message);
        }
        self.audit_event(AuditEvent::PipelineEnded {
            pipeline_id: state.id.clone(),
            status: "cancelled".into(),
            code: None,
        })
        .await;
    }
}
