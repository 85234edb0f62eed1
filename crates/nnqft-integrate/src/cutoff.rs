//! The cutoff, the integrand weight and the estimate type every integral returns.

use crate::error::{IntegrateError, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The box [-L, L]^d each internal vertex is integrated over; `Infinite` is R^d (allowed only
/// where the integral converges: Gauss-net).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Cutoff {
    Finite(f64),
    Infinite,
}

impl Cutoff {
    /// The finite cutoff L, checked positive and finite; None for `Infinite`.
    pub fn finite(self) -> Result<Option<f64>> {
        match self {
            Cutoff::Infinite => Ok(None),
            Cutoff::Finite(l) if l.is_finite() && l > 0.0 => Ok(Some(l)),
            Cutoff::Finite(l) => Err(IntegrateError::BadCutoff(l)),
        }
    }
}

impl fmt::Display for Cutoff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cutoff::Finite(l) => write!(f, "{l}"),
            Cutoff::Infinite => f.write_str("inf"),
        }
    }
}

impl FromStr for Cutoff {
    type Err = IntegrateError;

    /// "inf" / "infinity" or a positive finite number.
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim().to_ascii_lowercase();
        if matches!(t.as_str(), "inf" | "infinity" | "+inf") {
            return Ok(Cutoff::Infinite);
        }
        let l: f64 = t.parse().map_err(|_| IntegrateError::BadCutoff(f64::NAN))?;
        Cutoff::Finite(l).finite()?;
        Ok(Cutoff::Finite(l))
    }
}

/// The weight w(y) of a single-vertex integral: 1, or |y|^2 (the paper's lambda_2 term).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Weight {
    One,
    NormSquared,
}

/// An integral's value and the absolute error estimate of the quadrature.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub value: f64,
    pub error: f64,
}

impl Estimate {
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
