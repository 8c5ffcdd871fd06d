//! Deployment: where a fine-tuned model should run, what that costs, and the files a local
//! deployment needs.
//!
//! ```text
//! size.rs      model size in GB from the parameter count in the model id and the precision
//! matrix.rs    the decision matrix (the seed's table, with its open cases closed)
//! cost.rs      monthly cost on Together against a local GPU server, and the break-even usage
//! modelfile.rs the Ollama Modelfile and the commands the user runs to get GGUF weights
//! ```

pub mod cost;
pub mod matrix;
pub mod modelfile;
pub mod size;
