//! The one error type of nnqft-ensemble.

use nnqft_core::CoreError;
use thiserror::Error;

/// What can go wrong when planning, running, merging or finishing an ensemble.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum EnsembleError {
    #[error(transparent)]
    Core(#[from] CoreError),
    #[error("width must be at least 1")]
    Width,
    #[error("--nets must be at least 2 (an error estimate needs two networks), got {0}")]
    Nets(u64),
    #[error("--experiments must be at least 1")]
    Experiments,
    #[error(
        "{nets} networks cannot be split evenly into {experiments} experiments (use a multiple of {experiments}, e.g. {suggestion})"
    )]
    NotDivisible {
        nets: u64,
        experiments: usize,
        suggestion: u64,
    },
    #[error("no n-point order requested (--npt is empty)")]
    NoOrders,
    #[error("{0}")]
    TooLarge(String),
    #[error("block {block} is out of range (the plan has {count} blocks)")]
    BlockRange { block: u64, count: u64 },
    #[error("cannot merge: {0}")]
    Mismatch(String),
    #[error("the partial result holds {held} of {total} blocks; missing: {missing}")]
    MissingBlocks {
        held: u64,
        total: u64,
        missing: String,
    },
    #[error("the {n}-point sum at entry {index:?} is not finite (overflow in the products)")]
    NonFinite { n: usize, index: Vec<usize> },
    #[error(
        "the conditional estimator measures orders up to 6 (asked for n = {0}); use the direct estimator"
    )]
    ConditionalOrder(usize),
    #[error(
        "the conditional estimator takes the errors of the 4- and 6-point functions from the spread across experiments: it needs at least 2 experiments (or use the direct estimator)"
    )]
    ConditionalExperiments,
    #[error("cannot start the thread pool: {0}")]
    Threads(String),
}

pub type Result<T, E = EnsembleError> = std::result::Result<T, E>;
