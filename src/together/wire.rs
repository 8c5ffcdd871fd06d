//! Together's snake_case JSON bodies and query strings for the typed requests, as its spec
//! describes them, after the checks that need no server. Optional fields that are not set are
//! left out, so the server applies its own defaults.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::together::errors::TogetherError;
use crate::together::requests::{
    Autoscaling, BatchSize, ChatRequest, CreateEndpoint, CreateFineTune, EstimatePrice,
    LrScheduler, MetricsFilter, TrainingMethod, TrainingType, UpdateEndpoint, ENDPOINT_STATES,
    MAX_SUFFIX_CHARS,
};

/// A JSON object under construction that leaves out what is not set.
#[derive(Default)]
struct Body(Map<String, Value>);

impl Body {
    fn set(mut self, key: &str, value: impl Serialize) -> Self {
        // Serializing plain data (numbers, strings, these enums) cannot fail.
        if let Ok(value) = serde_json::to_value(value) {
            self.0.insert(key.to_owned(), value);
        }
        self
    }

    fn opt(self, key: &str, value: Option<impl Serialize>) -> Self {
        match value {
            Some(value) => self.set(key, value),
            None => self,
        }
    }

    fn done(self) -> Value {
        Value::Object(self.0)
    }
}

fn non_empty(what: &str, value: &str) -> Result<(), TogetherError> {
    if value.trim().is_empty() {
        return Err(TogetherError::invalid_argument(format!(
            "{what} must not be empty"
        )));
    }
    Ok(())
}

fn finite(what: &str, value: Option<f64>) -> Result<(), TogetherError> {
    match value {
        Some(n) if !n.is_finite() => Err(TogetherError::invalid_argument(format!(
            "{what} must be a finite number"
        ))),
        _ => Ok(()),
    }
}

fn training_method_wire(method: &TrainingMethod) -> Option<Value> {
    match method {
        TrainingMethod::Sft { train_on_inputs } => {
            let train_on_inputs = (*train_on_inputs)?;
            Some(
                Body::default()
                    .set("method", "sft")
                    .set("train_on_inputs", train_on_inputs)
                    .done(),
            )
        }
        TrainingMethod::Dpo {
            dpo_beta,
            rpo_alpha,
            simpo_gamma,
        } => Some(
            Body::default()
                .set("method", "dpo")
                .opt("dpo_beta", *dpo_beta)
                .opt("rpo_alpha", *rpo_alpha)
                .opt("simpo_gamma", *simpo_gamma)
                .done(),
        ),
    }
}

fn training_type_wire(kind: &TrainingType) -> Value {
    match kind {
        TrainingType::Lora {
            lora_r,
            lora_alpha,
            lora_dropout,
            lora_trainable_modules,
        } => Body::default()
            .set("type", "Lora")
            .set("lora_r", lora_r)
            .set("lora_alpha", lora_alpha)
            .opt("lora_dropout", *lora_dropout)
            .opt("lora_trainable_modules", lora_trainable_modules.as_deref())
            .done(),
        TrainingType::Full => Body::default().set("type", "Full").done(),
    }
}

fn check_training_type(kind: Option<&TrainingType>) -> Result<(), TogetherError> {
    if let Some(TrainingType::Lora {
        lora_r,
        lora_alpha,
        lora_dropout,
        ..
    }) = kind
    {
        if *lora_r == 0 || *lora_alpha == 0 {
            return Err(TogetherError::invalid_argument(
                "trainingType.loraR and loraAlpha must be at least 1",
            ));
        }
        if let Some(dropout) = lora_dropout {
            if !(0.0..1.0).contains(dropout) {
                return Err(TogetherError::invalid_argument(
                    "trainingType.loraDropout must be in [0, 1)",
                ));
            }
        }
    }
    Ok(())
}

fn lr_scheduler_wire(scheduler: &LrScheduler) -> Value {
    match scheduler {
        LrScheduler::Linear { min_lr_ratio } => Body::default()
            .set("lr_scheduler_type", "linear")
            .set(
                "lr_scheduler_args",
                Body::default().set("min_lr_ratio", min_lr_ratio).done(),
            )
            .done(),
        LrScheduler::Cosine {
            min_lr_ratio,
            num_cycles,
        } => Body::default()
            .set("lr_scheduler_type", "cosine")
            .set(
                "lr_scheduler_args",
                Body::default()
                    .set("min_lr_ratio", min_lr_ratio)
                    .set("num_cycles", num_cycles)
                    .done(),
            )
            .done(),
    }
}

impl CreateFineTune {
    /// Checks what can be checked without the server, then builds Together's JSON body.
    pub fn to_wire(&self) -> Result<Value, TogetherError> {
        non_empty("trainingFile", &self.training_file)?;
        non_empty("model", &self.model)?;
        if let Some(suffix) = &self.suffix {
            if suffix.chars().count() > MAX_SUFFIX_CHARS {
                return Err(TogetherError::invalid_argument(format!(
                    "suffix must be at most {MAX_SUFFIX_CHARS} characters"
                )));
            }
        }
        if let Some(BatchSize::Max(text)) = &self.batch_size {
            if text != "max" {
                return Err(TogetherError::invalid_argument(
                    "batchSize must be a whole number or \"max\"",
                ));
            }
        }
        for (what, value) in [
            ("learningRate", self.learning_rate),
            ("warmupRatio", self.warmup_ratio),
            ("maxGradNorm", self.max_grad_norm),
            ("weightDecay", self.weight_decay),
        ] {
            finite(what, value)?;
        }
        if let Some(ratio) = self.warmup_ratio {
            if !(0.0..=1.0).contains(&ratio) {
                return Err(TogetherError::invalid_argument(
                    "warmupRatio must be in [0, 1]",
                ));
            }
        }
        check_training_type(self.training_type.as_ref())?;
        let batch_size = self.batch_size.as_ref().map(|size| match size {
            BatchSize::Size(n) => Value::from(*n),
            BatchSize::Max(_) => Value::from("max"),
        });
        Ok(Body::default()
            .set("training_file", &self.training_file)
            .set("model", &self.model)
            .opt("validation_file", self.validation_file.as_deref())
            .opt("n_epochs", self.n_epochs)
            .opt("n_checkpoints", self.n_checkpoints)
            .opt("n_evals", self.n_evals)
            .opt("batch_size", batch_size)
            .opt("learning_rate", self.learning_rate)
            .opt(
                "lr_scheduler",
                self.lr_scheduler.as_ref().map(lr_scheduler_wire),
            )
            .opt("warmup_ratio", self.warmup_ratio)
            .opt("max_grad_norm", self.max_grad_norm)
            .opt("weight_decay", self.weight_decay)
            .opt("random_seed", self.random_seed)
            .opt("suffix", self.suffix.as_deref())
            .opt("packing", self.packing)
            .opt("max_seq_length", self.max_seq_length)
            .opt(
                "training_method",
                self.training_method.as_ref().and_then(training_method_wire),
            )
            .opt(
                "training_type",
                self.training_type.as_ref().map(training_type_wire),
            )
            .opt("from_checkpoint", self.from_checkpoint.as_deref())
            .done())
    }
}

impl EstimatePrice {
    pub fn to_wire(&self) -> Result<Value, TogetherError> {
        non_empty("trainingFile", &self.training_file)?;
        check_training_type(self.training_type.as_ref())?;
        Ok(Body::default()
            .set("training_file", &self.training_file)
            .opt("validation_file", self.validation_file.as_deref())
            .opt("model", self.model.as_deref())
            .opt("n_epochs", self.n_epochs)
            .opt("n_evals", self.n_evals)
            .opt(
                "training_method",
                self.training_method.as_ref().and_then(training_method_wire),
            )
            .opt(
                "training_type",
                self.training_type.as_ref().map(training_type_wire),
            )
            .opt("from_checkpoint", self.from_checkpoint.as_deref())
            .done())
    }
}

impl ChatRequest {
    pub fn to_wire(&self) -> Result<Value, TogetherError> {
        non_empty("model", &self.model)?;
        if self.messages.is_empty() {
            return Err(TogetherError::invalid_argument(
                "messages must hold at least one message",
            ));
        }
        finite("temperature", self.temperature)?;
        finite("topP", self.top_p)?;
        let messages: Vec<Value> = self
            .messages
            .iter()
            .map(|message| {
                Body::default()
                    .set("role", &message.role)
                    .set("content", &message.content)
                    .done()
            })
            .collect();
        Ok(Body::default()
            .set("model", &self.model)
            .set("messages", messages)
            .opt("max_tokens", self.max_tokens)
            .opt("temperature", self.temperature)
            .opt("top_p", self.top_p)
            .opt("stop", self.stop.as_ref())
            .opt("seed", self.seed)
            .done())
    }
}

fn autoscaling_wire(autoscaling: &Autoscaling) -> Result<Value, TogetherError> {
    if autoscaling.min_replicas > autoscaling.max_replicas {
        return Err(TogetherError::invalid_argument(
            "autoscaling.minReplicas must not exceed maxReplicas",
        ));
    }
    Ok(Body::default()
        .set("min_replicas", autoscaling.min_replicas)
        .set("max_replicas", autoscaling.max_replicas)
        .done())
}

fn check_state(state: Option<&str>) -> Result<(), TogetherError> {
    match state {
        Some(state) if !ENDPOINT_STATES.contains(&state) => Err(TogetherError::invalid_argument(
            format!("state must be STARTED or STOPPED (got '{state}')"),
        )),
        _ => Ok(()),
    }
}

impl CreateEndpoint {
    pub fn to_wire(&self) -> Result<Value, TogetherError> {
        non_empty("model", &self.model)?;
        non_empty("hardware", &self.hardware)?;
        check_state(self.state.as_deref())?;
        let autoscaling = self.autoscaling.clone().unwrap_or(Autoscaling {
            min_replicas: 1,
            max_replicas: 1,
        });
        Ok(Body::default()
            .set("model", &self.model)
            .set("hardware", &self.hardware)
            .set("autoscaling", autoscaling_wire(&autoscaling)?)
            .opt("display_name", self.display_name.as_deref())
            .opt("state", self.state.as_deref())
            .opt("inactive_timeout", self.inactive_timeout)
            .opt(
                "disable_speculative_decoding",
                self.disable_speculative_decoding,
            )
            .done())
    }
}

impl UpdateEndpoint {
    pub fn to_wire(&self) -> Result<Value, TogetherError> {
        check_state(self.state.as_deref())?;
        let autoscaling = self
            .autoscaling
            .as_ref()
            .map(autoscaling_wire)
            .transpose()?;
        Ok(Body::default()
            .opt("display_name", self.display_name.as_deref())
            .opt("state", self.state.as_deref())
            .opt("autoscaling", autoscaling)
            .opt("inactive_timeout", self.inactive_timeout)
            .done())
    }
}

impl MetricsFilter {
    /// `(name, value)` query pairs, in a fixed order.
    pub fn to_query(&self) -> Vec<(&'static str, String)> {
        let mut query = Vec::new();
        if let Some(n) = self.global_step_from {
            query.push(("global_step_from", n.to_string()));
        }
        if let Some(n) = self.global_step_to {
            query.push(("global_step_to", n.to_string()));
        }
        if let Some(at) = &self.logged_at_from {
            query.push(("logged_at_from", at.clone()));
        }
        if let Some(at) = &self.logged_at_to {
            query.push(("logged_at_to", at.clone()));
        }
        query
    }
}
