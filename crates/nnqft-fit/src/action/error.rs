//! Why the action cannot be reconstructed or checked.

use thiserror::Error;

/// Errors of the Edgeworth reconstruction and its round trip.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum ActionError {
    /// Only O(1/N) and O(1/N^2) reconstructions exist.
    #[error("reconstruction order {0} is not available: the order is 1 (O(1/N)) or 2 (O(1/N^2))")]
    Order(usize),
    /// Tables that do not fit together (sizes, missing kappa6 at order 2).
    #[error("{0}")]
    Shape(String),
    /// K is not positive definite or too ill-conditioned to invert safely; `inputs` are the
    /// (0-based) indices of the most strongly correlated pair, the ones to spread.
    #[error(
        "the kernel matrix K is {} on the input set (condition number {condition:.3e}, limit {limit:.1e}): inputs {} and {} (1-based) are nearly indistinguishable (correlation {correlation:.12}); spread them apart or drop one",
        if *condition == f64::INFINITY { "singular" } else { "ill-conditioned" },
        inputs.0 + 1,
        inputs.1 + 1
    )]
    IllConditioned {
        /// The condition number of K (infinite when singular).
        condition: f64,
        /// The largest accepted.
        limit: f64,
        /// The most correlated pair of inputs (0-based).
        inputs: (usize, usize),
        /// Their correlation K_ab / sqrt(K_aa K_bb).
        correlation: f64,
    },
    /// The perturbative expansion of the round trip could not be generated.
    #[error(transparent)]
    Diagrams(#[from] nnqft_diagrams::DiagramError),
    /// A table could not be built.
    #[error(transparent)]
    Core(#[from] nnqft_core::CoreError),
}
