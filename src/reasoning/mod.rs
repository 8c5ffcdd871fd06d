//! Reasoning blocks: the step-by-step thinking the large model learns to produce before its answer.
//!
//! Each block is derived from the example itself, in the seed's seven parts: requirements analysis
//! (the request's sentences and the settings the code reads), architecture planning (the plugin's
//! actions, providers, evaluators, services; the MCP server's tools, resources and transport),
//! implementation strategy, file structure reasoning (each file's purpose and exported names), code
//! implementation logic, testing approach (the tests that exist), and a final verification that
//! ties each requirement to the files that meet it. The same example always gives the same block.
//!
//! A teacher model can replace the synthesis later: [`ReasoningSource`] is the seam.

pub mod analyze;

use std::fmt::Write as _;

use crate::event::{ExampleKind, McpTool};
use crate::store::ExampleRecord;
use analyze::{analyze, CodeFacts};

/// Where reasoning comes from: the built-in synthesis, or later a teacher model asked (with the
/// request and the final code) to write it.
pub trait ReasoningSource {
    fn reasoning_for(&self, record: &ExampleRecord) -> String;
}

/// The deterministic synthesis described in the module doc.
pub struct Synthesized;

impl ReasoningSource for Synthesized {
    fn reasoning_for(&self, record: &ExampleRecord) -> String {
        synthesize(record)
    }
}

pub const SECTION_TITLES: [&str; 7] = [
    "Requirements analysis",
    "Architecture planning",
    "Implementation strategy",
    "File structure reasoning",
    "Code implementation logic",
    "Testing approach",
    "Final verification",
];

/// The reasoning block for one example, as plain text with numbered sections.
pub fn synthesize(record: &ExampleRecord) -> String {
    let facts = analyze(&record.files);
    let requirements = requirements(&record.request);
    let bodies = [
        requirements_section(record, &requirements, &facts),
        architecture_section(record, &facts),
        strategy_section(record, &facts),
        file_structure_section(&facts),
        logic_section(record, &facts),
        testing_section(record, &facts),
        verification_section(record, &requirements),
    ];
    let mut out = String::new();
    for (number, (title, body)) in SECTION_TITLES.iter().zip(bodies).enumerate() {
        if number > 0 {
            out.push_str("\n\n");
        }
        let _ = write!(out, "{}. {title}\n{}", number + 1, body.trim_end());
    }
    out
}

fn what(record: &ExampleRecord) -> &'static str {
    match record.kind {
        ExampleKind::Plugin => "an ElizaOS plugin",
        ExampleKind::Mcp => "an MCP server",
    }
}

/// The request split into sentences (and list items), each one requirement.
pub fn requirements(request: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in request.lines() {
        let line = line.trim().trim_start_matches(['-', '*', '•']).trim();
        let mut sentence = String::new();
        let chars: Vec<char> = line.chars().collect();
        for (i, c) in chars.iter().enumerate() {
            sentence.push(*c);
            let ends = matches!(c, '.' | '?' | '!' | ';')
                && chars.get(i + 1).is_none_or(|next| next.is_whitespace());
            if ends {
                push_requirement(&mut out, &sentence);
                sentence.clear();
            }
        }
        push_requirement(&mut out, &sentence);
    }
    out
}

fn push_requirement(out: &mut Vec<String>, sentence: &str) {
    let sentence = sentence.trim().trim_end_matches([';', '.']).trim();
    if sentence.split_whitespace().count() >= 2 {
        out.push(sentence.to_owned());
    }
}

fn requirements_section(
    record: &ExampleRecord,
    requirements: &[String],
    facts: &CodeFacts,
) -> String {
    let mut out = format!("The request asks for {}", what(record));
    if let Some(name) = &record.name {
        let _ = write!(out, " named `{name}`");
    }
    out.push_str(". What it has to do:\n");
    for requirement in requirements {
        let _ = writeln!(out, "- {requirement}");
    }
    if !facts.settings.is_empty() {
        let _ = writeln!(
            out,
            "Configuration comes from settings, never hard-coded values: {}.",
            code_list(&facts.settings)
        );
    }
    out
}

fn architecture_section(record: &ExampleRecord, facts: &CodeFacts) -> String {
    let mut out = String::new();
    match record.kind {
        ExampleKind::Plugin => {
            match &facts.plugin_object {
                Some((identifier, Some(name))) => {
                    let _ = writeln!(out, "The plugin is the `Plugin` object `{identifier}` (name \"{name}\"). It registers:");
                }
                Some((identifier, None)) => {
                    let _ = writeln!(
                        out,
                        "The plugin is the `Plugin` object `{identifier}`. It registers:"
                    );
                }
                None => out.push_str("The plugin is built from these parts:\n"),
            }
            let mut any = false;
            for kind in ["action", "provider", "evaluator", "service"] {
                for component in facts.components.iter().filter(|c| c.kind == kind) {
                    any = true;
                    let identifier = component
                        .identifier
                        .as_ref()
                        .map(|id| format!(" (`{id}`)"))
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "- {kind} {}{identifier}, in `{}`",
                        component.name, component.file
                    );
                }
            }
            if !any {
                out.push_str("- no separate actions, providers or services: the logic lives in the plugin object itself\n");
            }
        }
        ExampleKind::Mcp => {
            let tools = mcp_tools(record, facts);
            let _ = writeln!(
                out,
                "The server exposes {} tool{}:",
                tools.len(),
                plural(tools.len())
            );
            for (name, description, inputs) in &tools {
                let _ = write!(out, "- `{name}`");
                if let Some(description) = description {
                    let _ = write!(out, ": {description}");
                }
                if !inputs.is_empty() {
                    let _ = write!(out, " (inputs: {})", inputs.join(", "));
                }
                out.push('\n');
            }
            let resources: Vec<&str> = facts
                .components
                .iter()
                .filter(|c| c.kind == "resource")
                .map(|c| c.name.as_str())
                .collect();
            if !resources.is_empty() {
                let _ = writeln!(out, "Resources: {}.", code_list(&resources));
            }
            let transport = facts.transports.first().copied().unwrap_or("stdio");
            let _ = writeln!(
                out,
                "It talks to its client over the {transport} transport."
            );
        }
    }
    out
}

/// MCP tools with descriptions and input names: from the event when it declared them, else from
/// the code.
fn mcp_tools(
    record: &ExampleRecord,
    facts: &CodeFacts,
) -> Vec<(String, Option<String>, Vec<String>)> {
    if !record.tools.is_empty() {
        return record.tools.iter().map(tool_summary).collect();
    }
    facts
        .components
        .iter()
        .filter(|c| c.kind == "tool")
        .map(|c| (c.name.clone(), None, Vec::new()))
        .collect()
}

fn tool_summary(tool: &McpTool) -> (String, Option<String>, Vec<String>) {
    let inputs = tool
        .input_schema
        .as_ref()
        .and_then(|schema| schema.get("properties"))
        .and_then(|properties| properties.as_object())
        .map(|properties| properties.keys().cloned().collect())
        .unwrap_or_default();
    let description = tool
        .description
        .as_ref()
        .map(|d| d.trim().trim_end_matches('.').to_owned());
    (tool.name.clone(), description, inputs)
}

fn strategy_section(record: &ExampleRecord, facts: &CodeFacts) -> String {
    let mut languages: Vec<&str> = facts
        .files
        .iter()
        .filter(|f| {
            matches!(
                f.language,
                "typescript" | "tsx" | "javascript" | "python" | "rust"
            )
        })
        .map(|f| f.language)
        .collect();
    languages.sort();
    languages.dedup();
    let languages: Vec<&str> = languages.into_iter().map(display_language).collect();
    let mut out = format!(
        "Write it in {}",
        if languages.is_empty() {
            "the language of the request".to_owned()
        } else {
            languages.join(" and ")
        }
    );
    let dependencies = dependency_names(record);
    if dependencies.is_empty() {
        out.push_str(".\n");
    } else {
        let _ = writeln!(out, ", on {}.", code_list(&dependencies));
    }
    let mut steps = Vec::new();
    if !facts.settings.is_empty() {
        steps.push("read every credential and endpoint from settings at run time".to_owned());
    }
    if facts.uses_zod {
        steps.push("validate inputs with zod schemas before acting on them".to_owned());
    }
    if facts.uses_fetch {
        steps.push(
            "call the external service over HTTP and check the response before using it".to_owned(),
        );
    }
    if facts.uses_model {
        steps.push(
            "use the agent's model through the runtime rather than a client of its own".to_owned(),
        );
    }
    if facts.handles_errors {
        steps.push("catch failures and report them instead of crashing the agent".to_owned());
    }
    if steps.is_empty() {
        steps.push("keep the code small and self-contained".to_owned());
    }
    for step in steps {
        let _ = writeln!(out, "- {step}");
    }
    out
}

fn display_language(tag: &str) -> &str {
    match tag {
        "typescript" | "tsx" => "TypeScript",
        "javascript" => "JavaScript",
        "python" => "Python",
        "rust" => "Rust",
        other => other,
    }
}

fn dependency_names(record: &ExampleRecord) -> Vec<String> {
    use crate::event::Dependencies;
    match &record.dependencies {
        Some(Dependencies::Versions(versions)) => versions.keys().cloned().collect(),
        Some(Dependencies::Names(names)) => names.clone(),
        None => Vec::new(),
    }
}

fn file_structure_section(facts: &CodeFacts) -> String {
    let mut out = format!("{} file{}:\n", facts.files.len(), plural(facts.files.len()));
    for file in &facts.files {
        let _ = write!(out, "- `{}`: {}", file.path, file.role);
        if !file.exports.is_empty() {
            let shown: Vec<&String> = file.exports.iter().take(6).collect();
            let more = file.exports.len().saturating_sub(shown.len());
            let _ = write!(out, "; exports {}", code_list(&shown));
            if more > 0 {
                let _ = write!(out, " and {more} more");
            }
        }
        out.push('\n');
    }
    out
}

fn logic_section(record: &ExampleRecord, facts: &CodeFacts) -> String {
    let mut out = String::new();
    let mut components: Vec<analyze::Component> = facts
        .components
        .iter()
        .filter(|c| {
            matches!(
                c.kind,
                "action" | "provider" | "evaluator" | "service" | "tool"
            )
        })
        .cloned()
        .collect();
    if record.kind == ExampleKind::Mcp && !components.iter().any(|c| c.kind == "tool") {
        components.extend(record.tools.iter().map(|tool| analyze::Component {
            kind: "tool",
            name: tool.name.clone(),
            identifier: None,
            file: String::new(),
        }));
    }
    if components.is_empty() {
        let main = facts
            .files
            .iter()
            .find(|f| f.role == "entry point")
            .or(facts.files.first());
        if let Some(main) = main {
            let _ = writeln!(
                out,
                "The logic lives in `{}` ({} lines).",
                main.path, main.lines
            );
        }
    }
    for component in &components {
        let detail = match component.kind {
            "action" => "validates that the message is a request it handles, then does the work in its handler and answers through the callback",
            "provider" => "returns text and values that the agent adds to its context before it answers",
            "evaluator" => "runs after a response to judge or record what happened",
            "service" => "holds long-lived state and connections, started once with the runtime and stopped with it",
            _ => "checks its arguments against the input schema and returns a text result, or an error result the client can show",
        };
        let _ = writeln!(out, "- {} `{}` {detail}.", component.kind, component.name);
    }
    if record.kind == ExampleKind::Plugin && facts.plugin_object.is_some() {
        out.push_str("- the entry file exports the plugin object so the agent can load it.\n");
    }
    out
}

fn testing_section(record: &ExampleRecord, facts: &CodeFacts) -> String {
    let tests: Vec<_> = facts.files.iter().filter(|f| f.is_test).collect();
    if tests.is_empty() {
        return match record.kind {
            ExampleKind::Plugin => "No automated tests come with it; check it by loading it into an agent and exercising each part once, including a failure of the external service.\n",
            ExampleKind::Mcp => "No automated tests come with it; check it by connecting an MCP client (such as the inspector), listing the tools and calling each one, with good and bad arguments.\n",
        }
        .to_owned();
    }
    let mut out = String::new();
    for file in tests {
        let _ = write!(out, "- `{}`", file.path);
        if file.test_names.is_empty() {
            out.push('\n');
        } else {
            let shown: Vec<&String> = file.test_names.iter().take(5).collect();
            let _ = writeln!(
                out,
                " checks: {}",
                shown
                    .iter()
                    .map(|n| format!("\"{n}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    out
}

fn verification_section(record: &ExampleRecord, requirements: &[String]) -> String {
    // Lower-cased once: each requirement is looked up in every file.
    let haystacks: Vec<(String, &str)> = record
        .files
        .iter()
        .map(|file| {
            (
                format!("{}\n{}", file.path, file.content).to_lowercase(),
                file.path.as_str(),
            )
        })
        .collect();
    let mut out = String::new();
    for requirement in requirements {
        let files = files_meeting(&haystacks, requirement);
        let where_ = if files.is_empty() {
            "the overall structure (no single file names it)".to_owned()
        } else {
            code_list(&files)
        };
        let _ = writeln!(out, "- \"{}\": {where_}", shorten(requirement, 90));
    }
    out.push_str("Every file above is part of the answer, complete, with its path.");
    out
}

/// Files whose path or content mention the requirement's distinctive words, best first.
fn files_meeting<'a>(haystacks: &[(String, &'a str)], requirement: &str) -> Vec<&'a str> {
    let keywords = keywords(requirement);
    if keywords.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(usize, &str)> = haystacks
        .iter()
        .map(|(haystack, path)| {
            let hits = keywords
                .iter()
                .filter(|k| haystack.contains(k.as_str()))
                .count();
            (hits, *path)
        })
        .filter(|(hits, _)| *hits * 3 >= keywords.len().min(6))
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(2).map(|(_, path)| path).collect()
}

const STOPWORDS: &[&str] = &[
    "that", "this", "with", "from", "when", "then", "than", "into", "should", "would", "could",
    "have", "make", "write", "build", "create", "plugin", "server", "elizaos", "which", "their",
    "there", "about", "using", "also", "each", "every", "some", "them", "they", "your", "will",
    "must", "only", "like", "want", "need", "please",
];

fn keywords(text: &str) -> Vec<String> {
    let mut words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 4 && !STOPWORDS.contains(&w.as_str()))
        .collect();
    words.sort();
    words.dedup();
    words
}

fn code_list<T: AsRef<str>>(items: &[T]) -> String {
    items
        .iter()
        .map(|item| format!("`{}`", item.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn shorten(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(limit).collect();
    short.push('…');
    short
}
