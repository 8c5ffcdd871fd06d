//! Train/validation/test split: seeded and reproducible, by group, so near-duplicates stay together.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Split {
    Train,
    Validation,
    Test,
}

impl Split {
    pub const ALL: [Split; 3] = [Split::Train, Split::Validation, Split::Test];

    pub fn as_str(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Validation => "validation",
            Split::Test => "test",
        }
    }
}

/// Assigns each group (given as its members' ids) to a split. Groups are ordered by a seeded hash
/// of their smallest id, then each goes to the split furthest below its share of what has been
/// placed so far; so the result depends only on the seed and the groups, and the sizes follow the
/// ratios within one group's size.
pub fn assign(groups: &[Vec<String>], ratios: [f64; 3], seed: u64) -> BTreeMap<String, Split> {
    let mut order: Vec<(u64, &Vec<String>)> = groups
        .iter()
        .filter(|members| !members.is_empty())
        .map(|members| {
            let smallest = members.iter().min().expect("non-empty group");
            (seeded_hash(seed, smallest), members)
        })
        .collect();
    order.sort();
    let total_ratio: f64 = ratios.iter().sum();
    let mut placed = [0usize; 3];
    let mut assignment = BTreeMap::new();
    for (_, members) in order {
        let after: usize = placed.iter().sum::<usize>() + members.len();
        // The split whose count is furthest below its target once this group is placed.
        let target = |i: usize| ratios[i] / total_ratio * after as f64;
        let chosen = (0..3)
            .max_by(|&a, &b| {
                let deficit_a = target(a) - placed[a] as f64;
                let deficit_b = target(b) - placed[b] as f64;
                deficit_a.total_cmp(&deficit_b).then(b.cmp(&a))
            })
            .expect("three splits");
        placed[chosen] += members.len();
        for member in members {
            assignment.insert(member.clone(), Split::ALL[chosen]);
        }
    }
    assignment
}

fn seeded_hash(seed: u64, text: &str) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325_u64 ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^ (hash >> 33)
}
