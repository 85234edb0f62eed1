//! The one error type of nnqft-ensemble.

use nnqft_core::CoreError;
use thiserror::Error;

/// What can go wrong when planning, running, merging or finishing an ensemble.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum EnsembleError {
    /// A network or input error.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// A width of 0.
    #[error("width must be at least 1")]
    Width,
    /// Fewer than two networks.
    #[error("the number of networks must be at least 2 (an error estimate needs two), got {0}")]
    Nets(u64),
    /// Zero experiments.
    #[error("the number of experiments must be at least 1")]
    Experiments,
    /// Networks not divisible into the experiments.
    #[error(
        "{nets} networks cannot be split evenly into {experiments} experiments (use a multiple of {experiments}, e.g. {suggestion})"
    )]
    NotDivisible {
        /// The networks asked for.
        nets: u64,
        /// The experiments asked for.
        experiments: usize,
        /// The next multiple of `experiments`.
        suggestion: u64,
    },
    /// No order n.
    #[error("no n-point order requested")]
    NoOrders,
    /// A run too large to hold (the message gives the estimate).
    #[error("{0}")]
    TooLarge(String),
    /// A block index beyond the plan.
    #[error("block {block} is out of range (the plan has {count} blocks)")]
    BlockRange {
        /// The index asked for.
        block: u64,
        /// The plan's block count.
        count: u64,
    },
    /// Partials or settings that cannot be combined.
    #[error("cannot merge: {0}")]
    Mismatch(String),
    /// A partial that does not cover the plan.
    #[error("the partial result holds {held} of {total} blocks; missing: {missing}")]
    MissingBlocks {
        /// Blocks held.
        held: u64,
        /// Blocks in the plan.
        total: u64,
        /// The missing ranges.
        missing: String,
    },
    /// A sum that overflowed.
    #[error("the {n}-point sum at entry {index:?} is not finite (overflow in the products)")]
    NonFinite {
        /// The order.
        n: usize,
        /// The entry.
        index: Vec<usize>,
    },
    /// The conditional estimator asked for an order above 6.
    #[error(
        "the conditional estimator measures orders up to 6 (asked for n = {0}); use the direct estimator"
    )]
    ConditionalOrder(usize),
    /// The conditional estimator with fewer than 2 experiments.
    #[error(
        "the conditional estimator takes the errors of the 4- and 6-point functions from the spread across experiments: it needs at least 2 experiments (or use the direct estimator)"
    )]
    ConditionalExperiments,
    /// The thread pool could not start.
    #[error("cannot start the thread pool: {0}")]
    Threads(String),
    /// The run was stopped through its cancel flag ([`crate::run_range_until`]).
    #[error("sampling was interrupted")]
    Cancelled,
}

impl EnsembleError {
    /// The settings that caused this error, by their names in `nnqft sample` (as flags without
    /// the leading `--`) and in the Python package (as keywords); empty when no one setting did.
    pub fn settings(&self) -> &'static [&'static str] {
        match self {
            EnsembleError::Nets(_) => &["nets"],
            EnsembleError::Experiments | EnsembleError::ConditionalExperiments => &["experiments"],
            EnsembleError::NotDivisible { .. } => &["nets", "experiments"],
            EnsembleError::NoOrders | EnsembleError::ConditionalOrder(_) => &["npt"],
            EnsembleError::Width => &["width"],
            _ => &[],
        }
    }
}

/// nnqft-ensemble's result type.
pub type Result<T, E = EnsembleError> = std::result::Result<T, E>;
