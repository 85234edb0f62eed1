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
    let lx: Vec<f64> = e.widths.iter().map(|&w| (w as f64).log10()).collect();
    for (name, mut fig) in figures(&a.sweep) {
        let stem = name.trim_end_matches(".svg");
        let exact: Vec<(f64, f64)> = if stem == "connected6" {
            lx.iter()
                .zip(&e.exact_connected6)
                .map(|(x, y)| (*x, y.log10()))
                .collect()
        } else {
            let n = stem.trim_start_matches('m');
            e.exact_signal
                .get(n)
                .map(|v| lx.iter().zip(v).map(|(x, y)| (*x, y.log10())).collect())
                .unwrap_or_default()
        };
        if exact.iter().any(|p| p.1.is_finite()) {
            let label = if stem == "connected6" {
                "exact mean |kappa6|".to_string()
            } else {
                format!("exact m_{}", stem.trim_start_matches('m'))
            };
            fig = fig.with(Series::line(&label, exact));
        }
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
    let mut fig = Figure::new(
        &format!(
            "{} d = {}, N = {} ({}): running quartic coupling",
            f.title, f.d_in, f.width, f.source
        ),
        "log10 L",
        "log10 |mean lambda|",
    )
    .with(Series::points("mean lambda over 4-tuples", pts));
    if let (Some(s), Some(b)) = (r.slope, r.intercept) {
        let (a, z) = (lx[0], lx[lx.len() - 1]);
        fig = fig.with(Series::dashed(
            &format!("fit: slope {s:.4}"),
            vec![(a, b + s * a), (z, b + s * z)],
        ));
    }
    fig
}

fn beta_figure(flows: &[Flow]) -> Figure {
    let mut fig = Figure::new(
        "beta(lambda) / lambda = -dlog I4 / dlog L",
        "log10 L",
        "beta / lambda",
    );
    for f in flows {
        let pts = f
            .report
            .cutoffs
            .iter()
            .zip(f.report.mean_beta.iter().zip(&f.report.mean_lambda))
            .map(|(l, (b, m))| (l.log10(), b / m))
            .collect();
        fig = fig.with(Series::line_points(
            &format!("{} d={} {}", f.arch.name(), f.d_in, f.source),
            pts,
        ));
    }
    fig
}

fn ratio_figure(cases: &[Case]) -> Figure {
    let mut fig = Figure::new(
        "6-point deviation: predicted / measured per 6-tuple",
        "6-tuple (index in the table)",
        "predicted / measured",
    );
    for c in cases {
        let pts = c
            .prediction
            .ratio
            .iter()
            .enumerate()
            .map(|(i, r)| (i as f64, *r))
            .collect();
        fig = fig.with(Series::points(
            &format!("{} N={} {}", c.arch.name(), c.width, c.source),
            pts,
        ));
    }
    fig
}
