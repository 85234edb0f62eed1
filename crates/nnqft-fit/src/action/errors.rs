//! Standard errors of the couplings from sampled cumulants, by the delta method to first
//! order with the table entries treated as independent:
//! var(c) = sum_i (dc/dx_i)^2 sigma_i^2, the derivative by a central difference of step
//! sigma_i, (c(x + sigma_i e_i) - c(x - sigma_i e_i))/2. The couplings are polynomials of
//! degree at most two in the cumulants, so the central difference is their exact derivative.

use super::error::ActionError;
use super::reconstruct::{ActionCouplings, reconstruct};
use super::tensor::Tensor;
use nalgebra::DMatrix;
use nnqft_core::{CorrelatorTable, Entry};
use rayon::prelude::*;

/// One standard error per coupling entry (same shapes as [`ActionCouplings`]).
#[derive(Clone, Debug, PartialEq)]
pub struct CouplingErrors {
    /// Errors of delta.
    pub delta: DMatrix<f64>,
    /// Errors of lambda4.
    pub lambda4: Tensor,
    /// Errors of lambda6 (order 2).
    pub lambda6: Option<Tensor>,
}

/// The table with entry `i` moved by `h` times its standard error.
fn shifted(t: &CorrelatorTable, i: usize, h: f64) -> Result<CorrelatorTable, ActionError> {
    let mut entries: Vec<Entry> = t.entries().to_vec();
    entries[i].mean += h * entries[i].stderr;
    Ok(CorrelatorTable::from_entries(t.inputs(), t.n(), entries)?)
}

/// Half the difference of the couplings at +sigma and -sigma, squared, entry by entry.
fn squared_half_difference(p: &ActionCouplings, m: &ActionCouplings) -> Vec<f64> {
    let mut out = Vec::new();
    out.extend(
        p.delta
            .iter()
            .zip(m.delta.iter())
            .map(|(a, b)| 0.25 * (a - b) * (a - b)),
    );
    out.extend(
        p.lambda4
            .data
            .iter()
            .zip(&m.lambda4.data)
            .map(|(a, b)| 0.25 * (a - b) * (a - b)),
    );
    if let (Some(x), Some(y)) = (&p.lambda6, &m.lambda6) {
        out.extend(
            x.data
                .iter()
                .zip(&y.data)
                .map(|(a, b)| 0.25 * (a - b) * (a - b)),
        );
    }
    out
}

/// Delta-method standard errors of the couplings at `order` (see the module documentation).
pub fn coupling_errors(
    kernel: &DMatrix<f64>,
    kappa4: &CorrelatorTable,
    kappa6: Option<&CorrelatorTable>,
    order: usize,
    limit: f64,
) -> Result<CouplingErrors, ActionError> {
    let base = reconstruct(kernel, kappa4, kappa6, order, limit)?;
    let k6 = if order == 2 { kappa6 } else { None };
    // every (table, entry) with a non-zero error
    let mut jobs: Vec<(bool, usize)> = (0..kappa4.entries().len())
        .filter(|&i| kappa4.entries()[i].stderr > 0.0)
        .map(|i| (false, i))
        .collect();
    if let Some(t6) = k6 {
        jobs.extend(
            (0..t6.entries().len())
                .filter(|&i| t6.entries()[i].stderr > 0.0)
                .map(|i| (true, i)),
        );
    }
    let terms: Vec<Vec<f64>> = jobs
        .par_iter()
        .map(|&(six, i)| {
            let at = |h: f64| -> Result<ActionCouplings, ActionError> {
                if six {
                    let t6 = shifted(k6.expect("order 2"), i, h)?;
                    reconstruct(kernel, kappa4, Some(&t6), order, limit)
                } else {
                    reconstruct(kernel, &shifted(kappa4, i, h)?, k6, order, limit)
                }
            };
            Ok(squared_half_difference(&at(1.0)?, &at(-1.0)?))
        })
        .collect::<Result<_, ActionError>>()?;
    let len = squared_half_difference(&base, &base).len();
    let mut var = vec![0.0; len];
    for t in &terms {
        for (v, x) in var.iter_mut().zip(t) {
            *v += x;
        }
    }
    let sd: Vec<f64> = var.iter().map(|v| v.sqrt()).collect();
    let k = kernel.nrows();
    let (d, rest) = sd.split_at(k * k);
    let (l4, l6) = rest.split_at(base.lambda4.data.len());
    Ok(CouplingErrors {
        delta: DMatrix::from_column_slice(k, k, d),
        lambda4: Tensor {
            k,
            rank: 4,
            data: l4.to_vec(),
        },
        lambda6: base.lambda6.as_ref().map(|_| Tensor {
            k,
            rank: 6,
            data: l6.to_vec(),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_one_errors_are_the_linear_propagation() {
        // one input (docs/conventions.md section 9): lambda4 = -kappa4/K^4 and
        // delta = kappa4/(2 K^3), so their errors are sigma/K^4 and sigma/(2 K^3)
        let kernel = DMatrix::from_element(1, 1, 2.0);
        let k4 = CorrelatorTable::from_fn(1, 4, |_| (0.3, 0.01)).unwrap();
        let e = coupling_errors(&kernel, &k4, None, 1, 1e8).unwrap();
        assert!((e.lambda4.data[0] - 0.01 / 16.0).abs() < 1e-15, "{e:?}");
        assert!((e.delta[(0, 0)] - 0.01 / 16.0).abs() < 1e-15);
        assert!(e.lambda6.is_none());
        // order 2: lambda6 = (-k6 + 10 k4^2)/K^3 with k4 = kappa4/K^2, k6 = kappa6/K^3
        let k6 = CorrelatorTable::from_fn(1, 6, |_| (0.05, 0.002)).unwrap();
        let e = coupling_errors(&kernel, &k4, Some(&k6), 2, 1e8).unwrap();
        let d_k4: f64 = 20.0 * 0.3 / 16.0 / 8.0; // d lambda6 / d kappa4
        let d_k6: f64 = 1.0 / 8.0 / 8.0;
        let want = ((d_k4 * 0.01).powi(2) + (d_k6 * 0.002).powi(2)).sqrt();
        let got = e.lambda6.unwrap().data[0];
        assert!(
            (got - want).abs() < 1e-12 * want.max(1e-300),
            "{got} vs {want}"
        );
    }
}
