//! How big a reproduction is: widths, networks per width, experiments, RG settings.

use crate::{ReportError, Result};
use nnqft_core::{Arch, paper};
use nnqft_ensemble::Estimator;
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
    /// Networks per width for widths above 100 (with the direct estimator the signal is far
    /// below any affordable background there at quick scale, so fewer nets are spent).
    pub nets_large: [u64; 3],
    /// Networks per width of the Erf-net sweep with the other estimator (the side-by-side
    /// comparison of the two estimators' backgrounds).
    pub comparison_nets: u64,
    /// Input dimensions of the ReLU-net RG flow.
    pub rg_dims: Vec<usize>,
    /// The cutoffs of every flow.
    pub rg_cutoffs: Vec<f64>,
}

/// Quick scale, conditional estimator: networks per width up to width 100 (erf, relu, gauss).
const QUICK_CONDITIONAL_SMALL: [u64; 3] = [200_000, 200_000, 200_000];
/// Quick scale, conditional estimator: networks per width above width 100 (the Erf-net's
/// connected 6-point function at N = 1000, whose relative error grows like sqrt(N), needs
/// about 400 000 to stand at twice its error).
const QUICK_CONDITIONAL_LARGE: [u64; 3] = [400_000, 200_000, 100_000];
/// Quick scale: networks per width of the direct Erf-net sweep beside a conditional run.
const QUICK_DIRECT_COMPARISON: u64 = 100_000;
/// Quick scale: networks per width of the conditional Erf-net sweep beside a direct run.
const QUICK_CONDITIONAL_COMPARISON: u64 = 100_000;

/// The position of `arch` in the per-architecture arrays (the order of `Arch::PAPER`).
fn arch_index(arch: Arch) -> usize {
    Arch::PAPER.iter().position(|&a| a == arch).unwrap_or(0)
}

impl Scale {
    /// `quick` (default, seconds), `paper` (10 x 10^6 nets per width) or the hidden `tiny`
    /// (for tests), for sampling with `estimator`; `nets` overrides the networks at every
    /// width (also of the comparison sweep).
    ///
    /// The quick scale's nets depend on the estimator: the direct one spends millions of nets
    /// below width 100 (its background does not fall with N, the signal does); the
    /// conditional one resolves m_4 at every paper width with far fewer (its relative errors
    /// do not grow with N for kappa4, and grow like sqrt(N) for kappa6).
    pub fn parse(name: &str, nets: Option<u64>, estimator: Estimator) -> Result<Scale> {
        let mut s = match name {
            "quick" => {
                let (nets_small, nets_large, comparison_nets) = match estimator {
                    Estimator::Direct => (
                        [3_000_000, 2_000_000, 1_500_000],
                        [100_000, 100_000, 100_000],
                        QUICK_CONDITIONAL_COMPARISON,
                    ),
                    Estimator::Conditional => (
                        QUICK_CONDITIONAL_SMALL,
                        QUICK_CONDITIONAL_LARGE,
                        QUICK_DIRECT_COMPARISON,
                    ),
                };
                Scale {
                    name: "quick".into(),
                    widths: paper::WIDTHS.to_vec(),
                    experiments: paper::EXPERIMENTS,
                    nets_small,
                    nets_large,
                    comparison_nets,
                    rg_dims: vec![1],
                    rg_cutoffs: paper::CUTOFFS.to_vec(),
                }
            }
            "paper" => Scale {
                name: "paper".into(),
                widths: paper::WIDTHS.to_vec(),
                experiments: paper::EXPERIMENTS,
                nets_small: [paper::EXPERIMENTS as u64 * paper::NETS_PER_EXPERIMENT; 3],
                nets_large: [paper::EXPERIMENTS as u64 * paper::NETS_PER_EXPERIMENT; 3],
                comparison_nets: paper::NETS_PER_EXPERIMENT,
                rg_dims: paper::RG_DIMS.to_vec(),
                rg_cutoffs: paper::CUTOFFS.to_vec(),
            },
            "tiny" => Scale {
                name: "tiny".into(),
                widths: vec![2, 5, 20],
                experiments: 4,
                nets_small: [8_000; 3],
                nets_large: [8_000; 3],
                comparison_nets: 8_000,
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
            s.comparison_nets = n;
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
        let q = Scale::parse("quick", None, Estimator::Direct).unwrap();
        // Per architecture (erf, relu, gauss) below and above width 100.
        assert_eq!(q.nets(Arch::Erf, 100), 3_000_000);
        assert_eq!(q.nets(Arch::Relu, 5), 2_000_000);
        assert_eq!(q.nets(Arch::Gauss, 20), 1_500_000);
        assert_eq!(q.nets(Arch::Gauss, 500), 100_000);
        // The conditional estimator needs far fewer nets (and at least 2 experiments).
        let c = Scale::parse("quick", None, Estimator::Conditional).unwrap();
        assert!(c.nets(Arch::Erf, 5) < q.nets(Arch::Erf, 5));
        assert!(c.experiments >= 2 && c.comparison_nets > 0);
        assert_eq!(c.widths.last(), Some(&1000));
        let p = Scale::parse("paper", None, Estimator::Conditional).unwrap();
        // The paper's 10 experiments of 10^6 networks at each of its 10 widths.
        assert_eq!(p.nets(Arch::Relu, 1000), 10_000_000);
        assert_eq!(p.experiments, 10);
        assert_eq!(p.widths, [2, 3, 4, 5, 10, 20, 50, 100, 500, 1000]);
        assert_eq!(
            Scale::parse("tiny", Some(7), Estimator::Direct)
                .unwrap()
                .nets(Arch::Erf, 2),
            7
        );
        assert!(matches!(
            Scale::parse("huge", None, Estimator::Direct),
            Err(ReportError::UnknownScale(_))
        ));
        assert!(matches!(
            Scale::parse("quick", Some(0), Estimator::Conditional),
            Err(ReportError::NoNets)
        ));
    }
}
