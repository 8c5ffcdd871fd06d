//! Configuration of a selftune handle, as passed to `Selftune.create(host, config)`.

use serde::{Deserialize, Serialize};

use crate::error::SelftuneError;

pub const DEFAULT_MAX_FILE_BYTES: u64 = 256 * 1024;
pub const DEFAULT_MAX_EVENT_BYTES: u64 = 2 * 1024 * 1024;

/// Every field is optional; a missing one takes its default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct SelftuneConfig {
    /// Largest accepted file content, in UTF-8 bytes (default 262144, 256 KiB).
    pub max_file_bytes: u64,
    /// Largest accepted event: the request, names, paths and contents together, in UTF-8 bytes
    /// (default 2097152, 2 MiB).
    pub max_event_bytes: u64,
    /// Days of example log to keep; older day partitions are removed. Null keeps everything.
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "number | null"))]
    pub retention_days: Option<u32>,
    /// Replace e-mail addresses with `<REDACTED:email>` (default true).
    pub redact_emails: bool,
    /// Replace phone numbers with `<REDACTED:phone_number>` (default true).
    pub redact_phone_numbers: bool,
}

impl Default for SelftuneConfig {
    fn default() -> Self {
        SelftuneConfig {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            max_event_bytes: DEFAULT_MAX_EVENT_BYTES,
            retention_days: None,
            redact_emails: true,
            redact_phone_numbers: true,
        }
    }
}

impl SelftuneConfig {
    /// Parses a config object (`null` means all defaults) and checks it.
    pub fn from_json(value: serde_json::Value) -> Result<Self, SelftuneError> {
        let config: SelftuneConfig = if value.is_null() {
            SelftuneConfig::default()
        } else {
            serde_json::from_value(value).map_err(SelftuneError::invalid_config)?
        };
        config.validate()?;
        Ok(config)
    }

    pub fn validate(&self) -> Result<(), SelftuneError> {
        if self.max_file_bytes == 0 {
            return Err(SelftuneError::invalid_config(
                "maxFileBytes must be greater than 0",
            ));
        }
        if self.max_event_bytes < self.max_file_bytes {
            return Err(SelftuneError::invalid_config(format!(
                "maxEventBytes ({}) must be at least maxFileBytes ({})",
                self.max_event_bytes, self.max_file_bytes
            )));
        }
        if self.retention_days == Some(0) {
            return Err(SelftuneError::invalid_config(
                "retentionDays must be at least 1 (or null to keep everything)",
            ));
        }
        Ok(())
    }
}

/// Parses the options of a one-off `redactText` call (`null` means the defaults).
pub fn redaction_options_from_json(
    value: serde_json::Value,
) -> Result<crate::redact::RedactionOptions, SelftuneError> {
    if value.is_null() {
        return Ok(crate::redact::RedactionOptions::default());
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Options {
        redact_emails: Option<bool>,
        redact_phone_numbers: Option<bool>,
    }
    let options: Options = serde_json::from_value(value).map_err(SelftuneError::invalid_config)?;
    let defaults = crate::redact::RedactionOptions::default();
    Ok(crate::redact::RedactionOptions {
        redact_emails: options.redact_emails.unwrap_or(defaults.redact_emails),
        redact_phone_numbers: options
            .redact_phone_numbers
            .unwrap_or(defaults.redact_phone_numbers),
    })
}
