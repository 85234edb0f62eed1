//! The report's SVG figures, drawn from the stages' structs: the sweeps with their exact
//! lines and the two estimators' backgrounds side by side (stages 1-2), the RG flows (3) and the 6-point prediction (4).

use super::Outputs;
use crate::plot::sweep::figures;
use crate::plot::{Figure, Series};
use anyhow::Result;
use nnqft_report::exact_overlay::{ArchExact, ExactOverlay};
use nnqft_report::gp_check::{ArchSweep, COMPARISON_FIGURE, GpCheck, by_estimator};
use nnqft_report::prediction::{Case, PredictionStage};
use nnqft_report::rg::{Flow, RgStage, flow_file};
use plotters::chart::SeriesLabelPosition;

/// The stage 1 + 2 figures: each sweep figure with the exact m_n (or mean |kappa6|) drawn on.
pub fn write_sweeps(g: &GpCheck, x: &ExactOverlay, out: &mut Outputs) -> Result<()> {
    for (a, e) in g.archs.iter().zip(&x.archs) {
        write_sweep(a, e, out)?;
    }
    if let Some((cond, direct)) = g.comparison.as_ref().and_then(|c| by_estimator(g, c)) {
        let exact = x.archs.iter().find(|e| e.arch == cond.arch);
        out.svg(COMPARISON_FIGURE, &estimators_figure(cond, direct, exact))?;
    }
    Ok(())
}

/// log10 m_4 against log10 N for one architecture sampled with both estimators: each
/// estimator's signal and background, and the exact m_4.
fn estimators_figure(cond: &ArchSweep, direct: &ArchSweep, exact: Option<&ArchExact>) -> Figure {
    let curve = |a: &ArchSweep, background: bool| -> Vec<(f64, f64)> {
        a.sweep
            .measurements
            .iter()
            .filter_map(|m| {
                let s = m.summary.get("4")?;
                let y = if background { s.background? } else { s.signal };
                Some(((m.width as f64).log10(), y.log10()))
            })
            .collect()
    };
    let mut fig = Figure::new(
        &format!("{}: m_4 and its background, both estimators", cond.title),
        "log10 N",
        "log10 m_4",
    )
    // Lower left stays empty: m_4 falls from the upper left, the backgrounds lie below it.
    .legend_at(SeriesLabelPosition::LowerLeft)
    .with(Series::line_points("m_4 conditional", curve(cond, false)))
    .with(Series::line_points(
        "background conditional",
        curve(cond, true),
    ))
    .with(Series::points("m_4 direct", curve(direct, false)))
    .with(Series::line_points(
        "background direct",
        curve(direct, true),
    ));
    if let Some(e) = exact {
        let pts: Vec<(f64, f64)> = e
            .widths
            .iter()
            .zip(e.exact_signal.get("4").into_iter().flatten())
            .map(|(w, y)| ((*w as f64).log10(), y.log10()))
            .filter(|p| p.1.is_finite())
            .collect();
        if !pts.is_empty() {
            fig = fig.with(Series::dashed("exact m_4", pts));
        }
    }
    fig
}

fn write_sweep(a: &ArchSweep, e: &ArchExact, out: &mut Outputs) -> Result<()> {
    for (name, fig) in figures(&a.sweep, Some(&e.exact)) {
        let stem = name.trim_end_matches(".svg");
        out.svg(&format!("{stem}_{}.svg", a.arch.name()), &fig)?;
    }
    Ok(())
}

/// The stage 3 figures: one per flow and rg_beta.svg.
pub fn write_flows(s: &RgStage, out: &mut Outputs) -> Result<()> {
    for f in &s.flows {
        out.svg(&flow_file(f), &flow_figure(f))?;
    }
    out.svg("rg_beta.svg", &beta_figure(&s.flows))
}

/// The stage 4 figure, prediction6.svg.
pub fn write_prediction(s: &PredictionStage, out: &mut Outputs) -> Result<()> {
    out.svg("prediction6.svg", &ratio_figure(&s.cases))
}

fn flow_figure(f: &Flow) -> Figure {
    let r = &f.report;
    let lx: Vec<f64> = r.cutoffs.iter().map(|l| l.log10()).collect();
    let pts: Vec<(f64, f64)> = lx
        .iter()
        .zip(&r.mean_lambda)
        .map(|(x, m)| (*x, m.abs().log10()))
        .collect();
    // Error of log10 abs(mean lambda): e / (abs(mean) ln 10); zero for an exact source.
    let errs: Vec<f64> = r
        .mean_lambda
        .iter()
        .zip(&r.mean_lambda_error)
        .map(|(m, e)| e / (m.abs() * std::f64::consts::LN_10))
        .collect();
    let mut fig = Figure::new(
        &format!(
            "{} d = {}, N = {} ({}): running quartic coupling",
            f.title, f.d_in, f.width, f.source
        ),
        "log10 L",
        "log10 |mean lambda|",
    )
    .with(Series::error_bars("mean lambda over 4-tuples", pts, errs));
    if let (Some(s), Some(b)) = (r.slope, r.intercept) {
        let (a, z) = (lx[0], lx[lx.len() - 1]);
        fig = fig.with(Series::dashed(
            &format!("fit: slope {s:.4}"),
            vec![(a, b + s * a), (z, b + s * z)],
        ));
    }
    fig
}

/// The q-quantile (0 <= q <= 1) of `v` by linear interpolation; NaN when empty.
fn quantile(v: &[f64], q: f64) -> f64 {
    let mut s: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if s.is_empty() {
        return f64::NAN;
    }
    s.sort_by(f64::total_cmp);
    let pos = q * (s.len() - 1) as f64;
    let (i, f) = (pos.floor() as usize, pos.fract());
    if i + 1 < s.len() {
        s[i] + f * (s[i + 1] - s[i])
    } else {
        s[i]
    }
}

/// beta/lambda = -dlog I4/dlog L per flow: the median over the 4-tuples with bars from the
/// 25% to the 75% quantile, crosses where I4 of some tuple changes sign between two cutoffs,
/// and the reference values -5 (ReLU d = 1), -1 (Erf) and 0 (Gauss). The axis is held to
/// [-12, 4] so that one tuple near a zero of I4 cannot hide the rest (the CSV keeps every value).
fn beta_figure(flows: &[Flow]) -> Figure {
    let mut fig = Figure::new(
        "beta(lambda) / lambda = -dlog I4 / dlog L, per 4-tuple",
        "log10 L",
        "beta / lambda",
    )
    .caption("points: median over the 4-tuples; bars: 25% to 75% of the tuples")
    .caption("crosses: I4 of some tuple changes sign between neighbouring cutoffs")
    .clip_y(-12.0, 4.0);
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for f in flows {
        let r = &f.report;
        let mut pts = vec![];
        let mut ranges = vec![];
        for (c, l) in r.cutoffs.iter().enumerate() {
            let ratios: Vec<f64> = r.beta[c]
                .iter()
                .zip(&r.lambda[c])
                .map(|(b, m)| b / m)
                .collect();
            pts.push((l.log10(), quantile(&ratios, 0.5)));
            ranges.push((quantile(&ratios, 0.25), quantile(&ratios, 0.75)));
            lo = lo.min(l.log10());
            hi = hi.max(l.log10());
        }
        let label = format!("{} d={} N={} {}", f.arch.name(), f.d_in, f.width, f.source);
        let mut signs = vec![];
        let mut changed = 0;
        for c in 1..r.cutoffs.len() {
            let k = r.integral[c - 1]
                .iter()
                .zip(&r.integral[c])
                .filter(|(a, b)| a.signum() != b.signum())
                .count();
            if k > 0 {
                changed += k;
                let x = (r.cutoffs[c - 1].log10() + r.cutoffs[c].log10()) / 2.0;
                signs.push((x, (pts[c - 1].1 + pts[c].1) / 2.0));
            }
        }
        fig = fig.with(Series::ranges(&label, pts, ranges));
        if !signs.is_empty() {
            fig = fig.with(Series::crosses(
                &format!("{label}: I4 sign changes ({changed})"),
                signs,
            ));
        }
    }
    if lo.is_finite() {
        for (y, name) in [
            (-5.0, "-5 (ReLU d=1)"),
            (-1.0, "-1 (Erf)"),
            (0.0, "0 (Gauss)"),
        ] {
            fig = fig.with(Series::dashed(name, vec![(lo, y), (hi, y)]));
        }
    }
    fig
}

/// predicted / measured DeltaG6 per 6-tuple, one series per case, captioned with the
/// cutoffs of the predictions, the paper inputs and what the points are.
fn ratio_figure(cases: &[Case]) -> Figure {
    let cutoffs: Vec<String> = cases
        .iter()
        .map(|c| {
            format!(
                "{} L = {}",
                c.arch.name(),
                nnqft_core::number(c.prediction.cutoff)
            )
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut fig = Figure::new(
        "6-point deviation: predicted / measured per 6-tuple",
        "6-tuple (index in the table)",
        "predicted / measured",
    )
    .caption("first order: DeltaG6 = -24 lambda sum_15 I4 K, lambda the mean over the 4-tuples")
    .caption(&format!(
        "paper inputs, sigma defaults; cutoffs: {}",
        cutoffs.join(", ")
    ))
    .caption("where two series coincide, the later one hides the earlier");
    for c in cases {
        let p = &c.prediction;
        let pts = p
            .ratio
            .iter()
            .enumerate()
            .map(|(i, r)| (i as f64, *r))
            .collect();
        // The ratio's error from both relative errors (independent, first order).
        let errs = (0..p.ratio.len())
            .map(|i| {
                let rel = |e: f64, v: f64| if v != 0.0 { e / v } else { 0.0 };
                p.ratio[i].abs()
                    * rel(p.predicted_error[i], p.predicted[i])
                        .hypot(rel(p.measured_error[i], p.measured[i]))
            })
            .collect();
        fig = fig.with(Series::error_bars(
            &format!("{} N={} {}", c.arch.name(), c.width, c.source),
            pts,
            errs,
        ));
    }
    fig
}
