//! The one error type of nnqft-core.

use thiserror::Error;

/// What can be wrong with a network specification, an input set or a correlator request.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum CoreError {
    /// An activation name that is not known, or a bad parameter of a named one.
    #[error("unknown activation '{0}' (valid: {names})", names = crate::Arch::valid_names())]
    UnknownArch(String),
    /// sigma_w not positive and finite.
    #[error("sigma_w must be positive and finite, got {0}")]
    SigmaW(f64),
    /// sigma_b negative or not finite.
    #[error("sigma_b must be non-negative and finite, got {0}")]
    SigmaB(f64),
    /// An input dimension of 0.
    #[error("input dimension must be at least 1, got {0}")]
    Dimension(usize),
    /// An input dimension above [`crate::MAX_INPUT_DIM`].
    #[error("input dimension {0} is above the largest supported, {max}", max = crate::MAX_INPUT_DIM)]
    DimensionTooLarge(usize),
    /// A depth out of range or not supported for the network (the message says why).
    #[error("{0}")]
    Depth(String),
    /// A width of 0.
    #[error("width must be at least 1")]
    Width,
    /// Input points that are empty, ragged, non-finite or unparsable.
    #[error("invalid inputs: {0}")]
    Inputs(String),
    /// An odd (or zero) order n.
    #[error("an n-point function needs an even n >= 2, got {0}")]
    OddN(usize),
    /// A value that is not finite in double precision (the message names the setting).
    #[error("{0}")]
    NonFinite(String),
    /// A table or request too large to hold (the message gives the estimate).
    #[error("{0}")]
    TooLarge(String),
}

/// nnqft-core's result type.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;
