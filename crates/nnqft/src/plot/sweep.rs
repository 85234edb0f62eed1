//! The figures of a width sweep (`nnqft experiment`, and `nnqft reproduce` stages 1-2).

use super::{Figure, Series};
use nnqft_core::Measurement;
use nnqft_ensemble::{SlopeFit, SweepResult};

/// The settings of a sweep, for the caption of its figures: the network's scales, the inputs
/// (named `paper` when they are the architecture's paper inputs), networks, experiments,
/// estimator and seed.
pub fn caption(r: &SweepResult) -> Vec<String> {
    let c = &r.config;
    let net = &c.network;
    vec![
        super::caption::network(net, &c.inputs),
        format!(
            "{} nets in {} experiments per width, {} estimator, seed {}",
            c.nets, c.experiments, c.estimator, c.seed
        ),
    ]
}

/// m_n of a measurement with a bound on its sampling error: the mean over entries (with a
/// non-zero GP value) of stderr / abs(G_GP), which bounds abs(m_n - E m_n) to first order for
/// any correlation between the entries.
fn signal_with_error(m: &Measurement, n: &str) -> Option<(f64, f64)> {
    let s = m.summary.get(n)?;
    let entries = m.correlators.get(n)?;
    let rel: Vec<f64> = entries
        .iter()
        .filter(|e| e.gp != 0.0)
        .map(|e| e.stderr / e.gp.abs())
        .collect();
    let err = if rel.is_empty() {
        0.0
    } else {
        rel.iter().sum::<f64>() / rel.len() as f64
    };
    Some((s.signal, err))
}

/// Error of log10 y from the error e of y (first order), 0 where undefined.
fn log_err(y: f64, e: f64) -> f64 {
    let v = e / (y.abs() * std::f64::consts::LN_10);
    if v.is_finite() { v } else { 0.0 }
}

/// The sweep's figures with their file names: m{n}.svg (log10 m_n with error bars, log10
/// background, the fitted slope and, given the exact measurements at the sweep's widths, the
/// exact m_n; at depth >= 2 the 1/n prediction, which exists for n = 2 and 4 only, so the
/// caption says that n = 6 has none) per order, and connected6.svg (log10 mean |G6c| with its error, and the exact
/// mean |kappa6|). Every figure is captioned with the sweep's settings.
pub fn figures(r: &SweepResult, exact: Option<&[Measurement]>) -> Vec<(String, Figure)> {
    let title = r.config.network.arch().title();
    let mut caption = caption(r);
    let deep = r.config.network.depth() > 1;
    let theory = if deep { "1/n prediction" } else { "exact" };
    if deep && exact.is_some() {
        caption.push(
            "line: the 1/n prediction (docs/conventions.md section 11), for n = 2 and 4 only"
                .to_string(),
        );
    }
    let captioned = |mut f: Figure| {
        for line in &caption {
            f = f.caption(line);
        }
        f
    };
    let lx = |w: usize| (w as f64).log10();
    let mut out = vec![];
    for n in &r.config.npt {
        let key = n.to_string();
        let mut signal = vec![];
        let mut errors = vec![];
        let mut background = vec![];
        for m in &r.measurements {
            if let Some((s, e)) = signal_with_error(m, &key) {
                signal.push((lx(m.width), s.log10()));
                errors.push(log_err(s, e));
                if let Some(b) = m.summary[&key].background {
                    background.push((lx(m.width), b.log10()));
                }
            }
        }
        let mut fig = captioned(Figure::new(
            &format!("{title}: {n}-point deviation from the GP"),
            "log10 N",
            &format!("log10 m_{n}"),
        ))
        .with(Series::error_bars(
            &format!("sampled m_{n}"),
            signal,
            errors,
        ))
        .with(Series::line_points("background", background));
        if let Some(Some(fit)) = r.slopes.get(&key) {
            fig = fig.with(fit_line(fit));
        }
        if let Some(ex) = exact {
            let pts: Vec<(f64, f64)> = ex
                .iter()
                .filter_map(|m| Some((lx(m.width), m.summary.get(&key)?.signal.log10())))
                .filter(|p| p.1.is_finite())
                .collect();
            if !pts.is_empty() {
                fig = fig.with(Series::line(&format!("{theory} m_{n}"), pts));
            } else if deep {
                fig = fig.caption(&format!("no 1/n prediction for n = {n} at depth >= 2"));
            }
        }
        out.push((format!("m{n}.svg"), fig));
    }
    if !r.connected6.is_empty() {
        let pts: Vec<(f64, f64)> = r
            .connected6
            .iter()
            .map(|p| (lx(p.width), p.mean_abs.log10()))
            .collect();
        let errs: Vec<f64> = r
            .connected6
            .iter()
            .map(|p| log_err(p.mean_abs, p.mean_stderr))
            .collect();
        let noise: Vec<(f64, f64)> = r
            .connected6
            .iter()
            .map(|p| (lx(p.width), p.mean_stderr.log10()))
            .collect();
        let mut fig = captioned(Figure::new(
            &format!("{title}: connected 6-point function"),
            "log10 N",
            "log10 mean |G6c|",
        ))
        .with(Series::error_bars("sampled mean |G6c|", pts, errs))
        .with(Series::line_points("mean standard error", noise));
        if let Some(fit) = &r.connected6_slope {
            fig = fig.with(fit_line(fit));
        }
        if let Some(ex) = exact {
            let pts: Vec<(f64, f64)> = ex
                .iter()
                .filter_map(|m| {
                    let c = m.connected.get("6")?;
                    let mean = c.iter().map(|e| e.mean.abs()).sum::<f64>() / c.len() as f64;
                    Some((lx(m.width), mean.log10()))
                })
                .filter(|p| p.1.is_finite())
                .collect();
            if !pts.is_empty() {
                fig = fig.with(Series::line("exact mean |kappa6|", pts));
            }
        }
        out.push(("connected6.svg".to_string(), fig));
    }
    out
}

/// The fitted line log10 y = intercept + slope log10 N, dashed, over the widths it used.
fn fit_line(fit: &SlopeFit) -> Series {
    let x = |w: usize| (w as f64).log10();
    let (a, b) = (x(fit.widths[0]), x(fit.widths[fit.widths.len() - 1]));
    // An error below the printed precision in one significant digit, never "+- 0.00".
    let err = fit.stderr.map_or(String::new(), |e| {
        if e >= 0.005 {
            format!(" +- {e:.2}")
        } else {
            format!(" +- {}", nnqft_core::sci(e, 0))
        }
    });
    Series::dashed(
        &format!(
            "fit: slope {:.2}{err} ({} widths)",
            fit.slope,
            fit.widths.len()
        ),
        vec![
            (a, fit.intercept + fit.slope * a),
            (b, fit.intercept + fit.slope * b),
        ],
    )
}
