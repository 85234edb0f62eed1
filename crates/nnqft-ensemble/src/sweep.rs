//! The width sweep (the paper's Section 3 experiment): sample the same network family at
//! several widths, and fit the log-log slopes of the signals m_n and of the connected 6-point
//! function against the width N.

use crate::error::{EnsembleError, Result};
use crate::finish::finish;
use crate::partial::run_all;
use crate::plan::{Estimator, Plan, Settings};
use nnqft_core::{InputSet, Measurement, Network};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A width sweep: one `nnqft sample` run per width, all with the same seed (so width N's
/// measurement is exactly `nnqft sample --width N` with these settings).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepConfig {
    /// The network family.
    pub network: Network,
    /// The inputs.
    pub inputs: InputSet,
    /// The widths N, one run each.
    pub widths: Vec<usize>,
    /// Networks per width.
    pub nets: u64,
    /// Experiments per width.
    pub experiments: usize,
    /// The orders n.
    pub npt: Vec<usize>,
    /// The seed of every width.
    pub seed: u64,
    /// The estimator of every width (sweeps saved before it existed were direct).
    #[serde(default = "direct")]
    pub estimator: Estimator,
}

fn direct() -> Estimator {
    Estimator::Direct
}

impl SweepConfig {
    /// The plan of one width (validated).
    pub fn plan(&self, width: usize) -> Result<Plan> {
        let settings = Settings::new(self.network, self.inputs.clone(), width, &self.npt)?
            .with_estimator(self.estimator)?;
        Plan::new(settings, self.nets, self.experiments, self.seed)
    }

    /// Validate every width's plan before any sampling; returns them in order.
    pub fn plans(&self) -> Result<Vec<Plan>> {
        if self.widths.is_empty() {
            return Err(EnsembleError::Width);
        }
        self.widths.iter().map(|&w| self.plan(w)).collect()
    }
}

/// A least-squares line log10 y = intercept + slope log10 N over `widths`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SlopeFit {
    /// The slope.
    pub slope: f64,
    /// The intercept.
    pub intercept: f64,
    /// Standard error of the slope from the residuals (null with fewer than 3 points).
    pub stderr: Option<f64>,
    /// The widths fitted.
    pub widths: Vec<usize>,
}

/// Ordinary least squares of log10 y on log10 N over points (N, y) with y > 0; None with
/// fewer than 2 usable points or a single distinct N.
pub fn fit_loglog(points: &[(usize, f64)]) -> Option<SlopeFit> {
    let pts: Vec<(usize, f64, f64)> = points
        .iter()
        .filter(|(n, y)| *n > 0 && *y > 0.0 && y.is_finite())
        .map(|&(n, y)| (n, (n as f64).log10(), y.log10()))
        .collect();
    if pts.len() < 2 {
        return None;
    }
    let k = pts.len() as f64;
    let mx = pts.iter().map(|p| p.1).sum::<f64>() / k;
    let my = pts.iter().map(|p| p.2).sum::<f64>() / k;
    let sxx: f64 = pts.iter().map(|p| (p.1 - mx) * (p.1 - mx)).sum();
    if sxx == 0.0 {
        return None;
    }
    let sxy: f64 = pts.iter().map(|p| (p.1 - mx) * (p.2 - my)).sum();
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let stderr = (pts.len() >= 3).then(|| {
        let rss: f64 = pts
            .iter()
            .map(|p| (p.2 - intercept - slope * p.1).powi(2))
            .sum();
        (rss / (k - 2.0) / sxx).sqrt()
    });
    Some(SlopeFit {
        slope,
        intercept,
        stderr,
        widths: pts.iter().map(|p| p.0).collect(),
    })
}

/// The size of the connected 6-point function at one width: mean over entries of |G6c| and
/// the mean of their standard errors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Connected6Point {
    /// The width N.
    pub width: usize,
    /// Mean over entries of |G6c|.
    pub mean_abs: f64,
    /// Mean of their standard errors.
    pub mean_stderr: f64,
}

/// Everything the sweep measured, and its fits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepResult {
    /// What was swept.
    pub config: SweepConfig,
    /// One measurement per width, in the order of `config.widths`.
    pub measurements: Vec<Measurement>,
    /// Per n: slope of log10 m_n against log10 N over the widths where m_n exceeds twice its
    /// background (the signal-dominated widths); null if fewer than two such widths.
    pub slopes: BTreeMap<String, Option<SlopeFit>>,
    /// Per n: the same fit over every width (flattens where m_n reaches the background).
    pub slopes_all_widths: BTreeMap<String, Option<SlopeFit>>,
    /// Mean |G6c| per width (when n = 4 and 6 were both measured with >= 2 experiments).
    pub connected6: Vec<Connected6Point>,
    /// Slope of log10 mean|G6c| against log10 N over the widths where it exceeds twice its
    /// mean standard error.
    pub connected6_slope: Option<SlopeFit>,
}

/// Progress of a sweep, reported to the caller's callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SweepEvent {
    /// Width number `index` (0-based) starts; it has `blocks` blocks.
    WidthStarted {
        /// Position in the sweep.
        index: usize,
        /// The width N.
        width: usize,
        /// Its block count.
        blocks: u64,
    },
    /// One block of the current width is done.
    Block,
    /// Width number `index` is done.
    WidthDone {
        /// Position in the sweep.
        index: usize,
        /// The width N.
        width: usize,
    },
}

/// Run the sweep: every width's plan is validated first, then sampled (rayon, on the
/// current pool or a local one of `threads`), finished, and the slopes fitted.
pub fn run_sweep(
    config: &SweepConfig,
    threads: Option<usize>,
    progress: &(dyn Fn(SweepEvent) + Sync),
) -> Result<SweepResult> {
    let plans = config.plans()?;
    let mut measurements = Vec::with_capacity(plans.len());
    for (index, plan) in plans.iter().enumerate() {
        let width = plan.settings.width;
        progress(SweepEvent::WidthStarted {
            index,
            width,
            blocks: plan.block_count(),
        });
        let partial = run_all(plan, threads, &|_| progress(SweepEvent::Block))?;
        measurements.push(finish(&partial)?);
        progress(SweepEvent::WidthDone { index, width });
    }
    Ok(summarize(config.clone(), measurements))
}

/// Fit the slopes of a finished sweep (also usable on measurements loaded from files).
pub fn summarize(config: SweepConfig, measurements: Vec<Measurement>) -> SweepResult {
    let mut slopes = BTreeMap::new();
    let mut slopes_all = BTreeMap::new();
    for n in &config.npt {
        let key = n.to_string();
        let mut all = vec![];
        let mut dominated = vec![];
        for m in &measurements {
            if let Some(s) = m.summary.get(&key) {
                all.push((m.width, s.signal));
                if s.background.is_some_and(|b| s.signal > 2.0 * b) {
                    dominated.push((m.width, s.signal));
                }
            }
        }
        slopes.insert(key.clone(), fit_loglog(&dominated));
        slopes_all.insert(key, fit_loglog(&all));
    }
    let connected6: Vec<Connected6Point> = measurements
        .iter()
        .filter_map(|m| {
            let c = m.connected.get("6")?;
            let k = c.len() as f64;
            Some(Connected6Point {
                width: m.width,
                mean_abs: c.iter().map(|e| e.mean.abs()).sum::<f64>() / k,
                mean_stderr: c.iter().map(|e| e.stderr).sum::<f64>() / k,
            })
        })
        .collect();
    let c6_points: Vec<(usize, f64)> = connected6
        .iter()
        .filter(|p| p.mean_abs > 2.0 * p.mean_stderr)
        .map(|p| (p.width, p.mean_abs))
        .collect();
    SweepResult {
        connected6_slope: fit_loglog(&c6_points),
        config,
        measurements,
        slopes,
        slopes_all_widths: slopes_all,
        connected6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_exact_power_laws() {
        let pts: Vec<(usize, f64)> = [2usize, 5, 10, 100]
            .iter()
            .map(|&n| (n, 3.0 * (n as f64).powf(-1.5)))
            .collect();
        let f = fit_loglog(&pts).unwrap();
        assert!((f.slope + 1.5).abs() < 1e-12);
        assert!((f.intercept - 3f64.log10()).abs() < 1e-12);
        assert!(f.stderr.unwrap() < 1e-10);
        assert!(fit_loglog(&pts[..1]).is_none());
        assert!(fit_loglog(&[(2, 1.0), (2, 3.0)]).is_none());
    }
}
