//! The round trip: perturbation theory of the reconstructed action on the input set gives back
//! K, kappa4 and kappa6 (docs/conventions.md section 9).
//!
//! Zero dimensions, k components, propagator K, vertices 1/2 delta f^2, (1/4!) lambda4 f^4,
//! (1/6!) lambda6 f^6. The diagram engine lists every connected diagram of the n-point
//! function with 2-point insertions kept, with its coefficient prod(-k! g_k)/|Aut|; with
//! g_k = T/k! a labelled diagram is worth (-1)^v/|Aut| times the contraction of the vertex
//! tensors T along its lines. A class (the labelled diagrams that differ by a permutation of
//! the external points) sums to members * Sym(D) of its representative's tensor D, so one
//! contraction per class is enough; the classes are added first and symmetrized once.

use super::contract::diagram_tensor;
use super::error::ActionError;
use super::reconstruct::{ActionCouplings, whitening};
use super::tensor::Tensor;
use nalgebra::DMatrix;
use nnqft_core::CorrelatorTable;
use nnqft_diagrams::{ExpansionSpec, VertexKind, expand};
use num_traits::ToPrimitive;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Cumulants returned by perturbation theory, as symmetric tensors.
#[derive(Clone, Debug, PartialEq)]
pub struct PerturbativeCumulants {
    /// Largest order in 1/N of the diagrams kept (see [`perturbative_cumulants`]).
    pub truncation_order: usize,
    /// The 2-point function.
    pub kappa2: Tensor,
    /// The 4-point cumulant.
    pub kappa4: Tensor,
    /// The 6-point cumulant.
    pub kappa6: Tensor,
    /// Number of diagram classes evaluated (all three cumulants).
    pub classes: usize,
}

/// The cumulants kappa2, kappa4, kappa6 of exp(-S) to order `truncation_order` in the couplings,
/// each vertex counted by its order in 1/N (delta and lambda4 once, lambda6 twice: a
/// diagram with a delta^a lambda4^b lambda6^c is kept when a + b + 2c <= truncation_order), with
/// S given by its propagator `kernel` (K) and its vertices delta (degree 2), lambda4 and
/// lambda6 (when present). Any vertex tensor may be zero.
pub fn perturbative_cumulants(
    kernel: &DMatrix<f64>,
    delta: &DMatrix<f64>,
    lambda4: &Tensor,
    lambda6: Option<&Tensor>,
    truncation_order: usize,
) -> Result<PerturbativeCumulants, ActionError> {
    let k = kernel.nrows();
    if delta.nrows() != k || lambda4.k != k || lambda6.is_some_and(|t| t.k != k) {
        return Err(ActionError::Shape(
            "the couplings and K must have the same number of inputs".into(),
        ));
    }
    let (l, _) = whitening(kernel)?;
    // dressed vertices: L on every leg, so that a line is L L^T = K
    let mut vertices = vec![VertexKind::new("delta", 2), VertexKind::new("lambda4", 4)];
    let mut dressed = vec![
        Tensor::from_matrix(delta).on_every_leg(&l),
        lambda4.on_every_leg(&l),
    ];
    if let Some(t) = lambda6 {
        vertices.push(VertexKind::new("lambda6", 6));
        dressed.push(t.on_every_leg(&l));
    }
    let refs: Vec<&Tensor> = dressed.iter().collect();
    let lt = l.transpose();
    let mut classes = 0;
    let mut out = Vec::new();
    for n in [2usize, 4, 6] {
        let spec = ExpansionSpec {
            points: n,
            order: truncation_order,
            vertices: vertices.clone(),
            connected_only: true,
            keep_self_energy: true,
            max_diagrams: u64::MAX / 2,
        };
        let e = expand(&spec)?;
        let kept: Vec<&nnqft_diagrams::Class> = e
            .classes
            .iter()
            .filter(|c| n_order(&c.monomial) <= truncation_order)
            .collect();
        // one contraction per class, in parallel; added in class order (same bits always)
        let terms: Vec<(f64, Tensor)> = kept
            .par_iter()
            .map(|c| {
                let d = &e.diagrams[c.representative];
                // coefficient prod(-k!)/|Aut| (times the members) and prod 1/k! (g_k = T/k!)
                let mut w = c.coefficient.to_f64().unwrap_or(f64::NAN);
                for &kind in &d.internal {
                    w /= factorial(spec.vertices[kind].degree);
                }
                (w, diagram_tensor(d, &refs, k))
            })
            .collect();
        let mut acc = Tensor::zeros(k, n);
        for (w, t) in &terms {
            acc.add_scaled(t, *w);
        }
        classes += kept.len();
        // back from the dressed basis: L on every external leg
        out.push(acc.symmetrized().on_every_leg(&lt));
    }
    let kappa6 = out.pop().expect("three cumulants");
    let kappa4 = out.pop().expect("three cumulants");
    let kappa2 = out.pop().expect("three cumulants");
    Ok(PerturbativeCumulants {
        truncation_order,
        kappa2,
        kappa4,
        kappa6,
        classes,
    })
}

/// Order in 1/N of a monomial delta^a lambda4^b lambda6^c: a + b + 2c.
fn n_order(monomial: &[u32]) -> usize {
    const N_POWER: [u32; 3] = [1, 1, 2];
    monomial
        .iter()
        .zip(&N_POWER)
        .map(|(a, w)| a * w)
        .sum::<u32>() as usize
}

fn factorial(n: usize) -> f64 {
    (1..=n).map(|i| i as f64).product()
}

/// How far a returned cumulant is from the exact one: max over entries of |returned - exact|
/// and that divided by max |exact|.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Residual {
    /// max over entries of abs(returned - exact).
    pub abs: f64,
    /// `abs` over max abs(exact).
    pub rel: f64,
}

/// The round trip's residuals per cumulant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoundTrip {
    /// Order of the perturbative expansion in 1/N (the reconstruction order plus one).
    pub truncation_order: usize,
    /// The 2-point function against K.
    pub kappa2: Residual,
    /// The 4-point cumulant.
    pub kappa4: Residual,
    /// The 6-point cumulant.
    pub kappa6: Residual,
}

fn residual(got: &Tensor, want: &Tensor) -> Residual {
    let abs = got
        .data
        .iter()
        .zip(&want.data)
        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
    let scale = want.max_abs();
    Residual {
        abs,
        rel: if scale > 0.0 { abs / scale } else { abs },
    }
}

/// Round trip of reconstructed couplings: perturbation theory one order beyond the
/// reconstruction (order + 1 in 1/N), compared with K and the exact tables. It runs on the
/// couplings in the whitened variable u = L^-1 f (propagator 1; the f couplings are these with
/// L^-1 on every leg) and takes the cumulants back to f with L on every leg.
pub fn round_trip(
    couplings: &ActionCouplings,
    kernel: &DMatrix<f64>,
    kappa4: &CorrelatorTable,
    kappa6: &CorrelatorTable,
) -> Result<RoundTrip, ActionError> {
    let order = couplings.order + 1;
    // in the whitened variables (propagator 1), where the couplings are O(1/N) numbers: in f
    // the contraction of lambda with K cancels about cond(K)^(rank/2) digits
    let w = &couplings.whitened;
    let k = kernel.nrows();
    let p = perturbative_cumulants(
        &DMatrix::identity(k, k),
        &w.delta.to_matrix(),
        &w.lambda4,
        w.lambda6.as_ref(),
        order,
    )?;
    let lt = w.l.transpose();
    let (k2, k4, k6) = (
        p.kappa2.on_every_leg(&lt),
        p.kappa4.on_every_leg(&lt),
        p.kappa6.on_every_leg(&lt),
    );
    Ok(RoundTrip {
        truncation_order: order,
        kappa2: residual(&k2, &Tensor::from_matrix(kernel)),
        kappa4: residual(&k4, &Tensor::from_table(kappa4)),
        kappa6: residual(&k6, &Tensor::from_table(kappa6)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::reconstruct::{DEFAULT_MAX_CONDITION, reconstruct};
    use nnqft_core::{Arch, InputSet, Network, multisets, pair_splits, wick};
    use nnqft_integrate::exact_tables;

    fn round_trip_at(xs: &[f64], width: usize, order: usize) -> RoundTrip {
        let net = Network::paper(Arch::Erf);
        let inputs = InputSet::from_scalars(xs).unwrap();
        let t = exact_tables(&net, width, &inputs).unwrap();
        let c = reconstruct(
            &t.kernel,
            &t.kappa4,
            Some(&t.kappa6),
            order,
            DEFAULT_MAX_CONDITION,
        )
        .unwrap();
        round_trip(&c, &t.kernel, &t.kappa4, &t.kappa6).unwrap()
    }

    /// Ratios r(N) / r(10 N) of consecutive residuals.
    fn ratios(r: &[f64]) -> Vec<f64> {
        r.windows(2).map(|w| w[0] / w[1]).collect()
    }

    #[test]
    fn six_erf_inputs_order_one_kappa4_residual_falls_as_one_over_n_squared() {
        let xs = [-1.0, -0.6, -0.2, 0.2, 0.6, 1.0];
        let r: Vec<RoundTrip> = [10, 100, 1000]
            .iter()
            .map(|&n| round_trip_at(&xs, n, 1))
            .collect();
        for q in ratios(&r.iter().map(|x| x.kappa4.abs).collect::<Vec<_>>()) {
            assert!((q / 100.0 - 1.0).abs() < 0.05, "kappa4 ratio {q}");
        }
        for q in ratios(&r.iter().map(|x| x.kappa2.abs).collect::<Vec<_>>()) {
            assert!((q / 100.0 - 1.0).abs() < 0.05, "kappa2 ratio {q}");
        }
    }

    #[test]
    fn six_erf_inputs_order_two_residuals_fall_as_one_over_n_cubed_once_converged() {
        // whitened a4 is about 74/N for these inputs: the expansion converges from N ~ 1e3
        let xs = [-1.0, -0.6, -0.2, 0.2, 0.6, 1.0];
        let r: Vec<RoundTrip> = [1000, 10_000]
            .iter()
            .map(|&n| round_trip_at(&xs, n, 2))
            .collect();
        for (q, what) in [
            (r[0].kappa2.abs / r[1].kappa2.abs, "kappa2"),
            (r[0].kappa4.abs / r[1].kappa4.abs, "kappa4"),
            (r[0].kappa6.abs / r[1].kappa6.abs, "kappa6"),
        ] {
            assert!((650.0..1300.0).contains(&q), "{what}: ratio {q}");
        }
    }

    #[test]
    fn order_two_residuals_fall_as_one_over_n_cubed() {
        // three Erf inputs (K's condition number 93)
        let xs = [-1.0, 0.0, 1.0];
        let r: Vec<RoundTrip> = [1000, 10_000, 100_000]
            .iter()
            .map(|&n| round_trip_at(&xs, n, 2))
            .collect();
        for pick in [
            |x: &RoundTrip| x.kappa2.abs,
            |x: &RoundTrip| x.kappa4.abs,
            |x: &RoundTrip| x.kappa6.abs,
        ] {
            for q in ratios(&r.iter().map(pick).collect::<Vec<_>>()) {
                assert!((q / 1000.0 - 1.0).abs() < 0.1, "ratio {q}");
            }
        }
        // the couplings in f, run with propagator K, give the same cumulants (well-conditioned K)
        let net = Network::paper(Arch::Erf);
        let t = exact_tables(&net, 1000, &InputSet::from_scalars(&xs).unwrap()).unwrap();
        let c = reconstruct(&t.kernel, &t.kappa4, Some(&t.kappa6), 2, 1e8).unwrap();
        let p =
            perturbative_cumulants(&t.kernel, &c.delta, &c.lambda4, c.lambda6.as_ref(), 3).unwrap();
        let in_f = residual(&p.kappa4, &Tensor::from_table(&t.kappa4)).abs;
        assert!(
            (in_f / r[0].kappa4.abs - 1.0).abs() < 1e-6,
            "{in_f} vs {:?}",
            r[0]
        );
        // and order 2 beats order 1 at the same width
        let one = round_trip_at(&xs, 1000, 1);
        assert!(
            r[0].kappa4.abs < one.kappa4.abs / 10.0,
            "{:?} {:?}",
            r[0],
            one
        );
    }

    /// Cumulants of exp(-S) on a grid (trapezoid rule in u = L^-1 f over [-R, R]^k: spectrally
    /// accurate for this smooth, rapidly decaying weight): the independent truth.
    fn quadrature_cumulants(
        kernel: &DMatrix<f64>,
        delta: &DMatrix<f64>,
        l4: &Tensor,
        l6: &Tensor,
    ) -> (Tensor, Tensor, Tensor) {
        let k = kernel.nrows();
        let (l, _) = whitening(kernel).unwrap();
        let a = kernel.clone().try_inverse().unwrap() + delta;
        let (pts, r) = (if k == 1 { 2001 } else { 321 }, 9.0);
        let h = 2.0 * r / (pts - 1) as f64;
        let m: Vec<Vec<Vec<usize>>> = [2, 4, 6].iter().map(|&n| multisets(k, n)).collect();
        let mut sums: Vec<Vec<f64>> = m.iter().map(|v| vec![0.0; v.len()]).collect();
        let mut z = 0.0;
        let mut u = vec![0usize; k];
        loop {
            let uu: Vec<f64> = u.iter().map(|&i| -r + h * i as f64).collect();
            let f: Vec<f64> = (0..k)
                .map(|a| (0..k).map(|b| l[(a, b)] * uu[b]).sum())
                .collect();
            let mut s = 0.0;
            for x in 0..k {
                for y in 0..k {
                    s += 0.5 * f[x] * a[(x, y)] * f[y];
                }
            }
            let mut idx = [0usize; 6];
            for flat in 0..k.pow(6) {
                let mut q = flat;
                for slot in idx.iter_mut().rev() {
                    *slot = q % k;
                    q /= k;
                }
                let p6: f64 = idx.iter().map(|&i| f[i]).product();
                s += l6.data[flat] * p6 / 720.0;
                if flat < k.pow(4) {
                    let p4: f64 = idx[2..].iter().map(|&i| f[i]).product();
                    s += l4.data[flat] * p4 / 24.0;
                }
            }
            let w = (-s).exp();
            z += w;
            for (list, acc) in m.iter().zip(sums.iter_mut()) {
                for (t, slot) in list.iter().zip(acc.iter_mut()) {
                    *slot += w * t.iter().map(|&i| f[i]).product::<f64>();
                }
            }
            let Some(p) = (0..k).find(|&p| u[p] + 1 < pts) else {
                break;
            };
            u[p] += 1;
            u[..p].iter_mut().for_each(|x| *x = 0);
        }
        let mom = |n: usize, t: &[usize]| {
            let mut s = t.to_vec();
            s.sort_unstable();
            sums[n / 2 - 1][nnqft_core::multiset_rank(k, &s)] / z
        };
        let k2 = DMatrix::from_fn(k, k, |a, b| mom(2, &[a, b]));
        let c4 = |t: &[usize]| mom(4, t) - wick(&k2, t);
        let kappa4 = Tensor::symmetric_from(k, 4, c4);
        let kappa6 = Tensor::symmetric_from(k, 6, |t| {
            let mut v = mom(6, t) - wick(&k2, t);
            for ([x, y], rest) in pair_splits(6) {
                let four: Vec<usize> = rest.iter().map(|&i| t[i]).collect();
                v -= c4(&four) * k2[(t[x], t[y])];
            }
            v
        });
        (Tensor::from_matrix(&k2), kappa4, kappa6)
    }

    #[test]
    fn perturbation_theory_matches_quadrature_to_fourth_order() {
        for k in [1usize, 2] {
            let kernel = if k == 1 {
                DMatrix::from_element(1, 1, 1.7)
            } else {
                DMatrix::from_row_slice(2, 2, &[1.3, 0.4, 0.4, 0.8])
            };
            // a positive quartic and sextic form: sums of (v.f)^4 and (v.f)^6
            let vs = [[1.0, 0.3], [-0.4, 0.9], [0.5, 0.5]];
            let form = |rank: usize| {
                Tensor::symmetric_from(k, rank, |t| {
                    vs.iter()
                        .map(|v| t.iter().map(|&i| v[i]).product::<f64>())
                        .sum()
                })
            };
            let (d0, l40, l60) = (
                DMatrix::from_fn(k, k, |a, b| if a == b { 0.4 } else { -0.1 }),
                form(4),
                form(6),
            );
            let mut res = Vec::new();
            for t in [0.01, 0.005] {
                let d = &d0 * t;
                let mut l4 = l40.clone();
                l4.data.iter_mut().for_each(|x| *x *= t);
                let mut l6 = l60.clone();
                l6.data.iter_mut().for_each(|x| *x *= t * t);
                let (q2, q4, q6) = quadrature_cumulants(&kernel, &d, &l4, &l6);
                let p = perturbative_cumulants(&kernel, &d, &l4, Some(&l6), 3).unwrap();
                let r = [
                    residual(&p.kappa2, &q2),
                    residual(&p.kappa4, &q4),
                    residual(&p.kappa6, &q6),
                ];
                // each cumulant is itself O(t) away from the Gaussian: the check is not empty
                assert!(q4.max_abs() > 1e-3 * t && q6.max_abs() > 1e-3 * t * t);
                res.push(r);
            }
            for c in 0..3 {
                let q = res[0][c].abs / res[1][c].abs;
                assert!(
                    (12.0..20.0).contains(&q),
                    "k {k} cumulant {c}: ratio {q} ({res:?})"
                );
                assert!(res[0][c].rel < 0.1, "k {k} cumulant {c}: {res:?}");
            }
        }
    }
}
