//! Evaluation of the fine-tuned models against their base models on the held-out test split.
//!
//! ```text
//! score.rs  one answer against its reference: files named, code that parses, token F1, think block
//! run.rs    sampling under a cap and a budget, both models per request, the per-model summary
//! ```

pub mod run;
pub mod score;
