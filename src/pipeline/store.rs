//! Pipelines in storage: one JSON document per pipeline under `pipelines/<id>.json`, replaced
//! atomically (`Storage::write`) before and after every external effect.

use crate::error::{ErrorCode, SelftuneError};
use crate::hash::ContentHasher;
use crate::host::Storage;
use crate::pipeline::state::{Phase, PipelineState, STATE_VERSION};

pub const PIPELINE_DIR: &str = "pipelines";

pub fn state_path(id: &str) -> String {
    format!("{PIPELINE_DIR}/{id}.json")
}

/// Where a pipeline's datasets are built.
pub fn dataset_dir(id: &str) -> String {
    format!("{PIPELINE_DIR}/{id}/datasets")
}

/// Ids are `pl_` and 12 hex digits: safe in paths, file names and job suffixes.
pub fn check_id(id: &str) -> Result<(), SelftuneError> {
    let ok = id
        .strip_prefix("pl_")
        .is_some_and(|rest| rest.len() == 12 && rest.chars().all(|c| c.is_ascii_hexdigit()));
    if ok {
        Ok(())
    } else {
        Err(SelftuneError::invalid_argument(format!(
            "'{}' is not a pipeline id (pl_ and 12 hex digits)",
            id.chars().take(40).collect::<String>()
        )))
    }
}

/// A fresh id from the time, the name and a counter (bumped until the id is unused).
pub async fn new_id(storage: &impl Storage, now: u64, name: &str) -> Result<String, SelftuneError> {
    for attempt in 0u32.. {
        let mut hasher = ContentHasher::default();
        hasher.update(&now.to_le_bytes());
        hasher.update(name.as_bytes());
        hasher.update(&attempt.to_le_bytes());
        let id = format!("pl_{}", &hasher.hex()[..12]);
        if load(storage, &id).await?.is_none() {
            return Ok(id);
        }
    }
    unreachable!("the loop only ends by returning")
}

pub async fn load(
    storage: &impl Storage,
    id: &str,
) -> Result<Option<PipelineState>, SelftuneError> {
    let path = state_path(id);
    let Some(text) = storage
        .read(&path)
        .await
        .map_err(|e| SelftuneError::storage("read", &path, e))?
    else {
        return Ok(None);
    };
    let state: PipelineState = serde_json::from_str(&text).map_err(|e| {
        SelftuneError::new(
            ErrorCode::Storage,
            format!("storage: '{path}' is not a readable pipeline state: {e}"),
        )
    })?;
    if state.version > STATE_VERSION {
        return Err(SelftuneError::new(
            ErrorCode::Storage,
            format!(
                "storage: '{path}' was written by a newer selftune (state version {})",
                state.version
            ),
        ));
    }
    Ok(Some(state))
}

pub async fn require(storage: &impl Storage, id: &str) -> Result<PipelineState, SelftuneError> {
    check_id(id)?;
    load(storage, id).await?.ok_or_else(|| {
        SelftuneError::new(
            ErrorCode::PipelineNotFound,
            format!("no pipeline has the id '{id}'"),
        )
    })
}

/// Writes the state. A pipeline cancelled meanwhile (by another process) stays cancelled: the
/// write is refused with `pipeline_failed`, and the caller stops.
pub async fn save(storage: &impl Storage, state: &PipelineState) -> Result<(), SelftuneError> {
    let path = state_path(&state.id);
    if state.phase != Phase::Cancelled {
        if let Some(stored) = load(storage, &state.id).await? {
            if stored.phase == Phase::Cancelled {
                return Err(SelftuneError::new(
                    ErrorCode::PipelineFailed,
                    format!("pipeline {} was cancelled meanwhile", state.id),
                ));
            }
        }
    }
    let text = serde_json::to_string_pretty(state)
        .map_err(|e| SelftuneError::new(ErrorCode::Storage, format!("storage: {path}: {e}")))?;
    storage
        .write(&path, &text)
        .await
        .map_err(|e| SelftuneError::storage("write", &path, e))
}

/// Every pipeline's id, oldest file name order (ids are not time-ordered; sort by `createdAt`).
pub async fn list_ids(storage: &impl Storage) -> Result<Vec<String>, SelftuneError> {
    let names = storage
        .list(PIPELINE_DIR)
        .await
        .map_err(|e| SelftuneError::storage("list", PIPELINE_DIR, e))?;
    Ok(names
        .into_iter()
        .filter_map(|name| name.strip_suffix(".json").map(str::to_owned))
        .filter(|id| check_id(id).is_ok())
        .collect())
}
