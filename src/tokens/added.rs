//! Added tokens (`<｜User｜>`, `<think>`, `<|eot_id|>`, ...) are found in the raw text before
//! normalization and pre-tokenization, and each counts as one token, special or not, as Hugging
//! Face `tokenizers` does by default. Matching is leftmost-longest (its Aho-Corasick setting): the
//! earliest position where any added token starts wins, and the longest token among those.

use super::vocabulary::AddedToken;

/// One part of a text: plain text for the BPE, or an added token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section<'a> {
    Text(&'a str),
    Added(u32),
}

#[derive(Default, Clone)]
struct Node {
    /// Sorted by byte.
    children: Vec<(u8, u32)>,
    /// Index into `tokens` when a token ends here.
    token: Option<u32>,
}

/// A byte trie over the added tokens' contents.
#[derive(Clone)]
pub struct AddedTokens {
    nodes: Vec<Node>,
    tokens: Vec<AddedToken>,
    /// Bytes that start some token: everything else is skipped at once.
    starts: [bool; 256],
}

impl AddedTokens {
    /// A trie over `tokens`; empty ones (which could never match) are left out.
    pub fn new(mut tokens: Vec<AddedToken>) -> Self {
        tokens.retain(|token| !token.content.is_empty());
        let mut nodes = vec![Node::default()];
        let mut starts = [false; 256];
        for (index, token) in tokens.iter().enumerate() {
            let bytes = token.content.as_bytes();
            starts[bytes[0] as usize] = true;
            let mut at = 0usize;
            for &b in bytes {
                at = match nodes[at].children.binary_search_by_key(&b, |&(k, _)| k) {
                    Ok(i) => nodes[at].children[i].1 as usize,
                    Err(i) => {
                        nodes.push(Node::default());
                        let new = (nodes.len() - 1) as u32;
                        nodes[at].children.insert(i, (b, new));
                        new as usize
                    }
                };
            }
            // A later duplicate replaces an earlier one, as in a map from content to token.
            nodes[at].token = Some(index as u32);
        }
        AddedTokens {
            nodes,
            tokens,
            starts,
        }
    }

    pub fn tokens(&self) -> &[AddedToken] {
        &self.tokens
    }

    /// The longest token starting at `pos`: (its index, end of the match).
    #[inline]
    fn longest_at(&self, bytes: &[u8], pos: usize) -> Option<(u32, usize)> {
        let mut at = 0usize;
        let mut found = None;
        for (offset, &b) in bytes[pos..].iter().enumerate() {
            let children = &self.nodes[at].children;
            match children.binary_search_by_key(&b, |&(k, _)| k) {
                Ok(i) => at = children[i].1 as usize,
                Err(_) => break,
            }
            if let Some(token) = self.nodes[at].token {
                found = Some((token, pos + offset + 1));
            }
        }
        found
    }

    /// Splits `text` into plain text and added tokens, in order. Empty text sections are left out.
    pub fn split<'a>(&self, text: &'a str, mut emit: impl FnMut(Section<'a>)) {
        if self.tokens.is_empty() {
            if !text.is_empty() {
                emit(Section::Text(text));
            }
            return;
        }
        let bytes = text.as_bytes();
        let mut text_start = 0;
        let mut pos = 0;
        while pos < bytes.len() {
            if !self.starts[bytes[pos] as usize] {
                pos += 1;
                continue;
            }
            let Some((index, mut end)) = self.longest_at(bytes, pos) else {
                pos += 1;
                continue;
            };
            // A token starts with a whole character, so `pos` and `end` are character boundaries.
            let token = &self.tokens[index as usize];
            let mut before = &text[text_start..pos];
            if token.lstrip {
                before = before.trim_end();
            }
            if !before.is_empty() {
                emit(Section::Text(before));
            }
            emit(Section::Added(token.id));
            if token.rstrip {
                end = text.len() - text[end..].trim_start().len();
            }
            pos = end;
            text_start = end;
        }
        if text_start < bytes.len() {
            emit(Section::Text(&text[text_start..]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(id: u32, content: &str) -> AddedToken {
        AddedToken {
            id,
            content: content.to_owned(),
            special: true,
            lstrip: false,
            rstrip: false,
        }
    }

    fn sections(tokens: &AddedTokens, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        tokens.split(text, |section| {
            out.push(match section {
                Section::Text(t) => format!("[{t}]"),
                Section::Added(id) => format!("#{id}"),
            })
        });
        out
    }

    #[test]
    fn leftmost_longest() {
        let tokens = AddedTokens::new(vec![
            token(1, "<think>"),
            token(2, "</think>"),
            token(3, "<|a|>"),
            token(4, "<|a|>b"),
            token(5, "<\u{FF5C}User\u{FF5C}>"),
        ]);
        assert_eq!(
            sections(&tokens, "x<think>y</think>"),
            ["[x]", "#1", "[y]", "#2"]
        );
        assert_eq!(sections(&tokens, "<|a|>bc"), ["#4", "[c]"]);
        assert_eq!(sections(&tokens, "<|a|>"), ["#3"]);
        assert_eq!(sections(&tokens, "<thin"), ["[<thin]"]);
        assert_eq!(sections(&tokens, "<<think>>"), ["[<]", "#1", "[>]"]);
        assert_eq!(
            sections(&tokens, "<\u{FF5C}User\u{FF5C}>hi"),
            ["#5", "[hi]"]
        );
        assert_eq!(sections(&tokens, ""), Vec::<String>::new());
        assert_eq!(sections(&tokens, "plain"), ["[plain]"]);
    }

    #[test]
    fn strip_flags_take_the_whitespace() {
        let mut t = token(7, "<mask>");
        t.lstrip = true;
        t.rstrip = true;
        let tokens = AddedTokens::new(vec![t]);
        assert_eq!(sections(&tokens, "a  <mask>  b"), ["[a]", "#7", "[b]"]);
        assert_eq!(sections(&tokens, "  <mask>"), ["#7"]);
    }
}
