//! The infinite-width kernel of a deep network: the NNGP recursion K^(1) = S,
//! K^(l+1) = sb^2 + sW^2 E[act(z) act(z')] with z ~ N(0, K^(l)) (docs/conventions.md
//! section 11).

use crate::arch::Arch;
use crate::inputs::InputSet;
use crate::network::Network;
use nalgebra::DMatrix;

/// E[act(u) act(v)] for (u, v) ~ N(0, [[s11, s12], [s12, s22]]): the activation's closed form
/// where it has one (arc-cosine for the piecewise-linear ones, erf, sin, cos), else tensor
/// Gauss-Hermite ([`crate::gaussian_pair`]). One layer map of the NNGP recursion.
pub fn layer_pair(arch: Arch, s11: f64, s22: f64, s12: f64) -> f64 {
    arch.pair_closed_form(s11, s22, s12)
        .unwrap_or_else(|| crate::pair::gaussian_pair(arch, s11, s22, s12))
}

/// The kernels K^(1), ..., K^(L+1) of `net` (depth L) on `inputs`: K^(1) = S (the first
/// layer's pre-activation covariance), K^(l+1)_ab = sb^2 + sW^2 E[act(z_a) act(z_b)],
/// z ~ N(0, K^(l)); the last is the network's GP kernel. Index l - 1 holds K^(l).
pub fn nngp_kernels(net: &Network, inputs: &InputSet) -> Vec<DMatrix<f64>> {
    let m = inputs.len();
    let s = DMatrix::from_fn(m, m, |a, b| {
        net.preactivation_cov(inputs.point(a), inputs.point(b))
    });
    let mut out = vec![s];
    let (sb2, sw2) = (net.sigma_b * net.sigma_b, net.sigma_w * net.sigma_w);
    for _ in 0..net.depth {
        let k = out.last().expect("non-empty");
        let next = DMatrix::from_fn(m, m, |a, b| {
            sb2 + sw2 * layer_pair(net.arch, k[(a, a)], k[(b, b)], k[(a, b)])
        });
        out.push(next);
    }
    out
}

/// M2(x, y) of a network of depth L >= 2: E[act(z(x)) act(z(y))] over z ~ N(0, K^(L)), with
/// K^(L) by the recursion on the 2 x 2 kernel of (x, y).
pub(crate) fn deep_m2(net: &Network, x: &[f64], y: &[f64]) -> f64 {
    let (mut s11, mut s22, mut s12) = (
        net.preactivation_cov(x, x),
        net.preactivation_cov(y, y),
        net.preactivation_cov(x, y),
    );
    let (sb2, sw2) = (net.sigma_b * net.sigma_b, net.sigma_w * net.sigma_w);
    for _ in 1..net.depth {
        let n11 = sb2 + sw2 * layer_pair(net.arch, s11, s11, s11);
        let n22 = sb2 + sw2 * layer_pair(net.arch, s22, s22, s22);
        let n12 = sb2 + sw2 * layer_pair(net.arch, s11, s22, s12);
        (s11, s22, s12) = (n11, n22, n12);
    }
    layer_pair(net.arch, s11, s22, s12)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relu_and_linear_recursions_have_closed_forms() {
        // ReLU, sb = 0, one input: each layer halves sW^2 times the variance: K = sW^(2(L+1))
        // x^2 / (d 2^L). Linear with biases: K^(l+1) = sb^2 + sW^2 K^(l).
        let x = [0.7];
        for depth in 1..=5 {
            let net = Network::new(Arch::Relu, 1.3, 0.0, 1)
                .unwrap()
                .with_depth(depth)
                .unwrap();
            let want = 1.3f64.powi(2 * (depth as i32 + 1)) * 0.49 / 2f64.powi(depth as i32);
            assert!((net.kernel(&x, &x) - want).abs() < 1e-13 * want, "{depth}");
            let lin = Network::new(Arch::Linear, 0.9, 0.4, 1)
                .unwrap()
                .with_depth(depth)
                .unwrap();
            let mut k = 0.16 + 0.81 * 0.7 * (-0.3);
            for _ in 0..depth {
                k = 0.16 + 0.81 * k;
            }
            assert!((lin.kernel(&x, &[-0.3]) - k).abs() < 1e-14, "{depth}");
        }
    }

    #[test]
    fn the_matrix_recursion_agrees_with_the_pairwise_one_and_quadrature() {
        let xs = InputSet::from_scalars(&[-1.0, 0.2, 0.9]).unwrap();
        for arch in [Arch::Erf, Arch::Tanh, Arch::Relu] {
            let net = Network::new(arch, 1.2, 0.3, 1)
                .unwrap()
                .with_depth(3)
                .unwrap();
            let ks = nngp_kernels(&net, &xs);
            assert_eq!(ks.len(), 4);
            let k = net.kernel_matrix(&xs);
            assert!((&ks[3] - &k).abs().max() < 1e-14, "{arch}");
            // The closed-form layer map against Gauss-Hermite (for erf, relu: independent).
            let (a, b, c) = (ks[1][(0, 0)], ks[1][(2, 2)], ks[1][(0, 2)]);
            let quad = crate::pair::gaussian_pair(arch, a, b, c);
            let closed = layer_pair(arch, a, b, c);
            // Gauss-Hermite converges slowly across the ReLU kink.
            let tol = if arch == Arch::Relu { 5e-3 } else { 1e-10 };
            assert!(
                (quad - closed).abs() < tol * closed.abs().max(1e-3),
                "{arch}: {quad} vs {closed}"
            );
        }
    }

    #[test]
    fn depth_is_validated() {
        let net = Network::paper(Arch::Erf);
        assert!(net.with_depth(0).is_err());
        assert!(net.with_depth(crate::MAX_DEPTH + 1).is_err());
        assert!(Network::paper(Arch::Gauss).with_depth(2).is_err());
        assert!(Network::paper(Arch::Gauss).with_depth(1).is_ok());
        let cos = Network::paper(Arch::Cos).with_bias(crate::BiasDist::Uniform);
        assert!(cos.with_depth(2).is_err());
    }
}
