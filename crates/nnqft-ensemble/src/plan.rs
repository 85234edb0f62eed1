//! What a sampling run is: settings, number of networks, experiments, seed, and the split of
//! the networks into RNG blocks (the unit of reproducibility, parallelism and sharding).

use crate::error::{EnsembleError, Result};
use nnqft_core::{InputSet, Network, check_table_size, multisets};
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// Networks per RNG block (the last block of an experiment may be shorter).
pub const DEFAULT_BLOCK_SIZE: usize = 1024;

/// Refuse runs whose accumulators (entries x experiments) exceed this count: each holds two
/// exact sums and a maximum, roughly 120 bytes.
pub const MAX_ACCUMULATORS: u64 = 2_000_000;

/// The physics of a run: network family, inputs, width and the orders n to measure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub network: Network,
    pub inputs: InputSet,
    pub width: usize,
    /// Even orders n >= 2, sorted ascending, without repeats.
    pub npt: Vec<usize>,
}

impl Settings {
    /// Validated settings: width >= 1, inputs of the network's dimension, every n even and
    /// its table small enough ([`check_table_size`]); `npt` is sorted and deduplicated.
    pub fn new(network: Network, inputs: InputSet, width: usize, npt: &[usize]) -> Result<Self> {
        if width == 0 {
            return Err(EnsembleError::Width);
        }
        if inputs.dim() != network.d_in() {
            return Err(nnqft_core::CoreError::Inputs(format!(
                "the points have {} coordinates but the network's input dimension is {}",
                inputs.dim(),
                network.d_in()
            ))
            .into());
        }
        let mut npt = npt.to_vec();
        npt.sort_unstable();
        npt.dedup();
        if npt.is_empty() {
            return Err(EnsembleError::NoOrders);
        }
        for &n in &npt {
            check_table_size(inputs.len(), n)?;
        }
        Ok(Settings {
            network,
            inputs,
            width,
            npt,
        })
    }

    /// Number of unique entries of the n-point table.
    pub fn entries(&self, n: usize) -> usize {
        nnqft_core::multiset_count(self.inputs.len(), n) as usize
    }

    /// Total entries over all requested orders (the accumulator layout: orders ascending,
    /// each in [`multisets`] order).
    pub fn total_entries(&self) -> usize {
        self.npt.iter().map(|&n| self.entries(n)).sum()
    }

    /// The sorted index multisets of every requested order, concatenated in accumulator order.
    pub fn entry_indices(&self) -> Vec<Vec<usize>> {
        self.npt
            .iter()
            .flat_map(|&n| multisets(self.inputs.len(), n))
            .collect()
    }
}

/// One RNG block: its global index, its experiment and how many networks it draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Block {
    pub index: u64,
    pub experiment: usize,
    pub nets: usize,
}

/// A full run: settings, `nets` networks split evenly into `experiments`, each experiment
/// into blocks of `block_size` networks with global indices
/// `e * blocks_per_experiment() + k`; block b draws from the stream of (seed, b) alone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub settings: Settings,
    pub nets: u64,
    pub experiments: usize,
    pub block_size: usize,
    pub seed: u64,
}

impl Plan {
    /// A validated plan with the default block size.
    pub fn new(settings: Settings, nets: u64, experiments: usize, seed: u64) -> Result<Self> {
        Plan::with_block_size(settings, nets, experiments, seed, DEFAULT_BLOCK_SIZE)
    }

    /// A validated plan: nets >= 2, experiments >= 1 dividing nets, block_size >= 1, and at
    /// most [`MAX_ACCUMULATORS`] entries x experiments.
    pub fn with_block_size(
        settings: Settings,
        nets: u64,
        experiments: usize,
        seed: u64,
        block_size: usize,
    ) -> Result<Self> {
        if nets < 2 {
            return Err(EnsembleError::Nets(nets));
        }
        if experiments == 0 {
            return Err(EnsembleError::Experiments);
        }
        let e = experiments as u64;
        if !nets.is_multiple_of(e) {
            return Err(EnsembleError::NotDivisible {
                nets,
                experiments,
                suggestion: nets.div_ceil(e) * e,
            });
        }
        if block_size == 0 {
            return Err(EnsembleError::TooLarge(
                "the block size must be at least 1".into(),
            ));
        }
        let total = settings.total_entries() as u64;
        if total.saturating_mul(e) > MAX_ACCUMULATORS {
            return Err(EnsembleError::TooLarge(format!(
                "{total} correlator entries x {experiments} experiments = {} accumulators, above the limit of {MAX_ACCUMULATORS} (about {} MB); use fewer inputs, orders or experiments",
                total * e,
                total * e * 100 / 1_000_000
            )));
        }
        Ok(Plan {
            settings,
            nets,
            experiments,
            block_size,
            seed,
        })
    }

    /// Networks per experiment.
    pub fn nets_per_experiment(&self) -> u64 {
        self.nets / self.experiments as u64
    }

    /// Blocks per experiment: ceil(nets_per_experiment / block_size).
    pub fn blocks_per_experiment(&self) -> u64 {
        self.nets_per_experiment().div_ceil(self.block_size as u64)
    }

    /// Total number of blocks.
    pub fn block_count(&self) -> u64 {
        self.blocks_per_experiment() * self.experiments as u64
    }

    /// The global block indices of experiment `e`.
    pub fn experiment_blocks(&self, e: usize) -> Range<u64> {
        let b = self.blocks_per_experiment();
        e as u64 * b..(e as u64 + 1) * b
    }

    /// Block `index`: its experiment and size.
    pub fn block(&self, index: u64) -> Result<Block> {
        let count = self.block_count();
        if index >= count {
            return Err(EnsembleError::BlockRange {
                block: index,
                count,
            });
        }
        let per = self.blocks_per_experiment();
        let k = index % per;
        let done = k * self.block_size as u64;
        let nets = (self.nets_per_experiment() - done).min(self.block_size as u64) as usize;
        Ok(Block {
            index,
            experiment: (index / per) as usize,
            nets,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nnqft_core::Arch;

    fn settings() -> Settings {
        let net = Network::paper(Arch::Erf);
        Settings::new(
            net,
            InputSet::paper(Arch::Erf, 1).unwrap(),
            3,
            &[6, 2, 4, 2],
        )
        .unwrap()
    }

    #[test]
    fn blocks_cover_every_network_once() {
        let plan = Plan::with_block_size(settings(), 3000, 3, 1, 300).unwrap();
        assert_eq!(plan.settings.npt, vec![2, 4, 6]);
        assert_eq!(plan.settings.total_entries(), 21 + 126 + 462);
        assert_eq!(plan.blocks_per_experiment(), 4);
        let mut per_exp = [0u64; 3];
        for b in 0..plan.block_count() {
            let blk = plan.block(b).unwrap();
            per_exp[blk.experiment] += blk.nets as u64;
            assert!(plan.experiment_blocks(blk.experiment).contains(&b));
        }
        assert_eq!(per_exp, [1000; 3]);
        assert!(plan.block(12).is_err());
    }

    #[test]
    fn refuses_bad_plans() {
        assert!(matches!(
            Plan::new(settings(), 1001, 10, 1),
            Err(EnsembleError::NotDivisible {
                suggestion: 1010,
                ..
            })
        ));
        assert!(Plan::new(settings(), 0, 10, 1).is_err());
        assert!(Plan::new(settings(), 100, 0, 1).is_err());
        let net = Network::paper(Arch::Erf);
        let xs = InputSet::paper(Arch::Erf, 1).unwrap();
        assert!(Settings::new(net, xs.clone(), 0, &[2]).is_err());
        assert!(Settings::new(net, xs.clone(), 5, &[3]).is_err());
        assert!(Settings::new(net, xs.clone(), 5, &[]).is_err());
        // 6 inputs at n = 20: 53130 entries, times 100 experiments: refused with the count.
        let s = Settings::new(net, xs, 5, &[20]).unwrap();
        let err = Plan::new(s, 1000, 100, 1).unwrap_err().to_string();
        assert!(err.contains("5313000"), "{err}");
    }
}
