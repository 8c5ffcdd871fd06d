//! The fine-tuning jobs of a pipeline, as Together sees them: the requests built from the
//! configuration, the check against the model's limits, and finding a job again by its suffix.

use crate::pipeline::config::{LoraSetting, ModelTraining};
use crate::pipeline::state::JobRecord;
use crate::together::requests::{BatchSize, CreateFineTune, EstimatePrice, TrainingType};
use crate::together::types::{FineTuneJob, JobStatus, ModelLimits};

/// The LoRA rank when neither the configuration nor Together's limits give one.
const FALLBACK_LORA_RANK: u32 = 8;

/// What `training_type` to send: LoRA with the configured (or Together's default) rank and an
/// alpha of twice the rank, or full fine-tuning when `lora` is `false`.
pub fn training_type(training: &ModelTraining, default_rank: Option<u32>) -> TrainingType {
    let default_rank = default_rank
        .filter(|rank| *rank > 0)
        .unwrap_or(FALLBACK_LORA_RANK);
    match &training.lora {
        LoraSetting::Enabled(false) => TrainingType::Full,
        LoraSetting::Enabled(true) => TrainingType::Lora {
            lora_r: default_rank,
            lora_alpha: default_rank * 2,
            lora_dropout: None,
            lora_trainable_modules: None,
        },
        LoraSetting::Custom(custom) => {
            let rank = custom.rank.unwrap_or(default_rank);
            TrainingType::Lora {
                lora_r: rank,
                lora_alpha: custom
                    .alpha
                    .filter(|alpha| alpha.is_finite() && *alpha >= 1.0)
                    .map_or(rank * 2, |alpha| alpha.round() as u32),
                lora_dropout: custom.dropout,
                lora_trainable_modules: None,
            }
        }
    }
}

fn file_id(job: &JobRecord, split: &str) -> Option<String> {
    job.file(split).and_then(|file| file.file_id.clone())
}

/// Evaluations during training: one per epoch when there is a validation file.
fn evaluations(job: &JobRecord) -> Option<u32> {
    file_id(job, "validation").map(|_| job.training.epochs)
}

/// Together's default LoRA rank for a model, from its limits.
pub fn default_rank(limits: &ModelLimits) -> Option<u32> {
    limits
        .lora_training
        .as_ref()
        .and_then(|lora| lora.default_rank)
        .and_then(|rank| u32::try_from(rank).ok())
}

pub fn estimate_request(job: &JobRecord) -> EstimatePrice {
    EstimatePrice {
        training_file: file_id(job, "train").unwrap_or_default(),
        validation_file: file_id(job, "validation"),
        model: Some(job.training.base_model.clone()),
        n_epochs: Some(job.training.epochs),
        n_evals: evaluations(job),
        training_method: None,
        training_type: Some(training_type(&job.training, job.lora_default_rank)),
        from_checkpoint: None,
    }
}

pub fn create_request(job: &JobRecord) -> CreateFineTune {
    CreateFineTune {
        training_file: file_id(job, "train").unwrap_or_default(),
        validation_file: file_id(job, "validation"),
        model: job.training.base_model.clone(),
        n_epochs: Some(job.training.epochs),
        n_evals: evaluations(job),
        batch_size: job.training.batch_size.map(BatchSize::Size),
        learning_rate: Some(job.training.learning_rate),
        suffix: Some(job.suffix.clone()),
        training_type: Some(training_type(&job.training, job.lora_default_rank)),
        ..CreateFineTune::default()
    }
}

/// The model's batch-size bounds for `training`'s kind of fine-tuning (LoRA or full).
pub fn batch_range(training: &ModelTraining, limits: &ModelLimits) -> (Option<i64>, Option<i64>) {
    if matches!(training.lora, LoraSetting::Enabled(false)) {
        let full = limits.full_training.as_ref();
        (
            full.and_then(|f| f.min_batch_size),
            full.and_then(|f| f.max_batch_size),
        )
    } else {
        let lora = limits.lora_training.as_ref();
        (
            lora.and_then(|l| l.min_batch_size),
            lora.and_then(|l| l.max_batch_size),
        )
    }
}

/// A default batch size moved into the model's range: the nearest bound when it is outside,
/// None when it already fits (or there is no default to move).
pub fn fitted_default_batch(training: &ModelTraining, limits: &ModelLimits) -> Option<u32> {
    let batch = training
        .batch_size
        .filter(|_| training.batch_size_is_default)?;
    let (min, max) = batch_range(training, limits);
    let wanted = i64::from(batch)
        .max(min.unwrap_or(1))
        .min(max.unwrap_or(i64::MAX));
    let fitted = u32::try_from(wanted.max(1)).ok()?;
    (fitted != batch).then_some(fitted)
}

/// Every way `training` breaks the model's limits, each naming the setting and the bound.
/// `longest_line` is the longest dataset line in tokens.
pub fn limit_problems(
    slot: &str,
    training: &ModelTraining,
    limits: &ModelLimits,
    longest_line: u64,
) -> Vec<String> {
    let field = |name: &str| format!("{slot}Model.{name}");
    let mut problems = Vec::new();
    let rate = training.learning_rate;
    if let Some(min) = limits.min_learning_rate {
        if rate < min {
            problems.push(format!(
                "{} {rate:e} is below the model's minimum {min:e}",
                field("learningRate")
            ));
        }
    }
    if let Some(max) = limits.max_learning_rate {
        if rate > max {
            problems.push(format!(
                "{} {rate:e} is above the model's maximum {max:e}",
                field("learningRate")
            ));
        }
    }
    if let Some(max) = limits.max_num_epochs {
        if i64::from(training.epochs) > max {
            problems.push(format!(
                "{} {} is above the model's maximum {max}",
                field("epochs"),
                training.epochs
            ));
        }
    }
    let lora = !matches!(training.lora, LoraSetting::Enabled(false));
    if !lora && (limits.supports_full_training == Some(false) || limits.full_training.is_none()) {
        problems.push(format!(
            "{} is false, but the model cannot be fully fine-tuned",
            field("lora")
        ));
    }
    let (min_batch, max_batch) = batch_range(training, limits);
    if let Some(batch) = training.batch_size {
        if let Some(min) = min_batch.filter(|min| i64::from(batch) < *min) {
            problems.push(format!(
                "{} {batch} is below the model's minimum {min}",
                field("batchSize")
            ));
        }
        if let Some(max) = max_batch.filter(|max| i64::from(batch) > *max) {
            problems.push(format!(
                "{} {batch} is above the model's maximum {max}",
                field("batchSize")
            ));
        }
    }
    if let LoraSetting::Custom(custom) = &training.lora {
        let max_rank = limits.lora_training.as_ref().and_then(|l| l.max_rank);
        if let (Some(rank), Some(max)) = (custom.rank, max_rank) {
            if i64::from(rank) > max {
                problems.push(format!(
                    "{} {rank} is above the model's maximum {max}",
                    field("lora.rank")
                ));
            }
        }
    }
    if let Some(max) = limits.max_seq_length_sft {
        if i64::try_from(longest_line).unwrap_or(i64::MAX) > max {
            problems.push(format!(
                "the longest {slot} dataset line has {longest_line} tokens, over the model's sequence length {max}"
            ));
        }
    }
    problems
}

/// The job this pipeline created for `record`, if Together has it: the newest one whose suffix is
/// the record's (the suffix carries the pipeline's id and the slot).
pub fn find_created<'a>(record: &JobRecord, jobs: &'a [FineTuneJob]) -> Option<&'a FineTuneJob> {
    jobs.iter()
        .filter(|job| {
            job.suffix.as_deref() == Some(record.suffix.as_str())
                || job
                    .model_output_name
                    .as_deref()
                    .is_some_and(|name| name.contains(&format!("-{}", record.suffix)))
        })
        .filter(|job| {
            job.model.is_none() || job.model.as_deref() == Some(record.training.base_model.as_str())
        })
        .max_by(|a, b| a.created_at.cmp(&b.created_at))
}

/// A job's status as text (`running`, or a value Together added later).
pub fn status_text(status: Option<&JobStatus>) -> Option<String> {
    status.map(|status| status.as_str().to_owned())
}
