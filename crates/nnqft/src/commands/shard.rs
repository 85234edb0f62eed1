//! Sampling across machines: `nnqft sample --shard I/S` (one shard of the RNG blocks, written
//! as a shard file for `nnqft merge`) and `nnqft sample --mpi` (the blocks split over MPI
//! ranks, reduced to rank 0). Either way the union of the shards is exactly the one-shot run.
//!
//! Shards are 0-based: shard I of S (0 <= I < S) holds the contiguous blocks
//! [floor(I B / S), floor((I + 1) B / S)) of a plan of B blocks, so shard sizes differ by at
//! most one block. With S > B some shards hold no block; their files are valid and merge.

pub mod codec;
pub mod combine;
pub mod file;

use crate::cli::{Global, progress};
use anyhow::{Result, bail};
use file::{ShardFile, Shards};
use nnqft_core::Measurement;
use nnqft_ensemble::{Plan, run_blocks};
use std::ops::Range;
use std::path::Path;
use std::str::FromStr;

/// Shard `index` of `of` (0-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShardSpec {
    pub index: u64,
    pub of: u64,
}

impl FromStr for ShardSpec {
    type Err = String;

    /// "I/S" with integers 0 <= I < S.
    fn from_str(s: &str) -> Result<Self, String> {
        let bad =
            || format!("expected I/S with 0 <= I < S (shards are 0-based), e.g. 0/4; got '{s}'");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = i.trim().parse().map_err(|_| bad())?;
        let of: u64 = n.trim().parse().map_err(|_| bad())?;
        if of == 0 {
            return Err(format!("the shard count S in '{s}' must be at least 1"));
        }
        if index >= of {
            return Err(format!(
                "shard index {index} is out of range for {of} shards: shards are 0-based, 0 to {}",
                of - 1
            ));
        }
        Ok(ShardSpec { index, of })
    }
}

/// The flags of `nnqft sample` that spread one run over processes or machines.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ScaleArgs {
    /// Sample only shard I of S (0-based, I = 0..S-1; e.g. a job array's task id) and write
    /// its exact sums to --out as a shard file; `nnqft merge` combines all S into the one-shot
    /// result.
    #[arg(long, value_name = "I/S")]
    pub shard: Option<ShardSpec>,
    /// Split the blocks over the MPI ranks (run under mpirun; needs nnqft built with
    /// `--features mpi`); rank 0 writes and prints the result.
    #[arg(long, conflicts_with = "shard")]
    pub mpi: bool,
}

impl ScaleArgs {
    /// Whether the run is split (a shard or MPI) rather than one-shot.
    pub fn active(&self) -> bool {
        self.shard.is_some() || self.mpi
    }
}

/// The blocks of shard `index` of `of` in a plan of `count` blocks:
/// [floor(index count / of), floor((index + 1) count / of)).
pub fn shard_range(count: u64, index: u64, of: u64) -> Range<u64> {
    let at = |i: u64| (i as u128 * count as u128 / of as u128) as u64;
    at(index)..at(index + 1)
}

/// Sample the blocks of shard `spec` of `plan`, with a progress bar over its blocks.
pub fn sample_shard(
    plan: &Plan,
    spec: ShardSpec,
    threads: Option<usize>,
    global: &Global,
) -> Result<ShardFile> {
    let blocks: Vec<u64> = shard_range(plan.block_count(), spec.index, spec.of).collect();
    let bar = progress::bar(global, blocks.len() as u64, "sampling");
    let partial = run_blocks(plan, &blocks, threads, &|k| bar.inc(k))?;
    bar.finish_and_clear();
    Ok(ShardFile::new(
        partial,
        Some(Shards {
            of: spec.of,
            held: vec![spec.index],
        }),
    ))
}

/// `nnqft sample` with --shard or --mpi. A shard writes its file to `out` (required) and
/// returns None; MPI returns the finished measurement on rank 0 (for the usual output) and
/// None on the other ranks.
pub fn sample_scaled(
    plan: &Plan,
    scale: &ScaleArgs,
    threads: Option<usize>,
    out: Option<&Path>,
    global: &Global,
) -> Result<Option<Measurement>> {
    if let Some(spec) = scale.shard {
        let Some(out) = out else {
            bail!("--shard writes a shard file: give it with --out FILE (then `nnqft merge`)");
        };
        let count = plan.block_count();
        let r = shard_range(count, spec.index, spec.of);
        if r.is_empty() {
            eprintln!(
                "warning: shard {}/{} holds no block: the plan has only {count} blocks (of up to {} nets), fewer than {} shards; its file is valid and merges",
                spec.index, spec.of, plan.block_size, spec.of
            );
        }
        let file = sample_shard(plan, spec, threads, global)?;
        file.write(out)?;
        if global.json {
            return crate::cli::output::print_json(&file.describe()?).map(|()| None);
        }
        let nets: u64 = file::nets_per_experiment(plan, &file.partial.blocks)?
            .iter()
            .sum();
        println!(
            "shard {}/{}: blocks {} ({} of {count}), {nets} nets; wrote {}",
            spec.index,
            spec.of,
            if r.is_empty() {
                "none".to_string()
            } else {
                combine::describe_ranges(&[(r.start, r.end)], 1)
            },
            r.end - r.start,
            out.display()
        );
        return Ok(None);
    }
    if scale.mpi {
        return sample_mpi(plan, threads, global);
    }
    bail!("neither --shard nor --mpi was given")
}

#[cfg(feature = "mpi")]
fn sample_mpi(plan: &Plan, threads: Option<usize>, global: &Global) -> Result<Option<Measurement>> {
    match crate::mpi::sample(plan, threads, global)? {
        Some(partial) => Ok(Some(nnqft_ensemble::finish(&partial)?)),
        None => Ok(None),
    }
}

#[cfg(not(feature = "mpi"))]
fn sample_mpi(_: &Plan, _: Option<usize>, _: &Global) -> Result<Option<Measurement>> {
    bail!(
        "this nnqft was built without MPI: rebuild it with `cargo build --release -p nnqft --features mpi` (needs OpenMPI and libclang), or use --shard I/S and `nnqft merge`"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_blocks_evenly() {
        for count in [1u64, 5, 6, 40, 1001] {
            for of in [1u64, 2, 3, 7, 64] {
                let mut next = 0;
                let mut sizes = vec![];
                for i in 0..of {
                    let r = shard_range(count, i, of);
                    assert_eq!(r.start, next, "contiguous");
                    next = r.end;
                    sizes.push(r.end - r.start);
                    for b in r {
                        assert_eq!(combine::shard_of(b, count, of), i);
                    }
                }
                assert_eq!(next, count, "covers every block");
                let (lo, hi) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
                assert!(hi - lo <= 1, "balanced: {sizes:?}");
            }
        }
    }

    #[test]
    fn shard_specs_parse_and_refuse() {
        assert_eq!("2/5".parse(), Ok(ShardSpec { index: 2, of: 5 }));
        assert_eq!("0/1".parse(), Ok(ShardSpec { index: 0, of: 1 }));
        for bad in ["5/5", "1/0", "3", "a/4", "-1/4", "1/4/2"] {
            assert!(bad.parse::<ShardSpec>().is_err(), "{bad}");
        }
    }
}
