//! Diagrams of a positively homogeneous activation (ReLU, leaky ReLU, abs, linear) with
//! sb = 0 in d = 1 over the box [-L, L], exactly (docs/conventions.md sections 2 and 5).
//!
//! With sb = 0 and d = 1 the pre-activation is w x with w ~ N(0, sW^2), and
//! phi(w x) = |x| phi(sign(x) w) for phi(c z) = c phi(z), c > 0. So
//!
//!   K_int(x, y) = sW^2 E[phi(w x) phi(w y)] = |x| |y| C(sign x, sign y),
//!   C(s, s) = c_same = K_int(1, 1),   C(s, -s) = c_opp = K_int(1, -1)
//!
//! (C(-1, -1) = C(1, 1) because w and -w have the same law). For phi(z) = a z (z > 0),
//! b z (z < 0): c_same = sW^4 (a^2 + b^2) / 2, c_opp = -sW^4 a b. ReLU: c_same = sW^4 / 2 and
//! c_opp = 0 (relu(w) relu(-w) = 0): K = sW^4 x y / 2 for inputs of one sign, 0 across the
//! origin. The propagator product of a diagram is therefore, on each of the 2^k sign
//! patterns s of its k vertices (y_v = s_v t_v, t_v in [0, L]), a constant times the monomial
//! prod_v t_v^deg_v (deg_v = line ends at v, a self-loop counting twice), and
//!
//!   I = prod_(ext lines (p, v)) |x_p| * prod_v L^(deg_v + 1) / (deg_v + 1)
//!       * sum_s prod_(ext lines) C(sign x_p, s_v) prod_(int lines (u, v)) C(s_u, s_v),
//!
//! exact up to rounding, for any number of vertices. In d >= 2 the kernel depends on the
//! angle between x and y (the arc-cosine form) and is not piecewise polynomial: those
//! integrals stay with quadrature (the cone over the faces of the box, `graph.rs`).

use crate::graph::Lines;
use nnqft_core::{Estimate, MomentRule, Network};

/// The most vertices summed over sign patterns (2^k terms); more falls back to quadrature.
const MAX_VERTICES: usize = 20;

/// The box integral over the k internal vertices of the product of K_int over `lines`, in
/// closed form, for a homogeneous kernel (sb = 0, positively homogeneous activation, normal
/// bias) in d = 1 under the finite cutoff `l`. None for any other network, for k = 0 or
/// k > 20, and when the kernel does not have the form above (a guard).
pub(crate) fn homogeneous_closed_form(
    net: &Network,
    lines: &Lines,
    points: &[&[f64]],
    k: usize,
    l: f64,
) -> Option<Estimate> {
    if !net.homogeneous_kernel() || net.d_in() != 1 || k == 0 || k > MAX_VERTICES {
        return None;
    }
    let (c_same, c_opp) = sign_constants(net)?;
    let mut deg = vec![0i32; k];
    let mut prefactor = 1.0f64;
    for &(p, v) in &lines.ext {
        deg[v] += 1;
        prefactor *= points[p][0].abs();
    }
    for &(u, v) in &lines.int {
        deg[u] += 1;
        deg[v] += 1;
    }
    for &d in &deg {
        prefactor *= l.powi(d + 1) / f64::from(d + 1);
    }
    let c = |same: bool| if same { c_same } else { c_opp };
    let (mut sum, mut abs_sum) = (0.0f64, 0.0f64);
    for pattern in 0u32..(1 << k) {
        // Bit v set: vertex v on the negative half-line.
        let neg = |v: usize| pattern >> v & 1 == 1;
        let mut term = 1.0;
        for &(p, v) in &lines.ext {
            term *= c((points[p][0] < 0.0) == neg(v));
        }
        for &(u, v) in &lines.int {
            term *= c(neg(u) == neg(v));
        }
        sum += term;
        abs_sum += term.abs();
    }
    if sum == 0.0 || prefactor == 0.0 {
        return Some(Estimate::exact(0.0));
    }
    let value = prefactor * sum;
    // Rounding: an ulp per factor and per term of the sum, on the sum of |terms|.
    let ops = (lines.ext.len() + lines.int.len() + 2 * k) as f64 + f64::from(1u32 << k);
    let error = 2.0 * ops * f64::EPSILON * (prefactor * abs_sum).abs();
    Some(Estimate::new(value, error))
}

/// (c_same, c_opp) from the activation's two slopes: with phi(z) = a z for z > 0 and b z for
/// z < 0 and w ~ N(0, sW^2), E[phi(w)^2] = sW^2 (a^2 + b^2) / 2 and E[phi(w) phi(-w)] =
/// -sW^2 a b, so c_same = sW^4 (a^2 + b^2) / 2 and c_opp = -sW^4 a b (ReLU: sW^4 / 2 and
/// exactly 0, where the arc-cosine formula leaves a rounding residue of sin(pi)). Checked
/// against K_int at a few points to 1e-12 (the kernel's definition could change).
fn sign_constants(net: &Network) -> Option<(f64, f64)> {
    let MomentRule::PiecewiseLinear { below, above } = net.arch().moment_rule() else {
        return None;
    };
    let s4 = net.sigma_w().powi(4);
    let c_same = s4 * (above * above + below * below) / 2.0;
    let c_opp = -s4 * above * below;
    let scale = c_same.abs().max(c_opp.abs());
    if !(scale.is_finite() && scale > 0.0) {
        return None;
    }
    let k = |x: f64, y: f64| net.kernel_int(&[x], &[y]);
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * scale * b.abs().max(1.0);
    let ok = [(1.0, 1.0), (-1.0, -1.0), (0.5, 3.0), (-0.5, -3.0)]
        .iter()
        .all(|&(x, y)| close(k(x, y), x * y * c_same))
        && [(1.0, -1.0), (-1.0, 1.0), (0.5, -3.0), (-2.0, 0.25)]
            .iter()
            .all(|&(x, y)| close(k(x, y), -x * y * c_opp))
        && k(0.0, 1.0) == 0.0;
    ok.then_some((c_same, c_opp))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cutoff::{Cutoff, Weight};
    use crate::graph::Problem;
    use nnqft_core::Arch;
    use nnqft_diagrams::{Diagram, ExpansionSpec, expand};

    fn lines_of(d: &Diagram) -> Lines {
        let n = d.n_external;
        let mut lines = Lines::default();
        for &(a, b) in &d.edges {
            let (a, b) = (a.min(b), a.max(b));
            match (a < n, b < n) {
                (true, true) => {}
                (true, false) => lines.ext.push((a, b - n)),
                _ => lines.int.push((a - n, b - n)),
            }
        }
        lines
    }

    /// Every diagram with vertices of the G4 expansion to order 2 (self-energies kept, so
    /// self-loops and chains appear), with inputs of both signs and zero, for ReLU
    /// (c_opp = 0) and leaky ReLU (c_opp < 0).
    fn cases() -> (Vec<Diagram>, Vec<(Network, [f64; 4])>) {
        let mut spec = ExpansionSpec::new(4, 2);
        spec.keep_self_energy = true;
        let e = expand(&spec).unwrap();
        let diagrams = e.diagrams.into_iter().filter(|d| !d.internal.is_empty());
        let leaky = "leaky-relu:0.2".parse().unwrap();
        let nets = vec![
            (
                Network::new(Arch::Relu, 1.3, 0.0, 1).unwrap(),
                [-0.7, 0.2, 0.5, 1.1],
            ),
            (
                Network::new(Arch::Relu, 1.3, 0.0, 1).unwrap(),
                [-0.7, -0.3, 0.0, 0.9],
            ),
            (
                Network::new(leaky, 0.8, 0.0, 1).unwrap(),
                [-0.7, 0.2, -0.5, 1.1],
            ),
        ];
        (diagrams.collect(), nets)
    }

    /// `closed` against `other` to 1e-10 of the scale: the same diagram at |x| (ReLU's exact
    /// zeros come out of a quadrature of the arc-cosine kernel as rounding residues).
    fn assert_close(net: &Network, d: &Diagram, xs: &[f64; 4], l: f64, closed: f64, other: f64) {
        let abs_p: Vec<[f64; 1]> = xs.iter().map(|&x| [x.abs()]).collect();
        let abs_pts: Vec<&[f64]> = abs_p.iter().map(|v| v.as_slice()).collect();
        let k = d.internal.len();
        let scale = homogeneous_closed_form(net, &lines_of(d), &abs_pts, k, l)
            .unwrap()
            .value
            .abs()
            .max(closed.abs());
        assert!(
            (closed - other).abs() <= 1e-10 * scale,
            "{:?} {xs:?} {:?}: closed {closed}, quadrature {other}",
            net.arch(),
            d.edges
        );
    }

    /// The closed form against an independent quadrature of the same integrand (K_int from
    /// nnqft-core): per vertex Gauss-Legendre with 8 nodes on [-L, 0] and on [0, L] (exact for
    /// the polynomial of degree <= 15 on each piece), for every diagram of [`cases`], to 1e-10.
    #[test]
    fn closed_form_matches_piecewise_gauss_legendre() {
        let (diagrams, nets) = cases();
        let l = 3.0;
        let (x, w) = nnqft_core::rules::gauss_legendre(8);
        // Nodes and weights on [-L, 0] then on [0, L].
        let nodes: Vec<(f64, f64)> = [-1.0, 1.0]
            .iter()
            .flat_map(|&s| {
                x.iter()
                    .zip(&w)
                    .map(move |(&t, &wt)| (s * l * (t + 1.0) / 2.0, wt * l / 2.0))
            })
            .collect();
        let mut checked = 0;
        for (net, xs) in &nets {
            let p: Vec<[f64; 1]> = xs.iter().map(|&x| [x]).collect();
            let points: Vec<&[f64]> = p.iter().map(|v| v.as_slice()).collect();
            for d in &diagrams {
                let lines = lines_of(d);
                let k = d.internal.len();
                let closed = homogeneous_closed_form(net, &lines, &points, k, l).unwrap();
                let mut sum = 0.0;
                for idx in 0..nodes.len().pow(k as u32) {
                    let at: Vec<(f64, f64)> = (0..k)
                        .map(|v| nodes[idx / nodes.len().pow(v as u32) % nodes.len()])
                        .collect();
                    let mut f: f64 = at.iter().map(|n| n.1).product();
                    for &(p, v) in &lines.ext {
                        f *= net.kernel_int(points[p], &[at[v].0]);
                    }
                    for &(u, v) in &lines.int {
                        f *= net.kernel_int(&[at[u].0], &[at[v].0]);
                    }
                    sum += f;
                }
                assert_close(net, d, xs, l, closed.value, sum);
                assert!(
                    closed.error <= 1e-12 * closed.value.abs().max(1e-300) || closed.value == 0.0
                );
                checked += 1;
            }
        }
        assert!(checked >= 30, "{checked}");
    }

    /// The closed form against the adaptive quadrature of `graph.rs` (the path it replaces):
    /// the one-vertex diagrams by default (fast); all of them with `--ignored` (minutes: the
    /// two-vertex integrals of ReLU across the origin vanish, and adaptive quadrature spends
    /// its whole budget on their rounding residues).
    fn against_adaptive(max_vertices: usize) {
        let (diagrams, nets) = cases();
        let l = 3.0;
        for (net, xs) in &nets {
            let p: Vec<[f64; 1]> = xs.iter().map(|&x| [x]).collect();
            let points: Vec<&[f64]> = p.iter().map(|v| v.as_slice()).collect();
            for d in diagrams.iter().filter(|d| d.internal.len() <= max_vertices) {
                let lines = lines_of(d);
                let k = d.internal.len();
                let closed = homogeneous_closed_form(net, &lines, &points, k, l).unwrap();
                let q = Problem {
                    net,
                    points: points.clone(),
                    n_int: k,
                    products: vec![lines],
                    weight: Weight::One,
                }
                .integrate(Cutoff::finite(l).unwrap())
                .unwrap()[0];
                assert_close(net, d, xs, l, closed.value, q.value);
            }
        }
    }

    #[test]
    fn closed_form_matches_adaptive_quadrature_one_vertex() {
        against_adaptive(1);
    }

    #[test]
    #[ignore = "minutes: run with --ignored"]
    fn closed_form_matches_adaptive_quadrature_two_vertices() {
        against_adaptive(2);
    }

    /// ReLU in d = 1 by hand: K_int(x, y) = sW^4 x y / 2 on one side of the origin, 0
    /// across it. The X diagram at inputs (-1, 1, 1, 1) vanishes; at (-1, -2, -1, -1) it is
    /// (sW^4/2)^4 * 2 * L^5 / 5 (the negative half-line only); the chain x1 - y1 - y2 - x2
    /// with x1 = 1, x2 = -1 vanishes (y1 > 0 and y2 < 0 are needed, then K(y1, y2) = 0).
    #[test]
    fn relu_by_hand() {
        let sw: f64 = 1.3;
        let net = Network::new(Arch::Relu, sw, 0.0, 1).unwrap();
        let c = sw.powi(4) / 2.0;
        let l: f64 = 2.5;
        let x = Lines {
            ext: vec![(0, 0), (1, 0), (2, 0), (3, 0)],
            int: vec![],
        };
        let at = |xs: &[f64]| -> Vec<[f64; 1]> { xs.iter().map(|&x| [x]).collect() };
        let mixed = at(&[-1.0, 1.0, 1.0, 1.0]);
        let pts: Vec<&[f64]> = mixed.iter().map(|v| v.as_slice()).collect();
        let v = homogeneous_closed_form(&net, &x, &pts, 1, l).unwrap();
        assert_eq!(v.value, 0.0);
        let neg = at(&[-1.0, -2.0, -1.0, -1.0]);
        let pts: Vec<&[f64]> = neg.iter().map(|v| v.as_slice()).collect();
        let v = homogeneous_closed_form(&net, &x, &pts, 1, l).unwrap();
        let want = c.powi(4) * 2.0 * l.powi(5) / 5.0;
        assert!(
            (v.value / want - 1.0).abs() < 1e-14,
            "{} vs {want}",
            v.value
        );
        let chain = Lines {
            ext: vec![(0, 0), (1, 1)],
            int: vec![(0, 1)],
        };
        let two = at(&[1.0, -1.0]);
        let pts: Vec<&[f64]> = two.iter().map(|v| v.as_slice()).collect();
        assert_eq!(
            homogeneous_closed_form(&net, &chain, &pts, 2, l)
                .unwrap()
                .value,
            0.0
        );
        // Same signs: (c x1 t1)(c t1 t2)(c x2 t2) over [0, L]^2 twice (both half-lines).
        let same = at(&[0.5, 2.0]);
        let pts: Vec<&[f64]> = same.iter().map(|v| v.as_slice()).collect();
        let v = homogeneous_closed_form(&net, &chain, &pts, 2, l).unwrap();
        let want = c.powi(3) * 0.5 * 2.0 * (l.powi(3) / 3.0).powi(2);
        assert!(
            (v.value / want - 1.0).abs() < 1e-14,
            "{} vs {want}",
            v.value
        );
    }

    /// Only the networks it is exact for: not with sb > 0, not in d = 2, not for erf.
    #[test]
    fn only_homogeneous_kernels_in_one_dimension() {
        let x = Lines {
            ext: vec![(0, 0)],
            int: vec![],
        };
        let p: [&[f64]; 1] = [&[0.5]];
        for net in [
            Network::new(Arch::Relu, 1.0, 0.5, 1).unwrap(),
            Network::new(Arch::Erf, 1.0, 0.0, 1).unwrap(),
        ] {
            assert!(homogeneous_closed_form(&net, &x, &p, 1, 2.0).is_none());
        }
        let net = Network::new(Arch::Relu, 1.0, 0.0, 2).unwrap();
        let p2: [&[f64]; 1] = [&[0.5, 0.1]];
        assert!(homogeneous_closed_form(&net, &x, &p2, 1, 2.0).is_none());
    }
}
