//! Dedicated endpoints: created exactly once (the record is written before the POST, and after a
//! restart or a lost answer the account's endpoints are searched for the model before anything is
//! created again), waited for, and deleted with the record kept.

use crate::host::Host;
use crate::pipeline::machine::{fail, surely_not_created, Machine, StepError};
use crate::pipeline::outcome::EndpointRecord;
use crate::pipeline::state::PipelineState;
use crate::together::requests::{Autoscaling, CreateEndpoint};
use crate::together::types::EndpointState;
use crate::together::TogetherErrorKind;

/// How often a starting endpoint is looked at.
pub const ENDPOINT_POLL_MS: u64 = 10_000;
/// Minutes without requests before Together stops an endpoint made for an evaluation.
pub const EVALUATION_INACTIVE_TIMEOUT: u32 = 15;

/// The endpoint a slot needs.
#[derive(Debug, Clone, Copy)]
pub(super) struct EndpointSpec<'a> {
    pub slot: &'a str,
    /// The fine-tuned model to serve.
    pub model: &'a str,
    pub hardware: &'a str,
    pub cents_per_minute: f64,
    /// `evaluation` or `deployment`.
    pub purpose: &'a str,
    pub inactive_timeout: u32,
}

/// Where an endpoint is.
pub(super) enum EndpointProgress {
    /// Started: chat requests go to this name.
    Ready(String),
    /// Wants another look after this many milliseconds.
    Wait(u64),
}

fn state_text(state: Option<&EndpointState>) -> Option<String> {
    state.map(|s| {
        serde_json::to_value(s)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "unknown".into())
    })
}

impl<H: Host> Machine<'_, H> {
    /// The live endpoint record of `slot`, if any.
    pub(super) fn live_endpoint(state: &PipelineState, slot: &str) -> Option<usize> {
        state
            .endpoints
            .iter()
            .position(|e| e.slot == slot && e.is_live())
    }

    /// Makes sure `slot`'s model runs on an endpoint: creates it once, then waits for it.
    pub(super) async fn ensure_endpoint(
        &self,
        state: &mut PipelineState,
        spec: &EndpointSpec<'_>,
    ) -> Result<EndpointProgress, StepError> {
        let EndpointSpec {
            slot,
            model,
            hardware,
            cents_per_minute,
            purpose,
            inactive_timeout,
        } = *spec;
        let k = match Self::live_endpoint(state, slot) {
            Some(k) => k,
            None => {
                state.endpoints.push(EndpointRecord {
                    slot: slot.to_owned(),
                    purpose: purpose.to_owned(),
                    model: model.to_owned(),
                    hardware: hardware.to_owned(),
                    cents_per_minute,
                    inactive_timeout,
                    intent_at: self.now(),
                    id: None,
                    name: None,
                    state: None,
                    created_at: None,
                    started_at: None,
                    deleted_at: None,
                });
                let k = state.endpoints.len() - 1;
                self.save(state).await?;
                return self.create_endpoint_now(state, k).await;
            }
        };
        let Some(id) = state.endpoints[k].id.clone() else {
            // Intent without an id: the POST may have happened. Look before creating again.
            let taken: Vec<String> = state
                .endpoints
                .iter()
                .filter_map(|e| e.id.clone())
                .collect();
            let found = self
                .together
                .list_endpoints()
                .await?
                .into_iter()
                .find(|e| e.model.as_deref() == Some(model) && !taken.contains(&e.id));
            if let Some(found) = found {
                let record = &mut state.endpoints[k];
                record.id = Some(found.id.clone());
                record.name = found.name.clone();
                record.state = state_text(found.state.as_ref());
                record.created_at = Some(record.intent_at);
                return Ok(EndpointProgress::Wait(0));
            }
            state.endpoints[k].intent_at = self.now();
            self.save(state).await?;
            return self.create_endpoint_now(state, k).await;
        };
        let seen = match self.together.get_endpoint(&id).await {
            Ok(seen) => seen,
            Err(error) if error.kind == TogetherErrorKind::NotFound => {
                state.endpoints[k].deleted_at = Some(self.now());
                state.endpoints[k].state = Some("DELETED".into());
                return Err(fail(
                    "endpoint_failed",
                    format!("the {slot} endpoint {id} disappeared from Together"),
                ));
            }
            Err(error) => return Err(error.into()),
        };
        let record = &mut state.endpoints[k];
        record.state = state_text(seen.state.as_ref());
        if record.name.is_none() {
            record.name = seen.name.clone();
        }
        match seen.state {
            Some(EndpointState::Started) => {
                record.started_at.get_or_insert(self.now());
                let name = record.name.clone().unwrap_or_else(|| id.clone());
                Ok(EndpointProgress::Ready(name))
            }
            Some(EndpointState::Stopped) => {
                // Stopped by its inactivity timeout: start it again.
                let update = crate::together::requests::UpdateEndpoint {
                    state: Some("STARTED".into()),
                    ..Default::default()
                };
                self.together.update_endpoint(&id, &update).await?;
                Ok(EndpointProgress::Wait(ENDPOINT_POLL_MS))
            }
            Some(EndpointState::Error) => Err(fail(
                "endpoint_failed",
                format!(
                    "the {slot} endpoint {id} on {} is in ERROR",
                    record.hardware
                ),
            )),
            _ => Ok(EndpointProgress::Wait(ENDPOINT_POLL_MS)),
        }
    }

    async fn create_endpoint_now(
        &self,
        state: &mut PipelineState,
        k: usize,
    ) -> Result<EndpointProgress, StepError> {
        let record = state.endpoints[k].clone();
        let request = CreateEndpoint {
            model: record.model.clone(),
            hardware: record.hardware.clone(),
            autoscaling: Some(Autoscaling {
                min_replicas: 1,
                max_replicas: 1,
            }),
            display_name: Some(format!("selftune-{}-{}", state.short_id(), record.slot)),
            state: Some("STARTED".into()),
            inactive_timeout: Some(record.inactive_timeout),
            disable_speculative_decoding: None,
        };
        match self.together.create_endpoint(&request).await {
            Ok(created) => {
                let record = &mut state.endpoints[k];
                record.id = Some(created.id.clone());
                record.name = created.name.clone();
                record.state = state_text(created.state.as_ref());
                record.created_at = Some(self.now());
                self.save(state).await?;
                Ok(EndpointProgress::Wait(0))
            }
            Err(error) if surely_not_created(error.kind) => {
                // Refused: nothing runs, the record says so.
                state.endpoints[k].deleted_at = Some(self.now());
                state.endpoints[k].state = Some("NOT_CREATED".into());
                Err(error.into())
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Deletes `slot`'s live endpoint (a missing one counts as deleted); the record stays.
    pub(super) async fn delete_endpoint_of(
        &self,
        state: &mut PipelineState,
        slot: &str,
    ) -> Result<bool, StepError> {
        let Some(k) = Self::live_endpoint(state, slot) else {
            return Ok(false);
        };
        if let Some(id) = state.endpoints[k].id.clone() {
            match self.together.delete_endpoint(&id).await {
                Ok(()) => {}
                Err(error) if error.kind == TogetherErrorKind::NotFound => {}
                Err(error) => return Err(error.into()),
            }
        } else {
            // An intent whose POST may have happened: find it before calling it gone.
            let found = self
                .together
                .list_endpoints()
                .await?
                .into_iter()
                .find(|e| e.model.as_deref() == Some(state.endpoints[k].model.as_str()));
            if let Some(found) = found {
                state.endpoints[k].id = Some(found.id.clone());
                self.together
                    .delete_endpoint(&found.id)
                    .await
                    .or_else(|e| {
                        if e.kind == TogetherErrorKind::NotFound {
                            Ok(())
                        } else {
                            Err(e)
                        }
                    })?;
            }
        }
        state.endpoints[k].deleted_at = Some(self.now());
        state.endpoints[k].state = Some("DELETED".into());
        Ok(true)
    }

    /// When a pipeline fails or is cancelled: deletes every live endpoint that no finished
    /// deployment owns, best effort (one that cannot be deleted keeps its record and its
    /// inactivity timeout).
    pub(crate) async fn release_endpoints(&self, state: &mut PipelineState) {
        let slots: Vec<String> = state
            .endpoints
            .iter()
            .filter(|e| e.is_live())
            .filter(|e| {
                state
                    .deployments
                    .get(&e.slot)
                    .is_none_or(|d| d.stage != crate::pipeline::outcome::DeploymentStage::Done)
            })
            .map(|e| e.slot.clone())
            .collect();
        for slot in slots {
            let _ = self.delete_endpoint_of(state, &slot).await;
        }
    }
}
