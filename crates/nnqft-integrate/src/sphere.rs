//! One-neuron moments of a piecewise-linear activation (ReLU, leaky ReLU, abs, linear) over
//! three or four Gaussian latent directions, by homogeneity.
//!
//! With a normal bias (or none) every pre-activation is linear in the latent normal vector,
//! z_a = A_a . y with y in R^r, and phi(z) = z times a slope per sign, so the product of a
//! k-multiset is homogeneous of degree k: F(rho w) = rho^k F(w) for w on the unit sphere.
//! The radius rho ~ chi_r separates:
//!
//!   M = E[rho^k] (1 / |S^(r-1)|) int F(w) dS,   E[rho^k] = (k + r - 2) E[rho^(k-2)].
//!
//! Write w = (cos psi u, sin psi) with u on S^(r-2), dS = cos^(r-2) psi dpsi dS(u). For fixed
//! u, F is a polynomial in (cos psi, sin psi) between the kinks psi_a(u), where the great
//! spheres A_a . w = 0 cross the meridian: the psi integral is exact (the integrals of
//! cos^m sin^j by their reduction formulas). The rest is smooth except where two kinks meet,
//! on the great circles n_ab . u = 0 of S^(r-2): r = 3, adaptive Gauss-Kronrod in the
//! longitude split at those points; r = 4, u = (cos chi cos theta, cos chi sin theta,
//! sin chi), nested adaptive Gauss-Kronrod split in chi where the circles cross the
//! meridian of u and in theta where two circles meet. Each pole is a fixed-lattice direction
//! farthest from every great sphere, so no kink runs through it.
//!
//! Six inputs in general position: three directions (rank 3 without a bias, rank 2 with one)
//! take 0.02 s, four (rank 3 with a bias) 2.4 s for ReLU, 6.6 s for leaky ReLU (on two cores;
//! the theta pieces run in parallel); the nested quadrature with one
//! coordinate exact, which resolved the kinks' crossings in two or three outer coordinates,
//! took more than 15 minutes for the first.

use crate::prefix_tree::{Node, depth_first, orders};
use crate::quad::{MAX_DIM, Nested, Tol, adaptive};
use rayon::prelude::*;
use std::f64::consts::PI;

/// Highest order handled (the moment tables stop at k = 6).
const MAX_ORDER: usize = 6;

/// The moments of every multiset of `links` (prefix component, last input; lower orders
/// first) for pre-activations z_a = rows[a] . y, y standard normal in R^r (r = 3 or 4, the
/// length of the rows), and phi(z) = below z (z < 0), above z (z > 0). Returns values and
/// error estimates.
pub(crate) fn sphere_moments(
    rows: &[Vec<f64>],
    links: &[(Option<usize>, usize)],
    below: f64,
    above: f64,
) -> (Vec<f64>, Vec<f64>) {
    let ncomp = links.len();
    let r = rows.first().map_or(3, Vec::len);
    assert!(r == 3 || r == 4, "the sphere rule takes 3 or 4 directions");
    let order = orders(links);
    assert!(
        order.iter().all(|&k| k <= MAX_ORDER),
        "moments above order 6"
    );
    // Rows in a frame whose last vector is the pole: (P_a, Q_a), P_a in R^(r-1).
    let axes = frame(rows, &candidates(r));
    let mut local: Vec<(Vec<f64>, f64)> = rows
        .iter()
        .map(|row| {
            let mut c: Vec<f64> = axes.iter().map(|e| dot(row, e)).collect();
            let q = c.pop().unwrap_or(0.0);
            (c, q)
        })
        .collect();
    // Where the meridian integral is not smooth on S^(r-2): u . n = 0 for every n in
    // `normals` (two kinks meet: n = Q_b P_a - Q_a P_b; a circle through the pole, Q_a = 0:
    // n = P_a).
    // Each with the inputs whose kinks meet there. A linear phi (below = above) has no kinks.
    let mut normals: Vec<Vec<f64>> = Vec::new();
    let mut meeting: Vec<[usize; 2]> = Vec::new();
    for (i, (pa, qa)) in local.iter().enumerate() {
        if below == above {
            break;
        }
        for (j, (pb, qb)) in local.iter().enumerate().skip(i + 1) {
            normals.push(pa.iter().zip(pb).map(|(x, y)| qb * x - qa * y).collect());
            meeting.push([i, j]);
        }
        if *qa == 0.0 {
            normals.push(pa.clone());
            meeting.push([i, i]);
        }
    }
    let keep: Vec<bool> = normals
        .iter()
        .map(|n| n.iter().any(|&x| x != 0.0))
        .collect();
    let mut kept = keep.iter();
    normals.retain(|_| *kept.next().unwrap_or(&false));
    let mut kept = keep.iter();
    meeting.retain(|_| *kept.next().unwrap_or(&false));
    if r == 4 {
        // The sphere S^2 of the outer directions gets its own pole, away from the circles.
        let outer = frame(&normals, &candidates(3));
        for (p, _) in local.iter_mut() {
            *p = outer.iter().map(|e| dot(p, e)).collect();
        }
        for n in normals.iter_mut() {
            *n = outer.iter().map(|e| dot(n, e)).collect();
        }
    }
    let tree = depth_first(links);
    let mut tol = Tol::rel(1e-13);
    // The meridian integrals carry a roundoff of ~1e-16 of the largest moment: a moment 1e-6
    // of the largest cannot be had to 1e-13 of itself, and asking made the rule split until
    // it ran out of intervals (12000 evaluations instead of 900). The floor asks 1e-13 of
    // max(|M_c|, 1e-4 max |M|).
    tol.floor = 1e-4;
    tol.max_intervals = 400;
    let merid = |u: &[f64], v: &mut [f64]| {
        meridian(&local, &tree, u, below, above, r - 2, v);
    };
    let (mut v, mut e) = (vec![0.0; ncomp], vec![0.0; ncomp]);
    if r == 3 {
        let mut breaks = Vec::new();
        for n in &normals {
            // u(theta) = (cos theta, sin theta) is orthogonal to n at theta = atan2(-n0, n1).
            push_pair(&mut breaks, (-n[0]).atan2(n[1]));
        }
        let f = |theta: f64, v: &mut [f64], e: &mut [f64]| {
            merid(&[theta.cos(), theta.sin()], v);
            e.iter_mut().for_each(|x| *x = 0.0);
        };
        adaptive(&f, 0.0, 2.0 * PI, &breaks, &tol, &mut v, &mut e);
    } else {
        // u(theta, chi) = (cos chi cos theta, cos chi sin theta, sin chi), dS = cos chi.
        // Where two circles meet the chi integral is smooth in theta unless they share an
        // input: then three kinks meet on one meridian (kinks of disjoint pairs meet at
        // different latitudes psi, and their singular parts add).
        let mut theta_breaks = Vec::new();
        for (i, n) in normals.iter().enumerate() {
            for (m, ends) in normals.iter().zip(&meeting).skip(i + 1) {
                if !ends.iter().any(|e| meeting[i].contains(e)) {
                    continue;
                }
                // The two circles meet at +-(n x m).
                let w = [n[1] * m[2] - n[2] * m[1], n[2] * m[0] - n[0] * m[2]];
                if w[0] != 0.0 || w[1] != 0.0 {
                    push_pair(&mut theta_breaks, w[1].atan2(w[0]));
                }
            }
            if n[2] == 0.0 {
                push_pair(&mut theta_breaks, (-n[0]).atan2(n[1]));
            }
        }
        let breaks = |level: usize, y: &[f64], out: &mut Vec<f64>| {
            if level == 1 {
                let (ct, st) = (y[0].cos(), y[0].sin());
                out.extend(
                    normals
                        .iter()
                        .filter(|n| n[2] != 0.0)
                        .map(|n| (-(n[0] * ct + n[1] * st) / n[2]).atan()),
                );
            }
        };
        let f = |y: &[f64], v: &mut [f64]| {
            let (theta, chi) = (y[0], y[1]);
            let c = chi.cos();
            merid(&[c * theta.cos(), c * theta.sin(), chi.sin()], v);
            v.iter_mut().for_each(|x| *x *= c);
        };
        // The theta pieces between the breaks in parallel, each to the tolerance relative
        // to itself, summed in a fixed order.
        let mut edges = vec![0.0, 2.0 * PI];
        edges.extend(theta_breaks.iter().filter(|&&t| t > 0.0 && t < 2.0 * PI));
        edges.sort_by(f64::total_cmp);
        edges.dedup();
        let pieces: Vec<(Vec<f64>, Vec<f64>)> = edges
            .par_windows(2)
            .map(|w| {
                let (mut pv, mut pe) = (vec![0.0; ncomp], vec![0.0; ncomp]);
                Nested {
                    integrand: &f,
                    coords: &[0, 1],
                    lo: &[w[0], -0.5 * PI],
                    hi: &[w[1], 0.5 * PI],
                    breaks: &breaks,
                    tol,
                    fixed: [0.0; MAX_DIM],
                }
                .integrate(&mut pv, &mut pe);
                (pv, pe)
            })
            .collect();
        for (pv, pe) in pieces {
            v.iter_mut().zip(&pv).for_each(|(a, b)| *a += b);
            e.iter_mut().zip(&pe).for_each(|(a, b)| *a += b);
        }
    }
    let radial = chi_moments(r);
    // The area of S^(r-1): 4 pi, 2 pi^2.
    let area = if r == 3 { 4.0 * PI } else { 2.0 * PI * PI };
    for c in 0..ncomp {
        let s = radial[order[c]] / area;
        v[c] *= s;
        e[c] *= s;
    }
    (v, e)
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Push an angle and its antipode, in [0, 2 pi).
fn push_pair(out: &mut Vec<f64>, t: f64) {
    out.push(t.rem_euclid(2.0 * PI));
    out.push((t + PI).rem_euclid(2.0 * PI));
}

/// E[rho^k] for rho ~ chi_r, k = 0..=6: E[rho^k] = (k + r - 2) E[rho^(k-2)], E[rho] =
/// sqrt 2 Gamma((r + 1) / 2) / Gamma(r / 2) (r = 3: 2 sqrt(2 / pi); r = 4: 3 sqrt(2 pi) / 4).
fn chi_moments(r: usize) -> [f64; MAX_ORDER + 1] {
    let mut m = [0.0; MAX_ORDER + 1];
    m[0] = 1.0;
    m[1] = if r == 3 {
        2.0 * (2.0 / PI).sqrt()
    } else {
        0.75 * (2.0 * PI).sqrt()
    };
    for k in 2..=MAX_ORDER {
        m[k] = (k + r - 2) as f64 * m[k - 2];
    }
    m
}

/// Near-uniform directions on S^(r-1), r = 3 or 4: a Fibonacci lattice of 64 points on S^2;
/// on S^3, 256 points of a golden-ratio (Kronecker) sequence mapped through Hopf-like
/// coordinates.
fn candidates(r: usize) -> Vec<Vec<f64>> {
    if r == 3 {
        let golden = PI * (3.0 - 5f64.sqrt());
        let count = 64;
        return (0..count)
            .map(|i| {
                let z = 1.0 - (2 * i + 1) as f64 / count as f64;
                let s = (1.0 - z * z).sqrt();
                let t = golden * i as f64;
                vec![s * t.cos(), s * t.sin(), z]
            })
            .collect();
    }
    // Uniform on S^3: w = (sqrt(1-a) cos t1, sqrt(1-a) sin t1, sqrt(a) cos t2, sqrt(a) sin t2)
    // with a, t1 / 2 pi, t2 / 2 pi uniform; their values from the additive recurrence of
    // the plastic-number generalization of the golden ratio.
    let g: f64 = 1.220_744_084_605_759_5;
    let alpha = [1.0 / g, 1.0 / (g * g), 1.0 / (g * g * g)];
    (1..=256)
        .map(|i| {
            let x: Vec<f64> = alpha.iter().map(|a| (0.5 + a * i as f64).fract()).collect();
            let (s, c) = ((1.0 - x[0]).sqrt(), x[0].sqrt());
            let (t1, t2) = (2.0 * PI * x[1], 2.0 * PI * x[2]);
            vec![s * t1.cos(), s * t1.sin(), c * t2.cos(), c * t2.sin()]
        })
        .collect()
}

/// An orthonormal frame of R^r (r = the candidates' length) whose last vector (the pole) is
/// the candidate farthest from every great sphere n . w = 0 (n in `normals`; zero ones are
/// skipped); the others are the coordinate axes made orthogonal to it and to each other.
fn frame(normals: &[Vec<f64>], candidates: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let unit: Vec<Vec<f64>> = normals
        .iter()
        .filter_map(|n| {
            let len = dot(n, n).sqrt();
            (len > 0.0).then(|| n.iter().map(|x| x / len).collect())
        })
        .collect();
    let score = |e: &Vec<f64>| {
        unit.iter()
            .map(|n| dot(n, e).abs())
            .fold(f64::INFINITY, f64::min)
    };
    let pole = candidates
        .iter()
        .max_by(|a, b| score(a).total_cmp(&score(b)))
        .cloned()
        .unwrap_or_default();
    let r = pole.len();
    let mut basis: Vec<Vec<f64>> = vec![pole.clone()];
    // The coordinate axes, least aligned with the pole first.
    let mut axes: Vec<usize> = (0..r).collect();
    axes.sort_by(|&i, &j| pole[i].abs().total_cmp(&pole[j].abs()));
    for &k in &axes {
        if basis.len() == r {
            break;
        }
        let mut v = vec![0.0; r];
        v[k] = 1.0;
        for _ in 0..2 {
            for b in &basis {
                let d = dot(&v, b);
                v.iter_mut().zip(b).for_each(|(x, y)| *x -= d * y);
            }
        }
        let len = dot(&v, &v).sqrt();
        if len > 1e-8 {
            basis.push(v.iter().map(|x| x / len).collect());
        }
    }
    basis.rotate_left(1);
    basis
}

/// int_{-pi/2}^{pi/2} F(cos psi u, sin psi) cos^jac psi dpsi for every component, exactly:
/// on each piece between the kinks a factor is slope (p cos psi + q sin psi) with p = P_a . u,
/// a k-fold product is sum_i c_i cos^(k-i) psi sin^i psi, and with the Jacobian the
/// integrals are I(k - i + jac, i).
fn meridian(
    local: &[(Vec<f64>, f64)],
    tree: &[Node],
    u: &[f64],
    below: f64,
    above: f64,
    jac: usize,
    v: &mut [f64],
) {
    let pq: Vec<(f64, f64)> = local.iter().map(|(p, q)| (dot(p, u), *q)).collect();
    let half = 0.5 * PI;
    let mut edges = vec![-half];
    edges.extend(
        pq.iter()
            .filter(|(_, q)| *q != 0.0)
            .map(|(p, q)| (-p / q).atan())
            .filter(|x| x.abs() < half),
    );
    edges.push(half);
    edges.sort_by(f64::total_cmp);
    edges.dedup();
    v.iter_mut().for_each(|x| *x = 0.0);
    let mut lin = vec![(0.0, 0.0); local.len()];
    // The product polynomial at each depth of the current branch (depth 0: the constant 1).
    let mut stack = [[0.0f64; MAX_ORDER + 1]; MAX_ORDER + 1];
    stack[0][0] = 1.0;
    for piece in edges.windows(2) {
        let (lo, hi) = (piece[0], piece[1]);
        let mid = 0.5 * (lo + hi);
        let (cm, sm) = (mid.cos(), mid.sin());
        for (l, &(p, q)) in lin.iter_mut().zip(&pq) {
            let slope = if p * cm + q * sm > 0.0 { above } else { below };
            *l = (slope * p, slope * q);
        }
        let table = trig_integrals(lo, hi);
        // by_order[k][i] = I(k - i + jac, i): the weights of a k-fold product's coefficients.
        let mut by_order = [[0.0f64; MAX_ORDER + 1]; MAX_ORDER + 1];
        for (k, w) in by_order.iter_mut().enumerate().skip(1) {
            for (i, x) in w.iter_mut().enumerate().take(k + 1) {
                *x = table[k - i + jac][i];
            }
        }
        let mut n = 0;
        while n < tree.len() {
            let node = &tree[n];
            let (a, b) = lin[node.last];
            if a == 0.0 && b == 0.0 {
                // A vanishing factor (ReLU below its kink): the whole subtree adds 0.
                n = node.end;
                continue;
            }
            let k = node.depth;
            // Fixed-length loops over all seven coefficients (those above degree k are 0):
            // the compiler keeps them in vector registers.
            let prev = stack[k - 1];
            let mut next = [0.0f64; MAX_ORDER + 1];
            next[0] = a * prev[0];
            for i in 1..=MAX_ORDER {
                next[i] = a * prev[i] + b * prev[i - 1];
            }
            stack[k] = next;
            let w = &by_order[k];
            let mut sum = 0.0;
            for i in 0..=MAX_ORDER {
                sum += next[i] * w[i];
            }
            v[node.component] += sum;
            n += 1;
        }
    }
}

/// I(m, j) = int_lo^hi cos^m psi sin^j psi dpsi for m + j <= 8, by the reduction formulas
/// (m + j) I(m, j) = [cos^(m-1) sin^(j+1)] + (m - 1) I(m - 2, j)   (m >= 2),
/// (m + j) I(m, j) = -[cos^(m+1) sin^(j-1)] + (j - 1) I(m, j - 2)  (j >= 2).
fn trig_integrals(lo: f64, hi: f64) -> [[f64; MAX_ORDER + 3]; MAX_ORDER + 3] {
    let (c0, s0, c1, s1) = (lo.cos(), lo.sin(), hi.cos(), hi.sin());
    let powers = |x: f64| {
        let mut p = [1.0; MAX_ORDER + 4];
        for i in 1..p.len() {
            p[i] = p[i - 1] * x;
        }
        p
    };
    let (pc0, ps0, pc1, ps1) = (powers(c0), powers(s0), powers(c1), powers(s1));
    let bracket = |m: usize, j: usize| pc1[m] * ps1[j] - pc0[m] * ps0[j];
    let mut t = [[0.0; MAX_ORDER + 3]; MAX_ORDER + 3];
    t[0][0] = hi - lo;
    t[1][0] = s1 - s0;
    t[0][1] = -(c1 - c0);
    for n in 2..=MAX_ORDER + 2 {
        for m in 0..=n {
            let j = n - m;
            t[m][j] = if m >= 2 {
                (bracket(m - 1, j + 1) + (m - 1) as f64 * t[m - 2][j]) / n as f64
            } else if j >= 2 {
                (-bracket(m + 1, j - 1) + (j - 1) as f64 * t[m][j - 2]) / n as f64
            } else {
                // m = j = 1: int cos sin = [sin^2 / 2].
                bracket(0, 2) / 2.0
            };
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trig_integrals_match_a_fine_midpoint_sum() {
        let (lo, hi) = (-0.7, 1.2);
        let t = trig_integrals(lo, hi);
        let n = 200_000;
        let h = (hi - lo) / n as f64;
        for (m, row) in t.iter().enumerate() {
            for (j, &got) in row.iter().enumerate().take(9 - m) {
                let s: f64 = (0..n)
                    .map(|i| {
                        let x = lo + (i as f64 + 0.5) * h;
                        x.cos().powi(m as i32) * x.sin().powi(j as i32)
                    })
                    .sum::<f64>()
                    * h;
                assert!((got - s).abs() < 1e-10, "I({m},{j}) = {got} vs {s}");
            }
        }
    }

    #[test]
    fn chi_moments_are_those_of_a_normal_vector_norm() {
        // E[rho^2] = 3 (three unit variances), E[rho^4] = 3 * 5.
        let m = chi_moments(3);
        assert_eq!((m[0], m[2], m[4], m[6]), (1.0, 3.0, 15.0, 105.0));
        assert!((m[1] - 1.595_769_121_605_730_7).abs() < 1e-15);
        // Four: E[rho^2] = 4, E[rho^4] = 4 * 6; E[rho] = sqrt 2 Gamma(5/2).
        let m = chi_moments(4);
        assert_eq!((m[2], m[4], m[6]), (4.0, 24.0, 192.0));
        assert!((m[1] - 1.879_971_205_973_250_7).abs() < 1e-14);
    }
}
