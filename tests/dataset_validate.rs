//! The Together-format validator: a bad file for every rule, each reported with its line number,
//! good files of every format, token limits, the report's shape, and random input.

use serde_json::{json, Value};

use selftune::dataset::validate::{
    first_special_token, special_tokens, validate_bytes, validate_text, validate_text_with,
    DatasetFormat, ValidationOptions, ValidationReport, ValidationRule, Validator,
};
use selftune::tokens::{TokenCounter, TokenizerRegistry};

/// A line as the dataset builder writes it for the large profile.
fn builder_line(user: &str, reasoning: &str, answer: &str) -> Value {
    json!({
        "prompt": format!("<｜User｜>{user}<｜Assistant｜>"),
        "completion": format!("<think>\n{reasoning}\n</think>\n\n{answer}<｜end▁of▁sentence｜>"),
    })
}

fn good_instruction() -> Value {
    builder_line(
        "Write an ElizaOS plugin that greets users",
        "One action, GREET, that replies with a greeting.",
        "```ts\nexport const greet = { name: 'GREET' };\n```",
    )
}

fn good_conversation() -> Value {
    json!({"messages": [
        {"role": "user", "content": "Build an MCP server with a dice tool"},
        {"role": "assistant", "content": "Here it is.", "reasoning": "One tool, roll."},
    ]})
}

fn file(lines: &[Value]) -> String {
    lines.iter().map(|line| format!("{line}\n")).collect()
}

fn validate(text: &str) -> ValidationReport {
    validate_text(text, &ValidationOptions::default())
}

/// Validates `text` and asserts it fails with exactly one error: on `line`, breaking `rule`,
/// with a message containing `fragment`.
#[track_caller]
fn assert_one_error(
    text: &str,
    line: usize,
    rule: ValidationRule,
    fragment: &str,
) -> ValidationReport {
    let report = validate(text);
    assert!(!report.passed, "passed:\n{text}");
    assert_eq!(report.errors.len(), 1, "{:#?}", report.errors);
    let error = &report.errors[0];
    assert_eq!(error.line, Some(line), "{error:?}");
    assert_eq!(error.rule, rule, "{error:?}");
    assert!(
        error.message.contains(fragment),
        "{:?} lacks {fragment:?}",
        error.message
    );
    assert_eq!(report.message, format!("line {line}: {}", error.message));
    report
}

/// The good line, then `bad` on line 2: every rule's error must land on line 2.
#[track_caller]
fn after_good(good: Value, bad: Value, rule: ValidationRule, fragment: &str) {
    assert_one_error(&file(&[good, bad]), 2, rule, fragment);
}

#[track_caller]
fn bad_conversation(messages: Value, rule: ValidationRule, fragment: &str) {
    after_good(
        good_conversation(),
        json!({ "messages": messages }),
        rule,
        fragment,
    );
}

// ---- good files ----------------------------------------------------------------------------

#[test]
fn good_files_of_every_format_pass() {
    let files = [
        (
            DatasetFormat::Instruction,
            vec![
                good_instruction(),
                json!({"prompt": "plain", "completion": "text", "weight": 0.5}),
            ],
        ),
        (
            DatasetFormat::General,
            vec![
                json!({"text": "export const a = 1;"}),
                json!({"text": "b", "weight": 0}),
            ],
        ),
        (
            DatasetFormat::Conversation,
            vec![
                good_conversation(),
                json!({"messages": [
                    {"role": "system", "content": "You write ElizaOS plugins."},
                    {"role": "user", "content": "hi", "weight": 0},
                    {"role": "assistant", "content": "hello", "weight": 1, "name": "eliza"},
                    {"role": "user", "content": "more"},
                    {"role": "assistant", "content": "sure", "reasoning_content": "why not"},
                ]}),
                json!({"tools": [{"type": "function", "function": {"name": "roll", "description": "Rolls dice", "parameters": {"type": "object"}}}],
                       "messages": [
                    {"role": "user", "content": "roll 2"},
                    {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "roll", "arguments": "{\"n\":2}"}}]},
                    {"role": "tool", "tool_call_id": "c1", "content": "7"},
                    {"role": "assistant", "content": "You rolled 7."},
                ]}),
                json!({"messages": [
                    {"role": "user", "content": [{"type": "text", "text": "what is this?"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}]},
                    {"role": "assistant", "content": [{"type": "text", "text": "a pixel"}]},
                ]}),
            ],
        ),
        (
            DatasetFormat::Preference,
            vec![json!({
                "input": {"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "q"}]},
                "preferred_output": [{"role": "assistant", "content": "good", "reasoning": "r"}],
                "non_preferred_output": [{"role": "assistant", "content": "bad"}],
            })],
        ),
    ];
    for (format, lines) in files {
        let report = validate(&file(&lines));
        assert!(report.passed, "{format:?}: {:#?}", report.errors);
        assert_eq!(report.message, "Checks passed");
        assert_eq!(report.format, Some(format));
        assert_eq!(report.samples, lines.len());
        assert_eq!(report.error_count, 0);
        assert_eq!(report.tokens, None);
    }
}

#[test]
fn blank_lines_are_skipped_but_keep_their_line_numbers() {
    let text = format!(
        "\n{}\n   \n\r\n{}\n\n{{\"text\": 1}}\n",
        good_instruction(),
        good_instruction()
    );
    let report = validate(&text);
    assert_eq!(report.samples, 3);
    // Line 7 is the general-format line after blank lines 1, 3, 4 and 6.
    assert_eq!(report.errors[0].line, Some(7));
    assert_eq!(report.errors[0].rule, ValidationRule::MixedFormats);
}

#[test]
fn crlf_line_endings_and_a_missing_final_newline_are_fine() {
    let text = format!("{}\r\n{}", good_instruction(), good_instruction());
    let report = validate(&text);
    assert!(report.passed, "{:?}", report.errors);
    assert_eq!(report.samples, 2);
}

// ---- file-level and line-level rules ---------------------------------------------------------

#[test]
fn an_empty_file_fails() {
    for text in ["", "\n", "  \n\n\t\n"] {
        let report = validate(text);
        assert!(!report.passed);
        assert_eq!(report.samples, 0);
        assert_eq!(report.format, None);
        assert_eq!(report.errors.len(), 1);
        assert_eq!(report.errors[0].line, None);
        assert_eq!(report.errors[0].rule, ValidationRule::NoSamples);
        assert!(report.message.contains("no samples"), "{}", report.message);
    }
}

#[test]
fn a_line_that_is_not_utf8_is_reported_with_its_line() {
    let mut bytes = file(&[good_instruction(), good_instruction()]).into_bytes();
    bytes.extend_from_slice(b"{\"prompt\": \"caf\xe9\", \"completion\": \"x\"}\n");
    let report = validate_bytes(&bytes, &ValidationOptions::default());
    assert!(!report.passed);
    assert_eq!(report.samples, 3);
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].line, Some(3));
    assert_eq!(report.errors[0].rule, ValidationRule::NotUtf8);
    assert_eq!(
        report.errors[0].message,
        "the file is not UTF-8 encoded: invalid byte at byte 16 of the line"
    );
    let good = validate_bytes(
        file(&[good_instruction()]).as_bytes(),
        &ValidationOptions::default(),
    );
    assert!(good.passed && good.samples == 1, "{good:?}");
}

#[test]
fn a_byte_order_mark_is_reported() {
    let text = format!("\u{feff}{}\n", good_instruction());
    assert_one_error(&text, 1, ValidationRule::ByteOrderMark, "byte-order mark");
}

#[test]
fn a_line_that_is_not_json_is_reported_without_echoing_it() {
    let text = format!(
        "{}\n{}\n{{\"prompt\": \"sk-secret-value\", \"completion\": \n",
        good_instruction(),
        good_instruction()
    );
    let report = assert_one_error(&text, 3, ValidationRule::NotJson, "not valid JSON");
    assert!(!report.errors[0].message.contains("secret"));
}

#[test]
fn a_line_that_is_not_an_object_is_reported() {
    after_good(
        good_instruction(),
        json!(["prompt", "completion"]),
        ValidationRule::NotObject,
        "must be a JSON object, got a list",
    );
    after_good(
        good_instruction(),
        json!("text"),
        ValidationRule::NotObject,
        "got \"text\"",
    );
}

#[test]
fn a_line_of_no_format_is_reported_with_its_keys() {
    after_good(
        good_instruction(),
        json!({"prompt": "only a prompt"}),
        ValidationRule::UnknownFormat,
        "could not detect the format",
    );
    after_good(
        good_instruction(),
        json!({"question": "q", "answer": "a"}),
        ValidationRule::UnknownFormat,
        "found \"answer\", \"question\"",
    );
    after_good(
        good_instruction(),
        json!({}),
        ValidationRule::UnknownFormat,
        "it has no keys",
    );
}

#[test]
fn a_line_of_two_formats_is_reported() {
    let both = json!({"text": "t", "messages": [{"role": "user", "content": "u"}, {"role": "assistant", "content": "a"}]});
    after_good(
        good_conversation(),
        both,
        ValidationRule::AmbiguousFormat,
        "several formats (general, conversation)",
    );
}

#[test]
fn a_second_format_is_reported_at_its_first_line_naming_both() {
    let text = file(&[
        good_instruction(),
        good_instruction(),
        good_conversation(),
        good_conversation(),
    ]);
    let report = validate(&text);
    assert_eq!(report.format, Some(DatasetFormat::Instruction));
    assert_eq!(report.errors.len(), 2);
    assert_eq!(report.errors[0].line, Some(3));
    assert_eq!(report.errors[1].line, Some(4));
    assert_eq!(report.errors[0].rule, ValidationRule::MixedFormats);
    assert_eq!(
        report.errors[0].message,
        "the sample is in the conversation format, but the file's format is instruction (from line 1): all samples must share one format"
    );
}

#[test]
fn unknown_top_level_keys_are_named() {
    let mut bad = good_instruction();
    bad["metadata"] = json!({"id": 1});
    after_good(good_instruction(), bad, ValidationRule::UnknownKey, "unknown top-level key \"metadata\": the instruction format accepts prompt, completion, weight");
    // `tools` belongs to conversations only.
    let mut bad = good_instruction();
    bad["tools"] = json!([]);
    after_good(
        good_instruction(),
        bad,
        ValidationRule::UnknownKey,
        "\"tools\"",
    );
    let mut bad = json!({"text": "t"});
    bad["a key that is long and odd!"] = json!(1);
    after_good(
        json!({"text": "t"}),
        bad,
        ValidationRule::UnknownKey,
        "unknown top-level key a string of 27 characters",
    );
}

#[test]
fn a_sample_weight_must_be_a_non_negative_number() {
    for (weight, shown) in [
        (json!(-0.5), "-0.5"),
        (json!("1"), "\"1\""),
        (json!(null), "null"),
    ] {
        let mut bad = good_instruction();
        bad["weight"] = weight;
        after_good(
            good_instruction(),
            bad,
            ValidationRule::SampleWeight,
            &format!("weight must be a number of at least 0, got {shown}"),
        );
    }
}

// ---- general and instruction -------------------------------------------------------------------

#[test]
fn general_text_must_be_a_non_empty_string() {
    after_good(
        json!({"text": "a"}),
        json!({"text": ""}),
        ValidationRule::Field,
        "text must be a non-empty string, got an empty string",
    );
    after_good(
        json!({"text": "a"}),
        json!({"text": ["a"]}),
        ValidationRule::Field,
        "got a list",
    );
}

#[test]
fn prompt_and_completion_must_be_non_empty() {
    after_good(
        good_instruction(),
        json!({"prompt": "", "completion": "c"}),
        ValidationRule::Field,
        "prompt must be a non-empty string",
    );
    after_good(
        good_instruction(),
        json!({"prompt": "p", "completion": 3}),
        ValidationRule::Field,
        "completion must be a non-empty string or list of content parts, got 3",
    );
    after_good(
        good_instruction(),
        json!({"prompt": "p", "completion": []}),
        ValidationRule::Field,
        "completion must be",
    );
}

// ---- conversation ------------------------------------------------------------------------------

#[test]
fn messages_must_be_a_non_empty_list_of_objects() {
    bad_conversation(
        json!([]),
        ValidationRule::Messages,
        "messages must be a non-empty list of messages, got a list",
    );
    bad_conversation(json!("hi"), ValidationRule::Messages, "got \"hi\"");
    after_good(
        good_conversation(),
        json!({"messages": [{"role": "user", "content": "u"}, "assistant: a", {"role": "assistant", "content": "a"}]}),
        ValidationRule::Messages,
        "messages[1] must be an object",
    );
}

#[test]
fn unknown_message_keys_are_named() {
    bad_conversation(
        json!([{"role": "user", "content": "u", "timestamp": 1}, {"role": "assistant", "content": "a"}]),
        ValidationRule::MessageKey,
        "messages[0] has an unknown key \"timestamp\"",
    );
}

#[test]
fn roles_must_be_known() {
    bad_conversation(
        json!([{"role": "human", "content": "u"}, {"role": "assistant", "content": "a"}]),
        ValidationRule::Role,
        "messages[0].role must be one of system, user, assistant, tool, got \"human\"",
    );
    bad_conversation(
        json!([{"role": "user", "content": "u"}, {"content": "a"}, {"role": "assistant", "content": "b"}]),
        ValidationRule::Role,
        "messages[1] has no role",
    );
    bad_conversation(
        json!([{"role": "user", "content": "u"}, {"role": 1, "content": "a"}, {"role": "assistant", "content": "b"}]),
        ValidationRule::Role,
        "got 1",
    );
}

#[test]
fn roles_must_come_in_order() {
    let cases = [
        (
            json!([{"role": "user", "content": "a"}, {"role": "user", "content": "b"}, {"role": "assistant", "content": "c"}]),
            "messages[1]: a user message cannot follow a user message",
        ),
        (
            json!([{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}, {"role": "assistant", "content": "c"}]),
            "messages[2]: an assistant message cannot follow an assistant message",
        ),
        (
            json!([{"role": "assistant", "content": "a"}, {"role": "user", "content": "b"}, {"role": "assistant", "content": "c"}]),
            "messages[0]: the conversation must start with a user message",
        ),
        (
            json!([{"role": "system", "content": "s"}, {"role": "assistant", "content": "a"}]),
            "messages[1]: the conversation must start with a user message",
        ),
        (
            json!([{"role": "user", "content": "a"}, {"role": "system", "content": "s"}, {"role": "assistant", "content": "c"}]),
            "messages[1]: a system message may only come first",
        ),
        (
            json!([{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}, {"role": "tool", "content": "7"}]),
            "messages[2]: a tool message must follow an assistant message with tool_calls",
        ),
        (
            json!([{"role": "user", "content": "a"}, {"role": "assistant", "tool_calls": [{"id": "1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}, {"role": "tool", "content": "7"}, {"role": "user", "content": "b"}, {"role": "assistant", "content": "c"}]),
            "messages[3]: a user message cannot follow a tool message",
        ),
    ];
    for (messages, fragment) in cases {
        bad_conversation(messages, ValidationRule::RoleOrder, fragment);
    }
}

#[test]
fn a_conversation_needs_an_assistant_message() {
    bad_conversation(
        json!([{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]),
        ValidationRule::NoAssistant,
        "messages must include at least one assistant message",
    );
}

#[test]
fn message_weights_are_the_integers_0_and_1() {
    for (weight, shown) in [
        (json!(0.5), "0.5"),
        (json!(2), "2"),
        (json!(1.0), "1.0"),
        (json!(true), "true"),
        (json!("1"), "\"1\""),
        (json!(-1), "-1"),
    ] {
        bad_conversation(
            json!([{"role": "user", "content": "u"}, {"role": "assistant", "content": "a", "weight": weight}]),
            ValidationRule::MessageWeight,
            &format!("messages[1].weight must be the integer 0 or 1, got {shown}"),
        );
    }
}

#[test]
fn content_must_be_present_and_a_string_or_parts() {
    bad_conversation(
        json!([{"role": "user"}, {"role": "assistant", "content": "a"}]),
        ValidationRule::Content,
        "messages[0] has no content",
    );
    bad_conversation(
        json!([{"role": "user", "content": 42}, {"role": "assistant", "content": "a"}]),
        ValidationRule::Content,
        "messages[0].content must be a string or a non-empty list of content parts, got 42",
    );
    bad_conversation(
        json!([{"role": "user", "content": "u"}, {"role": "assistant", "content": null}]),
        ValidationRule::Content,
        "got null",
    );
}

#[test]
fn reasoning_belongs_to_assistant_messages_and_is_a_string() {
    bad_conversation(
        json!([{"role": "user", "content": "u", "reasoning": "r"}, {"role": "assistant", "content": "a"}]),
        ValidationRule::Reasoning,
        "messages[0].reasoning is allowed only on assistant messages",
    );
    bad_conversation(
        json!([{"role": "user", "content": "u"}, {"role": "assistant", "content": "a", "reasoning_content": ["r"]}]),
        ValidationRule::Reasoning,
        "messages[1].reasoning_content must be a string, got a list",
    );
    bad_conversation(
        json!([{"role": "user", "content": "u"}, {"role": "assistant", "content": "a", "reasoning": "r", "reasoning_content": "r"}]),
        ValidationRule::Reasoning,
        "has both reasoning and reasoning_content",
    );
}

#[test]
fn tools_and_tool_calls_are_checked() {
    let call = json!({"id": "1", "type": "function", "function": {"name": "f", "arguments": "{}"}});
    bad_conversation(
        json!([{"role": "user", "content": "u", "tool_calls": [call]}, {"role": "assistant", "content": "a"}]),
        ValidationRule::Tools,
        "messages[0].tool_calls is allowed only on assistant messages",
    );
    bad_conversation(
        json!([{"role": "user", "content": "u"}, {"role": "assistant", "tool_calls": [{"id": "1", "function": {"arguments": "{}"}}]}]),
        ValidationRule::Tools,
        "messages[1].tool_calls[0] must be",
    );
    bad_conversation(
        json!([{"role": "user", "content": "u"}, {"role": "assistant", "tool_calls": [{"id": "1", "type": "function", "function": {"name": "f", "arguments": {"n": 1}}}]}]),
        ValidationRule::Tools,
        "messages[1].tool_calls[0].function.arguments must be a string of JSON",
    );
    bad_conversation(
        json!([{"role": "user", "content": "u"}, {"role": "assistant", "tool_calls": []}]),
        ValidationRule::Tools,
        "messages[1].tool_calls must not be empty",
    );
    bad_conversation(
        json!([{"role": "user", "content": "u", "tool_call_id": "1"}, {"role": "assistant", "content": "a"}]),
        ValidationRule::Tools,
        "messages[0].tool_call_id is allowed only on tool messages",
    );
    bad_conversation(
        json!([{"role": "user", "content": "u", "name": 7}, {"role": "assistant", "content": "a"}]),
        ValidationRule::Tools,
        "messages[0].name must be a string",
    );
    let mut bad = good_conversation();
    bad["tools"] = json!([{"name": "roll"}]);
    after_good(
        good_conversation(),
        bad,
        ValidationRule::Tools,
        "tools[0] must be {\"type\": \"function\"",
    );
}

#[test]
fn multimodal_content_is_checked() {
    let image =
        json!({"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/4AAQ"}});
    let text = json!({"type": "text", "text": "t"});
    bad_conversation(
        json!([{"role": "user", "content": [text]}, {"role": "assistant", "content": [text, image]}]),
        ValidationRule::Multimodal,
        "messages[1].content[1]: images are allowed only in user messages",
    );
    bad_conversation(
        json!([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}]}, {"role": "assistant", "content": [text]}]),
        ValidationRule::Multimodal,
        "messages[0].content[0].image_url.url must be a base64 data URL",
    );
    bad_conversation(
        json!([{"role": "user", "content": [text, {"type": "audio"}]}, {"role": "assistant", "content": [text]}]),
        ValidationRule::Multimodal,
        "messages[0].content[1] must be",
    );
    bad_conversation(
        json!([{"role": "user", "content": [text, image]}, {"role": "assistant", "content": "a"}]),
        ValidationRule::Multimodal,
        "messages mixes text and multimodal content",
    );
    bad_conversation(
        json!([{"role": "user", "content": [image], "weight": 1}, {"role": "assistant", "content": [text]}]),
        ValidationRule::Multimodal,
        "messages[0] carries images, so its weight must be 0",
    );
    let eleven: Vec<Value> = (0..11).map(|_| image.clone()).collect();
    bad_conversation(
        json!([{"role": "user", "content": eleven}, {"role": "assistant", "content": [text]}]),
        ValidationRule::Multimodal,
        "the sample has 11 images, more than 10",
    );
    let huge = format!("data:image/png;base64,{}", "A".repeat(14_000_000));
    bad_conversation(
        json!([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": huge}}]}, {"role": "assistant", "content": [text]}]),
        ValidationRule::Multimodal,
        "larger than 10 MiB",
    );
    after_good(
        good_instruction(),
        json!({"prompt": [text], "completion": [image]}),
        ValidationRule::Multimodal,
        "completion[0]: images are allowed only in user messages and prompts",
    );
}

// ---- preference --------------------------------------------------------------------------------

#[test]
fn preference_samples_are_checked() {
    let good = json!({
        "input": {"messages": [{"role": "user", "content": "q"}]},
        "preferred_output": [{"role": "assistant", "content": "good"}],
        "non_preferred_output": [{"role": "assistant", "content": "bad"}],
    });
    let with = |key: &str, value: Value| {
        let mut bad = good.clone();
        bad[key] = value;
        bad
    };
    after_good(
        good.clone(),
        with(
            "preferred_output",
            json!([{"role": "assistant", "content": "a"}, {"role": "assistant", "content": "b"}]),
        ),
        ValidationRule::Preference,
        "preferred_output must be a list of exactly one assistant message",
    );
    after_good(
        good.clone(),
        with(
            "non_preferred_output",
            json!([{"role": "user", "content": "a"}]),
        ),
        ValidationRule::Preference,
        "non_preferred_output[0] must be an assistant message",
    );
    after_good(
        good.clone(),
        with(
            "input",
            json!({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}),
        ),
        ValidationRule::Preference,
        "input.messages must not end with an assistant message",
    );
    after_good(
        good.clone(),
        with("input", json!("q")),
        ValidationRule::Preference,
        "input must be an object with messages",
    );
    after_good(
        good.clone(),
        with(
            "input",
            json!({"messages": [{"role": "user", "content": "q"}], "extra": 1}),
        ),
        ValidationRule::Preference,
        "input has an unknown key \"extra\"",
    );
    after_good(
        good.clone(),
        with(
            "input",
            json!({"messages": [{"role": "user", "content": "q"}, {"role": "user", "content": "q"}]}),
        ),
        ValidationRule::RoleOrder,
        "input.messages[1]: a user message cannot follow a user message",
    );
}

// ---- special-token strings -----------------------------------------------------------------------

#[test]
fn special_token_strings_in_content_are_rejected() {
    for token in [
        "<｜end▁of▁sentence｜>",
        "<|im_end|>",
        "<|eot_id|>",
        "<|reserved_special_token_12|>",
        "</think>",
        "<|fim_middle|>",
    ] {
        bad_conversation(
            json!([{"role": "user", "content": "u"}, {"role": "assistant", "content": format!("done{token}")}]),
            ValidationRule::SpecialToken,
            &format!("messages[1].content contains the special-token string \"{token}\""),
        );
    }
    bad_conversation(
        json!([{"role": "user", "content": "u"}, {"role": "assistant", "content": "a", "reasoning": "<think>hmm"}]),
        ValidationRule::SpecialToken,
        "messages[1].reasoning contains the special-token string \"<think>\"",
    );
    bad_conversation(
        json!([{"role": "user", "content": [{"type": "text", "text": "<|im_start|>user"}]}, {"role": "assistant", "content": [{"type": "text", "text": "a"}]}]),
        ValidationRule::SpecialToken,
        "messages[0].content[0].text contains the special-token string \"<|im_start|>\"",
    );
    after_good(
        json!({"text": "a"}),
        json!({"text": "<|begin_of_text|>hello"}),
        ValidationRule::SpecialToken,
        "text contains the special-token string \"<|begin_of_text|>\"",
    );
    // Look-alikes are content: ASCII bars, a generic, a closing tag.
    let fine = json!({"text": "<|User|> <T> </div> <|reserved_special_token_999|> <think >"});
    assert!(validate(&file(&[fine])).passed);
}

#[test]
fn template_markers_are_allowed_only_in_their_places_in_instruction_samples() {
    let line = |prompt: &str, completion: &str| json!({"prompt": prompt, "completion": completion});
    let cases = [
        (
            line("<｜begin▁of▁sentence｜><｜User｜>hi<｜Assistant｜>", "a"),
            "prompt contains the special-token string \"<｜begin▁of▁sentence｜>\"",
        ),
        (
            line("<｜User｜>say <|im_end|> twice<｜Assistant｜>", "a"),
            "prompt contains the special-token string \"<|im_end|>\"",
        ),
        (
            line("<｜User｜>a<｜Assistant｜>b<｜User｜>c<｜Assistant｜>", "d"),
            "prompt contains the special-token string \"<｜Assistant｜>\"",
        ),
        (
            line(
                "<｜User｜>hi<｜Assistant｜>",
                "<think>\nwhy\n</think>\n\nanswer</think><｜end▁of▁sentence｜>",
            ),
            "completion contains the special-token string \"</think>\"",
        ),
        (
            line(
                "<｜User｜>hi<｜Assistant｜>",
                "<think>\nwhy, and never closed<｜end▁of▁sentence｜>",
            ),
            "completion opens \"<think>\" and never closes it",
        ),
        (
            line(
                "<｜User｜>hi<｜Assistant｜>",
                "answer<｜end▁of▁sentence｜> more<｜end▁of▁sentence｜>",
            ),
            "completion contains the special-token string \"<｜end▁of▁sentence｜>\"",
        ),
        (
            line(
                "<｜User｜>hi<｜Assistant｜>",
                "<think>\nuse <｜tool▁sep｜>\n</think>\n\nanswer",
            ),
            "completion contains the special-token string \"<｜tool▁sep｜>\"",
        ),
    ];
    for (bad, fragment) in cases {
        after_good(
            good_instruction(),
            bad,
            ValidationRule::SpecialToken,
            fragment,
        );
    }
}

#[test]
fn the_special_token_list_is_exposed_for_the_renderer() {
    assert_eq!(first_special_token("fine"), None);
    assert_eq!(
        first_special_token("x<|eom_id|>y<|im_end|>"),
        Some("<|eom_id|>")
    );
    let texts: Vec<&str> = special_tokens().iter().map(|t| t.text).collect();
    for token in [
        "<｜begin▁of▁sentence｜>",
        "<｜end▁of▁sentence｜>",
        "<｜User｜>",
        "<｜Assistant｜>",
        "<｜tool▁calls▁begin｜>",
        "<think>",
        "</think>",
        "<|im_start|>",
        "<|im_end|>",
        "<|endoftext|>",
        "<|fim_prefix|>",
        "<|repo_name|>",
        "<|file_sep|>",
        "<|vision_start|>",
        "<|begin_of_text|>",
        "<|eot_id|>",
        "<|python_tag|>",
        "<|finetune_right_pad_id|>",
        "<|reserved_special_token_0|>",
    ] {
        assert!(texts.contains(&token), "{token} is not listed");
    }
}

// ---- token limits --------------------------------------------------------------------------------

/// One token per character: an "exact" counter with an obvious count.
struct PerChar;

impl TokenCounter for PerChar {
    fn count(&self, text: &str) -> usize {
        text.chars().count()
    }
    fn exact(&self) -> bool {
        true
    }
    fn describe(&self) -> String {
        "one token per character".into()
    }
}

#[test]
fn samples_over_the_limit_are_reported_with_the_count_and_limit() {
    let short = json!({"prompt": "<｜User｜>hi<｜Assistant｜>", "completion": "ok"});
    let long = json!({"prompt": "<｜User｜>hi<｜Assistant｜>", "completion": "x".repeat(40)});
    let bos = "<｜begin▁of▁sentence｜>".chars().count();
    let prompt = "<｜User｜>hi<｜Assistant｜>".chars().count();
    let short_count = bos + prompt + 2;
    let long_count = bos + prompt + 40;
    let limit = short_count + 10;
    let options = ValidationOptions {
        max_tokens: Some(limit),
        ..ValidationOptions::default()
    };
    // The sequence is bos + prompt + completion.
    let report = validate_text_with(
        &file(&[short.clone(), long.clone(), short.clone()]),
        &options,
        &PerChar,
    );
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert_eq!(report.errors[0].line, Some(2));
    assert_eq!(report.errors[0].rule, ValidationRule::TooManyTokens);
    assert_eq!(
        report.errors[0].message,
        format!("the sample has {long_count} tokens (exact count), over the limit of {limit}")
    );
    let tokens = report.tokens.expect("token stats");
    assert_eq!(tokens.max, long_count);
    assert_eq!(tokens.total as usize, long_count + 2 * short_count);
    assert!(tokens.exact);
    assert_eq!(tokens.limit, Some(limit));
    assert_eq!(tokens.over_limit, 1);
    assert_eq!(tokens.counter, "one token per character");

    // Without a tokenizer the estimate counts, and says so.
    let huge =
        json!({"prompt": "<｜User｜>hi<｜Assistant｜>", "completion": "word ".repeat(3_000)});
    let options = ValidationOptions {
        model_id: Some("deepseek-r1-distill-qwen-1.5b".into()),
        ..ValidationOptions::default()
    };
    let report = validate_text(&file(&[short.clone(), huge]), &options);
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].line, Some(2));
    assert!(
        report.errors[0]
            .message
            .contains("(estimate), over the limit of 2048"),
        "{}",
        report.errors[0].message
    );
    let tokens = report.tokens.unwrap();
    assert!(!tokens.exact);
    assert_eq!(tokens.limit, Some(2_048));
    assert!(tokens.counter.starts_with("estimate"), "{}", tokens.counter);
}

#[test]
fn the_model_sets_the_limit_unless_max_tokens_is_given() {
    let options = |model: &str, max: Option<usize>| ValidationOptions {
        model_id: Some(model.into()),
        max_tokens: max,
        ..ValidationOptions::default()
    };
    assert_eq!(
        options("deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", None).token_limit(),
        Some(2_048)
    );
    assert_eq!(
        options("Deepseek-R1-distill-llama-70b", None).token_limit(),
        Some(8_192)
    );
    assert_eq!(
        options("deepseek-ai/DeepSeek-R1-Distill-Llama-70B", Some(100)).token_limit(),
        Some(100)
    );
    assert_eq!(options("some/other-model", None).token_limit(), None);
    // An unknown model still gets counted, without a limit.
    let report = validate_text(
        &file(&[good_instruction()]),
        &options("some/other-model", None),
    );
    assert!(report.passed);
    assert_eq!(report.tokens.unwrap().limit, None);
}

#[test]
fn a_registry_counts_with_the_models_counter() {
    let mut registry = TokenizerRegistry::default();
    registry.register(
        "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B",
        Box::new(PerChar),
    );
    let options = ValidationOptions {
        model_id: Some("deepseek-r1-distill-qwen-1.5b".into()),
        ..ValidationOptions::default()
    };
    let mut validator = Validator::with_registry(options.clone(), &registry);
    validator.push_line(&json!({"text": "abc"}).to_string());
    let tokens = validator.finish().tokens.unwrap();
    assert!(tokens.exact);
    assert_eq!(tokens.max, "<｜begin▁of▁sentence｜>abc".chars().count());
    let other = ValidationOptions {
        model_id: Some("deepseek-ai/DeepSeek-R1-Distill-Llama-70B".into()),
        ..options
    };
    let mut validator = Validator::with_registry(other, &registry);
    validator.push_line(&json!({"text": "abc"}).to_string());
    assert!(!validator.finish().tokens.unwrap().exact);
}

#[test]
fn options_from_js_are_checked() {
    let options =
        ValidationOptions::from_json(json!({"modelId": "m", "maxTokens": 10, "maxErrors": 5}))
            .unwrap();
    assert_eq!(options.token_limit(), Some(10));
    assert_eq!(options.max_errors, 5);
    assert_eq!(
        ValidationOptions::from_json(Value::Null).unwrap(),
        ValidationOptions::default()
    );
    for bad in [
        json!({"maxTokens": 0}),
        json!({"maxErrors": 0}),
        json!({"max_tokens": 5}),
        json!({"maxTokens": -1}),
    ] {
        let error = ValidationOptions::from_json(bad.clone()).unwrap_err();
        assert_eq!(error.code.as_str(), "invalid_argument", "{bad}");
    }
}

// ---- the report ------------------------------------------------------------------------------------

#[test]
fn errors_beyond_the_cap_are_counted_and_samples_still_counted() {
    let lines: Vec<Value> = (0..150).map(|i| json!({"text": i})).collect();
    let report = validate(&file(&lines));
    assert_eq!(report.samples, 150);
    assert_eq!(report.errors.len(), 100);
    assert_eq!(report.error_count, 150);
    assert!(report.errors_truncated);
    assert_eq!(report.errors[99].line, Some(100));
    let options = ValidationOptions {
        max_errors: 3,
        ..ValidationOptions::default()
    };
    let report = validate_text(&file(&lines), &options);
    assert_eq!(report.errors.len(), 3);
    assert!(report.errors_truncated);
}

#[test]
fn the_report_serializes_in_camel_case() {
    let report = validate(&file(&[good_instruction(), json!({"text": "t"})]));
    let value = serde_json::to_value(&report).unwrap();
    assert_eq!(value["passed"], false);
    assert_eq!(value["format"], "instruction");
    assert_eq!(value["samples"], 2);
    assert_eq!(value["errorsTruncated"], false);
    assert_eq!(value["errorCount"], 1);
    assert_eq!(value["tokens"], Value::Null);
    assert_eq!(value["errors"][0]["line"], 2);
    assert_eq!(value["errors"][0]["rule"], "mixed_formats");
    assert!(value["message"].as_str().unwrap().starts_with("line 2: "));
}

// ---- robustness ------------------------------------------------------------------------------------

/// xorshift64: deterministic pseudo-random numbers without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn random_value(rng: &mut Rng, depth: usize) -> Value {
    const KEYS: [&str; 16] = [
        "text",
        "messages",
        "prompt",
        "completion",
        "input",
        "preferred_output",
        "non_preferred_output",
        "role",
        "content",
        "weight",
        "reasoning",
        "tool_calls",
        "type",
        "image_url",
        "url",
        "function",
    ];
    const STRINGS: [&str; 12] = [
        "user",
        "assistant",
        "system",
        "tool",
        "text",
        "image_url",
        "",
        "<think>\n",
        "</think>",
        "<｜User｜>",
        "data:image/png;base64,AA",
        "<|reserved_special_token_3|>",
    ];
    match rng.below(if depth > 4 { 5 } else { 8 }) {
        0 => Value::Null,
        1 => json!(rng.below(3) == 0),
        2 => json!(rng.below(4) as i64 - 1),
        3 => json!(rng.below(100) as f64 / 7.0),
        4 => json!(rng.pick(&STRINGS)),
        5 | 6 => {
            let mut map = serde_json::Map::new();
            for _ in 0..rng.below(5) {
                map.insert(rng.pick(&KEYS).to_string(), random_value(rng, depth + 1));
            }
            Value::Object(map)
        }
        _ => Value::Array(
            (0..rng.below(4))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
    }
}

#[test]
fn random_lines_never_panic_and_the_report_stays_consistent() {
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    let structured = [
        good_instruction(),
        good_conversation(),
        json!({"text": "t"}),
    ];
    for round in 0..300 {
        let mut lines: Vec<String> = Vec::new();
        for _ in 0..rng.below(12) {
            let line = match rng.below(6) {
                0 => random_value(&mut rng, 0).to_string(),
                1 => {
                    // A good line, cut or spliced at a random byte.
                    let text = rng.pick(&structured).to_string();
                    let cut = rng.below(text.len() + 1);
                    let cut = (0..=cut)
                        .rev()
                        .find(|i| text.is_char_boundary(*i))
                        .unwrap_or(0);
                    text[..cut].to_owned()
                }
                2 => (0..rng.below(30))
                    .map(|_| char::from_u32(rng.below(0x3000) as u32).unwrap_or('?'))
                    .collect(),
                3 => "[".repeat(rng.below(300)),
                _ => rng.pick(&structured).to_string(),
            };
            lines.push(line);
        }
        let text = lines.join("\n");
        let options = ValidationOptions {
            max_tokens: Some(1 + rng.below(50)),
            max_errors: 1 + rng.below(20),
            ..ValidationOptions::default()
        };
        let report = validate_text(&text, &options);
        assert_eq!(report.passed, report.error_count == 0, "round {round}");
        assert!(report.errors.len() <= options.max_errors);
        assert_eq!(
            report.errors_truncated,
            report.error_count > report.errors.len()
        );
        for error in &report.errors {
            if let Some(line) = error.line {
                assert!(
                    line >= 1 && line <= lines.len(),
                    "round {round}: line {line}"
                );
            }
        }
        let mut bytes = text.into_bytes();
        if !bytes.is_empty() {
            let at = rng.below(bytes.len());
            bytes[at] = 0xff;
        }
        let report = validate_bytes(&bytes, &ValidationOptions::default());
        assert_eq!(report.passed, report.error_count == 0);
    }
}
