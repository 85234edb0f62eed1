//! Architectures, Gaussian-process kernels, index multisets and correlator tables: the shared
//! vocabulary of nnqft (conventions: docs/conventions.md sections 1-4).
//!
//! ```
//! use nnqft_core::{Arch, InputSet, Network};
//! let net = Network::paper(Arch::Relu);
//! let xs = InputSet::paper(Arch::Relu, 1).unwrap();
//! let k = net.kernel_matrix(&xs);
//! // ReLU with sb = 0 on positive inputs: K(x, x') = x x' / 2.
//! assert!((k[(0, 1)] - 0.2 * 0.4 / 2.0).abs() < 1e-15);
//! ```

#![deny(missing_docs)]

mod activation;
mod arch;
mod bias;
mod connected;
mod correlator;
mod deep;
mod deep_chain;
mod error;
mod estimate;
mod format;
mod inputs;
mod kernel;
mod measurement;
mod multiset;
mod network;
mod pair;
mod pair_split;
mod pairing;
pub mod paper;
pub mod rules;

pub use activation::Activation;
pub use arch::{Arch, MomentRule, SamplerKernel, Slope};
pub use bias::BiasDist;
pub use connected::{connected4, connected6, connected6_value, pair_splits};
pub use correlator::{CorrelatorTable, Entry, check_table_size, wick};
pub use deep::{layer_pair, nngp_kernels};
pub use error::{CoreError, Result};
pub use estimate::Estimate;
pub use format::{number, sci};
pub use inputs::InputSet;
pub use measurement::{ConnectedEntry, MeasuredEntry, Measurement, Summary};
pub use multiset::{multiset_count, multiset_rank, multisets};
pub use network::{MAX_DEPTH, MAX_INPUT_DIM, Network, uniform_exp_moment};
pub use pair::{gaussian_pair, pair_work, uniform_bias_pair};
pub use pairing::{Pairings, pairing_count};
