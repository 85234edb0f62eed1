//! The quartic coupling lambda per tuple and cutoff, its running, slope and beta function
//! (docs/conventions.md section 6).

use crate::data::Deviations;
use crate::error::{FitError, Result};
use crate::integrals::VertexIntegrals;
use crate::joint::{JointFlow, joint_flow};
use crate::stats::{fit_line, mean, mean_error, std_dev};
use nnqft_core::Estimate;
use serde::{Deserialize, Serialize};
use std::f64::consts::LN_10;

/// lambda at one cutoff, per 4-multiset and summarized.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LambdaAtCutoff {
    /// The cutoff L.
    pub cutoff: f64,
    /// lambda_t = -DeltaG4_t / (24 I4_t).
    pub lambda: Vec<f64>,
    /// sigma(lambda_t) = stderr(DeltaG4_t) / (24 |I4_t|).
    pub error: Vec<f64>,
    /// beta_t = -lambda_t L (dI4_t/dL) / I4_t.
    pub beta: Vec<f64>,
    /// Mean of lambda over the non-degenerate tuples, with sqrt(sum sigma_t^2)/n (tuples
    /// treated as independent).
    pub mean: Estimate,
    /// Mean of beta over tuples (the beta function of the mean coupling).
    pub mean_beta: f64,
    /// Standard deviation of lambda over tuples divided by |mean|: 0 for a constant coupling.
    pub spread: f64,
}

/// Check that the integrals cover the 4-multisets of the data.
fn check_cover(dev: &Deviations, ints: &VertexIntegrals) -> Result<()> {
    let n = dev.dg4.entries().len();
    if ints.x4.len() != n {
        return Err(FitError::Data(format!(
            "{} vertex integrals for {n} 4-point entries",
            ints.x4.len()
        )));
    }
    if !(ints.cutoff.is_finite() && ints.cutoff > 0.0) {
        return Err(FitError::Data(format!(
            "the cutoff must be positive and finite, got {}",
            ints.cutoff
        )));
    }
    Ok(())
}

/// lambda_t = -DeltaG4_t / (24 I4_t) for every 4-multiset t at the cutoff of `ints`; the
/// mean, mean beta and spread over the tuples that are not [`degenerate_tuples`] (an error
/// when every tuple is).
pub fn lambda_at(dev: &Deviations, ints: &VertexIntegrals) -> Result<LambdaAtCutoff> {
    check_cover(dev, ints)?;
    let tuples: Vec<Vec<usize>> = dev.dg4.entries().iter().map(|e| e.index.clone()).collect();
    let (flags, list) = degenerate_tuples(&tuples, std::slice::from_ref(ints));
    lambda_at_kept(dev, ints, &flags, &list)
}

/// [`lambda_at`] with the summaries over the tuples not flagged in `skip` (`why` lists them).
fn lambda_at_kept(
    dev: &Deviations,
    ints: &VertexIntegrals,
    skip: &[bool],
    why: &[DegenerateTuple],
) -> Result<LambdaAtCutoff> {
    let l = ints.cutoff;
    let (mut lambda, mut error, mut beta) = (vec![], vec![], vec![]);
    for ((e, i), &skipped) in dev.dg4.entries().iter().zip(&ints.x4).zip(skip) {
        let defined = i.value != 0.0 && i.value.is_finite() && i.d_dl.is_finite();
        if skipped && !defined {
            // A degenerate tuple whose I4 is exactly 0 (e.g. ReLU, sb = 0, inputs on both
            // sides of the origin): it has no lambda; it is listed in `why` and left out of
            // every summary, and its entries serialize as JSON null.
            lambda.push(f64::NAN);
            error.push(f64::NAN);
            beta.push(f64::NAN);
            continue;
        }
        if !defined {
            return Err(FitError::Undefined(format!(
                "I4 of tuple {:?} at L = {l} is {}: lambda is undefined there",
                e.index, i.value
            )));
        }
        let lam = -e.mean / (24.0 * i.value);
        lambda.push(lam);
        error.push(e.stderr / (24.0 * i.value.abs()));
        beta.push(-lam * l * i.d_dl / i.value);
    }
    if skip.iter().all(|&s| s) {
        let list: Vec<String> = why
            .iter()
            .map(|d| format!("{:?}: {}", d.tuple, d.reason))
            .collect();
        return Err(FitError::Undefined(format!(
            "every tuple is degenerate, lambda is undefined: {}",
            list.join("; ")
        )));
    }
    let kept = |v: &[f64]| -> Vec<f64> {
        v.iter()
            .zip(skip)
            .filter(|(_, s)| !**s)
            .map(|(x, _)| *x)
            .collect()
    };
    let m = mean(&kept(&lambda));
    let spread = if m == 0.0 {
        0.0
    } else {
        std_dev(&kept(&lambda)) / m.abs()
    };
    Ok(LambdaAtCutoff {
        cutoff: l,
        mean: Estimate {
            value: m,
            error: mean_error(&kept(&error)),
        },
        mean_beta: mean(&kept(&beta)),
        spread,
        lambda,
        error,
        beta,
    })
}

/// |I4_t| at or below this fraction of the largest |I4| at the same cutoff is zero up to
/// rounding (quadrature is good to about 1e-12 relative): lambda_t = -DeltaG4_t/(24 I4_t)
/// is meaningless there.
pub const VANISHING_I4: f64 = 1e-9;

/// |I4_t| below this fraction of the median |I4| at the same cutoff is near zero: lambda_t
/// is dominated by the small denominator (orders of magnitude above the other tuples').
pub const NEAR_ZERO_I4: f64 = 1e-4;

use nnqft_core::number as short;

/// A tuple left out of the summaries over tuples, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DegenerateTuple {
    /// The sorted 4-multiset.
    pub tuple: Vec<usize>,
    /// Why: "I4 vanishes up to rounding at L = ...", "I4 is near zero at L = ...", or
    /// "I4 changes sign between L = ... and ...".
    pub reason: String,
}

/// The median and quartiles of a set of values.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quartiles {
    /// The 25th percentile (linear interpolation between order statistics).
    pub q25: f64,
    /// The median.
    pub median: f64,
    /// The 75th percentile.
    pub q75: f64,
}

impl Quartiles {
    /// The quartiles of `xs`; None when empty or when a value is not finite.
    pub fn of(xs: &[f64]) -> Option<Quartiles> {
        if xs.is_empty() || xs.iter().any(|x| !x.is_finite()) {
            return None;
        }
        let mut v = xs.to_vec();
        v.sort_by(f64::total_cmp);
        let at = |q: f64| {
            let h = q * (v.len() - 1) as f64;
            let (lo, frac) = (h.floor() as usize, h - h.floor());
            let hi = (lo + 1).min(v.len() - 1);
            v[lo] + frac * (v[hi] - v[lo])
        };
        Some(Quartiles {
            q25: at(0.25),
            median: at(0.5),
            q75: at(0.75),
        })
    }
}

/// The tuples whose lambda cannot be trusted across `ints`: I4 zero up to rounding
/// ([`VANISHING_I4`]), near zero ([`NEAR_ZERO_I4`]) at some cutoff, or changing sign
/// between two cutoffs (in the order given). Returns a flag per tuple and the list.
pub fn degenerate_tuples(
    tuples: &[Vec<usize>],
    ints: &[VertexIntegrals],
) -> (Vec<bool>, Vec<DegenerateTuple>) {
    let mut flags = vec![false; tuples.len()];
    let mut list = vec![];
    for (t, tuple) in tuples.iter().enumerate() {
        let mut reason = None;
        for i in ints {
            let abs: Vec<f64> = i.x4.iter().map(|v| v.value.abs()).collect();
            let max = abs.iter().copied().fold(0.0, f64::max);
            let med = crate::stats::median(&abs);
            let a = abs[t];
            if a <= VANISHING_I4 * max {
                reason = Some(format!(
                    "I4 vanishes up to rounding at L = {} (|I4| = {a:.3e}, the largest is {max:.3e})",
                    short(i.cutoff)
                ));
                break;
            }
            if a < NEAR_ZERO_I4 * med {
                reason = Some(format!(
                    "I4 is near zero at L = {} (|I4| = {a:.3e}, the median is {med:.3e})",
                    short(i.cutoff)
                ));
                break;
            }
        }
        if reason.is_none() {
            reason = ints.windows(2).find_map(|w| {
                (w[0].x4[t].value.signum() != w[1].x4[t].value.signum()).then(|| {
                    format!(
                        "I4 changes sign between L = {} and L = {}",
                        short(w[0].cutoff),
                        short(w[1].cutoff)
                    )
                })
            });
        }
        if let Some(reason) = reason {
            flags[t] = true;
            list.push(DegenerateTuple {
                tuple: tuple.clone(),
                reason,
            });
        }
    }
    (flags, list)
}

/// Which couplings to extract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Couplings {
    /// lambda alone, from DeltaG4.
    Lambda,
    /// lambda and kappa together, from DeltaG4 and DeltaG6 at first order.
    LambdaKappa,
}

/// The running of lambda over a list of cutoffs (and of (lambda, kappa) when asked).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RgReport {
    /// The cutoffs L, ascending.
    pub cutoffs: Vec<f64>,
    /// The sorted 4-multisets of input indices, the columns of every per-tuple array.
    pub tuples: Vec<Vec<usize>>,
    /// I4 per cutoff per tuple.
    pub integral: Vec<Vec<f64>>,
    /// lambda = -DeltaG4 / (24 I4) per cutoff per tuple.
    pub lambda: Vec<Vec<f64>>,
    /// Its standard error (0 when exact).
    pub lambda_error: Vec<Vec<f64>>,
    /// beta = dlambda / dlog L per cutoff per tuple.
    pub beta: Vec<Vec<f64>>,
    /// The mean of lambda over the kept tuples (all but the degenerate ones), per cutoff.
    pub mean_lambda: Vec<f64>,
    /// Its standard error.
    pub mean_lambda_error: Vec<f64>,
    /// The mean of beta over tuples, per cutoff.
    pub mean_beta: Vec<f64>,
    /// The standard deviation of lambda across tuples, per cutoff.
    pub spread: Vec<f64>,
    /// Least-squares slope of log10 |mean lambda| (kept tuples) against log10 L (null with one
    /// cutoff or a vanishing mean); the robust summary is [`RgReport::tuple_slope_quartiles`].
    pub slope: Option<f64>,
    /// Sampling error of the slope by linear propagation of the DeltaG4 errors (0 when exact).
    pub slope_error: Option<f64>,
    /// Standard error of the slope from the scatter of the points about the line.
    pub slope_scatter_error: Option<f64>,
    /// Intercept of that line.
    pub intercept: Option<f64>,
    /// R^2 of that line.
    pub r2: Option<f64>,
    /// Tuples left out of the summaries over tuples (the means, medians, quartiles and
    /// slopes), with the reason; their per-tuple values are still listed above.
    #[serde(default)]
    pub degenerate: Vec<DegenerateTuple>,
    /// Median and quartiles of lambda over the kept tuples, per cutoff (null when none is kept).
    #[serde(default)]
    pub lambda_quartiles: Vec<Option<Quartiles>>,
    /// Median and quartiles of beta/lambda = -L (dI4/dL) / I4 over the kept tuples, per cutoff.
    #[serde(default)]
    pub beta_over_lambda_quartiles: Vec<Option<Quartiles>>,
    /// Per tuple: the least-squares slope of log10 |lambda_t| against log10 L (null for a
    /// degenerate tuple, a lambda that vanishes or changes sign, or one cutoff).
    #[serde(default)]
    pub tuple_slopes: Vec<Option<f64>>,
    /// Median and quartiles of the per-tuple slopes (null when no tuple has one).
    #[serde(default)]
    pub tuple_slope_quartiles: Option<Quartiles>,
    /// The joint (lambda, kappa) flow, when asked.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub joint: Option<JointFlow>,
    /// Caveats; empty when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// lambda(tuple, L) over the cutoffs of `ints` (one entry per cutoff, increasing or not), the
/// slope of log10 |mean lambda| against log10 L with its R^2 and propagated sampling error,
/// and with `Couplings::LambdaKappa` the joint (lambda, kappa) flow.
pub fn rg_flow(
    dev: &Deviations,
    ints: &[VertexIntegrals],
    couplings: Couplings,
) -> Result<RgReport> {
    if ints.is_empty() {
        return Err(FitError::Data("no cutoffs given".into()));
    }
    for i in ints {
        check_cover(dev, i)?;
    }
    let tuples: Vec<Vec<usize>> = dev.dg4.entries().iter().map(|e| e.index.clone()).collect();
    let (skip, degenerate) = degenerate_tuples(&tuples, ints);
    let per: Vec<LambdaAtCutoff> = ints
        .iter()
        .map(|i| lambda_at_kept(dev, i, &skip, &degenerate))
        .collect::<Result<_>>()?;
    let cutoffs: Vec<f64> = ints.iter().map(|i| i.cutoff).collect();
    let mut warnings = vec![];
    if !degenerate.is_empty() {
        let list: Vec<String> = degenerate
            .iter()
            .map(|d| format!("{:?}", d.tuple))
            .collect();
        warnings.push(format!(
            "{} of {} tuples are degenerate (I4 vanishes up to rounding, is near zero, or changes sign across the cutoffs) and are left out of the means, medians and slopes: {}",
            degenerate.len(),
            tuples.len(),
            list.join(", ")
        ));
    }
    let keep: Vec<usize> = (0..tuples.len()).filter(|&t| !skip[t]).collect();
    let lambda_quartiles: Vec<Option<Quartiles>> = per
        .iter()
        .map(|p| Quartiles::of(&keep.iter().map(|&t| p.lambda[t]).collect::<Vec<_>>()))
        .collect();
    let beta_over_lambda_quartiles: Vec<Option<Quartiles>> = ints
        .iter()
        .map(|i| {
            Quartiles::of(
                &keep
                    .iter()
                    .map(|&t| -i.cutoff * i.x4[t].d_dl / i.x4[t].value)
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    let log_l: Vec<f64> = cutoffs.iter().map(|l| l.log10()).collect();
    let tuple_slopes: Vec<Option<f64>> = (0..tuples.len())
        .map(|t| {
            let lam: Vec<f64> = per.iter().map(|p| p.lambda[t]).collect();
            let same_sign = lam.iter().all(|v| *v > 0.0) || lam.iter().all(|v| *v < 0.0);
            if skip[t] || !same_sign {
                return None;
            }
            let y: Vec<f64> = lam.iter().map(|v| v.abs().log10()).collect();
            fit_line(&log_l, &y)
                .map(|l| l.slope)
                .filter(|s| s.is_finite())
        })
        .collect();
    let tuple_slope_quartiles =
        Quartiles::of(&tuple_slopes.iter().flatten().copied().collect::<Vec<_>>());
    let (mut slope, mut slope_error, mut slope_scatter_error, mut intercept, mut r2) =
        (None, None, None, None, None);
    if per.iter().any(|p| p.mean.value == 0.0) {
        warnings.push("the mean lambda vanishes at some cutoff: no slope".into());
    } else if let Some(line) = fit_line(
        &cutoffs.iter().map(|l| l.log10()).collect::<Vec<_>>(),
        &per.iter()
            .map(|p| p.mean.value.abs().log10())
            .collect::<Vec<_>>(),
    ) {
        // y_k = log10|m_k|, m_k = -(1/24n) sum_t DeltaG4_t / I4_t(L_k):
        // d y_k / d DeltaG4_t = -1 / (ln10 m_k 24 n I4_t(L_k)); slope = sum_k w_k y_k.
        let n = keep.len() as f64;
        let var: f64 = dev
            .dg4
            .entries()
            .iter()
            .enumerate()
            .filter(|(t, _)| !skip[*t])
            .map(|(t, e)| {
                let d: f64 = line
                    .slope_weights
                    .iter()
                    .zip(ints.iter().zip(&per))
                    .map(|(w, (i, p))| -w / (LN_10 * p.mean.value * 24.0 * n * i.x4[t].value))
                    .sum();
                d * d * e.stderr * e.stderr
            })
            .sum();
        slope = Some(line.slope);
        slope_error = Some(var.sqrt());
        slope_scatter_error = Some(line.scatter_error);
        intercept = Some(line.intercept);
        r2 = Some(line.r2);
    }
    let joint = match couplings {
        Couplings::Lambda => None,
        Couplings::LambdaKappa => Some(joint_flow(dev, ints)?),
    };
    if let Some(j) = &joint {
        warnings.extend(j.warnings.iter().cloned());
        let flipped: Vec<String> = cutoffs
            .iter()
            .zip(j.lambda_joint.iter().zip(&lambda_quartiles))
            .filter_map(|(l, (lj, q))| {
                let lo = q.as_ref()?.median;
                (lj.signum() != lo.signum() || (lj / lo).abs() > 2.0 || (lj / lo).abs() < 0.5)
                    .then(|| format!("L = {l}: {lj:.3e} vs {lo:.3e}"))
            })
            .collect();
        if !flipped.is_empty() {
            warnings.push(format!(
                "the joint lambda differs from the lambda-only median by more than a factor 2 or in sign ({}): with kappa in the fit, lambda is the X-vertex coefficient once the kappa terms (the loop J4 in DeltaG4, the 6-star in DeltaG6) are fitted too, while the lambda-only fit absorbs kappa's part of DeltaG4; they are different quantities, and a large condition number means the data barely separate them",
                flipped.join(", ")
            ));
        }
    }
    Ok(RgReport {
        tuples,
        integral: ints
            .iter()
            .map(|i| i.x4.iter().map(|v| v.value).collect())
            .collect(),
        lambda: per.iter().map(|p| p.lambda.clone()).collect(),
        lambda_error: per.iter().map(|p| p.error.clone()).collect(),
        beta: per.iter().map(|p| p.beta.clone()).collect(),
        mean_lambda: per.iter().map(|p| p.mean.value).collect(),
        mean_lambda_error: per.iter().map(|p| p.mean.error).collect(),
        mean_beta: per.iter().map(|p| p.mean_beta).collect(),
        spread: per.iter().map(|p| p.spread).collect(),
        cutoffs,
        slope,
        slope_error,
        slope_scatter_error,
        intercept,
        r2,
        degenerate,
        lambda_quartiles,
        beta_over_lambda_quartiles,
        tuple_slopes,
        tuple_slope_quartiles,
        joint,
        warnings,
    })
}
