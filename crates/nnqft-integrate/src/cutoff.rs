//! The cutoff, the integrand weight and the estimate type every integral returns.

use crate::error::{IntegrateError, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The box [-L, L]^d each internal vertex is integrated over, or all of R^d (allowed only where
/// the integral converges: Gauss-net). Valid by construction: a finite L is positive and finite.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "CutoffRepr", into = "CutoffRepr")]
pub struct Cutoff {
    /// None for R^d.
    length: Option<f64>,
}

/// The serialized form (unchanged since the enum it replaced): `{"Finite": L}` or `"Infinite"`.
#[derive(Clone, Copy, Serialize, Deserialize)]
enum CutoffRepr {
    Finite(f64),
    Infinite,
}

impl TryFrom<CutoffRepr> for Cutoff {
    type Error = IntegrateError;

    fn try_from(r: CutoffRepr) -> Result<Self> {
        match r {
            CutoffRepr::Finite(l) => Cutoff::finite(l),
            CutoffRepr::Infinite => Ok(Cutoff::INFINITE),
        }
    }
}

impl From<Cutoff> for CutoffRepr {
    fn from(c: Cutoff) -> Self {
        match c.length {
            Some(l) => CutoffRepr::Finite(l),
            None => CutoffRepr::Infinite,
        }
    }
}

impl Cutoff {
    /// No cutoff: the vertices range over all of R^d.
    pub const INFINITE: Cutoff = Cutoff { length: None };

    /// The box [-L, L]^d: L must be positive and finite.
    pub fn finite(length: f64) -> Result<Cutoff> {
        if length.is_finite() && length > 0.0 {
            Ok(Cutoff {
                length: Some(length),
            })
        } else {
            Err(IntegrateError::BadCutoff(length))
        }
    }

    /// The box [-L, L]^d without the check, for constants: the caller guarantees that L is
    /// positive and finite (as nalgebra's `Unit::new_unchecked`).
    pub const fn finite_unchecked(length: f64) -> Cutoff {
        Cutoff {
            length: Some(length),
        }
    }

    /// The half-width L of the box; None for R^d.
    pub fn length(self) -> Option<f64> {
        self.length
    }

    /// Whether this is R^d.
    pub fn is_infinite(self) -> bool {
        self.length.is_none()
    }
}

impl fmt::Display for Cutoff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.length {
            Some(l) => f.write_str(&number(l)),
            None => f.write_str("inf"),
        }
    }
}

impl FromStr for Cutoff {
    type Err = IntegrateError;

    /// "inf" / "infinity" or a positive finite number.
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim().to_ascii_lowercase();
        if matches!(t.as_str(), "inf" | "infinity" | "+inf") {
            return Ok(Cutoff::INFINITE);
        }
        let l: f64 = t.parse().map_err(|_| IntegrateError::BadCutoff(f64::NAN))?;
        Cutoff::finite(l)
    }
}

pub use nnqft_core::number;

/// The weight w(y) of a single-vertex integral: 1, or |y|^2 (the paper's lambda_2 term).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Weight {
    /// w(y) = 1.
    One,
    /// w(y) = |y|^2.
    NormSquared,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutoffs_print_short() {
        assert_eq!(Cutoff::finite(1e300).unwrap().to_string(), "1e300");
    }
}
