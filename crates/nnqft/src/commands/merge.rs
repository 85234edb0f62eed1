//! `nnqft merge`: combine the shard files of one `nnqft sample --shard I/S` run into the
//! measurement of the whole run, byte-identical to the one-shot `nnqft sample` with the same
//! seed (the exact sums do not depend on how the blocks were grouped).

use super::sample::emit;
use super::shard;
use crate::cli::{Global, output};
use anyhow::Result;
use nnqft_ensemble::shard::Combiner;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Shard files written by `nnqft sample --shard I/S --out FILE` (any order).
    #[arg(required = true, value_name = "SHARD")]
    pub files: Vec<PathBuf>,
    /// Write the merged measurement (the JSON of `nnqft sample`) to this file, atomically.
    /// Every block of the run must be present.
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Write the combined shards as one bigger shard file (may be incomplete: merge it later
    /// with the rest); without --out nothing else is computed.
    #[arg(long)]
    pub partial_out: Option<PathBuf>,
}

pub fn run(args: Args, global: &Global) -> Result<()> {
    for p in args.out.iter().chain(&args.partial_out) {
        output::check_output_path(p)?;
    }
    let mut combiner = Combiner::new();
    for path in &args.files {
        let file = shard::read(path)?;
        combiner.add(&path.display().to_string(), file)?;
    }
    if let Some(p) = &args.partial_out {
        let combined = combiner.into_partial()?;
        shard::write(&combined, p)?;
        if args.out.is_none() {
            if global.json {
                return output::print_json(&shard::describe(&combined)?);
            }
            let part = &combined.partial;
            println!(
                "wrote {} holding {} of {} blocks",
                p.display(),
                part.blocks.count(),
                part.plan.block_count()
            );
            return Ok(());
        }
        combiner = Combiner::new();
        combiner.add(&p.display().to_string(), combined)?;
    }
    let partial = combiner.into_complete()?;
    let m = nnqft_ensemble::finish(&partial)?;
    emit(
        &m,
        partial.plan.settings().estimator(),
        args.out.as_deref(),
        global,
    )
}
