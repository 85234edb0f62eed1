//! `nnqft rg`: the quartic coupling (and with `--couplings lambda,kappa` the sextic one)
//! against the cutoff: running, slope of log|lambda| against log L, beta functions
//! (docs/conventions.md section 6). Also the correlator sources shared by `predict` and `fit`.

use crate::cli::{ArchArgs, Global, output, progress};
use crate::plot::{Figure, Series};
use anyhow::{Context, Result, bail};
use nnqft_core::{InputSet, Measurement, Network, number, paper, sci};
pub use nnqft_fit::SourceHeader;
use nnqft_fit::fill::exact_deviations;
use nnqft_fit::{Couplings, Deviations, RgReport, VertexIntegrals, rg_flow};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// The paper's cutoff list for the ReLU running figure (`paper::CUTOFFS`), as the default of
/// --cutoffs: "7,10,15,...,100000".
static PAPER_CUTOFFS: LazyLock<String> = LazyLock::new(|| {
    paper::CUTOFFS
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join(",")
});

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub arch: ArchArgs,
    /// Width N (default: the NGP width of the paper's running study, ReLU 20, Erf 5, Gauss
    /// 100; with a FILE source, the file's width).
    #[arg(long)]
    pub width: Option<usize>,
    /// Cutoffs L, comma separated (positive, increasing).
    #[arg(long, default_value = PAPER_CUTOFFS.as_str())]
    pub cutoffs: String,
    /// Correlators: `exact` (one-neuron moments, no noise) or a FILE written by `nnqft sample`.
    #[arg(long, default_value = "exact")]
    pub source: String,
    /// Couplings to extract: `lambda` (from DeltaG4) or `lambda,kappa` (DeltaG4 and DeltaG6).
    #[arg(long, default_value = "lambda")]
    pub couplings: String,
    /// Also write DIR/rg.json and DIR/rg.svg (log10|lambda| against log10 L with the fitted line).
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
}

/// Where correlators come from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    Exact,
    /// Sample here and now (fit only).
    Sample,
    File(PathBuf),
}

impl Source {
    pub fn parse(s: &str) -> Source {
        match s.trim() {
            "exact" => Source::Exact,
            "sample" => Source::Sample,
            path => Source::File(PathBuf::from(path)),
        }
    }

    /// "exact", "sample" or the file name, as reported in JSON.
    pub fn label(&self) -> String {
        match self {
            Source::Exact => "exact".into(),
            Source::Sample => "sample".into(),
            Source::File(p) => p.display().to_string(),
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

/// Read a `Measurement` saved by `nnqft sample` (or `nnqft exact`).
pub fn read_measurement(path: &Path) -> Result<Measurement> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not a measurement written by `nnqft sample`",
            path.display()
        )
    })
}

/// Deviations of a saved measurement, checked against the requested network and width and
/// restricted to `inputs` (all of which must have been measured).
pub fn file_deviations(
    path: &Path,
    net: &Network,
    width: Option<usize>,
    inputs: &InputSet,
    six: bool,
) -> Result<Deviations> {
    let m = read_measurement(path)?;
    let dev = Deviations::from_measurement(&m)
        .and_then(|d| {
            d.check_settings(net, width)?;
            d.restrict(inputs)
        })
        .with_context(|| format!("{}", path.display()))?;
    if six && dev.dg6.is_none() {
        bail!(
            "{}: the 6-point function was not measured (sample with --npt 2,4,6)",
            path.display()
        );
    }
    Ok(dev)
}

/// Deviations from `exact` or a FILE (`sample` is only for `nnqft fit`).
pub fn load_deviations(
    source: &Source,
    net: &Network,
    width: Option<usize>,
    default_width: usize,
    inputs: &InputSet,
    six: bool,
) -> Result<Deviations> {
    match source {
        Source::Exact if net.depth() > 1 && six => bail!(
            "--source exact: the 6-point function of a deep network (depth {}) is not computed \
             at order 1/n; sample with `nnqft sample --depth {} --npt 2,4,6 --out FILE` and pass \
             --source FILE",
            net.depth(),
            net.depth()
        ),
        Source::Exact if net.depth() > 1 => {
            Ok(
                exact_deviations(net, width.unwrap_or(default_width), inputs, six).with_context(
                    || {
                        format!(
                            "--source exact: the 1/n correlators of a network of depth {}",
                            net.depth()
                        )
                    },
                )?,
            )
        }
        Source::Exact => Ok(exact_deviations(
            net,
            width.unwrap_or(default_width),
            inputs,
            six,
        )?),
        Source::File(p) => file_deviations(p, net, width, inputs, six),
        Source::Sample => bail!(
            "--source sample is available for `nnqft fit` only; sample with `nnqft sample --out FILE` and pass FILE"
        ),
    }
}

/// Parse a comma-separated list of positive, finite, increasing cutoffs.
pub fn parse_cutoffs(s: &str) -> Result<Vec<f64>> {
    let mut out = vec![];
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let l: f64 = part
            .parse()
            .with_context(|| format!("cutoff '{part}' is not a number"))?;
        if !(l.is_finite() && l > 0.0) {
            bail!("cutoffs must be positive and finite, got {part}");
        }
        if out.last().is_some_and(|&prev| l <= prev) {
            bail!(
                "cutoffs must increase, got {part} after {}",
                out.last().unwrap()
            );
        }
        out.push(l);
    }
    if out.is_empty() {
        bail!("no cutoffs given");
    }
    Ok(out)
}

fn parse_couplings(s: &str) -> Result<Couplings> {
    match s.replace(' ', "").to_ascii_lowercase().as_str() {
        "lambda" => Ok(Couplings::Lambda),
        "lambda,kappa" | "kappa,lambda" => Ok(Couplings::LambdaKappa),
        other => bail!("--couplings must be `lambda` or `lambda,kappa`, got `{other}`"),
    }
}

/// Refuse absurd work for a deep network (depth >= 2) up front, with the estimate: `integrals`
/// vertex integrals with `vertices` internal vertices and up to `kernels` deep kernels per node
/// over the box of half-width `cutoff` (None: R^d), plus the 1/n tensors of an exact source.
pub fn check_deep_work(
    net: &Network,
    inputs: &InputSet,
    source: &Source,
    cutoff: Option<f64>,
    (vertices, kernels, integrals): (usize, usize, usize),
) -> Result<()> {
    use crate::cli::deep_cost::{check, integral_seconds, tensor_seconds};
    if net.depth() <= 1 {
        return Ok(());
    }
    let mut secs = integral_seconds(net, inputs.points(), cutoff, vertices, kernels, integrals);
    if *source == Source::Exact {
        secs += tensor_seconds(net, inputs.len());
    }
    check(net, "the vertex integrals and the correlators", secs)
}

/// Vertex integrals at every cutoff, in parallel, with a progress bar.
pub fn integrals_with_progress(
    global: &Global,
    net: &Network,
    inputs: &InputSet,
    cutoffs: &[f64],
    kappa: bool,
) -> Result<Vec<VertexIntegrals>> {
    let bar = progress::bar(global, cutoffs.len() as u64, "integrals");
    let out = nnqft_report::rg::integrals(net, inputs, cutoffs, kappa, &|k| bar.inc(k))?;
    bar.finish_and_clear();
    Ok(out)
}

#[derive(Serialize)]
struct RgOutput<'a> {
    #[serde(flatten)]
    header: SourceHeader,
    inputs: &'a [Vec<f64>],
    #[serde(flatten)]
    report: &'a RgReport,
}

pub fn run(args: Args, global: &Global) -> Result<()> {
    let net = args.arch.network()?;
    let xs = args.arch.inputs()?;
    let cutoffs = parse_cutoffs(&args.cutoffs)?;
    let couplings = parse_couplings(&args.couplings)?;
    let source = Source::parse(&args.source);
    if let Some(dir) = &args.out {
        super::experiment::prepare_dir(dir)?;
    }
    let kappa = couplings == Couplings::LambdaKappa;
    let tables = if kappa { 3 } else { 1 };
    check_deep_work(
        &net,
        &xs,
        &source,
        cutoffs.last().copied(),
        (1, xs.len() + 1, 2 * tables * cutoffs.len()),
    )?;
    let dev = load_deviations(
        &source,
        &net,
        args.width,
        paper::rg_width(net.arch()),
        &xs,
        kappa,
    )?;
    let ints = integrals_with_progress(global, &net, &dev.inputs, &cutoffs, kappa)?;
    let report = rg_flow(&dev, &ints, couplings)?;
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    let out = RgOutput {
        header: SourceHeader::new(&net, dev.width, &source),
        inputs: dev.inputs.points(),
        report: &report,
    };
    if let Some(dir) = &args.out {
        output::write_json(&dir.join("rg.json"), &out)?;
        write_svg(
            &dir.join("rg.svg"),
            &net,
            &dev.inputs,
            dev.width,
            &source,
            &report,
        )?;
    }
    if global.json {
        return output::print_json(&out);
    }
    print_table(&net, dev.width, &source, &report);
    Ok(())
}

/// ", depth L" for a deep network, with ", connected G4 at order 1/n" from the exact source;
/// nothing for one hidden layer.
pub fn deep_note(net: &Network, source: &Source) -> String {
    match (net.depth() > 1, source) {
        (false, _) => String::new(),
        (true, Source::Exact) => format!(
            ", depth {} (DeltaG4: the connected G4 at order 1/n)",
            net.depth()
        ),
        (true, _) => format!(", depth {} (DeltaG4 = G4 - sum_3 G2 G2)", net.depth()),
    }
}

fn print_table(net: &Network, width: usize, source: &Source, r: &RgReport) {
    println!(
        "{} (sigma_w = {}, sigma_b = {}, d = {}{}), width {width}, source {}: lambda = -DeltaG4/(24 I4) over {} tuples",
        net.arch().title(),
        nnqft_core::number(net.sigma_w()),
        nnqft_core::number(net.sigma_b()),
        net.d_in(),
        deep_note(net, source),
        source.label(),
        r.tuples.len()
    );
    let kept = r.tuples.len() - r.degenerate.len();
    println!(
        "per cutoff, over the {kept} of {} tuples that are not degenerate: the median and quartiles of the per-tuple lambda and beta/lambda, and the mean of lambda",
        r.tuples.len()
    );
    println!(
        "{:>10} {:>13} {:>25} {:>11} {:>13} {:>10}",
        "L", "median lambda", "quartiles", "beta/lambda", "mean lambda", "+-"
    );
    let q = |q: &Option<nnqft_fit::Quartiles>| {
        q.map_or(("-".to_string(), "-".to_string()), |q| {
            (
                sci(q.median, 5),
                format!("[{}, {}]", sci(q.q25, 3), sci(q.q75, 3)),
            )
        })
    };
    for k in 0..r.cutoffs.len() {
        let (med, quart) = q(&r.lambda_quartiles[k]);
        let bl =
            r.beta_over_lambda_quartiles[k].map_or("-".to_string(), |q| format!("{:.6}", q.median));
        println!(
            "{:>10} {:>13} {:>25} {:>11} {:>13} {:>10}",
            number(r.cutoffs[k]),
            med,
            quart,
            bl,
            sci(r.mean_lambda[k], 5),
            sci(r.mean_lambda_error[k], 2),
        );
    }
    match &r.tuple_slope_quartiles {
        Some(sq) => println!(
            "slope of log10|lambda| vs log10 L fitted per tuple: median {:.8}, quartiles [{:.6}, {:.6}] over {} tuples",
            sq.median,
            sq.q25,
            sq.q75,
            r.tuple_slopes.iter().flatten().count()
        ),
        None => println!("slope per tuple: - (one cutoff, or no tuple with a lambda of one sign)"),
    }
    if let (Some(s), Some(e), Some(r2)) = (r.slope, r.slope_error, r.r2) {
        println!(
            "slope of log10|mean lambda| vs log10 L: {s:.8} +- {e:.2e} (sampling; scatter {:.2e}), R^2 = {r2:.10}",
            r.slope_scatter_error.unwrap_or(0.0)
        );
    }
    for d in &r.degenerate {
        println!("degenerate tuple {:?}: {}", d.tuple, d.reason);
    }
    if let Some(j) = &r.joint {
        println!("lambda and kappa together (first order, DeltaG4 and DeltaG6):");
        println!(
            "{:>10} {:>13} {:>10} {:>13} {:>10} {:>13} {:>13} {:>10}",
            "L", "lambda", "+-", "kappa", "+-", "beta_lambda", "beta_kappa", "residual"
        );
        for k in 0..r.cutoffs.len() {
            println!(
                "{:>10} {:>13.5e} {:>10.2e} {:>13.5e} {:>10.2e} {:>13.5e} {:>13.5e} {:>10.3e}",
                r.cutoffs[k],
                j.lambda_joint[k],
                j.lambda_joint_error[k],
                j.kappa[k],
                j.kappa_error[k],
                j.beta_lambda_joint[k],
                j.beta_kappa[k],
                j.joint_residual[k]
            );
        }
    }
}

/// SVG of log10|lambda_t| per kept tuple and log10|mean lambda| against log10 L, with the
/// fitted line, captioned with every setting (network, inputs, width, source, cutoffs) and
/// what the points are.
fn write_svg(
    path: &Path,
    net: &Network,
    inputs: &InputSet,
    width: usize,
    source: &Source,
    r: &RgReport,
) -> Result<()> {
    let lx: Vec<f64> = r.cutoffs.iter().map(|l| l.log10()).collect();
    let log_abs = |v: f64| (v != 0.0 && v.is_finite()).then(|| v.abs().log10());
    let kept: Vec<bool> = r
        .tuples
        .iter()
        .map(|t| !r.degenerate.iter().any(|d| &d.tuple == t))
        .collect();
    let tuples: Vec<(f64, f64)> = r
        .lambda
        .iter()
        .zip(&lx)
        .flat_map(|(row, &x)| {
            row.iter()
                .zip(&kept)
                .filter(|(_, k)| **k)
                .filter_map(move |(&v, _)| log_abs(v).map(|y| (x, y)))
        })
        .collect();
    let mean: Vec<(f64, f64)> = lx
        .iter()
        .zip(&r.mean_lambda)
        .filter_map(|(&x, &m)| log_abs(m).map(|y| (x, y)))
        .collect();
    if mean.is_empty() && tuples.is_empty() {
        bail!("nothing to plot: every lambda vanishes");
    }
    let cutoffs = match (r.cutoffs.first(), r.cutoffs.last()) {
        (Some(a), Some(b)) if r.cutoffs.len() > 1 => {
            format!(
                "{} cutoffs L = {} .. {}",
                r.cutoffs.len(),
                number(*a),
                number(*b)
            )
        }
        (Some(a), _) => format!("cutoff L = {}", number(*a)),
        _ => String::new(),
    };
    let n_kept = kept.iter().filter(|k| **k).count();
    let left_out = match r.degenerate.len() {
        0 => String::new(),
        k => format!("; {k} degenerate tuples left out (listed in rg.json)"),
    };
    let mut fig = Figure::new(
        &format!(
            "{}{} width {width}: running quartic coupling",
            net.arch().title(),
            if net.depth() > 1 {
                format!(" depth {}", net.depth())
            } else {
                String::new()
            }
        ),
        "log10 L",
        "log10 |lambda|",
    )
    .caption(&crate::plot::caption::network(net, inputs))
    .caption(&format!(
        "width {width}, source {}, {cutoffs}, lambda = -DeltaG4/(24 I4)",
        source.label()
    ))
    .caption(&format!(
        "points: each of the {n_kept} 4-tuples, and their mean{left_out}"
    ))
    .with(Series::points("per tuple", tuples))
    .with(Series::points("mean over tuples", mean));
    if let (Some(s), Some(b)) = (r.slope, r.intercept) {
        let ends = [lx[0], lx[lx.len() - 1]].map(|x| (x, b + s * x)).to_vec();
        fig = fig.with(Series::line(
            &format!("fit to the mean: slope {s:.4}"),
            ends,
        ));
    }
    fig.write(path)
}
