//! TypeScript declarations for values whose shape tsify cannot express precisely.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const CAPTURE_RESULT: &str = r#"
/** Why an event was not stored. */
export type SkipReason = "not_successful" | "duplicate";

/** The outcome of `onPluginSuccess` / `onMcpSuccess`. */
export type CaptureResult =
  | { stored: true; exampleId: string; quality: QualityScore }
  | { stored: false; reason: "duplicate"; exampleId: string }
  | { stored: false; reason: "not_successful" };

/** Stable codes of `SelftuneError`. */
export type SelftuneErrorCode = "invalid_event" | "invalid_config" | "storage" | "invalid_host";
"#;
