//! Stage 3: the renormalization-group flow of the quartic coupling (the paper's Section 4):
//! ReLU-net in d = 1 (and 2, 3 at paper scale), Gauss-net and Erf-net, from exact
//! correlators; and the ReLU-net slope from the sampled width-20 measurement of stage 1.

use crate::gp_check::GpCheck;
use crate::markdown::{figure, fixed, opt_fixed, sci, table};
use crate::{Ctx, Progress, Result, Section};
use nnqft_core::{Arch, InputSet, Network, paper};
use nnqft_fit::fill::{exact_deviations, vertex_integrals};
use nnqft_fit::{Couplings, Deviations, RgReport, VertexIntegrals, rg_flow};
use rayon::prelude::*;
use serde::Serialize;

/// The vertex integrals of `net` on `inputs` at every cutoff (I4; with `kappa` also J4 and
/// I6), one cutoff per task in parallel, `progress(1)` after each.
pub fn integrals(
    net: &Network,
    inputs: &InputSet,
    cutoffs: &[f64],
    kappa: bool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<VertexIntegrals>, nnqft_fit::FitError> {
    cutoffs
        .par_iter()
        .map(|&l| {
            let v = vertex_integrals(net, inputs, &[l], kappa).map(|mut v| v.remove(0));
            progress(1);
            v
        })
        .collect()
}

/// [`integrals`] as a task called "integrals" of `progress`.
pub(crate) fn integrals_task(
    progress: &dyn Progress,
    net: &Network,
    inputs: &InputSet,
    cutoffs: &[f64],
) -> Result<Vec<VertexIntegrals>> {
    progress.start("integrals", cutoffs.len() as u64);
    let out = integrals(net, inputs, cutoffs, false, &|k| progress.advance(k))?;
    progress.finish();
    Ok(out)
}

/// One flow: lambda(L) for one network, width and source.
#[derive(Clone, Debug, Serialize)]
pub struct Flow {
    /// The architecture.
    pub arch: Arch,
    /// Its title.
    pub title: String,
    /// The input dimension d.
    pub d_in: usize,
    /// The width.
    pub width: usize,
    /// "exact" or "sampled (stage 1)".
    pub source: String,
    /// The power law the physics predicts for the slope, where it does (ReLU: -(4 + d)).
    pub expected_slope: Option<f64>,
    /// Median over the 4-tuples of beta / lambda = -dlog I4 / dlog L at the largest cutoff
    /// (the local slope; for the Erf-net it tends to -1 even where the mean lambda changes sign).
    pub local_slope_last: f64,
    /// lambda and beta at every cutoff, and the fitted slope.
    pub report: RgReport,
}

/// Every flow of stage 3.
#[derive(Clone, Debug, Serialize)]
pub struct RgStage {
    /// Every flow, in the order run.
    pub flows: Vec<Flow>,
}

fn flow(
    ctx: &Ctx,
    progress: &dyn Progress,
    arch: Arch,
    d: usize,
    dev: Deviations,
    source: &str,
) -> Result<Flow> {
    let net = Network::paper_in(arch, d)?;
    let ints = integrals_task(progress, &net, &dev.inputs, &ctx.scale.rg_cutoffs)?;
    let report = rg_flow(&dev, &ints, Couplings::Lambda)?;
    let last = report.cutoffs.len() - 1;
    Ok(Flow {
        arch,
        title: arch.title(),
        d_in: d,
        width: dev.width,
        source: source.into(),
        expected_slope: (arch == Arch::Relu).then_some(-(4.0 + d as f64)),
        local_slope_last: median(
            report.beta[last]
                .iter()
                .zip(&report.lambda[last])
                .map(|(b, l)| b / l)
                .collect(),
        ),
        report,
    })
}

/// Median of the finite values (NaN when there are none).
fn median(mut v: Vec<f64>) -> f64 {
    v.retain(|x| x.is_finite());
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let k = v.len();
    if k % 2 == 1 {
        v[k / 2]
    } else {
        0.5 * (v[k / 2 - 1] + v[k / 2])
    }
}

/// Run every flow: the ReLU-net in each dimension of the scale, the Gauss-net and Erf-net,
/// all exact, then the ReLU-net from the sampled measurement at its NGP width in `g`.
pub fn run(ctx: &Ctx, g: &GpCheck, progress: &dyn Progress) -> Result<RgStage> {
    let mut flows = vec![];
    for &d in &ctx.scale.rg_dims {
        let net = Network::paper_in(Arch::Relu, d)?;
        let xs = InputSet::paper(Arch::Relu, d)?;
        let dev = exact_deviations(&net, paper::rg_width(Arch::Relu), &xs, false)?;
        flows.push(flow(ctx, progress, Arch::Relu, d, dev, "exact")?);
    }
    for arch in [Arch::Gauss, Arch::Erf] {
        let net = Network::paper(arch);
        let xs = InputSet::paper(arch, 1)?;
        let dev = exact_deviations(&net, paper::rg_width(arch), &xs, false)?;
        flows.push(flow(ctx, progress, arch, 1, dev, "exact")?);
    }
    // The sampled ReLU-net flow at the paper's width, from stage 1.
    let relu = g.archs.iter().find(|a| a.arch == Arch::Relu);
    if let Some(m) = relu.and_then(|a| {
        a.sweep
            .measurements
            .iter()
            .find(|m| m.width == paper::rg_width(Arch::Relu))
    }) {
        let dev = Deviations::from_measurement(m)?;
        flows.push(flow(
            ctx,
            progress,
            Arch::Relu,
            1,
            dev,
            "sampled (stage 1)",
        )?);
    }
    Ok(RgStage { flows })
}

/// File name of flow k's figure.
pub fn flow_file(f: &Flow) -> String {
    let src = if f.source == "exact" {
        "exact"
    } else {
        "sampled"
    };
    format!("rg_{}_d{}_{src}.svg", f.arch.name(), f.d_in)
}

/// The summary rows: one per flow.
pub fn rows(s: &RgStage) -> Vec<Vec<String>> {
    s.flows
        .iter()
        .map(|f| {
            let r = &f.report;
            vec![
                f.title.clone(),
                f.d_in.to_string(),
                f.width.to_string(),
                f.source.clone(),
                opt_fixed(r.slope, 4),
                opt_fixed(
                    r.slope_error.filter(|e| *e > 0.0).or(r.slope_scatter_error),
                    4,
                ),
                opt_fixed(r.r2, 6),
                fixed(f.local_slope_last, 4),
                opt_fixed(f.expected_slope, 0),
            ]
        })
        .collect()
}

/// Section 3 of the report.
pub fn section(s: &RgStage) -> Section {
    let mut b = String::new();
    b.push_str(
        "**The paper:** lambda = -DeltaG4 / (24 I4) depends on the cutoff L although the \
         correlators do not, so it runs. For the ReLU-net, log |lambda| against log L is a \
         straight line: with sigma_b = 0, I4 = x1 x2 x3 x4 L^5 / 80 in d = 1, so lambda ~ \
         L^-5 and beta = -5 lambda, and in d dimensions the power is -(4 + d). The Gauss-net \
         vertex integral converges, so beta -> 0 at large L; for the Erf-net I4 grows like L, \
         so the slope tends to -1.\n\n",
    );
    b.push_str(
        "**This run:** the slope of log10 |mean lambda| against log10 L over the cutoffs \
         (least squares, with its error and R^2), and the local slope beta/lambda = -dlog I4 / \
         dlog L at the largest cutoff (median over the 4-tuples), from the exact boundary \
         derivative of I4. The Erf-net's mean lambda changes sign at small L (the tuples \
         disagree in sign), so its whole-range slope means little; its local slope is the \
         number to compare with -1.\n\n",
    );
    b.push_str(&table(
        &[
            "architecture",
            "d",
            "N",
            "source",
            "slope",
            "+-",
            "R^2",
            "median beta/lambda at max L",
            "expected",
        ],
        &rows(s),
    ));
    b.push_str(&format!(
        "\nCutoffs: {:?}.\n\n",
        s.flows
            .first()
            .map(|f| f.report.cutoffs.clone())
            .unwrap_or_default()
    ));
    for f in &s.flows {
        b.push_str(&figure(
            &flow_file(f),
            &format!(
                "{} d = {} ({}): log10 |lambda| against log10 L",
                f.title, f.d_in, f.source
            ),
        ));
        b.push('\n');
        let r = &f.report;
        let rows: Vec<Vec<String>> = (0..r.cutoffs.len())
            .map(|i| {
                vec![
                    fixed(r.cutoffs[i], 0),
                    sci(r.mean_lambda[i]),
                    sci(r.mean_lambda_error[i]),
                    sci(r.spread[i]),
                    sci(r.mean_beta[i]),
                ]
            })
            .collect();
        b.push_str(&table(
            &["L", "mean lambda", "+-", "spread", "mean beta"],
            &rows,
        ));
        b.push('\n');
        for w in &r.warnings {
            b.push_str(&format!("> warning: {w}\n\n"));
        }
    }
    b.push_str(&figure(
        "rg_beta.svg",
        "beta / lambda against log10 L for every flow (ReLU: constant -(4 + d); Gauss: -> 0; Erf: -> -1)",
    ));
    Section {
        title: "3. Renormalization-group flow".into(),
        body: b,
    }
}
