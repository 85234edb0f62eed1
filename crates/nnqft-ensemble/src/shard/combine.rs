//! Combining shard files (or MPI ranks' partials) into one partial, with one-line refusals
//! that name the sources: different settings or seeds, different nnqft versions, overlapping
//! blocks, and, when a complete result is asked for, the missing blocks and their shards.

use super::file::{ShardFile, Shards};
use super::{ShardError, shard_of};
use crate::partial::{BlockSet, Partial};
use crate::plan::Plan;

type Result<T> = std::result::Result<T, ShardError>;

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
        return diff("orders n", format!("{:?}", sa.npt), format!("{:?}", sb.npt));
    }
    if a.nets != b.nets {
        return diff("network count", a.nets.to_string(), b.nets.to_string());
    }
    if a.experiments != b.experiments {
        return diff(
            "experiment count",
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

/// Half-open index ranges (sorted by start) merged where they touch or overlap, as
/// "0, 3-5"; never expands a range into its indices (a range may hold 2^64 shards).
fn describe_index_ranges(mut ranges: Vec<(u64, u64)>) -> (usize, String) {
    ranges.sort_unstable();
    let mut merged: Vec<(u64, u64)> = vec![];
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let count = merged.iter().map(|&(s, e)| (e - s) as u128).sum::<u128>();
    (usize::from(count != 1), describe_ranges(&merged, 20))
}

/// Partials added one source at a time, each checked against the ones before.
#[derive(Debug, Default)]
pub struct Combiner {
    acc: Option<Partial>,
    nnqft: String,
    /// Each source's name and blocks, to name both sides of an overlap.
    sources: Vec<(String, BlockSet)>,
    /// The shard split shared by every source so far (None once they disagree or lack one).
    shards: Option<Shards>,
}

impl Combiner {
    /// A combiner holding nothing.
    pub fn new() -> Self {
        Combiner::default()
    }

    /// Add the partial of `file`, called `name` in messages. Refused: a different nnqft
    /// version, and whatever [`Partial::merge`] refuses (a different plan, blocks already
    /// held), named by the first differing setting or the sources that overlap.
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
            return Err(ShardError::Versions {
                name: name.to_string(),
                first: first.clone(),
                theirs: file.nnqft,
                ours: self.nnqft.clone(),
            });
        }
        if let Err(e) = acc.merge(&file.partial) {
            // Partial::merge checks; here we only find the words for its refusal.
            if let Some(what) = plan_difference(&file.partial.plan, &acc.plan) {
                return Err(ShardError::DifferentPlans {
                    name: name.to_string(),
                    first: first.clone(),
                    what,
                });
            }
            let theirs = &file.partial.blocks;
            if let Some((other, set)) = self.sources.iter().find(|(_, s)| s.overlaps(theirs)) {
                return Err(ShardError::Overlap {
                    name: name.to_string(),
                    other: other.clone(),
                    blocks: describe_ranges(&common_ranges(set, theirs), 8),
                });
            }
            return Err(e.into());
        }
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
            None => Err(ShardError::Empty),
        }
    }

    /// The combined partial, refused unless it holds every block of the plan: the error
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
                let ix: Vec<(u64, u64)> = missing
                    .iter()
                    .map(|&(a, b)| (shard_of(a, count, s.of), shard_of(b - 1, count, s.of) + 1))
                    .collect();
                let (plural, text) = describe_index_ranges(ix);
                format!(
                    " = shard{} {} of {} (0-based)",
                    if plural == 0 { "" } else { "s" },
                    text,
                    s.of
                )
            }
            None => String::new(),
        };
        Err(ShardError::Incomplete {
            held: p.blocks.count(),
            count,
            missing: describe_ranges(&missing, 8),
            shards: which,
        })
    }
}

/// The ranges held by both `a` and `b`.
fn common_ranges(a: &BlockSet, b: &BlockSet) -> Vec<(u64, u64)> {
    a.ranges()
        .iter()
        .flat_map(|&(x, y)| {
            b.ranges()
                .iter()
                .map(move |&(s, e)| (s.max(x), e.min(y)))
                .filter(|(s, e)| s < e)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Settings;
    use crate::shard::{ShardSpec, sample_shard};
    use crate::{finish, run_all};
    use nnqft_core::{Arch, InputSet, Network};

    /// 9 blocks of 100 nets in 3 experiments.
    fn plan(seed: u64) -> Plan {
        let net = Network::new(Arch::Erf, 1.0, 1.0, 1).unwrap();
        let xs = InputSet::paper(Arch::Erf, 1).unwrap();
        let settings = Settings::new(net, xs, 3, &[2, 4]).unwrap();
        Plan::with(
            settings,
            crate::Sampling {
                nets: 900,
                experiments: 3,
                seed,
                block_size: 100,
            },
        )
        .unwrap()
    }

    fn shard(p: &Plan, i: u64, of: u64) -> ShardFile {
        sample_shard(p, ShardSpec::new(i, of).unwrap(), Some(1), &|_| {}).unwrap()
    }

    #[test]
    fn shards_in_any_order_give_the_one_shot_result() {
        let p = plan(3);
        let whole = finish(&run_all(&p, Some(1), &|_| {}).unwrap()).unwrap();
        let mut c = Combiner::new();
        for i in [2, 0, 3, 1] {
            c.add(&format!("s{i}"), shard(&p, i, 4)).unwrap();
        }
        assert_eq!(finish(&c.into_complete().unwrap()).unwrap(), whole);
    }

    #[test]
    fn refusals_name_the_cause_and_the_sources() {
        let p = plan(3);
        let mut c = Combiner::new();
        c.add("a", shard(&p, 0, 2)).unwrap();
        let e = c.add("b", shard(&plan(4), 1, 2)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot merge b with a: different seed (4 vs 3)"
        );
        // Shard 0 of 3 holds blocks 0-2, all of them also in shard 0 of 2 (blocks 0-3).
        match c.add("c", shard(&p, 0, 3)).unwrap_err() {
            ShardError::Overlap {
                name,
                other,
                blocks,
            } => assert_eq!(
                (name.as_str(), other.as_str(), blocks.as_str()),
                ("c", "a", "0-2")
            ),
            e => panic!("{e}"),
        }
        // A refused source leaves the combiner as it was: blocks 4-8 = shard 1 of 2 missing.
        match c.into_complete().unwrap_err() {
            ShardError::Incomplete {
                held,
                count,
                missing,
                shards,
            } => {
                assert_eq!((held, count), (4, 9));
                assert_eq!(missing, "4-8");
                assert_eq!(shards, " = shard 1 of 2 (0-based)");
            }
            e => panic!("{e}"),
        }
        assert_eq!(
            Combiner::new().into_partial().unwrap_err(),
            ShardError::Empty
        );
    }
}
