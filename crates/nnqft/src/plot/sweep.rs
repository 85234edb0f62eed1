//! The figures of a width sweep (`nnqft experiment`, and `nnqft reproduce` stages 1-2).

use super::{Figure, Series};
use nnqft_ensemble::{SlopeFit, SweepResult};

/// The sweep's figures with their file names: m{n}.svg (log10 m_n and log10 background
/// against log10 N) per order, and connected6.svg (log10 mean |G6c| with its error).
pub fn figures(r: &SweepResult) -> Vec<(String, Figure)> {
    let title = r.config.network.arch().title();
    let mut out = vec![];
    for n in &r.config.npt {
        let key = n.to_string();
        let mut signal = vec![];
        let mut background = vec![];
        for m in &r.measurements {
            if let Some(s) = m.summary.get(&key) {
                let x = (m.width as f64).log10();
                signal.push((x, s.signal.log10()));
                if let Some(b) = s.background {
                    background.push((x, b.log10()));
                }
            }
        }
        let mut fig = Figure::new(
            &format!("{title}: {n}-point deviation from the GP"),
            "log10 N",
            &format!("log10 m_{n}"),
        )
        .with(Series::line_points(&format!("signal m_{n}"), signal))
        .with(Series::line_points("background", background));
        if let Some(Some(fit)) = r.slopes.get(&key) {
            fig = fig.with(fit_line(fit));
        }
        out.push((format!("m{n}.svg"), fig));
    }
    if !r.connected6.is_empty() {
        let pts: Vec<(f64, f64)> = r
            .connected6
            .iter()
            .map(|p| ((p.width as f64).log10(), p.mean_abs.log10()))
            .collect();
        // Error of log10 y from the error of y: e / (y ln 10).
        let errs: Vec<f64> = r
            .connected6
            .iter()
            .map(|p| p.mean_stderr / (p.mean_abs * std::f64::consts::LN_10))
            .collect();
        let noise: Vec<(f64, f64)> = r
            .connected6
            .iter()
            .map(|p| ((p.width as f64).log10(), p.mean_stderr.log10()))
            .collect();
        let mut fig = Figure::new(
            &format!("{title}: connected 6-point function"),
            "log10 N",
            "log10 mean |G6c|",
        )
        .with(Series::error_bars("mean |G6c|", pts, errs))
        .with(Series::line_points("mean standard error", noise));
        if let Some(fit) = &r.connected6_slope {
            fig = fig.with(fit_line(fit));
        }
        out.push(("connected6.svg".to_string(), fig));
    }
    out
}

/// The fitted line log10 y = intercept + slope log10 N, dashed, over the widths it used.
fn fit_line(fit: &SlopeFit) -> Series {
    let x = |w: usize| (w as f64).log10();
    let (a, b) = (x(fit.widths[0]), x(fit.widths[fit.widths.len() - 1]));
    Series::dashed(
        &format!("fit: slope {:.2}", fit.slope),
        vec![
            (a, fit.intercept + fit.slope * a),
            (b, fit.intercept + fit.slope * b),
        ],
    )
}
