//! Where a detector may start, as byte tables, so the scan can step over
//! everything else (most of any source file) without branching on each byte.
//!
//! A position is worth a detector when it holds
//! - punctuation that triggers one anywhere ([`PUNCT_TRIGGERS`]);
//! - a digit at a word start (Telegram tokens, phone numbers), or right
//!   after `t` (a Telegram token in `…/bot<id>:…`);
//! - a word start whose first *two* bytes can begin a token: a provider
//!   prefix (`sk`, `gh`, `xo`, …), a JWT (`ey`) or a Discord bot token
//!   (`M`/`N`/`O` and a base64url byte).
//!
//! Words starting `st`, `th`, `re`, … are therefore skipped like any other
//! plain text: the detectors would reject them on their second byte.

use super::entropy::{is_word_byte, Charset};
use super::rules::PREFIX_RULES;

/// Punctuation that triggers a detector wherever it is: `=` and `:`
/// (assignments, URLs), `@` (e-mails), `-` (PEM blocks, `--flags`), `+`
/// (phone numbers) and `(` (key-taking calls, phone numbers).
pub(crate) const PUNCT_TRIGGERS: &[u8] = b"=:@-+(";
/// How a JWT starts (a base64url JSON object).
pub(crate) const JWT_START: &[u8] = b"eyJ";
/// The letters a Discord bot token starts with (base64 of a numeric id).
pub(crate) const DISCORD_FIRST: &[u8] = b"MNO";

// Mask bits: one per letter that can begin a token (assigned in
// `tables()`), then these.
const M_PUNCT: u32 = 1 << 29;
/// A digit at a word start.
const M_DIGIT: u32 = 1 << 30;
/// A digit right after `t`.
const M_DIGIT_AFTER_T: u32 = 1 << 31;
const M_LETTERS: u32 = M_PUNCT - 1;

/// A position `i` is wanted when
/// `class[bytes[i]] & second[bytes[i + 1]] & wanted_after[bytes[i - 1]] != 0`
/// (with 0 past either end of the input).
struct Tables {
    /// The letter's own bit, or `M_PUNCT`, or both digit bits.
    class: [u32; 256],
    /// The letters that may be followed by this byte, plus every
    /// non-letter bit (punctuation and digits do not look ahead).
    second: [u32; 256],
    /// What the byte before allows: letters and digits only at a word start.
    wanted_after: [u32; 256],
}

const TABLES_CONST: Tables = tables();
static TABLES: Tables = TABLES_CONST;

const fn tables() -> Tables {
    let mut t = Tables {
        class: [0; 256],
        second: [M_PUNCT | M_DIGIT | M_DIGIT_AFTER_T; 256],
        wanted_after: [M_PUNCT; 256],
    };
    // Which letters begin a token, and which second bytes each accepts.
    let mut letters = Letters {
        bit: [0; 256],
        used: 0,
    };
    let mut k = 0;
    while k < PREFIX_RULES.len() {
        let prefix = PREFIX_RULES[k].prefix.as_bytes();
        t.second[prefix[1] as usize] |= letters.bit_of(prefix[0]);
        k += 1;
    }
    t.second[JWT_START[1] as usize] |= letters.bit_of(JWT_START[0]);
    let mut discord = 0;
    k = 0;
    while k < DISCORD_FIRST.len() {
        discord |= letters.bit_of(DISCORD_FIRST[k]);
        k += 1;
    }
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if Charset::Base64Url.contains(c) {
            t.second[b] |= discord;
        }
        t.class[b] = if c.is_ascii_digit() {
            M_DIGIT | M_DIGIT_AFTER_T
        } else {
            letters.bit[b]
        };
        if !is_word_byte(c) {
            t.wanted_after[b] |= M_LETTERS | M_DIGIT;
        }
        b += 1;
    }
    t.wanted_after[b't' as usize] |= M_DIGIT_AFTER_T;
    k = 0;
    while k < PUNCT_TRIGGERS.len() {
        t.class[PUNCT_TRIGGERS[k] as usize] = M_PUNCT;
        k += 1;
    }
    t
}

/// One mask bit per letter that begins a token, handed out on first use.
struct Letters {
    bit: [u32; 256],
    used: u32,
}

impl Letters {
    const fn bit_of(&mut self, letter: u8) -> u32 {
        if self.bit[letter as usize] == 0 {
            assert!(self.used < 29, "too many first letters for the masks");
            self.bit[letter as usize] = 1 << self.used;
            self.used += 1;
        }
        self.bit[letter as usize]
    }
}

/// Whether some token can begin with letter `b` (at a word start).
pub(crate) const fn starts_token(b: u8) -> bool {
    TABLES_CONST.class[b as usize] & M_LETTERS != 0
}

/// The first position at or after `i` where some detector may start (see
/// the module documentation); `bytes.len()` when there is none. No detector
/// starts anywhere else, so the scan may jump straight there.
#[inline]
pub(crate) fn skip_plain(bytes: &[u8], i: usize) -> usize {
    let t = &TABLES;
    let Some(rest) = bytes.get(i..) else {
        return bytes.len();
    };
    let before = i.checked_sub(1).map_or(0, |k| bytes[k]);
    let mut wanted = t.wanted_after[usize::from(before)];
    let is_wanted = |b: u8, next: u8, wanted: u32| {
        t.class[usize::from(b)] & t.second[usize::from(next)] & wanted != 0
    };
    // Each byte with its successor (iterators, so no bounds checks).
    let nexts = rest.get(1..).unwrap_or_default();
    for (k, (&b, &next)) in rest.iter().zip(nexts).enumerate() {
        if is_wanted(b, next, wanted) {
            return i + k;
        }
        wanted = t.wanted_after[usize::from(b)];
    }
    // The last byte, which nothing follows.
    match rest.last() {
        Some(&b) if is_wanted(b, 0, wanted) => bytes.len() - 1,
        _ => bytes.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every position skip_plain stops at, from 0.
    fn stops(text: &str) -> Vec<usize> {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut i = skip_plain(bytes, 0);
        while i < bytes.len() {
            out.push(i);
            i = skip_plain(bytes, i + 1);
        }
        out
    }

    #[test]
    fn stops_where_detectors_start() {
        assert_eq!(stops("const x = 1;"), [8, 10]);
        assert_eq!(stops("string this return"), Vec::<usize>::new());
        assert_eq!(stops("a sk-x ghp_ eyJ Ma"), [2, 4, 7, 12, 16]);
        assert_eq!(stops("x1 t1 bot1 (a) a@b"), [4, 9, 11, 16]);
        assert_eq!(stops("ey"), [0]);
        assert_eq!(stops("e"), Vec::<usize>::new());
    }

    #[test]
    fn every_prefix_is_a_stop() {
        for rule in PREFIX_RULES {
            let text = format!(" {}abc", rule.prefix);
            assert!(stops(&text).contains(&1), "{}", rule.prefix);
            assert!(starts_token(rule.prefix.as_bytes()[0]));
        }
    }
}
