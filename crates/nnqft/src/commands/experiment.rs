//! `nnqft experiment`: the width sweep of sampled n-point functions (the paper's Section 3),
//! with its JSON and figures.

use crate::cli::{ArchArgs, Global, flags, output, progress};
use crate::plot::deep::depth_figures;
use crate::plot::sweep::figures;
use anyhow::{Context, Result, bail};
use nnqft_core::Measurement;
use nnqft_core::paper;
use nnqft_ensemble::{Estimator, SweepConfig, SweepEvent, SweepResult, run_sweep};
use nnqft_integrate::{DepthPoint, depth_point, exact_measurement};
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
    /// Depths L of a depth sweep (e.g. 1,2,4,8): every (L, N) with N in --widths is sampled
    /// as well, and g4_depth.svg (the connected 4-point function against depth, with the 1/n
    /// prediction) and residual.svg (its residual against L/n) are drawn; experiment.json gets
    /// the points under "depth_sweep". Needs 4 in --npt.
    #[arg(long, value_delimiter = ',')]
    pub depths: Vec<usize>,
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
    let mut configs = vec![config];
    if !args.depths.is_empty() && !args.npt.contains(&4) {
        bail!("--depths: the depth sweep measures the connected 4-point function: add 4 to --npt");
    }
    for &depth in &args.depths {
        if depth == network.depth() || configs.iter().any(|c| c.network.depth() == depth) {
            continue;
        }
        let mut c = configs[0].clone();
        c.network = network
            .with_depth(depth)
            .map_err(|e| anyhow::anyhow!("--depths: {e}"))?;
        configs.push(c);
    }
    for c in &configs {
        for plan in c.plans().map_err(flags::ensemble)? {
            plan.check_work(plan.block_count())
                .map_err(flags::ensemble)?;
            crate::cli::deep::check_deep_cost(&plan)?;
        }
    }
    let existed = args.out.is_dir();
    prepare_dir(&args.out)?;
    let result = sweep(&args, &configs, global);
    if result.is_err() && !existed {
        // Leave no empty directory behind (remove_dir refuses a non-empty one).
        let _ = std::fs::remove_dir(&args.out);
    }
    result
}

/// The theory at every width of a sweep: exact at depth 1; the 1/n result at depth >= 2, for
/// the orders 2 and 4 only (the deep 6-point function has no 1/n result). Err with the reason
/// where it is not available.
fn predictions(config: &SweepConfig) -> Result<Vec<Measurement>, String> {
    let net = &config.network;
    let npt: Vec<usize> = if net.depth() > 1 {
        config
            .npt
            .iter()
            .copied()
            .filter(|n| matches!(n, 2 | 4))
            .collect()
    } else {
        config.npt.clone()
    };
    if npt.is_empty() {
        return Err("the 1/n result of a deep network covers n = 2 and 4 only".into());
    }
    config
        .widths
        .par_iter()
        .map(|&w| exact_measurement(net, w, &config.inputs, &npt))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())
}

/// Run one sweep with its progress bar, printing its warnings.
fn run_one(config: &SweepConfig, threads: Option<usize>, global: &Global) -> Result<SweepResult> {
    let total: u64 = config
        .plans()
        .map_err(flags::ensemble)?
        .iter()
        .map(|p| p.block_count())
        .sum();
    let depth = config.network.depth();
    let label = if depth > 1 {
        format!("depth {depth}, ")
    } else {
        String::new()
    };
    let bar = progress::bar(global, total, "widths");
    let result = run_sweep(config, threads, &|ev| match ev {
        SweepEvent::WidthStarted { width, .. } => bar.set_message(format!("{label}width {width}")),
        SweepEvent::Block => bar.inc(1),
        SweepEvent::WidthDone { .. } => {}
    })?;
    bar.finish_and_clear();
    for m in &result.measurements {
        for w in &m.warnings {
            eprintln!("warning: {label}width {}: {w}", m.width);
        }
    }
    Ok(result)
}

/// Sample every sweep into `args.out` (which exists) and report: the first of `configs` is the
/// width sweep at --depth, the others the further depths of --depths.
fn sweep(args: &Args, configs: &[SweepConfig], global: &Global) -> Result<()> {
    let results: Vec<SweepResult> = configs
        .iter()
        .map(|c| run_one(c, args.threads, global))
        .collect::<Result<_>>()?;
    let result = &results[0];
    // The exact (depth 1) or 1/n (depth >= 2) m_n at the same widths, drawn over the sampled
    // ones (skipped, with a note, where the theory is not available).
    let theory: Vec<Option<Vec<Measurement>>> = results
        .iter()
        .map(|r| {
            predictions(&r.config)
                .map_err(|e| {
                    eprintln!(
                        "note: depth {}: no theory curves in the figures: {e}",
                        r.config.network.depth()
                    )
                })
                .ok()
        })
        .collect();
    let deep = result.config.network.depth() > 1;
    let mut points: Vec<DepthPoint> = vec![];
    if deep || !args.depths.is_empty() {
        for (r, t) in results.iter().zip(&theory) {
            if let Some(t) = t {
                points.extend(
                    r.measurements
                        .iter()
                        .zip(t)
                        .filter_map(|(s, p)| depth_point(s, p)),
                );
            }
        }
    }
    points.sort_by_key(|p| (p.width, p.depth));
    let json = if deep || !args.depths.is_empty() {
        let mut v = serde_json::to_value(result)?;
        if let (true, Some(t)) = (deep, &theory[0]) {
            v["one_over_n"] = serde_json::to_value(t)?;
        }
        if !points.is_empty() {
            v["depth_sweep"] = serde_json::to_value(&points)?;
        }
        Some(v)
    } else {
        None
    };
    match &json {
        Some(v) => output::write_json(&args.out.join("experiment.json"), v)?,
        None => output::write_json(&args.out.join("experiment.json"), result)?,
    }
    for (name, fig) in figures(result, theory[0].as_deref()) {
        fig.write(&args.out.join(name))?;
    }
    let title = result.config.network.arch().title();
    let mut caption = crate::plot::sweep::caption(result);
    if !args.depths.is_empty() {
        let mut ds: Vec<usize> = results.iter().map(|r| r.config.network.depth()).collect();
        ds.sort_unstable();
        let ds: Vec<String> = ds.iter().map(|d| d.to_string()).collect();
        caption.push(format!("depth sweep: L = {}", ds.join(", ")));
    }
    for (name, fig) in depth_figures(&title, &points, &caption) {
        if name == "g4_depth.svg" && args.depths.is_empty() {
            continue;
        }
        if name == "residual.svg" && !points.iter().any(|p| p.depth >= 2) {
            continue;
        }
        fig.write(&args.out.join(name))?;
    }
    if global.json {
        return match &json {
            Some(v) => output::print_json(v),
            None => output::print_json(result),
        };
    }
    print_summary(result, &args.out);
    if !points.is_empty() {
        println!(
            "{:>6} {:>6} {:>8} {:>11} {:>10} {:>11} {:>9}",
            "L", "N", "L/N", "S4 sampled", "stderr", "S4 theory", "residual"
        );
        for p in &points {
            println!(
                "{:>6} {:>6} {:>8.4} {:>11.4e} {:>10.2e} {:>11.4e} {:>9.3e}",
                p.depth, p.width, p.depth_over_width, p.sampled, p.stderr, p.predicted, p.residual
            );
        }
    }
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
