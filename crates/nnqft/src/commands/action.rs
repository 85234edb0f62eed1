//! `nnqft action`: the effective action on the input set from the correlators (Edgeworth
//! reconstruction, docs/conventions.md section 9), its round trip through the diagram engine
//! (`--check`) and a locality summary; text, JSON or LaTeX.

use crate::cli::{ArchArgs, Global, output};
use crate::commands::fit::paper_cutoff;
use crate::commands::rg::{Source, SourceHeader, read_measurement};
use anyhow::{Context, Result, bail};
use nalgebra::DMatrix;
use nnqft_core::{CorrelatorTable, Entry, InputSet, Network};
use nnqft_fit::Deviations;
use nnqft_fit::action::{
    ActionCouplings, CouplingErrors, DEFAULT_MAX_CONDITION, Locality, RoundTrip, Tensor,
    coupling_errors, explain, locality, reconstruct, round_trip,
};
use nnqft_fit::fill::paper_operators;
use nnqft_integrate::exact_tables;
use serde::Serialize;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Latex,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub arch: ArchArgs,
    /// Width N of the hidden layer (at least 2).
    #[arg(long)]
    pub width: usize,
    /// Reconstruction order: 1 (O(1/N): delta, lambda4) or 2 (O(1/N^2): also lambda6).
    #[arg(long, default_value_t = 1)]
    pub order: usize,
    /// Cumulants: `exact` or a FILE written by `nnqft sample` or `nnqft exact`.
    #[arg(long, default_value = "exact")]
    pub source: String,
    /// Run perturbation theory of the reconstructed action back to K, kappa4, kappa6.
    #[arg(long)]
    pub check: bool,
    /// Output format of the human-readable result.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Refuse K above this condition number.
    #[arg(long, default_value_t = DEFAULT_MAX_CONDITION)]
    pub max_condition: f64,
    /// Number of the largest couplings shown in text and LaTeX.
    #[arg(long, default_value_t = 6)]
    pub top: usize,
}

/// One coupling entry of the JSON.
#[derive(Serialize)]
struct CouplingEntry {
    index: Vec<usize>,
    value: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    stderr: Option<f64>,
}

#[derive(Serialize)]
struct ActionOutput<'a> {
    #[serde(flatten)]
    header: SourceHeader,
    inputs: &'a [Vec<f64>],
    order: usize,
    condition_number: f64,
    delta: Vec<Vec<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delta_stderr: Option<Vec<Vec<f64>>>,
    lambda4: Vec<CouplingEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lambda6: Option<Vec<CouplingEntry>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<&'static str>,
    locality: &'a Locality,
    #[serde(skip_serializing_if = "Option::is_none")]
    check: Option<&'a RoundTrip>,
}

/// K and the cumulant tables on the input set, and whether they were sampled.
struct Cumulants {
    kernel: DMatrix<f64>,
    kappa4: CorrelatorTable,
    kappa6: CorrelatorTable,
    sampled: bool,
}

fn exact_cumulants(net: &Network, width: usize, xs: &InputSet) -> Result<Cumulants> {
    let t = exact_tables(net, width, xs)?;
    Ok(Cumulants {
        kernel: t.kernel,
        kappa4: t.kappa4,
        kappa6: t.kappa6,
        sampled: false,
    })
}

/// The cumulants of a `sample`/`exact` file, checked against the network, width and inputs.
fn file_cumulants(
    path: &std::path::Path,
    net: &Network,
    width: usize,
    xs: &InputSet,
    need_six: bool,
) -> Result<Cumulants> {
    let m = read_measurement(path)?;
    let ctx = || path.display().to_string();
    let dev = Deviations::from_measurement(&m).with_context(ctx)?;
    dev.check_settings(net, Some(width)).with_context(ctx)?;
    let same = dev.inputs.len() == xs.len()
        && dev.inputs.points().iter().zip(xs.points()).all(|(p, q)| {
            p.len() == q.len()
                && p.iter()
                    .zip(q)
                    .all(|(a, b)| (a - b).abs() <= 1e-12 * a.abs().max(1.0))
        });
    if !same {
        bail!(
            "{}: the data are for the inputs {:?} but {:?} were requested",
            path.display(),
            dev.inputs.points(),
            xs.points()
        );
    }
    let table = |n: usize| -> Result<Option<CorrelatorTable>> {
        let Some(entries) = m.connected.get(&n.to_string()) else {
            return Ok(None);
        };
        let entries: Vec<Entry> = entries
            .iter()
            .map(|e| Entry {
                index: e.index.clone(),
                mean: e.mean,
                stderr: e.stderr,
            })
            .collect();
        if entries
            .iter()
            .any(|e| !(e.mean.is_finite() && e.stderr.is_finite() && e.stderr >= 0.0))
        {
            bail!(
                "{}: the connected {n}-point function holds a non-finite value or a negative error",
                path.display()
            );
        }
        Ok(Some(
            CorrelatorTable::from_entries(xs.len(), n, entries).with_context(ctx)?,
        ))
    };
    let kappa4 =
        table(4)?.with_context(|| format!("{}: no connected 4-point function", path.display()))?;
    let kappa6 = match table(6)? {
        Some(t) => t,
        None if !need_six => CorrelatorTable::from_fn(xs.len(), 6, |_| (0.0, 0.0))?,
        None => bail!(
            "{}: the 6-point function was not measured (sample with --npt 2,4,6), and --order 2 and --check need it",
            path.display()
        ),
    };
    Ok(Cumulants {
        kernel: dev.kernel,
        kappa4,
        kappa6,
        sampled: dev.sampled,
    })
}

fn entries(t: &Tensor, err: Option<&Tensor>) -> Vec<CouplingEntry> {
    t.symmetrized_entries()
        .into_iter()
        .map(|(index, value)| CouplingEntry {
            stderr: err.map(|e| e.at(&index)),
            index,
            value,
        })
        .collect()
}

fn rows(m: &DMatrix<f64>) -> Vec<Vec<f64>> {
    (0..m.nrows())
        .map(|a| (0..m.ncols()).map(|b| m[(a, b)]).collect())
        .collect()
}

pub fn run(args: Args, global: &Global) -> Result<()> {
    args.arch.single_layer("action")?;
    let net = args.arch.network()?;
    let xs = args.arch.inputs()?;
    if args.width < 2 {
        bail!("--width must be at least 2 (got {})", args.width);
    }
    if args.order != 1 && args.order != 2 {
        bail!(
            "--order must be 1 (O(1/N)) or 2 (O(1/N^2)), got {}",
            args.order
        );
    }
    if !(args.max_condition.is_finite() && args.max_condition >= 1.0) {
        bail!(
            "--max-condition must be a finite number >= 1, got {}",
            args.max_condition
        );
    }
    let source = Source::parse(&args.source);
    let c = match &source {
        Source::Exact => exact_cumulants(&net, args.width, &xs)?,
        Source::File(p) => file_cumulants(p, &net, args.width, &xs, args.order == 2 || args.check)?,
        Source::Sample => bail!(
            "--source is `exact` or a FILE: sample with `nnqft sample --out FILE` and pass FILE"
        ),
    };
    let limit = args.max_condition;
    let couplings = reconstruct(&c.kernel, &c.kappa4, Some(&c.kappa6), args.order, limit)
        .map_err(|e| anyhow::anyhow!(explain(&e, &xs, "--max-condition")))?;
    let errors = if c.sampled {
        Some(
            coupling_errors(&c.kernel, &c.kappa4, Some(&c.kappa6), args.order, limit)
                .map_err(|e| anyhow::anyhow!(explain(&e, &xs, "--max-condition")))?,
        )
    } else {
        None
    };
    let ops = paper_operators(&net, &xs, paper_cutoff(net.arch()))?;
    let loc = locality(&c.kernel, &couplings.lambda4, &ops)?;
    let check = if args.check {
        Some(round_trip(&couplings, &c.kernel, &c.kappa4, &c.kappa6)?)
    } else {
        None
    };
    let out = ActionOutput {
        header: SourceHeader::new(&net, args.width, &source),
        inputs: xs.points(),
        order: args.order,
        condition_number: couplings.condition_number,
        delta: rows(&couplings.delta),
        delta_stderr: errors.as_ref().map(|e| rows(&e.delta)),
        lambda4: entries(&couplings.lambda4, errors.as_ref().map(|e| &e.lambda4)),
        lambda6: couplings.lambda6.as_ref().map(|t| {
            entries(t, errors.as_ref().and_then(|e| e.lambda6.as_ref()))
        }),
        errors: c.sampled.then_some(
            "delta method, first order, table entries (kappa4, kappa6) treated as independent; K exact",
        ),
        locality: &loc,
        check: check.as_ref(),
    };
    check_finite(&out)?;
    if global.json {
        return output::print_json(&out);
    }
    match args.format {
        Format::Text => print_text(
            &net,
            &args,
            &source,
            &couplings,
            errors.as_ref(),
            &loc,
            check.as_ref(),
        ),
        Format::Latex => print!("{}", latex(&net, &args, &couplings, args.top)),
    }
    Ok(())
}

/// No output with a non-finite number.
fn check_finite(out: &ActionOutput) -> Result<()> {
    let v = serde_json::to_value(out)?;
    fn walk(v: &serde_json::Value) -> bool {
        match v {
            serde_json::Value::Null => false,
            serde_json::Value::Array(a) => a.iter().any(walk),
            serde_json::Value::Object(o) => o.values().any(walk),
            _ => false,
        }
    }
    // serde_json writes non-finite floats as null: any null is a non-finite number here
    if walk(&v) {
        bail!(
            "the reconstruction produced a non-finite coupling (K too ill-conditioned for double precision?)"
        );
    }
    Ok(())
}

/// The `top` entries of largest |value|, as (sorted index, value).
fn largest(t: &Tensor, top: usize) -> Vec<(Vec<usize>, f64)> {
    let mut e = t.symmetrized_entries();
    e.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    e.truncate(top);
    e
}

fn one_based(idx: &[usize]) -> String {
    idx.iter()
        .map(|i| (i + 1).to_string())
        .collect::<Vec<_>>()
        .join(",")
}

fn print_text(
    net: &Network,
    args: &Args,
    source: &Source,
    c: &ActionCouplings,
    err: Option<&CouplingErrors>,
    loc: &Locality,
    check: Option<&RoundTrip>,
) {
    println!(
        "{} width {}, source {}, order {} (O(1/N{})): S = 1/2 f.(K^-1 + delta).f + (1/4!) lambda_abcd f^4{}",
        net.arch().title(),
        args.width,
        source.label(),
        c.order,
        if c.order == 2 { "^2" } else { "" },
        if c.order == 2 {
            " + (1/6!) lambda_abcdef f^6"
        } else {
            ""
        }
    );
    println!("condition number of K: {:.4e}", c.condition_number);
    println!("delta (inputs 1..{}):", c.delta.nrows());
    for a in 0..c.delta.nrows() {
        let row: Vec<String> = (0..c.delta.ncols())
            .map(|b| match err {
                Some(e) => format!("{:>12.4e} +- {:.1e}", c.delta[(a, b)], e.delta[(a, b)]),
                None => format!("{:>12.4e}", c.delta[(a, b)]),
            })
            .collect();
        println!("  {}", row.join(" "));
    }
    let show = |name: &str, t: &Tensor, e: Option<&Tensor>| {
        println!(
            "{name}: the {} largest of {} entries",
            args.top.min(t.k.pow(t.rank as u32)),
            nnqft_core::multiset_count(t.k, t.rank)
        );
        for (idx, v) in largest(t, args.top) {
            match e {
                Some(e) => println!("  [{}] {v:>14.6e} +- {:.2e}", one_based(&idx), e.at(&idx)),
                None => println!("  [{}] {v:>14.6e}", one_based(&idx)),
            }
        }
    };
    show("lambda4", &c.lambda4, err.map(|e| &e.lambda4));
    if let Some(t) = &c.lambda6 {
        show("lambda6", t, err.and_then(|e| e.lambda6.as_ref()));
    }
    println!(
        "locality: off-diagonal / diagonal weight of lambda4 = {:.4e}",
        loc.off_diagonal_ratio
    );
    for f in &loc.fits {
        let g: Vec<String> = f
            .couplings
            .iter()
            .map(|(n, v)| format!("{n} = {v:.6e}"))
            .collect();
        println!(
            "  {} fit (local, cutoff {}): {}; relative residual {:.4e}",
            f.model,
            paper_cutoff(net.arch()),
            g.join(", "),
            f.relative_residual
        );
    }
    if let Some(r) = check {
        println!(
            "round trip (perturbation theory to O(1/N^{})): residual abs / rel",
            r.truncation_order
        );
        for (name, x) in [
            ("kappa2", r.kappa2),
            ("kappa4", r.kappa4),
            ("kappa6", r.kappa6),
        ] {
            println!("  {name}: {:.4e} / {:.4e}", x.abs, x.rel);
        }
    }
}

/// A number as LaTeX: m \times 10^{e}.
fn tex_number(v: f64) -> String {
    let s = format!("{:.3e}", v.abs());
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    if e == 0 {
        m.to_string()
    } else {
        format!("{m}\\times 10^{{{e}}}")
    }
}

/// f_1^3 f_2 for the sorted multiset [0, 0, 0, 1].
fn tex_monomial(idx: &[usize]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < idx.len() {
        let j = (i..idx.len())
            .find(|&j| idx[j] != idx[i])
            .unwrap_or(idx.len());
        let p = j - i;
        if p == 1 {
            out.push_str(&format!("f_{{{}}}", idx[i] + 1));
        } else {
            out.push_str(&format!("f_{{{}}}^{{{p}}}", idx[i] + 1));
        }
        i = j;
    }
    out
}

/// Coefficient of the monomial in S: value * (number of rearrangements) / n! = value / prod
/// over the distinct indices of (multiplicity)!.
fn monomial_coefficient(idx: &[usize], value: f64) -> f64 {
    let fact = |n: usize| (1..=n).map(|i| i as f64).product::<f64>();
    let mut denom = 1.0;
    let mut i = 0;
    while i < idx.len() {
        let j = (i..idx.len())
            .find(|&j| idx[j] != idx[i])
            .unwrap_or(idx.len());
        denom *= fact(j - i);
        i = j;
    }
    value / denom
}

/// The action as a LaTeX equation, with the largest quartic (and sextic) terms written out.
fn latex(net: &Network, args: &Args, c: &ActionCouplings, top: usize) -> String {
    let mut terms = Vec::new();
    let mut add = |t: &Tensor| {
        // the largest monomial coefficients of S
        let mut e: Vec<(Vec<usize>, f64)> = t
            .symmetrized_entries()
            .into_iter()
            .map(|(idx, v)| {
                let coef = monomial_coefficient(&idx, v);
                (idx, coef)
            })
            .collect();
        e.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
        for (idx, coef) in e.into_iter().take(top) {
            let sign = if coef < 0.0 { "-" } else { "+" };
            terms.push(format!(
                "{sign} {}\\, {}",
                tex_number(coef),
                tex_monomial(&idx)
            ));
        }
    };
    add(&c.lambda4);
    if let Some(t) = &c.lambda6 {
        add(t);
    }
    let mut s = String::new();
    s.push_str(&format!(
        "% nnqft action: {}, width N = {}, order {}, {} inputs, condition number of K {:.3e}\n",
        net.arch().title(),
        args.width,
        c.order,
        c.delta.nrows(),
        c.condition_number
    ));
    s.push_str(
        "% the largest terms of S (each monomial with its multiplicity), the rest omitted\n",
    );
    s.push_str("\\begin{equation}\n\\begin{aligned}\n");
    s.push_str("S &= \\frac{1}{2}\\sum_{a,b} f_a \\left(K^{-1} + \\delta\\right)_{ab} f_b\n");
    for (i, t) in terms.iter().enumerate() {
        if i % 3 == 0 {
            s.push_str(" \\\\\n  &\\quad ");
        }
        s.push_str(t);
        s.push(' ');
    }
    s.push_str(" + \\dots\n\\end{aligned}\n\\end{equation}\n");
    s
}
