//! The fields every coupling report (rg, predict, fit, action) starts with: the network, the
//! width and where the correlators came from.

use nnqft_core::Network;
use serde::Serialize;

/// The network, the width and the correlators' source ("exact", "sample" or a file name).
#[derive(Clone, Debug, Serialize)]
pub struct SourceHeader {
    /// The architecture's name.
    pub arch: String,
    /// sigma_w.
    pub sigma_w: f64,
    /// sigma_b.
    pub sigma_b: f64,
    /// Input dimension d.
    pub d_in: usize,
    /// Hidden-layer width N.
    pub width: usize,
    /// Where the correlators came from.
    pub source: String,
}

impl SourceHeader {
    /// The header of `net` at width `width` with correlators from `source`.
    pub fn new(net: &Network, width: usize, source: &dyn std::fmt::Display) -> Self {
        SourceHeader {
            arch: net.arch().name(),
            sigma_w: net.sigma_w(),
            sigma_b: net.sigma_b(),
            d_in: net.d_in(),
            width,
            source: source.to_string(),
        }
    }
}
