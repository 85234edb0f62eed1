//! Partial results: exact per-experiment sums over any subset of a plan's blocks, mergeable in
//! any order and grouping with a bit-identical outcome (the basis for threads, shards and MPI).

use crate::deep::{AnyContext as Context, AnyWorkspace as Workspace};
use crate::error::{EnsembleError, Result};
use crate::exact_sum::ExactSum;
use crate::plan::{MAX_THREADS, Plan};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

/// A set of block indices as sorted, disjoint, non-adjacent half-open ranges.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockSet {
    ranges: Vec<(u64, u64)>,
}

impl BlockSet {
    /// The empty set.
    pub fn new() -> Self {
        BlockSet::default()
    }

    /// The ranges [start, end), sorted.
    pub fn ranges(&self) -> &[(u64, u64)] {
        &self.ranges
    }

    /// Number of blocks held.
    pub fn count(&self) -> u64 {
        self.ranges.iter().map(|(a, b)| b - a).sum()
    }

    /// Whether block `b` is in the set.
    pub fn contains(&self, b: u64) -> bool {
        self.ranges.iter().any(|&(s, e)| s <= b && b < e)
    }

    /// Whether any block of `other` is also in `self`.
    pub fn overlaps(&self, other: &BlockSet) -> bool {
        other
            .ranges
            .iter()
            .any(|&(s, e)| self.ranges.iter().any(|&(a, b)| s < b && a < e))
    }

    /// Add every block of `r` (blocks already held are kept once).
    pub fn insert(&mut self, r: Range<u64>) {
        if r.is_empty() {
            return;
        }
        self.ranges.push((r.start, r.end));
        self.ranges.sort_unstable();
        let mut out: Vec<(u64, u64)> = Vec::with_capacity(self.ranges.len());
        for &(s, e) in &self.ranges {
            match out.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => out.push((s, e)),
            }
        }
        self.ranges = out;
    }

    /// The blocks of 0..total not in the set, as ranges.
    pub fn missing(&self, total: u64) -> Vec<(u64, u64)> {
        let mut out = vec![];
        let mut at = 0;
        for &(s, e) in &self.ranges {
            if s > at {
                out.push((at, s.min(total)));
            }
            at = at.max(e);
        }
        if at < total {
            out.push((at, total));
        }
        out
    }
}

/// Exact sums of one experiment's networks, one slot per accumulator entry (orders ascending,
/// each in multiset order): sum of the product, sum of its square, and its largest |value|.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExperimentSums {
    /// Networks added so far.
    pub nets: u64,
    /// Per accumulator: the exact sum of the values.
    pub sum: Vec<ExactSum>,
    /// Per accumulator: the exact sum of their squares.
    pub sumsq: Vec<ExactSum>,
    /// Per accumulator: the largest absolute value (for the heavy-tail warning).
    pub max_abs: Vec<f64>,
}

impl ExperimentSums {
    fn new(total: usize) -> Self {
        ExperimentSums {
            nets: 0,
            sum: vec![ExactSum::new(); total],
            sumsq: vec![ExactSum::new(); total],
            max_abs: vec![0.0; total],
        }
    }

    fn merge(&mut self, other: &ExperimentSums) {
        self.nets += other.nets;
        for (a, b) in self.sum.iter_mut().zip(&other.sum) {
            a.merge(b);
        }
        for (a, b) in self.sumsq.iter_mut().zip(&other.sumsq) {
            a.merge(b);
        }
        for (a, b) in self.max_abs.iter_mut().zip(&other.max_abs) {
            *a = a.max(*b);
        }
    }
}

/// The exact accumulator state of a set of blocks of one plan. Serializable without loss
/// (serde_json with float_roundtrip): shard files hold one, and merging is exact.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Partial {
    /// The run the blocks belong to.
    pub plan: Plan,
    /// The blocks held.
    pub blocks: BlockSet,
    /// The exact sums per experiment.
    pub experiments: Vec<ExperimentSums>,
}

impl Partial {
    /// No blocks yet.
    pub fn empty(plan: &Plan) -> Self {
        let total = plan.settings.total_entries();
        Partial {
            plan: plan.clone(),
            blocks: BlockSet::new(),
            experiments: (0..plan.experiments)
                .map(|_| ExperimentSums::new(total))
                .collect(),
        }
    }

    /// Add the blocks of `other`: same plan required, no block may be held by both.
    pub fn merge(&mut self, other: &Partial) -> Result<()> {
        if self.plan != other.plan {
            return Err(EnsembleError::Mismatch(
                "the partial results come from different settings, seeds, net counts, experiments or block sizes".into(),
            ));
        }
        if self.blocks.overlaps(&other.blocks) {
            return Err(EnsembleError::Mismatch(
                "the partial results hold some of the same blocks (overlapping shards)".into(),
            ));
        }
        for (a, b) in self.experiments.iter_mut().zip(&other.experiments) {
            a.merge(b);
        }
        for &(s, e) in other.blocks.ranges() {
            self.blocks.insert(s..e);
        }
        Ok(())
    }

    /// Whether every block of the plan is held.
    pub fn is_complete(&self) -> bool {
        self.blocks.count() == self.plan.block_count()
    }

    /// An error naming the missing blocks unless the partial is complete.
    pub fn check_complete(&self) -> Result<()> {
        let total = self.plan.block_count();
        if self.is_complete() {
            return Ok(());
        }
        let missing = self.blocks.missing(total);
        let mut text: Vec<String> = missing
            .iter()
            .take(8)
            .map(|&(s, e)| {
                if e == s + 1 {
                    s.to_string()
                } else {
                    format!("{s}..{}", e - 1)
                }
            })
            .collect();
        if missing.len() > 8 {
            text.push(format!("and {} more ranges", missing.len() - 8));
        }
        Err(EnsembleError::MissingBlocks {
            held: self.blocks.count(),
            total,
            missing: text.join(", "),
        })
    }
}

/// Sample the given blocks of `plan` (any order, any subset; duplicates are an error) and
/// return their exact sums. Runs on the current rayon pool, or on a local pool of `threads`
/// threads if given. `progress(k)` is called with k = 1 after each finished block (from
/// worker threads). The result is bit-identical whatever the pool size or block order.
pub fn run_blocks(
    plan: &Plan,
    blocks: &[u64],
    threads: Option<usize>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Partial> {
    let mut set = BlockSet::new();
    let count = plan.block_count();
    for &b in blocks {
        if b >= count {
            return Err(EnsembleError::BlockRange { block: b, count });
        }
        if set.contains(b) {
            return Err(EnsembleError::Mismatch(format!(
                "block {b} is listed twice"
            )));
        }
        set.insert(b..b + 1);
    }
    plan.check_work(blocks.len() as u64)?;
    in_pool(threads, || {
        sample_blocks(
            plan,
            blocks.par_iter().copied(),
            progress,
            &AtomicBool::new(false),
        )
    })
}

/// Sample the contiguous blocks `range` of `plan` (a shard, or the whole plan), as
/// [`run_blocks`] does but without listing the blocks: memory does not grow with the range.
pub fn run_range(
    plan: &Plan,
    range: Range<u64>,
    threads: Option<usize>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Partial> {
    run_range_until(plan, range, threads, progress, &AtomicBool::new(false))
}

/// [`run_range`] that stops early when `cancel` becomes true: blocks not yet started are
/// skipped (a block of networks takes milliseconds) and the run returns
/// [`EnsembleError::Cancelled`]. For front ends that honour an interrupt (Ctrl-C in Python).
pub fn run_range_until(
    plan: &Plan,
    range: Range<u64>,
    threads: Option<usize>,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Partial> {
    let count = plan.block_count();
    if range.end > count {
        return Err(EnsembleError::BlockRange {
            block: range.end - 1,
            count,
        });
    }
    plan.check_work(range.end.saturating_sub(range.start))?;
    in_pool(threads, || {
        sample_blocks(plan, range.into_par_iter(), progress, cancel)
    })
}

/// Run `work` on the current rayon pool, or on a local pool of `threads` threads (at most
/// [`MAX_THREADS`]).
fn in_pool<T: Send>(threads: Option<usize>, work: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    match threads {
        None => work(),
        Some(t) if t == 0 || t > MAX_THREADS => Err(EnsembleError::Threads(format!(
            "{t} threads asked for; use 1 to {MAX_THREADS}"
        ))),
        Some(t) => rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .map_err(|e| EnsembleError::Threads(e.to_string()))?
            .install(work),
    }
}

/// The exact sums of the (distinct, in-range) blocks `blocks` of `plan`.
fn sample_blocks(
    plan: &Plan,
    blocks: impl ParallelIterator<Item = u64>,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Partial> {
    let ctx = Context::new(plan);
    let parts = blocks
        .fold(
            || (Partial::empty(plan), None::<Workspace>),
            |(mut part, ws), b| {
                if cancel.load(Ordering::Relaxed) {
                    return (part, ws);
                }
                let mut ws = ws.unwrap_or_else(|| Workspace::new(&ctx));
                let block = plan.block(b).expect("checked by the caller");
                ws.run(&ctx, plan.seed, block);
                let exp = &mut part.experiments[block.experiment];
                exp.nets += block.nets as u64;
                for (acc, &v) in exp.sum.iter_mut().zip(&ws.out().sum) {
                    acc.add(v);
                }
                for (acc, &v) in exp.sumsq.iter_mut().zip(&ws.out().sumsq) {
                    acc.add(v);
                }
                for (acc, &v) in exp.max_abs.iter_mut().zip(&ws.out().max_abs) {
                    *acc = acc.max(v);
                }
                part.blocks.insert(b..b + 1);
                progress(1);
                (part, Some(ws))
            },
        )
        .map(|(p, _)| p)
        .reduce(
            || Partial::empty(plan),
            |mut a, b| {
                a.merge(&b).expect("disjoint blocks of one plan");
                a
            },
        );
    if cancel.load(Ordering::Relaxed) {
        return Err(EnsembleError::Cancelled);
    }
    Ok(parts)
}

/// The speed floor of `plan` (for benchmarks): draw every block's networks and evaluate their
/// activations, with neither readout nor moments. Returns a checksum of no meaning.
#[doc(hidden)]
pub fn run_floor(plan: &Plan, threads: Option<usize>) -> Result<f64> {
    let work = || {
        let ctx = Context::new(plan);
        (0..plan.block_count())
            .into_par_iter()
            .map_init(
                || Workspace::new(&ctx),
                |ws, b| ws.run_floor(&ctx, plan.seed, plan.block(b).expect("in range")),
            )
            .sum::<f64>()
    };
    in_pool(threads, || Ok(work()))
}

/// All blocks of `plan` in one process.
pub fn run_all(
    plan: &Plan,
    threads: Option<usize>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Partial> {
    run_range(plan, 0..plan.block_count(), threads, progress)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_sets_track_ranges() {
        let mut s = BlockSet::new();
        s.insert(5..8);
        s.insert(0..2);
        s.insert(2..3);
        assert_eq!(s.ranges(), &[(0, 3), (5, 8)]);
        assert_eq!(s.count(), 6);
        assert_eq!(s.missing(10), vec![(3, 5), (8, 10)]);
        let mut t = BlockSet::new();
        t.insert(7..9);
        assert!(s.overlaps(&t));
        let mut u = BlockSet::new();
        u.insert(3..5);
        assert!(!s.overlaps(&u));
    }
    #[test]
    fn a_set_cancel_flag_stops_the_run() {
        use nnqft_core::{Arch, InputSet, Network};
        let net = Network::paper(Arch::Erf);
        let xs = InputSet::paper(Arch::Erf, 1).unwrap();
        let settings = crate::Settings::new(net, xs, 3, &[2]).unwrap();
        let plan = Plan::new(settings, 8 * 1024, 2, 1).unwrap();
        let all = 0..plan.block_count();
        let done = std::sync::atomic::AtomicU64::new(0);
        let count = |k: u64| {
            done.fetch_add(k, Ordering::Relaxed);
        };
        let cancel = AtomicBool::new(true);
        let r = run_range_until(&plan, all.clone(), Some(1), &count, &cancel);
        assert_eq!(r.unwrap_err(), EnsembleError::Cancelled);
        assert_eq!(done.load(Ordering::Relaxed), 0);
        cancel.store(false, Ordering::Relaxed);
        let p = run_range_until(&plan, all, Some(1), &count, &cancel).unwrap();
        assert_eq!(p.blocks.count(), plan.block_count());
    }
}
