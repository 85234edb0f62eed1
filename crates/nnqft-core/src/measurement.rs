//! A measured (sampled) or exact set of n-point functions: the data model behind the JSON of
//! `nnqft sample` and `nnqft exact`, shared by the crates that produce and consume it.

use crate::{Arch, BiasDist, Network, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One entry of a full correlator with its Gaussian-process prediction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeasuredEntry {
    /// The sorted input indices (a multiset of 0..m).
    pub index: Vec<usize>,
    /// G^(n) at this entry: the sample mean, or the exact value.
    pub mean: f64,
    /// Standard error of `mean` (0 when exact).
    pub stderr: f64,
    /// G_GP^(n) at this entry (Wick).
    pub gp: f64,
    /// Standard deviation of the estimate across experiments divided by gp; null when it is
    /// undefined (fewer than two experiments, or an exact source).
    pub background: Option<f64>,
}

/// The paper's width-level summary of one n: signal m_n = mean over entries of
/// |G - G_GP| / G_GP, and background = mean over entries of (std across experiments) / G_GP.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// m_n: the mean over entries of abs(G - G_GP) / G_GP.
    pub signal: f64,
    /// The mean over entries of the spread across experiments / G_GP (null when undefined).
    pub background: Option<f64>,
}

/// One entry of a connected function (a cumulant).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectedEntry {
    /// The sorted input indices (a multiset of 0..m).
    pub index: Vec<usize>,
    /// The cumulant's value.
    pub mean: f64,
    /// Its standard error (0 when exact).
    pub stderr: f64,
}

fn one() -> usize {
    1
}

fn is_one(v: &usize) -> bool {
    *v == 1
}

/// Everything `nnqft sample` (or `nnqft exact`, with zero errors and no experiments) reports.
/// Maps are keyed by n as a string ("2", "4", "6") so that the JSON reads naturally.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// The architecture.
    pub arch: Arch,
    /// sigma_w of the network.
    pub sigma_w: f64,
    /// sigma_b of the network.
    pub sigma_b: f64,
    /// Input dimension d.
    pub d_in: usize,
    /// The hidden-bias distribution (omitted when normal).
    #[serde(default, skip_serializing_if = "BiasDist::is_normal")]
    pub bias: BiasDist,
    /// Hidden-layer width N.
    pub width: usize,
    /// Hidden layers L (docs/conventions.md section 11); omitted from JSON when 1.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub depth: usize,
    /// The order of an exact source: "1/n" for the leading finite-width correction of a deep
    /// network; absent for a sampled source and for exact values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    /// Networks sampled in all (0 for an exact source).
    pub nets: u64,
    /// Experiments the networks were split into (0 for an exact source).
    pub experiments: usize,
    /// RNG seed (null for an exact source).
    pub seed: Option<u64>,
    /// The input points, each with d coordinates.
    pub inputs: Vec<Vec<f64>>,
    /// G^(n) per n ("2", "4", "6"), one entry per sorted index multiset.
    pub correlators: BTreeMap<String, Vec<MeasuredEntry>>,
    /// The connected functions (cumulants) per n ("4", "6").
    pub connected: BTreeMap<String, Vec<ConnectedEntry>>,
    /// The signal/background summary per n.
    pub summary: BTreeMap<String, Summary>,
    /// Caveats about the estimate (e.g. errors that cannot be trusted); empty when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl Summary {
    /// The caveat for `count` entries of order n whose GP prediction is zero (e.g. ReLU-net
    /// with sb = 0 at an input x = 0, where K = 0): they are left out of m_n and the background,
    /// whose ratios they would make infinite.
    pub fn zero_gp_warning(n: usize, count: usize) -> String {
        format!("n={n}: {count} entries have a zero GP prediction and are left out of the summary")
    }
}

impl Measurement {
    /// The network family, validated as [`Network::new`] does (a file edited to an invalid
    /// sigma or dimension is refused here).
    pub fn network(&self) -> Result<Network> {
        Network::new(self.arch, self.sigma_w, self.sigma_b, self.d_in)?
            .with_bias(self.bias)
            .with_depth(self.depth)
    }
}
