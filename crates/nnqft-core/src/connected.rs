//! Connected correlators (cumulants) from full ones, with the measured lower orders inserted
//! (docs/conventions.md section 4): G4c = G4 - sum_3 K K,  G6c = G6 - sum_15 G4c K - sum_15 K K K.

use crate::correlator::{CorrelatorTable, Entry, wick};
use crate::error::Result;
use nalgebra::DMatrix;

/// The 15 ways to split six positions into a pair and the four others: `(pair, rest)`.
/// More generally, for `n` positions, the C(n, 2) choices of a pair and the n - 2 others.
pub fn pair_splits(n: usize) -> Vec<([usize; 2], Vec<usize>)> {
    let mut out = Vec::new();
    for a in 0..n {
        for b in a + 1..n {
            let rest = (0..n).filter(|&c| c != a && c != b).collect();
            out.push(([a, b], rest));
        }
    }
    out
}

/// G4c(1234) = G4(1234) - [K12 K34 + K13 K24 + K14 K23]; the standard error is G4's, since K is exact.
pub fn connected4(g4: &CorrelatorTable, kernel: &DMatrix<f64>) -> Result<CorrelatorTable> {
    let m = g4.inputs();
    CorrelatorTable::from_entries(
        m,
        4,
        g4.entries()
            .iter()
            .map(|e| Entry {
                index: e.index.clone(),
                mean: e.mean - wick(kernel, &e.index),
                stderr: e.stderr,
            })
            .collect(),
    )
}

/// G6c(1..6) = G6 - sum over the 15 (4,2)-splits of G4c(four) K(pair) - sum_15 K K K, for one
/// index tuple, with `g4c` the connected 4-point function (measured or exact).
pub fn connected6_value(
    idx: &[usize],
    g6: f64,
    g4c: &CorrelatorTable,
    kernel: &DMatrix<f64>,
) -> f64 {
    debug_assert_eq!(idx.len(), 6);
    let mut v = g6 - wick(kernel, idx);
    for ([a, b], rest) in pair_splits(6) {
        let four: Vec<usize> = rest.iter().map(|&r| idx[r]).collect();
        v -= g4c.mean(&four) * kernel[(idx[a], idx[b])];
    }
    v
}

/// The connected 6-point table: means from [`connected6_value`], standard errors from `stderr`
/// (which the caller estimates, e.g. from the spread across experiments, since G6 and G4 are
/// measured on the same networks and their errors are correlated).
pub fn connected6(
    g6: &CorrelatorTable,
    g4c: &CorrelatorTable,
    kernel: &DMatrix<f64>,
    mut stderr: impl FnMut(&[usize]) -> f64,
) -> Result<CorrelatorTable> {
    CorrelatorTable::from_fn(g6.inputs(), 6, |idx| {
        (
            connected6_value(idx, g6.mean(idx), g4c, kernel),
            stderr(idx),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaussian_tables_have_no_connected_part() {
        let k = DMatrix::from_fn(3, 3, |a, b| {
            (-(a as f64 - b as f64).powi(2) / 4.0).exp() + 0.3
        });
        let g4 = CorrelatorTable::gaussian(&k, 4).unwrap();
        let g6 = CorrelatorTable::gaussian(&k, 6).unwrap();
        let g4c = connected4(&g4, &k).unwrap();
        assert!(g4c.entries().iter().all(|e| e.mean.abs() < 1e-14));
        let g6c = connected6(&g6, &g4c, &k, |_| 0.0).unwrap();
        assert!(g6c.entries().iter().all(|e| e.mean.abs() < 1e-13));
    }

    #[test]
    fn one_variable_cumulants() {
        // A single variable with variance 1 and fourth cumulant c4: E f^6 = 15 + 15 c4 + c6.
        let k = DMatrix::from_element(1, 1, 1.0);
        let (c4, c6) = (0.25, -0.125);
        let g4 = CorrelatorTable::from_fn(1, 4, |_| (3.0 + c4, 0.0)).unwrap();
        let g6 = CorrelatorTable::from_fn(1, 6, |_| (15.0 + 15.0 * c4 + c6, 0.0)).unwrap();
        let g4c = connected4(&g4, &k).unwrap();
        assert!((g4c.mean(&[0; 4]) - c4).abs() < 1e-15);
        let g6c = connected6(&g6, &g4c, &k, |_| 0.0).unwrap();
        assert!((g6c.mean(&[0; 6]) - c6).abs() < 1e-14);
        assert_eq!(pair_splits(6).len(), 15);
    }
}
