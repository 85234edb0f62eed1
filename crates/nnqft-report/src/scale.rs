//! How big a reproduction is: widths, networks per width, experiments, RG settings.

use anyhow::{Result, bail};
use nnqft_core::Arch;
use nnqft_ensemble::PAPER_WIDTHS;
use serde::Serialize;

/// The paper's ReLU cutoff list (`nnqft rg` default).
pub const PAPER_CUTOFFS: [f64; 21] = [
    7.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 70.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0,
    7000.0, 10000.0, 20000.0, 40000.0, 60000.0, 80000.0, 100000.0,
];

/// The settings of one scale.
#[derive(Clone, Debug, Serialize)]
pub struct Scale {
    pub name: String,
    pub widths: Vec<usize>,
    pub experiments: usize,
    /// Networks per width for widths up to 100, per architecture (erf, relu, gauss).
    pub nets_small: [u64; 3],
    /// Networks per width for widths above 100 (where the signal is far below any affordable
    /// background at quick scale, so fewer nets are spent there).
    pub nets_large: [u64; 3],
    /// Input dimensions of the ReLU-net RG flow.
    pub rg_dims: Vec<usize>,
    pub rg_cutoffs: Vec<f64>,
}

fn arch_index(arch: Arch) -> usize {
    match arch {
        Arch::Erf => 0,
        Arch::Relu => 1,
        Arch::Gauss => 2,
    }
}

impl Scale {
    /// `quick` (default, minutes), `paper` (10 x 10^6 nets per width) or the hidden `tiny`
    /// (seconds, for tests); `nets` overrides the networks at every width.
    pub fn parse(name: &str, nets: Option<u64>) -> Result<Scale> {
        let mut s = match name {
            "quick" => Scale {
                name: "quick".into(),
                widths: PAPER_WIDTHS.to_vec(),
                experiments: 10,
                nets_small: [3_000_000, 2_000_000, 1_500_000],
                nets_large: [100_000, 100_000, 100_000],
                rg_dims: vec![1],
                rg_cutoffs: PAPER_CUTOFFS.to_vec(),
            },
            "paper" => Scale {
                name: "paper".into(),
                widths: PAPER_WIDTHS.to_vec(),
                experiments: 10,
                nets_small: [10_000_000; 3],
                nets_large: [10_000_000; 3],
                rg_dims: vec![1, 2, 3],
                rg_cutoffs: PAPER_CUTOFFS.to_vec(),
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
            other => bail!("--scale must be quick or paper, got '{other}'"),
        };
        if let Some(n) = nets {
            if n == 0 {
                bail!("--nets must be positive");
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
