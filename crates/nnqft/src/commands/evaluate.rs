//! `nnqft evaluate`: every class (or labelled diagram) of the expansion of G^(n) at one input
//! tuple under a cutoff (`nnqft_integrate::evaluate` computes it; this module reads the flags
//! and prints).

use crate::cli::{ArchArgs, Global, output, progress};
use anyhow::{Context, Result, bail};
use nnqft_diagrams::{ExpansionSpec, expand};
use nnqft_integrate::{Cutoff, Evaluation, evaluate};
use serde::Serialize;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Number n of external points (4 or 6; any even n >= 2 works).
    #[arg(long, value_name = "N")]
    pub points: usize,
    /// Largest number of interaction vertices.
    #[arg(long, value_name = "K")]
    pub order: usize,
    #[command(flatten)]
    pub arch: ArchArgs,
    /// Indices into the input list of the n external points, comma separated (0-based).
    #[arg(long, value_delimiter = ',')]
    pub tuple: Vec<usize>,
    /// Cutoff L of the box [-L, L]^d, or `inf` (only where the integrals converge: Gauss-net).
    #[arg(long, allow_hyphen_values = true)]
    pub cutoff: String,
    /// Value of the quartic coupling lambda.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub lambda: f64,
    /// Value of the sextic coupling kappa.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub kappa: f64,
    /// List every labelled diagram instead of classes.
    #[arg(long)]
    pub diagrams: bool,
    /// Keep only connected diagrams.
    #[arg(long)]
    pub connected: bool,
    /// Keep diagrams with 2-point insertions.
    #[arg(long)]
    pub keep_self_energy: bool,
}

#[derive(Serialize)]
struct Report {
    tuple: Vec<usize>,
    cutoff: serde_json::Value,
    #[serde(flatten)]
    evaluation: Evaluation,
}

pub fn run(args: Args, global: &Global) -> Result<()> {
    args.arch.single_layer("evaluate")?;
    let net = args.arch.network()?;
    let xs = args.arch.inputs()?;
    let cutoff: Cutoff = args
        .cutoff
        .parse()
        .with_context(|| format!("invalid --cutoff '{}'", args.cutoff))?;
    if args.tuple.len() != args.points {
        bail!(
            "--tuple has {} indices but --points is {}",
            args.tuple.len(),
            args.points
        );
    }
    if let Some(&bad) = args.tuple.iter().find(|&&i| i >= xs.len()) {
        bail!(
            "--tuple index {bad} is out of range: there are {} inputs (indices 0..{})",
            xs.len(),
            xs.len() - 1
        );
    }
    for (name, g) in [("lambda", args.lambda), ("kappa", args.kappa)] {
        if !g.is_finite() {
            bail!("--{name} must be finite, got {g}");
        }
    }
    let mut spec = ExpansionSpec::new(args.points, args.order);
    spec.connected_only = args.connected;
    spec.keep_self_energy = args.keep_self_energy;
    let e = expand(&spec)?;
    let points: Vec<&[f64]> = args.tuple.iter().map(|&i| xs.point(i)).collect();
    // One value per vertex kind: the default expansion's are lambda and kappa.
    let couplings: Vec<f64> = spec
        .vertices
        .iter()
        .map(|v| match v.name.as_str() {
            "lambda" => args.lambda,
            "kappa" => args.kappa,
            _ => 1.0,
        })
        .collect();
    let bar = progress::bar(global, e.diagrams.len() as u64, "diagrams");
    let evaluation = evaluate(
        &net,
        &e,
        &points,
        cutoff,
        &couplings,
        args.diagrams,
        &|| bar.inc(1),
    )?;
    bar.finish_and_clear();
    let report = Report {
        tuple: args.tuple.clone(),
        cutoff: match cutoff.length() {
            Some(l) => serde_json::json!(l),
            None => serde_json::json!("inf"),
        },
        evaluation,
    };
    if global.json {
        return output::print_json(&report);
    }
    println!(
        "G{} of {} at tuple {:?}, cutoff {cutoff}, lambda = {}, kappa = {}, {} {}",
        args.points,
        net.arch().title(),
        args.tuple,
        args.lambda,
        args.kappa,
        report.evaluation.terms.len(),
        if args.diagrams { "diagrams" } else { "classes" }
    );
    println!(
        "{:>6} {:>14} {:>14} {:>22} {:>10} {:>22}",
        "class", "monomial", "coefficient", "integral", "error", "value"
    );
    for t in &report.evaluation.terms {
        println!(
            "{:>6} {:>14} {:>14} {:>22.14e} {:>10.2e} {:>22.14e}",
            t.class, t.monomial, t.coefficient, t.integral, t.error, t.value
        );
    }
    println!(
        "total = {:.14e} +- {:.2e}",
        report.evaluation.total, report.evaluation.total_error
    );
    Ok(())
}
