//! Deep networks at leading order in 1/n (docs/conventions.md section 11): the recursions of
//! the kernel K, the four-point vertex V and the kernel correction K1 layer by layer, and the
//! correlators G2 = K + K1/n, connected G4 = (1/n)(V_(12)(34) + V_(13)(24) + V_(14)(23)).
//!
//! Expectations are over z ~ N(0, K^(l)) restricted to the distinct inputs an integrand uses
//! (at most 4): tensor Gauss-Hermite in that marginal (pivoted Cholesky: singular marginals
//! are fine for the plain expectations). Derivatives come by Gaussian integration by parts,
//! E[d2 F/dz_c dz_d] = E[F (y_c y_d - C^-1_cd)] and the fourth-order analogue (the Hermite
//! tensor in y = C^-1 z), so no derivative of the activation is needed (for kinked activations
//! this is the distributional derivative, delta functions included); that marginal must be
//! non-singular. Kinked activations (relu, leaky-relu, abs): at one input every expectation is
//! a half-normal moment in closed form; at several inputs the expectations are integrated
//! piece by piece between the kinks ([`crate::kinked`]), since Gauss-Hermite converges only
//! algebraically across a kink.

use crate::error::{IntegrateError, Result};
use crate::kinked::expect_kinked;
use nnqft_core::{
    Arch, ConnectedEntry, InputSet, MeasuredEntry, Measurement, MomentRule, Network, Summary,
    layer_pair, multisets, nngp_kernels, rules::hermite_rule, wick,
};
use std::collections::BTreeMap;

/// The leading-1/n tensors of the output layer: the kernel K = K^(L+1), the vertex V (m^4,
/// at ((i m + j) m + k) m + l) and the kernel correction K1 (m x m).
#[derive(Clone, Debug)]
pub struct DeepTensors {
    /// Number of inputs m.
    pub m: usize,
    /// K^(L+1), row-major m x m.
    pub k: Vec<f64>,
    /// V^(L+1)_(ij)(kl).
    pub v: Vec<f64>,
    /// K1^(L+1)_(ij).
    pub k1: Vec<f64>,
}

impl DeepTensors {
    /// The connected four-point function at width n: (1/n)(V_(ij)(kl) + V_(ik)(jl) + V_(il)(jk)).
    pub fn connected4(&self, idx: &[usize], width: usize) -> f64 {
        let v = |a: usize, b: usize, c: usize, d: usize| {
            self.v[((idx[a] * self.m + idx[b]) * self.m + idx[c]) * self.m + idx[d]]
        };
        (v(0, 1, 2, 3) + v(0, 2, 1, 3) + v(0, 3, 1, 2)) / width as f64
    }

    /// G2 = K + K1/n at (i, j).
    pub fn g2(&self, i: usize, j: usize, width: usize) -> f64 {
        self.k[i * self.m + j] + self.k1[i * self.m + j] / width as f64
    }
}

/// Gauss-Hermite order per dimension of a marginal of dimension `r` (1..4).
fn order(r: usize) -> usize {
    match r {
        1 => 200,
        2 => 128,
        3 => 40,
        _ => 24,
    }
}

/// A vector integrand: (z, C^-1 z, out).
pub(crate) type Integrand<'a> = dyn FnMut(&[f64], &[f64], &mut [f64]) + 'a;

/// A vector expectation E[F(z)] ([`expect`] or [`expect_kinked`]).
type Expectation = fn(&[f64], usize, Option<&[f64]>, usize, &mut Integrand) -> Vec<f64>;

/// E[F(z)] for z ~ N(0, C), C the r x r covariance `c` (row-major, positive semi-definite),
/// F vector-valued (`len` components): tensor Gauss-Hermite on z = F g with F the pivoted
/// Cholesky factor. `f` gets z, C^-1 z (zero unless `inverse` is given) and writes F(z).
fn expect(c: &[f64], r: usize, inverse: Option<&[f64]>, len: usize, f: &mut Integrand) -> Vec<f64> {
    let mut fac = vec![0.0; r * r];
    // Quadrature over the marginal's rank only (e.g. inputs on one ray at the first layer).
    let rank = factor(c, r, &mut fac);
    let rule = hermite_rule(order(rank.max(1)));
    let (g, w) = (&rule.0, &rule.1);
    let q = g.len();
    let total_nodes = q.pow(rank as u32);
    let (mut z, mut y) = (vec![0.0; r], vec![0.0; r]);
    let mut acc = vec![0.0; len];
    let mut val = vec![0.0; len];
    for node in 0..total_nodes {
        let mut rest = node;
        let mut weight = 1.0;
        let mut gs = [0.0; 4];
        for gk in gs.iter_mut().take(rank) {
            let t = rest % q;
            rest /= q;
            *gk = g[t];
            weight *= w[t];
        }
        for a in 0..r {
            z[a] = (0..rank).map(|k| fac[a * r + k] * gs[k]).sum();
        }
        if let Some(inv) = inverse {
            for a in 0..r {
                y[a] = (0..r).map(|b| inv[a * r + b] * z[b]).sum();
            }
        }
        f(&z, &y, &mut val);
        for (a, v) in acc.iter_mut().zip(&val) {
            *a += weight * v;
        }
    }
    acc
}

/// Pivoted Cholesky C = F F^T (r x r row-major; columns stop at a negligible pivot); returns
/// the number of columns (the numerical rank).
pub(crate) fn factor(c: &[f64], r: usize, f: &mut [f64]) -> usize {
    f.fill(0.0);
    let mut perm: Vec<usize> = (0..r).collect();
    let mut diag: Vec<f64> = (0..r).map(|a| c[a * r + a]).collect();
    let tol = 1e-14 * diag.iter().fold(0.0f64, |x, &y| x.max(y));
    for k in 0..r {
        let best = (k..r)
            .max_by(|&a, &b| diag[perm[a]].total_cmp(&diag[perm[b]]))
            .unwrap_or(k);
        perm.swap(k, best);
        let p = perm[k];
        if diag[p].is_nan() || diag[p] <= tol {
            return k;
        }
        let l = diag[p].sqrt();
        f[p * r + k] = l;
        for &i in &perm[k + 1..] {
            let mut v = c[i * r + p];
            for t in 0..k {
                v -= f[i * r + t] * f[p * r + t];
            }
            f[i * r + k] = v / l;
            diag[i] -= (v / l) * (v / l);
        }
    }
    r
}

/// The inverse of a 1 x 1 or 2 x 2 covariance, or None when it is (numerically) singular.
fn inverse(c: &[f64], r: usize) -> Option<Vec<f64>> {
    match r {
        1 => (c[0] > 0.0).then(|| vec![1.0 / c[0]]),
        _ => {
            let det = c[0] * c[3] - c[1] * c[2];
            (det > 1e-10 * c[0] * c[3])
                .then(|| vec![c[3] / det, -c[1] / det, -c[2] / det, c[0] / det])
        }
    }
}

/// E[|z|^k] / sigma^k for a standard normal: (k-1)!! times sqrt(2/pi) for odd k.
fn abs_moment(k: usize) -> f64 {
    let mut v = 1.0;
    let mut t = k as i64 - 1;
    while t > 0 {
        v *= t as f64;
        t -= 2;
    }
    if !k.is_multiple_of(2) {
        v * (2.0 / std::f64::consts::PI).sqrt()
    } else {
        v
    }
}

/// E[act(z)^p z^q] for z ~ N(0, s) and act = `above` z (z > 0), `below` z (z < 0): the
/// half-normal moments (above^p + (-1)^(p+q) below^p) s^((p+q)/2) E|g|^(p+q) / 2.
fn piecewise_moment(below: f64, above: f64, s: f64, p: usize, q: usize) -> f64 {
    let k = p + q;
    let sign = if k.is_multiple_of(2) { 1.0 } else { -1.0 };
    0.5 * (above.powi(p as i32) + sign * below.powi(p as i32))
        * s.powf(k as f64 / 2.0)
        * abs_moment(k)
}

/// The per-layer expectations a pair (i, j) of inputs needs: <act_i act_j>, the second
/// derivatives <d2(act_i act_j)/dz_c dz_d> and fourth derivatives over c, d, .. in the pair's
/// distinct inputs `vars` (local numbering).
struct PairTerms {
    vars: Vec<usize>,
    d2: Vec<f64>,
    d4: Vec<f64>,
}

/// The Hermite tensor of order 2 or 4 in y = C^-1 z at local indices `ix`.
fn hermite(ix: &[usize], y: &[f64], inv: &[f64], r: usize) -> f64 {
    let ci = |a: usize, b: usize| inv[ix[a] * r + ix[b]];
    let yy = |a: usize| y[ix[a]];
    if ix.len() == 2 {
        return yy(0) * yy(1) - ci(0, 1);
    }
    yy(0) * yy(1) * yy(2) * yy(3)
        - (ci(0, 1) * yy(2) * yy(3)
            + ci(0, 2) * yy(1) * yy(3)
            + ci(0, 3) * yy(1) * yy(2)
            + ci(1, 2) * yy(0) * yy(3)
            + ci(1, 3) * yy(0) * yy(2)
            + ci(2, 3) * yy(0) * yy(1))
        + (ci(0, 1) * ci(2, 3) + ci(0, 2) * ci(1, 3) + ci(0, 3) * ci(1, 2))
}

/// The distinct inputs of `idx` in order of first appearance, and each position's local index.
fn distinct(idx: &[usize]) -> (Vec<usize>, Vec<usize>) {
    let mut vars: Vec<usize> = vec![];
    let local = idx
        .iter()
        .map(|&a| match vars.iter().position(|&v| v == a) {
            Some(p) => p,
            None => {
                vars.push(a);
                vars.len() - 1
            }
        })
        .collect();
    (vars, local)
}

fn marginal(k: &[f64], m: usize, vars: &[usize]) -> Vec<f64> {
    let r = vars.len();
    (0..r * r)
        .map(|ab| k[vars[ab / r] * m + vars[ab % r]])
        .collect()
}

/// Derivative terms of the pair (i, j) at layer covariance `k`.
fn pair_terms(
    arch: Arch,
    k: &[f64],
    m: usize,
    i: usize,
    j: usize,
    fourth: bool,
    layer: usize,
) -> Result<PairTerms> {
    let (vars, local) = distinct(&[i, j]);
    let r = vars.len();
    let c = marginal(k, m, &vars);
    let inv = inverse(&c, r).ok_or_else(|| {
        IntegrateError::Points(if i == j {
            format!(
                "the 1/n recursion needs a pre-activation of non-zero variance at input {} at \
                 layer {layer}, but it vanishes there (e.g. x = 0 without biases): drop it",
                i + 1
            )
        } else {
            format!(
                "the 1/n recursion needs non-degenerate pre-activations of inputs {} and {} at \
                 layer {layer}, but they are perfectly correlated there: drop one of them",
                i + 1,
                j + 1
            )
        })
    })?;
    let n2 = r * r;
    let n4 = n2 * n2;
    let (mut d2, mut d4) = (vec![0.0; n2], vec![0.0; if fourth { n4 } else { 0 }]);
    let kinked = matches!(arch.moment_rule(), MomentRule::PiecewiseLinear { .. });
    if let (1, MomentRule::PiecewiseLinear { below, above }) = (r, arch.moment_rule()) {
        // One input: F = act(z)^2, Hermite tensors in y = z / s, half-normal moments.
        let s = c[0];
        let e = |q: usize| piecewise_moment(below, above, s, 2, q);
        d2[0] = e(2) / (s * s) - e(0) / s;
        if fourth {
            d4[0] = e(4) / s.powi(4) - 6.0 * e(2) / s.powi(3) + 3.0 * e(0) / (s * s);
        }
        return Ok(PairTerms { vars, d2, d4 });
    }
    let n4 = d4.len();
    let integrate: Expectation = if kinked { expect_kinked } else { expect };
    let out = integrate(&c, r, Some(&inv), n2 + n4, &mut |z, y, out| {
        let fz = arch.activation(z[local[0]]) * arch.activation(z[local[1]]);
        for (c2, o) in out[..n2].iter_mut().enumerate() {
            *o = fz * hermite(&[c2 / r, c2 % r], y, &inv, r);
        }
        for c4 in 0..n4 {
            let ix = [c4 / (r * r * r), c4 / (r * r) % r, c4 / r % r, c4 % r];
            out[n2 + c4] = fz * hermite(&ix, y, &inv, r);
        }
    });
    d2.copy_from_slice(&out[..n2]);
    d4.copy_from_slice(&out[n2..]);
    Ok(PairTerms { vars, d2, d4 })
}

/// <act_i act_j act_k act_l> over z ~ N(0, K) (closed form for kinked activations at one
/// input, integration between the kinks at several, else Gauss-Hermite in the distinct
/// inputs' marginal).
fn four_point(arch: Arch, k: &[f64], m: usize, idx: &[usize]) -> f64 {
    let (vars, local) = distinct(idx);
    let c = marginal(k, m, &vars);
    let mut integrate: Expectation = expect;
    if let MomentRule::PiecewiseLinear { below, above } = arch.moment_rule() {
        if vars.len() == 1 {
            return piecewise_moment(below, above, c[0], 4, 0);
        }
        integrate = expect_kinked;
    }
    integrate(&c, vars.len(), None, 1, &mut |z, _, out| {
        out[0] = local.iter().map(|&a| arch.activation(z[a])).product();
    })[0]
}

/// K^(l), V^(l), K1^(l) for l = L + 1 by the recursions of docs/conventions.md section 11.
///
/// Every pair of distinct inputs needs a non-singular covariance of its pre-activations at
/// the layers >= 2 (perfectly correlated pairs are refused, naming them). Kinked activations
/// (relu, leaky-relu, abs) go through closed forms at one input and through the piecewise
/// quadrature of [`crate::kinked`] at several.
pub fn deep_tensors(net: &Network, inputs: &InputSet) -> Result<DeepTensors> {
    let m = inputs.len();
    let arch = net.arch();
    if let (MomentRule::PiecewiseLinear { below, above }, 0.0) = (arch.moment_rule(), net.sigma_b())
        && let Some((map, reduced)) = rays(inputs, below, above)
    {
        return Ok(expand(&deep_tensors(net, &reduced)?, &map));
    }
    if let Some((map, reduced)) = mirrors(net, inputs) {
        return Ok(expand(&deep_tensors(net, &reduced)?, &map));
    }
    if !matches!(
        arch.moment_rule(),
        MomentRule::PiecewiseLinear { .. } | MomentRule::Smooth | MomentRule::Trig { .. }
    ) {
        return Err(IntegrateError::Points(format!(
            "the 1/n recursion is not available for {}",
            arch.name()
        )));
    }
    let sw2 = net.sigma_w() * net.sigma_w();
    let kernels = nngp_kernels(net, inputs);
    let flat = |k: &nalgebra::DMatrix<f64>| -> Vec<f64> {
        (0..m * m).map(|ab| k[(ab / m, ab % m)]).collect()
    };
    let m2 = m * m;
    let mut v = vec![0.0; m2 * m2];
    let mut k1 = vec![0.0; m2];
    for (layer, kl) in kernels.iter().take(net.depth()).enumerate() {
        let layer = layer + 1;
        let k = flat(kl);
        let deriv = layer >= 2;
        // <act_i act_j> per pair.
        let two: Vec<f64> = (0..m2)
            .map(|ij| layer_pair(arch, k[(ij / m) * (m + 1)], k[(ij % m) * (m + 1)], k[ij]))
            .collect();
        let mut four = vec![0.0; m2 * m2];
        for idx in multisets(m, 4) {
            let val = four_point(arch, &k, m, &idx);
            for_each_permutation(&idx, &mut |p| {
                four[((p[0] * m + p[1]) * m + p[2]) * m + p[3]] = val
            });
        }
        let terms: Vec<Option<PairTerms>> = if deriv {
            (0..m2)
                .map(|ij| pair_terms(arch, &k, m, ij / m, ij % m, true, layer).map(Some))
                .collect::<Result<_>>()?
        } else {
            (0..m2).map(|_| None).collect()
        };
        let mut v_next = vec![0.0; m2 * m2];
        let mut k1_next = vec![0.0; m2];
        for ij in 0..m2 {
            if let Some(t) = &terms[ij] {
                let r = t.vars.len();
                let mut s1 = 0.0;
                for c in 0..r {
                    for d in 0..r {
                        s1 += k1[t.vars[c] * m + t.vars[d]] * t.d2[c * r + d];
                    }
                }
                let mut s2 = 0.0;
                for c4 in 0..r * r * r * r {
                    let ix = [c4 / (r * r * r), c4 / (r * r) % r, c4 / r % r, c4 % r];
                    let g = |a: usize| t.vars[ix[a]];
                    s2 += v[((g(0) * m + g(1)) * m + g(2)) * m + g(3)] * t.d4[c4];
                }
                k1_next[ij] = sw2 / 2.0 * s1 + sw2 / 8.0 * s2;
            }
            for kl in 0..m2 {
                let mut val = sw2 * sw2 * (four[ij * m2 + kl] - two[ij] * two[kl]);
                if let (Some(a), Some(b)) = (&terms[ij], &terms[kl]) {
                    let (ra, rb) = (a.vars.len(), b.vars.len());
                    let mut s = 0.0;
                    for cd in 0..ra * ra {
                        let (c, d) = (a.vars[cd / ra], a.vars[cd % ra]);
                        for ef in 0..rb * rb {
                            let (e, f) = (b.vars[ef / rb], b.vars[ef % rb]);
                            s += v[((c * m + d) * m + e) * m + f] * a.d2[cd] * b.d2[ef];
                        }
                    }
                    val += sw2 * sw2 / 4.0 * s;
                }
                v_next[ij * m2 + kl] = val;
            }
        }
        v = v_next;
        k1 = k1_next;
    }
    Ok(DeepTensors {
        m,
        k: flat(&kernels[net.depth()]),
        v,
        k1,
    })
}

/// A piecewise-linear activation without biases is positively homogeneous, act(c z) =
/// c act(z) for c > 0, so the network is too: f(c x) = c f(x) at every depth. Inputs on one
/// ray from the origin are then perfectly correlated at every layer (the recursion's
/// derivative terms cannot take them), and every correlator of them follows from one input of
/// the ray: K_ab = c_a c_b K, V_(ab)(cd) = c_a c_b c_c c_d V, K1_ab = c_a c_b K1. Opposite rays
/// join too when act is odd (linear: c < 0 scales by c) or even (abs: by |c|). Returns per
/// input (its representative in the reduced set, its factor) and the reduced set; None when
/// no two inputs share a ray (or every input is the origin).
fn rays(inputs: &InputSet, below: f64, above: f64) -> Option<(Vec<(usize, f64)>, InputSet)> {
    let norm = |p: &[f64]| p.iter().map(|x| x * x).sum::<f64>().sqrt();
    let (odd, even) = (below == above, below == -above);
    let mut reps: Vec<Vec<f64>> = vec![];
    let mut map: Vec<Option<(usize, f64)>> = vec![None; inputs.len()];
    for (a, p) in inputs.points().iter().enumerate() {
        let na = norm(p);
        if na == 0.0 {
            continue;
        }
        let found = reps.iter().enumerate().find_map(|(r, q)| {
            let nq = norm(q);
            let dot: f64 = p.iter().zip(q).map(|(x, y)| x * y).sum();
            let c = na / nq;
            if (dot - na * nq).abs() <= 1e-12 * na * nq {
                Some((r, c))
            } else if (dot + na * nq).abs() <= 1e-12 * na * nq && (odd || even) {
                Some((r, if odd { -c } else { c }))
            } else {
                None
            }
        });
        map[a] = Some(found.unwrap_or_else(|| {
            reps.push(p.clone());
            (reps.len() - 1, 1.0)
        }));
    }
    if reps.is_empty() {
        return None;
    }
    // The origin: f(0) = 0 exactly, a factor 0 on any representative.
    let map: Vec<(usize, f64)> = map.into_iter().map(|e| e.unwrap_or((0, 0.0))).collect();
    if reps.len() == inputs.len() {
        return None;
    }
    Some((map, InputSet::new(reps).ok()?))
}

/// Inputs whose outputs are tied in every network: f(x_b) = f(x_a) when x_b = x_a, and, with
/// no biases, f(-x) = p f(x) for an activation of parity p ([`nnqft_core::Arch::parity`]: the
/// first layer is odd in x, an odd act keeps it odd, an even act makes every later layer even).
/// Such pairs are perfectly correlated at the layers >= 2, which the recursion's derivative
/// terms cannot take; every correlator of them follows exactly from one of the pair, with the
/// factor 1 or p. Returns the map to the representatives and the reduced set, as [`rays`];
/// None when no two inputs are tied.
fn mirrors(net: &Network, inputs: &InputSet) -> Option<(Vec<(usize, f64)>, InputSet)> {
    let parity = if net.sigma_b() == 0.0 {
        net.arch().parity()
    } else {
        None
    };
    let mut reps: Vec<Vec<f64>> = vec![];
    let mut map = Vec::with_capacity(inputs.len());
    for p in inputs.points() {
        let found = reps.iter().enumerate().find_map(|(r, q)| {
            if p == q {
                Some((r, 1.0))
            } else if parity.is_some() && p.iter().zip(q).all(|(x, y)| *x == -*y) {
                Some((r, parity.unwrap_or(1.0)))
            } else {
                None
            }
        });
        map.push(found.unwrap_or_else(|| {
            reps.push(p.clone());
            (reps.len() - 1, 1.0)
        }));
    }
    if reps.len() == inputs.len() {
        return None;
    }
    Some((map, InputSet::new(reps).ok()?))
}

/// The tensors at every input from those at the ray representatives ([`rays`]).
fn expand(t: &DeepTensors, map: &[(usize, f64)]) -> DeepTensors {
    let (m, mr) = (map.len(), t.m);
    let k2 = |a: usize, b: usize, x: &[f64]| {
        let ((ra, ca), (rb, cb)) = (map[a], map[b]);
        ca * cb * x[ra * mr + rb]
    };
    let k: Vec<f64> = (0..m * m).map(|ab| k2(ab / m, ab % m, &t.k)).collect();
    let k1: Vec<f64> = (0..m * m).map(|ab| k2(ab / m, ab % m, &t.k1)).collect();
    let v = (0..m * m * m * m)
        .map(|i| {
            let ix = [i / (m * m * m), i / (m * m) % m, i / m % m, i % m];
            let (r, c): (Vec<usize>, f64) = ix.iter().fold((vec![], 1.0), |(mut r, c), &a| {
                r.push(map[a].0);
                (r, c * map[a].1)
            });
            c * t.v[((r[0] * mr + r[1]) * mr + r[2]) * mr + r[3]]
        })
        .collect();
    DeepTensors { m, k, v, k1 }
}

/// Call `f` with every distinct ordering of the 4 indices `idx`.
fn for_each_permutation(idx: &[usize], f: &mut dyn FnMut(&[usize; 4])) {
    let mut seen: Vec<[usize; 4]> = vec![];
    for a in 0..4 {
        for b in 0..4 {
            for c in 0..4 {
                for d in 0..4 {
                    if a == b || a == c || a == d || b == c || b == d || c == d {
                        continue;
                    }
                    let p = [idx[a], idx[b], idx[c], idx[d]];
                    if !seen.contains(&p) {
                        seen.push(p);
                        f(&p);
                    }
                }
            }
        }
    }
}

/// The leading-1/n correlators of a deep network in the schema of `nnqft sample` (order
/// "1/n"): "2" = K + K1/n, "4" = connected + sum_3 G2 G2 with connected "4" =
/// (1/n)(V + V + V); gp = Wick on K; orders other than 2 and 4 are refused (the connected
/// 6-point function of a deep network is not computed).
pub fn deep_measurement(
    net: &Network,
    width: usize,
    inputs: &InputSet,
    npts: &[usize],
) -> Result<Measurement> {
    if width == 0 {
        return Err(IntegrateError::Width);
    }
    let mut ns: Vec<usize> = npts.to_vec();
    ns.sort_unstable();
    ns.dedup();
    if ns.is_empty() {
        return Err(IntegrateError::Order(0));
    }
    if let Some(&bad) = ns.iter().find(|&&n| !matches!(n, 2 | 4)) {
        return Err(IntegrateError::Points(format!(
            "for deep networks the 1/n result covers n = 2 and 4 (the 6-point function at its \
             leading order is not implemented); got {bad}"
        )));
    }
    let t = deep_tensors(net, inputs)?;
    let m = inputs.len();
    let kernel = net.kernel_matrix(inputs);
    let mut correlators = BTreeMap::new();
    let mut connected = BTreeMap::new();
    let mut summary = BTreeMap::new();
    for &n in &ns {
        let mut entries = vec![];
        let mut cum = vec![];
        let (mut sig, mut count) = (0.0, 0usize);
        for idx in multisets(m, n) {
            let g2 = |a: usize, b: usize| t.g2(idx[a], idx[b], width);
            let mean = if n == 2 {
                g2(0, 1)
            } else {
                let c = t.connected4(&idx, width);
                cum.push(ConnectedEntry {
                    index: idx.clone(),
                    mean: c,
                    stderr: 0.0,
                });
                c + g2(0, 1) * g2(2, 3) + g2(0, 2) * g2(1, 3) + g2(0, 3) * g2(1, 2)
            };
            let gp = wick(&kernel, &idx);
            if gp != 0.0 {
                sig += (mean - gp).abs() / gp.abs();
                count += 1;
            }
            entries.push(MeasuredEntry {
                index: idx,
                mean,
                stderr: 0.0,
                gp,
                background: None,
            });
        }
        if !entries.iter().all(|e| e.mean.is_finite()) {
            return Err(IntegrateError::NonFinite(format!(
                "the 1/n correlators overflow for sigma_w = {}, sigma_b = {}",
                nnqft_core::number(net.sigma_w()),
                nnqft_core::number(net.sigma_b())
            )));
        }
        summary.insert(
            n.to_string(),
            Summary {
                signal: if count > 0 { sig / count as f64 } else { 0.0 },
                background: None,
            },
        );
        if n == 4 {
            connected.insert("4".to_string(), cum);
        }
        correlators.insert(n.to_string(), entries);
    }
    Ok(Measurement {
        arch: net.arch(),
        sigma_w: net.sigma_w(),
        sigma_b: net.sigma_b(),
        d_in: net.d_in(),
        bias: net.bias(),
        width,
        depth: net.depth(),
        order: Some("1/n".to_string()),
        nets: 0,
        experiments: 0,
        seed: None,
        inputs: inputs.points().to_vec(),
        correlators,
        connected,
        summary,
        warnings: vec![
            "deep network: G2 and G4 to leading order in 1/n (docs/conventions.md section 11); \
             the O(1/n^2) terms are absent"
                .to_string(),
        ],
    })
}

/// The normalized connected four-point function of a measurement (sampled, exact or 1/n):
/// S4 = mean over the entries of "4" with a non-zero GP value of G4c(idx) / |G4_GP(idx)|,
/// with G4c the connected entry and G4_GP Wick's value on the NNGP kernel; and a bound on its
/// sampling error, the mean of stderr(G4c) / |G4_GP| (zero for a prediction). S4 is linear in
/// G4c, so a sampled S4 and a predicted one compare entry by entry. None without a connected
/// "4" table.
pub fn normalized_connected4(m: &Measurement) -> Option<(f64, f64)> {
    let gp: BTreeMap<&[usize], f64> = m
        .correlators
        .get("4")?
        .iter()
        .map(|e| (e.index.as_slice(), e.gp))
        .collect();
    let (mut sum, mut err, mut count) = (0.0, 0.0, 0usize);
    for e in m.connected.get("4")? {
        let g = gp.get(e.index.as_slice()).copied().unwrap_or(0.0);
        if g != 0.0 {
            sum += e.mean / g.abs();
            err += e.stderr / g.abs();
            count += 1;
        }
    }
    (count > 0).then(|| (sum / count as f64, err / count as f64))
}

/// One point of a depth sweep: the normalized connected four-point function S4
/// ([`normalized_connected4`]) sampled at (depth L, width n), its error bound, the prediction
/// (the 1/n result for L >= 2, exact for L = 1) and the relative residual
/// |sampled - predicted| / |predicted| with its error bound.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DepthPoint {
    /// Hidden layers L.
    pub depth: usize,
    /// Width n.
    pub width: usize,
    /// L / n, the expansion parameter.
    pub depth_over_width: f64,
    /// Sampled S4.
    pub sampled: f64,
    /// Bound on the sampling error of `sampled`.
    pub stderr: f64,
    /// Predicted S4.
    pub predicted: f64,
    /// "exact" (L = 1) or "1/n".
    pub order: String,
    /// |sampled - predicted| / |predicted|.
    pub residual: f64,
    /// stderr / |predicted|.
    pub residual_stderr: f64,
}

/// The [`DepthPoint`] of a sampled measurement and its prediction at the same settings; None
/// when either lacks a connected "4" table or the prediction is zero.
pub fn depth_point(sampled: &Measurement, predicted: &Measurement) -> Option<DepthPoint> {
    let (s, e) = normalized_connected4(sampled)?;
    let (p, _) = normalized_connected4(predicted)?;
    if p == 0.0 {
        return None;
    }
    Some(DepthPoint {
        depth: sampled.depth,
        width: sampled.width,
        depth_over_width: sampled.depth as f64 / sampled.width as f64,
        sampled: s,
        stderr: e,
        predicted: p,
        order: predicted
            .order
            .clone()
            .unwrap_or_else(|| "exact".to_string()),
        residual: (s - p).abs() / p.abs(),
        residual_stderr: e / p.abs(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(arch: Arch, sw: f64, sb: f64, depth: usize) -> Network {
        Network::new(arch, sw, sb, 1)
            .unwrap()
            .with_depth(depth)
            .unwrap()
    }

    #[test]
    fn relu_and_linear_reproduce_the_closed_forms_leading_terms() {
        // One input, sb = 0: E f^4 / (3 (E f^2)^2) = r^L with r = 1 + c/n, c = 5 (ReLU), 2
        // (linear); at order 1/n, connected G4 = 3 K^2 c L / n, i.e. V = c L K^2, and
        // E f^2 = K exactly, i.e. K1 = 0.
        let xs = InputSet::from_scalars(&[0.7]).unwrap();
        for (arch, c) in [(Arch::Relu, 5.0), (Arch::Linear, 2.0)] {
            for depth in 1..=6 {
                let t = deep_tensors(&net(arch, 1.3, 0.0, depth), &xs).unwrap();
                let k = t.k[0];
                let want = c * depth as f64;
                assert!(
                    (t.v[0] / (k * k) - want).abs() < 1e-10 * want,
                    "{arch} L={depth}: V/K^2 = {} vs {want}",
                    t.v[0] / (k * k)
                );
                assert!(
                    t.k1[0].abs() < 1e-10 * k,
                    "{arch} L={depth}: K1 = {}",
                    t.k1[0]
                );
                // The kurtosis excess at width n: 3 V / n over 3 K^2 = c L / n.
                let g4c = t.connected4(&[0, 0, 0, 0], 100);
                assert!((g4c / (3.0 * k * k) - want / 100.0).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn depth_one_is_the_exact_single_layer_cumulant() {
        // L = 1: connected G4 = kappa4 of docs/conventions.md section 4 (one-neuron moments by
        // the latent-space quadrature of the exact tables).
        let xs = InputSet::from_scalars(&[-0.9, 0.1, 0.8]).unwrap();
        for arch in [Arch::Tanh, Arch::Erf] {
            let one = net(arch, 1.2, 0.4, 1);
            let t = deep_tensors(&one, &xs).unwrap();
            let exact = crate::exact_tables(&one, 7, &xs).unwrap();
            for idx in multisets(3, 4) {
                let want = exact.kappa4.get(&idx).mean;
                let got = t.connected4(&idx, 7);
                assert!(
                    (got - want).abs() < 1e-7 * want.abs().max(1e-3),
                    "{arch} {idx:?}: {got} vs {want}"
                );
            }
            assert!(t.k1.iter().all(|v| *v == 0.0));
        }
    }

    #[test]
    fn inputs_on_one_ray_scale_with_the_homogeneity_and_equal_inputs_are_tied() {
        // ReLU, sb = 0: f(c x) = c f(x), so at 0.2 and 0.4 (one ray) every tensor is the
        // single-input one times the inputs: V_(ab)(cd) = x_a x_b x_c x_d V(1) / 1 etc., with
        // the single-input closed forms V = 5 L K^2, K1 = 0.
        let xs = InputSet::from_scalars(&[0.2, 0.4, -0.5]).unwrap();
        let t = deep_tensors(&net(Arch::Relu, 1.3, 0.0, 3), &xs).unwrap();
        let one = deep_tensors(
            &net(Arch::Relu, 1.3, 0.0, 3),
            &InputSet::from_scalars(&[1.0]).unwrap(),
        )
        .unwrap();
        let x = [0.2, 0.4];
        for (a, b, c, d) in [(0, 0, 0, 0), (0, 1, 0, 1), (0, 0, 1, 1), (1, 1, 1, 1)] {
            let got = t.v[((a * 3 + b) * 3 + c) * 3 + d];
            let want = x[a] * x[b] * x[c] * x[d] * one.v[0];
            assert!((got - want).abs() < 1e-12 * want, "{got} vs {want}");
            assert!((one.v[0] - 15.0 * one.k[0] * one.k[0]).abs() < 1e-10 * one.v[0]);
        }
        // The ray of -0.5 is another one, with a non-singular pair from layer 2 on.
        assert!(t.v.iter().chain(&t.k1).all(|v| v.is_finite()));
        // Equal inputs (sb > 0) tie f(x_2) = f(x_1) in every network: every tensor entry is
        // the one-input entry.
        let same = InputSet::from_scalars(&[0.3, 0.3]).unwrap();
        let relu = net(Arch::Relu, 1.0, 0.5, 2);
        let t = deep_tensors(&relu, &same).unwrap();
        let one = deep_tensors(&relu, &InputSet::from_scalars(&[0.3]).unwrap()).unwrap();
        assert!(t.v.iter().all(|v| *v == one.v[0]) && t.k1.iter().all(|v| *v == one.k1[0]));
        // A zero-variance pre-activation (x = 0 without biases) is refused, naming the input.
        let zero = InputSet::from_scalars(&[0.0, 1.0]).unwrap();
        let err = deep_tensors(&net(Arch::Tanh, 1.0, 0.0, 2), &zero)
            .unwrap_err()
            .to_string();
        assert!(err.contains("input 1 ") && err.contains("x = 0"), "{err}");
    }

    #[test]
    fn mirrored_inputs_follow_the_parity() {
        // No biases: f(-x) = -f(x) for tanh (odd) and f(-x) = f(x) for cos (even), in every
        // network, so the tensors at (x, -x, y) are those at (x, y) with the signs of the
        // parity. Checked against the sampler in the CLI tests; here the bookkeeping: K1 and V
        // entries with one mirrored index flip sign for tanh and not for cos.
        for (arch, p) in [(Arch::Tanh, -1.0), (Arch::Cos, 1.0)] {
            let n = net(arch, 1.0, 0.0, 3);
            let t = deep_tensors(&n, &InputSet::from_scalars(&[0.5, -0.5, 1.0]).unwrap()).unwrap();
            let r = deep_tensors(&n, &InputSet::from_scalars(&[0.5, 1.0]).unwrap()).unwrap();
            let v3 = |a: usize, b: usize, c: usize, d: usize| t.v[((a * 3 + b) * 3 + c) * 3 + d];
            let v2 = |a: usize, b: usize, c: usize, d: usize| r.v[((a * 2 + b) * 2 + c) * 2 + d];
            assert_eq!(v3(1, 0, 0, 2), p * v2(0, 0, 0, 1));
            assert_eq!(v3(1, 1, 2, 2), v2(0, 0, 1, 1));
            assert_eq!(t.k1[3 + 2], p * r.k1[1]);
        }
    }

    #[test]
    fn six_points_are_refused() {
        let one = InputSet::from_scalars(&[0.2]).unwrap();
        let m = deep_measurement(&net(Arch::Tanh, 1.0, 0.0, 2), 10, &one, &[2, 4]).unwrap();
        assert_eq!(m.order.as_deref(), Some("1/n"));
        assert!(deep_measurement(&net(Arch::Tanh, 1.0, 0.0, 2), 10, &one, &[6]).is_err());
    }
}
