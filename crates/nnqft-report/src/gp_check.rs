//! Stage 1: the GP check and the non-Gaussian fall-off (the paper's Section 3): for each
//! architecture, sample the paper's widths and fit log m_n and log mean|G6c| against log N
//! (nnqft-ensemble's sweep).

use crate::markdown::{figure, fixed, opt_fixed, sci, table};
use crate::{Ctx, Progress, Result, Section};
use nnqft_core::{Arch, InputSet, Network};
use nnqft_ensemble::{Estimator, SlopeFit, SweepConfig, SweepResult, finish, run_all, summarize};
use serde::Serialize;

/// One architecture's sweep, with the networks actually sampled at each width.
#[derive(Clone, Debug, Serialize)]
pub struct ArchSweep {
    /// The architecture.
    pub arch: Arch,
    /// Its title ("Erf-net").
    pub title: String,
    /// Networks sampled at each width of the sweep.
    pub nets_per_width: Vec<u64>,
    /// `sweep.config.nets` is the networks at the smallest width; see `nets_per_width`.
    /// The slopes keep only fits over at least [`MIN_RESOLVED_WIDTHS`] resolved widths.
    pub sweep: SweepResult,
}

/// Everything stage 1 measured.
#[derive(Clone, Debug, Serialize)]
pub struct GpCheck {
    /// The RNG seed.
    pub seed: u64,
    /// Experiments per width.
    pub experiments: usize,
    /// The estimator of `archs` (docs/conventions.md section 8).
    pub estimator: Estimator,
    /// One sweep per architecture.
    pub archs: Vec<ArchSweep>,
    /// The Erf-net sampled again with the other estimator (its `sweep.config.estimator`), for
    /// the side-by-side backgrounds; None when the scale asks for no comparison nets.
    pub comparison: Option<ArchSweep>,
}

/// The architecture sampled with both estimators.
pub const COMPARISON_ARCH: Arch = Arch::Erf;

/// A slope is reported only when fitted over at least this many resolved widths (signal
/// above twice its background, i.e. about two standard errors).
pub const MIN_RESOLVED_WIDTHS: usize = 3;

/// Relative cost of one network at width N (activations plus the moment walk).
fn cost(width: usize) -> u64 {
    width as u64 + 60
}

/// The other estimator.
fn other(e: Estimator) -> Estimator {
    match e {
        Estimator::Conditional => Estimator::Direct,
        Estimator::Direct => Estimator::Conditional,
    }
}

/// Sample every architecture at every width of the scale with the context's estimator, then
/// the Erf-net with the other one.
pub fn run(ctx: &Ctx, progress: &dyn Progress) -> Result<GpCheck> {
    let mut archs = vec![];
    for arch in Arch::PAPER {
        let nets: Vec<u64> = ctx
            .scale
            .widths
            .iter()
            .map(|&w| ctx.scale.nets(arch, w))
            .collect();
        archs.push(sweep_arch(ctx, arch, ctx.estimator, nets, progress)?);
    }
    let comparison = if ctx.scale.comparison_nets > 0 {
        let nets = vec![ctx.scale.comparison_nets; ctx.scale.widths.len()];
        Some(sweep_arch(
            ctx,
            COMPARISON_ARCH,
            other(ctx.estimator),
            nets,
            progress,
        )?)
    } else {
        None
    };
    Ok(GpCheck {
        seed: ctx.seed,
        experiments: ctx.scale.experiments,
        estimator: ctx.estimator,
        archs,
        comparison,
    })
}

/// One architecture's sweep over the scale's widths with `nets[k]` networks at width k.
fn sweep_arch(
    ctx: &Ctx,
    arch: Arch,
    estimator: Estimator,
    nets: Vec<u64>,
    progress: &dyn Progress,
) -> Result<ArchSweep> {
    let network = Network::paper(arch);
    let inputs = InputSet::paper(arch, 1)?;
    let config = |w: usize, n: u64| SweepConfig {
        network,
        inputs: inputs.clone(),
        widths: vec![w],
        nets: n,
        experiments: ctx.scale.experiments,
        npt: vec![2, 4, 6],
        seed: ctx.seed,
        estimator,
    };
    let plans = ctx
        .scale
        .widths
        .iter()
        .zip(&nets)
        .map(|(&w, &n)| config(w, n).plan(w))
        .collect::<Result<Vec<_>, _>>()?;
    let total: u64 = plans
        .iter()
        .map(|p| p.block_count() * cost(p.settings().width()))
        .sum();
    progress.start(
        &format!("1/6 {} ({})", arch.name(), estimator.name()),
        total,
    );
    let mut measurements = vec![];
    for plan in &plans {
        let c = cost(plan.settings().width());
        let partial = run_all(plan, ctx.threads, &|k| progress.advance(k * c))?;
        measurements.push(finish(&partial)?);
    }
    progress.finish();
    let mut all = config(ctx.scale.widths[0], nets[0]);
    all.widths = ctx.scale.widths.clone();
    let mut sweep = summarize(all, measurements);
    for fit in sweep.slopes.values_mut() {
        *fit = resolved(fit.take());
    }
    sweep.connected6_slope = resolved(sweep.connected6_slope.take());
    Ok(ArchSweep {
        arch,
        title: arch.title().to_string(),
        nets_per_width: nets,
        sweep,
    })
}

/// A fit kept only if it used at least [`MIN_RESOLVED_WIDTHS`] widths.
fn resolved(fit: Option<SlopeFit>) -> Option<SlopeFit> {
    fit.filter(|f| f.widths.len() >= MIN_RESOLVED_WIDTHS)
}

/// What the paper expects of each slope.
pub fn expected(key: &str) -> &'static str {
    match key {
        "2" => "none (m_2 at background)",
        "4" | "6" => "-1",
        _ => "-2",
    }
}

/// The slope rows of one architecture: (quantity, fit) in the order 2, 4, 6, G6c.
pub fn slope_rows(a: &ArchSweep) -> Vec<Vec<String>> {
    let mut rows = vec![];
    let mut push = |what: String, key: &str, fit: Option<&SlopeFit>| {
        rows.push(vec![
            a.title.clone(),
            what,
            fit.map_or("-".into(), |f| fixed(f.slope, 3)),
            fit.map_or("-".into(), |f| opt_fixed(f.stderr, 3)),
            fit.map_or("not resolved".into(), |f| format!("{:?}", f.widths)),
            expected(key).into(),
        ]);
    };
    for (key, fit) in &a.sweep.slopes {
        push(format!("m_{key}"), key, fit.as_ref());
    }
    push(
        "mean abs G6c".into(),
        "c6",
        a.sweep.connected6_slope.as_ref(),
    );
    rows
}

/// Section 1 of the report.
pub fn section(g: &GpCheck) -> Section {
    let mut b = String::new();
    b.push_str(
        "**The paper:** m_2 stays at the background at every width (G2 = K exactly), m_4 and m_6 \
         fall as 1/N (log-log slope -1) until they sink into the background, and the connected \
         6-point function falls as 1/N^2. Widths 2..1000, six inputs, 10 experiments of \
         10^5..10^6 networks.\n\n",
    );
    b.push_str(&format!(
        "**This run:** the **{}** estimator (docs/conventions.md section 8), {} experiments \
         per width, seed {}; the networks per width are listed in each table. A width is \
         resolved when the signal exceeds twice its background (for mean|G6c|: twice its mean \
         standard error), i.e. about two standard errors; slopes are fitted over the resolved \
         widths only, and only when there are at least {MIN_RESOLVED_WIDTHS} of them (else \
         \"not resolved\").\n\n",
        g.estimator.name(),
        g.experiments,
        g.seed
    ));
    b.push_str("### Fitted log-log slopes\n\n");
    let rows: Vec<Vec<String>> = g.archs.iter().flat_map(slope_rows).collect();
    b.push_str(&table(
        &[
            "architecture",
            "quantity",
            "slope",
            "+-",
            "widths used",
            "paper",
        ],
        &rows,
    ));
    for a in &g.archs {
        let name = a.arch.name();
        b.push_str(&format!("\n### {}\n\n", a.title));
        let rows: Vec<Vec<String>> = a
            .sweep
            .measurements
            .iter()
            .zip(&a.nets_per_width)
            .map(|(m, nets)| {
                let mut r = vec![m.width.to_string(), nets.to_string()];
                for n in ["2", "4", "6"] {
                    let s = m.summary.get(n);
                    r.push(s.map_or("-".into(), |s| sci(s.signal)));
                    r.push(s.and_then(|s| s.background).map_or("-".into(), sci));
                }
                let c6 = a.sweep.connected6.iter().find(|p| p.width == m.width);
                r.push(c6.map_or("-".into(), |p| sci(p.mean_abs)));
                r.push(c6.map_or("-".into(), |p| sci(p.mean_stderr)));
                r
            })
            .collect();
        b.push_str(&table(
            &[
                "N",
                "nets",
                "m_2",
                "bg_2",
                "m_4",
                "bg_4",
                "m_6",
                "bg_6",
                "mean abs G6c",
                "+-",
            ],
            &rows,
        ));
        b.push('\n');
        for n in ["2", "4", "6"] {
            b.push_str(&figure(
                &format!("m{n}_{name}.svg"),
                &format!(
                    "{}: log10 m_{n} (sampled), its background and the exact m_{n} against log10 N",
                    a.title
                ),
            ));
            b.push('\n');
        }
        b.push_str(&figure(
            &format!("connected6_{name}.svg"),
            &format!(
                "{}: log10 mean abs G6c (sampled, with errors) and the exact cumulant against log10 N",
                a.title
            ),
        ));
        for m in &a.sweep.measurements {
            for w in &m.warnings {
                b.push_str(&format!("\n> warning (N = {}): {w}\n", m.width));
            }
        }
    }
    if let Some(c) = &g.comparison {
        b.push_str(&comparison(g, c));
    }
    Section {
        title: "1. GP check and the non-Gaussian fall-off".into(),
        body: b,
    }
}

/// The file of the figure with both estimators' 4-point backgrounds.
pub const COMPARISON_FIGURE: &str = "m4_background_estimators.svg";

/// The run's sweep of the comparison architecture and the comparison sweep, in the order
/// (conditional, direct).
pub fn by_estimator<'a>(
    g: &'a GpCheck,
    c: &'a ArchSweep,
) -> Option<(&'a ArchSweep, &'a ArchSweep)> {
    let main = g.archs.iter().find(|a| a.arch == c.arch)?;
    Some(match g.estimator {
        Estimator::Conditional => (main, c),
        Estimator::Direct => (c, main),
    })
}

/// The subsection comparing the two estimators' m_4 and its background on one architecture.
fn comparison(g: &GpCheck, c: &ArchSweep) -> String {
    let Some((cond, direct)) = by_estimator(g, c) else {
        return String::new();
    };
    let mut b = format!(
        "\n### Background of both estimators ({})\n\n\
         The {} sampled with both estimators at every width (the {} sweep is the extra, \
         smaller one). The background of m_4 is its standard error over G_GP: the direct \
         estimator's does not fall with N while m_4 falls as 1/N; the conditional one's falls \
         with m_4. Every background also falls as 1/sqrt(nets): read it with the nets \
         column (the quick scale spends more nets at some widths).\n\n",
        c.title,
        c.title,
        c.sweep.config.estimator.name()
    );
    let m4 = |a: &ArchSweep, k: usize| -> (String, String) {
        let s = a.sweep.measurements.get(k).and_then(|m| m.summary.get("4"));
        (
            s.map_or("-".into(), |s| sci(s.signal)),
            s.and_then(|s| s.background).map_or("-".into(), sci),
        )
    };
    let rows: Vec<Vec<String>> = cond
        .sweep
        .measurements
        .iter()
        .enumerate()
        .map(|(k, m)| {
            let (cs, cb) = m4(cond, k);
            let (ds, db) = m4(direct, k);
            vec![
                m.width.to_string(),
                cond.nets_per_width
                    .get(k)
                    .map_or("-".into(), u64::to_string),
                cs,
                cb,
                direct
                    .nets_per_width
                    .get(k)
                    .map_or("-".into(), u64::to_string),
                ds,
                db,
            ]
        })
        .collect();
    b.push_str(&table(
        &[
            "N",
            "nets (conditional)",
            "m_4 (conditional)",
            "bg_4 (conditional)",
            "nets (direct)",
            "m_4 (direct)",
            "bg_4 (direct)",
        ],
        &rows,
    ));
    b.push('\n');
    b.push_str(&figure(
        COMPARISON_FIGURE,
        &format!(
            "{}: log10 of m_4 and of the background of each estimator against log10 N",
            c.title
        ),
    ));
    b.push('\n');
    b
}
