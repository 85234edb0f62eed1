//! How big a reproduction is: widths, networks per width, experiments, RG settings.

use crate::{ReportError, Result};
use nnqft_core::{Arch, paper};
use serde::Serialize;

/// The settings of one scale.
#[derive(Clone, Debug, Serialize)]
pub struct Scale {
    /// quick, paper or tiny.
    pub name: String,
    /// The widths of the sweeps.
    pub widths: Vec<usize>,
    /// Experiments per width.
    pub experiments: usize,
    /// Networks per width for widths up to 100, per architecture (erf, relu, gauss).
    pub nets_small: [u64; 3],
    /// Networks per width for widths above 100 (where the signal is far below any affordable
    /// background at quick scale, so fewer nets are spent there).
    pub nets_large: [u64; 3],
    /// Input dimensions of the ReLU-net RG flow.
    pub rg_dims: Vec<usize>,
    /// The cutoffs of every flow.
    pub rg_cutoffs: Vec<f64>,
}

/// The position of `arch` in the per-architecture arrays (the order of `Arch::ALL`).
fn arch_index(arch: Arch) -> usize {
    Arch::ALL.iter().position(|&a| a == arch).unwrap_or(0)
}

impl Scale {
    /// `quick` (default, minutes), `paper` (10 x 10^6 nets per width) or the hidden `tiny`
    /// (seconds, for tests); `nets` overrides the networks at every width.
    pub fn parse(name: &str, nets: Option<u64>) -> Result<Scale> {
        let mut s = match name {
            "quick" => Scale {
                name: "quick".into(),
                widths: paper::WIDTHS.to_vec(),
                experiments: paper::EXPERIMENTS,
                nets_small: [3_000_000, 2_000_000, 1_500_000],
                nets_large: [100_000, 100_000, 100_000],
                rg_dims: vec![1],
                rg_cutoffs: paper::CUTOFFS.to_vec(),
            },
            "paper" => Scale {
                name: "paper".into(),
                widths: paper::WIDTHS.to_vec(),
                experiments: paper::EXPERIMENTS,
                nets_small: [paper::EXPERIMENTS as u64 * paper::NETS_PER_EXPERIMENT; 3],
                nets_large: [paper::EXPERIMENTS as u64 * paper::NETS_PER_EXPERIMENT; 3],
                rg_dims: paper::RG_DIMS.to_vec(),
                rg_cutoffs: paper::CUTOFFS.to_vec(),
            },
            "tiny" => Scale {
                name: "tiny".into(),
                widths: vec![2, 5, 20],
                experiments: 4,
                nets_small: [8_000; 3],
                nets_large: [8_000; 3],
                rg_dims: vec![1],
                rg_cutoffs: vec![10.0, 100.0, 1000.0],
            },
            other => return Err(ReportError::UnknownScale(other.to_string())),
        };
        if let Some(n) = nets {
            if n == 0 {
                return Err(ReportError::NoNets);
            }
            s.nets_small = [n; 3];
            s.nets_large = [n; 3];
        }
        Ok(s)
    }

    /// Networks sampled at `width` for `arch`.
    pub fn nets(&self, arch: Arch, width: usize) -> u64 {
        let k = arch_index(arch);
        if width <= 100 {
            self.nets_small[k]
        } else {
            self.nets_large[k]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_spend_the_planned_networks() {
        let q = Scale::parse("quick", None).unwrap();
        // Per architecture (erf, relu, gauss) below and above width 100.
        assert_eq!(q.nets(Arch::Erf, 100), 3_000_000);
        assert_eq!(q.nets(Arch::Relu, 5), 2_000_000);
        assert_eq!(q.nets(Arch::Gauss, 20), 1_500_000);
        assert_eq!(q.nets(Arch::Gauss, 500), 100_000);
        let p = Scale::parse("paper", None).unwrap();
        // The paper's 10 experiments of 10^6 networks at each of its 10 widths.
        assert_eq!(p.nets(Arch::Relu, 1000), 10_000_000);
        assert_eq!(p.experiments, 10);
        assert_eq!(p.widths, [2, 3, 4, 5, 10, 20, 50, 100, 500, 1000]);
        assert_eq!(Scale::parse("tiny", Some(7)).unwrap().nets(Arch::Erf, 2), 7);
        assert!(matches!(
            Scale::parse("huge", None),
            Err(ReportError::UnknownScale(_))
        ));
        assert!(matches!(
            Scale::parse("quick", Some(0)),
            Err(ReportError::NoNets)
        ));
    }
}
