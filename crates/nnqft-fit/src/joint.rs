//! lambda and kappa together at first order (docs/conventions.md sections 5-6), per cutoff, by least
//! squares over every 4- and 6-multiset:
//!
//!   DeltaG4 = -24 lambda I4 - 360 kappa J4
//!   DeltaG6 = -24 lambda sum_15 I4(four) K(pair) - kappa (720 I6 + 360 sum_15 J4(four) K(pair))
//!
//! (the classes -360 lambda [X x line] and -5400 kappa [X with loop x line] summed over their 15
//! labelled members), with betas from differentiating the least-squares solution in L.

use crate::data::Deviations;
use crate::error::{FitError, Result};
use crate::integrals::{Integral, VertexIntegrals};
use crate::lsq::solve;
use nalgebra::{DMatrix, DVector};
use nnqft_core::Estimate;
use nnqft_core::{multiset_rank, pair_splits};
use serde::{Deserialize, Serialize};

/// For every 6-multiset (table order) its 15 splits: (rank of the sorted four among the
/// 4-multisets, K of the free pair) with K the full kernel.
pub(crate) fn six_splits(dev: &Deviations, dg6_indices: &[Vec<usize>]) -> Vec<Vec<(usize, f64)>> {
    let m = dev.inputs.len();
    let splits = pair_splits(6);
    dg6_indices
        .iter()
        .map(|idx| {
            splits
                .iter()
                .map(|([a, b], rest)| {
                    let mut four: Vec<usize> = rest.iter().map(|&r| idx[r]).collect();
                    four.sort_unstable();
                    (multiset_rank(m, &four), dev.kernel[(idx[*a], idx[*b])])
                })
                .collect()
        })
        .collect()
}

/// The joint fit at one cutoff.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JointAtCutoff {
    /// The cutoff L.
    pub cutoff: f64,
    /// Errors: from the sampling errors (sampled source) or from the residual scatter (exact).
    pub lambda: Estimate,
    /// The sextic coupling.
    pub kappa: Estimate,
    /// dlambda / dlog L.
    pub beta_lambda: f64,
    /// dkappa / dlog L.
    pub beta_kappa: f64,
    /// |W (b - A g)| / |W b|: the part of the data first order does not explain.
    pub residual: f64,
    /// chi^2 per degree of freedom (sampled source only).
    pub chi2_dof: Option<f64>,
    /// Condition number of the equilibrated 2-column design.
    pub condition: f64,
}

/// The joint flow over cutoffs, arrays per cutoff.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JointFlow {
    /// lambda of the joint fit, per cutoff.
    pub lambda_joint: Vec<f64>,
    /// Its error.
    pub lambda_joint_error: Vec<f64>,
    /// kappa of the joint fit, per cutoff.
    pub kappa: Vec<f64>,
    /// Its error.
    pub kappa_error: Vec<f64>,
    /// dlambda / dlog L of the joint fit.
    pub beta_lambda_joint: Vec<f64>,
    /// dkappa / dlog L.
    pub beta_kappa: Vec<f64>,
    /// The unexplained part of the data, per cutoff (see [`JointAtCutoff::residual`]).
    pub joint_residual: Vec<f64>,
    /// chi^2 per degree of freedom (sampled source only).
    pub joint_chi2_dof: Option<Vec<f64>>,
    /// Condition number of the design, per cutoff.
    pub joint_condition: Vec<f64>,
    /// Caveats (reported with the flow's).
    #[serde(skip)]
    pub warnings: Vec<String>,
}

/// Design (columns lambda, kappa), its L-derivative, targets and row weights.
struct Design {
    a: DMatrix<f64>,
    da: DMatrix<f64>,
    b: DVector<f64>,
    w: DVector<f64>,
}

fn design(dev: &Deviations, ints: &VertexIntegrals) -> Result<Design> {
    let dg6 = dev.dg6.as_ref().ok_or_else(|| {
        FitError::Data("lambda and kappa together need the 6-point function".into())
    })?;
    let (Some(loop4), Some(star6)) = (&ints.loop4, &ints.star6) else {
        return Err(FitError::Data(
            "lambda and kappa together need the J4 and I6 integrals".into(),
        ));
    };
    let n4 = dev.dg4.entries().len();
    let n6 = dg6.entries().len();
    if ints.x4.len() != n4 || loop4.len() != n4 || star6.len() != n6 {
        return Err(FitError::Data(
            "the integrals do not cover the correlator tables".into(),
        ));
    }
    let idx6: Vec<Vec<usize>> = dg6.entries().iter().map(|e| e.index.clone()).collect();
    let splits = six_splits(dev, &idx6);
    let rows = n4 + n6;
    let mut a = DMatrix::zeros(rows, 2);
    let mut da = DMatrix::zeros(rows, 2);
    let mut b = DVector::zeros(rows);
    let mut se = DVector::zeros(rows);
    let pick = |i: &Integral, deriv: bool| if deriv { i.d_dl } else { i.value };
    for (t, e) in dev.dg4.entries().iter().enumerate() {
        for (m, deriv) in [(&mut a, false), (&mut da, true)] {
            m[(t, 0)] = -24.0 * pick(&ints.x4[t], deriv);
            m[(t, 1)] = -360.0 * pick(&loop4[t], deriv);
        }
        b[t] = e.mean;
        se[t] = e.stderr;
    }
    for (s, e) in dg6.entries().iter().enumerate() {
        for (m, deriv) in [(&mut a, false), (&mut da, true)] {
            let (mut x_line, mut loop_line) = (0.0, 0.0);
            for &(r, k) in &splits[s] {
                x_line += pick(&ints.x4[r], deriv) * k;
                loop_line += pick(&loop4[r], deriv) * k;
            }
            m[(n4 + s, 0)] = -24.0 * x_line;
            m[(n4 + s, 1)] = -(720.0 * pick(&star6[s], deriv) + 360.0 * loop_line);
        }
        b[n4 + s] = e.mean;
        se[n4 + s] = e.stderr;
    }
    let w = if dev.sampled {
        if se.iter().any(|v| *v <= 0.0) {
            return Err(FitError::Data(
                "a sampled entry has a zero standard error".into(),
            ));
        }
        se.map(|v| 1.0 / v)
    } else {
        // Exact data: each block (4-pt rows, 6-pt rows) weighted by 1/its RMS so both count.
        let rms = |r: std::ops::Range<usize>| {
            let len = r.len() as f64;
            (r.map(|i| b[i] * b[i]).sum::<f64>() / len).sqrt()
        };
        let (r4, r6) = (rms(0..n4), rms(n4..rows));
        if r4 == 0.0 || r6 == 0.0 {
            return Err(FitError::Undefined(
                "DeltaG4 or DeltaG6 vanishes identically: no coupling to fit".into(),
            ));
        }
        DVector::from_fn(rows, |i, _| if i < n4 { 1.0 / r4 } else { 1.0 / r6 })
    };
    Ok(Design { a, da, b, w })
}

/// (lambda, kappa) at the cutoff of `ints`: the weighted least-squares solution g of A g = b,
/// and beta = L dg/dL with dg/dL = (A^T W A)^-1 (A'^T W r - A^T W A' g), r = b - A g.
pub fn joint_at(dev: &Deviations, ints: &VertexIntegrals) -> Result<JointAtCutoff> {
    let Design { a, da, b, w } = design(dev, ints)?;
    let sol = solve(&a, &b, Some(&w))?;
    let wda = DMatrix::from_fn(da.nrows(), 2, |i, j| w[i] * da[(i, j)]);
    let wa = DMatrix::from_fn(a.nrows(), 2, |i, j| w[i] * a[(i, j)]);
    let rhs = wda.transpose() * &sol.residuals - wa.transpose() * (&wda * &sol.coef);
    let dg = &sol.normal_inverse * rhs;
    let cov = sol.covariance(dev.sampled);
    let l = ints.cutoff;
    Ok(JointAtCutoff {
        cutoff: l,
        lambda: Estimate {
            value: sol.coef[0],
            error: cov[(0, 0)].max(0.0).sqrt(),
        },
        kappa: Estimate {
            value: sol.coef[1],
            error: cov[(1, 1)].max(0.0).sqrt(),
        },
        beta_lambda: l * dg[0],
        beta_kappa: l * dg[1],
        residual: sol.rss.sqrt() / b.component_mul(&w).norm(),
        chi2_dof: (dev.sampled && sol.dof > 0).then(|| sol.rss / sol.dof as f64),
        condition: sol.condition,
    })
}

/// [`joint_at`] over every cutoff.
pub fn joint_flow(dev: &Deviations, ints: &[VertexIntegrals]) -> Result<JointFlow> {
    let per: Vec<JointAtCutoff> = ints
        .iter()
        .map(|i| joint_at(dev, i))
        .collect::<Result<_>>()?;
    let mut warnings = vec![];
    if let Some(worst) = per.iter().map(|p| p.condition).reduce(f64::max)
        && worst > crate::lsq::DEGENERATE_CONDITION
    {
        warnings.push(format!(
                "lambda and kappa are nearly degenerate (condition number {worst:.3e}): kappa is poorly determined"
            ));
    }
    Ok(JointFlow {
        lambda_joint: per.iter().map(|p| p.lambda.value).collect(),
        lambda_joint_error: per.iter().map(|p| p.lambda.error).collect(),
        kappa: per.iter().map(|p| p.kappa.value).collect(),
        kappa_error: per.iter().map(|p| p.kappa.error).collect(),
        beta_lambda_joint: per.iter().map(|p| p.beta_lambda).collect(),
        beta_kappa: per.iter().map(|p| p.beta_kappa).collect(),
        joint_residual: per.iter().map(|p| p.residual).collect(),
        joint_chi2_dof: dev
            .sampled
            .then(|| per.iter().map(|p| p.chi2_dof.unwrap_or(f64::NAN)).collect()),
        joint_condition: per.iter().map(|p| p.condition).collect(),
        warnings,
    })
}
