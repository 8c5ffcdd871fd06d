//! Conversation and preference samples: messages, roles and their order, weights, reasoning,
//! tool calls, multimodal content parts.

use serde_json::{Map, Value};

use super::{Problems, ValidationRule as Rule};

pub const ROLES: [&str; 4] = ["system", "user", "assistant", "tool"];

/// Keys Together accepts on a message.
pub const MESSAGE_KEYS: [&str; 8] = [
    "role",
    "content",
    "weight",
    "reasoning",
    "reasoning_content",
    "tool_calls",
    "tool_call_id",
    "name",
];

/// Together's caps on images (`MAX_IMAGES_PER_EXAMPLE`, `MAX_BASE64_IMAGE_LENGTH`).
pub const MAX_IMAGES_PER_EXAMPLE: usize = 10;
pub const MAX_IMAGE_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_IMAGE_URL_LENGTH: usize = "data:image/jpeg;base64,".len() + 4 * MAX_IMAGE_BYTES / 3;
const IMAGE_URL_PREFIXES: [&str; 3] = [
    "data:image/jpeg;base64,",
    "data:image/png;base64,",
    "data:image/webp;base64,",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    System,
    User,
    Assistant,
    Tool,
}

impl Role {
    fn parse(value: &str) -> Option<Role> {
        match value {
            "system" => Some(Role::System),
            "user" => Some(Role::User),
            "assistant" => Some(Role::Assistant),
            "tool" => Some(Role::Tool),
            _ => None,
        }
    }
}

/// What one message was found to be, for the checks across messages.
struct Seen {
    role: Option<Role>,
    has_tool_calls: bool,
    /// Some(true) for a list of parts, Some(false) for a string, None without content.
    multimodal: Option<bool>,
}

/// `{"messages": [...], "tools"?: [...]}`.
pub fn check_conversation(sample: &Map<String, Value>, problems: &mut Problems) {
    if let Some(tools) = sample.get("tools") {
        check_tools("tools", tools, problems);
    }
    check_messages("messages", sample.get("messages"), true, problems);
}

/// `{"input": {"messages", "tools"?}, "preferred_output": [assistant], "non_preferred_output": [assistant]}`.
pub fn check_preference(sample: &Map<String, Value>, problems: &mut Problems) {
    match sample.get("input") {
        Some(Value::Object(input)) => {
            for key in input.keys().filter(|k| *k != "messages" && *k != "tools") {
                problems.add(
                    Rule::Preference,
                    format!(
                        "input has an unknown key {}: it accepts messages, tools",
                        describe_str(key)
                    ),
                );
            }
            if let Some(tools) = input.get("tools") {
                check_tools("input.tools", tools, problems);
            }
            if let Some(last) =
                check_messages("input.messages", input.get("messages"), false, problems)
            {
                if last == Some(Role::Assistant) {
                    problems.add(
                        Rule::Preference,
                        "input.messages must not end with an assistant message: the outputs are the assistant's turn",
                    );
                }
            }
        }
        other => problems.add(
            Rule::Preference,
            format!(
                "input must be an object with messages, got {}",
                describe_opt(other)
            ),
        ),
    }
    for field in ["preferred_output", "non_preferred_output"] {
        match sample.get(field) {
            Some(Value::Array(outputs)) if outputs.len() == 1 => {
                let place = format!("{field}[0]");
                let mut images = 0;
                if let Some(seen) = check_message(&place, &outputs[0], problems, &mut images) {
                    if seen.role.is_some() && seen.role != Some(Role::Assistant) {
                        problems.add(
                            Rule::Preference,
                            format!("{place} must be an assistant message"),
                        );
                    }
                }
            }
            other => problems.add(
                Rule::Preference,
                format!(
                    "{field} must be a list of exactly one assistant message, got {}",
                    describe_opt(other)
                ),
            ),
        }
    }
}

/// Checks a list of messages; returns the last message's role (None when the list itself is
/// malformed).
fn check_messages(
    place: &str,
    messages: Option<&Value>,
    require_assistant: bool,
    problems: &mut Problems,
) -> Option<Option<Role>> {
    let messages = match messages {
        Some(Value::Array(messages)) if !messages.is_empty() => messages,
        other => {
            problems.add(
                Rule::Messages,
                format!(
                    "{place} must be a non-empty list of messages, got {}",
                    describe_opt(other)
                ),
            );
            return None;
        }
    };
    let mut seen = Vec::with_capacity(messages.len());
    let mut images = 0;
    for (i, message) in messages.iter().enumerate() {
        let at = format!("{place}[{i}]");
        match check_message(&at, message, problems, &mut images) {
            Some(message) => seen.push(message),
            None => seen.push(Seen {
                role: None,
                has_tool_calls: false,
                multimodal: None,
            }),
        }
    }
    check_order(place, &seen, problems);
    if require_assistant && !seen.iter().any(|m| m.role == Some(Role::Assistant)) {
        problems.add(
            Rule::NoAssistant,
            format!("{place} must include at least one assistant message"),
        );
    }
    let kinds: Vec<bool> = seen.iter().filter_map(|m| m.multimodal).collect();
    if kinds.contains(&true) && kinds.contains(&false) {
        problems.add(
            Rule::Multimodal,
            format!("{place} mixes text and multimodal content: use lists of content parts in every message or in none"),
        );
    }
    check_image_count(images, problems);
    Some(seen.last().and_then(|m| m.role))
}

/// Optional system message first, then user/assistant alternation; tool messages answer an
/// assistant message with `tool_calls` (or follow another tool message) and precede an
/// assistant message. Stops at the first problem, or at a message whose role is unknown.
fn check_order(place: &str, seen: &[Seen], problems: &mut Problems) {
    const ALTERNATE: &str =
        "after the optional system message, roles must alternate user/assistant";
    let mut previous: Option<&Seen> = None;
    for (i, message) in seen.iter().enumerate() {
        let Some(role) = message.role else {
            return;
        };
        let after = previous.and_then(|p| p.role);
        let problem = match (role, after) {
            (Role::System, None) => None,
            (Role::System, Some(_)) => Some("a system message may only come first".to_owned()),
            (Role::User, None | Some(Role::System) | Some(Role::Assistant)) => None,
            (Role::User, Some(Role::User)) => Some(format!("a user message cannot follow a user message: {ALTERNATE}")),
            (Role::User, Some(Role::Tool)) => Some("a user message cannot follow a tool message: the assistant answers the tool results first".to_owned()),
            (Role::Assistant, Some(Role::User) | Some(Role::Tool)) => None,
            (Role::Assistant, None | Some(Role::System)) => Some("the conversation must start with a user message (after an optional system message)".to_owned()),
            (Role::Assistant, Some(Role::Assistant)) => Some(format!("an assistant message cannot follow an assistant message: {ALTERNATE}")),
            (Role::Tool, Some(Role::Tool)) => None,
            (Role::Tool, Some(Role::Assistant)) if previous.is_some_and(|p| p.has_tool_calls) => None,
            (Role::Tool, _) => Some("a tool message must follow an assistant message with tool_calls, or another tool message".to_owned()),
        };
        if let Some(problem) = problem {
            problems.add(Rule::RoleOrder, format!("{place}[{i}]: {problem}"));
            return;
        }
        previous = Some(message);
    }
}

/// One message's own rules. None when it is not an object.
fn check_message(
    at: &str,
    message: &Value,
    problems: &mut Problems,
    images: &mut usize,
) -> Option<Seen> {
    let Value::Object(message) = message else {
        problems.add(
            Rule::Messages,
            format!("{at} must be an object, got {}", describe(message)),
        );
        return None;
    };
    for key in message
        .keys()
        .filter(|k| !MESSAGE_KEYS.contains(&k.as_str()))
    {
        problems.add(
            Rule::MessageKey,
            format!(
                "{at} has an unknown key {}: messages accept {}",
                describe_str(key),
                MESSAGE_KEYS.join(", ")
            ),
        );
    }
    let role = match message.get("role") {
        Some(Value::String(role)) => {
            let parsed = Role::parse(role);
            if parsed.is_none() {
                problems.add(
                    Rule::Role,
                    format!(
                        "{at}.role must be one of {}, got {}",
                        ROLES.join(", "),
                        describe_str(role)
                    ),
                );
            }
            parsed
        }
        None => {
            problems.add(Rule::Role, format!("{at} has no role"));
            None
        }
        Some(other) => {
            problems.add(
                Rule::Role,
                format!(
                    "{at}.role must be one of {}, got {}",
                    ROLES.join(", "),
                    describe(other)
                ),
            );
            None
        }
    };
    let is_assistant = role == Some(Role::Assistant);
    let has_tool_calls = message.contains_key("tool_calls");
    if let Some(calls) = message.get("tool_calls") {
        if role.is_some() && !is_assistant {
            problems.add(
                Rule::Tools,
                format!("{at}.tool_calls is allowed only on assistant messages"),
            );
        }
        check_tool_calls(&format!("{at}.tool_calls"), calls, problems);
    }
    if let Some(id) = message.get("tool_call_id") {
        if role.is_some() && role != Some(Role::Tool) {
            problems.add(
                Rule::Tools,
                format!("{at}.tool_call_id is allowed only on tool messages"),
            );
        }
        if !id.is_string() {
            problems.add(
                Rule::Tools,
                format!("{at}.tool_call_id must be a string, got {}", describe(id)),
            );
        }
    }
    if let Some(name) = message.get("name") {
        if !name.is_string() {
            problems.add(
                Rule::Tools,
                format!("{at}.name must be a string, got {}", describe(name)),
            );
        }
    }

    let mut seen_images = 0;
    let multimodal = match message.get("content") {
        Some(Value::String(text)) => {
            problems.special_token(&format!("{at}.content"), text);
            Some(false)
        }
        Some(Value::Array(parts)) if !parts.is_empty() => {
            let place = format!("{at}.content");
            seen_images = check_parts(&place, parts, role == Some(Role::User), problems);
            Some(true)
        }
        // An assistant message that only calls tools may leave its content out.
        None | Some(Value::Null) if is_assistant && has_tool_calls => None,
        None => {
            problems.add(Rule::Content, format!("{at} has no content"));
            None
        }
        Some(other) => {
            problems.add(
                Rule::Content,
                format!(
                    "{at}.content must be a string or a non-empty list of content parts, got {}",
                    describe(other)
                ),
            );
            None
        }
    };
    *images += seen_images;

    if let Some(weight) = message.get("weight") {
        let integer = weight.as_u64().filter(|w| *w <= 1);
        match integer {
            None => problems.add(
                Rule::MessageWeight,
                format!(
                    "{at}.weight must be the integer 0 or 1, got {}",
                    describe(weight)
                ),
            ),
            Some(1) if seen_images > 0 => problems.add(
                Rule::Multimodal,
                format!("{at} carries images, so its weight must be 0"),
            ),
            Some(_) => {}
        }
    }

    let reasoning: Vec<&str> = ["reasoning", "reasoning_content"]
        .into_iter()
        .filter(|k| message.contains_key(*k))
        .collect();
    if reasoning.len() > 1 {
        problems.add(
            Rule::Reasoning,
            format!("{at} has both reasoning and reasoning_content: use one"),
        );
    }
    for key in reasoning {
        if role.is_some() && !is_assistant {
            problems.add(
                Rule::Reasoning,
                format!("{at}.{key} is allowed only on assistant messages"),
            );
        }
        match &message[key] {
            Value::String(text) => problems.special_token(&format!("{at}.{key}"), text),
            other => problems.add(
                Rule::Reasoning,
                format!("{at}.{key} must be a string, got {}", describe(other)),
            ),
        }
    }
    Some(Seen {
        role,
        has_tool_calls,
        multimodal,
    })
}

/// Content parts: `{"type": "text", "text"}` and, where allowed, `{"type": "image_url",
/// "image_url": {"url": "data:image/(jpeg|png|webp);base64,..."}}`. Returns the images seen.
pub fn check_parts(
    place: &str,
    parts: &[Value],
    images_allowed: bool,
    problems: &mut Problems,
) -> usize {
    let mut images = 0;
    for (i, part) in parts.iter().enumerate() {
        let at = format!("{place}[{i}]");
        let kind = part.get("type").and_then(Value::as_str);
        match (kind, part) {
            (Some("text"), Value::Object(fields)) => match fields.get("text") {
                Some(Value::String(text)) => problems.special_token(&format!("{at}.text"), text),
                other => problems.add(
                    Rule::Multimodal,
                    format!("{at}.text must be a string, got {}", describe_opt(other)),
                ),
            },
            (Some("image_url"), Value::Object(fields)) => {
                images += 1;
                if !images_allowed {
                    problems.add(
                        Rule::Multimodal,
                        format!("{at}: images are allowed only in user messages and prompts"),
                    );
                }
                let url = fields
                    .get("image_url")
                    .and_then(|image| image.get("url"))
                    .and_then(Value::as_str);
                match url {
                    Some(url) if IMAGE_URL_PREFIXES.iter().any(|p| url.starts_with(p)) => {
                        if url.len() > MAX_IMAGE_URL_LENGTH {
                            problems.add(
                                Rule::Multimodal,
                                format!("{at}: the image is larger than {} MiB", MAX_IMAGE_BYTES >> 20),
                            );
                        }
                    }
                    _ => problems.add(
                        Rule::Multimodal,
                        format!("{at}.image_url.url must be a base64 data URL of a JPEG, PNG or WebP image (data:image/png;base64,...)"),
                    ),
                }
            }
            _ => problems.add(
                Rule::Multimodal,
                format!("{at} must be {{\"type\": \"text\", \"text\": ...}} or {{\"type\": \"image_url\", \"image_url\": {{\"url\": ...}}}}"),
            ),
        }
    }
    images
}

/// Together's cap on images per sample.
pub fn check_image_count(images: usize, problems: &mut Problems) {
    if images > MAX_IMAGES_PER_EXAMPLE {
        problems.add(
            Rule::Multimodal,
            format!("the sample has {images} images, more than {MAX_IMAGES_PER_EXAMPLE}"),
        );
    }
}

/// `tool_calls`: a non-empty list of `{"id", "type": "function", "function": {"name", "arguments"}}`
/// with `arguments` a JSON string.
fn check_tool_calls(place: &str, calls: &Value, problems: &mut Problems) {
    let Value::Array(calls) = calls else {
        problems.add(
            Rule::Tools,
            format!("{place} must be a list, got {}", describe(calls)),
        );
        return;
    };
    if calls.is_empty() {
        problems.add(Rule::Tools, format!("{place} must not be empty"));
    }
    for (i, call) in calls.iter().enumerate() {
        let function = call.get("function");
        let name = function.and_then(|f| f.get("name")).and_then(Value::as_str);
        let arguments = function.and_then(|f| f.get("arguments"));
        let typed = call.get("type").is_none_or(|t| t == "function");
        if !call.is_object() || name.is_none() || !typed {
            problems.add(
                Rule::Tools,
                format!("{place}[{i}] must be {{\"id\": ..., \"type\": \"function\", \"function\": {{\"name\": ..., \"arguments\": ...}}}}"),
            );
        } else if !arguments.is_some_and(Value::is_string) {
            problems.add(
                Rule::Tools,
                format!("{place}[{i}].function.arguments must be a string of JSON"),
            );
        }
    }
}

/// `tools`: a list of `{"type": "function", "function": {"name", "description"?, "parameters"?}}`.
fn check_tools(place: &str, tools: &Value, problems: &mut Problems) {
    let Value::Array(tools) = tools else {
        problems.add(
            Rule::Tools,
            format!("{place} must be a list, got {}", describe(tools)),
        );
        return;
    };
    for (i, tool) in tools.iter().enumerate() {
        let name = tool
            .get("function")
            .and_then(|f| f.get("name"))
            .and_then(Value::as_str);
        if tool.get("type").and_then(Value::as_str) != Some("function") || name.is_none() {
            problems.add(
                Rule::Tools,
                format!("{place}[{i}] must be {{\"type\": \"function\", \"function\": {{\"name\": ..., \"parameters\": ...}}}}"),
            );
        }
    }
}

/// Names a value in a message without echoing arbitrary content (which may be a secret).
pub fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => describe_str(s),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

pub fn describe_opt(value: Option<&Value>) -> String {
    value.map_or_else(|| "nothing".to_owned(), describe)
}

/// A short identifier-like string is quoted; anything else is described by its length.
pub fn describe_str(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars().count() <= 40
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '));
    if plain {
        format!("\"{s}\"")
    } else if s.is_empty() {
        "an empty string".into()
    } else {
        format!("a string of {} characters", s.chars().count())
    }
}
