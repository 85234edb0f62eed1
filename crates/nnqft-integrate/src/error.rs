//! The one error type of nnqft-integrate.

use thiserror::Error;

/// What can go wrong when integrating diagrams or computing exact correlators.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum IntegrateError {
    /// The integral does not converge without a cutoff.
    #[error("the integral diverges without a cutoff ({0}); give a finite cutoff")]
    Diverges(String),
    /// Too many integration dimensions for the deterministic rules.
    #[error("{0}")]
    Dimension(String),
    /// A cutoff that is not positive and finite (or infinite where allowed).
    #[error("the cutoff must be positive (or inf where the integral converges), got {0}")]
    BadCutoff(f64),
    /// Points of the wrong dimension or count.
    #[error("invalid points: {0}")]
    Points(String),
    /// A width of zero.
    #[error("the width must be at least 1")]
    Width,
    /// An n-point order that is not 2, 4 or 6.
    #[error("exact correlators are available for n = 2, 4, 6; got {0}")]
    Order(usize),
    /// A diagram that cannot be evaluated as given.
    #[error("invalid diagram: {0}")]
    Diagram(String),
    /// A result that is not finite (overflow of the moments or the kernel).
    #[error("{0}")]
    NonFinite(String),
    /// An error of nnqft-core (tables, inputs).
    #[error(transparent)]
    Core(#[from] nnqft_core::CoreError),
}

/// nnqft-integrate's result type.
pub type Result<T, E = IntegrateError> = std::result::Result<T, E>;
