//! The architectures: an activation function together with everything the rest of nnqft
//! needs to know about it (docs/conventions.md sections 1 and 2): its name, its value, where it is not
//! smooth, how its one-neuron moments are integrated, which vectorized sampler kernel draws it,
//! and the paper's defaults for it.
//!
//! Callers outside this crate never match on [`Arch`]: they ask it. Adding an activation is a
//! variant and its arms in this file (plus, optionally, a closed-form kernel in `kernel.rs` and
//! a vectorized sampler kernel in nnqft-ensemble).

use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The activation family of a network: a value with behaviour.
///
/// Callers never match on this enum (it is `#[non_exhaustive]`): everything
/// architecture-specific (activation, kernel, moment rule, sampler kernel, quadrature break
/// points, defaults) is a method here or in [`crate::Network`], so a new activation joins by
/// adding a variant and its arms in this crate alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Arch {
    /// phi(z) = erf(z).
    Erf,
    /// phi(z) = max(0, z).
    Relu,
    /// phi(z) = exp(z), normalized per input by exp(-(sb^2 + sW^2 |x|^2 / d)).
    Gauss,
}

impl Arch {
    /// Every architecture, in a fixed order (today the paper's three).
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
        matches!(self.moment_rule(), MomentRule::PiecewiseLinear { .. })
    }

    /// How the one-neuron moments M_k = E[phi(z_1)..phi(z_k)] of this activation are integrated.
    pub fn moment_rule(self) -> MomentRule {
        match self {
            Arch::Erf => MomentRule::Smooth,
            Arch::Relu => MomentRule::PiecewiseLinear {
                below: 0.0,
                above: 1.0,
            },
            Arch::Gauss => MomentRule::LogNormal,
        }
    }

    /// The vectorized sampler kernel that evaluates this activation.
    pub fn sampler_kernel(self) -> SamplerKernel {
        match self {
            Arch::Erf => SamplerKernel::Erf,
            Arch::Relu => SamplerKernel::Relu,
            Arch::Gauss => SamplerKernel::Exp,
        }
    }

    /// Whether the interaction propagator K_int(x, y) depends on x and y only through
    /// abs(x - y) and decays as abs(y) grows (Gauss-net): then the vertex integrals converge
    /// on R^d (an infinite cutoff), and their integrands peak where y meets an input.
    pub fn translation_invariant_kernel(self) -> bool {
        matches!(self, Arch::Gauss)
    }

    /// Whether phi(c z) = c phi(z) for every c > 0 (ReLU): then with sb = 0 the kernel is
    /// homogeneous of degree one in each argument and the one-neuron moments of inputs on a
    /// line through the origin have a closed form.
    pub fn positively_homogeneous(self) -> bool {
        matches!(self.moment_rule(), MomentRule::PiecewiseLinear { .. })
    }
}

/// How an activation's one-neuron moments are integrated over the Gaussian (W0, b0).
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum MomentRule {
    /// phi = exp (with a per-input scale): the moments are log-normal, in closed form.
    LogNormal,
    /// phi(z) = `below` z for z < 0 and `above` z for z > 0: the integral along one latent
    /// direction is done exactly piece by piece (incomplete normal moments), the rest by
    /// adaptive quadrature split at the kinks.
    PiecewiseLinear {
        /// The slope for z < 0.
        below: f64,
        /// The slope for z > 0.
        above: f64,
    },
    /// A smooth activation: tensor Gauss-Hermite quadrature in the latent space.
    Smooth,
}

/// The vectorized kernel the sampler uses to evaluate an activation over a row of
/// pre-activations (nnqft-ensemble keeps one implementation per variant).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SamplerKernel {
    /// erf(z), by the piecewise polynomial and exponential forms of nnqft-ensemble.
    Erf,
    /// max(0, z).
    Relu,
    /// exp(z).
    Exp,
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
