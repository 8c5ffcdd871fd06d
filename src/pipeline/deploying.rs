//! The deploying phase: for each model, the decision (the evaluation's gate, then the matrix over
//! its size, the expected usage and the monthly costs), then carrying it out when
//! `deployment.autoDecision` is set: Together keeps (or creates) a dedicated endpoint with
//! `inactive_timeout`, waits for it and smoke-tests it; local targets get an Ollama Modelfile and
//! the commands the user runs. Endpoints a decision does not keep are deleted, their records kept.
//! At the end the report is written.

use crate::audit::AuditEvent;
use crate::deploy::cost::{analyse, CostInput};
use crate::deploy::matrix::{decide, Decision, Gate, MatrixInput, Target};
use crate::deploy::modelfile;
use crate::deploy::size::{parameters_billions, size_gb};
use crate::error::SelftuneError;
use crate::host::{Host, Storage};
use crate::pipeline::endpoints::{EndpointProgress, EndpointSpec};
use crate::pipeline::machine::{Machine, StepResult, Wake};
use crate::pipeline::outcome::{DeploymentRecord, DeploymentStage, EvaluationStage};
use crate::pipeline::state::{Phase, PipelineState};
use crate::pipeline::{report, store};
use crate::together::requests::{ChatMessage, ChatRequest, UpdateEndpoint};
use crate::together::TogetherErrorKind;

impl<H: Host> Machine<'_, H> {
    pub(super) async fn deploy(&self, state: &mut PipelineState) -> StepResult {
        for j in 0..state.jobs.len() {
            let slot = state.jobs[j].slot.clone();
            match state.deployments.get(&slot).map(|d| d.stage) {
                None => return self.decide_one(state, j).await,
                Some(DeploymentStage::Decided) => return self.carry_out(state, j).await,
                Some(DeploymentStage::Done) => continue,
            }
        }
        state.enter(Phase::Completed, self.now());
        state.progress = 100.0;
        report::write(&self.selftune.host, state, self.now()).await?;
        self.selftune
            .audit_event(AuditEvent::PipelineEnded {
                pipeline_id: state.id.clone(),
                status: "completed".into(),
                code: None,
            })
            .await;
        Ok(Wake::Done)
    }

    async fn decide_one(&self, state: &mut PipelineState, j: usize) -> StepResult {
        let job = state.jobs[j].clone();
        let config = state.config.deployment.clone();
        let hardware = match &job.output_model {
            Some(output) => match self.together.list_hardware(Some(output)).await {
                Ok(list) => list,
                Err(error) if error.kind == TogetherErrorKind::NotFound => Vec::new(),
                Err(error) => return Err(error.into()),
            },
            None => Vec::new(),
        };
        let training_usd = state
            .ledger
            .jobs
            .get(&job.slot)
            .map_or(0.0, |c| crate::pipeline::ledger::nano_to_usd(c.spent_nano));
        let cost = analyse(&CostInput {
            usage_tokens_per_month: config.expected_usage,
            per_token_usd_per_million: config.serverless_usd_per_million,
            hardware: &hardware,
            running_minutes_per_month: config.endpoint_minutes_per_month,
            local_server_usd_per_month: config.local_server_cost,
            training_usd,
        });
        let parameters = parameters_billions(&job.training.base_model);
        let size = parameters.map(|p| size_gb(p, config.precision));
        let gate = match state.evaluations.get(&job.slot) {
            Some(record) if record.stage == EvaluationStage::Done => match &record.summary {
                Some(s) => {
                    let words = format!(
                        "the fine-tune won {} and tied {} of {} test requests against its base (win rate {:.0}%, mean score {:.3} against {:.3})",
                        s.wins, s.ties, s.samples, s.win_rate * 100.0, s.tuned.score, s.base.score
                    );
                    if s.beats_base {
                        Gate::Beats(words)
                    } else {
                        Gate::DoesNotBeat(words)
                    }
                }
                None => Gate::NotEvaluated("the evaluation has no summary".into()),
            },
            Some(record) => Gate::NotEvaluated(format!(
                "the evaluation was skipped: {}",
                record.reason.clone().unwrap_or_default()
            )),
            None => Gate::NotEvaluated("the model was not evaluated".into()),
        };
        let decision = match size {
            Some(size) => decide(
                &gate,
                &MatrixInput {
                    size_gb: size,
                    usage_tokens_per_month: config.expected_usage,
                    together_usd_per_month: cost.together_usd_per_month.unwrap_or(f64::INFINITY),
                    local_server_usd_per_month: config.local_server_cost,
                },
            ),
            None => Decision {
                target: Target::None,
                cell: "size-unknown".into(),
                reasons: vec![format!(
                    "the size of {} is unknown (no parameter count in its id)",
                    job.training.base_model
                )],
            },
        };
        state.deployments.insert(
            job.slot.clone(),
            DeploymentRecord {
                stage: DeploymentStage::Decided,
                decision,
                parameters_billions: parameters,
                precision: config.precision,
                size_gb: size,
                cost,
                carried_out: false,
                endpoint_name: None,
                endpoint_id: None,
                smoke_test: None,
                local: None,
                summary: String::new(),
            },
        );
        Ok(Wake::After(0))
    }

    async fn carry_out(&self, state: &mut PipelineState, j: usize) -> StepResult {
        let job = state.jobs[j].clone();
        let slot = job.slot.clone();
        let auto = state.config.deployment.auto_decision;
        let Some(record) = state.deployments.get(&slot).cloned() else {
            return Ok(Wake::After(0));
        };
        let target = record.decision.target;
        let over_budget = hosting_over_budget(state, &record, self.now());
        if target == Target::Together && auto && over_budget.is_none() {
            return self.host_on_together(state, j).await;
        }
        // Nothing else keeps an endpoint: delete the evaluation's, one call per step.
        if self.delete_endpoint_of(state, &slot).await? {
            return Ok(Wake::After(0));
        }
        let mut summary = match (target, auto) {
            (Target::None, _) => "not deployed: ".to_owned() + &record.decision.reasons.join("; "),
            (Target::Together, false) => "recommended: a Together dedicated endpoint (deployment.autoDecision is off, so none was created)".into(),
            (Target::Together, true) => format!(
                "recommended: a Together dedicated endpoint, not created: {}",
                over_budget.clone().unwrap_or_default()
            ),
            _ => String::new(),
        };
        let mut local = None;
        if matches!(target, Target::LocalOllama | Target::LocalGpu) {
            let output = job.output_model.clone().unwrap_or_default();
            let name = modelfile::ollama_name(&output);
            let quantize = true;
            let gguf = modelfile::gguf_file(&name, quantize);
            let text = modelfile::modelfile(&gguf, &job.training.base_model, &output);
            let path = format!(
                "{}/{}/deploy/{slot}/Modelfile",
                store::PIPELINE_DIR,
                state.id
            );
            Storage::write(&self.selftune.host, &path, &text)
                .await
                .map_err(|e| SelftuneError::storage("write", &path, e))?;
            let commands = modelfile::commands(
                self.together.base_url(),
                job.job_id.as_deref().unwrap_or(""),
                &name,
                quantize,
            );
            summary = format!(
                "{}: the package wrote {path}; you run the {} commands shown (download the merged weights from Together, convert them to GGUF with llama.cpp, quantize to Q4_K_M, ollama create)",
                if target == Target::LocalOllama { "local (Ollama)" } else { "local GPU server" },
                commands.len()
            );
            local = Some(modelfile::LocalDeployment {
                name,
                modelfile_path: path,
                modelfile: text,
                gguf_file: gguf,
                commands,
            });
        }
        if let Some(record) = state.deployments.get_mut(&slot) {
            record.local = local;
            // A hosting refused for the budget was only recommended.
            let refused = target == Target::Together && over_budget.is_some();
            record.carried_out = (auto && !refused) || record.local.is_some();
            record.summary = summary;
            record.stage = DeploymentStage::Done;
        }
        Ok(Wake::After(0))
    }

    async fn host_on_together(&self, state: &mut PipelineState, j: usize) -> StepResult {
        let job = state.jobs[j].clone();
        let slot = job.slot.clone();
        let timeout = state.config.deployment.inactive_timeout;
        let Some(record) = state.deployments.get(&slot).cloned() else {
            return Ok(Wake::After(0));
        };
        let output = job.output_model.clone().unwrap_or_default();
        if let Some(k) = Self::live_endpoint(state, &slot) {
            let endpoint = &state.endpoints[k];
            if endpoint.purpose != "deployment" {
                if let Some(id) = endpoint.id.clone() {
                    // The evaluation's endpoint becomes the deployment: give it the deployment's timeout.
                    let update = UpdateEndpoint {
                        inactive_timeout: Some(timeout),
                        ..UpdateEndpoint::default()
                    };
                    self.together.update_endpoint(&id, &update).await?;
                }
                state.endpoints[k].purpose = "deployment".into();
                state.endpoints[k].inactive_timeout = timeout;
                return Ok(Wake::After(0));
            }
        }
        let hardware = record.cost.hardware.clone().unwrap_or_default();
        let cents = record.cost.cents_per_minute.unwrap_or(0.0);
        let name = match self
            .ensure_endpoint(
                state,
                &EndpointSpec {
                    slot: &slot,
                    model: &output,
                    hardware: &hardware,
                    cents_per_minute: cents,
                    purpose: "deployment",
                    inactive_timeout: timeout,
                },
            )
            .await?
        {
            EndpointProgress::Wait(ms) => return Ok(Wake::After(ms)),
            EndpointProgress::Ready(name) => name,
        };
        let chat = ChatRequest {
            model: name.clone(),
            messages: vec![ChatMessage {
                role: "user".into(),
                content: "Reply with the word ready.".into(),
            }],
            max_tokens: Some(64),
            temperature: Some(crate::deploy::modelfile::TEMPERATURE),
            ..ChatRequest::default()
        };
        let reply = self.together.chat_completion(&chat).await?;
        let text: String = reply
            .choices
            .iter()
            .find_map(|c| c.message.as_ref()?.content.clone())
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect();
        let id = Self::live_endpoint(state, &slot).and_then(|k| state.endpoints[k].id.clone());
        if let Some(record) = state.deployments.get_mut(&slot) {
            record.endpoint_name = Some(name.clone());
            record.endpoint_id = id;
            record.smoke_test = Some(text);
            record.carried_out = true;
            record.summary = format!(
                "hosted on Together: endpoint {name} on {hardware} ({cents} ¢/min, stops after {timeout} min without requests); the smoke test answered"
            );
            record.stage = DeploymentStage::Done;
        }
        Ok(Wake::After(0))
    }
}

/// Why hosting `record`'s model on a dedicated endpoint would break the budget, or None when it
/// fits. An endpoint bills every minute until it has been idle for its inactive timeout, so at
/// least that much must be left once the fine-tunes and the endpoints so far are paid.
fn hosting_over_budget(
    state: &PipelineState,
    record: &DeploymentRecord,
    now: u64,
) -> Option<String> {
    let Some(cents) = record.cost.cents_per_minute else {
        return Some(
            "the endpoint's price is unknown, so its cost cannot be held to the budget".into(),
        );
    };
    let timeout = state.config.deployment.inactive_timeout;
    let least_usd = f64::from(timeout) * cents / 100.0;
    let left_usd = state.budget_left_usd(now);
    (least_usd > left_usd).then(|| {
        format!(
            "it would cost at least ${least_usd:.2} ({timeout} idle minutes at {cents} ¢/min before Together stops it), more than the ${left_usd:.2} left of the ${:.2} budget",
            state.config.deployment.budget
        )
    })
}
