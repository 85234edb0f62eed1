//! One-neuron moments of the smooth activations against an independent integrator: the
//! `quadrature` crate's double-exponential rule nested over the weight and bias directly
//! (d = 1: z_a = w x_a + b), not the trapezoid rule on principal axes nnqft uses.

use nnqft_core::{Arch, InputSet, Network};
use nnqft_integrate::OneNeuronMoments;

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

fn pdf(g: f64) -> f64 {
    (-0.5 * g * g).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// E[prod_a phi(sW x_a g1 + sb g2)] by nested double-exponential quadrature on [-11, 11]^2.
fn reference(net: &Network, xs: &[f64]) -> f64 {
    let arch = net.arch();
    let (sw, sb) = (net.sigma_w(), net.sigma_b());
    de(
        &|g1| {
            pdf(g1)
                * de(
                    &|g2| {
                        pdf(g2)
                            * xs.iter()
                                .map(|x| arch.activation(sw * x * g1 + sb * g2))
                                .product::<f64>()
                    },
                    -11.0,
                    11.0,
                )
        },
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
            let err = (got.value - want).abs();
            eprintln!(
                "{arch} {t:?}: {} vs {want}: diff {err:.1e}, estimate {:.1e}",
                got.value, got.error
            );
            assert!(
                err <= 1e-10 * want.abs().max(1e-3),
                "{arch} {t:?}: {} vs {want}",
                got.value
            );
            // The estimate bounds the error, up to the reference's own accuracy (nested
            // double-exponential rules, about 1e-13 relative).
            assert!(
                err <= got.error + 1e-12 * want.abs(),
                "{arch} {t:?}: estimate {} < {err}",
                got.error
            );
            assert!(
                got.error <= 1e-8 * want.abs().max(1e-3),
                "{arch} {t:?}: estimate {}",
                got.error
            );
        }
    }
}
