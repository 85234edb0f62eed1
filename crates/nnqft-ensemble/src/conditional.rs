//! From the exact power sums of the random kernel's entries to the measurement: the
//! conditional estimator (docs/conventions.md section 8).
//!
//! Given its hidden layer, a network's output is exactly a Gaussian process with the random
//! kernel Q(x, x') = sb^2 + (sW^2/N) sum_j phi_j(x) phi_j(x') (the output layer W1, b1 is
//! Gaussian and independent of it). With the cumulant generating function log E exp(t.Q.t/2)
//! of f:
//!
//! - G2(ab) = E[Q_ab] (= K_ab exactly, the GP kernel, for one hidden layer; for deep networks
//!   K + O(1/n), and the disconnected parts below then use the sampled G2);
//! - kappa4(abcd) = sum over the 3 pairings {P, R} of the indices of Cov(Q_P, Q_R);
//! - kappa6(a..f) = sum over the 15 pairings {P, R, S} of the joint third cumulant of
//!   (Q_P, Q_R, Q_S);
//! - G4 = kappa4 + sum_3 K K and G6 = kappa6 + sum_15 kappa4 K + sum_15 K K K.
//!
//! The sampler sums, per experiment, every monomial of degree 1..3 of the centered entries
//! Q' = Q - K (cumulants do not depend on the shift; centering keeps the cancellations of the
//! k-statistics small). The cumulants are estimated by the unbiased k-statistics of those
//! power sums, G2 by the mean of Q. Standard errors: G2 from the per-network variance of Q,
//! the 4- and 6-point quantities from the spread of the per-experiment estimates (sample
//! standard deviation / sqrt(E)), which needs E >= 2.

use crate::error::{EnsembleError, Result};
use crate::exact_sum::ExactSum;
use crate::finish::{
    DOMINANCE_THRESHOLD, SummaryAcc, dominance_warning, sample_std, sampled_measurement,
};
use crate::partial::{ExperimentSums, Partial};
use crate::plan::Estimator;
use nnqft_core::{
    ConnectedEntry, MeasuredEntry, Measurement, multiset_count, multiset_rank, multisets, wick,
};
use std::collections::BTreeMap;

/// Every pairing of the positions 0..n (n even) as a list of position pairs: the (n-1)!!
/// ways, the first position paired with each later one, then recursively.
pub(crate) fn pairings(n: usize) -> Vec<Vec<(usize, usize)>> {
    fn rec(rest: &[usize], cur: &mut Vec<(usize, usize)>, out: &mut Vec<Vec<(usize, usize)>>) {
        let Some((&first, tail)) = rest.split_first() else {
            out.push(cur.clone());
            return;
        };
        for k in 0..tail.len() {
            let mut others = tail.to_vec();
            let second = others.remove(k);
            cur.push((first, second));
            rec(&others, cur, out);
            cur.pop();
        }
    }
    let positions: Vec<usize> = (0..n).collect();
    let mut out = vec![];
    rec(&positions, &mut vec![], &mut out);
    out
}

/// Where each power sum lives in an experiment's accumulators: Q's entries (pairs a <= b
/// of the m inputs) are numbered in `multisets(m, 2)` order; the monomials of degree 1, 2, 3
/// in those P numbers follow each other, each degree in multiset order.
struct Layout {
    m: usize,
    /// P = m (m + 1) / 2.
    p: usize,
    /// First slot of degree 1, 2, 3 (index by degree).
    offset: [usize; 4],
    /// Q's entry number of (a, b), at a m + b.
    q: Vec<usize>,
    /// Slot of every ordered pair and triple of entry numbers, at x P + y and (x P + y) P + z
    /// (when P^3 is small enough to tabulate; else computed from the rank).
    pairs: Vec<usize>,
    triples: Vec<usize>,
    /// The pairings of 4 and of 6 positions.
    pairings4: Vec<Vec<(usize, usize)>>,
    pairings6: Vec<Vec<(usize, usize)>>,
}

impl Layout {
    fn new(m: usize) -> Self {
        let p = m * (m + 1) / 2;
        let c = |k| multiset_count(p, k) as usize;
        let mut layout = Layout {
            m,
            p,
            offset: [0, 0, c(1), c(1) + c(2)],
            q: vec![],
            pairs: vec![],
            triples: vec![],
            pairings4: pairings(4),
            pairings6: pairings(6),
        };
        layout.q = (0..m * m)
            .map(|ab| multiset_rank(m, &[(ab / m).min(ab % m), (ab / m).max(ab % m)]))
            .collect();
        if p * p * p <= 1 << 20 {
            layout.pairs = (0..p * p)
                .map(|xy| layout.rank(&[xy / p, xy % p]))
                .collect();
            layout.triples = (0..p * p * p)
                .map(|xyz| layout.rank(&[xyz / (p * p), xyz / p % p, xyz % p]))
                .collect();
        }
        layout
    }

    /// The number of Q's entry (a, b).
    fn q(&self, a: usize, b: usize) -> usize {
        self.q[a * self.m + b]
    }

    /// The slot of the monomial Q'_{e_1} ... Q'_{e_k} of entry numbers `e` (any order).
    fn slot(&self, e: &[usize]) -> usize {
        let p = self.p;
        match *e {
            [x] => x,
            [x, y] if !self.pairs.is_empty() => self.pairs[x * p + y],
            [x, y, z] if !self.triples.is_empty() => self.triples[(x * p + y) * p + z],
            _ => self.rank(e),
        }
    }

    /// The slot of `e` from the multiset rank.
    fn rank(&self, e: &[usize]) -> usize {
        let mut e = e.to_vec();
        e.sort_unstable();
        self.offset[e.len()] + multiset_rank(self.p, &e)
    }
}

/// The power sums of one set of networks (one experiment, or all pooled), as numbers, and
/// the k-statistics of orders 2 and 3 of every pair and triple of Q's entries.
struct PowerSums<'a> {
    layout: &'a Layout,
    /// Number of networks M.
    count: f64,
    /// The value of every accumulator slot.
    sum: Vec<f64>,
    /// k11 of every degree-2 slot and k111 of every degree-3 slot (slot minus its degree's
    /// offset), if the sums go that far.
    k2: Vec<f64>,
    k3: Vec<f64>,
}

impl<'a> PowerSums<'a> {
    /// The k-statistics of the power sums `sum` of `count` networks.
    fn new(layout: &'a Layout, count: f64, sum: Vec<f64>) -> Self {
        let mut ps = PowerSums {
            layout,
            count,
            sum,
            k2: vec![],
            k3: vec![],
        };
        let p = layout.p;
        let degree = |k: usize| multiset_count(p, k) as usize;
        if ps.sum.len() >= layout.offset[2] + degree(2) {
            ps.k2 = multisets(p, 2).iter().map(|e| ps.k11(e[0], e[1])).collect();
        }
        if ps.sum.len() >= layout.offset[3] + degree(3) {
            ps.k3 = multisets(p, 3)
                .iter()
                .map(|e| ps.k111(e[0], e[1], e[2]))
                .collect();
        }
        ps
    }

    /// Mean of Q'_e1 ... Q'_ek over the networks.
    fn mean(&self, e: &[usize]) -> f64 {
        self.sum[self.layout.slot(e)] / self.count
    }

    /// Unbiased covariance k-statistic: k11 = M/(M-1) (mean(xy) - mean(x) mean(y)).
    fn k11(&self, x: usize, y: usize) -> f64 {
        let m = self.count;
        m / (m - 1.0) * (self.mean(&[x, y]) - self.mean(&[x]) * self.mean(&[y]))
    }

    /// Unbiased joint third k-statistic:
    /// k111 = M^2/((M-1)(M-2)) (mean(xyz) - mean(xy) mean(z) - mean(xz) mean(y)
    ///        - mean(yz) mean(x) + 2 mean(x) mean(y) mean(z)).
    fn k111(&self, x: usize, y: usize, z: usize) -> f64 {
        let m = self.count;
        let (a, b, c) = (self.mean(&[x]), self.mean(&[y]), self.mean(&[z]));
        let central = self.mean(&[x, y, z])
            - self.mean(&[x, y]) * c
            - self.mean(&[x, z]) * b
            - self.mean(&[y, z]) * a
            + 2.0 * a * b * c;
        m * m / ((m - 1.0) * (m - 2.0)) * central
    }

    /// kappa4 of inputs `idx` (4 of them): sum over the 3 pairings of Cov(Q_P, Q_R).
    fn kappa4(&self, idx: &[usize]) -> f64 {
        let l = self.layout;
        l.pairings4
            .iter()
            .map(|p| {
                let q = |k: usize| l.q(idx[p[k].0], idx[p[k].1]);
                self.k2[l.slot(&[q(0), q(1)]) - l.offset[2]]
            })
            .sum()
    }

    /// kappa6 of inputs `idx` (6 of them): sum over the 15 pairings of the joint third
    /// cumulant of (Q_P, Q_R, Q_S).
    fn kappa6(&self, idx: &[usize]) -> f64 {
        let l = self.layout;
        l.pairings6
            .iter()
            .map(|p| {
                let q = |k: usize| l.q(idx[p[k].0], idx[p[k].1]);
                self.k3[l.slot(&[q(0), q(1), q(2)]) - l.offset[3]]
            })
            .sum()
    }
}

/// The power sums of `exps` pooled exactly (all of a run's experiments, or one).
fn pooled<'a>(layout: &'a Layout, exps: &[&ExperimentSums], count: f64) -> PowerSums<'a> {
    let total = exps.first().map_or(0, |e| e.sum.len());
    let sum = (0..total)
        .map(|s| {
            let mut acc = ExactSum::new();
            for e in exps {
                acc.merge(&e.sum[s]);
            }
            acc.value()
        })
        .collect();
    PowerSums::new(layout, count, sum)
}

/// What one n-point entry's estimate is made of, from one set of power sums: the cumulant
/// part (kappa_n for n = 4, 6) and the full correlator G_n = cumulant + its disconnected
/// parts with the exact kernel K (n = 2: the mean of Q).
///
/// With `sampled_g2` (deep networks, where E[Q] = G2 differs from the NNGP kernel K at finite
/// width, docs/conventions.md section 11) the disconnected parts use the sampled
/// G2 = K + mean(Q') instead of K.
fn estimate(
    ps: &PowerSums,
    k_exact: &dyn Fn(usize, usize) -> f64,
    idx: &[usize],
    sampled_g2: bool,
) -> (f64, f64) {
    let l = ps.layout;
    let k = |a: usize, b: usize| {
        if sampled_g2 {
            k_exact(a, b) + ps.mean(&[l.q(a, b)])
        } else {
            k_exact(a, b)
        }
    };
    match idx.len() {
        2 => {
            let g = k_exact(idx[0], idx[1]) + ps.mean(&[l.q(idx[0], idx[1])]);
            (g, g)
        }
        4 => {
            let c = ps.kappa4(idx);
            let kk: f64 = l
                .pairings4
                .iter()
                .map(|p| k(idx[p[0].0], idx[p[0].1]) * k(idx[p[1].0], idx[p[1].1]))
                .sum();
            (c, c + kk)
        }
        6 => {
            let c = ps.kappa6(idx);
            // sum_15 kappa4(4 of the points) K(the other 2), and sum_15 K K K.
            let mut mixed = 0.0;
            for i in 0..6 {
                for j in i + 1..6 {
                    let rest: Vec<usize> = (0..6)
                        .filter(|&t| t != i && t != j)
                        .map(|t| idx[t])
                        .collect();
                    mixed += ps.kappa4(&rest) * k(idx[i], idx[j]);
                }
            }
            let kkk: f64 = l
                .pairings6
                .iter()
                .map(|p| p.iter().map(|&(a, b)| k(idx[a], idx[b])).product::<f64>())
                .sum();
            (c, c + mixed + kkk)
        }
        // Orders are checked to be 2, 4 or 6 before any estimate (finish_conditional).
        _ => (f64::NAN, f64::NAN),
    }
}

/// The measurement of a complete conditional partial (see the module doc for the formulas).
///
/// Per entry: mean = the pooled estimate; stderr = sqrt(s^2/M) for G2 (s^2 the sample
/// variance of Q over the M nets), else the sample standard deviation of the E per-experiment
/// estimates / sqrt(E); gp = Wick on the kernel; background = (sample std over experiments of
/// the per-experiment estimates) / |gp|. Connected "4" and "6" = kappa4 and kappa6 with the
/// same kind of errors. Heavy tails: an entry is flagged when one network holds more than
/// [`DOMINANCE_THRESHOLD`] of the sum of squares of a power sum it uses (the degree-n/2
/// monomials of its pairings).
pub(crate) fn finish_conditional(partial: &Partial) -> Result<Measurement> {
    let plan = &partial.plan;
    let s = &plan.settings;
    // Plans are validated where they are made; a hand-assembled one is refused here.
    let max_n = s.npt.last().copied().unwrap_or(2);
    if max_n > Estimator::CONDITIONAL_MAX_ORDER || s.npt.iter().any(|n| n % 2 == 1) {
        return Err(EnsembleError::ConditionalOrder(max_n));
    }
    if plan.experiments < 2 && max_n >= 4 {
        return Err(EnsembleError::ConditionalExperiments);
    }
    let net = s.network;
    let m = s.inputs.len();
    let kernel = net.kernel_matrix(&s.inputs);
    let k = |a: usize, b: usize| kernel[(a, b)];
    let deep = net.depth() > 1;
    let layout = Layout::new(m);
    let e_count = plan.experiments;
    let npe = plan.nets_per_experiment() as f64;
    let all: Vec<&ExperimentSums> = partial.experiments.iter().collect();
    let pool = pooled(&layout, &all, plan.nets as f64);
    let per_exp: Vec<PowerSums> = partial
        .experiments
        .iter()
        .map(|e| pooled(&layout, &[e], npe))
        .collect();
    // Pooled sums of squares and maxima, for the G2 errors and the heavy-tail check.
    let total = s.total_entries();
    let mut sumsq = vec![0.0; total];
    let mut max_abs = vec![0.0f64; total];
    for slot in 0..total {
        let mut q = ExactSum::new();
        for e in &partial.experiments {
            q.merge(&e.sumsq[slot]);
            max_abs[slot] = max_abs[slot].max(e.max_abs[slot]);
        }
        sumsq[slot] = q.value();
    }
    let dominated = |slot: usize| {
        sumsq[slot] > 0.0 && max_abs[slot] * max_abs[slot] > DOMINANCE_THRESHOLD * sumsq[slot]
    };
    let total_nets = plan.nets as f64;

    let mut correlators = BTreeMap::new();
    let mut connected = BTreeMap::new();
    let mut summary = BTreeMap::new();
    let mut warnings = vec![];
    let two = vec![vec![(0, 1)]];
    for &n in &s.npt {
        let idxs = multisets(m, n);
        let count = idxs.len();
        let mut entries = Vec::with_capacity(count);
        let mut cumulants = Vec::with_capacity(count);
        let mut acc = SummaryAcc::default();
        let mut heavy = 0usize;
        for idx in idxs {
            let (cumulant, mean) = estimate(&pool, &k, &idx, deep);
            let exps: Vec<(f64, f64)> = per_exp
                .iter()
                .map(|ps| estimate(ps, &k, &idx, deep))
                .collect();
            let finite = |v: f64| v.is_finite();
            if !finite(mean) || exps.iter().any(|&(c, g)| !finite(c) || !finite(g)) {
                return Err(EnsembleError::NonFinite { n, index: idx });
            }
            let means: Vec<f64> = exps.iter().map(|e| e.1).collect();
            let spread = sample_std(&means);
            let pairs: &[Vec<(usize, usize)>] = match n {
                2 => &two,
                4 => &layout.pairings4,
                _ => &layout.pairings6,
            };
            let slots: Vec<usize> = pairs
                .iter()
                .map(|p| {
                    let e: Vec<usize> = p.iter().map(|&(a, b)| layout.q(idx[a], idx[b])).collect();
                    layout.slot(&e)
                })
                .collect();
            let stderr = if n == 2 {
                let slot = slots[0];
                let s1 = pool.sum[slot];
                let centered_mean = s1 / total_nets;
                let var = ((sumsq[slot] - s1 * centered_mean) / (total_nets - 1.0)).max(0.0);
                (var / total_nets).sqrt()
            } else {
                spread.unwrap_or(0.0) / (e_count as f64).sqrt()
            };
            if !stderr.is_finite() {
                return Err(EnsembleError::NonFinite { n, index: idx });
            }
            if slots.iter().any(|&s| dominated(s)) {
                heavy += 1;
            }
            let gp = wick(&kernel, &idx);
            let background = acc.add(mean, gp, spread);
            if n >= 4 {
                let cs: Vec<f64> = exps.iter().map(|e| e.0).collect();
                cumulants.push(ConnectedEntry {
                    index: idx.clone(),
                    mean: cumulant,
                    stderr: sample_std(&cs).unwrap_or(0.0) / (e_count as f64).sqrt(),
                });
            }
            entries.push(MeasuredEntry {
                index: idx,
                mean,
                stderr,
                gp,
                background,
            });
        }
        warnings.extend(acc.zero_gp_warning(n));
        if heavy > 0 {
            warnings.push(dominance_warning(n, heavy, count));
        }
        summary.insert(n.to_string(), acc.summary(e_count));
        if n >= 4 {
            connected.insert(n.to_string(), cumulants);
        }
        correlators.insert(n.to_string(), entries);
    }
    if e_count < 2 {
        warnings.push("with a single experiment there is no background estimate".to_string());
    }
    Ok(sampled_measurement(
        plan,
        correlators,
        connected,
        summary,
        warnings,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairings_are_the_double_factorial_many_perfect_matchings() {
        for (n, count) in [(2, 1), (4, 3), (6, 15), (8, 105)] {
            let ps = pairings(n);
            assert_eq!(ps.len(), count);
            for p in &ps {
                let mut seen: Vec<usize> = p.iter().flat_map(|&(a, b)| [a, b]).collect();
                seen.sort_unstable();
                assert_eq!(seen, (0..n).collect::<Vec<_>>());
                assert!(p.iter().all(|&(a, b)| a < b));
            }
            let mut sorted = ps.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), count);
        }
    }

    /// The k-statistics from power sums equal their textbook forms in central sums:
    /// k11 = sum (x - xbar)(y - ybar) / (M - 1) and
    /// k111 = M sum (x - xbar)(y - ybar)(z - zbar) / ((M - 1)(M - 2)).
    #[test]
    fn k_statistics_match_their_central_forms() {
        let layout = Layout::new(2); // P = 3 entries
        let xs: Vec<[f64; 3]> = vec![
            [0.3, -1.2, 2.0],
            [1.1, 0.4, -0.7],
            [-0.5, 0.9, 0.25],
            [2.2, -0.1, 1.5],
            [0.0, 1.7, -1.1],
        ];
        let mm = xs.len() as f64;
        let total = 3 + 6 + 10;
        let mut sum = vec![0.0; total];
        for x in &xs {
            for e in multisets(3, 1)
                .into_iter()
                .chain(multisets(3, 2))
                .chain(multisets(3, 3))
            {
                sum[layout.slot(&e)] += e.iter().map(|&i| x[i]).product::<f64>();
            }
        }
        let ps = PowerSums::new(&layout, mm, sum);
        let bar: Vec<f64> = (0..3)
            .map(|i| xs.iter().map(|x| x[i]).sum::<f64>() / mm)
            .collect();
        for (a, b, c) in [(0, 1, 2), (0, 0, 1), (2, 2, 2), (1, 0, 2)] {
            let c11: f64 = xs
                .iter()
                .map(|x| (x[a] - bar[a]) * (x[b] - bar[b]))
                .sum::<f64>()
                / (mm - 1.0);
            let c111: f64 = xs
                .iter()
                .map(|x| (x[a] - bar[a]) * (x[b] - bar[b]) * (x[c] - bar[c]))
                .sum::<f64>()
                * mm
                / ((mm - 1.0) * (mm - 2.0));
            assert!((ps.k11(a, b) - c11).abs() < 1e-13, "{a} {b}");
            assert!((ps.k111(a, b, c) - c111).abs() < 1e-13, "{a} {b} {c}");
        }
    }
}
