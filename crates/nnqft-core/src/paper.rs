//! The settings of Halverson, Maiti and Stoner, *Neural Networks and Quantum Field Theory*
//! (arXiv:2008.08601), as data in one place: the width sweeps, the cutoffs, the NGP widths of
//! the running study and of Table 5, the inputs, and the Table 5 values the paper publishes.
//! Commands use them as defaults and the reproduction report as its settings; this is the one
//! module allowed to match on the three paper architectures for them.
//!
//! ```
//! use nnqft_core::{Arch, paper};
//! assert_eq!(paper::rg_width(Arch::Relu), 20);
//! assert_eq!(paper::fit_cutoff(Arch::Gauss), None); // infinite
//! assert_eq!(paper::CUTOFFS.len(), 21);
//! ```

use crate::arch::Arch;
use crate::error::{CoreError, Result};
use crate::inputs::InputSet;

/// The widths N of the paper's width sweeps (Figures 1-3).
pub const WIDTHS: [usize; 10] = [2, 3, 4, 5, 10, 20, 50, 100, 500, 1000];

/// Experiments per width in the paper's sweeps.
pub const EXPERIMENTS: usize = 10;

/// Networks per experiment in the paper's sweeps (10 experiments of 10^6 nets per width).
pub const NETS_PER_EXPERIMENT: u64 = 1_000_000;

/// The cutoffs L of the paper's ReLU-net running figure, increasing.
pub const CUTOFFS: [f64; 21] = [
    7.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 70.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0,
    7000.0, 10000.0, 20000.0, 40000.0, 60000.0, 80000.0, 100000.0,
];

/// Input dimensions d of the paper's ReLU-net running study (slope -(4 + d)).
pub const RG_DIMS: [usize; 3] = [1, 2, 3];

/// The cutoff L of the 6-point prediction from the quartic coupling.
pub const PREDICTION_CUTOFF: f64 = 100.0;

/// Table 5's train inputs are its test inputs times this factor, sqrt(2)/2 (as the paper's code).
pub const TRAIN_SCALE: f64 = std::f64::consts::SQRT_2 / 2.0;

/// The paper's six one-dimensional inputs for `arch`: Erf-net -1, -0.6, ..., 1; Gauss-net the
/// same times 0.01; ReLU-net 0.2, 0.4, ..., 1.2 (docs/conventions.md section 3). Other
/// activations take those of their class: the positively homogeneous ones (leaky ReLU, abs,
/// linear) ReLU-net's, every other one Erf-net's.
pub fn inputs(arch: Arch) -> [f64; 6] {
    let erf = [-1.0, -0.6, -0.2, 0.2, 0.6, 1.0];
    match class(arch) {
        Arch::Gauss => erf.map(|x| 0.01 * x),
        Arch::Relu => [0.2, 0.4, 0.6, 0.8, 1.0, 1.2],
        _ => erf,
    }
}

/// The paper architecture whose settings `arch` shares: Gauss-net for the log-normal
/// activation, ReLU-net for the positively homogeneous ones, Erf-net for every other one.
fn class(arch: Arch) -> Arch {
    if arch.translation_invariant_kernel() {
        Arch::Gauss
    } else if arch.positively_homogeneous() {
        Arch::Relu
    } else {
        Arch::Erf
    }
}

/// The NGP width of the paper's running study (and of the 6-point prediction): ReLU-net 20,
/// Erf-net 5, Gauss-net 100 (other activations: those of their class, as [`inputs`]).
pub fn rg_width(arch: Arch) -> usize {
    match class(arch) {
        Arch::Relu => 20,
        Arch::Gauss => 100,
        _ => 5,
    }
}

/// The NGP width of Table 5: Gauss-net 1000, Erf-net 5, ReLU-net 20 (other activations:
/// those of their class, as [`inputs`]).
pub fn fit_width(arch: Arch) -> usize {
    match class(arch) {
        Arch::Gauss => 1000,
        Arch::Relu => 20,
        _ => 5,
    }
}

/// Table 5's test inputs: 0.2 k s for k = 1..6, with s = 0.01 (Gauss-net, Erf-net) or 1
/// (ReLU-net), on the diagonal x (1, ..., 1) of R^d.
pub fn test_inputs(arch: Arch, d: usize) -> Result<InputSet> {
    if d == 0 {
        return Err(CoreError::Dimension(d));
    }
    let scale = if class(arch) == Arch::Relu { 1.0 } else { 0.01 };
    InputSet::new((1..=6).map(|k| vec![0.2 * k as f64 * scale; d]).collect())
}

/// Table 5's cutoff of the operator integrals: None (infinite) for Gauss-net, else 100.
pub fn fit_cutoff(arch: Arch) -> Option<f64> {
    (class(arch) != Arch::Gauss).then_some(100.0)
}

/// The Table 5 entry the paper publishes for `model` (M0..M3) of `arch`: test MAPE in
/// percent and, where quoted, test MSE. M0 (no interaction) is 100% by definition.
pub fn table5(arch: Arch, model: &str) -> Option<(f64, Option<f64>)> {
    match (arch, model) {
        (_, "M0") => Some((100.0, None)),
        (Arch::Gauss, "M1") => Some((0.0145, Some(6.8e-10))),
        (Arch::Relu, "M1") => Some((0.0035, Some(7.6e-12))),
        (Arch::Erf, "M2") => Some((0.0042, Some(1.9e-11))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_are_well_formed() {
        assert!(CUTOFFS.windows(2).all(|w| w[0] < w[1]), "cutoffs increase");
        assert!(WIDTHS.windows(2).all(|w| w[0] < w[1]), "widths increase");
        for arch in Arch::PAPER {
            // The paper's inputs, as printed in its text (0.01 x for Gauss-net).
            let want: [f64; 6] = match arch {
                Arch::Erf => [-1.0, -0.6, -0.2, 0.2, 0.6, 1.0],
                Arch::Gauss => [-0.01, -0.006, -0.002, 0.002, 0.006, 0.01],
                _ => [0.2, 0.4, 0.6, 0.8, 1.0, 1.2],
            };
            for (x, w) in inputs(arch).iter().zip(want) {
                assert!((x - w).abs() < 1e-15, "{arch:?}: {x} vs {w}");
            }
            let t = test_inputs(arch, 2).unwrap();
            assert!((t.points()[5][1] / t.points()[0][0] - 6.0).abs() < 1e-12);
            assert!(table5(arch, "M0").is_some());
        }
        assert_eq!(fit_cutoff(Arch::Erf), Some(100.0));
        assert!((TRAIN_SCALE * TRAIN_SCALE - 0.5).abs() < 1e-15);
    }
}
