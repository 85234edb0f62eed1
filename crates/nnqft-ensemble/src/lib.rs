//! Streaming Monte Carlo ensembles of single-hidden-layer networks and their n-point
//! functions (docs/conventions.md).
//!
//! A run is a [`Plan`]: settings (network, inputs, width, orders n, [`Estimator`]), a number
//! of networks
//! split evenly into experiments, each experiment into RNG blocks of [`DEFAULT_BLOCK_SIZE`]
//! networks. Block b draws from a stream derived from (seed, b) alone; its sums of every
//! monomial f(x_i1)...f(x_in) (direct estimator) or of every product of up to three entries
//! of the random kernel Q (conditional estimator, docs/conventions.md section 8) and of its
//! square are added into exact accumulators
//! ([`ExactSum`]), so a [`Partial`] over any set of blocks can be computed anywhere and
//! merged in any order with a bit-identical result. [`finish`] turns a complete partial into
//! a [`Measurement`]. Memory is bounded by the table sizes, never by the number of networks.
//!
//! ```
//! use nnqft_core::{Arch, InputSet, Network};
//! use nnqft_ensemble::{Estimator, Plan, Settings, finish, run_all};
//! let net = Network::paper(Arch::Erf);
//! let settings = Settings::new(net, InputSet::paper(Arch::Erf, 1).unwrap(), 5, &[2, 4]).unwrap();
//! let plan = Plan::new(settings.clone(), 2000, 4, 1).unwrap();
//! let m = finish(&run_all(&plan, None, &|_| {}).unwrap()).unwrap();
//! assert_eq!(m.correlators["4"].len(), 126);
//! // The same ensemble measured with the output layer integrated out.
//! let conditional = settings.with_estimator(Estimator::Conditional).unwrap();
//! let plan = Plan::new(conditional, 2000, 4, 1).unwrap();
//! let m = finish(&run_all(&plan, None, &|_| {}).unwrap()).unwrap();
//! assert_eq!(m.connected["4"].len(), 126);
//! ```

#![deny(missing_docs)]

mod block;
mod conditional;
mod deep;
mod error;
mod exact_sum;
pub mod fastmath;
mod finish;
mod normal;
mod partial;
mod plan;
mod program;
mod rng;
mod sampled;
pub mod shard;
mod simd;
mod sweep;

pub use error::{EnsembleError, Result};
pub use exact_sum::ExactSum;
pub use finish::{DOMINANCE_THRESHOLD, finish, sample_std};
pub use nnqft_core::Measurement;
pub use partial::{
    BlockSet, ExperimentSums, Partial, run_all, run_blocks, run_floor, run_range, run_range_until,
};
pub use plan::{
    Block, DEFAULT_BLOCK_SIZE, Estimator, MAX_ACCUMULATORS, MAX_PAIRING_TERMS, MAX_THREADS,
    MAX_WORK, OPS_PER_CORE_SECOND, Plan, Sampling, Settings, pairing_terms,
};
pub use rng::{block_rng, splitmix64};
pub use sampled::Sampled;
pub use shard::{Combiner, ShardError, ShardFile, ShardSpec};
pub use sweep::{
    Connected6Point, SlopeFit, SweepConfig, SweepEvent, SweepResult, fit_loglog, run_sweep,
    summarize,
};

/// Sample every block of `plan` in this process and finish: `nnqft sample`'s whole job.
pub fn sample(
    plan: &Plan,
    threads: Option<usize>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Measurement, EnsembleError> {
    finish(&run_all(plan, threads, progress)?)
}

/// [`sample`] that stops with [`EnsembleError::Cancelled`] soon after `cancel` becomes true.
pub fn sample_until(
    plan: &Plan,
    threads: Option<usize>,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &std::sync::atomic::AtomicBool,
) -> Result<Measurement, EnsembleError> {
    finish(&run_range_until(
        plan,
        0..plan.block_count(),
        threads,
        progress,
        cancel,
    )?)
}
