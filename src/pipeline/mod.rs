//! The training pipeline: a persisted state machine that collects, prepares, uploads, trains both
//! models in parallel within a budget, evaluates and deploys.
//!
//! ```text
//! config.rs   the configuration in the original design's shape, defaults and checks
//! ledger.rs   estimates and spending against the budget, in nano-dollars
//! state.rs    the persisted state: phase, files and jobs with their intent markers, costs
//! store.rs    pipelines/<id>.json, written atomically before and after every external effect
//! jobs.rs     job requests, the limits check, finding a job again by its suffix
//! losses.rs   a job's loss curve from Together's metrics, thinned for the chart
//! machine.rs  one step of a pipeline, and when it wants the next
//! training.rs creating each job once, polling, spending against the budget, cancelling
//! outcome.rs  the records of evaluation, endpoints and deployment
//! endpoints.rs creating a dedicated endpoint once (intent first), waiting for it, deleting it
//! evaluating.rs asking the test requests of both models, one per step
//! deploying.rs the decision per model and carrying it out; the final report
//! report.rs   the final report, JSON and Markdown
//! status.rs   the status view and its progress figure
//! run.rs      the handle's methods: launch, advance, status, list, cancel
//! ```

pub mod config;
mod deploying;
mod endpoints;
mod evaluating;
pub mod jobs;
pub mod ledger;
pub mod losses;
pub mod machine;
pub mod outcome;
pub mod report;
pub mod run;
pub mod state;
pub mod status;
pub mod store;
mod training;
