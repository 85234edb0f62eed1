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
    /// Mean of lambda over tuples, with sqrt(sum sigma_t^2)/n (tuples treated as independent).
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

/// lambda_t = -DeltaG4_t / (24 I4_t) for every 4-multiset t at the cutoff of `ints`.
pub fn lambda_at(dev: &Deviations, ints: &VertexIntegrals) -> Result<LambdaAtCutoff> {
    check_cover(dev, ints)?;
    let l = ints.cutoff;
    let (mut lambda, mut error, mut beta) = (vec![], vec![], vec![]);
    for (e, i) in dev.dg4.entries().iter().zip(&ints.x4) {
        if !(i.value != 0.0 && i.value.is_finite() && i.d_dl.is_finite()) {
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
    let m = mean(&lambda);
    Ok(LambdaAtCutoff {
        cutoff: l,
        mean: Estimate {
            value: m,
            error: mean_error(&error),
        },
        mean_beta: mean(&beta),
        spread: std_dev(&lambda) / m.abs(),
        lambda,
        error,
        beta,
    })
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
    /// The mean of lambda over tuples, per cutoff.
    pub mean_lambda: Vec<f64>,
    /// Its standard error.
    pub mean_lambda_error: Vec<f64>,
    /// The mean of beta over tuples, per cutoff.
    pub mean_beta: Vec<f64>,
    /// The standard deviation of lambda across tuples, per cutoff.
    pub spread: Vec<f64>,
    /// Least-squares slope of log10 |mean lambda| against log10 L (null with one cutoff or a
    /// vanishing mean).
    pub slope: Option<f64>,
    /// Sampling error of the slope by linear propagation of the DeltaG4 errors (0 when exact).
    pub slope_error: Option<f64>,
    /// Standard error of the slope from the scatter of the points about the line.
    pub slope_scatter_error: Option<f64>,
    /// Intercept of that line.
    pub intercept: Option<f64>,
    /// R^2 of that line.
    pub r2: Option<f64>,
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
    let per: Vec<LambdaAtCutoff> = ints
        .iter()
        .map(|i| lambda_at(dev, i))
        .collect::<Result<_>>()?;
    let cutoffs: Vec<f64> = ints.iter().map(|i| i.cutoff).collect();
    let mut warnings = vec![];
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
        let n = dev.dg4.entries().len() as f64;
        let var: f64 = dev
            .dg4
            .entries()
            .iter()
            .enumerate()
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
    }
    Ok(RgReport {
        tuples: dev.dg4.entries().iter().map(|e| e.index.clone()).collect(),
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
        joint,
        warnings,
    })
}
