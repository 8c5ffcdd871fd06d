//! Character classes of the pre-tokenizer pattern: letters (`\p{L}`), numbers (`\p{N}`), the line
//! breaks `\r` and `\n`, other whitespace (`\s`) and everything else.
//!
//! `\p{L}` and `\p{N}` come from the generated tables in `unicode_tables.rs`. `\s` is Unicode's
//! `White_Space` property, as in Oniguruma and the `regex` crate (the two regex engines of Hugging
//! Face `tokenizers`): it includes U+0085 and excludes U+FEFF. JavaScript's `\s` differs on exactly
//! those two code points, so a JS reference disagrees there and HF agrees with this module.

use super::unicode_tables::{LETTER, NUMBER};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Letter,
    Number,
    /// `\r` or `\n`.
    Newline,
    /// `\s` other than `\r` and `\n`.
    Space,
    Other,
}

/// Unicode 17 `White_Space` (unchanged since Unicode 6.3), as inclusive ranges.
const WHITE_SPACE: &[(u32, u32)] = &[
    (0x0009, 0x000D),
    (0x0020, 0x0020),
    (0x0085, 0x0085),
    (0x00A0, 0x00A0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
];

fn in_ranges(table: &[(u32, u32)], cp: u32) -> bool {
    // The last range starting at or before `cp`.
    let index = table.partition_point(|&(start, _)| start <= cp);
    index > 0 && cp <= table[index - 1].1
}

const fn latin1_table() -> [Class; 256] {
    let mut table = [Class::Other; 256];
    let mut cp = 0;
    while cp < 256 {
        table[cp] = slow_class(cp as u32);
        cp += 1;
    }
    table
}

const fn const_in_ranges(table: &[(u32, u32)], cp: u32) -> bool {
    let mut i = 0;
    while i < table.len() {
        if table[i].0 <= cp && cp <= table[i].1 {
            return true;
        }
        i += 1;
    }
    false
}

const fn slow_class(cp: u32) -> Class {
    if cp == 0x0A || cp == 0x0D {
        Class::Newline
    } else if const_in_ranges(WHITE_SPACE, cp) {
        Class::Space
    } else if const_in_ranges(LETTER, cp) {
        Class::Letter
    } else if const_in_ranges(NUMBER, cp) {
        Class::Number
    } else {
        Class::Other
    }
}

/// Classes of U+0000..U+00FF, computed at compile time.
static LATIN1: [Class; 256] = latin1_table();

#[inline]
pub(crate) fn class_of(cp: u32) -> Class {
    if cp < 256 {
        return LATIN1[cp as usize];
    }
    if in_ranges(WHITE_SPACE, cp) {
        Class::Space
    } else if in_ranges(LETTER, cp) {
        Class::Letter
    } else if in_ranges(NUMBER, cp) {
        Class::Number
    } else {
        Class::Other
    }
}

/// The class of the ASCII byte `b` (< 0x80).
#[inline]
pub(crate) fn ascii_class(b: u8) -> Class {
    LATIN1[b as usize]
}

/// Decodes the character that starts at `pos` of valid UTF-8: (code point, length in bytes).
#[inline]
pub(crate) fn decode(bytes: &[u8], pos: usize) -> (u32, usize) {
    let b0 = bytes[pos] as u32;
    if b0 < 0x80 {
        (b0, 1)
    } else if b0 < 0xE0 {
        (((b0 & 0x1F) << 6) | (bytes[pos + 1] as u32 & 0x3F), 2)
    } else if b0 < 0xF0 {
        (
            ((b0 & 0x0F) << 12)
                | ((bytes[pos + 1] as u32 & 0x3F) << 6)
                | (bytes[pos + 2] as u32 & 0x3F),
            3,
        )
    } else {
        (
            ((b0 & 0x07) << 18)
                | ((bytes[pos + 1] as u32 & 0x3F) << 12)
                | ((bytes[pos + 2] as u32 & 0x3F) << 6)
                | (bytes[pos + 3] as u32 & 0x3F),
            4,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(c: char) -> Class {
        class_of(c as u32)
    }

    #[test]
    fn ascii_and_latin1() {
        assert_eq!(class('a'), Class::Letter);
        assert_eq!(class('Z'), Class::Letter);
        assert_eq!(class('7'), Class::Number);
        assert_eq!(class('\n'), Class::Newline);
        assert_eq!(class('\r'), Class::Newline);
        assert_eq!(class('\t'), Class::Space);
        assert_eq!(class('\u{0B}'), Class::Space);
        assert_eq!(class(' '), Class::Space);
        assert_eq!(class('_'), Class::Other);
        assert_eq!(class('\''), Class::Other);
        assert_eq!(class('\u{85}'), Class::Space);
        assert_eq!(class('\u{A0}'), Class::Space);
        assert_eq!(class('ª'), Class::Letter);
        assert_eq!(class('²'), Class::Number);
        assert_eq!(class('½'), Class::Number);
        assert_eq!(class('×'), Class::Other);
        assert_eq!(class('é'), Class::Letter);
    }

    #[test]
    fn beyond_latin1() {
        assert_eq!(class('中'), Class::Letter);
        assert_eq!(class('ー'), Class::Letter); // Lm
        assert_eq!(class('٣'), Class::Number);
        assert_eq!(class('Ⅻ'), Class::Number); // Nl
        assert_eq!(class('\u{301}'), Class::Other); // combining acute accent: Mn
        assert_eq!(class('😀'), Class::Other);
        assert_eq!(class('\u{3000}'), Class::Space);
        assert_eq!(class('\u{2028}'), Class::Space);
        assert_eq!(class('\u{FEFF}'), Class::Other);
        assert_eq!(class('\u{200B}'), Class::Other);
        assert_eq!(class('𝔸'), Class::Letter);
        assert_eq!(class('\u{FF5C}'), Class::Other); // the DeepSeek special tokens' bar
        assert_eq!(class('\u{2581}'), Class::Other);
    }

    #[test]
    fn decode_matches_std() {
        let text = "a\u{E9}\u{4E2D}\u{1F600}z";
        let mut pos = 0;
        for c in text.chars() {
            let (cp, len) = decode(text.as_bytes(), pos);
            assert_eq!((cp, len), (c as u32, c.len_utf8()));
            pos += len;
        }
    }
}
