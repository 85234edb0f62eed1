//! A fully specified network family: architecture, weight and bias scales, input dimension
//! (docs/conventions.md section 1).

use crate::arch::{Arch, MomentRule};
use crate::bias::BiasDist;
use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};

/// The largest input dimension d accepted: inputs are stored densely (d floats per point), so
/// a size check comes before any allocation.
pub const MAX_INPUT_DIM: usize = 100_000;

/// The largest number of hidden layers accepted.
pub const MAX_DEPTH: usize = 10_000;

/// A single-hidden-layer network family: f(x) = b1 + sum_j W1_j phi(W0_j.x + b0_j), with
/// W0 ~ N(0, sW^2/d) per component, b0, b1 ~ N(0, sb^2), W1 ~ N(0, sW^2/N).
///
/// The fields are private: a `Network` is valid by construction ([`Network::new`]), also when
/// it is read back from JSON (deserializing validates the same way), so no consumer re-checks
/// it. The width is not part of the family; samplers and exact tables take it separately.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "NetworkFields")]
pub struct Network {
    pub(crate) arch: Arch,
    pub(crate) sigma_w: f64,
    pub(crate) sigma_b: f64,
    pub(crate) d_in: usize,
    #[serde(default, skip_serializing_if = "BiasDist::is_normal")]
    pub(crate) bias: BiasDist,
    /// The number L of hidden layers (docs/conventions.md section 11); 1 is section 1's
    /// network, and JSON omits it then.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub(crate) depth: usize,
}

fn one() -> usize {
    1
}

fn is_one(v: &usize) -> bool {
    *v == 1
}

/// The serialized form of a [`Network`], validated by [`Network::new`] on the way in.
#[derive(Deserialize)]
struct NetworkFields {
    arch: Arch,
    sigma_w: f64,
    sigma_b: f64,
    d_in: usize,
    #[serde(default)]
    bias: BiasDist,
    #[serde(default = "one")]
    depth: usize,
}

impl TryFrom<NetworkFields> for Network {
    type Error = CoreError;

    fn try_from(f: NetworkFields) -> Result<Self> {
        Network::new(f.arch, f.sigma_w, f.sigma_b, f.d_in)?
            .with_bias(f.bias)
            .with_depth(f.depth)
    }
}

impl Network {
    /// A validated network: sigma_w > 0, sigma_b >= 0 (both finite), 1 <= d_in <= [`MAX_INPUT_DIM`].
    pub fn new(arch: Arch, sigma_w: f64, sigma_b: f64, d_in: usize) -> Result<Self> {
        if !(sigma_w.is_finite() && sigma_w > 0.0) {
            return Err(CoreError::SigmaW(sigma_w));
        }
        if !(sigma_b.is_finite() && sigma_b >= 0.0) {
            return Err(CoreError::SigmaB(sigma_b));
        }
        if d_in == 0 {
            return Err(CoreError::Dimension(d_in));
        }
        if d_in > MAX_INPUT_DIM {
            return Err(CoreError::DimensionTooLarge(d_in));
        }
        Ok(Network {
            arch,
            sigma_w,
            sigma_b,
            d_in,
            bias: BiasDist::Normal,
            depth: 1,
        })
    }

    /// The same network with the hidden bias b0 drawn from `bias`.
    pub fn with_bias(mut self, bias: BiasDist) -> Self {
        self.bias = bias;
        self
    }

    /// The same network with `depth` hidden layers of equal width (docs/conventions.md section
    /// 11): 1 <= depth <= [`MAX_DEPTH`]; depth >= 2 is refused for Gauss-net (its per-input
    /// normalization has no layer-by-layer analogue) and for a uniform hidden bias (defined for
    /// the first layer only). Set the bias first: [`Network::with_bias`] does not re-check.
    pub fn with_depth(mut self, depth: usize) -> Result<Self> {
        if depth == 0 || depth > MAX_DEPTH {
            return Err(CoreError::Depth(format!(
                "the depth (hidden layers) must be between 1 and {MAX_DEPTH}, got {depth}"
            )));
        }
        if depth >= 2 && self.arch.moment_rule() == MomentRule::LogNormal {
            return Err(CoreError::Depth(format!(
                "{} has a per-input output normalization defined for one hidden layer only: \
                 depth {depth} is not supported",
                self.arch.name()
            )));
        }
        if depth >= 2 && !self.bias.is_normal() {
            return Err(CoreError::Depth(format!(
                "a uniform hidden bias is defined for the first layer only; deep networks \
                 (depth {depth}) need the normal bias"
            )));
        }
        self.depth = depth;
        Ok(self)
    }

    /// The number L of hidden layers (1: a single hidden layer).
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// How the hidden bias b0 is drawn.
    pub fn bias(&self) -> BiasDist {
        self.bias
    }

    /// The standard deviation of the Gaussian hidden bias b0: sb for a normal bias, 0 for a
    /// uniform one (whose b0 is not Gaussian; see [`Network::bias`]).
    pub fn hidden_sigma_b(&self) -> f64 {
        match self.bias {
            BiasDist::Normal => self.sigma_b,
            BiasDist::Uniform => 0.0,
        }
    }

    /// Whether K_int(x, y) depends on x and y only through abs(x - y) and decays as abs(y)
    /// grows: Gauss-net, and sin or cos with a uniform hidden bias (the cos-net). The vertex
    /// integrals then converge on R^d (an infinite cutoff).
    pub fn translation_invariant_kernel(&self) -> bool {
        self.arch.translation_invariant_kernel()
            || (self.bias == BiasDist::Uniform
                && matches!(self.arch.moment_rule(), MomentRule::Trig { .. }))
    }

    /// The paper's network for `arch` in d = 1.
    pub fn paper(arch: Arch) -> Self {
        Network {
            arch,
            sigma_w: arch.default_sigma_w(),
            sigma_b: arch.default_sigma_b(),
            d_in: 1,
            bias: BiasDist::Normal,
            depth: 1,
        }
    }

    /// The paper's network for `arch` in dimension `d_in`.
    pub fn paper_in(arch: Arch, d_in: usize) -> Result<Self> {
        Network::new(arch, arch.default_sigma_w(), arch.default_sigma_b(), d_in)
    }

    /// The activation family.
    pub fn arch(&self) -> Arch {
        self.arch
    }

    /// sigma_w: the weights of a layer with fan-in n have variance sigma_w^2 / n.
    pub fn sigma_w(&self) -> f64 {
        self.sigma_w
    }

    /// sigma_b: every bias has variance sigma_b^2.
    pub fn sigma_b(&self) -> f64 {
        self.sigma_b
    }

    /// The input dimension d.
    pub fn d_in(&self) -> usize {
        self.d_in
    }

    /// Whether the propagator K_int(x, y) is homogeneous of degree one in y (a positively
    /// homogeneous activation without biases, e.g. ReLU with sb = 0): the vertex integrals then
    /// scale as powers of the cutoff and have polynomial closed forms.
    pub fn homogeneous_kernel(&self) -> bool {
        self.arch.positively_homogeneous() && self.sigma_b == 0.0 && self.bias.is_normal()
    }

    /// Whether K_int(x, y) has kinks where y meets an input or another vertex (a kinked
    /// activation with biases, e.g. ReLU with sb > 0): quadrature splits there.
    pub fn kernel_kinks_at_points(&self) -> bool {
        self.arch.has_kink_at_zero() && !self.homogeneous_kernel()
    }

    /// Standard deviation of each component of W0: sW / sqrt(d).
    pub fn w0_scale(&self) -> f64 {
        self.sigma_w / (self.d_in as f64).sqrt()
    }

    /// Standard deviation of W1 at width N: sW / sqrt(N).
    pub fn w1_scale(&self, width: usize) -> f64 {
        self.sigma_w / (width as f64).sqrt()
    }

    /// S(x, x') = sb^2 + sW^2 (x.x') / d, the covariance of the Gaussian part of the
    /// pre-activations at x and x' (with a uniform hidden bias, sW^2 (x.x') / d alone).
    pub fn preactivation_cov(&self, x: &[f64], y: &[f64]) -> f64 {
        let dot: f64 = x.iter().zip(y).map(|(a, b)| a * b).sum();
        let sb = self.hidden_sigma_b();
        sb * sb + self.sigma_w * self.sigma_w * dot / self.d_in as f64
    }

    /// The per-input factor multiplying the activation: 1, except Gauss-net where it is
    /// 1/sqrt(E[exp(2 z(x))]) so that M2(x, x) = 1: exp(-S(x, x)) for a normal bias, and
    /// exp(-S(x, x)) / sqrt(sinh(2 pi) / (2 pi)) for a uniform one (E[e^{2 b0}]).
    pub fn output_scale(&self, x: &[f64]) -> f64 {
        if self.arch.moment_rule() == MomentRule::LogNormal {
            let s = (-self.preactivation_cov(x, x)).exp();
            match self.bias {
                BiasDist::Normal => s,
                BiasDist::Uniform => s / uniform_exp_moment(2).sqrt(),
            }
        } else {
            1.0
        }
    }

    /// phi_j(x) for the pre-activation z = W0_j.x + b0_j at input x.
    #[inline]
    pub fn phi(&self, z: f64, x: &[f64]) -> f64 {
        self.arch.activation(z) * self.output_scale(x)
    }
}

/// E[e^{k b0}] for b0 uniform on [-pi, pi]: sinh(k pi) / (k pi).
pub fn uniform_exp_moment(k: u32) -> f64 {
    if k == 0 {
        return 1.0;
    }
    let kp = k as f64 * std::f64::consts::PI;
    kp.sinh() / kp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deserializing_validates_like_the_constructor() {
        let good = Network::new(Arch::Erf, 1.5, 0.5, 2).unwrap();
        let text = serde_json::to_string(&good).unwrap();
        assert_eq!(
            text,
            r#"{"arch":"erf","sigma_w":1.5,"sigma_b":0.5,"d_in":2}"#
        );
        assert_eq!(serde_json::from_str::<Network>(&text).unwrap(), good);
        for bad in [
            r#"{"arch":"erf","sigma_w":0.0,"sigma_b":0.5,"d_in":2}"#,
            r#"{"arch":"erf","sigma_w":1.0,"sigma_b":-1.0,"d_in":2}"#,
            r#"{"arch":"erf","sigma_w":1.0,"sigma_b":1.0,"d_in":0}"#,
            r#"{"arch":"tan","sigma_w":1.0,"sigma_b":1.0,"d_in":1}"#,
            r#"{"arch":"erf","sigma_w":1.0,"sigma_b":1.0,"d_in":1,"bias":"cauchy"}"#,
            r#"{"arch":"erf","sigma_w":1.0,"sigma_b":1.0,"d_in":1,"depth":0}"#,
            r#"{"arch":"gauss","sigma_w":1.0,"sigma_b":1.0,"d_in":1,"depth":2}"#,
            r#"{"arch":"cos","sigma_w":1.0,"sigma_b":1.0,"d_in":1,"bias":"uniform","depth":2}"#,
        ] {
            assert!(serde_json::from_str::<Network>(bad).is_err(), "{bad}");
        }
        let deep = good.with_depth(3).unwrap();
        let text = serde_json::to_string(&deep).unwrap();
        assert_eq!(
            text,
            r#"{"arch":"erf","sigma_w":1.5,"sigma_b":0.5,"d_in":2,"depth":3}"#
        );
        assert_eq!(serde_json::from_str::<Network>(&text).unwrap(), deep);
    }
}
