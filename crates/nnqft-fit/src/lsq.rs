//! The one linear least-squares solver behind every fit: a one-sided Jacobi SVD of the
//! row-weighted, column-equilibrated design (never the normal equations), with directions
//! whose singular value is below 1e-10 of the largest treated as undetermined (pseudo-inverse).

use crate::error::{FitError, Result};
use nalgebra::{DMatrix, DVector};

/// Above this condition number of the column-equilibrated design, the columns are called
/// nearly degenerate: couplings along the weak direction are poorly determined.
pub const DEGENERATE_CONDITION: f64 = 1e6;

/// Singular values below this fraction of the largest are treated as zero (pseudo-inverse).
const RANK_TOLERANCE: f64 = 1e-10;

/// The minimizer g of sum_i w_i^2 (y_i - (A g)_i)^2 and what comes with it.
#[derive(Clone, Debug)]
pub struct Solution {
    /// The minimizer g.
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
    /// Singular values kept (above 1e-10 of the largest); below the column count, only
    /// combinations of the couplings are determined and the minimum-norm solution is returned.
    pub rank: usize,
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

/// One-sided Jacobi (Hestenes) SVD of a tall matrix B = U S V^T: plane rotations of column
/// pairs until all columns are orthogonal; accurate to high relative precision even for nearly
/// dependent columns, where a bidiagonalizing SVD can lose the small directions' accuracy.
/// Returns (U with unit or zero columns, V^T, S).
fn jacobi_svd(mut b: DMatrix<f64>) -> (DMatrix<f64>, DMatrix<f64>, DVector<f64>) {
    let (rows, n) = b.shape();
    let mut v = DMatrix::<f64>::identity(n, n);
    for _sweep in 0..100 {
        let mut rotated = false;
        for p in 0..n {
            for q in p + 1..n {
                let alpha = b.column(p).norm_squared();
                let beta = b.column(q).norm_squared();
                let gamma = b.column(p).dot(&b.column(q));
                if gamma == 0.0 || gamma.abs() <= 1e-15 * (alpha * beta).sqrt() {
                    continue;
                }
                rotated = true;
                let zeta = (beta - alpha) / (2.0 * gamma);
                let t = zeta.signum() / (zeta.abs() + (1.0 + zeta * zeta).sqrt());
                let c = 1.0 / (1.0 + t * t).sqrt();
                let sn = c * t;
                for i in 0..rows {
                    let (bp, bq) = (b[(i, p)], b[(i, q)]);
                    b[(i, p)] = c * bp - sn * bq;
                    b[(i, q)] = sn * bp + c * bq;
                }
                for i in 0..n {
                    let (vp, vq) = (v[(i, p)], v[(i, q)]);
                    v[(i, p)] = c * vp - sn * vq;
                    v[(i, q)] = sn * vp + c * vq;
                }
            }
        }
        if !rotated {
            break;
        }
    }
    let s = DVector::from_fn(n, |j, _| b.column(j).norm());
    let u = DMatrix::from_fn(
        rows,
        n,
        |i, j| if s[j] > 0.0 { b[(i, j)] / s[j] } else { 0.0 },
    );
    (u, v.transpose(), s)
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
            rank: 0,
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
    let (u, vt, s) = jacobi_svd(scaled);
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
        rank: inv.iter().filter(|v| **v > 0.0).count(),
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

#[cfg(test)]
mod degenerate_tests {
    use super::*;

    #[test]
    fn dependent_columns_still_fit_data_in_their_span() {
        // Columns proportional to each other (up to rounding): the minimum-norm solution must
        // still reproduce data lying in their common span.
        let base: Vec<f64> = (0..20)
            .map(|i| 0.3 + (i as f64 * 0.7).sin().abs())
            .collect();
        let a = DMatrix::from_fn(20, 2, |i, j| {
            base[i] * [3e9, 7e5][j] * (1.0 + 1e-17 * j as f64)
        });
        let y = DVector::from_fn(20, |i, _| -2e-3 * base[i]);
        for w in [None, Some(y.map(|v| 1.0 / v.abs()))] {
            let sol = solve(&a, &y, w.as_ref()).unwrap();
            let fit = &a * &sol.coef;
            let worst = (0..20)
                .map(|i| ((fit[i] - y[i]) / y[i]).abs())
                .fold(0.0, f64::max);
            assert!(
                worst < 1e-10,
                "relative misfit {worst}, cond {}",
                sol.condition
            );
        }
    }
}

#[cfg(test)]
mod constant_tests {
    use super::*;

    #[test]
    fn nearly_equal_constant_columns() {
        for eps in [0.0, 1e-17, 1e-16, 3e-16, 1e-15, 1e-14] {
            let a = DMatrix::from_fn(126, 2, |i, j| {
                -1.6e10 * [1.0, 1.43e3][j] * (1.0 + eps * ((i * 7 + j * 3) % 5) as f64)
            });
            let y = DVector::from_element(126, 1.0);
            let sol = solve(&a, &y, None).unwrap();
            let fit = &a * &sol.coef;
            let worst = (0..126).map(|i| (fit[i] - y[i]).abs()).fold(0.0, f64::max);
            assert!(
                worst < 1e-12,
                "eps {eps}: misfit {worst}, cond {:e}",
                sol.condition
            );
            assert!(sol.rank < 2 || eps >= 1e-14, "eps {eps}: rank {}", sol.rank);
        }
    }
}
