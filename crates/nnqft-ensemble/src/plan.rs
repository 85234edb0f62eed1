//! What a sampling run is: settings, number of networks, experiments, seed, and the split of
//! the networks into RNG blocks (the unit of reproducibility, parallelism and sharding).

use crate::error::{EnsembleError, Result};
use nnqft_core::{InputSet, Network, check_table_size, multisets};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

/// Networks per RNG block (the last block of an experiment may be shorter).
pub const DEFAULT_BLOCK_SIZE: usize = 1024;

/// Refuse runs whose accumulators (entries x experiments) exceed this count: each holds two
/// exact sums and a maximum, roughly 120 bytes.
pub const MAX_ACCUMULATORS: u64 = 2_000_000;

/// Refuse settings whose finish would sum more Wick pairing terms than this: the Gaussian
/// part of every n-point entry is a sum over its (n-1)!! pairings (about 200 ns each, so
/// the limit is a few seconds; n = 18 at one input is 34 million).
pub const MAX_PAIRING_TERMS: u128 = 10_000_000;

/// Refuse to sample more than this many operations in one process (a network costs about
/// width x inputs x (d + 2) for its hidden layer plus one per accumulator entry): about 9
/// core-hours at [`OPS_PER_CORE_SECOND`]. Larger runs are split into shards.
pub const MAX_WORK: u128 = 10_000_000_000_000;

/// The sampler's speed assumed by the estimates (operations per second per core, measured
/// on a 2-core x86-64 machine: 3e8 to 8e8).
pub const OPS_PER_CORE_SECOND: f64 = 3e8;

/// Refuse thread pools larger than this (each thread has its own scratch buffers and stack).
pub const MAX_THREADS: usize = 1024;

/// A number of seconds as a short human estimate ("about 3 s", "about 2.5 hours", ...).
pub(crate) fn human_seconds(s: f64) -> String {
    if s < 120.0 {
        format!("about {s:.0} s")
    } else if s < 7200.0 {
        format!("about {:.0} minutes", s / 60.0)
    } else if s < 2.0 * 86400.0 {
        format!("about {:.1} hours", s / 3600.0)
    } else if s < 2.0 * 365.0 * 86400.0 {
        format!("about {:.0} days", s / 86400.0)
    } else {
        format!("about {:.1e} years", s / (365.0 * 86400.0))
    }
}

/// How the n-point functions are estimated from the sampled networks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Estimator {
    /// The output layer integrated out (docs/conventions.md section 8): given the hidden
    /// layer, f is a Gaussian process with the random kernel
    /// Q(x, x') = sb^2 + (sW^2/N) sum_j phi_j(x) phi_j(x'), so G2 = E[Q], and kappa4 and
    /// kappa6 are sums of joint cumulants of Q's entries, estimated by unbiased k-statistics.
    /// W1 and b1 are never drawn. Orders up to 6.
    Conditional,
    /// Products of the sampled outputs f(x_1)...f(x_n) averaged over the networks (the
    /// paper's estimator).
    Direct,
}

impl Estimator {
    /// Highest order n the conditional estimator measures (it needs joint cumulants of Q's
    /// entries up to order n/2).
    pub const CONDITIONAL_MAX_ORDER: usize = 6;

    /// Both estimators.
    pub const ALL: [Estimator; 2] = [Estimator::Conditional, Estimator::Direct];

    /// The lowercase name ("conditional", "direct").
    pub fn name(self) -> &'static str {
        match self {
            Estimator::Conditional => "conditional",
            Estimator::Direct => "direct",
        }
    }

    /// Whether this is [`Estimator::Direct`] (runs saved before the estimators existed were
    /// direct, and a direct plan serializes without the field).
    pub fn is_direct(&self) -> bool {
        *self == Estimator::Direct
    }

    fn direct() -> Self {
        Estimator::Direct
    }
}

impl fmt::Display for Estimator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Estimator {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Estimator::ALL
            .into_iter()
            .find(|e| e.name() == s)
            .ok_or_else(|| format!("unknown estimator '{s}' (conditional or direct)"))
    }
}

/// The physics of a run: network family, inputs, width and the orders n to measure, and the
/// estimator.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SettingsFields")]
pub struct Settings {
    pub(crate) network: Network,
    pub(crate) inputs: InputSet,
    pub(crate) width: usize,
    /// Even orders n >= 2, sorted ascending, without repeats.
    pub(crate) npt: Vec<usize>,
    /// How the correlators are estimated ([`Settings::new`]: direct; see
    /// [`Settings::with_estimator`]).
    #[serde(skip_serializing_if = "Estimator::is_direct")]
    pub(crate) estimator: Estimator,
}

/// The serialized form of [`Settings`], validated by the constructors on the way in (a shard
/// header edited by hand cannot smuggle in settings the sampler would refuse).
#[derive(Deserialize)]
struct SettingsFields {
    network: Network,
    inputs: InputSet,
    width: usize,
    npt: Vec<usize>,
    #[serde(default = "Estimator::direct")]
    estimator: Estimator,
}

impl TryFrom<SettingsFields> for Settings {
    type Error = EnsembleError;

    fn try_from(f: SettingsFields) -> Result<Self> {
        let s = Settings::new(f.network, f.inputs, f.width, &f.npt)?.with_estimator(f.estimator)?;
        if s.npt != f.npt {
            return Err(EnsembleError::Mismatch(
                "the orders n are not sorted without repeats (edited by hand?)".into(),
            ));
        }
        Ok(s)
    }
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
        // The pairing count first: it bounds n (n = 18 is already too many), so the table
        // sizes below are computed for small n only.
        let terms = pairing_terms(inputs.len(), &npt);
        if terms > MAX_PAIRING_TERMS {
            let shown = if terms == u128::MAX {
                "more than 10^38".to_string()
            } else {
                terms.to_string()
            };
            return Err(EnsembleError::TooLarge(format!(
                "the Gaussian parts of the n = {npt:?} tables are sums of {shown} Wick pairing terms in all ({} to finish), above the limit of {MAX_PAIRING_TERMS}; use lower orders or fewer inputs",
                human_seconds(terms as f64 * 2e-7)
            )));
        }
        for &n in &npt {
            check_table_size(inputs.len(), n)?;
        }
        crate::deep::check_deep(network.depth(), inputs.len(), width)?;
        Ok(Settings {
            network,
            inputs,
            width,
            npt,
            estimator: Estimator::Direct,
        })
    }

    /// The same settings measured with `estimator`: the conditional one takes orders up to
    /// [`Estimator::CONDITIONAL_MAX_ORDER`].
    pub fn with_estimator(mut self, estimator: Estimator) -> Result<Self> {
        if estimator == Estimator::Conditional {
            let n = *self.npt.last().expect("validated: npt is non-empty");
            if n > Estimator::CONDITIONAL_MAX_ORDER {
                return Err(EnsembleError::ConditionalOrder(n));
            }
        }
        self.estimator = estimator;
        Ok(self)
    }

    /// The network family.
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// The inputs.
    pub fn inputs(&self) -> &InputSet {
        &self.inputs
    }

    /// The hidden-layer width N.
    pub fn width(&self) -> usize {
        self.width
    }

    /// The orders n, even, ascending, without repeats.
    pub fn npt(&self) -> &[usize] {
        &self.npt
    }

    /// The estimator.
    pub fn estimator(&self) -> Estimator {
        self.estimator
    }

    /// The operations to sample one network (the estimate behind [`MAX_WORK`]):
    /// width x inputs x (d + 2) for the hidden layer plus one per accumulator entry.
    pub fn work_per_net(&self) -> u128 {
        let m = self.inputs.len() as u128;
        let d = self.network.d_in() as u128;
        (self.width as u128)
            .saturating_mul(m)
            .saturating_mul(d + 2)
            .saturating_add(self.total_entries() as u128)
    }

    /// Number of entries of Q (the pairs a <= b of inputs): the values per network of the
    /// conditional estimator.
    pub fn kernel_entries(&self) -> usize {
        let m = self.inputs.len();
        m * (m + 1) / 2
    }

    /// The degrees of the monomials summed per network: the orders n of the direct
    /// estimator (monomials of the outputs f), or 1..=max n/2 for the conditional one
    /// (monomials of Q's entries, the power sums of its k-statistics).
    pub fn accumulator_degrees(&self) -> Vec<usize> {
        match self.estimator {
            Estimator::Direct => self.npt.clone(),
            Estimator::Conditional => (1..=self.npt.last().copied().unwrap_or(2) / 2).collect(),
        }
    }

    /// Number of unique entries of the n-point table.
    pub fn entries(&self, n: usize) -> usize {
        nnqft_core::multiset_count(self.inputs.len(), n) as usize
    }

    /// Number of accumulator entries per experiment (the layout of [`crate::ExperimentSums`]):
    /// the monomials of [`Settings::accumulator_degrees`], degrees ascending, each in
    /// [`multisets`] order, over the m outputs (direct: every correlator entry of every
    /// requested order) or over the m(m+1)/2 entries of Q (conditional).
    pub fn total_entries(&self) -> usize {
        let rows = self.accumulator_rows();
        self.accumulator_degrees()
            .into_iter()
            .map(|n| nnqft_core::multiset_count(rows, n).min(u64::MAX as u128) as usize)
            .fold(0usize, usize::saturating_add)
    }

    /// The values per network whose monomials are summed: the m outputs (direct) or the
    /// m(m+1)/2 entries of Q (conditional).
    pub fn accumulator_rows(&self) -> usize {
        match self.estimator {
            Estimator::Direct => self.inputs.len(),
            Estimator::Conditional => self.kernel_entries(),
        }
    }

    /// The sorted index multisets of every accumulator entry, concatenated in accumulator
    /// order: over the inputs (direct), or over Q's entries numbered in
    /// `multisets(m, 2)` order (conditional).
    pub fn entry_indices(&self) -> Vec<Vec<usize>> {
        let rows = self.accumulator_rows();
        self.accumulator_degrees()
            .into_iter()
            .flat_map(|n| multisets(rows, n))
            .collect()
    }
}

/// The Wick pairing terms of the Gaussian parts of every entry of the n-point tables over
/// `m` inputs: sum over n of C(m + n - 1, n) (n - 1)!! (saturating at u128::MAX, and
/// quickly so for huge n).
pub fn pairing_terms(m: usize, npt: &[usize]) -> u128 {
    npt.iter()
        .map(|&n| {
            // (n-1)!! for even n, saturating: past 2^128 by n = 60, so the loop is short.
            let mut pairings: u128 = 1;
            let mut k: u128 = 1;
            while k < n as u128 && pairings != u128::MAX {
                pairings = pairings.saturating_mul(k);
                k += 2;
            }
            if pairings == u128::MAX || n > 200 {
                u128::MAX
            } else {
                nnqft_core::multiset_count(m, n).saturating_mul(pairings)
            }
        })
        .fold(0u128, u128::saturating_add)
}

/// One RNG block: its global index, its experiment and how many networks it draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Block {
    /// The global block index.
    pub index: u64,
    /// The experiment it belongs to.
    pub experiment: usize,
    /// How many networks it draws.
    pub nets: usize,
}

/// How many networks a run draws, how they are split, and from which seed: named fields
/// instead of a list of integers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sampling {
    /// Networks in all (at least 2, a multiple of `experiments`).
    pub nets: u64,
    /// Independent experiments the networks are split into (for the background).
    pub experiments: usize,
    /// The seed every block's stream derives from.
    pub seed: u64,
    /// Networks per RNG block ([`DEFAULT_BLOCK_SIZE`] unless a test wants small blocks).
    pub block_size: usize,
}

impl Sampling {
    /// `nets` networks in `experiments` experiments from `seed`, in blocks of
    /// [`DEFAULT_BLOCK_SIZE`].
    pub fn new(nets: u64, experiments: usize, seed: u64) -> Self {
        Sampling {
            nets,
            experiments,
            seed,
            block_size: DEFAULT_BLOCK_SIZE,
        }
    }
}

/// A full run: settings, `nets` networks split evenly into `experiments`, each experiment
/// into blocks of `block_size` networks with global indices
/// `e * blocks_per_experiment() + k`; block b draws from the stream of (seed, b) alone.
/// Valid by construction ([`Plan::with`]), also when read back from a shard file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "PlanFields")]
pub struct Plan {
    pub(crate) settings: Settings,
    pub(crate) nets: u64,
    pub(crate) experiments: usize,
    pub(crate) block_size: usize,
    pub(crate) seed: u64,
}

/// The serialized form of a [`Plan`] (field order as before), validated by [`Plan::with`].
#[derive(Deserialize)]
struct PlanFields {
    settings: Settings,
    nets: u64,
    experiments: usize,
    block_size: usize,
    seed: u64,
}

impl TryFrom<PlanFields> for Plan {
    type Error = EnsembleError;

    fn try_from(f: PlanFields) -> Result<Self> {
        Plan::with(
            f.settings,
            Sampling {
                nets: f.nets,
                experiments: f.experiments,
                seed: f.seed,
                block_size: f.block_size,
            },
        )
    }
}

impl Plan {
    /// A validated plan with the default block size.
    pub fn new(settings: Settings, nets: u64, experiments: usize, seed: u64) -> Result<Self> {
        Plan::with(settings, Sampling::new(nets, experiments, seed))
    }

    /// A validated plan: nets >= 2, experiments >= 1 dividing nets, block_size >= 1, and at
    /// most [`MAX_ACCUMULATORS`] entries x experiments.
    pub fn with(settings: Settings, sampling: Sampling) -> Result<Self> {
        let Sampling {
            nets,
            experiments,
            seed,
            block_size,
        } = sampling;
        if nets < 2 {
            return Err(EnsembleError::Nets(nets));
        }
        if experiments == 0 {
            return Err(EnsembleError::Experiments);
        }
        let e = experiments as u64;
        if !nets.is_multiple_of(e) {
            // The next multiple of e, or the one below if that does not fit in 64 bits.
            let suggestion = (nets / e)
                .checked_add(1)
                .and_then(|k| k.checked_mul(e))
                .unwrap_or(nets / e * e);
            return Err(EnsembleError::NotDivisible {
                nets,
                experiments,
                suggestion,
            });
        }
        if settings.estimator == Estimator::Conditional
            && experiments < 2
            && settings.npt.iter().any(|&n| n >= 4)
        {
            return Err(EnsembleError::ConditionalExperiments);
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

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Networks in all.
    pub fn nets(&self) -> u64 {
        self.nets
    }

    /// Experiments.
    pub fn experiments(&self) -> usize {
        self.experiments
    }

    /// Networks per RNG block.
    pub fn block_size(&self) -> usize {
        self.block_size
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The sampling part: networks, experiments, seed, block size.
    pub fn sampling(&self) -> Sampling {
        Sampling {
            nets: self.nets,
            experiments: self.experiments,
            seed: self.seed,
            block_size: self.block_size,
        }
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

    /// Refuse to sample `blocks` blocks of this plan in one process if that is more than
    /// [`MAX_WORK`] operations ([`Settings::work_per_net`] per network), with the estimate.
    pub fn check_work(&self, blocks: u64) -> Result<()> {
        let nets = (blocks as u128 * self.block_size as u128).min(self.nets as u128);
        let work = nets.saturating_mul(self.settings.work_per_net());
        if work > MAX_WORK {
            let cores = std::thread::available_parallelism().map_or(1, |c| c.get()) as f64;
            return Err(EnsembleError::TooLarge(format!(
                "sampling {nets} networks of width {} at {} inputs is about {work:.1e} operations ({} on {cores} cores), above the limit of {MAX_WORK:.0e} per process; use fewer networks or a smaller width, or split the run with --shard I/S across jobs",
                self.settings.width,
                self.settings.inputs.len(),
                human_seconds(work as f64 / OPS_PER_CORE_SECOND / cores),
            )));
        }
        Ok(())
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
        let plan = Plan::with(
            settings(),
            crate::Sampling {
                nets: 3000,
                experiments: 3,
                seed: 1,
                block_size: 300,
            },
        )
        .unwrap();
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
        // 40 inputs at n = 4: C(43, 4) = 123410 entries, times 100 experiments: refused with
        // the count.
        let forty = InputSet::new((0..40).map(|i| vec![i as f64 / 40.0]).collect()).unwrap();
        let s = Settings::new(net, forty, 5, &[4]).unwrap();
        let err = Plan::new(s, 1000, 100, 1).unwrap_err().to_string();
        assert!(err.contains("12341000"), "{err}");
        // 6 inputs at n = 20: 53130 entries of 19!! = 654729075 Wick terms each, refused
        // by the finish's cost; n = 258 saturates instead of overflowing.
        let err = Settings::new(net, xs.clone(), 5, &[20])
            .unwrap_err()
            .to_string();
        assert!(err.contains(&(53130u128 * 654729075).to_string()), "{err}");
        assert_eq!(pairing_terms(1, &[258]), u128::MAX);
        assert_eq!(pairing_terms(3, &[2, 4]), 6 + 15 * 3);
        // Work per process: 10^12 networks of width 5 at 6 inputs is 1.1e14 operations.
        let s = Settings::new(net, xs.clone(), 5, &[2]).unwrap();
        let p = Plan::new(s, 1_000_000_000_000, 10, 1).unwrap();
        assert!(p.check_work(p.block_count()).is_err());
        assert!(p.check_work(10).is_ok());
        // The suggested multiple fits in 64 bits.
        let s = Settings::new(net, xs.clone(), 5, &[2]).unwrap();
        assert!(matches!(
            Plan::new(s, u64::MAX, 10, 1),
            Err(EnsembleError::NotDivisible {
                suggestion: 18446744073709551610,
                ..
            })
        ));
        // The conditional estimator: orders up to 6, and 2 experiments for n >= 4 (the
        // 2-point function alone takes its error from the networks).
        let c = |npt: &[usize]| {
            Settings::new(net, InputSet::paper(Arch::Erf, 1).unwrap(), 5, npt)
                .unwrap()
                .with_estimator(Estimator::Conditional)
        };
        assert!(matches!(
            c(&[2, 8]),
            Err(EnsembleError::ConditionalOrder(8))
        ));
        assert!(matches!(
            Plan::new(c(&[2, 4]).unwrap(), 100, 1, 1),
            Err(EnsembleError::ConditionalExperiments)
        ));
        assert!(Plan::new(c(&[2]).unwrap(), 100, 1, 1).is_ok());
        // Accumulators: 21 entries of Q, 231 pairs and 1771 triples of them.
        assert_eq!(c(&[2, 4, 6]).unwrap().total_entries(), 21 + 231 + 1771);
        assert_eq!(c(&[4]).unwrap().total_entries(), 21 + 231);
        assert_eq!(
            c(&[2, 4, 6]).unwrap().entry_indices().len(),
            c(&[2, 4, 6]).unwrap().total_entries()
        );
    }

    #[test]
    fn estimators_parse_print_and_serialize() {
        for e in Estimator::ALL {
            assert_eq!(e.name().parse::<Estimator>().unwrap(), e);
            assert_eq!(e.to_string(), e.name());
        }
        assert!("Direct".parse::<Estimator>().is_err());
        // A direct plan serializes as before the estimators existed; a conditional one says so.
        let d = settings();
        assert!(!serde_json::to_string(&d).unwrap().contains("estimator"));
        let c = d.clone().with_estimator(Estimator::Conditional).unwrap();
        let json = serde_json::to_string(&c).unwrap();
        assert!(json.contains("\"estimator\":\"conditional\""), "{json}");
        let back: Settings = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c);
    }
}
