//! Byte-pair merging of one pre-token, counting the tokens it ends as.
//!
//! The rule is the reference's: start from one token per byte, then repeatedly merge the adjacent
//! pair with the lowest merge rank, the leftmost one among equals, until no adjacent pair has a
//! merge. Short pieces (nearly all of them) merge in a fixed array with a linear scan for the
//! lowest rank; long ones (CJK paragraphs and long symbol runs form single pre-tokens) use a heap
//! over a linked list, so a piece of n bytes costs O(n log n).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

/// Pieces up to this many bytes merge in fixed arrays on the stack.
pub(crate) const SMALL_PIECE: usize = 64;

/// A multiplicative hasher for the merge table and the pre-token cache: a few instructions per
/// 8 bytes. The keys come from vocabulary files and the text being counted, not from an
/// adversary who could make them collide on purpose; the worst case of a collision is speed.
#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

const SEED: u64 = 0x9E37_79B9_7F4A_7C15;

impl FastHasher {
    #[inline]
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // Fold the high bits down: hashbrown takes its bucket index from the low bits.
        self.0 ^ (self.0 >> 29)
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// No merge for this pair.
const NONE: u64 = u64::MAX;

/// The merge table of a vocabulary: token ids of single bytes, and for each mergeable pair of
/// token ids its rank and the id of the merged token.
pub(crate) struct Merges {
    pub byte_ids: [u32; 256],
    /// `(left << 32) | right` -> `(rank << 32) | merged`.
    pub pairs: FastMap<u64, u64>,
}

impl Merges {
    /// `(rank << 32) | merged` for the pair, or `NONE`; comparing two of these compares ranks.
    #[inline]
    fn lookup(&self, left: u32, right: u32) -> u64 {
        self.pairs
            .get(&(((left as u64) << 32) | right as u64))
            .copied()
            .unwrap_or(NONE)
    }

    /// The number of tokens `piece` merges into.
    pub fn count(&self, piece: &[u8]) -> usize {
        match piece.len() {
            0 | 1 => piece.len(),
            n if n <= SMALL_PIECE => self.count_small(piece),
            _ => self.count_large(piece),
        }
    }

    pub(crate) fn count_small(&self, piece: &[u8]) -> usize {
        let mut ids = [0u32; SMALL_PIECE];
        // ranks[i]: the merge of ids[i] and ids[i + 1].
        let mut ranks = [NONE; SMALL_PIECE];
        let mut n = piece.len();
        for (i, &b) in piece.iter().enumerate() {
            ids[i] = self.byte_ids[b as usize];
        }
        for i in 0..n - 1 {
            ranks[i] = self.lookup(ids[i], ids[i + 1]);
        }
        loop {
            let mut best = NONE;
            let mut at = 0;
            for (i, &rank) in ranks[..n - 1].iter().enumerate() {
                if rank < best {
                    best = rank;
                    at = i;
                }
            }
            if best == NONE {
                return n;
            }
            ids[at] = best as u32;
            ids.copy_within(at + 2..n, at + 1);
            ranks.copy_within(at + 2..n, at + 1);
            n -= 1;
            if at > 0 {
                ranks[at - 1] = self.lookup(ids[at - 1], ids[at]);
            }
            ranks[at] = if at + 1 < n {
                self.lookup(ids[at], ids[at + 1])
            } else {
                NONE
            };
            if n == 1 {
                return 1;
            }
        }
    }

    pub(crate) fn count_large(&self, piece: &[u8]) -> usize {
        const END: u32 = u32::MAX;
        let n = piece.len();
        let mut ids: Vec<u32> = piece.iter().map(|&b| self.byte_ids[b as usize]).collect();
        let mut prev: Vec<u32> = (0..n as u32).map(|i| i.wrapping_sub(1)).collect();
        let mut next: Vec<u32> = (1..=n as u32).collect();
        next[n - 1] = END;
        prev[0] = END;
        // (rank-and-merged, position of the left token, left id, right id); stale entries are
        // recognized by ids that no longer match and skipped.
        let mut heap = BinaryHeap::with_capacity(n);
        for i in 0..n - 1 {
            let merge = self.lookup(ids[i], ids[i + 1]);
            if merge != NONE {
                heap.push(Reverse((merge, i as u32, ids[i], ids[i + 1])));
            }
        }
        let mut remaining = n;
        while let Some(Reverse((merge, at, left, right))) = heap.pop() {
            let at = at as usize;
            let after = next[at];
            if ids[at] != left || after == END || ids[after as usize] != right {
                continue;
            }
            // Merge `at` with the token after it.
            ids[at] = merge as u32;
            let after_after = next[after as usize];
            next[at] = after_after;
            if after_after != END {
                prev[after_after as usize] = at as u32;
            }
            ids[after as usize] = END;
            remaining -= 1;
            let before = prev[at];
            if before != END {
                let merge = self.lookup(ids[before as usize], ids[at]);
                if merge != NONE {
                    heap.push(Reverse((merge, before, ids[before as usize], ids[at])));
                }
            }
            if after_after != END {
                let merge = self.lookup(ids[at], ids[after_after as usize]);
                if merge != NONE {
                    heap.push(Reverse((
                        merge,
                        at as u32,
                        ids[at],
                        ids[after_after as usize],
                    )));
                }
            }
        }
        remaining
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy vocabulary: bytes are ids 0..256; merges in rank order.
    fn merges(list: &[(&[u8], &[u8])]) -> Merges {
        let mut tokens: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
        let mut pairs = FastMap::default();
        for (rank, (left, right)) in list.iter().enumerate() {
            let id = |t: &[u8], tokens: &Vec<Vec<u8>>| tokens.iter().position(|x| x == t).unwrap();
            let (l, r) = (id(left, &tokens), id(right, &tokens));
            let merged = [*left, *right].concat();
            tokens.push(merged);
            let m = tokens.len() - 1;
            pairs.insert(
                ((l as u64) << 32) | r as u64,
                ((rank as u64) << 32) | m as u64,
            );
        }
        let mut byte_ids = [0u32; 256];
        for (b, id) in byte_ids.iter_mut().enumerate() {
            *id = b as u32;
        }
        Merges { byte_ids, pairs }
    }

    #[test]
    fn lowest_rank_first_then_leftmost() {
        let m = merges(&[(b"a", b"b"), (b"b", b"c"), (b"ab", b"c"), (b"a", b"a")]);
        assert_eq!(m.count(b"abc"), 1); // ab, then abc
        assert_eq!(m.count(b"bc"), 1);
        assert_eq!(m.count(b"aaa"), 2); // aa + a, leftmost first
        assert_eq!(m.count(b"xyz"), 3);
        assert_eq!(m.count(b""), 0);
        assert_eq!(m.count(b"q"), 1);
    }

    #[test]
    fn small_and_large_agree() {
        let m = merges(&[
            (b" ", b" "),
            (b"  ", b"  "),
            (b"a", b"b"),
            (b"ab", b"ab"),
            (b"b", b"a"),
            (b"abab", b"a"),
            (b"    ", b" "),
        ]);
        let mut state = 0x2545_F491_u32;
        for len in 2..=SMALL_PIECE {
            for _ in 0..50 {
                let piece: Vec<u8> = (0..len)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 17;
                        state ^= state << 5;
                        b" ab"[(state % 3) as usize]
                    })
                    .collect();
                assert_eq!(m.count_small(&piece), m.count_large(&piece), "{piece:?}");
            }
        }
    }
}
