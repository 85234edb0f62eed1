//! One-neuron moments and exact cumulants against closed forms and independent rules.

use nnqft_core::{Arch, InputSet, Network, multisets};
use nnqft_integrate::gauss_legendre;
use nnqft_integrate::{OneNeuronMoments, exact_tables};
use std::f64::consts::PI;

fn rel(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        a.abs()
    } else {
        (a / b - 1.0).abs()
    }
}

#[test]
fn closed_forms_match_latent_quadrature() {
    let cases = [
        (
            Network::paper(Arch::Gauss),
            InputSet::paper(Arch::Gauss, 1).unwrap(),
        ),
        (
            Network::new(Arch::Gauss, 1.3, 0.7, 1).unwrap(),
            InputSet::new(vec![vec![0.5], vec![-0.3], vec![0.9]]).unwrap(),
        ),
        (
            Network::paper(Arch::Relu),
            InputSet::paper(Arch::Relu, 1).unwrap(),
        ),
        (
            Network::paper(Arch::Relu),
            InputSet::new(vec![vec![0.5], vec![-0.3], vec![0.9], vec![-1.1]]).unwrap(),
        ),
        (
            Network::paper_in(Arch::Relu, 3).unwrap(),
            InputSet::paper(Arch::Relu, 3).unwrap(),
        ),
    ];
    for (net, xs) in cases {
        let closed = OneNeuronMoments::new(&net, &xs, 6).unwrap();
        let quad = OneNeuronMoments::numeric(&net, &xs, 6).unwrap();
        for k in 1..=6 {
            for t in multisets(xs.len(), k) {
                let (c, q) = (closed.get(&t), quad.estimate(&t));
                let tol = 1e-12 * c.abs().max(1e-300);
                assert!(
                    (c - q.value).abs() < tol.max(1e-15),
                    "{net:?} {t:?}: {c} vs {}",
                    q.value
                );
            }
        }
    }
}

#[test]
fn second_moments_by_quadrature_equal_the_kernels() {
    let cases = [
        (
            Network::paper(Arch::Erf),
            InputSet::paper(Arch::Erf, 1).unwrap(),
        ),
        (
            Network::new(Arch::Relu, 1.2, 0.6, 1).unwrap(),
            InputSet::new(vec![vec![0.5], vec![-0.3], vec![0.9], vec![0.0]]).unwrap(),
        ),
        (
            Network::new(Arch::Erf, 0.8, 0.4, 2).unwrap(),
            InputSet::new(vec![vec![0.5, 0.1], vec![-0.3, 1.0], vec![0.9, -0.7]]).unwrap(),
        ),
        (
            Network::paper_in(Arch::Relu, 2).unwrap(),
            InputSet::new(vec![vec![0.5, 0.1], vec![-0.3, 1.0], vec![0.9, -0.7]]).unwrap(),
        ),
        (
            Network::new(Arch::Relu, 1.0, 0.5, 2).unwrap(),
            InputSet::new(vec![vec![0.5, 0.1], vec![-0.3, 1.0], vec![0.9, -0.7]]).unwrap(),
        ),
    ];
    for (net, xs) in cases {
        let mm = OneNeuronMoments::numeric(&net, &xs, 2).unwrap();
        for t in multisets(xs.len(), 2) {
            let want = net.m2(xs.point(t[0]), xs.point(t[1]));
            let got = mm.get(&t);
            assert!(rel(got, want) < 1e-12, "{net:?} {t:?}: {got} vs {want}");
        }
    }
}

/// E[prod_a phi(A_a . g)] over a standard normal g in R^2 by a fixed tensor Gauss-Legendre
/// rule on [-12, 12]^2 with 48 panels of 16 points per axis (independent of the adaptive rule).
fn tensor_gl_2d(phi: impl Fn(f64) -> f64, rows: &[[f64; 2]]) -> f64 {
    let (x, w) = gauss_legendre(16);
    let mut nodes = Vec::new();
    let panels = 48;
    let h = 24.0 / panels as f64;
    for p in 0..panels {
        let a = -12.0 + p as f64 * h;
        for (xi, wi) in x.iter().zip(&w) {
            let g = a + 0.5 * h * (1.0 + xi);
            nodes.push((g, 0.5 * h * wi * (-0.5 * g * g).exp() / (2.0 * PI).sqrt()));
        }
    }
    let mut s = 0.0;
    for &(g0, w0) in &nodes {
        for &(g1, w1) in &nodes {
            s += w0
                * w1
                * rows
                    .iter()
                    .map(|r| phi(r[0] * g0 + r[1] * g1))
                    .product::<f64>();
        }
    }
    s
}

#[test]
fn erf_moments_match_a_fixed_tensor_rule() {
    let net = Network::paper(Arch::Erf);
    let xs = InputSet::paper(Arch::Erf, 1).unwrap();
    let mm = OneNeuronMoments::new(&net, &xs, 6).unwrap();
    for t in [
        vec![0, 1, 2, 3],
        vec![0, 0, 5, 5],
        vec![0, 1, 2, 3, 4, 5],
        vec![2, 2, 2, 3, 3, 4],
    ] {
        // z_a = sW x_a g0 + sb g1.
        let rows: Vec<[f64; 2]> = t.iter().map(|&a| [xs.point(a)[0], 1.0]).collect();
        let want = tensor_gl_2d(libm::erf, &rows);
        let got = mm.estimate(&t);
        assert!(
            rel(got.value, want) < 1e-12,
            "{t:?}: {} vs {want}",
            got.value
        );
        // The estimate (from the gap to the trapezoid rule of twice the step) bounds the
        // actual error and stays below the 1e-10 goal. The reference itself carries roundoff
        // of a 590k-term sum (~1e-13 relative).
        let ok = (got.value - want).abs() <= got.error + 2e-13 * want.abs()
            && got.error < 1e-10 * want.abs();
        assert!(ok, "{t:?}: {} vs {want}, error {}", got.value, got.error);
    }
}

#[test]
fn relu_rank_two_moments_match_an_angular_rule() {
    // sb = 0, d = 2: M4 = sigma^4 E[rho^4] (1/2pi) int prod max(0, u(phi).x_a) dphi, with
    // E[rho^4] = 8 for a standard normal in R^2; the angular integral on sectors between kinks.
    let net = Network::paper_in(Arch::Relu, 2).unwrap();
    let p = vec![
        vec![0.5, 0.1],
        vec![-0.3, 1.0],
        vec![0.9, -0.7],
        vec![0.2, 0.2],
    ];
    let xs = InputSet::new(p.clone()).unwrap();
    let mm = OneNeuronMoments::new(&net, &xs, 4).unwrap();
    let (x, w) = gauss_legendre(30);
    for t in multisets(4, 4) {
        let mut kinks: Vec<f64> = vec![0.0, 2.0 * PI];
        for &a in &t {
            let th = p[a][1].atan2(p[a][0]);
            for s in [PI / 2.0, -PI / 2.0] {
                kinks.push((th + s).rem_euclid(2.0 * PI));
            }
        }
        kinks.sort_by(f64::total_cmp);
        let mut s = 0.0;
        for k in kinks.windows(2) {
            for (xi, wi) in x.iter().zip(&w) {
                let phi = 0.5 * (k[0] + k[1]) + 0.5 * (k[1] - k[0]) * xi;
                let v: f64 = t
                    .iter()
                    .map(|&a| (phi.cos() * p[a][0] + phi.sin() * p[a][1]).max(0.0))
                    .product();
                s += 0.5 * (k[1] - k[0]) * wi * v;
            }
        }
        let sigma2 = 0.5; // sW^2 / d
        let want = sigma2 * sigma2 * 8.0 * s / (2.0 * PI);
        let got = mm.get(&t);
        assert!(
            (got - want).abs() < 1e-12 * want.abs().max(1e-3),
            "{t:?}: {got} vs {want}"
        );
    }
}

#[test]
fn cumulants_scale_exactly_with_width() {
    for arch in nnqft_core::Arch::PAPER {
        let net = Network::paper(arch);
        let xs = InputSet::paper(arch, 1).unwrap();
        let a = exact_tables(&net, 3, &xs).unwrap();
        let b = exact_tables(&net, 1000, &xs).unwrap();
        for (ea, eb) in a.kappa4.entries().iter().zip(b.kappa4.entries()) {
            assert!(rel(ea.mean * 3.0, eb.mean * 1000.0) < 1e-14);
        }
        for (ea, eb) in a.kappa6.entries().iter().zip(b.kappa6.entries()) {
            assert!(
                rel(ea.mean * 9.0, eb.mean * 1e6) < 1e-13,
                "{arch} {:?}: {} vs {}",
                ea.index,
                ea.mean * 9.0,
                eb.mean * 1e6
            );
        }
        // G2 = K, and G4 - GP4 = kappa4.
        for e in a.g2.entries() {
            assert_eq!(e.mean, a.kernel[(e.index[0], e.index[1])]);
        }
    }
}

#[test]
fn one_input_cumulants_are_those_of_a_neuron_sum() {
    // One input x, ReLU sb = 0, d = 1: phi = max(0, w x), w ~ N(0, 1); M_k = x^k E|g|^k / 2.
    // f = sum_j W1_j phi_j: kappa4 = N (E W^4 E phi^4 - 3 (E W^2 E phi^2)^2) with
    // E W^2 = 1/N, E W^4 = 3/N^2: kappa4 = (3/N) (M4 - M2^2).
    let net = Network::paper(Arch::Relu);
    let x = 0.7f64;
    let xs = InputSet::new(vec![vec![x]]).unwrap();
    let n = 7.0;
    let t = exact_tables(&net, 7, &xs).unwrap();
    let (m2, m4, m6) = (
        x.powi(2) / 2.0,
        3.0 * x.powi(4) / 2.0,
        15.0 * x.powi(6) / 2.0,
    );
    let k4 = 3.0 / n * (m4 - m2 * m2);
    assert!(rel(t.kappa4.mean(&[0; 4]), k4) < 1e-14);
    // kappa6 of one variable: sum over neurons of (m6 - 15 m4 m2 + 30 m2^3) of X = W phi.
    let (mx2, mx4, mx6) = (m2 / n, 3.0 * m4 / (n * n), 15.0 * m6 / (n * n * n));
    let k6 = n * (mx6 - 15.0 * mx4 * mx2 + 30.0 * mx2.powi(3));
    assert!(rel(t.kappa6.mean(&[0; 6]), k6) < 1e-13);
}
