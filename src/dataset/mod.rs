//! Datasets: from the example log to Together-format JSONL for each model profile.
//!
//! select (quality, exact and near duplicates) -> reasoning -> render per profile -> token counts
//! and the over-length policy -> grouped, seeded split -> validation -> JSONL files + manifest.

pub mod build;
pub mod manifest;
pub mod minhash;
pub mod options;
pub mod output;
pub mod profile;
pub mod render;
pub mod split;
pub mod validate;
