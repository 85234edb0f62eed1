//! How far lambda4 is from a local coupling: its off-diagonal weight, and the best fit of the
//! paper's local forms M1 (lambda_0) and M2 (lambda_0, lambda_2) to it.
//!
//! A local action int dy [lambda_0 + lambda_2 |y|^2] f(y)^4 gives, at first order,
//! kappa4 = -(lambda_0 T0 + lambda_2 T2) (docs/conventions.md, "Fits"), so on the input set
//! its coupling tensor is lambda4 = lambda_0 amp(T0) + lambda_2 amp(T2), amp(T) being T with
//! K^-1 on every leg. The fit is least squares over every entry of the full tensor (each
//! sorted multiset weighted by its number of rearrangements).

use super::error::ActionError;
use super::tensor::Tensor;
use crate::models::Operator;
use nalgebra::{DMatrix, DVector};
use nnqft_core::multisets;
use serde::{Deserialize, Serialize};

/// One local model fitted to lambda4.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalFit {
    /// "M1" or "M2".
    pub model: String,
    /// Fitted couplings, by name (lambda_0, lambda_2).
    pub couplings: Vec<(String, f64)>,
    /// ||lambda4 - fit|| / ||lambda4|| (Frobenius norms of the full tensors).
    pub relative_residual: f64,
}

/// The locality summary of a lambda4 tensor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Locality {
    /// ||off-diagonal part|| / ||diagonal part|| of lambda4 (diagonal: all four indices
    /// equal; Frobenius norms of the full tensor). Zero for an ultra-local coupling.
    pub off_diagonal_ratio: f64,
    /// M1 and M2 fits (when their operators are given).
    pub fits: Vec<LocalFit>,
}

/// Multiplicity of a sorted multiset: the number of its distinct rearrangements.
fn rearrangements(s: &[usize]) -> f64 {
    let fact = |n: usize| (1..=n).map(|i| i as f64).product::<f64>();
    let mut denom = 1.0;
    let mut i = 0;
    while i < s.len() {
        let j = (i..s.len()).find(|&j| s[j] != s[i]).unwrap_or(s.len());
        denom *= fact(j - i);
        i = j;
    }
    fact(s.len()) / denom
}

/// The summary for `lambda4` (symmetric, k inputs), with `kernel` K and the paper's operator
/// columns per sorted 4-multiset (couplings "lambda_0", "lambda_2"; others are ignored).
pub fn locality(
    kernel: &DMatrix<f64>,
    lambda4: &Tensor,
    operators: &[Operator],
) -> Result<Locality, ActionError> {
    let k = kernel.nrows();
    let list = multisets(k, 4);
    let weight: Vec<f64> = list.iter().map(|s| rearrangements(s)).collect();
    let value: Vec<f64> = list.iter().map(|s| lambda4.at(s)).collect();
    let (mut diag, mut off) = (0.0, 0.0);
    for ((s, w), v) in list.iter().zip(&weight).zip(&value) {
        if s[0] == s[3] {
            diag += w * v * v;
        } else {
            off += w * v * v;
        }
    }
    let off_diagonal_ratio = if diag > 0.0 {
        (off / diag).sqrt()
    } else {
        f64::INFINITY
    };
    let kinv = kernel
        .clone()
        .try_inverse()
        .ok_or_else(|| ActionError::Shape("the kernel matrix is not invertible".into()))?;
    let amputated = |name: &str| -> Result<Option<Vec<f64>>, ActionError> {
        let Some(op) = operators.iter().find(|o| o.coupling == name) else {
            return Ok(None);
        };
        if op.values.len() != list.len() {
            return Err(ActionError::Shape(format!(
                "operator {name} has {} values for {} multisets",
                op.values.len(),
                list.len()
            )));
        }
        let t = Tensor::symmetric_from(k, 4, |s| op.values[nnqft_core::multiset_rank(k, s)])
            .on_every_leg(&kinv);
        Ok(Some(list.iter().map(|s| t.at(s)).collect()))
    };
    let columns = [amputated("lambda_0")?, amputated("lambda_2")?];
    let norm = value
        .iter()
        .zip(&weight)
        .map(|(v, w)| w * v * v)
        .sum::<f64>()
        .sqrt();
    let mut fits = Vec::new();
    for (model, names) in [
        ("M1", &["lambda_0"][..]),
        ("M2", &["lambda_0", "lambda_2"][..]),
    ] {
        let Some(cols) = columns[..names.len()]
            .iter()
            .map(Option::as_ref)
            .collect::<Option<Vec<&Vec<f64>>>>()
        else {
            continue;
        };
        // weighted least squares, columns scaled to unit norm for the solve
        let rows = list.len();
        let scale: Vec<f64> = cols
            .iter()
            .map(|c| {
                c.iter()
                    .zip(&weight)
                    .map(|(x, w)| w * x * x)
                    .sum::<f64>()
                    .sqrt()
                    .max(f64::MIN_POSITIVE)
            })
            .collect();
        let a = DMatrix::from_fn(rows, cols.len(), |i, j| {
            weight[i].sqrt() * cols[j][i] / scale[j]
        });
        let b = DVector::from_fn(rows, |i, _| weight[i].sqrt() * value[i]);
        let g = a
            .clone()
            .svd(true, true)
            .solve(&b, 1e-14)
            .map_err(|e| ActionError::Shape(format!("locality fit: {e}")))?;
        let resid = (&a * &g - &b).norm();
        fits.push(LocalFit {
            model: model.into(),
            couplings: names
                .iter()
                .zip(g.iter().zip(&scale))
                .map(|(n, (x, s))| (n.to_string(), x / s))
                .collect(),
            relative_residual: if norm > 0.0 { resid / norm } else { 0.0 },
        });
    }
    Ok(Locality {
        off_diagonal_ratio,
        fits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_coupling_is_recovered_exactly() {
        // lambda4 built from the operators themselves: M1 and M2 fit it with zero residual
        let kernel = DMatrix::from_row_slice(3, 3, &[1.0, 0.3, 0.1, 0.3, 1.2, 0.2, 0.1, 0.2, 0.9]);
        let t0: Vec<f64> = multisets(3, 4)
            .iter()
            .map(|s| 1.0 + 0.1 * s.iter().sum::<usize>() as f64)
            .collect();
        let t2: Vec<f64> = multisets(3, 4)
            .iter()
            .map(|s| 0.5 + 0.2 * (s[0] * s[3]) as f64)
            .collect();
        let ops = vec![
            Operator {
                coupling: "lambda_0".into(),
                values: t0.clone(),
            },
            Operator {
                coupling: "lambda_2".into(),
                values: t2.clone(),
            },
        ];
        let kinv = kernel.clone().try_inverse().unwrap();
        let lam = Tensor::symmetric_from(3, 4, |s| {
            let r = nnqft_core::multiset_rank(3, s);
            2.0 * t0[r] - 0.7 * t2[r]
        })
        .on_every_leg(&kinv);
        let loc = locality(&kernel, &lam, &ops).unwrap();
        let m2 = &loc.fits[1];
        assert!(m2.relative_residual < 1e-10, "{loc:?}");
        assert!((m2.couplings[0].1 - 2.0).abs() < 1e-9 && (m2.couplings[1].1 + 0.7).abs() < 1e-9);
        assert!(
            loc.fits[0].relative_residual > 1e-3,
            "M1 alone cannot fit it"
        );
        // a purely diagonal tensor has ratio 0
        let diag = Tensor::symmetric_from(3, 4, |s| if s[0] == s[3] { 1.0 } else { 0.0 });
        assert_eq!(
            locality(&kernel, &diag, &[]).unwrap().off_diagonal_ratio,
            0.0
        );
        assert_eq!(rearrangements(&[0, 0, 1, 2]), 12.0);
    }
}
