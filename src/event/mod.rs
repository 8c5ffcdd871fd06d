//! Inbound events (a plugin or an MCP server the agent created) and their validation.
//!
//! Events arrive as untyped JSON from JS, so they are parsed by hand: every rejection names the
//! field as a path (`outcome.files[2].path`) and says what is wrong. The serde derives describe
//! the same shapes for the generated TypeScript types and for native tests; a round-trip test keeps
//! the two in step.

mod fields;

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::SelftuneConfig;
use crate::error::SelftuneError;
use fields::{
    optional_count, optional_milliseconds, optional_string, preview, required_string, type_name,
};

/// Most files one event may carry; more is not a code generation but a repository dump.
pub const MAX_FILES_PER_EVENT: usize = 1_000;
/// Longest accepted file path, in bytes.
pub const MAX_PATH_BYTES: usize = 512;
/// Longest accepted caller-supplied event id, in bytes.
pub const MAX_EVENT_ID_BYTES: usize = 200;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct GeneratedFile {
    /// Relative path with `/` separators, e.g. `src/actions/getWeather.ts`.
    pub path: String,
    pub content: String,
}

/// npm-style `{ name: range }`, or just a list of names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(untagged)]
pub enum Dependencies {
    Versions(
        #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, string>"))]
        BTreeMap<String, String>,
    ),
    Names(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct McpTool {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub description: Option<String>,
    /// The tool's JSON Schema, as the server declares it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(optional, type = "Record<string, unknown>")
    )]
    pub input_schema: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct PluginOutcome {
    pub success: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub plugin_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub description: Option<String>,
    pub files: Vec<GeneratedFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub dependencies: Option<Dependencies>,
}

/// A plugin the agent created successfully (the original design's `PLUGIN_SUCCESS` payload).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct PluginEvent {
    /// The caller's id for this event; kept in the record as `eventId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub id: Option<String>,
    pub original_request: String,
    /// Wall time of the generation, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub execution_time: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub tokens_used: Option<u64>,
    pub outcome: PluginOutcome,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct McpOutcome {
    pub success: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub mcp_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub description: Option<String>,
    /// Tools the server exposes: names, or objects with a schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(optional, type = "Array<string | McpTool>")
    )]
    pub tools: Option<Vec<McpTool>>,
    pub files: Vec<GeneratedFile>,
}

/// An MCP server the agent created successfully (the original design's `MCP_SUCCESS` payload).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct McpEvent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub id: Option<String>,
    pub original_request: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub execution_time: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub tokens_used: Option<u64>,
    pub outcome: McpOutcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum ExampleKind {
    Plugin,
    Mcp,
}

impl ExampleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ExampleKind::Plugin => "plugin",
            ExampleKind::Mcp => "mcp",
        }
    }
}

/// An event that passed validation, with paths normalized. Only successful events get this far.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidEvent {
    pub kind: ExampleKind,
    pub event_id: Option<String>,
    pub request: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub files: Vec<GeneratedFile>,
    pub dependencies: Option<Dependencies>,
    pub tools: Vec<McpTool>,
    pub execution_time_ms: Option<f64>,
    pub tokens_used: Option<u64>,
}

/// What validation concluded about a well-formed event.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    Successful(Box<ValidEvent>),
    /// `outcome.success` was false: a well-formed event that is not a training example.
    NotSuccessful,
}

/// Validates a plugin or MCP event given as JSON. Malformed input is an `invalid_event` error that
/// names the field; it never panics.
pub fn parse_event(
    kind: ExampleKind,
    event: Value,
    config: &SelftuneConfig,
) -> Result<Parsed, SelftuneError> {
    let Value::Object(mut root) = event else {
        return Err(SelftuneError::invalid_event(
            "event",
            format!("must be an object, got {}", type_name(&event)),
        ));
    };
    let event_id = optional_string(&mut root, "id", "id")?;
    if let Some(id) = &event_id {
        if id.is_empty() || id.len() > MAX_EVENT_ID_BYTES {
            return Err(SelftuneError::invalid_event(
                "id",
                format!("must be 1 to {MAX_EVENT_ID_BYTES} bytes long"),
            ));
        }
    }
    let request = required_string(&mut root, "originalRequest", "originalRequest")?;
    if request.trim().is_empty() {
        return Err(SelftuneError::invalid_event(
            "originalRequest",
            "must not be empty",
        ));
    }
    let execution_time_ms = optional_milliseconds(&mut root, "executionTime")?;
    let tokens_used = optional_count(&mut root, "tokensUsed")?;
    let mut outcome = match root.remove("outcome") {
        Some(Value::Object(outcome)) => outcome,
        None | Some(Value::Null) => {
            return Err(SelftuneError::invalid_event("outcome", "is required"))
        }
        Some(other) => {
            return Err(SelftuneError::invalid_event(
                "outcome",
                format!("must be an object, got {}", type_name(&other)),
            ))
        }
    };
    match outcome.remove("success") {
        Some(Value::Bool(true)) => {}
        Some(Value::Bool(false)) => return Ok(Parsed::NotSuccessful),
        None | Some(Value::Null) => {
            return Err(SelftuneError::invalid_event(
                "outcome.success",
                "is required",
            ))
        }
        Some(other) => {
            return Err(SelftuneError::invalid_event(
                "outcome.success",
                format!("must be a boolean, got {}", type_name(&other)),
            ))
        }
    }
    let name_field = match kind {
        ExampleKind::Plugin => "pluginName",
        ExampleKind::Mcp => "mcpName",
    };
    let name = optional_string(&mut outcome, name_field, &format!("outcome.{name_field}"))?;
    let description = optional_string(&mut outcome, "description", "outcome.description")?;
    let files = parse_files(outcome.remove("files"), config)?;
    let dependencies = parse_dependencies(outcome.remove("dependencies"))?;
    let tools = match kind {
        ExampleKind::Mcp => parse_tools(outcome.remove("tools"))?,
        ExampleKind::Plugin => Vec::new(),
    };

    let event = ValidEvent {
        kind,
        event_id,
        request,
        name,
        description,
        files,
        dependencies,
        tools,
        execution_time_ms,
        tokens_used,
    };
    let size = event_text_bytes(&event);
    if size > config.max_event_bytes {
        return Err(SelftuneError::invalid_event(
            "event",
            format!(
                "is {size} bytes of text, over the limit of {} (maxEventBytes)",
                config.max_event_bytes
            ),
        ));
    }
    Ok(Parsed::Successful(Box::new(event)))
}

/// The event's text size: request, names, paths and contents, in UTF-8 bytes.
fn event_text_bytes(event: &ValidEvent) -> u64 {
    let text = event.request.len()
        + event.name.as_ref().map_or(0, String::len)
        + event.description.as_ref().map_or(0, String::len)
        + event
            .files
            .iter()
            .map(|file| file.path.len() + file.content.len())
            .sum::<usize>();
    text as u64
}

fn parse_files(
    value: Option<Value>,
    config: &SelftuneConfig,
) -> Result<Vec<GeneratedFile>, SelftuneError> {
    let items = match value {
        Some(Value::Array(items)) => items,
        None | Some(Value::Null) => {
            return Err(SelftuneError::invalid_event("outcome.files", "is required"))
        }
        Some(other) => {
            return Err(SelftuneError::invalid_event(
                "outcome.files",
                format!("must be an array, got {}", type_name(&other)),
            ))
        }
    };
    if items.is_empty() {
        return Err(SelftuneError::invalid_event(
            "outcome.files",
            "must contain at least one file",
        ));
    }
    if items.len() > MAX_FILES_PER_EVENT {
        return Err(SelftuneError::invalid_event(
            "outcome.files",
            format!(
                "has {} files, over the limit of {MAX_FILES_PER_EVENT}",
                items.len()
            ),
        ));
    }
    let mut seen_paths = HashSet::with_capacity(items.len());
    let mut files = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let field = format!("outcome.files[{index}]");
        let Value::Object(mut file) = item else {
            return Err(SelftuneError::invalid_event(
                field,
                format!("must be an object, got {}", type_name(&item)),
            ));
        };
        let path_field = format!("{field}.path");
        let raw_path = required_string(&mut file, "path", &path_field)?;
        let path = normalize_path(&raw_path).map_err(|problem| {
            SelftuneError::invalid_event(
                &path_field,
                format!("{problem} (got '{}')", preview(&raw_path)),
            )
        })?;
        if !seen_paths.insert(path.clone()) {
            return Err(SelftuneError::invalid_event(
                path_field,
                format!("'{}' appears more than once", preview(&path)),
            ));
        }
        let content_field = format!("{field}.content");
        let content = required_string(&mut file, "content", &content_field)?;
        if content.contains('\0') {
            return Err(SelftuneError::invalid_event(
                content_field,
                "contains a NUL byte (binary files are not accepted)",
            ));
        }
        if content.len() as u64 > config.max_file_bytes {
            return Err(SelftuneError::invalid_event(
                content_field,
                format!(
                    "is {} bytes, over the limit of {} (maxFileBytes)",
                    content.len(),
                    config.max_file_bytes
                ),
            ));
        }
        files.push(GeneratedFile { path, content });
    }
    Ok(files)
}

/// Accepts `src/a.ts`, `./src/a.ts` and `src\a.ts` (as `src/a.ts`); rejects absolute paths,
/// `..`, empty segments and control characters.
pub fn normalize_path(raw: &str) -> Result<String, &'static str> {
    if raw.is_empty() {
        return Err("must not be empty");
    }
    if raw.len() > MAX_PATH_BYTES {
        return Err("is longer than 512 bytes");
    }
    if raw.chars().any(char::is_control) {
        return Err("must not contain control characters");
    }
    let slashed = raw.replace('\\', "/");
    let bytes = slashed.as_bytes();
    let has_drive_letter = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if slashed.starts_with('/') || has_drive_letter {
        return Err("must be relative, not absolute");
    }
    let mut segments = Vec::new();
    for segment in slashed.split('/') {
        match segment {
            "." => continue,
            ".." => return Err("must not contain '..'"),
            "" => return Err("must not contain empty segments"),
            _ => segments.push(segment),
        }
    }
    if segments.is_empty() {
        return Err("must name a file");
    }
    Ok(segments.join("/"))
}

fn parse_dependencies(value: Option<Value>) -> Result<Option<Dependencies>, SelftuneError> {
    const FIELD: &str = "outcome.dependencies";
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => {
            let mut versions = BTreeMap::new();
            for (name, range) in map {
                match range {
                    Value::String(range) => {
                        versions.insert(name, range);
                    }
                    other => {
                        return Err(SelftuneError::invalid_event(
                            format!("{FIELD}.{}", preview(&name)),
                            format!("must be a version string, got {}", type_name(&other)),
                        ))
                    }
                }
            }
            Ok(Some(Dependencies::Versions(versions)))
        }
        Some(Value::Array(items)) => {
            let mut names = Vec::with_capacity(items.len());
            for (index, item) in items.into_iter().enumerate() {
                match item {
                    Value::String(name) => names.push(name),
                    other => {
                        return Err(SelftuneError::invalid_event(
                            format!("{FIELD}[{index}]"),
                            format!("must be a package name, got {}", type_name(&other)),
                        ))
                    }
                }
            }
            Ok(Some(Dependencies::Names(names)))
        }
        Some(other) => Err(SelftuneError::invalid_event(
            FIELD,
            format!(
                "must be an object of versions or an array of names, got {}",
                type_name(&other)
            ),
        )),
    }
}

fn parse_tools(value: Option<Value>) -> Result<Vec<McpTool>, SelftuneError> {
    let items = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(SelftuneError::invalid_event(
                "outcome.tools",
                format!("must be an array, got {}", type_name(&other)),
            ))
        }
    };
    let mut tools = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let field = format!("outcome.tools[{index}]");
        let tool = match item {
            Value::String(name) => McpTool {
                name,
                description: None,
                input_schema: None,
            },
            Value::Object(mut tool) => {
                let name = required_string(&mut tool, "name", &format!("{field}.name"))?;
                let description =
                    optional_string(&mut tool, "description", &format!("{field}.description"))?;
                let input_schema = match tool.remove("inputSchema") {
                    None | Some(Value::Null) => None,
                    Some(schema @ Value::Object(_)) => Some(schema),
                    Some(other) => {
                        return Err(SelftuneError::invalid_event(
                            format!("{field}.inputSchema"),
                            format!("must be an object, got {}", type_name(&other)),
                        ))
                    }
                };
                McpTool {
                    name,
                    description,
                    input_schema,
                }
            }
            other => {
                return Err(SelftuneError::invalid_event(
                    field,
                    format!("must be a name or an object, got {}", type_name(&other)),
                ))
            }
        };
        if tool.name.trim().is_empty() {
            return Err(SelftuneError::invalid_event(
                format!("outcome.tools[{index}].name"),
                "must not be empty",
            ));
        }
        tools.push(tool);
    }
    Ok(tools)
}
