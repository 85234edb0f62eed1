//! Diagram values against closed forms (ReLU with sb = 0 in d = 1 factorizes into powers of
//! L on the positive half-lines) and against the single-vertex integrals.

use nnqft_core::{Arch, Network};
use nnqft_diagrams::{ExpansionSpec, expand};
use nnqft_integrate::{Cutoff, Weight, coefficient, diagram_integral, vertex_integral};
use std::f64::consts::PI;

fn rel(a: f64, b: f64) -> f64 {
    (a / b - 1.0).abs()
}

#[test]
fn first_order_four_point_diagrams() {
    let net = Network::paper(Arch::Relu);
    let e = expand(&ExpansionSpec::new(4, 1)).unwrap();
    let xs = [0.2, 0.4, 0.6, 1.2];
    let p: Vec<[f64; 1]> = xs.iter().map(|&x| [x]).collect();
    let pts: Vec<&[f64]> = p.iter().map(|v| v.as_slice()).collect();
    let prod: f64 = xs.iter().product();
    let l = 7.0;
    let mut seen = 0;
    for d in &e.diagrams {
        let v = diagram_integral(&net, d, &pts, Cutoff::finite(l).unwrap()).unwrap();
        let c = coefficient(d);
        if d.internal.is_empty() {
            // Free pairing: product of two full kernels K = x x'/2.
            let k: f64 = d.edges.iter().map(|&(a, b)| xs[a] * xs[b] / 2.0).product();
            assert!(rel(v.value, k) < 1e-15);
            assert_eq!(c, 1.0);
        } else if d.edges.len() == 4 {
            // X diagram: -24 lambda, I4 = prod x L^5/80.
            assert_eq!(c, -24.0);
            assert!(rel(v.value, prod * l.powi(5) / 80.0) < 1e-12);
            let star =
                vertex_integral(&net, &pts, Cutoff::finite(l).unwrap(), Weight::One).unwrap();
            assert!(rel(v.value, star.value) < 1e-14);
            seen += 1;
        } else {
            // kappa vertex with a self-loop: -360 kappa, K_int(y, y) = y^2/2:
            // int_0^L prod (x_a y / 2) y^2/2 dy = prod x L^7 / 224.
            assert_eq!(c, -360.0);
            assert!(rel(v.value, prod * l.powi(7) / 224.0) < 1e-12);
            seen += 1;
        }
    }
    assert_eq!(seen, 2);
}

#[test]
fn second_order_diagrams_in_one_dimension() {
    // Every connected second-order 4-point diagram with two quartic vertices and no
    // 2-point insertion: for ReLU sb = 0, d = 1, positive inputs, the integrand is
    // prod_lines (u v / 2) on y > 0, so the value is 2^-lines prod_points x times
    // prod_vertices L^(deg + 1)/(deg + 1) (deg counts a self-loop twice).
    let net = Network::paper(Arch::Relu);
    let mut spec = ExpansionSpec::new(4, 2);
    spec.connected_only = true;
    let e = expand(&spec).unwrap();
    let xs = [0.4, 0.6, 0.8, 1.0];
    let p: Vec<[f64; 1]> = xs.iter().map(|&x| [x]).collect();
    let pts: Vec<&[f64]> = p.iter().map(|v| v.as_slice()).collect();
    let l: f64 = 2.0;
    let mut checked = 0;
    for d in e.diagrams.iter().filter(|d| d.internal.len() == 2) {
        let n = d.n_external;
        let mut deg = vec![0i32; d.internal.len()];
        for &(a, b) in &d.edges {
            for v in [a, b] {
                if v >= n {
                    deg[v - n] += 1;
                }
            }
        }
        let want = 0.5f64.powi(d.edges.len() as i32)
            * xs.iter().product::<f64>()
            * deg
                .iter()
                .map(|&k| l.powi(k + 1) / (k + 1) as f64)
                .product::<f64>();
        let v = diagram_integral(&net, d, &pts, Cutoff::finite(l).unwrap()).unwrap();
        assert!(rel(v.value, want) < 1e-10, "{d:?}: {} vs {want}", v.value);
        checked += 1;
    }
    assert!(checked >= 2);
}

#[test]
fn gauss_chain_without_cutoff_is_gaussian() {
    // Two vertices: x1 - y1 - y2 - x2 with Gauss K_int = exp(-(u - v)^2 / 2) (sW = 1, d = 1):
    // the convolution of three unit Gaussians: 2 pi exp(-(x1 - x2)^2 / 6) / sqrt(3).
    let net = Network::paper(Arch::Gauss);
    let d = nnqft_diagrams::Diagram {
        n_external: 2,
        internal: vec![0, 0],
        edges: vec![(0, 2), (1, 3), (2, 3)],
        symmetry_factor: 1u32.into(),
        coefficient: num_rational::BigRational::from_integer(1.into()),
        monomial: vec![2, 0],
        connected: true,
        class: 0,
    };
    let (x1, x2) = (0.3, -0.4);
    let v = diagram_integral(&net, &d, &[&[x1], &[x2]], Cutoff::INFINITE).unwrap();
    let want = 2.0 * PI * (-(x1 - x2) * (x1 - x2) / 6.0f64).exp() / 3f64.sqrt();
    assert!(rel(v.value, want) < 1e-10, "{} vs {want}", v.value);
    assert!(
        diagram_integral(
            &Network::paper(Arch::Erf),
            &d,
            &[&[x1], &[x2]],
            Cutoff::INFINITE
        )
        .is_err()
    );
}
