//! Combining shard files (or MPI ranks' partials) into one partial, with one-line refusals
//! that name the sources: different settings or seeds, different nnqft versions, overlapping
//! blocks, and, when a complete result is asked for, the missing blocks and their shards.

use super::file::{ShardFile, Shards};
use super::shard_range;
use anyhow::{Result, bail};
use nnqft_ensemble::{BlockSet, Partial, Plan};
use std::collections::BTreeSet;

/// The first setting in which two plans differ, as "seed (1 vs 2)"; None when equal.
pub fn plan_difference(a: &Plan, b: &Plan) -> Option<String> {
    let (sa, sb) = (&a.settings, &b.settings);
    let (na, nb) = (sa.network, sb.network);
    let diff = |what: &str, x: String, y: String| Some(format!("{what} ({x} vs {y})"));
    if na.arch() != nb.arch() {
        return diff("architecture", na.arch().to_string(), nb.arch().to_string());
    }
    if na.sigma_w() != nb.sigma_w() {
        return diff(
            "sigma_w",
            na.sigma_w().to_string(),
            nb.sigma_w().to_string(),
        );
    }
    if na.sigma_b() != nb.sigma_b() {
        return diff(
            "sigma_b",
            na.sigma_b().to_string(),
            nb.sigma_b().to_string(),
        );
    }
    if na.d_in() != nb.d_in() {
        return diff(
            "input dimension",
            na.d_in().to_string(),
            nb.d_in().to_string(),
        );
    }
    if sa.inputs != sb.inputs {
        return diff(
            "inputs",
            format!("{:?}", sa.inputs.points()),
            format!("{:?}", sb.inputs.points()),
        );
    }
    if sa.width != sb.width {
        return diff("width", sa.width.to_string(), sb.width.to_string());
    }
    if sa.npt != sb.npt {
        return diff("--npt", format!("{:?}", sa.npt), format!("{:?}", sb.npt));
    }
    if a.nets != b.nets {
        return diff("--nets", a.nets.to_string(), b.nets.to_string());
    }
    if a.experiments != b.experiments {
        return diff(
            "--experiments",
            a.experiments.to_string(),
            b.experiments.to_string(),
        );
    }
    if a.seed != b.seed {
        return diff("seed", a.seed.to_string(), b.seed.to_string());
    }
    if a.block_size != b.block_size {
        return diff(
            "block size",
            a.block_size.to_string(),
            b.block_size.to_string(),
        );
    }
    (a != b).then(|| "settings".to_string())
}

/// Block ranges [s, e) as "3", "4-7", joined by ", " (at most `limit` ranges, then a count).
pub fn describe_ranges(ranges: &[(u64, u64)], limit: usize) -> String {
    let mut text: Vec<String> = ranges
        .iter()
        .take(limit)
        .map(|&(s, e)| {
            if e == s + 1 {
                s.to_string()
            } else {
                format!("{s}-{}", e - 1)
            }
        })
        .collect();
    if ranges.len() > limit {
        text.push(format!("and {} more ranges", ranges.len() - limit));
    }
    text.join(", ")
}

/// The shard of an S-way split of `count` blocks that holds block `b` (see [`shard_range`]).
pub fn shard_of(b: u64, count: u64, of: u64) -> u64 {
    let mut i = ((b as u128 * of as u128) / count as u128) as u64;
    while i + 1 < of && shard_range(count, i + 1, of).start <= b {
        i += 1;
    }
    while i > 0 && shard_range(count, i, of).start > b {
        i -= 1;
    }
    i
}

/// Sorted indices as ranges "0, 3-5".
fn describe_indices(ix: &BTreeSet<u64>) -> String {
    let mut ranges: Vec<(u64, u64)> = vec![];
    for &i in ix {
        match ranges.last_mut() {
            Some(last) if last.1 == i => last.1 = i + 1,
            _ => ranges.push((i, i + 1)),
        }
    }
    describe_ranges(&ranges, 20)
}

/// Partials added one source at a time, each checked against the ones before.
#[derive(Default)]
pub struct Combiner {
    acc: Option<Partial>,
    nnqft: String,
    /// Each source's name and blocks, to name both sides of an overlap.
    sources: Vec<(String, BlockSet)>,
    /// The shard split shared by every source so far (None once they disagree or lack one).
    shards: Option<Shards>,
}

impl Combiner {
    pub fn new() -> Self {
        Combiner::default()
    }

    /// Add the partial of `file`, called `name` in messages.
    pub fn add(&mut self, name: &str, file: ShardFile) -> Result<()> {
        let Some(acc) = &mut self.acc else {
            self.nnqft = file.nnqft;
            self.shards = file.shards;
            self.sources
                .push((name.to_string(), file.partial.blocks.clone()));
            self.acc = Some(file.partial);
            return Ok(());
        };
        let first = &self.sources[0].0;
        if file.nnqft != self.nnqft {
            bail!(
                "cannot merge {name} with {first}: written by different nnqft versions ({} vs {}), whose samplers may differ",
                file.nnqft,
                self.nnqft
            );
        }
        if let Some(d) = plan_difference(&file.partial.plan, &acc.plan) {
            bail!("cannot merge {name} with {first}: different {d}");
        }
        for (other, set) in &self.sources {
            if set.overlaps(&file.partial.blocks) {
                let both: Vec<(u64, u64)> = set
                    .ranges()
                    .iter()
                    .flat_map(|&(a, b)| {
                        file.partial
                            .blocks
                            .ranges()
                            .iter()
                            .map(move |&(s, e)| (s.max(a), e.min(b)))
                            .filter(|(s, e)| s < e)
                    })
                    .collect();
                bail!(
                    "cannot merge {name} with {other}: both hold blocks {} (overlapping shards, or the same file twice)",
                    describe_ranges(&both, 8)
                );
            }
        }
        acc.merge(&file.partial)?;
        self.sources.push((name.to_string(), file.partial.blocks));
        self.shards = match (self.shards.take(), file.shards) {
            (Some(mut a), Some(b)) if a.of == b.of => {
                a.held.extend(b.held);
                a.held.sort_unstable();
                a.held.dedup();
                Some(a)
            }
            _ => None,
        };
        Ok(())
    }

    /// The combined partial whatever it holds (for a bigger shard file), with its shard split.
    pub fn into_partial(self) -> Result<ShardFile> {
        match self.acc {
            Some(partial) => Ok(ShardFile {
                nnqft: self.nnqft,
                shards: self.shards,
                partial,
            }),
            None => bail!("no shard files to merge"),
        }
    }

    /// The combined partial, refused unless it holds every block of the plan: the message
    /// lists the missing blocks and, when the sources share one shard split, their shards.
    pub fn into_complete(self) -> Result<Partial> {
        let shards = self.shards.clone();
        let file = self.into_partial()?;
        let p = file.partial;
        if p.is_complete() {
            return Ok(p);
        }
        let count = p.plan.block_count();
        let missing = p.blocks.missing(count);
        let which = match &shards {
            Some(s) => {
                let ix: BTreeSet<u64> = missing
                    .iter()
                    .flat_map(|&(a, b)| shard_of(a, count, s.of)..=shard_of(b - 1, count, s.of))
                    .collect();
                format!(
                    " = shard{} {} of {} (0-based)",
                    if ix.len() == 1 { "" } else { "s" },
                    describe_indices(&ix),
                    s.of
                )
            }
            None => String::new(),
        };
        bail!(
            "incomplete: the files hold {} of {} blocks; missing blocks {}{which}; merge never makes a smaller ensemble than planned",
            p.blocks.count(),
            count,
            describe_ranges(&missing, 8)
        )
    }
}
