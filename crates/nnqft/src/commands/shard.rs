//! Sampling across machines: `nnqft sample --shard I/S` (one shard of the RNG blocks, written
//! as a shard file for `nnqft merge`) and `nnqft sample --mpi` (the blocks split over MPI
//! ranks, reduced to rank 0). Either way the union of the shards is exactly the one-shot run.
//! The shard domain (specs, block ranges, the file format, combining) is
//! `nnqft_ensemble::shard`; this module holds the flags, the files and the messages.

use crate::cli::{Global, output, progress};
use anyhow::{Context, Result, bail};
use nnqft_core::Measurement;
use nnqft_ensemble::Plan;
use nnqft_ensemble::shard::{
    self, FORMAT, ShardError, ShardFile, ShardSpec, VERSION, nets_per_experiment,
};
use std::path::Path;

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

/// Sample the blocks of shard `spec` of `plan`, with a progress bar over its blocks.
pub fn sample_shard(
    plan: &Plan,
    spec: ShardSpec,
    threads: Option<usize>,
    global: &Global,
) -> Result<ShardFile> {
    let bar = progress::bar(
        global,
        spec.blocks(plan.block_count()).count() as u64,
        "sampling",
    );
    let file = shard::sample_shard(plan, spec, threads, &|k| bar.inc(k))?;
    bar.finish_and_clear();
    Ok(file)
}

/// Read and check the shard file at `path` (errors name the file).
pub fn read(path: &Path) -> Result<ShardFile> {
    let text = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    ShardFile::from_json(&text)
        .map_err(|e| match e {
            ShardError::NotShardFile => anyhow::anyhow!(
                "not an nnqft shard file (write one with `nnqft sample --shard I/S --out FILE`)"
            ),
            e => e.into(),
        })
        .with_context(|| format!("{}", path.display()))
}

/// Write `file` to `path` atomically.
pub fn write(file: &ShardFile, path: &Path) -> Result<()> {
    output::write_atomic(path, file.to_json()?.as_bytes())
}

/// What a shard file holds, for `--json`: its header without the accumulators.
pub fn describe(file: &ShardFile) -> Result<serde_json::Value> {
    let p = &file.partial;
    Ok(serde_json::json!({
        "format": FORMAT,
        "version": VERSION,
        "nnqft": file.nnqft,
        "shards": file.shards,
        "plan": p.plan,
        "block_count": p.plan.block_count(),
        "blocks": p.blocks.ranges(),
        "nets_held": nets_per_experiment(&p.plan, &p.blocks)?.iter().sum::<u64>(),
    }))
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
        let r = spec.blocks(count);
        if r.is_empty() {
            eprintln!(
                "warning: shard {}/{} holds no block: the plan has only {count} blocks (of up to {} nets), fewer than {} shards; its file is valid and merges",
                spec.index(),
                spec.of(),
                plan.block_size(),
                spec.of()
            );
        }
        let file = sample_shard(plan, spec, threads, global)?;
        write(&file, out)?;
        if global.json {
            return output::print_json(&describe(&file)?).map(|()| None);
        }
        let nets: u64 = nets_per_experiment(plan, &file.partial.blocks)?
            .iter()
            .sum();
        println!(
            "shard {}/{}: blocks {} ({} of {count}), {nets} nets; wrote {}",
            spec.index(),
            spec.of(),
            if r.is_empty() {
                "none".to_string()
            } else {
                shard::describe_ranges(&[(r.start, r.end)], 1)
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
