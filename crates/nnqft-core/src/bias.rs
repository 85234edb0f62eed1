//! The distribution of the hidden bias b0 (docs/conventions.md section 10).

use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How the hidden-layer bias b0 is drawn. The output bias b1 is always Normal(0, sb^2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum BiasDist {
    /// b0 ~ Normal(0, sb^2) (the paper's networks).
    #[default]
    Normal,
    /// b0 uniform on [-pi, pi], whatever sb (with sin or cos: the translation-invariant
    /// "cos-net").
    Uniform,
}

impl BiasDist {
    /// Whether this is the default, normal bias (JSON omits it then).
    pub fn is_normal(&self) -> bool {
        *self == BiasDist::Normal
    }

    /// The name, as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            BiasDist::Normal => "normal",
            BiasDist::Uniform => "uniform",
        }
    }
}

impl fmt::Display for BiasDist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for BiasDist {
    type Err = CoreError;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "normal" => Ok(BiasDist::Normal),
            "uniform" => Ok(BiasDist::Uniform),
            _ => Err(CoreError::Inputs(format!(
                "unknown bias distribution '{}' (valid: normal, uniform)",
                s.trim()
            ))),
        }
    }
}
