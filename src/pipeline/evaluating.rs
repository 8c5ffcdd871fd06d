//! The evaluating phase: each fine-tune is hosted on a dedicated endpoint (when the estimate fits
//! the evaluation's budget), then each sampled test request is asked of the fine-tune and of its
//! base model, one request per step, and both answers are scored against the reference.

use crate::error::SelftuneError;
use crate::evaluate::run::{
    check_budget, sample_indices, summarize, test_case, SamplePair, TestCase,
};
use crate::evaluate::score::score_answer;
use crate::host::{Host, Storage, SyntaxOutcome};
use crate::pipeline::endpoints::{EndpointProgress, EndpointSpec, EVALUATION_INACTIVE_TIMEOUT};
use crate::pipeline::machine::{is_transient, Machine, StepError, StepResult, Wake};
use crate::pipeline::outcome::{EvaluationRecord, EvaluationStage};
use crate::pipeline::state::{Phase, PipelineState};
use crate::pipeline::store;
use crate::together::requests::{ChatMessage, ChatRequest};
use crate::together::TogetherErrorKind;

/// Longest answer asked for, per profile.
fn max_tokens(slot: &str) -> u32 {
    if slot == "large" {
        8_192
    } else {
        2_048
    }
}

impl<H: Host> Machine<'_, H> {
    pub(super) async fn evaluate(&self, state: &mut PipelineState) -> StepResult {
        for j in 0..state.jobs.len() {
            let slot = state.jobs[j].slot.clone();
            let stage = state.evaluations.get(&slot).map(|r| r.stage);
            let outcome = match stage {
                None => self.plan_evaluation(state, j).await,
                Some(EvaluationStage::Hosting) => self.host_for_evaluation(state, j).await,
                Some(EvaluationStage::Running) => self.evaluate_next(state, j).await,
                Some(EvaluationStage::Done | EvaluationStage::Skipped) => continue,
            };
            return match outcome {
                // A refusal from Together ends this model's evaluation, not the pipeline.
                Err(StepError::Together(error)) if !is_transient(error.kind) => {
                    let error: SelftuneError = error.into();
                    self.skip_evaluation(
                        state,
                        &slot,
                        format!("Together refused: {}", error.message),
                    );
                    Ok(Wake::After(0))
                }
                // An endpoint that breaks while the model is evaluated ends the evaluation too.
                Err(StepError::Fail { code, message }) if code == "endpoint_failed" => {
                    self.skip_evaluation(state, &slot, message);
                    Ok(Wake::After(0))
                }
                other => other,
            };
        }
        state.enter(Phase::Deploying, self.now());
        Ok(Wake::After(0))
    }

    fn skip_evaluation(&self, state: &mut PipelineState, slot: &str, reason: String) {
        let budget = state.config.deployment.evaluation_budget;
        let record = state
            .evaluations
            .entry(slot.to_owned())
            .or_insert_with(|| EvaluationRecord::skipped(reason.clone(), budget));
        record.stage = EvaluationStage::Skipped;
        record.reason = Some(reason);
    }

    async fn test_cases(
        &self,
        state: &PipelineState,
        slot: &str,
    ) -> Result<Vec<TestCase>, StepError> {
        let path = format!("{}/{slot}/test.jsonl", store::dataset_dir(&state.id));
        let text = Storage::read(&self.selftune.host, &path)
            .await
            .map_err(|e| SelftuneError::storage("read", &path, e))?
            .unwrap_or_default();
        Ok(text.lines().filter_map(test_case).collect())
    }

    async fn plan_evaluation(&self, state: &mut PipelineState, j: usize) -> StepResult {
        let slot = state.jobs[j].slot.clone();
        let budget = state.config.deployment.evaluation_budget;
        let Some(output) = state.jobs[j].output_model.clone() else {
            self.skip_evaluation(state, &slot, "the job produced no fine-tuned model".into());
            return Ok(Wake::After(0));
        };
        let cases = self.test_cases(state, &slot).await?;
        let cap = state.config.deployment.evaluation_samples as usize;
        let sample = sample_indices(cases.len(), cap);
        let hardware = match self.together.list_hardware(Some(&output)).await {
            Ok(list) => list,
            Err(error) if error.kind == TogetherErrorKind::NotFound => {
                self.skip_evaluation(
                    state,
                    &slot,
                    format!("Together cannot host {output} on a dedicated endpoint"),
                );
                return Ok(Wake::After(0));
            }
            Err(error) => return Err(error.into()),
        };
        let Some((hw, cents)) = crate::deploy::cost::cheapest_hardware(&hardware) else {
            self.skip_evaluation(
                state,
                &slot,
                format!("no hardware is available to host {output}"),
            );
            return Ok(Wake::After(0));
        };
        let mut record = EvaluationRecord::skipped(String::new(), budget);
        record.test_requests = cases.len() as u32;
        record.sample = sample.iter().map(|&i| i as u32).collect();
        record.hardware = Some(hw.id.clone());
        record.cents_per_minute = Some(cents);
        record.parser_available = self
            .selftune
            .host
            .parse_check("typescript", "export const ok = 1;")
            .is_some();
        // The evaluation's own budget, and never more than is left of the pipeline's.
        let left = state.budget_left_usd(self.now());
        let checked = check_budget(cents, sample.len(), budget.min(left)).map_err(|reason| {
            if left < budget {
                reason.replace(
                    "the evaluation budget",
                    "what is left of the pipeline's budget",
                )
            } else {
                reason
            }
        });
        match checked {
            Ok(usd) => {
                record.estimated_usd = usd;
                record.stage = EvaluationStage::Hosting;
                record.reason = None;
            }
            Err(reason) => {
                record.estimated_usd =
                    crate::evaluate::run::estimated_hosting_usd(cents, sample.len());
                record.reason = Some(reason);
            }
        }
        state.evaluations.insert(slot, record);
        Ok(Wake::After(0))
    }

    async fn host_for_evaluation(&self, state: &mut PipelineState, j: usize) -> StepResult {
        let slot = state.jobs[j].slot.clone();
        let output = state.jobs[j].output_model.clone().unwrap_or_default();
        let record = &state.evaluations[&slot];
        let hardware = record.hardware.clone().unwrap_or_default();
        let cents = record.cents_per_minute.unwrap_or(0.0);
        match self
            .ensure_endpoint(
                state,
                &EndpointSpec {
                    slot: &slot,
                    model: &output,
                    hardware: &hardware,
                    cents_per_minute: cents,
                    purpose: "evaluation",
                    inactive_timeout: EVALUATION_INACTIVE_TIMEOUT,
                },
            )
            .await?
        {
            EndpointProgress::Ready(_) => {
                if let Some(record) = state.evaluations.get_mut(&slot) {
                    record.stage = EvaluationStage::Running;
                }
                Ok(Wake::After(0))
            }
            EndpointProgress::Wait(ms) => Ok(Wake::After(ms)),
        }
    }

    async fn ask(
        &self,
        model: &str,
        slot: &str,
        request: &str,
    ) -> Result<(String, u64), StepError> {
        let chat = ChatRequest {
            model: model.to_owned(),
            messages: vec![ChatMessage {
                role: "user".into(),
                content: request.to_owned(),
            }],
            max_tokens: Some(max_tokens(slot)),
            temperature: Some(crate::deploy::modelfile::TEMPERATURE),
            top_p: Some(crate::deploy::modelfile::TOP_P),
            seed: Some(1),
            ..ChatRequest::default()
        };
        let reply = self.together.chat_completion(&chat).await?;
        let text = reply
            .choices
            .iter()
            .find_map(|c| c.message.as_ref()?.content.clone())
            .unwrap_or_default();
        let tokens = reply.usage.as_ref().map_or(0, |u| {
            (u.prompt_tokens.unwrap_or(0).max(0) + u.completion_tokens.unwrap_or(0).max(0)) as u64
        });
        Ok((text, tokens))
    }

    async fn evaluate_next(&self, state: &mut PipelineState, j: usize) -> StepResult {
        let slot = state.jobs[j].slot.clone();
        let base_model = state.jobs[j].training.base_model.clone();
        let Some(k) = Self::live_endpoint(state, &slot) else {
            self.skip_evaluation(state, &slot, "the evaluation endpoint is gone".into());
            return Ok(Wake::After(0));
        };
        let endpoint = state.endpoints[k].name.clone().unwrap_or_default();
        let record = &state.evaluations[&slot];
        let done = record.pairs.len();
        if done >= record.sample.len() {
            let now = self.now();
            let cost = state.endpoints[k].cost_usd(now);
            if let Some(record) = state.evaluations.get_mut(&slot) {
                record.summary = Some(summarize(&record.pairs));
                record.cost_usd = cost;
                record.stage = EvaluationStage::Done;
            }
            return Ok(Wake::After(0));
        }
        let index = record.sample[done];
        let cases = self.test_cases(state, &slot).await?;
        let Some(case) = cases.get(index as usize) else {
            self.skip_evaluation(
                state,
                &slot,
                "the test split changed during the evaluation".into(),
            );
            return Ok(Wake::After(0));
        };
        let (tuned_reply, tuned_tokens) = self.ask(&endpoint, &slot, &case.request).await?;
        let (base_reply, base_tokens) = self.ask(&base_model, &slot, &case.request).await?;
        let host = &self.selftune.host;
        let parser = |language: &str, code: &str| -> Option<SyntaxOutcome> {
            host.parse_check(language, code)
        };
        let with_think = slot == "large";
        let pair = SamplePair {
            index,
            tuned: score_answer(&tuned_reply, &case.reference, with_think, &parser),
            base: score_answer(&base_reply, &case.reference, with_think, &parser),
            tokens: tuned_tokens + base_tokens,
        };
        if let Some(record) = state.evaluations.get_mut(&slot) {
            record.tokens += pair.tokens;
            record.pairs.push(pair);
        }
        Ok(Wake::After(0))
    }
}
