//! The value-with-error type shared by every crate.

use serde::{Deserialize, Serialize};

/// A number with its absolute error: a quadrature error estimate where it was integrated,
/// a standard error where it was sampled or fitted, 0 where it is exact. The one
/// value-with-error type of nnqft (integrals, couplings, slopes).
///
/// `+` and `*` propagate errors linearly (|a| db + |b| da + da db for a product), the
/// conservative rule for quadrature bounds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The value.
    pub value: f64,
    /// Its absolute error (non-negative).
    pub error: f64,
}

impl Estimate {
    /// A value with its error.
    pub fn new(value: f64, error: f64) -> Self {
        Estimate { value, error }
    }

    /// A value known exactly.
    pub fn exact(value: f64) -> Self {
        Estimate { value, error: 0.0 }
    }

    /// c * self.
    pub fn scale(self, c: f64) -> Self {
        Estimate {
            value: c * self.value,
            error: c.abs() * self.error,
        }
    }
}

impl std::ops::Mul for Estimate {
    type Output = Estimate;

    /// The product, errors propagated as |a| db + |b| da + da db.
    fn mul(self, o: Estimate) -> Estimate {
        Estimate {
            value: self.value * o.value,
            error: self.value.abs() * o.error + o.value.abs() * self.error + self.error * o.error,
        }
    }
}

impl std::ops::Add for Estimate {
    type Output = Estimate;

    /// The sum, errors added.
    fn add(self, o: Estimate) -> Estimate {
        Estimate {
            value: self.value + o.value,
            error: self.error + o.error,
        }
    }
}
