//! The fallback when no vocabulary is loaded: a conservative chars-per-token estimate.

use super::TokenCounter;

/// Counts `ceil(chars / CHARS_PER_TOKEN)`, plus one per four line breaks (indentation after a
/// newline is often a token of its own). Deliberately low chars-per-token, so limits are enforced
/// early rather than late.
#[derive(Debug, Default, Clone, Copy)]
pub struct Estimate;

/// Byte-level BPE vocabularies of about 150K entries average 3.5 to 4.5 characters per token on
/// TypeScript and JSON; 3.0 keeps the estimate above the real count on nearly every file.
pub const CHARS_PER_TOKEN: f64 = 3.0;

impl TokenCounter for Estimate {
    fn count(&self, text: &str) -> usize {
        let chars = text.chars().count() as f64;
        let lines = text.bytes().filter(|b| *b == b'\n').count();
        (chars / CHARS_PER_TOKEN).ceil() as usize + lines / 4
    }

    fn exact(&self) -> bool {
        false
    }

    fn describe(&self) -> String {
        format!("estimate: {CHARS_PER_TOKEN} characters per token (no vocabulary loaded)")
    }
}
