//! The dataset build, in two streaming passes so the corpus is never held in memory.
//!
//! Pass 1 reads the log one day at a time: it re-scrubs each example, filters it (forgotten,
//! duplicate, quality), computes its MinHash signature and, per profile, renders it once to count
//! its tokens and apply the over-length policy; the lines that fit go to a spool file per profile
//! and day. Then near-duplicate clusters keep their best example, the survivors are grouped, and
//! each profile's examples (under its cap) are split by group. Pass 2 reads the spool back and sends each chosen line to
//! its split's file, validating every line as it goes; rendering happens once per example.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use crate::dataset::manifest::{
    lora_sft_rate, CostEstimate, DatasetManifest, Dropped, ProfileManifest, SplitCounts,
    SplitFiles, TokenStats,
};
use crate::dataset::minhash;
use crate::dataset::options::{BuildOptions, OverLength};
use crate::dataset::output::LineWriter;
use crate::dataset::profile::ModelProfile;
use crate::dataset::render::{answer_text, render_line, render_sequence, user_text};
use crate::dataset::split::{self, Split};
use crate::dataset::validate::{ValidationOptions, Validator};
use crate::error::SelftuneError;
use crate::host::{Clock, LogSink, Storage};
use crate::reasoning::ReasoningSource;
use crate::redact::RedactionOptions;
use crate::scrub::scrub_record;
use crate::store::{self, ExampleRecord, LogEntry};
use crate::tokens::{TokenCounter, TokenizerRegistry};

/// Everything a build reads besides the options.
pub struct BuildInputs<'a> {
    pub tokenizers: &'a TokenizerRegistry,
    pub forgotten: &'a HashSet<String>,
    pub reasoning: &'a dyn ReasoningSource,
    pub redaction: RedactionOptions,
}

/// How an example fares in one profile.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fit {
    /// Fits with its first `files` files (all of them unless truncated), in `tokens` tokens.
    Fits {
        tokens: usize,
        files: usize,
    },
    TooLong,
    Invalid,
}

struct Candidate {
    id: String,
    quality: f64,
    file_count: usize,
    fits: Vec<Fit>,
}

/// What pass 2 writes for one profile: example id -> (split, files kept, tokens).
type Selection = HashMap<String, (Split, usize, usize)>;

pub async fn build_dataset(
    log: &(impl Storage + LogSink + Clock),
    out: &impl Storage,
    inputs: &BuildInputs<'_>,
    options: &BuildOptions,
) -> Result<DatasetManifest, SelftuneError> {
    let counters: Vec<&dyn TokenCounter> = options
        .profiles
        .iter()
        .map(|profile| inputs.tokenizers.counter_for(&profile.model))
        .collect();
    let partitions = store::partitions(log).await?;

    // Pass 1: filter, sign, measure.
    let mut dropped = Dropped::default();
    let mut candidates = Vec::new();
    let mut signatures = Vec::new();
    let mut seen = HashSet::new();
    let mut examples_read = 0u64;
    let mut redacted_at_build = 0u64;
    for date in &partitions {
        let mut spools: Vec<LineWriter> = options
            .profiles
            .iter()
            .map(|profile| LineWriter::new(spool_path(profile, date)))
            .collect();
        for spool in &spools {
            spool.reset(out).await?;
        }
        let read = store::read_partition::<LogEntry>(log, log, date).await?;
        for entry in read.entries {
            let LogEntry::Example(mut record) = entry else {
                continue;
            };
            examples_read += 1;
            if inputs.forgotten.contains(&record.content_hash) {
                dropped.forgotten += 1;
                continue;
            }
            if !seen.insert(record.content_hash.clone()) {
                dropped.duplicate += 1;
                continue;
            }
            if record.quality.score < options.min_quality {
                dropped.low_quality += 1;
                continue;
            }
            let found: u32 = scrub_record(&mut record, &inputs.redaction).values().sum();
            redacted_at_build += u64::from(found);
            let texts: Vec<&str> = record.files.iter().map(|f| f.content.as_str()).collect();
            signatures.push(minhash::signature(&texts, &options.near_duplicates));
            let mut fits = Vec::with_capacity(options.profiles.len());
            for (p, profile) in options.profiles.iter().enumerate() {
                let (fitting, line) = fit(
                    &record,
                    profile,
                    counters[p],
                    options.over_length,
                    inputs.reasoning,
                );
                if let Some(line) = line {
                    spools[p]
                        .push(out, &format!("{}\t{line}", record.id))
                        .await?;
                }
                fits.push(fitting);
            }
            candidates.push(Candidate {
                id: record.id.clone(),
                quality: record.quality.score,
                file_count: record.files.len(),
                fits,
            });
        }
        for spool in &mut spools {
            spool.flush(out).await?;
        }
    }

    // Near-duplicates: keep the best of each cluster; group the rest for the split.
    let (mut duplicates, mut groups) = minhash::cluster(&signatures, &options.near_duplicates);
    drop(signatures);
    let mut best_of_cluster: HashMap<u32, usize> = HashMap::new();
    for (index, candidate) in candidates.iter().enumerate() {
        let root = duplicates.find(index as u32);
        let best = best_of_cluster.entry(root).or_insert(index);
        if better(candidate, &candidates[*best]) {
            *best = index;
        }
    }
    let kept: HashSet<usize> = best_of_cluster.values().copied().collect();
    dropped.near_duplicate = (candidates.len() - kept.len()) as u64;
    let mut kept_sorted: Vec<usize> = kept.iter().copied().collect();
    kept_sorted.sort_unstable();
    let group_of: HashMap<usize, u32> = kept_sorted
        .iter()
        .map(|&index| (index, groups.find(index as u32)))
        .collect();
    let ratios = [
        options.split.train,
        options.split.validation,
        options.split.test,
    ];

    // Per profile: what fits, under the cap.
    let mut selections: Vec<Selection> = Vec::new();
    let mut profile_dropped: Vec<Dropped> = Vec::new();
    let mut truncated: Vec<u64> = Vec::new();
    for (p, _) in options.profiles.iter().enumerate() {
        let mut dropped_here = dropped.clone();
        let mut truncated_here = 0;
        let mut fitting: Vec<usize> = Vec::new();
        for &index in &kept_sorted {
            match candidates[index].fits[p] {
                Fit::Fits { files, .. } => {
                    if files < candidates[index].file_count {
                        truncated_here += 1;
                    }
                    fitting.push(index);
                }
                Fit::TooLong => dropped_here.too_long += 1,
                Fit::Invalid => dropped_here.invalid += 1,
            }
        }
        if let Some(cap) = options.max_examples {
            if fitting.len() > cap {
                fitting.sort_by(|&a, &b| {
                    candidates[b]
                        .quality
                        .total_cmp(&candidates[a].quality)
                        .then(candidates[a].id.cmp(&candidates[b].id))
                });
                dropped_here.over_cap = (fitting.len() - cap) as u64;
                fitting.truncate(cap);
            }
        }
        // Each profile trains its own model, so each is split on its own, by group.
        let mut members_by_group: BTreeMap<u32, Vec<String>> = BTreeMap::new();
        for &index in &fitting {
            members_by_group
                .entry(group_of[&index])
                .or_default()
                .push(candidates[index].id.clone());
        }
        let group_list: Vec<Vec<String>> = members_by_group.into_values().collect();
        let assignment = split::assign(&group_list, ratios, options.seed);
        let selection = fitting
            .into_iter()
            .filter_map(|index| {
                let candidate = &candidates[index];
                let split = *assignment.get(&candidate.id)?;
                match candidate.fits[p] {
                    Fit::Fits { tokens, files } => {
                        Some((candidate.id.clone(), (split, files, tokens)))
                    }
                    _ => None,
                }
            })
            .collect();
        selections.push(selection);
        profile_dropped.push(dropped_here);
        truncated.push(truncated_here);
    }
    drop(candidates);

    // Pass 2: write.
    let mut writers: Vec<Vec<LineWriter>> = Vec::new();
    let mut validators: Vec<Vec<Validator>> = Vec::new();
    for profile in &options.profiles {
        let mut row = Vec::new();
        for split in Split::ALL {
            let writer = LineWriter::new(format!("{}/{}.jsonl", profile.name, split.as_str()));
            writer.reset(out).await?;
            row.push(writer);
        }
        writers.push(row);
        validators.push(
            Split::ALL
                .iter()
                .map(|_| Validator::new(ValidationOptions::default()))
                .collect(),
        );
    }
    let mut stats: Vec<(SplitCounts, TokenStats)> = options
        .profiles
        .iter()
        .zip(&counters)
        .map(|(_, counter)| {
            let tokens = TokenStats {
                exact: counter.exact(),
                counter: counter.describe(),
                ..TokenStats::default()
            };
            (SplitCounts::default(), tokens)
        })
        .collect();
    for (p, profile) in options.profiles.iter().enumerate() {
        let mut written: HashSet<String> = HashSet::new();
        for date in &partitions {
            let path = spool_path(profile, date);
            let text = out
                .read(&path)
                .await
                .map_err(|e| SelftuneError::storage("read", &path, e))?
                .unwrap_or_default();
            for spooled in text.lines() {
                let Some((id, line)) = spooled.split_once('\t') else {
                    continue;
                };
                let Some(&(split, _, tokens)) = selections[p].get(id) else {
                    continue;
                };
                if !written.insert(id.to_owned()) {
                    continue;
                }
                let s = split as usize;
                validators[p][s].push_line(line);
                writers[p][s].push(out, line).await?;
                let (counts, tokens_stats) = &mut stats[p];
                add_count(counts, split);
                add_tokens(tokens_stats, split, tokens);
            }
            out.remove(&path)
                .await
                .map_err(|e| SelftuneError::storage("remove", &path, e))?;
        }
    }

    let mut profiles = Vec::new();
    for (p, profile) in options.profiles.iter().enumerate() {
        for writer in &mut writers[p] {
            writer.flush(out).await?;
        }
        let mut validated = true;
        for (validator, writer) in std::mem::take(&mut validators[p])
            .into_iter()
            .zip(&writers[p])
        {
            let report = validator.finish();
            // An empty split is never uploaded; Together's checker would reject it as empty.
            if !report.passed && report.samples > 0 {
                validated = false;
                log.log(
                    crate::host::LogLevel::Error,
                    &format!("{} failed validation: {}", writer.path, report.message),
                );
            }
        }
        let (counts, tokens) = stats[p].clone();
        profiles.push(ProfileManifest {
            name: profile.name.clone(),
            model: profile.model.clone(),
            format: profile.format.as_str().to_owned(),
            format_reason: profile.format.reason(profile.reasoning).to_owned(),
            reasoning: profile.reasoning,
            max_tokens: profile.max_tokens,
            files: SplitFiles {
                train: writers[p][0].path.clone(),
                validation: writers[p][1].path.clone(),
                test: writers[p][2].path.clone(),
            },
            estimated_training_cost_usd: cost(profile, &tokens, options),
            counts,
            dropped: profile_dropped[p].clone(),
            truncated: truncated[p],
            tokens,
            validated,
        });
    }
    let manifest = DatasetManifest {
        created_at: log.now_ms(),
        examples_read,
        redacted_at_build,
        options: options.clone(),
        profiles,
    };
    let json = serde_json::to_string_pretty(&manifest)
        .map_err(|e| SelftuneError::storage("encode", "manifest.json", e))?;
    out.write("manifest.json", &(json + "\n"))
        .await
        .map_err(|e| SelftuneError::storage("write", "manifest.json", e))?;
    Ok(manifest)
}

/// Better example of a near-duplicate cluster: higher quality, then more files, then smaller id.
fn better(a: &Candidate, b: &Candidate) -> bool {
    a.quality
        .total_cmp(&b.quality)
        .then(a.file_count.cmp(&b.file_count))
        .then(b.id.cmp(&a.id))
        .is_gt()
}

/// How an example fares in a profile, and its line when it fits.
fn fit(
    record: &ExampleRecord,
    profile: &ModelProfile,
    counter: &dyn TokenCounter,
    policy: OverLength,
    reasoning: &dyn ReasoningSource,
) -> (Fit, Option<String>) {
    let mut files = record.files.len();
    loop {
        let (user, thinking, answer) = parts(record, files, profile, reasoning);
        let Ok(sequence) = render_sequence(profile, &user, thinking.as_deref(), &answer) else {
            return (Fit::Invalid, None);
        };
        let tokens = counter.count(&sequence);
        if tokens <= profile.max_tokens {
            let line = render_line(profile, &user, thinking.as_deref(), &answer).ok();
            return (Fit::Fits { tokens, files }, line.map(|line| line.json));
        }
        if policy == OverLength::Drop || files <= 1 {
            return (Fit::TooLong, None);
        }
        files -= 1;
    }
}

/// The user turn, the reasoning (for a profile that has it) and the answer of an example with
/// only its first `files` files.
fn parts(
    record: &ExampleRecord,
    files: usize,
    profile: &ModelProfile,
    reasoning: &dyn ReasoningSource,
) -> (String, Option<String>, String) {
    let view: Cow<ExampleRecord> = if files >= record.files.len() {
        Cow::Borrowed(record)
    } else {
        let mut shorter = record.clone();
        shorter.files.truncate(files);
        Cow::Owned(shorter)
    };
    let thinking = profile.reasoning.then(|| reasoning.reasoning_for(&view));
    (user_text(&view), thinking, answer_text(&view, &view.files))
}

fn spool_path(profile: &ModelProfile, date: &str) -> String {
    format!(".spool/{}/{date}.jsonl", profile.name)
}

fn add_count(counts: &mut SplitCounts, split: Split) {
    match split {
        Split::Train => counts.train += 1,
        Split::Validation => counts.validation += 1,
        Split::Test => counts.test += 1,
    }
}

fn add_tokens(stats: &mut TokenStats, split: Split, tokens: usize) {
    let tokens = tokens as u64;
    match split {
        Split::Train => stats.train += tokens,
        Split::Validation => stats.validation += tokens,
        Split::Test => stats.test += tokens,
    }
    stats.max = stats.max.max(tokens);
}

fn cost(profile: &ModelProfile, tokens: &TokenStats, options: &BuildOptions) -> CostEstimate {
    let (rate, source) = lora_sft_rate(&profile.model);
    let billed = u64::from(options.epochs) * tokens.train
        + u64::from(options.evaluations) * tokens.validation;
    let amount = billed as f64 / 1e6 * rate;
    CostEstimate {
        amount_usd: (amount * 10_000.0).round() / 10_000.0,
        billed_tokens: billed,
        epochs: options.epochs,
        evaluations: options.evaluations,
        rate_usd_per_million_tokens: rate,
        rate_source: source.to_owned(),
    }
}

impl<H: crate::host::Host> crate::handle::Selftune<H> {
    /// Builds the datasets into the folder `options.outDir` of the host's storage.
    pub async fn build_dataset(
        &self,
        options: &BuildOptions,
    ) -> Result<DatasetManifest, SelftuneError> {
        let out = crate::dataset::output::Prefixed::new(&self.host, &options.out_dir);
        self.build_dataset_into(options, &out).await
    }

    /// Builds the datasets into `out`, a storage of its own (the CLI's `--out DIR`).
    pub async fn build_dataset_into(
        &self,
        options: &BuildOptions,
        out: &impl Storage,
    ) -> Result<DatasetManifest, SelftuneError> {
        let tokenizers = self.tokenizers();
        let forgotten = self.index.borrow().forgotten.clone();
        let inputs = BuildInputs {
            tokenizers: &tokenizers,
            forgotten: &forgotten,
            reasoning: &crate::reasoning::Synthesized,
            redaction: self.redaction_options(),
        };
        let manifest = build_dataset(&self.host, out, &inputs, options).await?;
        let written = manifest
            .profiles
            .iter()
            .map(|p| {
                (
                    p.name.clone(),
                    p.counts.train + p.counts.validation + p.counts.test,
                )
            })
            .collect();
        self.audit_event(crate::audit::AuditEvent::DatasetBuilt {
            examples_read: manifest.examples_read,
            written,
        })
        .await;
        Ok(manifest)
    }
}
