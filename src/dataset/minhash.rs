//! Near-duplicate detection: MinHash signatures over normalized code shingles, and LSH banding to
//! find candidate pairs without comparing every pair.
//!
//! Signatures use one-permutation hashing with rotation densification (Li et al. 2012; Shrivastava
//! 2017): one hash per shingle instead of one per shingle and permutation, so a 20 KB example costs
//! a few thousand hashes, not half a million.

use serde::{Deserialize, Serialize};

/// Defaults and why:
/// - `shingle` 5 tokens: the common choice for code (bigcode, datatrove, text-dedup);
/// - 128 bins in 32 bands of 4: a pair at Jaccard 0.5 becomes a candidate with probability 0.87,
///   at 0.8 with probability > 0.999;
/// - `threshold` 0.85, above bigcode's 0.7, because agent-written plugins share much boilerplate
///   and 0.7 would merge plugins that do different things;
/// - `group_threshold` 0.6: pairs this similar stay in one split even when both are kept, so
///   nothing close to a training example reaches validation or test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct NearDuplicateConfig {
    pub shingle: usize,
    pub bands: usize,
    pub rows: usize,
    pub threshold: f64,
    pub group_threshold: f64,
}

impl Default for NearDuplicateConfig {
    fn default() -> Self {
        NearDuplicateConfig {
            shingle: 5,
            bands: 32,
            rows: 4,
            threshold: 0.85,
            group_threshold: 0.6,
        }
    }
}

impl NearDuplicateConfig {
    pub fn bins(&self) -> usize {
        self.bands * self.rows
    }

    pub fn check(&self) -> Result<(), String> {
        if self.shingle == 0 || self.bands == 0 || self.rows == 0 || self.bins() > 1024 {
            return Err("nearDuplicates: shingle, bands and rows must be at least 1, with bands × rows at most 1024".into());
        }
        let in_range = |t: f64| (0.0..=1.0).contains(&t);
        if !in_range(self.threshold)
            || !in_range(self.group_threshold)
            || self.group_threshold > self.threshold
        {
            return Err("nearDuplicates: thresholds must be between 0 and 1, groupThreshold at most threshold".into());
        }
        Ok(())
    }
}

/// The signature of a text: `bins` minimum hashes.
pub fn signature(texts: &[&str], config: &NearDuplicateConfig) -> Vec<u32> {
    let bins = config.bins();
    let mut minimums = vec![u64::MAX; bins];
    let mut window: Vec<u64> = Vec::with_capacity(config.shingle);
    let mut any = false;
    for text in texts {
        for token in text
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|t| !t.is_empty())
        {
            if window.len() == config.shingle {
                window.remove(0);
            }
            window.push(token_hash(token));
            if window.len() == config.shingle {
                any = true;
                add_shingle(&mut minimums, shingle_hash(&window));
            }
        }
    }
    if !any && !window.is_empty() {
        // Shorter than one shingle: the whole text is the shingle.
        add_shingle(&mut minimums, shingle_hash(&window));
    }
    densify(&minimums)
}

fn add_shingle(minimums: &mut [u64], hash: u64) {
    // The high half of the hash picks the bin, in u64 so it cannot overflow on 32-bit targets.
    let bin = (((hash >> 32) * minimums.len() as u64) >> 32) as usize;
    let value = hash & 0xffff_ffff;
    if value < minimums[bin] {
        minimums[bin] = value;
    }
}

/// Empty bins borrow from the next non-empty bin to the right (circularly), offset by the distance,
/// so two similar texts fill their empty bins alike.
fn densify(minimums: &[u64]) -> Vec<u32> {
    let bins = minimums.len();
    if minimums.iter().all(|m| *m == u64::MAX) {
        return vec![u32::MAX; bins];
    }
    (0..bins)
        .map(|bin| {
            let mut distance = 0;
            while minimums[(bin + distance) % bins] == u64::MAX {
                distance += 1;
            }
            let value = minimums[(bin + distance) % bins];
            (mix(value ^ (distance as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)) & 0xffff_ffff)
                as u32
        })
        .collect()
}

/// The fraction of equal bins: an estimate of the Jaccard similarity of the shingle sets.
pub fn similarity(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() || a.len() != b.len() {
        return 0.0;
    }
    let equal = a.iter().zip(b).filter(|(x, y)| x == y).count();
    equal as f64 / a.len() as f64
}

/// The key of band `band` of a signature.
pub fn band_key(signature: &[u32], band: usize, rows: usize) -> u64 {
    let mut key = band as u64;
    for value in &signature[band * rows..(band + 1) * rows] {
        key = mix(key ^ u64::from(*value));
    }
    key
}

fn token_hash(token: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for c in token.chars().flat_map(char::to_lowercase) {
        hash ^= c as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

fn shingle_hash(window: &[u64]) -> u64 {
    window
        .iter()
        .fold(0x5bd1_e995_u64, |acc, h| mix(acc.rotate_left(5) ^ h))
}

/// SplitMix64's finalizer: spreads every input bit over the output.
fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Disjoint sets over example indices.
pub struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    pub fn new(size: usize) -> Self {
        UnionFind {
            parent: (0..size as u32).collect(),
        }
    }

    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grandparent = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grandparent;
            x = grandparent;
        }
        x
    }

    pub fn union(&mut self, a: u32, b: u32) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            // The smaller index is the root: results do not depend on the order of unions.
            let (root, child) = if a < b { (a, b) } else { (b, a) };
            self.parent[child as usize] = root;
        }
    }
}

/// Candidate pairs from LSH, verified against both thresholds: returns the near-duplicate sets
/// (pairs at `threshold` or more) and the split groups (pairs at `group_threshold` or more).
pub fn cluster(signatures: &[Vec<u32>], config: &NearDuplicateConfig) -> (UnionFind, UnionFind) {
    let mut duplicates = UnionFind::new(signatures.len());
    let mut groups = UnionFind::new(signatures.len());
    // A bucket this large is boilerplate shared by many examples: compare neighbours only.
    const FULL_COMPARE_LIMIT: usize = 64;
    let mut keyed: Vec<(u64, u32)> = Vec::with_capacity(signatures.len());
    for band in 0..config.bands {
        keyed.clear();
        keyed.extend(
            signatures
                .iter()
                .enumerate()
                .map(|(i, s)| (band_key(s, band, config.rows), i as u32)),
        );
        keyed.sort_unstable();
        for run in keyed.chunk_by(|a, b| a.0 == b.0) {
            if run.len() < 2 {
                continue;
            }
            let members: Vec<u32> = run.iter().map(|(_, i)| *i).collect();
            let mut compare = |a: u32, b: u32| {
                let s = similarity(&signatures[a as usize], &signatures[b as usize]);
                if s >= config.group_threshold {
                    groups.union(a, b);
                    if s >= config.threshold {
                        duplicates.union(a, b);
                    }
                }
            };
            if members.len() <= FULL_COMPARE_LIMIT {
                for (i, a) in members.iter().enumerate() {
                    for b in &members[i + 1..] {
                        compare(*a, *b);
                    }
                }
            } else {
                for pair in members.windows(2) {
                    compare(pair[0], pair[1]);
                }
            }
        }
    }
    (duplicates, groups)
}
