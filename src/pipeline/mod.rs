//! The training pipeline: a persisted state machine that collects, prepares, uploads, trains both
//! models in parallel within a budget, evaluates and deploys.

pub mod config;
pub mod ledger;
