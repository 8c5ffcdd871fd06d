//! The training pipeline: a persisted state machine that collects, prepares, uploads, trains both
//! models in parallel within a budget, evaluates and deploys.
//!
//! ```text
//! config.rs   the configuration in the original design's shape, defaults and checks
//! ledger.rs   estimates and spending against the budget, in nano-dollars
//! state.rs    the persisted state: phase, files and jobs with their intent markers, costs
//! store.rs    pipelines/<id>.json, written atomically before and after every external effect
//! jobs.rs     job requests, the limits check, finding a job again by its suffix
//! machine.rs  one step of a pipeline, and when it wants the next
//! training.rs creating each job once, polling, spending against the budget, cancelling
//! status.rs   the status view and its progress figure
//! run.rs      the handle's methods: launch, advance, status, list, cancel
//! ```

pub mod config;
pub mod jobs;
pub mod ledger;
pub mod machine;
pub mod run;
pub mod state;
pub mod status;
pub mod store;
mod training;
