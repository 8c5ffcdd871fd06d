//! Scoring one answer against its reference answer from the test split.
//!
//! An answer (as rendered in `dataset/render.rs`) names each file as "`path`" on its own line,
//! then a fenced block with a language tag. The components, each in 0..=1:
//!
//! - `files`: F1 of the set of paths named against the reference's;
//! - `parses`: the share of the answer's code blocks that a real parser accepts in the language
//!   the reference gives that path (or the block's own tag for a path the reference lacks). JSON
//!   is parsed with serde_json; TypeScript and JavaScript through the host's parser port. A block
//!   whose language has no parser available is left out of the share (and counted as
//!   `unchecked`); with nothing checkable the component is absent from the mean.
//! - `tokens`: F1 over the multiset of code tokens (identifiers, numbers, strings, operators) of
//!   all blocks, answer against reference;
//! - `think` (large profile only): 1 when a `<think>` block is present and closed by `</think>`
//!   before the answer. The chat API may have opened `<think>` itself, so a closing tag with no
//!   opening one counts as present and closed.
//!
//! The score is the mean of the components present.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::host::SyntaxOutcome;

/// One file of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerFile {
    pub path: String,
    pub language: String,
    pub code: String,
}

/// How one answer scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct AnswerScore {
    pub files: f64,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub parses: Option<f64>,
    pub tokens: f64,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | null"))]
    pub think: Option<f64>,
    pub score: f64,
    /// Code blocks a parser accepted, rejected, or could not check.
    pub blocks_parsed: u32,
    pub blocks_failed: u32,
    pub blocks_unchecked: u32,
    /// The first parse error, for the report.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string | null"))]
    pub first_parse_error: Option<String>,
}

/// The part of a model's reply after its reasoning, without the end-of-sentence token.
pub fn answer_part(reply: &str) -> &str {
    let after = reply
        .rsplit_once("</think>")
        .map_or(reply, |(_, rest)| rest);
    after
        .trim_end()
        .trim_end_matches("<｜end▁of▁sentence｜>")
        .trim()
}

/// Whether the reply has a closed think block: `(present, closed)`.
pub fn think_block(reply: &str) -> (bool, bool) {
    let open = reply.find("<think>");
    let close = reply.find("</think>");
    match (open, close) {
        (Some(o), Some(c)) => (true, c > o),
        (None, Some(_)) => (true, true),
        (Some(_), None) => (true, false),
        (None, None) => (false, false),
    }
}

/// The files of an answer: each "`path`" line followed by a fenced block.
pub fn answer_files(answer: &str) -> Vec<AnswerFile> {
    let lines: Vec<&str> = answer.lines().collect();
    let mut files = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        let path = line
            .strip_prefix('`')
            .and_then(|rest| rest.strip_suffix('`'))
            .filter(|p| !p.is_empty() && !p.contains('`'));
        let opener = lines.get(i + 1).map(|l| l.trim_start());
        let (Some(path), Some(opener)) = (path, opener) else {
            i += 1;
            continue;
        };
        let ticks = opener.chars().take_while(|c| *c == '`').count();
        if ticks < 3 {
            i += 1;
            continue;
        }
        let fence = &opener[..ticks];
        let language = opener[ticks..].trim().to_ascii_lowercase();
        let mut code = Vec::new();
        let mut j = i + 2;
        let mut closed = false;
        while j < lines.len() {
            let candidate = lines[j].trim_end();
            if candidate.trim_start() == fence {
                closed = true;
                break;
            }
            code.push(lines[j]);
            j += 1;
        }
        files.push(AnswerFile {
            path: path.to_owned(),
            language,
            code: code.join("\n"),
        });
        i = if closed { j + 1 } else { j };
    }
    files
}

/// Code tokens: identifiers and numbers as words, string literals whole, every other visible
/// character alone.
pub fn code_tokens(code: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80 {
            let start = i;
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric()
                    || bytes[i] == b'_'
                    || bytes[i] == b'$'
                    || bytes[i] >= 0x80)
            {
                i += 1;
            }
            out.push(&code[start..i]);
        } else if c == b'"' || c == b'\'' || c == b'`' {
            let start = i;
            i += 1;
            while i < bytes.len() && bytes[i] != c && bytes[i] != b'\n' {
                if bytes[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i = (i + 1).min(bytes.len());
            out.push(&code[start..i]);
        } else {
            out.push(&code[i..i + 1]);
            i += 1;
        }
    }
    out
}

/// F1 of two multisets.
pub fn multiset_f1<T: Ord>(got: &[T], want: &[T]) -> f64 {
    if got.is_empty() && want.is_empty() {
        return 1.0;
    }
    if got.is_empty() || want.is_empty() {
        return 0.0;
    }
    let mut counts: BTreeMap<&T, (u64, u64)> = BTreeMap::new();
    for t in got {
        counts.entry(t).or_default().0 += 1;
    }
    for t in want {
        counts.entry(t).or_default().1 += 1;
    }
    let common: u64 = counts.values().map(|(a, b)| (*a).min(*b)).sum();
    if common == 0 {
        return 0.0;
    }
    let precision = common as f64 / got.len() as f64;
    let recall = common as f64 / want.len() as f64;
    2.0 * precision * recall / (precision + recall)
}

/// Checks `code` in `language`: JSON here, the rest through `external` (the host's parser).
pub fn check_syntax(
    language: &str,
    code: &str,
    external: &dyn Fn(&str, &str) -> Option<SyntaxOutcome>,
) -> Option<SyntaxOutcome> {
    match language {
        "json" => Some(match serde_json::from_str::<serde::de::IgnoredAny>(code) {
            Ok(_) => SyntaxOutcome::Parses,
            Err(error) => SyntaxOutcome::Fails(error.to_string()),
        }),
        "typescript" | "ts" | "tsx" | "javascript" | "js" | "jsx" => {
            let canonical = match language {
                "ts" => "typescript",
                "js" => "javascript",
                other => other,
            };
            external(canonical, code)
        }
        _ => None,
    }
}

/// Scores `reply` against `reference` (a completion from the test split).
pub fn score_answer(
    reply: &str,
    reference: &str,
    with_think: bool,
    external: &dyn Fn(&str, &str) -> Option<SyntaxOutcome>,
) -> AnswerScore {
    let got = answer_files(answer_part(reply));
    let want = answer_files(answer_part(reference));
    let got_paths: BTreeSet<&str> = got.iter().map(|f| f.path.as_str()).collect();
    let want_paths: BTreeSet<&str> = want.iter().map(|f| f.path.as_str()).collect();
    let files = multiset_f1(
        &got_paths.iter().collect::<Vec<_>>(),
        &want_paths.iter().collect::<Vec<_>>(),
    );
    let (mut parsed, mut failed, mut unchecked) = (0u32, 0u32, 0u32);
    let mut first_parse_error = None;
    for file in &got {
        let language = want
            .iter()
            .find(|w| w.path == file.path)
            .map_or(file.language.as_str(), |w| w.language.as_str());
        match check_syntax(language, &file.code, external) {
            Some(SyntaxOutcome::Parses) => parsed += 1,
            Some(SyntaxOutcome::Fails(error)) => {
                failed += 1;
                first_parse_error.get_or_insert(format!("{}: {error}", file.path));
            }
            None => unchecked += 1,
        }
    }
    let parses = (parsed + failed > 0).then(|| f64::from(parsed) / f64::from(parsed + failed));
    let got_tokens: Vec<&str> = got.iter().flat_map(|f| code_tokens(&f.code)).collect();
    let want_tokens: Vec<&str> = want.iter().flat_map(|f| code_tokens(&f.code)).collect();
    let tokens = multiset_f1(&got_tokens, &want_tokens);
    let think = with_think.then(|| {
        let (present, closed) = think_block(reply);
        if present && closed {
            1.0
        } else {
            0.0
        }
    });
    let parts: Vec<f64> = [Some(files), parses, Some(tokens), think]
        .into_iter()
        .flatten()
        .collect();
    let score = parts.iter().sum::<f64>() / parts.len() as f64;
    AnswerScore {
        files,
        parses,
        tokens,
        think,
        score,
        blocks_parsed: parsed,
        blocks_failed: failed,
        blocks_unchecked: unchecked,
        first_parse_error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REFERENCE: &str = "<think>\nplan\n</think>\n\nHere is the plugin, in 2 files.\n\n`src/index.ts`\n```typescript\nexport const a: number = 1;\n```\n\n`package.json`\n```json\n{\"name\": \"p\"}\n```<｜end▁of▁sentence｜>";

    /// A stand-in for the host's parser in unit tests: rejects code with unbalanced braces or
    /// a dangling `= ;`. The product's parser is esbuild, tested from the shim.
    fn fake_ts(_language: &str, code: &str) -> Option<SyntaxOutcome> {
        let opens = code.matches('{').count();
        let closes = code.matches('}').count();
        if opens != closes || code.contains("= ;") {
            Some(SyntaxOutcome::Fails("unexpected token".into()))
        } else {
            Some(SyntaxOutcome::Parses)
        }
    }

    #[test]
    fn a_perfect_answer_scores_one() {
        let s = score_answer(REFERENCE, REFERENCE, true, &fake_ts);
        assert_eq!(
            (s.files, s.parses, s.tokens, s.think),
            (1.0, Some(1.0), 1.0, Some(1.0))
        );
        assert_eq!(s.score, 1.0);
        assert_eq!((s.blocks_parsed, s.blocks_failed), (2, 0));
    }

    #[test]
    fn answers_that_do_not_parse() {
        let broken = "</think>\n\n`src/index.ts`\n```typescript\nexport const a: number = ;\n```\n\n`package.json`\n```json\n{\"name\": \"p\",}\n```";
        let s = score_answer(broken, REFERENCE, true, &fake_ts);
        assert_eq!(s.files, 1.0);
        assert_eq!(s.parses, Some(0.0));
        assert_eq!(s.blocks_failed, 2);
        assert!(s.first_parse_error.unwrap().starts_with("src/index.ts"));
        assert!(s.tokens < 1.0 && s.tokens > 0.5);
        assert!(s.score < 0.9);
    }

    #[test]
    fn json_is_parsed_for_real() {
        let none = |_: &str, _: &str| None;
        assert_eq!(
            check_syntax("json", "{\"a\": [1, 2]}", &none),
            Some(SyntaxOutcome::Parses)
        );
        assert!(matches!(
            check_syntax("json", "{a: 1}", &none),
            Some(SyntaxOutcome::Fails(_))
        ));
        // Balanced braces are not enough: a real parser rejects a trailing comma.
        assert!(matches!(
            check_syntax("json", "{\"a\": 1,}", &none),
            Some(SyntaxOutcome::Fails(_))
        ));
        // Without a TypeScript parser the block is unchecked, never guessed.
        assert_eq!(check_syntax("typescript", "const", &none), None);
        assert_eq!(check_syntax("python", "x = 1", &fake_ts), None);
    }

    #[test]
    fn unchecked_blocks_leave_the_share() {
        let none = |_: &str, _: &str| None;
        let s = score_answer(REFERENCE, REFERENCE, false, &none);
        assert_eq!((s.blocks_parsed, s.blocks_unchecked), (1, 1));
        assert_eq!(s.parses, Some(1.0));
        assert_eq!(s.think, None);
    }

    #[test]
    fn files_named_and_language_from_the_reference() {
        let other = "`src/other.ts`\n```typescript\nexport const a: number = 1;\n```";
        let s = score_answer(other, REFERENCE, false, &fake_ts);
        assert_eq!(s.files, 0.0);
        // A JSON path written under a wrong tag is parsed as the reference's JSON.
        let mislabeled = "`package.json`\n```typescript\n{\"name\": \"p\"}\n```";
        let files = answer_files(mislabeled);
        assert_eq!(files[0].language, "typescript");
        let s = score_answer(mislabeled, REFERENCE, false, &|_, _| None);
        assert_eq!((s.blocks_parsed, s.blocks_unchecked), (1, 0));
        assert!((s.files - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn think_blocks() {
        assert_eq!(think_block("<think>\na\n</think>\n\nx"), (true, true));
        assert_eq!(think_block("a\n</think>\n\nx"), (true, true));
        assert_eq!(think_block("<think>\nstill thinking"), (true, false));
        assert_eq!(think_block("just an answer"), (false, false));
        let s = score_answer(
            "<think>\nnever closed `src/index.ts`",
            REFERENCE,
            true,
            &fake_ts,
        );
        assert_eq!(s.think, Some(0.0));
    }

    #[test]
    fn tokens_and_f1() {
        assert_eq!(
            code_tokens("const a_1 = \"x y\";"),
            vec!["const", "a_1", "=", "\"x y\"", ";"]
        );
        assert_eq!(multiset_f1(&["a", "b"], &["a", "b"]), 1.0);
        assert_eq!(multiset_f1(&["a"], &["b"]), 0.0);
        assert!((multiset_f1(&["a", "a", "b"], &["a", "b", "c", "d"]) - 4.0 / 7.0).abs() < 1e-12);
        let empty: [&str; 0] = [];
        assert_eq!(multiset_f1(&empty, &empty), 1.0);
        assert_eq!(code_tokens("'unterminated"), vec!["'unterminated"]);
        assert_eq!(code_tokens("é+\\"), vec!["é", "+", "\\"]);
    }
}
