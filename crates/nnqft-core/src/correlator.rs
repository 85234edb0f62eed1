//! Correlator tables: one value (mean and standard error) per sorted index multiset, and the
//! Gaussian-process (Wick) prediction G_GP^(n) (docs/conventions.md section 3).

use crate::Pairings;
use crate::error::{CoreError, Result};
use crate::multiset::{multiset_count, multiset_rank, multisets};
use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

/// One entry of an n-point function: the sorted input indices, the value and its standard error.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The sorted input indices (a multiset of 0..m).
    pub index: Vec<usize>,
    /// The value.
    pub mean: f64,
    /// Its standard error (0 when exact).
    pub stderr: f64,
}

/// An n-point function of m inputs over every sorted index multiset, in the order of
/// [`multisets`]`(m, n)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CorrelatorTable {
    inputs: usize,
    n: usize,
    entries: Vec<Entry>,
}

/// Refuse tables above this many entries (each entry costs a product per sampled network).
pub const MAX_TABLE_ENTRIES: u128 = 5_000_000;

/// Check that an n-point table of m inputs is even, non-trivial and not too large to hold.
pub fn check_table_size(m: usize, n: usize) -> Result<usize> {
    if n < 2 || n % 2 == 1 {
        return Err(CoreError::OddN(n));
    }
    let count = multiset_count(m, n);
    if count > MAX_TABLE_ENTRIES {
        return Err(CoreError::TooLarge(format!(
            "the {n}-point function of {m} inputs has {count} unique entries, above the limit of {MAX_TABLE_ENTRIES}"
        )));
    }
    Ok(count as usize)
}

impl CorrelatorTable {
    /// A table whose entry for each sorted multiset `idx` is `f(idx) = (mean, stderr)`.
    pub fn from_fn(m: usize, n: usize, mut f: impl FnMut(&[usize]) -> (f64, f64)) -> Result<Self> {
        check_table_size(m, n)?;
        let entries = multisets(m, n)
            .into_iter()
            .map(|index| {
                let (mean, stderr) = f(&index);
                Entry {
                    index,
                    mean,
                    stderr,
                }
            })
            .collect();
        Ok(CorrelatorTable {
            inputs: m,
            n,
            entries,
        })
    }

    /// A table from entries already in [`multisets`] order (checked).
    pub fn from_entries(m: usize, n: usize, entries: Vec<Entry>) -> Result<Self> {
        let expected = check_table_size(m, n)?;
        if entries.len() != expected {
            return Err(CoreError::Inputs(format!(
                "a {n}-point table of {m} inputs needs {expected} entries, got {}",
                entries.len()
            )));
        }
        for (e, idx) in entries.iter().zip(multisets(m, n)) {
            if e.index != idx {
                return Err(CoreError::Inputs(format!(
                    "entry {:?} is out of place (expected {idx:?})",
                    e.index
                )));
            }
        }
        Ok(CorrelatorTable {
            inputs: m,
            n,
            entries,
        })
    }

    /// The Wick (GP) prediction G_GP^(n) for every entry, with zero error.
    pub fn gaussian(kernel: &DMatrix<f64>, n: usize) -> Result<Self> {
        CorrelatorTable::from_fn(kernel.nrows(), n, |idx| (wick(kernel, idx), 0.0))
    }

    /// Number of inputs m.
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// The order n.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Entries in multiset order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry for any (not necessarily sorted) index tuple.
    pub fn get(&self, idx: &[usize]) -> &Entry {
        let mut sorted = idx.to_vec();
        sorted.sort_unstable();
        &self.entries[multiset_rank(self.inputs, &sorted)]
    }

    /// The value for any (not necessarily sorted) index tuple.
    pub fn mean(&self, idx: &[usize]) -> f64 {
        self.get(idx).mean
    }
}

/// G_GP^(n)(x_{i_1}..x_{i_n}) = sum over the (n-1)!! pairings of prod K(a, b); 0 for odd n.
pub fn wick(kernel: &DMatrix<f64>, idx: &[usize]) -> f64 {
    Pairings::new(idx.len())
        .map(|p| {
            p.iter()
                .map(|&(a, b)| kernel[(idx[a], idx[b])])
                .product::<f64>()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wick_of_one_variable_is_double_factorial() {
        // K = 2 for a single point: G^(2k) = (2k-1)!! 2^k.
        let k = DMatrix::from_element(1, 1, 2.0);
        assert_eq!(wick(&k, &[0, 0]), 2.0);
        assert_eq!(wick(&k, &[0, 0, 0, 0]), 12.0);
        assert_eq!(wick(&k, &[0; 6]), 120.0);
    }

    #[test]
    fn wick_four_point_is_three_products() {
        let k = DMatrix::from_fn(4, 4, |a, b| 1.0 + (a * 4 + b) as f64 * 0.0 + (a + b) as f64);
        let want = k[(0, 1)] * k[(2, 3)] + k[(0, 2)] * k[(1, 3)] + k[(0, 3)] * k[(1, 2)];
        assert_eq!(wick(&k, &[0, 1, 2, 3]), want);
    }

    #[test]
    fn tables_look_up_unsorted_indices() {
        let k = DMatrix::from_fn(3, 3, |a, b| 1.0 / (1.0 + (a as f64 - b as f64).abs()));
        let t = CorrelatorTable::gaussian(&k, 4).unwrap();
        assert_eq!(t.entries().len(), 15);
        assert_eq!(t.mean(&[2, 0, 1, 0]), wick(&k, &[0, 0, 1, 2]));
        assert!(CorrelatorTable::gaussian(&k, 3).is_err());
    }
}
