//! `nnqft experiment`: the width sweep of sampled n-point functions (the paper's Section 3),
//! with its JSON and figures.

use crate::cli::{ArchArgs, Global, flags, output, progress};
use crate::plot::sweep::figures;
use anyhow::{Context, Result, bail};
use nnqft_core::paper;
use nnqft_ensemble::{Estimator, SweepConfig, SweepEvent, SweepResult, run_sweep};
use nnqft_integrate::exact_measurement;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub arch: ArchArgs,
    /// Widths N to sample.
    #[arg(long, value_delimiter = ',', default_values_t = paper::WIDTHS.to_vec())]
    pub widths: Vec<usize>,
    /// Networks per width (split evenly into the experiments).
    #[arg(long)]
    pub nets: u64,
    /// Independent experiments per width (for the background).
    #[arg(long, default_value_t = 10)]
    pub experiments: usize,
    /// Orders n to measure (even).
    #[arg(long, value_delimiter = ',', default_value = "2,4,6")]
    pub npt: Vec<usize>,
    /// RNG seed (the same for every width: width N reproduces `nnqft sample --width N`).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// How the correlators are estimated (as for `nnqft sample`): `conditional` or `direct`.
    #[arg(long, default_value = "conditional")]
    pub estimator: Estimator,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output directory (created with its parents if missing): experiment.json and figures.
    #[arg(long, short = 'o')]
    pub out: PathBuf,
}

/// Make sure the output directory `dir` exists, creating it and any missing parents.
pub fn prepare_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if dir.exists() {
        bail!("--out {}: exists and is not a directory", dir.display());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))
}

pub fn run(args: Args, global: &Global) -> Result<()> {
    let network = args.arch.network()?;
    let inputs = args.arch.inputs()?;
    super::sample::check_threads(args.threads)?;
    let config = SweepConfig {
        network,
        inputs,
        widths: args.widths.clone(),
        nets: args.nets,
        experiments: args.experiments,
        npt: args.npt.clone(),
        seed: args.seed,
        estimator: args.estimator,
    };
    for plan in config.plans().map_err(flags::ensemble)? {
        plan.check_work(plan.block_count())
            .map_err(flags::ensemble)?;
        crate::cli::deep::check_deep_cost(&plan)?;
    }
    let existed = args.out.is_dir();
    prepare_dir(&args.out)?;
    let result = sweep(&args, &config, global);
    if result.is_err() && !existed {
        // Leave no empty directory behind (remove_dir refuses a non-empty one).
        let _ = std::fs::remove_dir(&args.out);
    }
    result
}

/// Sample every width into `args.out` (which exists) and report.
fn sweep(args: &Args, config: &SweepConfig, global: &Global) -> Result<()> {
    let total: u64 = config
        .plans()
        .map_err(flags::ensemble)?
        .iter()
        .map(|p| p.block_count())
        .sum();
    let bar = progress::bar(global, total, "widths");
    let result = run_sweep(config, args.threads, &|ev| match ev {
        SweepEvent::WidthStarted { width, .. } => bar.set_message(format!("width {width}")),
        SweepEvent::Block => bar.inc(1),
        SweepEvent::WidthDone { .. } => {}
    })?;
    bar.finish_and_clear();
    for m in &result.measurements {
        for w in &m.warnings {
            eprintln!("warning: width {}: {w}", m.width);
        }
    }
    output::write_json(&args.out.join("experiment.json"), &result)?;
    // The exact m_n at the same widths, drawn over the sampled ones (skipped, with a note,
    // where the exact correlators are not available).
    let exact: Result<Vec<_>, _> = result
        .config
        .widths
        .par_iter()
        .map(|&w| {
            exact_measurement(
                &result.config.network,
                w,
                &result.config.inputs,
                &result.config.npt,
            )
        })
        .collect();
    let exact = exact
        .map_err(|e| eprintln!("note: no exact curves in the figures: {e}"))
        .ok();
    for (name, fig) in figures(&result, exact.as_deref()) {
        fig.write(&args.out.join(name))?;
    }
    if global.json {
        return output::print_json(&result);
    }
    print_summary(&result, &args.out);
    Ok(())
}

fn print_summary(r: &SweepResult, dir: &Path) {
    println!(
        "{} width sweep: {} nets x {} experiments per width, seed {}, {} estimator",
        r.config.network.arch().title(),
        r.config.nets / r.config.experiments as u64,
        r.config.experiments,
        r.config.seed,
        r.config.estimator
    );
    let ns: Vec<String> = r.config.npt.iter().map(|n| n.to_string()).collect();
    print!("{:>6}", "N");
    for n in &ns {
        print!(" {:>11} {:>11}", format!("m_{n}"), "background");
    }
    println!();
    for m in &r.measurements {
        print!("{:>6}", m.width);
        for n in &ns {
            let s = &m.summary[n];
            print!(
                " {:>11.3e} {:>11}",
                s.signal,
                s.background.map_or("-".into(), |b| format!("{b:.3e}"))
            );
        }
        println!();
    }
    for n in &ns {
        match &r.slopes[n] {
            Some(f) => println!(
                "slope of log m_{n} vs log N: {:.3}{} over N = {:?}",
                f.slope,
                f.stderr.map_or(String::new(), |e| format!(" +- {e:.3}")),
                f.widths
            ),
            None => println!(
                "slope of log m_{n} vs log N: none (fewer than two widths with m_{n} above twice the background)"
            ),
        }
    }
    if let Some(f) = &r.connected6_slope {
        println!(
            "slope of log mean|G6c| vs log N: {:.3}{} over N = {:?}",
            f.slope,
            f.stderr.map_or(String::new(), |e| format!(" +- {e:.3}")),
            f.widths
        );
    }
    println!("wrote {}", dir.join("experiment.json").display());
}
