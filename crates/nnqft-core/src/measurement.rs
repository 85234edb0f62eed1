//! A measured (sampled) or exact set of n-point functions: the data model behind the JSON of
//! `nnqft sample` and `nnqft exact`, shared by the crates that produce and consume it.

use crate::arch::Arch;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One entry of a full correlator with its Gaussian-process prediction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeasuredEntry {
    pub index: Vec<usize>,
    pub mean: f64,
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
    pub signal: f64,
    pub background: Option<f64>,
}

/// One entry of a connected function (a cumulant).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectedEntry {
    pub index: Vec<usize>,
    pub mean: f64,
    pub stderr: f64,
}

/// Everything `nnqft sample` (or `nnqft exact`, with zero errors and no experiments) reports.
/// Maps are keyed by n as a string ("2", "4", "6") so that the JSON reads naturally.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    pub arch: Arch,
    pub sigma_w: f64,
    pub sigma_b: f64,
    pub d_in: usize,
    pub width: usize,
    /// Networks sampled in all (0 for an exact source).
    pub nets: u64,
    /// Experiments the networks were split into (0 for an exact source).
    pub experiments: usize,
    /// RNG seed (null for an exact source).
    pub seed: Option<u64>,
    pub inputs: Vec<Vec<f64>>,
    pub correlators: BTreeMap<String, Vec<MeasuredEntry>>,
    pub connected: BTreeMap<String, Vec<ConnectedEntry>>,
    pub summary: BTreeMap<String, Summary>,
    /// Caveats about the estimate (e.g. errors that cannot be trusted); empty when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}
