//! The architectures (activation families) and a fully specified network: architecture,
//! weight and bias scales, input dimension (PHYSICS.md section 1).

use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The activation family of a single-hidden-layer network.
///
/// Callers never match on this enum: everything architecture-specific (activation, kernel,
/// defaults, paper settings) is a method here or in [`crate::kernel`], so a fourth
/// architecture joins by adding a variant and its arms in this crate alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Arch {
    /// phi(z) = erf(z).
    Erf,
    /// phi(z) = max(0, z).
    Relu,
    /// phi(z) = exp(z), normalized per input by exp(-(sb^2 + sW^2 |x|^2 / d)).
    Gauss,
}

impl Arch {
    /// Every architecture, in a fixed order.
    pub const ALL: [Arch; 3] = [Arch::Erf, Arch::Relu, Arch::Gauss];

    /// Lower-case name, as on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Arch::Erf => "erf",
            Arch::Relu => "relu",
            Arch::Gauss => "gauss",
        }
    }

    /// Display name as in the paper ("Erf-net").
    pub fn title(self) -> &'static str {
        match self {
            Arch::Erf => "Erf-net",
            Arch::Relu => "ReLU-net",
            Arch::Gauss => "Gauss-net",
        }
    }

    /// The paper's sigma_w (1 for all three).
    pub fn default_sigma_w(self) -> f64 {
        1.0
    }

    /// The paper's sigma_b: 1, except ReLU-net where the biases are off (0).
    pub fn default_sigma_b(self) -> f64 {
        match self {
            Arch::Relu => 0.0,
            Arch::Erf | Arch::Gauss => 1.0,
        }
    }

    /// The paper's six one-dimensional inputs (PHYSICS.md section 3).
    pub fn paper_inputs(self) -> Vec<f64> {
        let erf = [-1.0, -0.6, -0.2, 0.2, 0.6, 1.0];
        match self {
            Arch::Erf => erf.to_vec(),
            Arch::Gauss => erf.iter().map(|x| 0.01 * x).collect(),
            Arch::Relu => vec![0.2, 0.4, 0.6, 0.8, 1.0, 1.2],
        }
    }

    /// The activation phi(z) of the pre-activation z = W0.x + b0, before any per-input
    /// normalization (see [`Network::output_scale`]).
    #[inline(always)]
    pub fn activation(self, z: f64) -> f64 {
        match self {
            Arch::Erf => libm::erf(z),
            Arch::Relu => z.max(0.0),
            Arch::Gauss => z.exp(),
        }
    }

    /// Whether phi has a kink (a discontinuous derivative) at z = 0: quadrature must split there.
    pub fn has_kink_at_zero(self) -> bool {
        matches!(self, Arch::Relu)
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Arch {
    type Err = CoreError;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "erf" | "erf-net" => Ok(Arch::Erf),
            "relu" | "relu-net" => Ok(Arch::Relu),
            "gauss" | "gauss-net" => Ok(Arch::Gauss),
            other => Err(CoreError::UnknownArch(other.to_string())),
        }
    }
}

/// A single-hidden-layer network family: f(x) = b1 + sum_j W1_j phi(W0_j.x + b0_j), with
/// W0 ~ N(0, sW^2/d) per component, b0, b1 ~ N(0, sb^2), W1 ~ N(0, sW^2/N).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Network {
    pub arch: Arch,
    pub sigma_w: f64,
    pub sigma_b: f64,
    pub d_in: usize,
}

impl Network {
    /// A validated network: sigma_w > 0, sigma_b >= 0 (both finite), d_in >= 1.
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
        Ok(Network {
            arch,
            sigma_w,
            sigma_b,
            d_in,
        })
    }

    /// The paper's network for `arch` in d = 1.
    pub fn paper(arch: Arch) -> Self {
        Network {
            arch,
            sigma_w: arch.default_sigma_w(),
            sigma_b: arch.default_sigma_b(),
            d_in: 1,
        }
    }

    /// The paper's network for `arch` in dimension `d_in`.
    pub fn paper_in(arch: Arch, d_in: usize) -> Result<Self> {
        Network::new(arch, arch.default_sigma_w(), arch.default_sigma_b(), d_in)
    }

    /// Standard deviation of each component of W0: sW / sqrt(d).
    pub fn w0_scale(&self) -> f64 {
        self.sigma_w / (self.d_in as f64).sqrt()
    }

    /// Standard deviation of W1 at width N: sW / sqrt(N).
    pub fn w1_scale(&self, width: usize) -> f64 {
        self.sigma_w / (width as f64).sqrt()
    }

    /// S(x, x') = sb^2 + sW^2 (x.x') / d, the covariance of the pre-activations at x and x'.
    pub fn preactivation_cov(&self, x: &[f64], y: &[f64]) -> f64 {
        let dot: f64 = x.iter().zip(y).map(|(a, b)| a * b).sum();
        self.sigma_b * self.sigma_b + self.sigma_w * self.sigma_w * dot / self.d_in as f64
    }

    /// The per-input factor multiplying the activation: 1, except Gauss-net where it is
    /// 1/sqrt(exp(2(sb^2 + sW^2 |x|^2/d))) = exp(-S(x, x)).
    pub fn output_scale(&self, x: &[f64]) -> f64 {
        match self.arch {
            Arch::Gauss => (-self.preactivation_cov(x, x)).exp(),
            Arch::Erf | Arch::Relu => 1.0,
        }
    }

    /// phi_j(x) for the pre-activation z = W0_j.x + b0_j at input x.
    #[inline]
    pub fn phi(&self, z: f64, x: &[f64]) -> f64 {
        self.arch.activation(z) * self.output_scale(x)
    }
}
