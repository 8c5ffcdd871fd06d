//! Unicode Normalization Form C, for the Qwen vocabulary's `NFC` normalizer: canonical
//! decomposition, canonical ordering of marks, then canonical composition (Unicode Standard
//! Annex #15), over the generated tables in `unicode_tables.rs`.
//!
//! Written here instead of taken from `unicode-normalization` for size: that crate links its
//! compatibility tables too and added 126 KB to the optimized wasm; these tables hold only what
//! NFC needs. `tests/tokens.rs` compares the result with that crate's (Unicode 18) on every code
//! point and on combinations of marks, leaving out the few marks assigned after Unicode 17.

use std::borrow::Cow;

use super::unicode_tables::{COMBINING_ORDER, COMPOSITIONS, NFC_MAYBE, NFD, NFD_CODE_POINTS};

const S_BASE: u32 = 0xAC00;
const L_BASE: u32 = 0x1100;
const V_BASE: u32 = 0x1161;
const T_BASE: u32 = 0x11A7;
const L_COUNT: u32 = 19;
const V_COUNT: u32 = 21;
const T_COUNT: u32 = 28;
const N_COUNT: u32 = V_COUNT * T_COUNT;
const S_COUNT: u32 = L_COUNT * N_COUNT;

fn in_ranges(table: &[(u32, u32)], cp: u32) -> bool {
    let index = table.partition_point(|&(start, _)| start <= cp);
    index > 0 && cp <= table[index - 1].1
}

/// The order of `cp`'s canonical combining class: 0 for starters, higher for classes that sort
/// later.
fn combining_order(cp: u32) -> u8 {
    if cp < 0x300 {
        return 0;
    }
    let index = COMBINING_ORDER.partition_point(|&(start, _, _)| start <= cp);
    match index.checked_sub(1).map(|i| COMBINING_ORDER[i]) {
        Some((_, end, order)) if cp <= end => order,
        _ => 0,
    }
}

/// Appends `cp`'s full canonical decomposition to `out`, each code point with its order.
fn decompose(cp: u32, out: &mut Vec<(u32, u8)>) {
    if (S_BASE..S_BASE + S_COUNT).contains(&cp) {
        let index = cp - S_BASE;
        out.push((L_BASE + index / N_COUNT, 0));
        out.push((V_BASE + (index % N_COUNT) / T_COUNT, 0));
        if !index.is_multiple_of(T_COUNT) {
            out.push((T_BASE + index % T_COUNT, 0));
        }
        return;
    }
    if cp >= 0xC0 {
        if let Ok(i) = NFD.binary_search_by_key(&cp, |&(key, _)| key) {
            let packed = NFD[i].1;
            let (at, len) = ((packed >> 8) as usize, (packed & 0xFF) as usize);
            for &part in &NFD_CODE_POINTS[at..at + len] {
                push_ordered(out, part);
            }
            return;
        }
    }
    push_ordered(out, cp);
}

/// Appends `cp`, moving a mark back past marks of a later class (canonical ordering).
fn push_ordered(out: &mut Vec<(u32, u8)>, cp: u32) {
    let order = combining_order(cp);
    let mut at = out.len();
    if order != 0 {
        while at > 0 && out[at - 1].1 > order {
            at -= 1;
        }
    }
    out.insert(at, (cp, order));
}

fn compose_pair(first: u32, second: u32) -> Option<u32> {
    if (L_BASE..L_BASE + L_COUNT).contains(&first) && (V_BASE..V_BASE + V_COUNT).contains(&second) {
        let l = first - L_BASE;
        let v = second - V_BASE;
        return Some(S_BASE + (l * V_COUNT + v) * T_COUNT);
    }
    if (S_BASE..S_BASE + S_COUNT).contains(&first)
        && (first - S_BASE).is_multiple_of(T_COUNT)
        && (T_BASE + 1..T_BASE + T_COUNT).contains(&second)
    {
        return Some(first + (second - T_BASE));
    }
    COMPOSITIONS
        .binary_search_by(|&(a, b, _)| (a, b).cmp(&(first, second)))
        .ok()
        .map(|i| COMPOSITIONS[i].2)
}

/// Whether `text` certainly is in NFC already: no code point of it can change under NFC.
fn is_nfc_quick(text: &str) -> bool {
    text.chars()
        .all(|c| (c as u32) < 0x300 || !in_ranges(NFC_MAYBE, c as u32))
}

/// `text` in NFC; borrowed when it already is.
pub fn nfc(text: &str) -> Cow<'_, str> {
    if text.is_ascii() || is_nfc_quick(text) {
        return Cow::Borrowed(text);
    }
    let mut decomposed = Vec::with_capacity(text.len());
    for c in text.chars() {
        decompose(c as u32, &mut decomposed);
    }
    // Canonical composition: each code point joins the last starter unless something between them
    // blocks it (a starter, or a mark of the same or a later class).
    let mut out: Vec<u32> = Vec::with_capacity(decomposed.len());
    let mut starter: Option<usize> = None;
    let mut last_order = 0u8;
    for (cp, order) in decomposed {
        if let Some(at) = starter {
            let adjacent = at + 1 == out.len();
            if adjacent || (last_order != 0 && last_order < order) {
                if let Some(composite) = compose_pair(out[at], cp) {
                    out[at] = composite;
                    continue;
                }
            }
        }
        if order == 0 {
            starter = Some(out.len());
        }
        last_order = order;
        out.push(cp);
    }
    Cow::Owned(out.into_iter().filter_map(char::from_u32).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composes_decomposes_and_reorders() {
        assert_eq!(nfc("e\u{301}"), "\u{E9}");
        assert_eq!(nfc("\u{E9}"), "\u{E9}");
        // Marks below (220) sort before marks above (230), then both compose where they can.
        assert_eq!(nfc("s\u{307}\u{323}"), "\u{1E69}");
        assert_eq!(nfc("q\u{307}\u{323}"), "q\u{323}\u{307}");
        // Singletons and exclusions decompose and stay decomposed.
        assert_eq!(nfc("\u{212B}"), "\u{C5}");
        assert_eq!(nfc("\u{2126}"), "\u{3A9}");
        assert_eq!(nfc("\u{344}"), "\u{308}\u{301}");
        // Hangul: jamo compose, syllables stay.
        assert_eq!(nfc("\u{1100}\u{1161}\u{11A8}"), "\u{AC01}");
        assert_eq!(nfc("\u{AC00}\u{11A8}"), "\u{AC01}");
        assert_eq!(nfc("\u{AC01}"), "\u{AC01}");
        // A blocked mark does not compose: the second acute sits after another of its class.
        assert_eq!(nfc("a\u{301}\u{301}"), "\u{E1}\u{301}");
        // A starter between blocks composition.
        assert_eq!(nfc("a b\u{301}"), "a b\u{301}");
        assert_eq!(nfc("abc 中文 😀"), "abc 中文 😀");
        assert!(matches!(nfc("éà中文"), Cow::Borrowed(_)));
    }
}
