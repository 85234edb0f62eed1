//! Dense tensors over k input indices (row-major, last index fastest) and the operations the
//! action needs: a matrix on every leg, symmetrization, and symmetric tables per sorted multiset.

use nalgebra::DMatrix;
use nnqft_core::{CorrelatorTable, multisets};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Rank tables per (k, rank).
type RankCache = HashMap<(usize, usize), Arc<Vec<usize>>>;

/// A dense rank-r tensor T[i_1..i_r], each index in 0..k.
#[derive(Clone, Debug, PartialEq)]
pub struct Tensor {
    /// The range of each index.
    pub k: usize,
    /// The number of indices.
    pub rank: usize,
    /// Row-major entries, k^rank of them.
    pub data: Vec<f64>,
}

impl Tensor {
    /// The zero tensor of rank `rank` over `k` indices.
    pub fn zeros(k: usize, rank: usize) -> Self {
        Tensor {
            k,
            rank,
            data: vec![0.0; k.pow(rank as u32)],
        }
    }

    /// The fully symmetric tensor with T[i_1..i_n] = table value at the sorted multiset.
    pub fn from_table(table: &CorrelatorTable) -> Self {
        Self::symmetric_from(table.inputs(), table.n(), |idx| table.mean(idx))
    }

    /// The symmetric tensor T[t] = f(sorted t) (f called once per sorted multiset).
    pub fn symmetric_from(k: usize, rank: usize, mut f: impl FnMut(&[usize]) -> f64) -> Self {
        let values: Vec<f64> = multisets(k, rank).iter().map(|s| f(s)).collect();
        let mut t = Self::zeros(k, rank);
        let ranks = t.multiset_ranks();
        for (slot, &r) in t.data.iter_mut().zip(ranks.iter()) {
            *slot = values[r];
        }
        t
    }

    /// For every flat position, the rank (in [`multisets`] order) of its sorted multi-index
    /// (computed once per shape, then shared).
    fn multiset_ranks(&self) -> Arc<Vec<usize>> {
        static CACHE: OnceLock<Mutex<RankCache>> = OnceLock::new();
        let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
        let key = (self.k, self.rank);
        if let Some(r) = cache.lock().map(|c| c.get(&key).cloned()).ok().flatten() {
            return r;
        }
        let mut idx = vec![0usize; self.rank];
        let mut sorted = vec![0usize; self.rank];
        let ranks: Arc<Vec<usize>> = Arc::new(
            (0..self.data.len())
                .map(|flat| {
                    self.unflatten(flat, &mut idx);
                    sorted.copy_from_slice(&idx);
                    sorted.sort_unstable();
                    nnqft_core::multiset_rank(self.k, &sorted)
                })
                .collect(),
        );
        if let Ok(mut c) = cache.lock() {
            c.insert(key, ranks.clone());
        }
        ranks
    }

    /// A k x k matrix as a rank-2 tensor.
    pub fn from_matrix(m: &DMatrix<f64>) -> Self {
        let k = m.nrows();
        let mut t = Self::zeros(k, 2);
        for a in 0..k {
            for b in 0..k {
                t.data[a * k + b] = m[(a, b)];
            }
        }
        t
    }

    /// A rank-2 tensor as a k x k matrix.
    pub fn to_matrix(&self) -> DMatrix<f64> {
        assert_eq!(self.rank, 2, "to_matrix needs a rank-2 tensor");
        DMatrix::from_fn(self.k, self.k, |a, b| self.data[a * self.k + b])
    }

    /// Flat position of a multi-index.
    pub fn flat(&self, idx: &[usize]) -> usize {
        idx.iter().fold(0, |acc, &i| acc * self.k + i)
    }

    /// The value at a multi-index.
    pub fn at(&self, idx: &[usize]) -> f64 {
        self.data[self.flat(idx)]
    }

    /// Multi-index of a flat position.
    pub fn unflatten(&self, mut flat: usize, idx: &mut [usize]) {
        for slot in idx.iter_mut().rev() {
            *slot = flat % self.k;
            flat /= self.k;
        }
    }

    /// T'[a_1..a_r] = sum_i T[i_1..i_r] M[i_1, a_1] ... M[i_r, a_r]: the matrix M on every leg
    /// (one leg at a time, cost r k^(r+1)).
    pub fn on_every_leg(&self, m: &DMatrix<f64>) -> Tensor {
        let mut cur = self.clone();
        for leg in 0..self.rank {
            cur = cur.on_leg(leg, m);
        }
        cur
    }

    /// M applied to one leg: T'[.., a, ..] = sum_i T[.., i, ..] M[i, a].
    pub fn on_leg(&self, leg: usize, m: &DMatrix<f64>) -> Tensor {
        let k = self.k;
        let inner = k.pow((self.rank - leg - 1) as u32);
        let outer = k.pow(leg as u32);
        let mut out = Tensor::zeros(k, self.rank);
        for o in 0..outer {
            for i in 0..k {
                let src = (o * k + i) * inner;
                for a in 0..k {
                    let w = m[(i, a)];
                    if w == 0.0 {
                        continue;
                    }
                    let dst = (o * k + a) * inner;
                    for r in 0..inner {
                        out.data[dst + r] += w * self.data[src + r];
                    }
                }
            }
        }
        out
    }

    /// The average over all permutations of the indices, read at every sorted multiset (in
    /// [`multisets`] order): the mean of T over the distinct rearrangements of each multiset.
    pub fn symmetrized_entries(&self) -> Vec<(Vec<usize>, f64)> {
        let list = multisets(self.k, self.rank);
        let mut sum = vec![0.0; list.len()];
        let mut count = vec![0usize; list.len()];
        for (&v, &r) in self.data.iter().zip(self.multiset_ranks().iter()) {
            sum[r] += v;
            count[r] += 1;
        }
        list.into_iter()
            .zip(sum.iter().zip(&count))
            .map(|(i, (&s, &c))| (i, s / c as f64))
            .collect()
    }

    /// The fully symmetrized tensor.
    pub fn symmetrized(&self) -> Tensor {
        let entries = self.symmetrized_entries();
        Tensor::symmetric_from(self.k, self.rank, |s| {
            entries[nnqft_core::multiset_rank(self.k, s)].1
        })
    }

    /// Largest absolute entry.
    pub fn max_abs(&self) -> f64 {
        self.data.iter().fold(0.0, |m, v| m.max(v.abs()))
    }

    /// self + c * other (same shape).
    pub fn add_scaled(&mut self, other: &Tensor, c: f64) {
        assert_eq!(self.data.len(), other.data.len(), "tensor shapes differ");
        for (a, b) in self.data.iter_mut().zip(&other.data) {
            *a += c * b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leg_transform_matches_the_explicit_sum() {
        let k = 3;
        let t = Tensor::symmetric_from(k, 3, |s| (s[0] + 2 * s[1] + 3 * s[2]) as f64 + 0.5);
        let m = DMatrix::from_fn(k, k, |i, j| (i as f64 + 1.0) * 0.3 - j as f64 * 0.7);
        let got = t.on_every_leg(&m);
        for a in 0..k {
            for b in 0..k {
                for c in 0..k {
                    let mut want = 0.0;
                    for i in 0..k {
                        for j in 0..k {
                            for l in 0..k {
                                want += t.at(&[i, j, l]) * m[(i, a)] * m[(j, b)] * m[(l, c)];
                            }
                        }
                    }
                    assert!((got.at(&[a, b, c]) - want).abs() < 1e-12);
                }
            }
        }
    }

    #[test]
    fn symmetrization_averages_rearrangements() {
        let mut t = Tensor::zeros(2, 2);
        t.data = vec![1.0, 2.0, 4.0, 8.0];
        let e = t.symmetrized_entries();
        assert_eq!(
            e,
            vec![(vec![0, 0], 1.0), (vec![0, 1], 3.0), (vec![1, 1], 8.0)]
        );
    }
}
