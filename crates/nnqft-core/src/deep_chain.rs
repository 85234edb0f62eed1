//! Deep kernels at many pairs that share a point: the diagonal K^(l)(x, x) of the NNGP
//! recursion is computed once per point and reused for every partner (docs/conventions.md
//! section 11). The vertex integrals evaluate K_int(x_a, y) for a few fixed inputs x_a at many
//! nodes y: with the chains, one kernel costs L layer maps instead of 3 L - 2.

use crate::deep::layer_pair;
use crate::network::Network;

impl Network {
    /// The diagonal of the NNGP recursion at x: K^(1)(x, x), ..., K^(L)(x, x) for a network of
    /// depth L (K^(1) = S, K^(l+1)(x, x) = sb^2 + sW^2 E[act(z)^2], z ~ N(0, K^(l)(x, x))).
    pub fn diagonal_chain(&self, x: &[f64]) -> Vec<f64> {
        let (sb2, sw2) = (self.sigma_b * self.sigma_b, self.sigma_w * self.sigma_w);
        let mut out = Vec::with_capacity(self.depth);
        let mut s = self.preactivation_cov(x, x);
        out.push(s);
        for _ in 1..self.depth {
            s = sb2 + sw2 * layer_pair(self.arch, s, s, s);
            out.push(s);
        }
        out
    }

    /// K_int(x, y) = sW^2 E[act(z(x)) act(z(y))] over z ~ N(0, K^(L)) given the diagonal chains
    /// `cx`, `cy` of x and y ([`Network::diagonal_chain`]): bit for bit
    /// [`Network::kernel_int`] for a network of depth >= 2 (for depth 1, whose kernel has the
    /// special cases of a uniform bias and Gauss-net, use [`Network::kernel_int`]).
    pub fn kernel_int_with(&self, x: &[f64], cx: &[f64], y: &[f64], cy: &[f64]) -> f64 {
        let (sb2, sw2) = (self.sigma_b * self.sigma_b, self.sigma_w * self.sigma_w);
        let mut s12 = self.preactivation_cov(x, y);
        let last = self.depth - 1;
        for l in 0..last {
            s12 = sb2 + sw2 * layer_pair(self.arch, cx[l], cy[l], s12);
        }
        sw2 * layer_pair(self.arch, cx[last], cy[last], s12)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Arch, Network};

    #[test]
    fn chains_give_the_kernel_bit_for_bit() {
        let pts: [&[f64]; 4] = [&[0.3, -1.2], &[2.0, 0.5], &[-0.7, 0.0], &[0.0, 0.0]];
        for arch in [Arch::Erf, Arch::Relu, Arch::Tanh, Arch::Linear] {
            for depth in 2..=4 {
                let net = Network::new(arch, 1.3, 0.4, 2)
                    .unwrap()
                    .with_depth(depth)
                    .unwrap();
                for x in pts {
                    for y in pts {
                        let (cx, cy) = (net.diagonal_chain(x), net.diagonal_chain(y));
                        assert_eq!(cx.len(), depth);
                        assert_eq!(
                            net.kernel_int_with(x, &cx, y, &cy).to_bits(),
                            net.kernel_int(x, y).to_bits(),
                            "{arch} L={depth} {x:?} {y:?}"
                        );
                    }
                }
            }
        }
    }
}
