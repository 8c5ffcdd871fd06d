//! Special-token strings of the model families selftune trains, and where a DeepSeek-R1 template
//! marker may stand in a pre-rendered instruction sample.
//!
//! A tokenizer turns each of these strings into one control token, wherever it appears. Content
//! that holds one (generated code that parses chat transcripts, say) would teach the model to end a
//! turn, open a header or close its reasoning in the middle of an answer, so the validator rejects
//! it and the renderer drops such examples.

use std::sync::OnceLock;

use serde::Serialize;

/// The tokenizer family a special-token string belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum TokenFamily {
    /// DeepSeek-R1 and its distills (Qwen and Llama bases alike): chat markers, tools, `<think>`.
    DeepSeek,
    /// ChatML as used by Qwen 2 and 2.5 (the base of DeepSeek-R1-Distill-Qwen).
    ChatMl,
    /// Llama 3, 3.1 and 3.3 (the base of DeepSeek-R1-Distill-Llama).
    Llama3,
}

/// One special-token string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SpecialToken {
    pub text: &'static str,
    pub family: TokenFamily,
}

/// The DeepSeek-R1 chat template's markers used by the pre-rendered instruction format.
pub const BEGIN_OF_SENTENCE: &str = "<｜begin▁of▁sentence｜>";
pub const END_OF_SENTENCE: &str = "<｜end▁of▁sentence｜>";
pub const USER: &str = "<｜User｜>";
pub const ASSISTANT: &str = "<｜Assistant｜>";
pub const THINK_OPEN: &str = "<think>";
pub const THINK_CLOSE: &str = "</think>";
/// How a completion opens its reasoning block (the template's generation prompt ends with it).
pub const THINK_START: &str = "<think>\n";

/// DeepSeek-R1 (tokenizer_config added tokens of R1 and the R1 distills).
pub const DEEPSEEK_TOKENS: &[&str] = &[
    BEGIN_OF_SENTENCE,
    END_OF_SENTENCE,
    "<｜▁pad▁｜>",
    USER,
    ASSISTANT,
    "<｜fim▁hole｜>",
    "<｜fim▁begin｜>",
    "<｜fim▁end｜>",
    "<｜tool▁calls▁begin｜>",
    "<｜tool▁calls▁end｜>",
    "<｜tool▁call▁begin｜>",
    "<｜tool▁call▁end｜>",
    "<｜tool▁outputs▁begin｜>",
    "<｜tool▁outputs▁end｜>",
    "<｜tool▁output▁begin｜>",
    "<｜tool▁output▁end｜>",
    "<｜tool▁sep｜>",
    THINK_OPEN,
    THINK_CLOSE,
];

/// ChatML and the other Qwen 2 / 2.5 control tokens. `<tool_call>` and `</tool_call>` are left
/// out on purpose: they are ordinary added tokens, not control tokens, and code that handles
/// Hermes-style tool calls legitimately contains them.
pub const CHATML_TOKENS: &[&str] = &[
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|object_ref_start|>",
    "<|object_ref_end|>",
    "<|box_start|>",
    "<|box_end|>",
    "<|quad_start|>",
    "<|quad_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|vision_pad|>",
    "<|image_pad|>",
    "<|video_pad|>",
    "<|fim_prefix|>",
    "<|fim_middle|>",
    "<|fim_suffix|>",
    "<|fim_pad|>",
    "<|repo_name|>",
    "<|file_sep|>",
];

/// Llama 3's named special tokens. The numbered `<|reserved_special_token_N|>` (N from 0 to
/// [`LLAMA3_RESERVED_MAX`]) are matched too and listed by [`special_tokens`].
pub const LLAMA3_TOKENS: &[&str] = &[
    "<|begin_of_text|>",
    "<|end_of_text|>",
    "<|start_header_id|>",
    "<|end_header_id|>",
    "<|eot_id|>",
    "<|eom_id|>",
    "<|python_tag|>",
    "<|finetune_right_pad_id|>",
];

/// The highest N of `<|reserved_special_token_N|>` (Llama 3 has 0..=250, Llama 3.1 0..=247).
pub const LLAMA3_RESERVED_MAX: usize = 250;

const RESERVED_PREFIX: &str = "<|reserved_special_token_";

fn reserved_tokens() -> &'static [&'static str] {
    static RESERVED: OnceLock<Vec<&'static str>> = OnceLock::new();
    RESERVED.get_or_init(|| {
        (0..=LLAMA3_RESERVED_MAX)
            .map(|n| &*Box::leak(format!("{RESERVED_PREFIX}{n}|>").into_boxed_str()))
            .collect()
    })
}

/// Every special-token string the validator rejects, family by family.
pub fn special_tokens() -> &'static [SpecialToken] {
    static ALL: OnceLock<Vec<SpecialToken>> = OnceLock::new();
    ALL.get_or_init(|| {
        let tagged = |family, list: &[&'static str]| {
            list.iter()
                .map(move |&text| SpecialToken { text, family })
                .collect::<Vec<_>>()
        };
        let mut all = tagged(TokenFamily::DeepSeek, DEEPSEEK_TOKENS);
        all.extend(tagged(TokenFamily::ChatMl, CHATML_TOKENS));
        all.extend(tagged(TokenFamily::Llama3, LLAMA3_TOKENS));
        all.extend(tagged(TokenFamily::Llama3, reserved_tokens()));
        all
    })
}

/// The first special-token string in `text`, if any.
pub fn first_special_token(text: &str) -> Option<&'static str> {
    find_special_token(text).map(|(_, token)| token)
}

/// The first special-token string in `text` and its byte offset.
pub fn find_special_token(text: &str) -> Option<(usize, &'static str)> {
    let mut from = 0;
    while let Some(offset) = text[from..].find('<') {
        let at = from + offset;
        if let Some(token) = token_at(&text[at..]) {
            return Some((at, token));
        }
        from = at + 1;
    }
    None
}

/// The special-token string `rest` starts with (`rest` starts with `<`).
fn token_at(rest: &str) -> Option<&'static str> {
    let starts = |list: &[&'static str]| list.iter().copied().find(|t| rest.starts_with(t));
    match rest.as_bytes().get(1)? {
        // `｜` (U+FF5C) opens every DeepSeek marker.
        0xEF => starts(DEEPSEEK_TOKENS),
        b't' if rest.starts_with(THINK_OPEN) => Some(THINK_OPEN),
        b'/' if rest.starts_with(THINK_CLOSE) => Some(THINK_CLOSE),
        b'|' => starts(CHATML_TOKENS)
            .or_else(|| starts(LLAMA3_TOKENS))
            .or_else(|| reserved_at(rest)),
        _ => None,
    }
}

fn reserved_at(rest: &str) -> Option<&'static str> {
    let digits = rest.strip_prefix(RESERVED_PREFIX)?;
    let len = digits.bytes().take_while(u8::is_ascii_digit).count();
    if len == 0 || len > 3 || !digits[len..].starts_with("|>") {
        return None;
    }
    let n: usize = digits[..len].parse().ok()?;
    // `<|reserved_special_token_07|>` is not a token: only the canonical spelling is.
    let token = *reserved_tokens().get(n)?;
    rest.starts_with(token).then_some(token)
}

/// A special-token string where the pre-rendered DeepSeek-R1 instruction format does not allow
/// one. The template renders a prompt as `{system}<｜User｜>{user}<｜Assistant｜>`: `<｜User｜>` may
/// open the prompt (or follow a system text when the prompt ends with `<｜Assistant｜>`), and
/// `<｜Assistant｜>` may end it. Any other special-token string is content.
pub fn misplaced_in_prompt(prompt: &str) -> Option<&'static str> {
    let templated = prompt.strip_suffix(ASSISTANT);
    let body = templated.unwrap_or(prompt);
    match body.split_once(USER) {
        Some((system, user)) if system.is_empty() || templated.is_some() => {
            first_special_token(system).or_else(|| first_special_token(user))
        }
        _ => first_special_token(body),
    }
}

/// What is wrong with the template markers of a pre-rendered completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionMarkers {
    /// A special-token string outside the allowed positions.
    Misplaced(&'static str),
    /// The completion opens `<think>\n` and never closes it.
    UnclosedThink,
}

/// Checks the markers of a pre-rendered completion: it may start with `<think>\n`, then holds
/// exactly one `</think>`, and may end with `<｜end▁of▁sentence｜>`.
pub fn check_completion_markers(completion: &str) -> Result<(), CompletionMarkers> {
    let body = completion
        .strip_suffix(END_OF_SENTENCE)
        .unwrap_or(completion);
    let misplaced = |text: &str| match first_special_token(text) {
        Some(token) => Err(CompletionMarkers::Misplaced(token)),
        None => Ok(()),
    };
    match body.strip_prefix(THINK_START) {
        Some(rest) => {
            let (reasoning, answer) = rest
                .split_once(THINK_CLOSE)
                .ok_or(CompletionMarkers::UnclosedThink)?;
            misplaced(reasoning)?;
            misplaced(answer)
        }
        None => misplaced(body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_earliest_token_of_every_family() {
        assert_eq!(first_special_token("plain text, a < b, </div>"), None);
        assert_eq!(
            find_special_token("a<|im_end|>b<｜User｜>"),
            Some((1, "<|im_end|>"))
        );
        assert_eq!(
            first_special_token("x <｜tool▁sep｜> y"),
            Some("<｜tool▁sep｜>")
        );
        assert_eq!(
            first_special_token("if (s.endsWith('</think>'))"),
            Some("</think>")
        );
        assert_eq!(first_special_token("<|eot_id|>"), Some("<|eot_id|>"));
        assert_eq!(
            first_special_token("pad <|reserved_special_token_250|>"),
            Some("<|reserved_special_token_250|>")
        );
        assert_eq!(first_special_token("<|reserved_special_token_251|>"), None);
        assert_eq!(first_special_token("<|reserved_special_token_07|>"), None);
        assert_eq!(first_special_token("<|reserved_special_token_|>"), None);
        assert_eq!(first_special_token("<|im_sta"), None);
        assert_eq!(first_special_token("<｜"), None);
    }

    #[test]
    fn every_listed_token_is_found_inside_text() {
        for token in special_tokens() {
            let text = format!("before {} after", token.text);
            assert_eq!(
                first_special_token(&text),
                Some(token.text),
                "{}",
                token.text
            );
        }
        assert!(special_tokens().len() > 280);
    }

    #[test]
    fn template_markers_are_allowed_only_in_their_places() {
        assert_eq!(misplaced_in_prompt("<｜User｜>hi<｜Assistant｜>"), None);
        assert_eq!(misplaced_in_prompt("plain prompt"), None);
        assert_eq!(misplaced_in_prompt("<｜User｜>no assistant marker"), None);
        assert_eq!(
            misplaced_in_prompt("Be brief.<｜User｜>hi<｜Assistant｜>"),
            None
        );
        assert_eq!(misplaced_in_prompt("what is <｜User｜>?"), Some(USER));
        assert_eq!(
            misplaced_in_prompt("<|im_start|>system<｜User｜>hi<｜Assistant｜>"),
            Some("<|im_start|>")
        );
        assert_eq!(
            misplaced_in_prompt("<｜begin▁of▁sentence｜><｜User｜>hi<｜Assistant｜>"),
            Some(BEGIN_OF_SENTENCE)
        );
        assert_eq!(
            misplaced_in_prompt("<｜User｜>a<｜Assistant｜>b<｜User｜>c<｜Assistant｜>"),
            Some(ASSISTANT)
        );
        let ok = "<think>\nwhy\n</think>\n\nanswer<｜end▁of▁sentence｜>";
        assert_eq!(check_completion_markers(ok), Ok(()));
        assert_eq!(check_completion_markers("just an answer"), Ok(()));
        assert_eq!(
            check_completion_markers("<think>\nnever closed"),
            Err(CompletionMarkers::UnclosedThink)
        );
        assert_eq!(
            check_completion_markers("<think>\na\n</think>\n\nb</think>"),
            Err(CompletionMarkers::Misplaced(THINK_CLOSE))
        );
        assert_eq!(
            check_completion_markers("<think>no newline</think>"),
            Err(CompletionMarkers::Misplaced(THINK_OPEN))
        );
        assert_eq!(
            check_completion_markers("a<｜end▁of▁sentence｜>b<｜end▁of▁sentence｜>"),
            Err(CompletionMarkers::Misplaced(END_OF_SENTENCE))
        );
    }
}
