//! The pre-tokenizer of Qwen2 and Llama 3, written out by hand instead of run by a regex engine.
//!
//! Both vocabularies split text with the GPT-4-style pattern
//!
//! ```text
//! (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//! ```
//!
//! (Llama 3 has `\p{N}{1,3}` where Qwen2 has `\p{N}`), with leftmost-first alternation and
//! backtracking as in Oniguruma, `fancy-regex` and JavaScript. At each position the first
//! alternative that matches wins; worked out, that is:
//!
//! 1. `'` and a contraction (`s t re ve m ll d`, any case; `ſ` folds to `s`);
//! 2. an optional character that is not a letter, number, `\r` or `\n`, then letters;
//! 3. one number (Qwen2) or up to three (Llama 3);
//! 4. an optional space (U+0020 only), then characters that are neither whitespace, letters nor
//!    numbers, then any `\r`/`\n`;
//! 5. whitespace that holds a line break: up to and including its last `\r`/`\n`;
//! 6. whitespace running to the end of the text; else all of it but its last character, which
//!    then starts the next piece (so `"   x"` gives `"  "` and `" x"`);
//! 7. a single whitespace character.

use super::chars::{ascii_class, class_of, decode, Class};

/// How many digits the pattern keeps together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Digits {
    /// `\p{N}`: Qwen2.
    One,
    /// `\p{N}{1,3}`: Llama 3.
    UpToThree,
}

/// The class of the character at `pos` and its length in bytes.
#[inline]
fn class_at(bytes: &[u8], pos: usize) -> (Class, usize) {
    let b = bytes[pos];
    if b < 0x80 {
        (ascii_class(b), 1)
    } else {
        let (cp, len) = decode(bytes, pos);
        (class_of(cp), len)
    }
}

/// The end of the run of characters of `class` that starts at `pos`.
#[inline]
fn run_of(bytes: &[u8], mut pos: usize, class: Class) -> usize {
    while pos < bytes.len() {
        let (c, len) = class_at(bytes, pos);
        if c != class {
            break;
        }
        pos += len;
    }
    pos
}

/// The end of the run of `\r`/`\n` bytes that starts at `pos`.
#[inline]
fn newlines(bytes: &[u8], mut pos: usize) -> usize {
    while pos < bytes.len() && (bytes[pos] == b'\n' || bytes[pos] == b'\r') {
        pos += 1;
    }
    pos
}

/// Alternative 1: the length of a contraction after an apostrophe at `pos - 1`, if there is one.
#[inline]
fn contraction(bytes: &[u8], pos: usize) -> Option<usize> {
    let lower = |i: usize| bytes.get(i).map(|b| b.to_ascii_lowercase());
    match lower(pos)? {
        b's' | b't' | b'm' | b'd' => Some(1),
        b'r' | b'v' if lower(pos + 1) == Some(b'e') => Some(2),
        b'l' if lower(pos + 1) == Some(b'l') => Some(2),
        // U+017F LATIN SMALL LETTER LONG S case-folds to `s`.
        0xC5 if bytes.get(pos + 1) == Some(&0xBF) => Some(2),
        _ => None,
    }
}

/// Alternatives 5 to 7, for whitespace starting at `pos`.
#[inline]
fn whitespace(bytes: &[u8], start: usize) -> usize {
    let mut pos = start;
    let mut after_last_newline = None;
    let mut last_char = start;
    let mut chars = 0usize;
    while pos < bytes.len() {
        let (c, len) = class_at(bytes, pos);
        match c {
            Class::Newline => after_last_newline = Some(pos + len),
            Class::Space => {}
            _ => break,
        }
        last_char = pos;
        chars += 1;
        pos += len;
    }
    if let Some(end) = after_last_newline {
        end
    } else if pos == bytes.len() || chars == 1 {
        pos
    } else {
        last_char
    }
}

/// Splits `text` into pre-tokens, calling `emit` with each one's bytes, in order. The pieces
/// cover the text exactly.
pub fn split(text: &str, digits: Digits, mut emit: impl FnMut(&[u8])) {
    let bytes = text.as_bytes();
    let mut pos = 0;
    while pos < bytes.len() {
        let (class, len) = class_at(bytes, pos);
        let next = pos + len;
        let end = match class {
            Class::Letter => run_of(bytes, next, Class::Letter),
            Class::Number => match digits {
                Digits::One => next,
                Digits::UpToThree => {
                    let mut end = next;
                    for _ in 0..2 {
                        if end < bytes.len() && class_at(bytes, end).0 == Class::Number {
                            end += class_at(bytes, end).1;
                        }
                    }
                    end
                }
            },
            Class::Newline => whitespace(bytes, pos),
            Class::Space | Class::Other => {
                let contracted = if bytes[pos] == b'\'' {
                    contraction(bytes, next)
                } else {
                    None
                };
                if let Some(extra) = contracted {
                    next + extra
                } else if next < bytes.len() && class_at(bytes, next).0 == Class::Letter {
                    run_of(bytes, next, Class::Letter)
                } else if class == Class::Other
                    || (bytes[pos] == b' '
                        && next < bytes.len()
                        && class_at(bytes, next).0 == Class::Other)
                {
                    newlines(bytes, run_of(bytes, next, Class::Other))
                } else {
                    whitespace(bytes, pos)
                }
            }
        };
        emit(&bytes[pos..end]);
        pos = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str, digits: Digits) -> Vec<&str> {
        let mut out = Vec::new();
        let mut pos = 0;
        split(text, digits, |piece| {
            out.push(&text[pos..pos + piece.len()]);
            pos += piece.len();
        });
        out
    }

    fn qwen(text: &str) -> Vec<&str> {
        pieces(text, Digits::One)
    }

    #[test]
    fn words_spaces_and_punctuation() {
        assert_eq!(qwen("Hello world"), ["Hello", " world"]);
        assert_eq!(qwen("  foo"), [" ", " foo"]);
        assert_eq!(qwen("a   b"), ["a", "  ", " b"]);
        assert_eq!(qwen("foo(bar);"), ["foo", "(bar", ");"]);
        assert_eq!(qwen("x = 1;"), ["x", " =", " ", "1", ";"]);
        assert_eq!(qwen("a.b"), ["a", ".b"]);
        assert_eq!(qwen(" ;;\n\nx"), [" ;;\n\n", "x"]);
    }

    #[test]
    fn contractions() {
        assert_eq!(qwen("it's"), ["it", "'s"]);
        assert_eq!(qwen("WE'RE"), ["WE", "'RE"]);
        assert_eq!(qwen("you'll'd"), ["you", "'ll", "'d"]);
        assert_eq!(qwen("'sfoo"), ["'s", "foo"]);
        assert_eq!(qwen("'x"), ["'x"]);
        assert_eq!(qwen("'\u{17F}t"), ["'\u{17F}", "t"]);
        assert_eq!(qwen("' s"), ["'", " s"]);
    }

    #[test]
    fn numbers() {
        assert_eq!(qwen("12345"), ["1", "2", "3", "4", "5"]);
        assert_eq!(
            pieces("12345 x1 7", Digits::UpToThree),
            ["123", "45", " x", "1", " ", "7"]
        );
        assert_eq!(qwen("v2"), ["v", "2"]);
        assert_eq!(pieces("Ⅻ٣", Digits::UpToThree), ["Ⅻ٣"]);
    }

    #[test]
    fn whitespace_and_newlines() {
        assert_eq!(qwen("a\n  b"), ["a", "\n", " ", " b"]);
        assert_eq!(qwen("a \n\n  \n b"), ["a", " \n\n  \n", " b"]);
        assert_eq!(qwen("a  "), ["a", "  "]);
        assert_eq!(qwen("a\t b"), ["a", "\t", " b"]);
        assert_eq!(qwen("\tb"), ["\tb"]);
        assert_eq!(qwen("\r\nx"), ["\r\n", "x"]);
        assert_eq!(qwen(" 1"), [" ", "1"]);
        assert_eq!(qwen("\t;"), ["\t", ";"]);
        assert_eq!(qwen("  ;"), [" ", " ;"]);
        assert_eq!(qwen("\n\u{3000}x"), ["\n", "\u{3000}x"]);
        assert_eq!(qwen("\u{A0}\u{A0}!"), ["\u{A0}", "\u{A0}", "!"]);
    }

    #[test]
    fn unicode() {
        assert_eq!(qwen("你好，世界"), ["你好", "，世界"]);
        assert_eq!(qwen("e\u{301}t\u{E9}"), ["e", "\u{301}t\u{E9}"]);
        assert_eq!(qwen("a😀😀 b"), ["a", "😀😀", " b"]);
        assert_eq!(qwen(" 😀\n"), [" 😀\n"]);
    }

    #[test]
    fn pieces_cover_the_text() {
        let text =
            "fn main() {\n    println!(\"{}\", 42_000);\r\n}\n\n\t// ünïcödé 中文 😀\u{85}\u{FEFF}";
        assert_eq!(qwen(text).concat(), text);
        assert_eq!(pieces(text, Digits::UpToThree).concat(), text);
    }
}
