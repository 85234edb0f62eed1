//! `nnqft evaluate`: every class (or labelled diagram) of the expansion of G^(n) at one input
//! tuple under a cutoff: bare integral, error estimate, coefficient and contribution.
//!
//! A class's coefficient is the sum over its members (labelled diagrams that differ by the
//! placement of the external points), and its "integral" is the mean of the members'
//! integrals at the tuple, so that value = coefficient x couplings x integral is the sum of
//! the members' values.

use crate::cli::{ArchArgs, Global, output, progress};
use anyhow::{Context, Result, bail};
use nnqft_diagrams::{ExpansionSpec, expand};
use nnqft_integrate::{Cutoff, coefficient, diagram_integral, rational_to_f64};
use rayon::prelude::*;
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
struct Term {
    class: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    diagram: Option<usize>,
    monomial: String,
    coefficient: f64,
    integral: f64,
    error: f64,
    value: f64,
}

#[derive(Serialize)]
struct Report {
    tuple: Vec<usize>,
    cutoff: serde_json::Value,
    terms: Vec<Term>,
    total: f64,
    /// Sum of |coefficient x couplings| x error over the terms.
    total_error: f64,
}

pub fn run(args: Args, global: &Global) -> Result<()> {
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
    let couplings = |m: &[u32]| -> f64 {
        m.iter()
            .zip(&spec.vertices)
            .map(|(&p, v)| match v.name.as_str() {
                "lambda" => args.lambda.powi(p as i32),
                "kappa" => args.kappa.powi(p as i32),
                _ => 1.0,
            })
            .product()
    };
    let bar = progress::bar(global, e.diagrams.len() as u64, "diagrams");
    let integrals = e
        .diagrams
        .par_iter()
        .map(|d| {
            let r = diagram_integral(&net, d, &points, cutoff);
            bar.inc(1);
            r
        })
        .collect::<Result<Vec<_>, _>>()?;
    bar.finish_and_clear();
    let mut terms = Vec::new();
    if args.diagrams {
        for (i, (d, est)) in e.diagrams.iter().zip(&integrals).enumerate() {
            let c = coefficient(d);
            let g = couplings(&d.monomial);
            terms.push(Term {
                class: d.class,
                diagram: Some(i),
                monomial: e.monomial_name(&d.monomial),
                coefficient: c,
                integral: est.value,
                error: est.error,
                value: c * g * est.value,
            });
        }
    } else {
        for class in &e.classes {
            let members: Vec<usize> = (0..e.diagrams.len())
                .filter(|&i| e.diagrams[i].class == class.id)
                .collect();
            let k = members.len() as f64;
            let integral = members.iter().map(|&i| integrals[i].value).sum::<f64>() / k;
            let error = members.iter().map(|&i| integrals[i].error).sum::<f64>() / k;
            let c = rational_to_f64(&class.coefficient);
            let g = couplings(&class.monomial);
            terms.push(Term {
                class: class.id,
                diagram: None,
                monomial: e.monomial_name(&class.monomial),
                coefficient: c,
                integral,
                error,
                value: c * g * integral,
            });
        }
    }
    let total = terms.iter().map(|t| t.value).sum();
    let total_error = terms
        .iter()
        .map(|t| (t.value / t.integral).abs() * t.error)
        .filter(|v| v.is_finite())
        .sum();
    let report = Report {
        tuple: args.tuple.clone(),
        cutoff: match cutoff.length() {
            Some(l) => serde_json::json!(l),
            None => serde_json::json!("inf"),
        },
        terms,
        total,
        total_error,
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
        report.terms.len(),
        if args.diagrams { "diagrams" } else { "classes" }
    );
    println!(
        "{:>6} {:>14} {:>14} {:>22} {:>10} {:>22}",
        "class", "monomial", "coefficient", "integral", "error", "value"
    );
    for t in &report.terms {
        println!(
            "{:>6} {:>14} {:>14} {:>22.14e} {:>10.2e} {:>22.14e}",
            t.class, t.monomial, t.coefficient, t.integral, t.error, t.value
        );
    }
    println!(
        "total = {:.14e} +- {:.2e}",
        report.total, report.total_error
    );
    Ok(())
}
