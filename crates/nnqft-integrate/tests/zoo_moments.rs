//! One-neuron moments of the smooth activations against an independent integrator: the
//! `quadrature` crate's double-exponential rule nested over the weight and bias directly
//! (d = 1: z_a = w x_a + b), not the trapezoid rule on principal axes nnqft uses.

use nnqft_core::{Arch, BiasDist, InputSet, Network};
use nnqft_integrate::{Estimate, OneNeuronMoments};

mod common;
use common::spread_d3;

/// int_lo^hi f by the double-exponential rule on the pieces between -3, -1, 0, 1, 3 (one
/// piece over [-11, 11] is good to only ~1e-10 for tanh powers; split, ~1e-14).
fn de(f: &dyn Fn(f64) -> f64, lo: f64, hi: f64) -> f64 {
    let mut pts = vec![lo];
    pts.extend(
        [-3.0, -1.0, 0.0, 1.0, 3.0]
            .iter()
            .filter(|p| **p > lo && **p < hi),
    );
    pts.push(hi);
    pts.windows(2)
        .map(|w| quadrature::integrate(f, w[0], w[1], 1e-14).integral)
        .sum()
}

/// |got - want| <= 1e-10 max(|want|, 1e-3), and with `bounded` within the reported error up
/// to the references' own accuracy (about 1e-13 relative, 1e-16 absolute for moments that
/// vanish, which nnqft returns as exact zeros for odd activations).
fn check(label: &str, got: Estimate, want: f64, bounded: bool) {
    let err = (got.value - want).abs();
    eprintln!(
        "{label}: {} vs {want}: diff {err:.1e}, estimate {:.1e}",
        got.value, got.error
    );
    let scale = want.abs().max(1e-3);
    assert!(err <= 1e-10 * scale, "{label}: {} vs {want}", got.value);
    if bounded {
        assert!(
            err <= got.error + 1e-12 * scale,
            "{label}: estimate {} < {err}",
            got.error
        );
    }
}

fn pdf(g: f64) -> f64 {
    (-0.5 * g * g).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// E[prod_a phi(sW x_a g1 + sb g2)] by nested double-exponential quadrature on [-11, 11]^2.
fn reference(net: &Network, xs: &[f64]) -> f64 {
    let (sw, sb) = (net.sigma_w(), net.sigma_b());
    gaussian_2d(&|g1, g2| {
        xs.iter()
            .map(|x| net.arch().activation(sw * x * g1 + sb * g2))
            .product::<f64>()
    })
}

/// E[f(g1, g2)] over two independent standard normals, nested double-exponential rules on
/// [-11, 11]^2.
fn gaussian_2d(f: &dyn Fn(f64, f64) -> f64) -> f64 {
    de(
        &|g1| pdf(g1) * de(&|g2| pdf(g2) * f(g1, g2), -11.0, 11.0),
        -11.0,
        11.0,
    )
}

#[test]
fn smooth_activation_moments_match_double_exponential_quadrature() {
    let points = [-1.0, 0.3, 1.0];
    let xs = InputSet::from_scalars(&points).unwrap();
    for arch in [
        Arch::Sigmoid,
        Arch::Tanh,
        Arch::Softplus,
        Arch::Silu,
        Arch::Gelu,
        Arch::Erf,
    ] {
        let net = Network::new(arch, 1.0, 1.0, 1).unwrap();
        let mm = OneNeuronMoments::new(&net, &xs, 6).unwrap();
        for t in [
            vec![0, 1, 2, 2],
            vec![0, 0, 1, 1, 2, 2],
            vec![2, 2, 2, 2, 2, 2],
            vec![0, 1, 2],
        ] {
            let want = reference(&net, &t.iter().map(|&a| points[a]).collect::<Vec<_>>());
            let got = mm.estimate(&t);
            check(&format!("{arch} {t:?}"), got, want, true);
            assert!(
                got.error <= 1e-8 * want.abs().max(1e-3),
                "{arch} {t:?}: estimate {}",
                got.error
            );
        }
    }
}

/// Six inputs in general position in d = 3 with a bias: nnqft integrates over four latent
/// directions at once (a tensor rule cut to the Gaussian ball). A moment that involves two of
/// the inputs only is a two-dimensional integral over their pre-activations (z_a, z_b), with
/// the covariance S of `Network::preactivation_cov`: z_a = sqrt(S_aa) g1,
/// z_b = rho sqrt(S_bb) g1 + sqrt(1 - rho^2) sqrt(S_bb) g2. Those are checked against the
/// fine two-dimensional trapezoid rule below (the double-exponential reference drifts at the
/// 1e-9 level on a tanh^6 moment whose integrand depends on g1 alone).
#[test]
fn four_direction_moments_of_two_inputs_match_a_fine_trapezoid_rule() {
    let pts = spread_d3();
    let xs = InputSet::new(pts.clone()).unwrap();
    for arch in [Arch::Tanh, Arch::Gelu, Arch::Sigmoid] {
        let net = Network::new(arch, 1.0, 1.0, 3).unwrap();
        let mm = OneNeuronMoments::new(&net, &xs, 6).unwrap();
        for t in [
            vec![0, 0, 0, 0, 0, 0],
            vec![0, 0, 0, 1, 1, 1],
            vec![2, 2, 5, 5, 5, 5],
            vec![1, 3, 3],
            vec![4, 4, 4, 4],
        ] {
            let (a, b) = (t[0], *t.last().unwrap());
            let s = |i: usize, j: usize| net.preactivation_cov(&pts[i], &pts[j]);
            let (sa, sb) = (s(a, a).sqrt(), s(b, b).sqrt());
            let rho = s(a, b) / (sa * sb);
            let want = trapezoid_2d(&|g1, g2| {
                let za = sa * g1;
                let zb = sb * (rho * g1 + (1.0 - rho * rho).sqrt() * g2);
                t.iter()
                    .map(|&i| arch.activation(if i == a { za } else { zb }))
                    .product::<f64>()
            });
            check(&format!("{arch} {t:?}"), mm.estimate(&t), want, true);
        }
    }
}

/// E[f(g1, g2)] over two independent standard normals by the trapezoid rule of step 1/40 on
/// [-12, 12]^2, rows summed first. For these integrands (analytic in a strip of half-width
/// over 1 about the real axis) the rule's error is below exp(-2 pi 40) and the cut tails weigh
/// exp(-72): what is left is the roundoff of about a million terms, ~1e-15 relative.
fn trapezoid_2d(f: &dyn Fn(f64, f64) -> f64) -> f64 {
    let h = 1.0 / 40.0;
    let n = 480;
    (-n..=n)
        .map(|i| {
            let g1 = f64::from(i) * h;
            let row: f64 = (-n..=n)
                .map(|j| {
                    let g2 = f64::from(j) * h;
                    pdf(g2) * f(g1, g2)
                })
                .sum();
            pdf(g1) * row
        })
        .sum::<f64>()
        * h
        * h
}

/// A uniform hidden bias t on [-pi, pi] and six inputs in general position in d = 3: t and
/// three Gaussian directions. A moment of one input a is E[prod phi(t + sqrt(S_aa) g)], a
/// two-dimensional integral: the double-exponential rule in t (split at 0) over the trapezoid
/// rule of step 1/20 in g on [-12, 12] (error below exp(-2 pi 20 / 1.5)).
#[test]
fn uniform_bias_moments_of_one_input_match_an_independent_rule() {
    let pts = spread_d3();
    let xs = InputSet::new(pts.clone()).unwrap();
    for arch in [Arch::Tanh, Arch::Gelu, Arch::Sigmoid] {
        let net = Network::new(arch, 1.5, 1.0, 3)
            .unwrap()
            .with_bias(BiasDist::Uniform);
        let mm = OneNeuronMoments::new(&net, &xs, 6).unwrap();
        for (a, k) in [(0, 6), (3, 4), (5, 5), (2, 1)] {
            let sd = net.preactivation_cov(&pts[a], &pts[a]).sqrt();
            let h = 1.0 / 20.0;
            let want = (-240..=240)
                .map(|j| {
                    let g = f64::from(j) * h;
                    let in_t = |t: f64| arch.activation(t + sd * g).powi(k);
                    let pi = std::f64::consts::PI;
                    let t_mean = (quadrature::integrate(in_t, -pi, 0.0, 1e-14).integral
                        + quadrature::integrate(in_t, 0.0, pi, 1e-14).integral)
                        / (2.0 * pi);
                    pdf(g) * t_mean
                })
                .sum::<f64>()
                * h;
            let got = mm.estimate(&vec![a; k as usize]);
            check(&format!("{arch} uniform x{a}^{k}"), got, want, false);
        }
    }
}
