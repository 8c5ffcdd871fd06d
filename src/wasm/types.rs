//! TypeScript declarations for values whose shape tsify cannot express precisely.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const CAPTURE_RESULT: &str = r#"
/** Why an event was not stored. */
export type SkipReason = "not_successful" | "duplicate" | "forgotten";

/** The outcome of `onPluginSuccess` / `onMcpSuccess`. */
export type CaptureResult =
  | { stored: true; exampleId: string; quality: QualityScore }
  | { stored: false; reason: "duplicate"; exampleId: string }
  | { stored: false; reason: "not_successful" | "forgotten" };

/** Stable codes of `SelftuneError`. */
export type SelftuneErrorCode =
  | "invalid_event"
  | "invalid_config"
  | "invalid_argument"
  | "storage"
  | "invalid_host"
  | "together_unauthorized"
  | "together_payment_required"
  | "together_not_found"
  | "together_invalid_request"
  | "together_rate_limited"
  | "together_server"
  | "together_timeout"
  | "together_http"
  | "together_file_rejected"
  | "budget_exceeded"
  | "limits_exceeded"
  | "pipeline_not_found"
  | "pipeline_failed";

/** One line of the audit log. */
export type AuditEntry = { at: number } & AuditEvent;

/** What `redactText` replaces besides credentials (both default to true). */
export interface RedactionOptions {
  redactEmails?: boolean;
  redactPhoneNumbers?: boolean;
}

/** Redacted text, and how many values of each kind were replaced (never the values). */
export interface RedactedText {
  text: string;
  counts: Record<string, number>;
}
"#;
