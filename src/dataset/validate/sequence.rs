//! The text a sample feeds the model, for counting its tokens: the DeepSeek-R1 chat template
//! applied (the template of both target models), as the trainer does.
//!
//! Instruction: `bos + prompt + completion` (the builder's lines are pre-rendered). General:
//! `bos + text`. Conversation: `bos`, the system text raw, then `<｜User｜>content` and
//! `<｜Assistant｜>[<think>\nreasoning\n</think>\n\n]content<｜end▁of▁sentence｜>` turns, tool calls
//! and tool outputs with the template's markers. Preference: the input rendered so, plus the longer
//! of the two outputs. Images and top-level `tools` are not counted (the template renders no
//! tool list).

use serde_json::{Map, Value};

use super::special_tokens::{ASSISTANT, BEGIN_OF_SENTENCE, END_OF_SENTENCE, USER};
use super::DatasetFormat;

const TOOL_CALLS_BEGIN: &str = "<｜tool▁calls▁begin｜>";
const TOOL_CALLS_END: &str = "<｜tool▁calls▁end｜>";
const TOOL_CALL_BEGIN: &str = "<｜tool▁call▁begin｜>";
const TOOL_CALL_END: &str = "<｜tool▁call▁end｜>";
const TOOL_SEP: &str = "<｜tool▁sep｜>";
const TOOL_OUTPUTS_BEGIN: &str = "<｜tool▁outputs▁begin｜>";
const TOOL_OUTPUTS_END: &str = "<｜tool▁outputs▁end｜>";
const TOOL_OUTPUT_BEGIN: &str = "<｜tool▁output▁begin｜>";
const TOOL_OUTPUT_END: &str = "<｜tool▁output▁end｜>";

/// The sequences a sample feeds the model (two for a preference pair, else one). Parts of the
/// wrong type are skipped: the caller reports them.
pub fn sequences(format: DatasetFormat, sample: &Map<String, Value>) -> Vec<String> {
    match format {
        DatasetFormat::General => vec![format!(
            "{BEGIN_OF_SENTENCE}{}",
            text_of(sample.get("text"))
        )],
        DatasetFormat::Instruction => vec![format!(
            "{BEGIN_OF_SENTENCE}{}{}",
            text_of(sample.get("prompt")),
            text_of(sample.get("completion"))
        )],
        DatasetFormat::Conversation => vec![render_messages(sample.get("messages"))],
        DatasetFormat::Preference => {
            let input = sample.get("input").and_then(|input| input.get("messages"));
            let prompt = render_messages(input);
            ["preferred_output", "non_preferred_output"]
                .iter()
                .map(|field| {
                    let mut out = prompt.clone();
                    if let Some(Value::Array(outputs)) = sample.get(*field) {
                        for output in outputs {
                            render_assistant(&mut out, output);
                        }
                    }
                    out
                })
                .collect()
        }
    }
}

/// A string, or the text parts of a list of content parts.
fn text_of(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|part| part.get("text").and_then(Value::as_str))
            .collect(),
        _ => String::new(),
    }
}

fn role_of(message: &Value) -> &str {
    message.get("role").and_then(Value::as_str).unwrap_or("")
}

fn render_messages(messages: Option<&Value>) -> String {
    let mut out = String::from(BEGIN_OF_SENTENCE);
    let Some(Value::Array(messages)) = messages else {
        return out;
    };
    let system: Vec<String> = messages
        .iter()
        .filter(|m| role_of(m) == "system")
        .map(|m| text_of(m.get("content")))
        .collect();
    out.push_str(&system.join("\n\n"));
    let mut in_tool_outputs = false;
    for message in messages {
        let role = role_of(message);
        if in_tool_outputs && role != "tool" {
            out.push_str(TOOL_OUTPUTS_END);
            in_tool_outputs = false;
        }
        match role {
            "user" => {
                out.push_str(USER);
                out.push_str(&text_of(message.get("content")));
            }
            "assistant" => render_assistant(&mut out, message),
            "tool" => {
                if !in_tool_outputs {
                    out.push_str(TOOL_OUTPUTS_BEGIN);
                    in_tool_outputs = true;
                }
                out.push_str(TOOL_OUTPUT_BEGIN);
                out.push_str(&text_of(message.get("content")));
                out.push_str(TOOL_OUTPUT_END);
            }
            _ => {}
        }
    }
    if in_tool_outputs {
        out.push_str(TOOL_OUTPUTS_END);
    }
    out
}

fn render_assistant(out: &mut String, message: &Value) {
    out.push_str(ASSISTANT);
    let reasoning = message
        .get("reasoning")
        .or_else(|| message.get("reasoning_content"))
        .and_then(Value::as_str);
    if let Some(reasoning) = reasoning {
        out.push_str("<think>\n");
        out.push_str(reasoning);
        out.push_str("\n</think>\n\n");
    }
    out.push_str(&text_of(message.get("content")));
    if let Some(Value::Array(calls)) = message.get("tool_calls") {
        out.push_str(TOOL_CALLS_BEGIN);
        for call in calls {
            let function = call.get("function");
            let field = |key| {
                function
                    .and_then(|f| f.get(key))
                    .and_then(Value::as_str)
                    .unwrap_or("")
            };
            out.push_str(TOOL_CALL_BEGIN);
            out.push_str("function");
            out.push_str(TOOL_SEP);
            out.push_str(field("name"));
            out.push_str("\n```json\n");
            out.push_str(field("arguments"));
            out.push_str("\n```");
            out.push_str(TOOL_CALL_END);
        }
        out.push_str(TOOL_CALLS_END);
    }
    out.push_str(END_OF_SENTENCE);
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn renders_the_deepseek_r1_template() {
        let sample = object(json!({"messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": "hello", "reasoning": "greet back"},
        ]}));
        assert_eq!(
            sequences(DatasetFormat::Conversation, &sample),
            ["<｜begin▁of▁sentence｜>Be brief.<｜User｜>hi<｜Assistant｜><think>\ngreet back\n</think>\n\nhello<｜end▁of▁sentence｜>"]
        );
        let sample = object(json!({"prompt": "<｜User｜>a<｜Assistant｜>", "completion": "b"}));
        assert_eq!(
            sequences(DatasetFormat::Instruction, &sample),
            ["<｜begin▁of▁sentence｜><｜User｜>a<｜Assistant｜>b"]
        );
        let sample = object(json!({"messages": [
            {"role": "user", "content": "roll"},
            {"role": "assistant", "tool_calls": [{"id": "1", "type": "function", "function": {"name": "roll", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "1", "content": "4"},
            {"role": "assistant", "content": "You rolled 4."},
        ]}));
        let rendered = &sequences(DatasetFormat::Conversation, &sample)[0];
        assert!(
            rendered.contains("<｜tool▁sep｜>roll\n```json\n{}\n```"),
            "{rendered}"
        );
        assert!(rendered.contains("<｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>4<｜tool▁output▁end｜><｜tool▁outputs▁end｜><｜Assistant｜>You rolled 4."));
        let sample = object(json!({
            "input": {"messages": [{"role": "user", "content": "q"}]},
            "preferred_output": [{"role": "assistant", "content": "long answer"}],
            "non_preferred_output": [{"role": "assistant", "content": "no"}],
        }));
        assert_eq!(
            sequences(DatasetFormat::Preference, &sample)[1],
            "<｜begin▁of▁sentence｜><｜User｜>q<｜Assistant｜>no<｜end▁of▁sentence｜>"
        );
    }
}
