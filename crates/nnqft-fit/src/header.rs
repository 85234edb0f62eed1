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
    /// Hidden layers L (docs/conventions.md section 11); omitted when 1.
    #[serde(skip_serializing_if = "is_one")]
    pub depth: usize,
    /// Where the correlators came from.
    pub source: String,
    /// "1/n" when the correlators of a deep network come from the exact source: its connected
    /// 4-point function at leading order in 1/n; omitted otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
}

fn is_one(v: &usize) -> bool {
    *v == 1
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
            depth: net.depth(),
            order: (net.depth() > 1 && source.to_string() == "exact").then(|| "1/n".to_string()),
            source: source.to_string(),
        }
    }
}
