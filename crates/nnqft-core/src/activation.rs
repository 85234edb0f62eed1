//! User-defined activations: what a library caller implements to get kernels, exact cumulants
//! and sampling for an activation nnqft does not name (docs/conventions.md section 10).

use std::fmt;
use std::panic::RefUnwindSafe;

/// An activation phi defined outside nnqft. Only [`Activation::name`] and
/// [`Activation::eval`] are required; the rest refine how it is integrated.
///
/// Limits: a smooth activation's moments are integrated by Gauss-Hermite quadrature, which is
/// accurate for functions analytic near the real axis; an activation with kinks should say so
/// through [`Activation::piecewise_linear`] when it is piecewise linear, else expect the
/// quadrature error estimate (reported with every exact table) to be large.
pub trait Activation: Send + Sync + RefUnwindSafe + fmt::Debug {
    /// The name shown in outputs (e.g. "my-swish").
    fn name(&self) -> &str;

    /// phi(z).
    fn eval(&self, z: f64) -> f64;

    /// `Some((below, above))` when phi(z) = below z for z < 0 and above z for z > 0: the
    /// moments are then integrated exactly piece by piece.
    fn piecewise_linear(&self) -> Option<(f64, f64)> {
        None
    }

    /// The distance from the real axis of phi's nearest complex singularity (`None` for an
    /// entire function). The default, pi/4, is a cautious guess; tanh's is pi/2.
    fn singularity_distance(&self) -> Option<f64> {
        Some(std::f64::consts::FRAC_PI_4)
    }

    /// E[phi(u) phi(v)] for (u, v) ~ N(0, [[s11, s12], [s12, s22]]) in closed form, if known
    /// (else the kernel is computed by quadrature).
    fn pair_closed_form(&self, _s11: f64, _s22: f64, _s12: f64) -> Option<f64> {
        None
    }
}

/// An activation from a closure (see [`crate::Arch::from_fn`]).
pub(crate) struct FnActivation<F> {
    name: String,
    f: F,
}

impl<F: Fn(f64) -> f64 + Send + Sync + RefUnwindSafe> FnActivation<F> {
    pub(crate) fn new(name: &str, f: F) -> Self {
        FnActivation {
            name: name.to_string(),
            f,
        }
    }
}

impl<F> fmt::Debug for FnActivation<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FnActivation({})", self.name)
    }
}

impl<F: Fn(f64) -> f64 + Send + Sync + RefUnwindSafe> Activation for FnActivation<F> {
    fn name(&self) -> &str {
        &self.name
    }

    fn eval(&self, z: f64) -> f64 {
        (self.f)(z)
    }
}
