//! The figures of a depth sweep (`nnqft experiment --depths`): the normalized connected
//! four-point function S4 against depth at each width, sampled against its prediction (the
//! 1/n result of docs/conventions.md section 11; exact at depth 1), and the relative residual
//! against L/n with the 3 L/n size of the O(1/n^2) terms.

use super::{Figure, Series};
use nnqft_integrate::DepthPoint;

/// Error of log10 y from the error e of y (first order), 0 where undefined.
fn log_err(y: f64, e: f64) -> f64 {
    let v = e / (y.abs() * std::f64::consts::LN_10);
    if v.is_finite() { v } else { 0.0 }
}

/// g4_depth.svg (S4 against L per width: sampled with error bars, the prediction as a line)
/// and residual.svg (log10 |sampled - predicted| / |predicted| against log10 L/n, with error
/// bars where resolved, the line 3 L/n dashed), captioned with `caption`.
pub fn depth_figures(
    title: &str,
    points: &[DepthPoint],
    caption: &[String],
) -> Vec<(String, Figure)> {
    let captioned = |mut f: Figure| {
        for line in caption {
            f = f.caption(line);
        }
        f
    };
    let mut widths: Vec<usize> = points.iter().map(|p| p.width).collect();
    widths.sort_unstable();
    widths.dedup();
    let mut g4 = captioned(Figure::new(
        &format!("{title}: connected 4-point function against depth"),
        "depth L (hidden layers)",
        "S4 = mean G4c / |G4 GP|",
    ))
    .caption("S4: the mean over the 4-point entries of the connected G4 over the GP's G4; the 1/n line is exact at L = 1");
    for &w in &widths {
        let mut at: Vec<&DepthPoint> = points.iter().filter(|p| p.width == w).collect();
        at.sort_by_key(|p| p.depth);
        g4 = g4
            .with(Series::error_bars(
                &format!("sampled, n = {w}"),
                at.iter().map(|p| (p.depth as f64, p.sampled)).collect(),
                at.iter().map(|p| p.stderr).collect(),
            ))
            .with(Series::line(
                &format!("1/n prediction, n = {w}"),
                at.iter().map(|p| (p.depth as f64, p.predicted)).collect(),
            ));
    }
    let mut deep: Vec<&DepthPoint> = points
        .iter()
        .filter(|p| p.depth >= 2 && p.residual > 0.0)
        .collect();
    deep.sort_by(|a, b| a.depth_over_width.total_cmp(&b.depth_over_width));
    // A residual within two sampling errors of zero has a log error bar reaching -infinity:
    // such points are drawn without bars and labelled as not resolved.
    let (resolved, unresolved): (Vec<&DepthPoint>, Vec<&DepthPoint>) = deep
        .iter()
        .partition(|p| p.residual > 2.0 * p.residual_stderr);
    let mut res = captioned(Figure::new(
        &format!("{title}: residual of the 1/n prediction"),
        "log10 L/n",
        "log10 |sampled - 1/n| / |1/n|",
    ))
    .caption("points: depth >= 2 (the 1/n result); error bars where the residual exceeds twice its error")
    .caption("dashed: 3 L/n, the allowed size of the O(1/n^2) terms");
    if !resolved.is_empty() {
        res = res.with(Series::error_bars(
            "sampled residual of S4 (resolved)",
            resolved
                .iter()
                .map(|p| (p.depth_over_width.log10(), p.residual.log10()))
                .collect(),
            resolved
                .iter()
                .map(|p| log_err(p.residual, p.residual_stderr))
                .collect(),
        ));
    }
    res = res
        .with(Series::points(
            "sampled residual, below 2 sampling errors (not resolved)",
            unresolved
                .iter()
                .map(|p| (p.depth_over_width.log10(), p.residual.log10()))
                .collect(),
        ))
        .with(Series::crosses(
            "sampling error / |1/n|",
            deep.iter()
                .map(|p| (p.depth_over_width.log10(), p.residual_stderr.log10()))
                .filter(|q| q.1.is_finite())
                .collect(),
        ));
    // The axis: half a decade beyond the points, the 3 L/n line and the sampling errors.
    let ys = deep
        .iter()
        .flat_map(|p| [p.residual, p.residual_stderr, 3.0 * p.depth_over_width])
        .filter(|y| *y > 0.0)
        .map(f64::log10);
    if let (Some(lo), Some(hi)) = (ys.clone().reduce(f64::min), ys.reduce(f64::max)) {
        res = res.clip_y(lo - 0.5, hi + 0.5);
    }
    let xs: Vec<f64> = deep.iter().map(|p| p.depth_over_width).collect();
    if let (Some(lo), Some(hi)) = (
        xs.iter().copied().reduce(f64::min),
        xs.iter().copied().reduce(f64::max),
    ) {
        res = res.with(Series::dashed(
            "3 L/n",
            vec![
                (lo.log10(), (3.0 * lo).log10()),
                (hi.log10(), (3.0 * hi).log10()),
            ],
        ));
    }
    vec![
        ("g4_depth.svg".to_string(), g4),
        ("residual.svg".to_string(), res),
    ]
}
