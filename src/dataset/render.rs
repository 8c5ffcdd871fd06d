//! Rendering one example as one JSONL line for a profile: the user turn (instructions and the
//! request, no system prompt by default, as DeepSeek advises for R1 models), the answer (every
//! file under its path in a fenced block with its language), and, for the large profile, the
//! reasoning block in `<think>` tags.

use std::fmt::Write as _;

use serde_json::json;

use crate::dataset::profile::{ModelProfile, WireFormat};
use crate::dataset::validate::first_special_token;
use crate::event::{ExampleKind, GeneratedFile};
use crate::reasoning::analyze::language_of;
use crate::store::ExampleRecord;

/// DeepSeek-R1 chat template markers (fullwidth bars and the `▁` block).
pub const BOS: &str = "<｜begin▁of▁sentence｜>";
pub const USER: &str = "<｜User｜>";
pub const ASSISTANT: &str = "<｜Assistant｜>";
pub const EOS: &str = "<｜end▁of▁sentence｜>";

#[derive(Debug, Clone, PartialEq)]
pub struct RenderedLine {
    /// The JSONL line, without the newline.
    pub json: String,
    /// The token sequence the model is fed for this line, template markers included, for counting.
    pub sequence: String,
}

/// Why an example cannot be rendered.
#[derive(Debug, Clone, PartialEq)]
pub enum RenderError {
    /// The content holds a model's special-token string, which would corrupt training.
    SpecialToken(&'static str),
}

pub fn user_text(record: &ExampleRecord) -> String {
    let what = match record.kind {
        ExampleKind::Plugin => "an ElizaOS plugin",
        ExampleKind::Mcp => "an MCP server",
    };
    format!(
        "Write {what} for the request below. Reply with every file it needs, each under its path in a fenced code block.\n\nRequest: {}",
        record.request.trim()
    )
}

pub fn answer_text(record: &ExampleRecord, files: &[GeneratedFile]) -> String {
    let what = match record.kind {
        ExampleKind::Plugin => "plugin",
        ExampleKind::Mcp => "MCP server",
    };
    let mut out = match &record.name {
        Some(name) => format!("Here is the {what} `{name}`"),
        None => format!("Here is the {what}"),
    };
    let _ = write!(
        out,
        ", in {} file{}.",
        files.len(),
        if files.len() == 1 { "" } else { "s" }
    );
    for file in files {
        // push_str rather than write!: contents are large, and this runs for every example.
        let fence = fence_for(&file.content);
        out.reserve(file.content.len() + file.path.len() + 32);
        out.push_str("\n\n`");
        out.push_str(&file.path);
        out.push_str("`\n");
        out.push_str(&fence);
        out.push_str(language_of(&file.path));
        out.push('\n');
        out.push_str(file.content.trim_end_matches('\n'));
        out.push('\n');
        out.push_str(&fence);
    }
    out
}

/// A backtick fence longer than any backtick run inside the content (CommonMark's rule).
fn fence_for(content: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in content.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat(longest.max(2) + 1)
}

/// One line for `profile`. `reasoning` is used when the profile carries reasoning.
pub fn render_line(
    profile: &ModelProfile,
    user: &str,
    reasoning: Option<&str>,
    answer: &str,
) -> Result<RenderedLine, RenderError> {
    let parts = Parts::new(profile, user, reasoning, answer)?;
    Ok(RenderedLine {
        json: parts.json(),
        sequence: parts.sequence(),
    })
}

/// Only the sequence the model is fed, for counting tokens: cheaper than the JSON line.
pub fn render_sequence(
    profile: &ModelProfile,
    user: &str,
    reasoning: Option<&str>,
    answer: &str,
) -> Result<String, RenderError> {
    Ok(Parts::new(profile, user, reasoning, answer)?.sequence())
}

/// The pieces of a line, checked for special-token strings.
struct Parts<'a> {
    format: WireFormat,
    system: &'a str,
    user: &'a str,
    reasoning: Option<&'a str>,
    answer: &'a str,
}

impl<'a> Parts<'a> {
    fn new(
        profile: &'a ModelProfile,
        user: &'a str,
        reasoning: Option<&'a str>,
        answer: &'a str,
    ) -> Result<Self, RenderError> {
        for text in [
            Some(user),
            reasoning,
            Some(answer),
            profile.system_prompt.as_deref(),
        ]
        .into_iter()
        .flatten()
        {
            if let Some(token) = first_special_token(text) {
                return Err(RenderError::SpecialToken(token));
            }
        }
        // Messages cannot carry reasoning through the R1 template (see `WireFormat::reason`).
        let reasoning = match profile.format {
            WireFormat::Messages => None,
            _ if profile.reasoning => reasoning,
            _ => None,
        };
        Ok(Parts {
            format: profile.format,
            system: profile.system_prompt.as_deref().unwrap_or(""),
            user,
            reasoning,
            answer,
        })
    }

    fn prompt(&self) -> String {
        concat(&[self.system, USER, self.user, ASSISTANT])
    }

    /// Without reasoning the think block is closed at once: R1 models always open one.
    fn completion(&self) -> String {
        let reasoning = self.reasoning.unwrap_or("");
        concat(&["<think>\n", reasoning, "\n</think>\n\n", self.answer, EOS])
    }

    fn sequence(&self) -> String {
        match self.format {
            WireFormat::Instruction => {
                let reasoning = self.reasoning.unwrap_or("");
                concat(&[
                    BOS,
                    self.system,
                    USER,
                    self.user,
                    ASSISTANT,
                    "<think>\n",
                    reasoning,
                    "\n</think>\n\n",
                    self.answer,
                    EOS,
                ])
            }
            WireFormat::Messages | WireFormat::ReasoningField => {
                let think = self
                    .reasoning
                    .map(|r| format!("<think>\n{r}\n</think>\n\n"))
                    .unwrap_or_default();
                format!(
                    "{BOS}{}{USER}{}{ASSISTANT}{think}{}{EOS}",
                    self.system, self.user, self.answer
                )
            }
        }
    }

    fn json(&self) -> String {
        match self.format {
            WireFormat::Instruction => {
                #[derive(serde::Serialize)]
                struct Line<'a> {
                    prompt: &'a str,
                    completion: &'a str,
                }
                let (prompt, completion) = (self.prompt(), self.completion());
                let line = Line {
                    prompt: &prompt,
                    completion: &completion,
                };
                serde_json::to_string(&line).expect("strings always serialize")
            }
            WireFormat::Messages | WireFormat::ReasoningField => {
                let mut messages = Vec::new();
                if !self.system.is_empty() {
                    messages.push(json!({ "role": "system", "content": self.system }));
                }
                messages.push(json!({ "role": "user", "content": self.user }));
                let mut assistant = json!({ "role": "assistant", "content": self.answer });
                if let Some(reasoning) = self.reasoning {
                    assistant["reasoning"] = json!(reasoning);
                }
                messages.push(assistant);
                json!({ "messages": messages }).to_string()
            }
        }
    }
}

fn concat(pieces: &[&str]) -> String {
    let mut out = String::with_capacity(pieces.iter().map(|p| p.len()).sum());
    for piece in pieces {
        out.push_str(piece);
    }
    out
}
