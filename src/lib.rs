//! selftune core: turns an ElizaOS agent's successful code generations into training examples.
//!
//! Every I/O goes through the ports in [`host`]; the wasm bindings in `wasm/` adapt them to a JS
//! object, and native tests use in-memory fakes.

pub mod audit;
pub mod capture;
pub mod config;
pub mod dataset;
pub mod deploy;
pub mod error;
pub mod evaluate;
pub mod event;
pub mod forget;
pub mod handle;
pub mod hash;
pub mod host;
pub mod lock;
pub mod pipeline;
pub mod quality;
pub mod reasoning;
pub mod redact;
pub mod retention;
pub mod scrub;
pub mod stats;
pub mod store;
pub mod time;
pub mod together;
pub mod tokens;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
