//! Stage 1: the GP check and the non-Gaussian fall-off (the paper's Section 3): for each
//! architecture, sample the paper's widths and fit log m_n and log mean|G6c| against log N
//! (nnqft-ensemble's sweep).

use crate::markdown::{figure, fixed, opt_fixed, sci, table};
use crate::{Ctx, Progress, Result, Section};
use nnqft_core::{Arch, InputSet, Network};
use nnqft_ensemble::{SweepConfig, SweepResult, finish, run_all, summarize};
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
    pub sweep: SweepResult,
}

/// Everything stage 1 measured.
#[derive(Clone, Debug, Serialize)]
pub struct GpCheck {
    /// The RNG seed.
    pub seed: u64,
    /// Experiments per width.
    pub experiments: usize,
    /// One sweep per architecture.
    pub archs: Vec<ArchSweep>,
}

/// Relative cost of one network at width N (activations plus the moment walk).
fn cost(width: usize) -> u64 {
    width as u64 + 60
}

/// Sample every architecture at every width of the scale.
pub fn run(ctx: &Ctx, progress: &dyn Progress) -> Result<GpCheck> {
    let mut archs = vec![];
    for arch in Arch::ALL {
        let network = Network::paper(arch);
        let inputs = InputSet::paper(arch, 1)?;
        let nets: Vec<u64> = ctx
            .scale
            .widths
            .iter()
            .map(|&w| ctx.scale.nets(arch, w))
            .collect();
        let config = |w: usize, n: u64| SweepConfig {
            network,
            inputs: inputs.clone(),
            widths: vec![w],
            nets: n,
            experiments: ctx.scale.experiments,
            npt: vec![2, 4, 6],
            seed: ctx.seed,
            estimator: nnqft_ensemble::Estimator::Direct,
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
        progress.start(&format!("1/6 {}", arch.name()), total);
        let mut measurements = vec![];
        for plan in &plans {
            let c = cost(plan.settings().width());
            let partial = run_all(plan, ctx.threads, &|k| progress.advance(k * c))?;
            measurements.push(finish(&partial)?);
        }
        progress.finish();
        let mut all = config(ctx.scale.widths[0], nets[0]);
        all.widths = ctx.scale.widths.clone();
        archs.push(ArchSweep {
            arch,
            title: arch.title().to_string(),
            nets_per_width: nets,
            sweep: summarize(all, measurements),
        });
    }
    Ok(GpCheck {
        seed: ctx.seed,
        experiments: ctx.scale.experiments,
        archs,
    })
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
    let mut push = |what: String, key: &str, fit: Option<&nnqft_ensemble::SlopeFit>| {
        rows.push(vec![
            a.title.clone(),
            what,
            fit.map_or("-".into(), |f| fixed(f.slope, 3)),
            fit.map_or("-".into(), |f| opt_fixed(f.stderr, 3)),
            fit.map_or("-".into(), |f| format!("{:?}", f.widths)),
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
        "**This run:** {} experiments per width, seed {}; the networks per width are listed in \
         each table. Slopes are fitted over the widths where the signal exceeds twice its \
         background (for mean|G6c|: twice its mean standard error).\n\n",
        g.experiments, g.seed
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
    Section {
        title: "1. GP check and the non-Gaussian fall-off".into(),
        body: b,
    }
}
