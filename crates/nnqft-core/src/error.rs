//! The one error type of nnqft-core.

use thiserror::Error;

/// What can be wrong with a network specification, an input set or a correlator request.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum CoreError {
    #[error("unknown architecture '{0}' (expected erf, relu or gauss)")]
    UnknownArch(String),
    #[error("sigma_w must be positive and finite, got {0}")]
    SigmaW(f64),
    #[error("sigma_b must be non-negative and finite, got {0}")]
    SigmaB(f64),
    #[error("input dimension must be at least 1, got {0}")]
    Dimension(usize),
    #[error("width must be at least 1")]
    Width,
    #[error("invalid inputs: {0}")]
    Inputs(String),
    #[error("an n-point function needs an even n >= 2, got {0}")]
    OddN(usize),
    #[error("{0}")]
    TooLarge(String),
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;
