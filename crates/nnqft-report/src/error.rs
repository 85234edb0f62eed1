//! The one error type of nnqft-report.

use thiserror::Error;

/// What can go wrong in a stage of the report: the libraries' own errors, or a scale that
/// does not exist.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ReportError {
    /// A scale name other than quick, paper (or the hidden tiny).
    #[error("the scale must be quick or paper, got '{0}'")]
    UnknownScale(String),
    /// A networks-per-width override of zero.
    #[error("the networks per width must be positive")]
    NoNets,
    /// Networks, inputs or tables.
    #[error(transparent)]
    Core(#[from] nnqft_core::CoreError),
    /// Sampling.
    #[error(transparent)]
    Ensemble(#[from] nnqft_ensemble::EnsembleError),
    /// Quadrature and exact correlators.
    #[error(transparent)]
    Integrate(#[from] nnqft_integrate::IntegrateError),
    /// Couplings, flows and fits.
    #[error(transparent)]
    Fit(#[from] nnqft_fit::FitError),
    /// The diagram expansion.
    #[error("cannot expand: {0}")]
    Diagrams(#[from] nnqft_diagrams::DiagramError),
}
