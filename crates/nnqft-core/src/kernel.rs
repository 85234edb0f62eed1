//! Gaussian-process kernels K(x, x') = sb^2 + sW^2 M2(x, x') (docs/conventions.md section 2).

use crate::inputs::InputSet;
use crate::{BiasDist, MomentRule, Network};
use nalgebra::DMatrix;

impl Network {
    /// The one-neuron second moment M2(x, x') = E[phi(x) phi(x')] over (W0, b0)
    /// (docs/conventions.md sections 2 and 10): Gauss-net exp(-sW^2 |x-x'|^2 / (2d)) for
    /// either bias; with a normal bias the activation's closed form in S (erf, relu, linear,
    /// sin, cos, abs, leaky ReLU) or else 2-D Gauss-Hermite quadrature; with a uniform bias
    /// (1/2) exp(-sW^2 |x-x'|^2 / (2d)) for sin and cos, else quadrature in (b0, W0.x, W0.x').
    /// With depth L >= 2 it is E[act(z(x)) act(z(y))] over z ~ N(0, K^(L)), the last hidden
    /// layer's kernel of the NNGP recursion (docs/conventions.md section 11).
    pub fn m2(&self, x: &[f64], y: &[f64]) -> f64 {
        if self.depth > 1 {
            return crate::deep::deep_m2(self, x, y);
        }
        let rule = self.arch.moment_rule();
        let trig = matches!(rule, MomentRule::Trig { .. });
        if rule == MomentRule::LogNormal || (trig && self.bias == BiasDist::Uniform) {
            let d2: f64 = x.iter().zip(y).map(|(a, b)| (a - b) * (a - b)).sum();
            let g = (-self.sigma_w * self.sigma_w * d2 / (2.0 * self.d_in as f64)).exp();
            return if trig { 0.5 * g } else { g };
        }
        let sxy = self.preactivation_cov(x, y);
        let sxx = self.preactivation_cov(x, x);
        let syy = self.preactivation_cov(y, y);
        match self.bias {
            BiasDist::Uniform => crate::pair::uniform_bias_pair(self.arch, sxx, syy, sxy),
            _ => self
                .arch
                .pair_closed_form(sxx, syy, sxy)
                .unwrap_or_else(|| crate::pair::gaussian_pair(self.arch, sxx, syy, sxy)),
        }
    }

    /// The GP kernel K(x, x') = sb^2 + sW^2 M2(x, x'): the exact 2-point function at any width.
    pub fn kernel(&self, x: &[f64], y: &[f64]) -> f64 {
        self.sigma_b * self.sigma_b + self.kernel_int(x, y)
    }

    /// The interaction propagator K_int(x, x') = K(x, x') - sb^2 = sW^2 M2(x, x'): the kernel
    /// without the output bias b1, which never interacts (docs/conventions.md section 5).
    pub fn kernel_int(&self, x: &[f64], y: &[f64]) -> f64 {
        self.sigma_w * self.sigma_w * self.m2(x, y)
    }

    /// The kernel matrix, refused when an entry is not finite (inputs or scales so large that
    /// S(x, x) = sb^2 + sW^2 |x|^2 / d overflows): the error names the first such input.
    pub fn try_kernel_matrix(&self, inputs: &InputSet) -> crate::Result<DMatrix<f64>> {
        let k = self.kernel_matrix(inputs);
        for a in 0..inputs.len() {
            if k.row(a).iter().any(|v| !v.is_finite()) {
                return Err(crate::CoreError::NonFinite(format!(
                    "the kernel is not finite in double precision at input {} ({:?}) with \
                     sigma_w = {}, sigma_b = {}: use smaller inputs or scales",
                    a + 1,
                    inputs.point(a),
                    crate::number(self.sigma_w),
                    crate::number(self.sigma_b)
                )));
            }
        }
        Ok(k)
    }

    /// The kernel matrix K_ab = K(x_a, x_b) over an input set.
    pub fn kernel_matrix(&self, inputs: &InputSet) -> DMatrix<f64> {
        let m = inputs.len();
        DMatrix::from_fn(m, m, |a, b| self.kernel(inputs.point(a), inputs.point(b)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Arch;
    use rand::SeedableRng;
    use rand_distr::{Distribution, StandardNormal};

    /// sb^2 + sW^2 E[phi(x) phi(y)] by plain Monte Carlo over (W0, b0), with its standard error.
    fn mc_kernel(net: &Network, x: &[f64], y: &[f64], samples: usize) -> (f64, f64) {
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(7);
        let (mut s, mut s2) = (0.0, 0.0);
        for _ in 0..samples {
            let g: f64 = StandardNormal.sample(&mut rng);
            let b0 = net.sigma_b * g;
            let (mut zx, mut zy) = (b0, b0);
            for k in 0..net.d_in {
                let g: f64 = StandardNormal.sample(&mut rng);
                let w = net.w0_scale() * g;
                zx += w * x[k];
                zy += w * y[k];
            }
            let v = net.phi(zx, x) * net.phi(zy, y);
            s += v;
            s2 += v * v;
        }
        let n = samples as f64;
        let mean = s / n;
        let var = (s2 / n - mean * mean).max(0.0);
        let sw2 = net.sigma_w * net.sigma_w;
        (
            net.sigma_b * net.sigma_b + sw2 * mean,
            sw2 * (var / n).sqrt(),
        )
    }

    #[test]
    fn kernels_match_monte_carlo_in_d1_and_d2() {
        let points_1d: [(&[f64], &[f64]); 3] =
            [(&[0.3], &[-0.7]), (&[1.0], &[1.0]), (&[0.2], &[1.2])];
        let points_2d: [(&[f64], &[f64]); 3] = [
            (&[0.3, -0.2], &[-0.7, 0.5]),
            (&[1.0, 0.4], &[1.0, 0.4]),
            (&[0.2, 0.9], &[1.2, -0.1]),
        ];
        for arch in Arch::PAPER {
            for (d, pts) in [(1usize, &points_1d), (2usize, &points_2d)] {
                for sb in [arch.default_sigma_b(), 0.5] {
                    let net = Network::new(arch, 1.3, sb, d).unwrap();
                    for &(x, y) in pts.iter() {
                        let exact = net.kernel(x, y);
                        let (mc, se) = mc_kernel(&net, x, y, 400_000);
                        assert!(
                            (exact - mc).abs() < 5.0 * se + 1e-12,
                            "{arch} d={d} sb={sb} x={x:?} y={y:?}: exact {exact} vs MC {mc} +- {se}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn relu_kernel_at_origin_is_bias_only() {
        let net = Network::paper(Arch::Relu);
        assert_eq!(net.kernel(&[0.0], &[0.5]), 0.0);
        // Same direction: t = 0, K = sW^2 |x||y| / 2 in d = 1.
        assert!((net.kernel(&[0.4], &[0.6]) - 0.12).abs() < 1e-15);
    }
}
