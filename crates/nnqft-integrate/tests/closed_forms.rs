//! Quadrature against closed forms and against independent rules.

use nnqft_core::{Arch, InputSet, Network};
use nnqft_integrate::gauss_legendre;
use nnqft_integrate::{Cutoff, Weight, vertex_integral, vertex_integral_derivative, vertex_table};
use std::f64::consts::PI;

fn rel(a: f64, b: f64) -> f64 {
    (a / b - 1.0).abs()
}

#[test]
fn relu_d1_quartic_vertex_is_l5_over_80() {
    let net = Network::paper(Arch::Relu);
    let xs = [0.2, 0.4, 0.6, 0.8, 1.0, 1.2];
    for l in [0.5, 7.0, 100.0, 1e5] {
        for t in [[0, 1, 2, 3], [0, 0, 0, 0], [2, 3, 5, 5]] {
            let p: Vec<[f64; 1]> = t.iter().map(|&i| [xs[i]]).collect();
            let pts: Vec<&[f64]> = p.iter().map(|v| v.as_slice()).collect();
            let i = vertex_integral(&net, &pts, Cutoff::finite(l).unwrap(), Weight::One).unwrap();
            let prod: f64 = t.iter().map(|&i| xs[i]).product();
            let want = prod * l.powi(5) / 80.0;
            assert!(
                rel(i.value, want) < 1e-12,
                "L={l} {t:?}: {} vs {want}",
                i.value
            );
            assert!(i.error <= 1e-10 * want);
            // |y|^2 weight: x1x2x3x4 L^7 / 112.
            let i2 = vertex_integral(&net, &pts, Cutoff::finite(l).unwrap(), Weight::NormSquared)
                .unwrap();
            assert!(rel(i2.value, prod * l.powi(7) / 112.0) < 1e-12);
            // Negative inputs see the other half line; mixed signs give zero.
            let neg: Vec<[f64; 1]> = p.iter().map(|v| [-v[0]]).collect();
            let npts: Vec<&[f64]> = neg.iter().map(|v| v.as_slice()).collect();
            let i = vertex_integral(&net, &npts, Cutoff::finite(l).unwrap(), Weight::One).unwrap();
            assert!(rel(i.value, want) < 1e-12);
        }
    }
    let mixed: [&[f64]; 4] = [&[0.2], &[-0.4], &[0.6], &[0.8]];
    let i = vertex_integral(&net, &mixed, Cutoff::finite(10.0).unwrap(), Weight::One).unwrap();
    assert!(i.value.abs() < 1e-12);
}

/// C_d = int_{[-1,1]^d} |y|^4 J(theta)^4 d^d y for the diagonal direction u, with
/// J(t) = sin t + (pi - t) cos t, so that for x_a = c_a (1,..,1) and sb = 0, sW = 1:
/// I4 = prod c_a L^(4+d) C_d / (16 pi^4 d^2). (d = 1: C_1 = pi^4/5 gives L^5/80.)
/// d = 2 independently in polar coordinates: C_2 = int_0^{2 pi} J(theta(phi))^4 R(phi)^6 / 6,
/// R = 1/max(|cos|, |sin|), by Gauss-Legendre on the 8 smooth sectors.
fn c2_polar() -> f64 {
    let (x, w) = gauss_legendre(80);
    let j = |t: f64| t.sin() + (PI - t) * t.cos();
    let mut s = 0.0;
    for k in 0..8 {
        let (a, b) = (k as f64 * PI / 4.0, (k + 1) as f64 * PI / 4.0);
        for (xi, wi) in x.iter().zip(&w) {
            let phi = 0.5 * (a + b) + 0.5 * (b - a) * xi;
            // Angle to u = (1, 1)/sqrt 2.
            let c = ((phi.cos() + phi.sin()) / 2f64.sqrt()).clamp(-1.0, 1.0);
            let r = 1.0 / phi.cos().abs().max(phi.sin().abs());
            s += 0.5 * (b - a) * wi * j(c.acos()).powi(4) * r.powi(6) / 6.0;
        }
    }
    s
}

fn diagonal_points(cs: &[f64], d: usize) -> Vec<Vec<f64>> {
    cs.iter().map(|&c| vec![c; d]).collect()
}

#[test]
fn relu_d2_quartic_vertex_against_polar_rule() {
    let net = Network::paper_in(Arch::Relu, 2).unwrap();
    let c2 = c2_polar();
    let cs = [0.2, 0.6, 1.0, 1.2];
    let p = diagonal_points(&cs, 2);
    let pts: Vec<&[f64]> = p.iter().map(|v| v.as_slice()).collect();
    for l in [1.0, 7.0, 100.0] {
        let i = vertex_integral(&net, &pts, Cutoff::finite(l).unwrap(), Weight::One).unwrap();
        let want = cs.iter().product::<f64>() * l.powi(6) * c2 / (16.0 * PI.powi(4) * 4.0);
        assert!(rel(i.value, want) < 1e-10, "L={l}: {} vs {want}", i.value);
    }
}

/// C_3 by a second rule: the face reduction with tensor Gauss-Legendre on meshes graded
/// geometrically towards the face corners, where the line through u meets the cube.
#[test]
fn relu_d3_quartic_vertex_scales_as_l7_and_matches_graded_rule() {
    let net = Network::paper_in(Arch::Relu, 3).unwrap();
    let cs = [0.4, 0.6, 0.8, 1.0];
    let p = diagonal_points(&cs, 3);
    let pts: Vec<&[f64]> = p.iter().map(|v| v.as_slice()).collect();
    let i1 = vertex_integral(&net, &pts, Cutoff::finite(1.0).unwrap(), Weight::One).unwrap();
    let i2 = vertex_integral(&net, &pts, Cutoff::finite(3.0).unwrap(), Weight::One).unwrap();
    assert!(rel(i2.value, i1.value * 3f64.powi(7)) < 1e-9);
    // Graded 1-D mesh on [-1, 1], refined towards both ends.
    let mut cuts = vec![-1.0, 1.0, 0.0];
    for k in 1..=24 {
        let h = 0.5f64.powi(k);
        cuts.push(1.0 - h);
        cuts.push(-1.0 + h);
    }
    cuts.sort_by(f64::total_cmp);
    let (x, w) = gauss_legendre(12);
    let mut nodes = Vec::new();
    for c in cuts.windows(2) {
        for (xi, wi) in x.iter().zip(&w) {
            nodes.push((
                0.5 * (c[0] + c[1]) + 0.5 * (c[1] - c[0]) * xi,
                0.5 * (c[1] - c[0]) * wi,
            ));
        }
    }
    let f = |y: [f64; 3]| -> f64 { pts.iter().map(|x| net.kernel_int(x, &y)).product() };
    let mut face = 0.0;
    for axis in 0..3 {
        for s in [-1.0, 1.0] {
            for &(a, wa) in &nodes {
                for &(b, wb) in &nodes {
                    let mut y = [0.0; 3];
                    y[axis] = s;
                    y[(axis + 1) % 3] = a;
                    y[(axis + 2) % 3] = b;
                    face += wa * wb * f(y);
                }
            }
        }
    }
    // Cone over the faces: I = L/(4 + 3) * face integral, L = 1.
    let second = face / 7.0;
    assert!(rel(i1.value, second) < 1e-8, "{} vs {second}", i1.value);
}

#[test]
fn derivative_matches_central_difference() {
    let cases: Vec<(Network, Vec<Vec<f64>>, f64)> = vec![
        (
            Network::paper(Arch::Erf),
            vec![vec![-1.0], vec![-0.2], vec![0.6], vec![1.0]],
            7.0,
        ),
        (
            Network::paper(Arch::Relu),
            vec![vec![0.2], vec![0.4], vec![0.6], vec![1.2]],
            3.0,
        ),
        (
            Network::new(Arch::Relu, 1.0, 0.5, 1).unwrap(),
            vec![vec![-0.2], vec![0.4], vec![0.6], vec![1.2]],
            3.0,
        ),
        (
            Network::paper(Arch::Gauss),
            vec![vec![0.01], vec![-0.006], vec![0.002], vec![0.01]],
            1.5,
        ),
        (
            Network::paper_in(Arch::Erf, 2).unwrap(),
            vec![
                vec![-1.0, 0.3],
                vec![0.2, 0.2],
                vec![0.6, -0.5],
                vec![1.0, 1.0],
            ],
            2.0,
        ),
        (
            Network::paper_in(Arch::Relu, 2).unwrap(),
            vec![
                vec![1.0, 0.3],
                vec![0.2, 0.2],
                vec![0.6, -0.5],
                vec![1.0, 1.0],
            ],
            2.0,
        ),
    ];
    for (net, p, l) in cases {
        let pts: Vec<&[f64]> = p.iter().map(|v| v.as_slice()).collect();
        for w in [Weight::One, Weight::NormSquared] {
            let d = vertex_integral_derivative(&net, &pts, l, w).unwrap();
            let h = 1e-3 * l;
            let at = |l: f64| {
                vertex_integral(&net, &pts, Cutoff::finite(l).unwrap(), w)
                    .unwrap()
                    .value
            };
            // Fourth-order central difference.
            let fd =
                (8.0 * (at(l + h) - at(l - h)) - (at(l + 2.0 * h) - at(l - 2.0 * h))) / (12.0 * h);
            assert!(
                rel(d.value, fd) < 1e-7,
                "{net:?} {w:?}: {} vs {fd}",
                d.value
            );
        }
    }
}

#[test]
fn gauss_net_infinite_cutoff_is_a_gaussian_integral() {
    // Gauss K_int = sW^2 exp(-sW^2 (x - y)^2 / (2d)); in d = 1 the product of four is a
    // Gaussian in y: int = sW^8 sqrt(pi / (4 a)) exp(-a (sum x^2 - (sum x)^2/4)), a = sW^2/2.
    for sw in [1.0, 1.7] {
        let net = Network::new(Arch::Gauss, sw, 1.0, 1).unwrap();
        let xs = [0.3, -0.5, 0.1, 0.9];
        let pts: Vec<[f64; 1]> = xs.iter().map(|&x| [x]).collect();
        let p: Vec<&[f64]> = pts.iter().map(|v| v.as_slice()).collect();
        let a = sw * sw / 2.0;
        let s1: f64 = xs.iter().sum();
        let s2: f64 = xs.iter().map(|x| x * x).sum();
        let want = sw.powi(8) * (PI / (4.0 * a)).sqrt() * (-a * (s2 - s1 * s1 / 4.0)).exp();
        let i = vertex_integral(&net, &p, Cutoff::INFINITE, Weight::One).unwrap();
        assert!(rel(i.value, want) < 1e-11, "{} vs {want}", i.value);
        let big = vertex_integral(&net, &p, Cutoff::finite(1e5).unwrap(), Weight::One).unwrap();
        assert!(rel(big.value, want) < 1e-11);
    }
    // d = 2: the integral factorizes over the two coordinates.
    let net = Network::paper_in(Arch::Gauss, 2).unwrap();
    let p: Vec<Vec<f64>> = vec![
        vec![0.1, -0.3],
        vec![0.4, 0.2],
        vec![-0.2, 0.0],
        vec![0.3, 0.5],
    ];
    let pts: Vec<&[f64]> = p.iter().map(|v| v.as_slice()).collect();
    let a = 1.0 / 4.0; // sW^2/(2d)
    let mut want = 1.0;
    for j in 0..2 {
        let s1: f64 = p.iter().map(|x| x[j]).sum();
        let s2: f64 = p.iter().map(|x| x[j] * x[j]).sum();
        want *= (PI / (4.0 * a)).sqrt() * (-a * (s2 - s1 * s1 / 4.0)).exp();
    }
    let i = vertex_integral(&net, &pts, Cutoff::INFINITE, Weight::One).unwrap();
    assert!(rel(i.value, want) < 1e-9, "{} vs {want}", i.value);
}

#[test]
fn divergent_and_oversized_requests_are_refused() {
    let x: [&[f64]; 4] = [&[0.2], &[0.4], &[0.6], &[0.8]];
    for arch in [Arch::Erf, Arch::Relu] {
        let e = vertex_integral(&Network::paper(arch), &x, Cutoff::INFINITE, Weight::One);
        assert!(e.unwrap_err().to_string().contains("diverges"));
    }
    for bad in [0.0, -1.0, f64::NAN] {
        // An invalid cutoff cannot even be constructed (nor parsed, nor deserialized).
        assert!(Cutoff::finite(bad).is_err());
        assert!(bad.to_string().parse::<Cutoff>().is_err());
        let json = format!("{{\"Finite\":{}}}", if bad.is_nan() { 0.0 } else { bad });
        assert!(serde_json::from_str::<Cutoff>(&json).is_err(), "{json}");
    }
    let net = Network::paper_in(Arch::Erf, 4).unwrap();
    let p = [0.1; 4];
    let e = vertex_integral(&net, &[&p, &p], Cutoff::finite(1.0).unwrap(), Weight::One);
    assert!(e.unwrap_err().to_string().contains("at most 3"));
}

#[test]
fn table_agrees_with_single_integrals() {
    let net = Network::paper(Arch::Erf);
    let xs = InputSet::paper(Arch::Erf, 1).unwrap();
    let t = vertex_table(
        &net,
        &xs,
        4,
        &[Cutoff::finite(7.0).unwrap(), Cutoff::finite(1e4).unwrap()],
        Weight::One,
    )
    .unwrap();
    assert_eq!(t.tuples.len(), 126);
    for (k, c) in t.cutoffs.iter().enumerate() {
        for (i, tu) in t.tuples.iter().enumerate().step_by(17) {
            let pts: Vec<&[f64]> = tu.iter().map(|&a| xs.point(a)).collect();
            let one = vertex_integral(&net, &pts, *c, Weight::One).unwrap();
            assert!(rel(t.values[k][i].value, one.value) < 1e-11);
        }
    }
}
