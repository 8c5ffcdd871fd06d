//! Facts read from generated code without running it: exported names, the parts of an ElizaOS
//! plugin or an MCP server, the settings it reads, and its tests. Plain line scanning, no parser:
//! the facts feed prose, so a missed fact costs a sentence, never a wrong dataset line.

use crate::event::GeneratedFile;

/// What one file contributes.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FileFacts {
    pub path: String,
    pub language: &'static str,
    pub role: &'static str,
    pub exports: Vec<String>,
    pub is_test: bool,
    pub test_names: Vec<String>,
    pub lines: usize,
}

/// A named part: an action, provider, evaluator, service, MCP tool or resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    pub kind: &'static str,
    /// The name the runtime sees (`GET_WEATHER`), else the identifier.
    pub name: String,
    /// The identifier in code (`getWeatherAction`), when it differs.
    pub identifier: Option<String>,
    pub file: String,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct CodeFacts {
    pub files: Vec<FileFacts>,
    pub components: Vec<Component>,
    /// `name: '…'` of the exported Plugin object, if any.
    pub plugin_object: Option<(String, Option<String>)>,
    pub transports: Vec<&'static str>,
    pub settings: Vec<String>,
    pub uses_fetch: bool,
    pub uses_model: bool,
    pub uses_zod: bool,
    pub handles_errors: bool,
}

pub fn analyze(files: &[GeneratedFile]) -> CodeFacts {
    let mut facts = CodeFacts::default();
    for file in files {
        let mut file_facts = FileFacts {
            path: file.path.clone(),
            language: language_of(&file.path),
            role: role_of(&file.path),
            is_test: is_test_path(&file.path),
            lines: file.content.lines().count(),
            ..FileFacts::default()
        };
        scan_file(file, &mut file_facts, &mut facts);
        let mut seen = std::collections::HashSet::new();
        file_facts.exports.retain(|name| seen.insert(name.clone()));
        facts.files.push(file_facts);
    }
    facts.settings.sort();
    facts.settings.dedup();
    facts.transports.dedup();
    facts
}

fn scan_file(file: &GeneratedFile, file_facts: &mut FileFacts, facts: &mut CodeFacts) {
    let content = &file.content;
    let python = file_facts.language == "python";
    let lines: Vec<&str> = content.lines().collect();
    let markers = FileMarkers::of(content);
    let mut pending_python_decorator: Option<&'static str> = None;
    for (index, raw) in lines.iter().enumerate() {
        let line = raw.trim();
        if python {
            if line.starts_with("@") && line.contains(".tool(") {
                pending_python_decorator = Some("tool");
            } else if line.starts_with("@") && line.contains(".resource(") {
                let uri = first_string_literal(line).unwrap_or_default();
                push_component(facts, "resource", uri, None, &file.path);
            } else if let Some(name) = python_def(line) {
                if raw.starts_with("def ") || raw.starts_with("async def ") {
                    file_facts.exports.push(name.clone());
                }
                if let Some(kind) = pending_python_decorator.take() {
                    push_component(facts, kind, name.clone(), None, &file.path);
                }
                if name.starts_with("test_") {
                    file_facts.test_names.push(name);
                }
            } else if raw.starts_with("class ") {
                if let Some(name) = identifier_after(line, "class ") {
                    file_facts.exports.push(name);
                }
            }
            if line.contains("mcp.run(") || line.contains(".run(transport") {
                let transport = if line.contains("sse") {
                    "SSE"
                } else if line.contains("streamable") {
                    "streamable HTTP"
                } else {
                    "stdio"
                };
                facts.transports.push(transport);
            }
        } else {
            scan_js_line(line, &lines, index, &markers, file, file_facts, facts);
        }
    }
    // Whole-file searches: one pass per marker instead of one per line and marker.
    collect_settings(content, &mut facts.settings);
    let any = |markers: &[&str]| markers.iter().any(|m| content.contains(m));
    facts.uses_fetch |= any(&["fetch(", "httpx.", "requests."]);
    facts.uses_model |= any(&["useModel(", "generateText("]);
    facts.uses_zod |= any(&["z.object(", "from 'zod'", "from \"zod\""]);
    facts.handles_errors |= any(&["try {", "} catch", "except "]);
}

/// Which kinds of declaration a file holds at all, so most lines skip most checks.
struct FileMarkers {
    typed_objects: bool,
    services: bool,
    calls: bool,
    transports: bool,
}

impl FileMarkers {
    fn of(content: &str) -> Self {
        FileMarkers {
            typed_objects: [": Action", ": Provider", ": Evaluator", ": Plugin"]
                .iter()
                .any(|m| content.contains(m)),
            services: content.contains(" extends Service"),
            calls: [
                ".tool(",
                ".registerTool(",
                ".resource(",
                ".registerResource(",
            ]
            .iter()
            .any(|m| content.contains(m)),
            transports: content.contains("Transport("),
        }
    }
}

fn scan_js_line(
    line: &str,
    lines: &[&str],
    index: usize,
    markers: &FileMarkers,
    file: &GeneratedFile,
    file_facts: &mut FileFacts,
    facts: &mut CodeFacts,
) {
    if let Some(rest) = line.strip_prefix("export ") {
        file_facts.exports.extend(exported_names(rest));
    }
    if markers.typed_objects && line.ends_with('{') && line.contains(" = {") {
        scan_typed_object(line, lines, index, file, facts);
    }
    if markers.services && line.contains(" extends Service") {
        if let Some(name) = identifier_after(line, "class ") {
            push_component(facts, "service", name, None, &file.path);
        }
    }
    if !line.contains('(') {
        return;
    }
    if markers.calls {
        for (calls, kind) in [
            ([".tool(", ".registerTool("], "tool"),
            ([".resource(", ".registerResource("], "resource"),
        ] {
            for call in calls {
                if let Some(at) = line.find(call) {
                    // The name is the first argument, on this line or the next.
                    let next = lines.get(index + 1).copied().unwrap_or_default();
                    let name = first_string_literal(&line[at..])
                        .or_else(|| first_string_literal(next.trim()));
                    if let Some(name) = name {
                        push_component(facts, kind, name, None, &file.path);
                    }
                }
            }
        }
    }
    if markers.transports && line.contains("new ") {
        for (marker, transport) in [
            ("StdioServerTransport(", "stdio"),
            ("SSEServerTransport(", "SSE"),
            ("StreamableHTTPServerTransport(", "streamable HTTP"),
        ] {
            if line.contains(marker) {
                facts.transports.push(transport);
            }
        }
    }
    if file_facts.is_test {
        const CALLS: [(&str, &str); 3] = [
            ("it(", " it("),
            ("test(", " test("),
            ("describe(", " describe("),
        ];
        for (start, inner) in CALLS {
            if line.starts_with(start) || line.contains(inner) {
                if let Some(name) = first_string_literal(line) {
                    file_facts.test_names.push(name);
                }
                break;
            }
        }
    }
}

/// `const getWeather: Action = {` and its kin: an ElizaOS part declared with its type.
fn scan_typed_object(
    line: &str,
    lines: &[&str],
    index: usize,
    file: &GeneratedFile,
    facts: &mut CodeFacts,
) {
    for (marker, kind) in [
        (": Action = {", "action"),
        (": Provider = {", "provider"),
        (": Evaluator = {", "evaluator"),
        (": Plugin = {", "plugin"),
    ] {
        if !line.contains(marker) {
            continue;
        }
        let identifier = declared_identifier(line);
        let runtime_name = name_property_after(lines, index);
        if kind == "plugin" {
            facts.plugin_object = identifier.clone().map(|id| (id, runtime_name));
        } else {
            let name = runtime_name
                .clone()
                .or(identifier.clone())
                .unwrap_or_default();
            let identifier = identifier.filter(|id| Some(id) != runtime_name.as_ref());
            push_component(facts, kind, name, identifier, &file.path);
        }
    }
}

fn push_component(
    facts: &mut CodeFacts,
    kind: &'static str,
    name: String,
    identifier: Option<String>,
    file: &str,
) {
    if name.is_empty()
        || facts
            .components
            .iter()
            .any(|c| c.kind == kind && c.name == name)
    {
        return;
    }
    facts.components.push(Component {
        kind,
        name,
        identifier,
        file: file.to_owned(),
    });
}

/// `const getWeather: Action = {` -> `getWeather`.
fn declared_identifier(line: &str) -> Option<String> {
    let line = line.strip_prefix("export ").unwrap_or(line);
    let rest = ["const ", "let ", "var "]
        .iter()
        .find_map(|keyword| line.strip_prefix(keyword))?;
    let name: String = rest
        .chars()
        .take_while(|c| is_identifier_char(*c))
        .collect();
    (!name.is_empty()).then_some(name)
}

/// The first `name: '…'` within the next few lines (the object's own name property).
fn name_property_after(lines: &[&str], index: usize) -> Option<String> {
    for line in lines.iter().skip(index).take(6) {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix("name:") {
            return first_string_literal(rest);
        }
    }
    None
}

fn exported_names(rest: &str) -> Vec<String> {
    let rest = rest.strip_prefix("default ").unwrap_or(rest);
    let rest = rest.strip_prefix("async ").unwrap_or(rest);
    if let Some(list) = rest.strip_prefix('{') {
        let list = list.split('}').next().unwrap_or_default();
        return list
            .split(',')
            .filter_map(|item| {
                let item = item.trim();
                let name = item.rsplit(" as ").next().unwrap_or(item).trim();
                let name = name.strip_prefix("type ").unwrap_or(name);
                (!name.is_empty() && name.chars().all(is_identifier_char)).then(|| name.to_owned())
            })
            .collect();
    }
    for keyword in [
        "function* ",
        "function ",
        "const ",
        "let ",
        "var ",
        "class ",
        "interface ",
        "type ",
        "enum ",
        "abstract class ",
    ] {
        if let Some(after) = rest.strip_prefix(keyword) {
            let name: String = after
                .chars()
                .take_while(|c| is_identifier_char(*c))
                .collect();
            return if name.is_empty() {
                Vec::new()
            } else {
                vec![name]
            };
        }
    }
    let name: String = rest
        .chars()
        .take_while(|c| is_identifier_char(*c))
        .collect();
    if !name.is_empty() && rest[name.len()..].trim_start().starts_with(';') {
        return vec![name];
    }
    Vec::new()
}

fn python_def(line: &str) -> Option<String> {
    let rest = line
        .strip_prefix("async def ")
        .or_else(|| line.strip_prefix("def "))?;
    let name: String = rest
        .chars()
        .take_while(|c| is_identifier_char(*c))
        .collect();
    (!name.is_empty()).then_some(name)
}

fn identifier_after(line: &str, keyword: &str) -> Option<String> {
    let at = line.find(keyword)?;
    let name: String = line[at + keyword.len()..]
        .chars()
        .take_while(|c| is_identifier_char(*c))
        .collect();
    (!name.is_empty()).then_some(name)
}

/// The contents of the first '…', "…" or `…` literal in `text`.
pub fn first_string_literal(text: &str) -> Option<String> {
    let (start, quote) = text
        .char_indices()
        .find(|(_, c)| matches!(c, '\'' | '"' | '`'))?;
    let rest = &text[start + 1..];
    let end = rest.find(quote)?;
    let literal = &rest[..end];
    (!literal.is_empty() && !literal.contains("${")).then(|| literal.to_owned())
}

fn collect_settings(content: &str, settings: &mut Vec<String>) {
    // Helpers such as `readSetting(runtime, 'X')`: upper-case literals on lines about settings.
    for word in ["etting", "env"] {
        let mut from = 0;
        while let Some(found) = content[from..].find(word) {
            let at = from + found;
            let start = content[..at].rfind('\n').map_or(0, |i| i + 1);
            let end = content[at..].find('\n').map_or(content.len(), |i| at + i);
            let mut rest = &content[start..end];
            while let Some(literal) = first_string_literal(rest) {
                if literal.contains('_') && is_setting_name(&literal) {
                    settings.push(literal.clone());
                }
                let Some(at) = rest.find(literal.as_str()) else {
                    break;
                };
                rest = rest.get(at + literal.len() + 1..).unwrap_or_default();
            }
            from = end;
        }
    }
    let line = content;
    for marker in [
        "getSetting(",
        "os.getenv(",
        "os.environ.get(",
        "os.environ[",
    ] {
        let mut rest = line;
        while let Some(at) = rest.find(marker) {
            rest = &rest[at + marker.len()..];
            if let Some(name) = first_string_literal(rest.split(')').next().unwrap_or_default()) {
                if is_setting_name(&name) {
                    settings.push(name);
                }
            }
        }
    }
    let mut rest = line;
    while let Some(at) = rest.find("process.env.") {
        rest = &rest[at + "process.env.".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| is_identifier_char(*c))
            .collect();
        if is_setting_name(&name) {
            settings.push(name);
        }
    }
}

fn is_setting_name(name: &str) -> bool {
    name.len() >= 2
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn is_identifier_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

pub fn is_test_path(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    path.contains("__tests__/")
        || path.starts_with("tests/")
        || path.starts_with("test/")
        || path.contains("/tests/")
        || name.contains(".test.")
        || name.contains(".spec.")
        || (name.starts_with("test_") && name.ends_with(".py"))
}

/// The fenced-code language tag for a path.
pub fn language_of(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    if name == "dockerfile" || name.ends_with(".dockerfile") {
        return "dockerfile";
    }
    if name == ".env" || name.starts_with(".env.") {
        return "dotenv";
    }
    if name == "makefile" {
        return "makefile";
    }
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("ts" | "mts" | "cts") => "typescript",
        Some("tsx") => "tsx",
        Some("js" | "mjs" | "cjs") => "javascript",
        Some("jsx") => "jsx",
        Some("json") => "json",
        Some("md" | "mdx") => "markdown",
        Some("py") => "python",
        Some("rs") => "rust",
        Some("toml") => "toml",
        Some("yaml" | "yml") => "yaml",
        Some("sh" | "bash") => "bash",
        Some("html" | "htm") => "html",
        Some("css") => "css",
        Some("sql") => "sql",
        Some("go") => "go",
        Some("txt") => "text",
        _ => "text",
    }
}

/// What a file is for, from its path conventions.
pub fn role_of(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or(path);
    if is_test_path(path) {
        return "tests";
    }
    match name {
        "package.json" | "pyproject.toml" | "requirements.txt" | "Cargo.toml" => {
            return "package manifest and dependencies"
        }
        "tsconfig.json" | "tsup.config.ts" | "vite.config.ts" => return "build configuration",
        "README.md" => return "documentation",
        "Dockerfile" | ".dockerignore" => return "container packaging",
        _ => {}
    }
    if name.starts_with(".env") {
        return "settings template";
    }
    if name.starts_with("index.")
        || name.starts_with("main.")
        || name == "server.py"
        || name == "server.ts"
    {
        return "entry point";
    }
    for (folder, role) in [
        ("actions/", "action"),
        ("providers/", "provider"),
        ("evaluators/", "evaluator"),
        ("services/", "service"),
        ("tools/", "MCP tool"),
        ("resources/", "MCP resource"),
        ("utils/", "helpers"),
        ("lib/", "helpers"),
    ] {
        if path.contains(folder) {
            return role;
        }
    }
    if name.starts_with("types.") {
        return "shared types";
    }
    "implementation"
}
