//! The one linear least-squares solver behind every fit: SVD of the row-weighted,
//! column-equilibrated design (never the normal equations).

use crate::error::{FitError, Result};
use nalgebra::{DMatrix, DVector};

/// Above this condition number of the column-equilibrated design, the columns are called
/// nearly degenerate: couplings along the weak direction are poorly determined.
pub const DEGENERATE_CONDITION: f64 = 1e6;

/// Singular values below this fraction of the largest are treated as zero (pseudo-inverse).
const RANK_TOLERANCE: f64 = 1e-14;

/// The minimizer g of sum_i w_i^2 (y_i - (A g)_i)^2 and what comes with it.
#[derive(Clone, Debug)]
pub struct Solution {
    pub coef: DVector<f64>,
    /// (A^T W^2 A)^-1 (pseudo-inverse when rank deficient): the coupling covariance when the
    /// row weights are 1/sigma_i.
    pub normal_inverse: DMatrix<f64>,
    /// Weighted residuals w_i (y_i - (A g)_i).
    pub residuals: DVector<f64>,
    /// sum of squared weighted residuals.
    pub rss: f64,
    /// Rows minus columns.
    pub dof: usize,
    /// s_max / s_min of W A D, D scaling every column to unit norm (1 with no columns;
    /// infinite when rank deficient).
    pub condition: f64,
}

impl Solution {
    /// The coupling covariance: `normal_inverse` when the row weights are 1/sigma (errors
    /// known), or `normal_inverse * rss/dof` when the noise level is estimated from the residuals.
    pub fn covariance(&self, errors_known: bool) -> DMatrix<f64> {
        if errors_known {
            self.normal_inverse.clone()
        } else if self.dof > 0 {
            &self.normal_inverse * (self.rss / self.dof as f64)
        } else {
            DMatrix::from_element(self.coef.len(), self.coef.len(), f64::NAN)
        }
    }

    /// Whether the condition number flags nearly degenerate columns.
    pub fn degenerate(&self) -> bool {
        self.condition.is_nan() || self.condition > DEGENERATE_CONDITION
    }
}

/// Solve min_g sum_i w_i^2 (y_i - (A g)_i)^2; `weights` None means w_i = 1.
///
/// Each column of W A is scaled to unit norm before the SVD, which makes the condition number
/// a measure of collinearity alone (not of the units of the couplings).
pub fn solve(
    a: &DMatrix<f64>,
    y: &DVector<f64>,
    weights: Option<&DVector<f64>>,
) -> Result<Solution> {
    let (rows, cols) = a.shape();
    if y.len() != rows || weights.is_some_and(|w| w.len() != rows) {
        return Err(FitError::Data(format!(
            "design has {rows} rows but {} targets",
            y.len()
        )));
    }
    if rows < cols {
        return Err(FitError::Undefined(format!(
            "{rows} data points cannot fix {cols} couplings"
        )));
    }
    let w = weights
        .cloned()
        .unwrap_or_else(|| DVector::from_element(rows, 1.0));
    if w.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
        return Err(FitError::Data(
            "every row weight must be positive and finite".into(),
        ));
    }
    if a.iter().chain(y.iter()).any(|v| !v.is_finite()) {
        return Err(FitError::Data(
            "the design or the targets contain a non-finite value".into(),
        ));
    }
    let wa = DMatrix::from_fn(rows, cols, |i, j| w[i] * a[(i, j)]);
    let wy = y.component_mul(&w);
    if cols == 0 {
        let rss = wy.norm_squared();
        return Ok(Solution {
            coef: DVector::zeros(0),
            normal_inverse: DMatrix::zeros(0, 0),
            residuals: wy,
            rss,
            dof: rows,
            condition: 1.0,
        });
    }
    let norms: Vec<f64> = (0..cols).map(|j| wa.column(j).norm()).collect();
    if let Some(j) = norms.iter().position(|&n| n == 0.0) {
        return Err(FitError::Undefined(format!(
            "column {} of the design is identically zero",
            j + 1
        )));
    }
    let scaled = DMatrix::from_fn(rows, cols, |i, j| wa[(i, j)] / norms[j]);
    let svd = scaled.svd(true, true);
    let (u, vt) = match (svd.u, svd.v_t) {
        (Some(u), Some(vt)) => (u, vt),
        _ => return Err(FitError::Undefined("the SVD did not converge".into())),
    };
    let s = svd.singular_values;
    let smax = s.max();
    let smin = s.min();
    let condition = if smin > 0.0 {
        smax / smin
    } else {
        f64::INFINITY
    };
    // h = V S^+ U^T (W y), g = D h; (A^T W^2 A)^-1 = D V S^-2 V^T D.
    let inv: Vec<f64> = s
        .iter()
        .map(|&v| {
            if v > RANK_TOLERANCE * smax {
                1.0 / v
            } else {
                0.0
            }
        })
        .collect();
    let uty = u.transpose() * &wy;
    let k = s.len();
    let mut coef = DVector::zeros(cols);
    let mut normal_inverse = DMatrix::zeros(cols, cols);
    for r in 0..k {
        let c = uty[r] * inv[r];
        for j in 0..cols {
            coef[j] += vt[(r, j)] * c / norms[j];
        }
        let i2 = inv[r] * inv[r];
        for j in 0..cols {
            for l in 0..cols {
                normal_inverse[(j, l)] += vt[(r, j)] * vt[(r, l)] * i2 / (norms[j] * norms[l]);
            }
        }
    }
    let residuals = &wy - &wa * &coef;
    let rss = residuals.norm_squared();
    Ok(Solution {
        coef,
        normal_inverse,
        residuals,
        rss,
        dof: rows - cols,
        condition,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_exact_coefficients_of_badly_scaled_columns() {
        let a = DMatrix::from_fn(8, 3, |i, j| {
            let x = i as f64 + 1.0;
            [1e-9 * x, 1e6 * x * x, (x * 0.7).sin()][j]
        });
        let g = DVector::from_vec(vec![3e8, -2e-7, 0.5]);
        let y = &a * &g;
        let sol = solve(&a, &y, None).unwrap();
        for j in 0..3 {
            assert!(
                (sol.coef[j] / g[j] - 1.0).abs() < 1e-10,
                "{j}: {}",
                sol.coef[j]
            );
        }
        assert!(sol.rss < 1e-20 * y.norm_squared());
        assert_eq!(sol.dof, 5);
    }

    #[test]
    fn one_column_matches_the_closed_form() {
        // min sum w^2 (y - a g)^2: g = sum w^2 a y / sum w^2 a^2, var g = 1 / sum w^2 a^2.
        let a = DMatrix::from_column_slice(4, 1, &[1.0, 2.0, -1.0, 0.5]);
        let y = DVector::from_vec(vec![2.1, 3.9, -2.2, 1.0]);
        let w = DVector::from_vec(vec![1.0, 0.5, 2.0, 3.0]);
        let sol = solve(&a, &y, Some(&w)).unwrap();
        let (mut num, mut den) = (0.0, 0.0);
        for i in 0..4 {
            num += w[i] * w[i] * a[(i, 0)] * y[i];
            den += w[i] * w[i] * a[(i, 0)] * a[(i, 0)];
        }
        assert!((sol.coef[0] - num / den).abs() < 1e-14);
        assert!((sol.normal_inverse[(0, 0)] - 1.0 / den).abs() < 1e-14);
        assert_eq!(sol.condition, 1.0);
    }

    #[test]
    fn flags_collinear_columns_and_bad_input() {
        let a = DMatrix::from_fn(5, 2, |i, j| {
            (i as f64 + 1.0) * (1.0 + 1e-9 * (j * i) as f64)
        });
        let y = DVector::from_fn(5, |i, _| i as f64);
        assert!(solve(&a, &y, None).unwrap().degenerate());
        assert!(solve(&DMatrix::zeros(3, 1), &y.rows(0, 3).into(), None).is_err());
        assert!(
            solve(
                &DMatrix::from_element(1, 2, 1.0),
                &DVector::from_element(1, 1.0),
                None
            )
            .is_err()
        );
        let none = solve(&DMatrix::zeros(3, 0), &DVector::from_element(3, 2.0), None).unwrap();
        assert_eq!(none.rss, 12.0);
    }
}
