//! `nnqft sample`: sample an ensemble of networks and measure its n-point functions.

use crate::cli::{ArchArgs, Global, flags, output, progress};
use anyhow::{Result, bail};
use nnqft_core::Measurement;
use nnqft_ensemble::{Estimator, Plan, Sampled, Settings};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub arch: ArchArgs,
    /// Hidden-layer width N.
    #[arg(long)]
    pub width: usize,
    /// Number of networks in all (split evenly into the experiments).
    #[arg(long)]
    pub nets: u64,
    /// Independent experiments the networks are split into (for the background).
    #[arg(long, default_value_t = 10)]
    pub experiments: usize,
    /// RNG seed: the output is a function of the settings and the seed alone.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Orders n of the correlators to measure (even).
    #[arg(long, value_delimiter = ',', default_value = "2,4,6")]
    pub npt: Vec<usize>,
    /// How the correlators are estimated: `conditional` integrates the output layer out (the
    /// moments of the random kernel Q; errors do not grow with the width; orders up to 6),
    /// `direct` averages products of the sampled outputs (the paper's estimator).
    #[arg(long, default_value = "conditional")]
    pub estimator: Estimator,
    /// Worker threads (default: all cores); the result does not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Write the JSON result to this file (atomically).
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub scale: super::shard::ScaleArgs,
}

/// Validate `--threads`: at least one.
pub fn check_threads(threads: Option<usize>) -> Result<()> {
    if threads == Some(0) {
        bail!("--threads must be at least 1");
    }
    Ok(())
}

pub fn run(args: Args, global: &Global) -> Result<()> {
    let net = args.arch.network()?;
    let xs = args.arch.inputs()?;
    check_threads(args.threads)?;
    let settings = Settings::new(net, xs, args.width, &args.npt)
        .and_then(|s| s.with_estimator(args.estimator))
        .map_err(flags::ensemble)?;
    let plan =
        Plan::new(settings, args.nets, args.experiments, args.seed).map_err(flags::ensemble)?;
    crate::cli::deep::check_deep_cost(&plan)?;
    if let Some(out) = &args.out {
        output::check_output_path(out)?;
    }
    let m = if args.scale.active() {
        let out = args.out.as_deref();
        match super::shard::sample_scaled(&plan, &args.scale, args.threads, out, global)? {
            Some(m) => m,
            None => return Ok(()),
        }
    } else {
        let bar = progress::bar(global, plan.block_count(), "sampling");
        let m = nnqft_ensemble::sample(&plan, args.threads, &|k| bar.inc(k))?;
        bar.finish_and_clear();
        m
    };
    emit(&m, plan.settings().estimator(), args.out.as_deref(), global)
}

/// Report a finished measurement made with `estimator`: warnings on stderr, the JSON to
/// `out` (atomically) if given, then the JSON alone on stdout with --json or else a short
/// human summary.
pub fn emit(
    m: &Measurement,
    estimator: Estimator,
    out: Option<&Path>,
    global: &Global,
) -> Result<()> {
    for w in &m.warnings {
        eprintln!("warning: {w}");
    }
    let json = Sampled {
        measurement: m,
        estimator,
    };
    if let Some(out) = out {
        output::write_json(out, &json)?;
    }
    if global.json {
        return output::print_json(&json);
    }
    print_summary(m, estimator);
    Ok(())
}

/// A short human summary: per n the entry count, the signal m_n and the background.
pub fn print_summary(m: &Measurement, estimator: Estimator) {
    println!(
        "{}-net (sigma_w = {}, sigma_b = {}, d = {}), width {}: {} nets in {} experiments, seed {}, {} inputs, {estimator} estimator",
        m.arch.title().trim_end_matches("-net"),
        nnqft_core::number(m.sigma_w),
        nnqft_core::number(m.sigma_b),
        m.d_in,
        m.width,
        m.nets,
        m.experiments,
        m.seed.map_or("-".to_string(), |s| s.to_string()),
        m.inputs.len()
    );
    println!(
        "{:>4} {:>8} {:>14} {:>14}",
        "n", "entries", "signal m_n", "background"
    );
    let mut ns: Vec<usize> = m.summary.keys().filter_map(|k| k.parse().ok()).collect();
    ns.sort_unstable();
    for n in ns {
        let k = n.to_string();
        let s = &m.summary[&k];
        println!(
            "{:>4} {:>8} {:>14.4e} {:>14}",
            n,
            m.correlators.get(&k).map_or(0, |c| c.len()),
            s.signal,
            s.background.map_or("-".to_string(), |b| format!("{b:.4e}"))
        );
    }
}
