//! `nnqft sample --mpi` (cargo feature `mpi`): rank r of P samples shard r of P of the plan's
//! blocks; every rank sends its partial, as shard-file bytes, to rank 0, which combines them
//! in rank order. The exact sums make the result bit-identical to the one-process run.

use crate::cli::{Global, progress};
use anyhow::{Context, Result, anyhow, bail};
use mpi::traits::*;
use nnqft_ensemble::shard::{Combiner, ShardFile, ShardSpec, sample_shard};
use nnqft_ensemble::{Partial, Plan};

/// Leading byte of a rank's message: its shard file follows, or its error text.
const OK: u8 = 0;
const FAILED: u8 = 1;

/// Threads per rank when --threads is not given: the cores divided among the ranks that
/// share this node (at least one), so that P ranks on one machine do not oversubscribe it.
fn default_threads(local_ranks: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (cores / local_ranks.max(1)).max(1)
}

/// Sample `plan` over the ranks of MPI_COMM_WORLD. Rank 0 returns the complete partial;
/// the other ranks return None (also when their own sampling failed: rank 0 reports it).
pub fn sample(plan: &Plan, threads: Option<usize>, global: &Global) -> Result<Option<Partial>> {
    let universe = mpi::initialize().context("cannot initialize MPI (already initialized?)")?;
    let world = universe.world();
    let (rank, size) = (world.rank(), world.size());
    let threads = threads.or_else(|| Some(default_threads(world.split_shared(0).size() as usize)));
    let spec = ShardSpec::new(rank as u64, size as u64)?;
    // Only rank 0 draws progress.
    let quiet = Global {
        quiet: global.quiet || rank != 0,
        ..global.clone()
    };
    let bar = progress::bar(
        &quiet,
        spec.blocks(plan.block_count()).count() as u64,
        "sampling",
    );
    let own = sample_shard(plan, spec, threads, &|k| bar.inc(k));
    bar.finish_and_clear();
    let root = world.process_at_rank(0);
    if rank != 0 {
        let msg = match own.and_then(|f| f.to_json()) {
            Ok(text) => [&[OK], text.as_bytes()].concat(),
            Err(e) => [&[FAILED], format!("{:#}", anyhow!(e)).as_bytes()].concat(),
        };
        root.send(&msg[..]);
        return Ok(None);
    }
    if size as u64 > plan.block_count() {
        eprintln!(
            "warning: {size} MPI ranks for a plan of only {} blocks: {} ranks have nothing to do",
            plan.block_count(),
            size as u64 - plan.block_count()
        );
    }
    // Receive from every rank before judging, so that no rank is left blocked in a send.
    let mut messages = vec![];
    for r in 1..size {
        let (msg, _) = world.process_at_rank(r).receive_vec::<u8>();
        messages.push((r, msg));
    }
    let mut combiner = Combiner::new();
    combiner.add("rank 0", own?)?;
    for (r, msg) in messages {
        let name = format!("rank {r}");
        match msg.split_first() {
            Some((&OK, text)) => {
                let file = ShardFile::from_json(text).with_context(|| name.clone())?;
                combiner.add(&name, file)?;
            }
            Some((&FAILED, text)) => bail!("{name}: {}", String::from_utf8_lossy(text)),
            _ => return Err(anyhow!("{name} sent a damaged message")),
        }
    }
    Ok(Some(combiner.into_complete()?))
}
