//! The activations: a function together with everything the rest of nnqft needs to know about
//! it (docs/conventions.md sections 1, 2 and 10): its name, its value, where it is not smooth,
//! how its one-neuron moments are integrated, which vectorized sampler kernel draws it, its
//! closed-form kernel where one exists, and the defaults for it.
//!
//! Callers outside this crate never match on [`Arch`]: they ask it. A library user defines an
//! activation of their own with [`Arch::custom`] (a trait object) or [`Arch::from_fn`] (a
//! closure) and gets kernels, exact cumulants and sampling from the same code paths.

use crate::activation::{Activation, FnActivation};
use crate::error::{CoreError, Result};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::f64::consts::PI;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

/// The negative slope `a` of a leaky ReLU: finite (validated by [`Slope::new`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Slope(f64);

impl Slope {
    /// A slope, refused unless finite.
    pub fn new(a: f64) -> Result<Self> {
        if a.is_finite() {
            Ok(Slope(a))
        } else {
            Err(CoreError::UnknownArch(format!(
                "leaky-relu:{a} (the slope must be a finite number)"
            )))
        }
    }

    /// The slope's value.
    pub fn get(self) -> f64 {
        self.0
    }
}

/// The activation of a network's hidden layer: a value with behaviour.
///
/// Callers never match on this enum (it is `#[non_exhaustive]`): everything
/// activation-specific (value, kernel, moment rule, sampler kernel, kinks, defaults) is a
/// method here or in [`crate::Network`].
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum Arch {
    /// phi(z) = erf(z).
    Erf,
    /// phi(z) = max(0, z).
    Relu,
    /// phi(z) = exp(z), normalized per input so that K(x, x) = sb^2 + sW^2.
    Gauss,
    /// phi(z) = z.
    Linear,
    /// phi(z) = tanh(z).
    Tanh,
    /// phi(z) = 1 / (1 + e^-z).
    Sigmoid,
    /// phi(z) = ln(1 + e^z).
    Softplus,
    /// phi(z) = z / (1 + e^-z).
    Silu,
    /// phi(z) = z Phi(z), Phi the standard normal CDF (the exact erf form).
    Gelu,
    /// phi(z) = sin(z).
    Sin,
    /// phi(z) = cos(z).
    Cos,
    /// phi(z) = |z|.
    Abs,
    /// phi(z) = z for z > 0, a z for z < 0.
    LeakyRelu(Slope),
    /// A user-defined activation (see [`Arch::custom`]).
    Custom(&'static dyn Activation),
}

/// The named activations, their CLI names and formulas (the table of docs/conventions.md
/// section 10), in the order `--help` lists them.
const NAMED: [(&str, &str); 14] = [
    ("erf", "erf(z)"),
    ("relu", "max(0, z)"),
    ("gauss", "exp(z), normalized per input"),
    ("linear", "z"),
    ("tanh", "tanh(z)"),
    ("sigmoid", "1/(1 + e^-z)"),
    ("softplus", "ln(1 + e^z)"),
    ("silu", "z/(1 + e^-z)"),
    ("gelu", "z Phi(z)"),
    ("sin", "sin(z)"),
    ("cos", "cos(z)"),
    ("abs", "|z|"),
    ("leaky-relu:A", "z for z > 0, A z for z < 0"),
    ("(library)", "any user-defined function"),
];

impl Arch {
    /// The paper's three architectures, in the paper's order.
    pub const PAPER: [Arch; 3] = [Arch::Erf, Arch::Relu, Arch::Gauss];

    /// Every named activation (leaky ReLU with slope 0.2 as the example of its family).
    pub fn named() -> Vec<Arch> {
        vec![
            Arch::Erf,
            Arch::Relu,
            Arch::Gauss,
            Arch::Linear,
            Arch::Tanh,
            Arch::Sigmoid,
            Arch::Softplus,
            Arch::Silu,
            Arch::Gelu,
            Arch::Sin,
            Arch::Cos,
            Arch::Abs,
            Arch::LeakyRelu(Slope(0.2)),
        ]
    }

    /// "name  formula" lines of every named activation, for `--help`.
    pub fn help_table() -> String {
        NAMED[..NAMED.len() - 1]
            .iter()
            .map(|(n, f)| format!("{n:<13} {f}"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The names accepted by [`FromStr`], comma separated (for error messages).
    pub fn valid_names() -> String {
        NAMED[..NAMED.len() - 1]
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A user-defined activation (a trait object that lives for the program).
    pub fn custom(act: &'static dyn Activation) -> Arch {
        Arch::Custom(act)
    }

    /// A user-defined smooth activation from a function or closure. The closure is boxed and
    /// leaked once (an activation lives for the program, and `Arch` stays `Copy`).
    pub fn from_fn(
        name: &str,
        f: impl Fn(f64) -> f64 + Send + Sync + std::panic::RefUnwindSafe + 'static,
    ) -> Arch {
        Arch::Custom(Box::leak(Box::new(FnActivation::new(name, f))))
    }

    /// The name, as on the command line and in JSON ("leaky-relu:0.2").
    pub fn name(self) -> String {
        match self {
            Arch::LeakyRelu(a) => format!("leaky-relu:{}", a.0),
            Arch::Custom(c) => c.name().to_string(),
            _ => self.plain_name().to_string(),
        }
    }

    fn plain_name(self) -> &'static str {
        match self {
            Arch::Erf => "erf",
            Arch::Relu => "relu",
            Arch::Gauss => "gauss",
            Arch::Linear => "linear",
            Arch::Tanh => "tanh",
            Arch::Sigmoid => "sigmoid",
            Arch::Softplus => "softplus",
            Arch::Silu => "silu",
            Arch::Gelu => "gelu",
            Arch::Sin => "sin",
            Arch::Cos => "cos",
            Arch::Abs => "abs",
            Arch::LeakyRelu(_) => "leaky-relu",
            Arch::Custom(_) => "custom",
        }
    }

    /// Display name as in the paper ("Erf-net", "Leaky-ReLU(0.2)-net").
    pub fn title(self) -> String {
        match self {
            Arch::Erf => "Erf-net".into(),
            Arch::Relu => "ReLU-net".into(),
            Arch::Gauss => "Gauss-net".into(),
            Arch::Silu => "SiLU-net".into(),
            Arch::Gelu => "GELU-net".into(),
            Arch::LeakyRelu(a) => format!("Leaky-ReLU({})-net", a.0),
            Arch::Custom(c) => format!("{}-net", c.name()),
            other => {
                let n = other.plain_name();
                format!("{}{}-net", n[..1].to_ascii_uppercase(), &n[1..])
            }
        }
    }

    /// The default sigma_w: 1 for every activation.
    pub fn default_sigma_w(self) -> f64 {
        1.0
    }

    /// The default sigma_b: 0 for the positively homogeneous activations (ReLU, leaky ReLU,
    /// abs, linear: the paper's ReLU-net has its biases off), else 1.
    pub fn default_sigma_b(self) -> f64 {
        if self.positively_homogeneous() {
            0.0
        } else {
            1.0
        }
    }

    /// The activation phi(z) of the pre-activation z = W0.x + b0, before any per-input
    /// normalization (see [`crate::Network::output_scale`]).
    #[inline(always)]
    pub fn activation(self, z: f64) -> f64 {
        match self {
            Arch::Erf => libm::erf(z),
            Arch::Relu => z.max(0.0),
            Arch::Gauss => z.exp(),
            Arch::Linear => z,
            Arch::Tanh => z.tanh(),
            Arch::Sigmoid => sigmoid(z),
            Arch::Softplus => softplus(z),
            Arch::Silu => z * sigmoid(z),
            Arch::Gelu => 0.5 * z * libm::erfc(-z / std::f64::consts::SQRT_2),
            Arch::Sin => z.sin(),
            Arch::Cos => z.cos(),
            Arch::Abs => z.abs(),
            Arch::LeakyRelu(a) => {
                if z > 0.0 {
                    z
                } else {
                    a.0 * z
                }
            }
            Arch::Custom(c) => c.eval(z),
        }
    }

    /// phi's parity: `Some(-1.0)` when phi(-z) = -phi(z) (erf, linear, tanh, sin), `Some(1.0)`
    /// when phi(-z) = phi(z) (cos, abs), `None` otherwise (and for every user activation, whose
    /// parity is not declared). With no biases it makes the network odd or even too:
    /// f(-x) = parity f(x) at every depth.
    pub fn parity(self) -> Option<f64> {
        match self {
            Arch::Erf | Arch::Linear | Arch::Tanh | Arch::Sin => Some(-1.0),
            Arch::Cos | Arch::Abs => Some(1.0),
            Arch::LeakyRelu(a) if a.get() == -1.0 => Some(1.0),
            Arch::LeakyRelu(a) if a.get() == 1.0 => Some(-1.0),
            _ => None,
        }
    }

    /// The distance from the real axis of phi's nearest complex singularity (tanh: pi/2 at
    /// z = i pi/2; sigmoid, SiLU, softplus: pi), or `None` for an entire function (erf, GELU,
    /// exp, sin, cos, linear). Sets the step of the trapezoid rule for smooth activations.
    pub fn singularity_distance(self) -> Option<f64> {
        match self {
            Arch::Tanh => Some(std::f64::consts::FRAC_PI_2),
            Arch::Sigmoid | Arch::Silu | Arch::Softplus => Some(PI),
            Arch::Erf | Arch::Gelu | Arch::Gauss | Arch::Linear | Arch::Sin | Arch::Cos => None,
            Arch::Custom(c) => c.singularity_distance(),
            // Kinked activations: no strip of analyticity.
            _ => Some(0.0),
        }
    }

    /// Whether phi has a kink (a discontinuous derivative) at z = 0: quadrature must split there.
    pub fn has_kink_at_zero(self) -> bool {
        matches!(self.moment_rule(), MomentRule::PiecewiseLinear { below, above } if below != above)
    }

    /// How the one-neuron moments M_k = E[phi(z_1)..phi(z_k)] of this activation are integrated.
    pub fn moment_rule(self) -> MomentRule {
        match self {
            Arch::Gauss => MomentRule::LogNormal,
            Arch::Relu => MomentRule::PiecewiseLinear {
                below: 0.0,
                above: 1.0,
            },
            Arch::Linear => MomentRule::PiecewiseLinear {
                below: 1.0,
                above: 1.0,
            },
            Arch::Abs => MomentRule::PiecewiseLinear {
                below: -1.0,
                above: 1.0,
            },
            Arch::LeakyRelu(a) => MomentRule::PiecewiseLinear {
                below: a.0,
                above: 1.0,
            },
            Arch::Sin => MomentRule::Trig { sine: true },
            Arch::Cos => MomentRule::Trig { sine: false },
            Arch::Custom(c) => match c.piecewise_linear() {
                Some((below, above)) => MomentRule::PiecewiseLinear { below, above },
                None => MomentRule::Smooth,
            },
            _ => MomentRule::Smooth,
        }
    }

    /// The vectorized sampler kernel that evaluates this activation.
    pub fn sampler_kernel(self) -> SamplerKernel {
        match self {
            Arch::Erf => SamplerKernel::Erf,
            Arch::Relu => SamplerKernel::Relu,
            Arch::Gauss => SamplerKernel::Exp,
            Arch::Linear => SamplerKernel::Linear,
            Arch::Tanh => SamplerKernel::Tanh,
            Arch::Sigmoid => SamplerKernel::Sigmoid,
            Arch::Softplus => SamplerKernel::Softplus,
            Arch::Silu => SamplerKernel::Silu,
            Arch::Gelu => SamplerKernel::Gelu,
            Arch::Sin => SamplerKernel::Sin,
            Arch::Cos => SamplerKernel::Cos,
            Arch::Abs => SamplerKernel::Abs,
            Arch::LeakyRelu(a) => SamplerKernel::LeakyRelu(a.0),
            Arch::Custom(_) => SamplerKernel::Scalar,
        }
    }

    /// Whether, with normal biases, the interaction propagator K_int(x, y) depends on x and y
    /// only through abs(x - y) and decays as abs(y) grows (Gauss-net). With a uniform hidden
    /// bias, sin and cos join (see [`crate::Network::translation_invariant_kernel`]).
    pub fn translation_invariant_kernel(self) -> bool {
        matches!(self.moment_rule(), MomentRule::LogNormal)
    }

    /// Whether phi(c z) = c phi(z) for every c > 0 (ReLU, leaky ReLU, abs, linear): then with
    /// sb = 0 the kernel is homogeneous of degree one in each argument and the one-neuron
    /// moments of inputs on a line through the origin have a closed form.
    pub fn positively_homogeneous(self) -> bool {
        matches!(self.moment_rule(), MomentRule::PiecewiseLinear { .. })
    }

    /// E[phi(u) phi(v)] for (u, v) ~ N(0, [[s11, s12], [s12, s22]]) in closed form, where the
    /// table of docs/conventions.md section 10 gives one (erf, relu, linear, sin, cos, abs,
    /// leaky ReLU, or a user activation that supplies it); `None` otherwise. Gauss-net is not
    /// covered here (its per-input scale lives in [`crate::Network`]).
    pub fn pair_closed_form(self, s11: f64, s22: f64, s12: f64) -> Option<f64> {
        match self.moment_rule() {
            MomentRule::PiecewiseLinear { below, above } => {
                Some(piecewise_pair(below, above, s11, s22, s12))
            }
            MomentRule::Trig { sine } => {
                let e = (-(s11 + s22) / 2.0).exp();
                Some(if sine { e * s12.sinh() } else { e * s12.cosh() })
            }
            _ => match self {
                Arch::Erf => {
                    let r = (2.0 * s12 / ((1.0 + 2.0 * s11) * (1.0 + 2.0 * s22)).sqrt())
                        .clamp(-1.0, 1.0);
                    Some(2.0 / PI * r.asin())
                }
                Arch::Custom(c) => c.pair_closed_form(s11, s22, s12),
                _ => None,
            },
        }
    }
}

/// E[phi(u) phi(v)] for phi(z) = above z (z > 0), below z (z < 0): with
/// J(c) = sqrt(s11 s22) (sin t + (pi - t) c) / (2 pi), cos t = c = s12 / sqrt(s11 s22) (the
/// arc-cosine kernel E[relu(u) relu(v)]), it is (above^2 + below^2) J(c) - 2 above below J(-c).
fn piecewise_pair(below: f64, above: f64, s11: f64, s22: f64, s12: f64) -> f64 {
    let norm = (s11 * s22).sqrt();
    if norm == 0.0 {
        return 0.0;
    }
    let c = (s12 / norm).clamp(-1.0, 1.0);
    let j = |c: f64| {
        // Antiparallel pre-activations (t = pi): exactly 0, not sin(pi)'s rounding residue
        // (ReLU's K(x, y) = 0 for inputs on opposite sides of the origin with sb = 0).
        if c <= -1.0 {
            return 0.0;
        }
        let t = c.acos();
        norm / (2.0 * PI) * (t.sin() + (PI - t) * c)
    };
    if below == 0.0 {
        above * above * j(c)
    } else {
        (above * above + below * below) * j(c) - 2.0 * above * below * j(-c)
    }
}

/// 1 / (1 + e^-z), without overflow for large |z|.
#[inline(always)]
fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// ln(1 + e^z) = max(z, 0) + ln(1 + e^-|z|), without overflow.
#[inline(always)]
fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

/// How an activation's one-neuron moments are integrated over the hidden weights and bias.
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
    /// phi = sin (`sine`) or cos: products are sums of exponentials e^{i sum eps_a z_a}, whose
    /// expectations are closed forms (docs/conventions.md section 10).
    Trig {
        /// sin rather than cos.
        sine: bool,
    },
    /// A smooth activation: tensor Gauss-Hermite quadrature in the latent space.
    Smooth,
}

/// The vectorized kernel the sampler uses to evaluate an activation over a row of
/// pre-activations (nnqft-ensemble keeps one implementation per variant).
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum SamplerKernel {
    /// erf(z), by the piecewise polynomial and exponential forms of nnqft-ensemble.
    Erf,
    /// max(0, z).
    Relu,
    /// exp(z).
    Exp,
    /// z.
    Linear,
    /// tanh(z).
    Tanh,
    /// 1 / (1 + e^-z).
    Sigmoid,
    /// ln(1 + e^z).
    Softplus,
    /// z / (1 + e^-z).
    Silu,
    /// z Phi(z).
    Gelu,
    /// sin(z).
    Sin,
    /// cos(z).
    Cos,
    /// |z|.
    Abs,
    /// z for z > 0, a z for z < 0.
    LeakyRelu(f64),
    /// No vectorized kernel: the scalar [`Arch::activation`] per element.
    Scalar,
}

impl PartialEq for Arch {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Arch {}

impl Hash for Arch {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name().hash(state);
    }
}

impl PartialOrd for Arch {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Arch {
    /// The order of the `--help` table, then by slope or name.
    fn cmp(&self, other: &Self) -> Ordering {
        let pos = |a: &Arch| {
            NAMED
                .iter()
                .position(|(n, _)| n.starts_with(a.plain_name()))
        };
        pos(self)
            .cmp(&pos(other))
            .then_with(|| match (self, other) {
                (Arch::LeakyRelu(a), Arch::LeakyRelu(b)) => a.0.total_cmp(&b.0),
                (Arch::Custom(a), Arch::Custom(b)) => a.name().cmp(b.name()),
                _ => Ordering::Equal,
            })
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl FromStr for Arch {
    type Err = CoreError;

    /// A named activation; `leaky-relu:A` takes its negative slope A (a finite number).
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim().to_ascii_lowercase();
        let unknown = || CoreError::UnknownArch(s.trim().to_string());
        if let Some(rest) = t.strip_prefix("leaky-relu") {
            let a = rest.strip_prefix(':').ok_or_else(|| {
                CoreError::UnknownArch(format!(
                    "{} (give the negative slope: leaky-relu:A)",
                    s.trim()
                ))
            })?;
            let a: f64 = a.trim().parse().map_err(|_| {
                CoreError::UnknownArch(format!("{} (the slope must be a number)", s.trim()))
            })?;
            return Ok(Arch::LeakyRelu(Slope::new(a)?));
        }
        Ok(match t.trim_end_matches("-net") {
            "erf" => Arch::Erf,
            "relu" => Arch::Relu,
            "gauss" => Arch::Gauss,
            "linear" => Arch::Linear,
            "tanh" => Arch::Tanh,
            "sigmoid" => Arch::Sigmoid,
            "softplus" => Arch::Softplus,
            "silu" => Arch::Silu,
            "gelu" => Arch::Gelu,
            "sin" => Arch::Sin,
            "cos" => Arch::Cos,
            "abs" => Arch::Abs,
            _ => return Err(unknown()),
        })
    }
}

impl Serialize for Arch {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

impl<'de> Deserialize<'de> for Arch {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_bad_names_list_the_valid_ones() {
        for a in Arch::named() {
            assert_eq!(a.name().parse::<Arch>().unwrap(), a, "{a}");
        }
        assert_eq!(
            "leaky-relu:0.2".parse::<Arch>().unwrap(),
            Arch::LeakyRelu(Slope(0.2))
        );
        for bad in [
            "tan",
            "leaky-relu",
            "leaky-relu:",
            "leaky-relu:x",
            "leaky-relu:inf",
        ] {
            let e = bad.parse::<Arch>().unwrap_err().to_string();
            assert!(
                e.contains("tanh") && e.contains("leaky-relu:A"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn relu_pair_vanishes_exactly_for_antiparallel_inputs() {
        // relu(u) relu(-u) = 0 for every u.
        assert_eq!(piecewise_pair(0.0, 1.0, 2.0, 0.5, -1.0), 0.0);
        assert_eq!(piecewise_pair(0.0, 1.0, 1.0, 1.0, -1.0), 0.0);
        // Leaky ReLU: E[phi(u) phi(-u)] = -a E[u^2].
        assert!((piecewise_pair(0.2, 1.0, 2.0, 2.0, -2.0) + 0.4).abs() < 1e-15);
    }

    #[test]
    fn piecewise_pair_reduces_to_linear_and_abs_identities() {
        // Linear: E[uv] = s12. Abs with u = v: E[u^2] = s11.
        for (s11, s22, s12) in [(1.0, 2.0, 0.3), (0.5, 0.7, -0.55), (1.0, 1.0, 1.0)] {
            assert!((piecewise_pair(1.0, 1.0, s11, s22, s12) - s12).abs() < 1e-14);
        }
        assert!((piecewise_pair(-1.0, 1.0, 2.0, 2.0, 2.0) - 2.0).abs() < 1e-14);
    }
}
