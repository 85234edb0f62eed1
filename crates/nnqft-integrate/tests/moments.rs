//! One-neuron moments and exact cumulants against closed forms and independent rules.

use nnqft_core::{Arch, InputSet, Network, multisets};
use nnqft_integrate::gauss_legendre;
use nnqft_integrate::{OneNeuronMoments, exact_tables};
use std::f64::consts::PI;

mod common;
use common::spread_d3;

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
        // Linear: Isserlis' theorem, with a uniform bias its sum over the factors that take t.
        (
            Network::new(Arch::Linear, 1.2, 0.0, 1)
                .unwrap()
                .with_bias(nnqft_core::BiasDist::Uniform),
            InputSet::new(vec![vec![0.5], vec![-0.3], vec![0.9], vec![-1.1]]).unwrap(),
        ),
        (
            Network::new(Arch::Linear, 0.9, 0.6, 2).unwrap(),
            InputSet::new(vec![vec![0.5, 0.1], vec![-0.3, 1.0], vec![0.9, -0.7]]).unwrap(),
        ),
    ];
    for (net, xs) in cases {
        let closed = OneNeuronMoments::new(&net, &xs, 6).unwrap();
        let quad = OneNeuronMoments::numeric(&net, &xs, 6).unwrap();
        for k in 1..=6 {
            for t in multisets(xs.len(), k) {
                let (c, q) = (closed.get(&t), quad.estimate(&t));
                // Moments that vanish (odd orders of a symmetric law) come out of the
                // quadrature as roundoff: 1e-14 absolute (every moment here is O(1)).
                let tol = 1e-12 * c.abs().max(1e-300);
                assert!(
                    (c - q.value).abs() < tol.max(1e-14),
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

/// Six inputs in general position in d = 3 with a bias: the latent quadrature runs over four
/// directions (the tensor rule cut to the Gaussian ball). Against the closed forms of the
/// cos- and sin-nets (sums over signs of characteristic functions) and of the Gauss-net
/// (log-normal): every moment up to k = 6 within its reported error.
#[test]
fn four_direction_latent_quadrature_matches_closed_forms() {
    let xs = InputSet::new(spread_d3()).unwrap();
    for net in [
        Network::new(Arch::Cos, 1.0, 0.8, 3).unwrap(),
        Network::new(Arch::Sin, 1.2, 0.5, 3).unwrap(),
        Network::new(Arch::Gauss, 0.4, 0.3, 3).unwrap(),
    ] {
        let closed = OneNeuronMoments::new(&net, &xs, 6).unwrap();
        let quad = OneNeuronMoments::numeric(&net, &xs, 6).unwrap();
        let mut worst: f64 = 0.0;
        // The largest moment of any order (odd moments of the sin-net vanish).
        let scale = (1..=6)
            .flat_map(|k| multisets(6, k))
            .map(|t| closed.get(&t).abs())
            .fold(0.0, f64::max);
        for k in 1..=6 {
            for t in multisets(6, k) {
                let (c, q) = (closed.get(&t), quad.estimate(&t));
                let diff = (c - q.value).abs();
                worst = worst.max(diff / scale);
                assert!(
                    diff <= q.error + 1e-14 * scale,
                    "{net:?} {t:?}: {c} vs {} (error {:.1e})",
                    q.value,
                    q.error
                );
                assert!(q.error <= 1e-11 * scale, "{net:?} {t:?}: error {}", q.error);
            }
        }
        eprintln!(
            "{}: worst |quad - closed| / max |M| = {worst:.1e}",
            net.arch()
        );
        assert!(worst > 0.0, "the quadrature path was not taken");
    }
}

/// E[prod_{a in t} z_a] for a centred Gaussian with covariance s: Isserlis' theorem, the sum
/// over perfect matchings of the factors (0 for an odd count).
fn isserlis(s: &dyn Fn(usize, usize) -> f64, t: &[usize]) -> f64 {
    if t.is_empty() {
        return 1.0;
    }
    if t.len() % 2 == 1 {
        return 0.0;
    }
    (1..t.len())
        .map(|j| {
            let rest: Vec<usize> = t[1..]
                .iter()
                .enumerate()
                .filter(|&(i, _)| i + 1 != j)
                .map(|(_, &a)| a)
                .collect();
            s(t[0], t[j]) * isserlis(s, &rest)
        })
        .sum()
}

/// E[relu(z_a)^p relu(z_b)^q]-type moments of two inputs for a piecewise-linear phi, in polar
/// coordinates of the two-dimensional Gaussian (z_a, z_b) = L g, g = R (cos u, sin u):
/// E[R^(p+q)] / (2 pi) int_0^{2 pi} phi(l_a . e(u))^p phi(l_b . e(u))^q du, the angle
/// integral by the `quadrature` crate's Clenshaw-Curtis rule on eight pieces of every arc
/// between the four kinks (its double-exponential rule stopped 1e-12 off E[z^4] = 3 S^2).
fn two_input_reference(
    phi: &dyn Fn(f64) -> f64,
    saa: f64,
    sbb: f64,
    sab: f64,
    p: i32,
    q: i32,
) -> f64 {
    let la = [saa.sqrt(), 0.0];
    let lb = [sab / saa.sqrt(), (sbb - sab * sab / saa).max(0.0).sqrt()];
    let mut cuts = vec![0.0, 2.0 * PI];
    for l in [la, lb] {
        // l . e(u) = 0 at u = atan2(-l0, l1) and that + pi.
        let u = (-l[0]).atan2(l[1]).rem_euclid(2.0 * PI);
        cuts.push(u);
        cuts.push((u + PI).rem_euclid(2.0 * PI));
    }
    cuts.sort_by(f64::total_cmp);
    let f = |u: f64| {
        let (c, s) = (u.cos(), u.sin());
        phi(la[0] * c + la[1] * s).powi(p) * phi(lb[0] * c + lb[1] * s).powi(q)
    };
    let angle: f64 = cuts
        .windows(2)
        .filter(|w| w[1] > w[0])
        .flat_map(|w| {
            let h = (w[1] - w[0]) / 8.0;
            (0..8).map(move |i| (w[0] + i as f64 * h, w[0] + (i + 1) as f64 * h))
        })
        .map(|(a, b)| quadrature::clenshaw_curtis::integrate(f, a, b, 1e-16).integral)
        .sum();
    // E[R^n] for R ~ chi_2: 2^(n/2) Gamma(1 + n/2).
    let n = f64::from(p + q);
    let radial = 2f64.powf(n / 2.0) * libm::tgamma(1.0 + n / 2.0);
    radial * angle / (2.0 * PI)
}

/// Six inputs in general position with three Gaussian latent directions (d = 3 without a
/// bias, d = 2 with one) or four (d = 3 with a bias): piecewise-linear activations go
/// through the sphere (homogeneity: chi radius times exact meridian integrals). Linear: every
/// moment against Isserlis.
/// ReLU, abs, leaky ReLU: every moment of one or two inputs against an independent polar
/// rule.
#[test]
fn piecewise_linear_moments_over_three_directions_match_independent_forms() {
    let d3 = spread_d3();
    let d2 = vec![
        vec![0.3, -0.8],
        vec![1.0, 0.2],
        vec![-0.6, 0.7],
        vec![0.1, -1.0],
        vec![-0.9, -0.3],
        vec![0.5, 0.9],
    ];
    let d3_four = d3[..4].to_vec();
    let cases = [
        (Arch::Linear, 1.0, 0.0, &d3),
        (Arch::Relu, 1.3, 0.0, &d3),
        (Arch::Relu, 1.0, 0.7, &d2),
        (Arch::Abs, 0.9, 0.0, &d3),
        ("leaky-relu:0.2".parse().unwrap(), 1.1, 0.4, &d2),
        // Four directions: a bias on inputs spanning three (four inputs: six take 10 s).
        (Arch::Linear, 1.0, 0.5, &d3_four),
        (Arch::Relu, 1.2, 0.6, &d3_four),
        ("leaky-relu:-0.5".parse().unwrap(), 0.8, 1.0, &d3_four),
    ];
    for (arch, sw, sb, pts) in cases {
        let d = pts[0].len();
        let net = Network::new(arch, sw, sb, d).unwrap();
        let xs = InputSet::new(pts.clone()).unwrap();
        let t0 = std::time::Instant::now();
        // `numeric`: the quadrature even where a closed form exists (linear: Isserlis).
        let mm = OneNeuronMoments::numeric(&net, &xs, 6).unwrap();
        if arch == Arch::Linear {
            let closed = OneNeuronMoments::new(&net, &xs, 6).unwrap();
            for k in 1..=6 {
                for t in multisets(pts.len(), k) {
                    let want = isserlis(&|a, b| net.preactivation_cov(&pts[a], &pts[b]), &t);
                    assert!((closed.get(&t) - want).abs() <= 1e-14 * want.abs().max(1.0));
                }
            }
        }
        eprintln!("{arch} d = {d}: {:.3} s", t0.elapsed().as_secs_f64());
        let s = |a: usize, b: usize| net.preactivation_cov(&pts[a], &pts[b]);
        let (mut worst, mut worst_err) = (0.0f64, 0.0f64);
        for k in 1..=6 {
            for t in multisets(pts.len(), k) {
                let mut distinct = t.clone();
                distinct.dedup();
                let want = if arch == Arch::Linear {
                    isserlis(&s, &t)
                } else if distinct.len() <= 2 {
                    let (a, b) = (distinct[0], *distinct.last().unwrap());
                    let p = t.iter().filter(|&&i| i == a).count() as i32;
                    let q = k as i32 - p;
                    let phi = |z: f64| arch.activation(z);
                    if a == b {
                        two_input_reference(&phi, s(a, a), s(a, a), s(a, a), p, 0)
                    } else {
                        two_input_reference(&phi, s(a, a), s(b, b), s(a, b), p, q)
                    }
                } else {
                    continue;
                };
                let got = mm.estimate(&t);
                let scale = (0..k).map(|i| s(t[i], t[i]).sqrt()).product::<f64>();
                worst = worst.max((got.value - want).abs() / scale);
                worst_err = worst_err.max(got.error / scale);
                assert!(
                    (got.value - want).abs() <= 1e-12 * scale,
                    "{arch} {t:?}: {} vs {want} (error {:.1e})",
                    got.value,
                    got.error
                );
                assert!(got.error <= 1e-11 * scale, "{arch} {t:?}: {}", got.error);
            }
        }
        eprintln!(
            "{arch}: largest |diff| {worst:.1e}, largest error {worst_err:.1e} (of prod sqrt S_aa)"
        );
    }
}

/// Piecewise-linear moments with a uniform bias have no homogeneity: inputs in general
/// position in d = 3 would take the nested rule many minutes, and are refused at once with
/// the reason; two such inputs are computed.
#[test]
fn uniform_bias_relu_on_many_spread_inputs_is_refused_not_run_for_minutes() {
    let net = Network::new(Arch::Relu, 1.0, 1.0, 3)
        .unwrap()
        .with_bias(nnqft_core::BiasDist::Uniform);
    let xs = InputSet::new(spread_d3()[..3].to_vec()).unwrap();
    let t = std::time::Instant::now();
    let err = OneNeuronMoments::new(&net, &xs, 6).unwrap_err().to_string();
    assert!(t.elapsed().as_secs_f64() < 1.0);
    assert!(
        err.contains("uniform bias") && err.contains("at most 2 inputs"),
        "{err}"
    );
    let two = InputSet::new(spread_d3()[..2].to_vec()).unwrap();
    assert!(OneNeuronMoments::new(&net, &two, 6).is_ok());
}

/// The parallel rules (tensor rule slabs, sphere theta pieces) sum in a fixed order: one
/// thread and the default pool give the same bits.
#[test]
fn general_position_moments_do_not_depend_on_the_thread_count() {
    let xs = InputSet::new(spread_d3()[..4].to_vec()).unwrap();
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let three = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap();
    for net in [
        Network::new(Arch::Tanh, 1.0, 1.0, 3).unwrap(),
        Network::new(Arch::Gelu, 1.0, 1.0, 3)
            .unwrap()
            .with_bias(nnqft_core::BiasDist::Uniform),
        Network::new(Arch::Relu, 1.0, 1.0, 3).unwrap(),
    ] {
        let a = one.install(|| OneNeuronMoments::new(&net, &xs, 6).unwrap());
        let b = three.install(|| OneNeuronMoments::new(&net, &xs, 6).unwrap());
        for k in 1..=6 {
            for t in multisets(4, k) {
                let (x, y) = (a.estimate(&t), b.estimate(&t));
                assert_eq!(x.value.to_bits(), y.value.to_bits(), "{net:?} {t:?}");
                assert_eq!(x.error.to_bits(), y.error.to_bits(), "{net:?} {t:?}");
            }
        }
    }
}
