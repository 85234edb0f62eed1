//! `nnqft fit`: fit candidate effective actions to the 4-point deviation and judge them on
//! held-out inputs, the paper's Table 5 with closed-form least squares (docs/conventions.md section 7).

use crate::cli::arch_args::{parse_arch, parse_bias};
use crate::cli::{Global, flags, output, progress};
use crate::commands::rg::{Source, SourceHeader, check_deep_work, file_deviations};
use anyhow::{Context, Result, bail};
use nnqft_core::{Arch, BiasDist, InputSet, Network, paper};
use nnqft_ensemble::{Plan, Settings};
use nnqft_fit::fill::{exact_deviations, paper_operators};
use nnqft_fit::{Deviations, FitData, FitReport, Model, Weighting, fit_models, paper_models};
use nnqft_integrate::Cutoff;
use serde::Serialize;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Architecture: erf, relu or gauss.
    #[arg(long, value_parser = parse_arch)]
    pub arch: Arch,
    /// Hidden-bias distribution: normal (b0 ~ Normal(0, sb^2)) or uniform (b0 uniform on
    /// [-pi, pi]); used by the exact correlators, the sampled ones and the operator integrals.
    #[arg(long, value_parser = parse_bias, default_value = "normal")]
    pub bias_dist: BiasDist,
    /// Weight scale sigma_w (default 1).
    #[arg(long)]
    pub sigma_w: Option<f64>,
    /// Bias scale sigma_b (default 1; 0 for relu).
    #[arg(long)]
    pub sigma_b: Option<f64>,
    /// Input dimension d (default inputs lie on the diagonal).
    #[arg(long, default_value_t = 1)]
    pub d_in: usize,
    /// Hidden layers L, each of the same width (docs/conventions.md section 11; default 1).
    /// With the exact source and L >= 2, DeltaG4 is the connected 4-point function at order 1/n.
    #[arg(long, default_value_t = 1)]
    pub depth: usize,
    /// Width N (default: the paper's NGP widths, Gauss 1000, Erf 5, ReLU 20; with a FILE
    /// source, the file's width).
    #[arg(long)]
    pub width: Option<usize>,
    /// Models to fit, comma separated, from M0 (free), M1 (lambda_0), M2 (+ lambda_2),
    /// M3 (+ lambda_NL).
    #[arg(long, default_value = "M0,M1,M2,M3")]
    pub models: String,
    /// Correlators: `exact`, `sample` (sample here with --nets/--seed) or a FILE written by
    /// `nnqft sample` that holds both input sets.
    #[arg(long, default_value = "exact")]
    pub source: String,
    /// Networks to sample with --source sample.
    #[arg(long, default_value_t = 1_000_000)]
    pub nets: u64,
    /// Experiments the sampled networks are split into.
    #[arg(long, default_value_t = 10)]
    pub experiments: usize,
    /// RNG seed for --source sample.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Train inputs (default: the test inputs times sqrt(2)/2, as the paper's code).
    #[arg(long, allow_hyphen_values = true)]
    pub train_inputs: Option<String>,
    /// Test inputs (default: (0.2, 0.4, ..., 1.2) times 0.01 for Gauss and Erf, times 1 for ReLU).
    #[arg(long, allow_hyphen_values = true)]
    pub test_inputs: Option<String>,
    /// Cutoff L of the operator integrals, or `inf` (Gauss only). Default: Gauss inf, else 100.
    #[arg(long)]
    pub cutoff: Option<String>,
    /// Row weighting: `errors` (1/sigma, default when sampled), `plain` (MSE, the paper's loss,
    /// default when exact) or `relative` (1/|DeltaG4|, MAPE-like).
    #[arg(long)]
    pub weighting: Option<String>,
    /// Also write DIR/fit.json.
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
}

/// The paper's Table 5 cutoff for `arch` (`paper::fit_cutoff`): infinite for Gauss-net, else 100.
pub fn paper_cutoff(arch: Arch) -> Cutoff {
    paper::fit_cutoff(arch).map_or(Cutoff::INFINITE, Cutoff::finite_unchecked)
}

fn parse_models(s: &str) -> Result<Vec<Model>> {
    let all = paper_models();
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|name| {
            all.iter()
                .find(|m| m.name.eq_ignore_ascii_case(name))
                .cloned()
                .with_context(|| format!("unknown model '{name}' (expected M0, M1, M2 or M3)"))
        })
        .collect()
}

/// The union of two input sets (each point once), for sampling both in one run.
fn union(a: &InputSet, b: &InputSet) -> Result<InputSet> {
    let mut pts: Vec<Vec<f64>> = a.points().to_vec();
    for p in b.points() {
        if !pts.contains(p) {
            pts.push(p.clone());
        }
    }
    Ok(InputSet::new(pts)?)
}

#[derive(Serialize)]
struct FitOutput<'a> {
    #[serde(flatten)]
    header: SourceHeader,
    cutoff: serde_json::Value,
    train_inputs: &'a [Vec<f64>],
    test_inputs: &'a [Vec<f64>],
    #[serde(flatten)]
    report: &'a FitReport,
}

pub fn run(args: Args, global: &Global) -> Result<()> {
    let arch = args.arch;
    let net = Network::new(
        arch,
        args.sigma_w.unwrap_or(arch.default_sigma_w()),
        args.sigma_b.unwrap_or(arch.default_sigma_b()),
        args.d_in,
    )?
    .with_bias(args.bias_dist)
    .with_depth(args.depth)
    .map_err(|e| anyhow::anyhow!("--depth: {e}"))?;
    let test = match &args.test_inputs {
        Some(s) => InputSet::parse(s, arch, Some(args.d_in))?,
        None => paper::test_inputs(arch, args.d_in)?,
    };
    let train = match &args.train_inputs {
        Some(s) => InputSet::parse(s, arch, Some(args.d_in))?,
        None => test.scaled(paper::TRAIN_SCALE)?,
    };
    let cutoff: Cutoff = match &args.cutoff {
        Some(s) => s
            .parse()
            .map_err(|e| anyhow::anyhow!("--cutoff {s}: {e}"))?,
        None => paper_cutoff(arch),
    };
    let models = parse_models(&args.models)?;
    if models.is_empty() {
        bail!("no models given");
    }
    if let Some(dir) = &args.out {
        super::experiment::prepare_dir(dir)?;
    }
    let source = Source::parse(&args.source);
    // Per input set: the lambda_0 and lambda_2 columns (one vertex), lambda_NL (two).
    check_deep_work(
        &net,
        &union(&train, &test)?,
        &source,
        cutoff.length(),
        (2, train.len().max(test.len()) + 2, 6),
    )?;
    let (dev_train, dev_test): (Deviations, Deviations) = match &source {
        Source::Exact => {
            let w = args.width.unwrap_or(paper::fit_width(arch));
            (
                exact_deviations(&net, w, &train, false)?,
                exact_deviations(&net, w, &test, false)?,
            )
        }
        Source::File(p) => (
            file_deviations(p, &net, args.width, &train, false)?,
            file_deviations(p, &net, args.width, &test, false)?,
        ),
        Source::Sample => {
            let w = args.width.unwrap_or(paper::fit_width(arch));
            let settings =
                Settings::new(net, union(&train, &test)?, w, &[2, 4]).map_err(flags::ensemble)?;
            let plan = Plan::new(settings, args.nets, args.experiments, args.seed)
                .map_err(flags::ensemble)?;
            crate::cli::deep::check_deep_cost(&plan)?;
            let bar = progress::bar(global, plan.block_count(), "sampling");
            let m = nnqft_ensemble::sample(&plan, None, &|k| bar.inc(k))?;
            bar.finish_and_clear();
            let all = Deviations::from_measurement(&m)?;
            (all.restrict(&train)?, all.restrict(&test)?)
        }
    };
    let weighting = match args.weighting.as_deref() {
        None if dev_train.sampled => Weighting::Errors,
        None => Weighting::Plain,
        Some("errors") => Weighting::Errors,
        Some("plain") => Weighting::Plain,
        Some("relative") => Weighting::Relative,
        Some(other) => bail!("--weighting must be errors, plain or relative, got '{other}'"),
    };
    let bar = progress::bar(global, 2, "integrals");
    let train_data = FitData::new(&dev_train, paper_operators(&net, &train, cutoff)?)?;
    bar.inc(1);
    let test_data = FitData::new(&dev_test, paper_operators(&net, &test, cutoff)?)?;
    bar.finish_and_clear();
    let report = fit_models(&train_data, &test_data, &models, weighting)?;
    for m in &report.models {
        for w in &m.warnings {
            eprintln!("warning: {w}");
        }
    }
    let out = FitOutput {
        header: SourceHeader::new(&net, dev_train.width, &source),
        cutoff: match cutoff.length() {
            Some(l) => serde_json::json!(l),
            None => serde_json::json!("inf"),
        },
        train_inputs: train.points(),
        test_inputs: test.points(),
        report: &report,
    };
    if let Some(dir) = &args.out {
        output::write_json(&dir.join("fit.json"), &out)?;
    }
    if global.json {
        return output::print_json(&out);
    }
    print_table(&net, dev_train.width, &source, cutoff, &report);
    Ok(())
}

fn print_table(net: &Network, width: usize, source: &Source, cutoff: Cutoff, r: &FitReport) {
    println!(
        "{}{} width {width}, source {}, cutoff {cutoff}, weighting {}: DeltaG4 = -(lambda_0 T0 + lambda_2 T2 + lambda_NL TNL)",
        net.arch().title(),
        crate::commands::rg::deep_note(net, source),
        source.label(),
        serde_json::to_value(r.weighting)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    );
    println!(
        "{:<5} {:>24} {:>24} {:>24} {:>10} {:>11} {:>11} {:>11} {:>9}",
        "model",
        "lambda_0",
        "lambda_2",
        "lambda_NL",
        "cond",
        "train MAPE",
        "test MAPE",
        "test MSE",
        "chi2/dof"
    );
    for m in &r.models {
        let c = |name: &str| match (m.couplings.get(name), m.errors.get(name)) {
            (Some(v), Some(e)) => format!("{v:.4e} +- {e:.1e}"),
            _ => "0".into(),
        };
        println!(
            "{:<5} {:>24} {:>24} {:>24} {:>10.2e} {:>11.5} {:>11.5} {:>11.3e} {:>9}",
            m.name,
            c("lambda_0"),
            c("lambda_2"),
            c("lambda_NL"),
            m.condition,
            m.train.mape,
            m.test.mape,
            m.test.mse,
            m.test
                .chi2_dof
                .map_or("-".to_string(), |v| format!("{v:.3}"))
        );
    }
}
