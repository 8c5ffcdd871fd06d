//! The JS face of the core: conversions and adapters only, no domain logic.
//!
//! Values cross the boundary as JSON text (`JSON.stringify` / `JSON.parse`), which keeps maps as
//! plain objects, turns a circular event into a clean error instead of a stack overflow, and is
//! faster than walking large objects field by field.

pub mod api;
pub mod convert;
pub mod error;
pub mod host;
pub mod pipeline;
pub mod together;
pub mod tokens;
mod types;
pub mod validate;
