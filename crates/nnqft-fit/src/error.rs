//! The one error type of nnqft-fit.

use thiserror::Error;

/// What can go wrong when extracting couplings or fitting effective actions.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum FitError {
    /// A network or input specification error.
    #[error(transparent)]
    Core(#[from] nnqft_core::CoreError),
    /// A vertex integral or an exact correlator could not be computed.
    #[error(transparent)]
    Integrate(#[from] nnqft_integrate::IntegrateError),
    /// Correlator data missing, malformed, or inconsistent with the integrals.
    #[error("{0}")]
    Data(String),
    /// A saved measurement does not match the requested network or settings.
    #[error("{0}")]
    Mismatch(String),
    /// The quantity asked for is undefined (a vanishing integral, a singular system, ...).
    #[error("{0}")]
    Undefined(String),
}

/// nnqft-fit's result type.
pub type Result<T, E = FitError> = std::result::Result<T, E>;
