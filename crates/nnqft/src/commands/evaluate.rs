//! `nnqft evaluate`: every class (or labelled diagram) of the expansion of G^(n) at one input
//! tuple (or every sorted tuple, in parallel) under a cutoff (`nnqft_integrate::evaluate` computes it; this module reads the flags
//! and prints).

use crate::cli::{ArchArgs, Global, output, progress};
use anyhow::{Context, Result, bail};
use nnqft_core::{multisets, number, sci};
use nnqft_diagrams::{ExpansionSpec, expand};
use nnqft_integrate::{
    Cutoff, EvaluationReport, EvaluationSettings, EvaluationTable, TupleRecord, evaluate,
};
use rayon::prelude::*;

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
    /// Indices into the input list of the n external points, comma separated (0-based), or
    /// `all`: every sorted tuple, evaluated in parallel.
    #[arg(long)]
    pub tuple: String,
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

/// The tuples asked for: `all` (every sorted n-multiset of the m inputs) or one list.
fn parse_tuples(s: &str, n: usize, m: usize) -> Result<Vec<Vec<usize>>> {
    if s.trim().eq_ignore_ascii_case("all") {
        return Ok(multisets(m, n));
    }
    let tuple: Vec<usize> = s
        .split(',')
        .map(|p| {
            p.trim()
                .parse()
                .with_context(|| format!("--tuple: '{}' is not an index (or `all`)", p.trim()))
        })
        .collect::<Result<_>>()?;
    if tuple.len() != n {
        bail!("--tuple has {} indices but --points is {n}", tuple.len());
    }
    if let Some(&bad) = tuple.iter().find(|&&i| i >= m) {
        bail!(
            "--tuple index {bad} is out of range: there are {m} inputs (indices 0..{})",
            m - 1
        );
    }
    Ok(vec![tuple])
}

pub fn run(args: Args, global: &Global) -> Result<()> {
    let net = args.arch.network()?;
    let xs = args.arch.inputs()?;
    let cutoff: Cutoff = args
        .cutoff
        .parse()
        .with_context(|| format!("invalid --cutoff '{}'", args.cutoff))?;
    let tuples = parse_tuples(&args.tuple, args.points, xs.len())?;
    for (name, g) in [("lambda", args.lambda), ("kappa", args.kappa)] {
        if !g.is_finite() {
            bail!("--{name} must be finite, got {g}");
        }
    }
    let mut spec = ExpansionSpec::new(args.points, args.order);
    spec.connected_only = args.connected;
    spec.keep_self_energy = args.keep_self_energy;
    let e = expand(&spec)?;
    // A deep kernel is a recursion of L layer maps per value: estimate before integrating
    // (each diagram at most `order` vertices and points + 3 order lines).
    let vertices = args
        .order
        .min(nnqft_integrate::MAX_INTEGRATION_DIM / net.d_in().max(1));
    let secs = crate::cli::deep_cost::integral_seconds(
        &net,
        xs.points(),
        cutoff.length(),
        vertices,
        args.points + 3 * args.order,
        e.diagrams.len() * tuples.len(),
    );
    crate::cli::deep_cost::check(&net, "evaluating the diagrams", secs)?;
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
    let bar = progress::bar(global, (e.diagrams.len() * tuples.len()) as u64, "diagrams");
    let rows: Vec<TupleRecord> = tuples
        .par_iter()
        .map(|tuple| {
            let points: Vec<&[f64]> = tuple.iter().map(|&i| xs.point(i)).collect();
            let ev = evaluate(
                &net,
                &e,
                &points,
                cutoff,
                &couplings,
                args.diagrams,
                &|| bar.inc(1),
            )?;
            Ok(TupleRecord::new(&e, ev, tuple.clone()))
        })
        .collect::<Result<_>>()?;
    bar.finish_and_clear();
    let settings = EvaluationSettings::new(&net, &xs, &spec, cutoff, &couplings);
    let all = args.tuple.trim().eq_ignore_ascii_case("all");
    if global.json {
        return if all {
            output::print_json(&EvaluationTable {
                settings,
                tuples: rows,
            })
        } else {
            let row = rows.into_iter().next().expect("one tuple");
            output::print_json(&EvaluationReport { settings, row })
        };
    }
    let what = if args.diagrams { "diagrams" } else { "classes" };
    println!(
        "G{} of {} (sigma_w = {}, sigma_b = {}, d = {}{}), cutoff {cutoff}, lambda = {}, kappa = {}, {} {what}",
        args.points,
        net.arch().title(),
        number(net.sigma_w()),
        number(net.sigma_b()),
        net.d_in(),
        if net.depth() > 1 {
            format!(", depth {}", net.depth())
        } else {
            String::new()
        },
        number(args.lambda),
        number(args.kappa),
        if args.diagrams {
            e.diagrams.len()
        } else {
            e.classes.len()
        },
    );
    if all {
        println!("{:<24} {:>22} {:>10}", "tuple", "total", "error");
        for r in &rows {
            println!(
                "{:<24} {:>22} {:>10}",
                format!("{:?}", r.tuple),
                sci(r.total, 14),
                sci(r.total_error, 2)
            );
        }
        return Ok(());
    }
    let r = &rows[0];
    println!("at tuple {:?}", r.tuple);
    println!(
        "{:>6} {:>14} {:>14} {:>22} {:>10} {:>22}",
        "class", "monomial", "coefficient", "integral", "error", "value"
    );
    for t in &r.terms {
        let lines = t
            .diagram_lines
            .as_ref()
            .map_or(String::new(), |l| format!("  {l}"));
        println!(
            "{:>6} {:>14} {:>14} {:>22} {:>10} {:>22}{lines}",
            t.term.class,
            t.term.monomial,
            t.coefficient_exact,
            sci(t.term.integral, 14),
            sci(t.term.error, 2),
            sci(t.term.value, 14)
        );
    }
    println!("total = {} +- {}", sci(r.total, 14), sci(r.total_error, 2));
    Ok(())
}
