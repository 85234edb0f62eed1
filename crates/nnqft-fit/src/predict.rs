//! The 6-point prediction (docs/conventions.md section 6): with lambda fixed from the 4-point function,
//! first order predicts DeltaG6 = -24 lambda sum_{15 splits} I4(four) K(pair).

use crate::data::Deviations;
use crate::error::{FitError, Result};
use crate::integrals::VertexIntegrals;
use crate::joint::six_splits;
use crate::rg::lambda_at;
use crate::stats::median;
use nnqft_core::Estimate;
use serde::{Deserialize, Serialize};

/// Predicted against measured DeltaG6 for every 6-multiset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// The cutoff L.
    pub cutoff: f64,
    /// The mean over 4-multisets of lambda = -DeltaG4 / (24 I4), with its error.
    pub lambda: Estimate,
    /// The sorted 6-multisets.
    pub tuples: Vec<Vec<usize>>,
    /// The predicted DeltaG6 per 6-multiset.
    pub predicted: Vec<f64>,
    /// |prediction| sigma(lambda)/|lambda|.
    pub predicted_error: Vec<f64>,
    /// The measured DeltaG6.
    pub measured: Vec<f64>,
    /// Its standard error.
    pub measured_error: Vec<f64>,
    /// predicted / measured (0 for an entry whose measured value is exactly 0, listed in
    /// `vanishing`).
    pub ratio: Vec<f64>,
    /// The 6-multisets whose measured DeltaG6 vanishes up to rounding (at most
    /// [`crate::VANISHING_I4`] of the largest |DeltaG6|): their ratio means nothing, and they
    /// are left out of the median.
    #[serde(default)]
    pub vanishing: Vec<Vec<usize>>,
    /// Median over the other entries of |predicted - measured| / |measured|.
    pub median_abs_rel_error: f64,
    /// Fraction of entries with |predicted - measured| <= sqrt(err_p^2 + err_m^2) (sampled
    /// source only; null when exact).
    pub fraction_within_error: Option<f64>,
}

/// Predict DeltaG6 from the mean lambda at the cutoff of `ints` and compare with the data.
pub fn predict6(dev: &Deviations, ints: &VertexIntegrals) -> Result<Prediction> {
    let dg6 = dev.dg6.as_ref().ok_or_else(|| {
        FitError::Data("the 6-point prediction needs the 6-point function".into())
    })?;
    let lam = lambda_at(dev, ints)?.mean;
    let tuples: Vec<Vec<usize>> = dg6.entries().iter().map(|e| e.index.clone()).collect();
    let splits = six_splits(dev, &tuples);
    let predicted: Vec<f64> = splits
        .iter()
        .map(|sp| -24.0 * lam.value * sp.iter().map(|&(r, k)| ints.x4[r].value * k).sum::<f64>())
        .collect();
    let rel = if lam.value == 0.0 {
        0.0
    } else {
        lam.error / lam.value.abs()
    };
    let predicted_error: Vec<f64> = predicted.iter().map(|p| p.abs() * rel).collect();
    let measured: Vec<f64> = dg6.entries().iter().map(|e| e.mean).collect();
    let measured_error: Vec<f64> = dg6.entries().iter().map(|e| e.stderr).collect();
    let largest = measured.iter().fold(0.0f64, |a, m| a.max(m.abs()));
    let vanishes: Vec<bool> = measured
        .iter()
        .map(|m| m.abs() <= crate::rg::VANISHING_I4 * largest)
        .collect();
    let ratio: Vec<f64> = predicted
        .iter()
        .zip(&measured)
        .map(|(p, m)| if *m == 0.0 { 0.0 } else { p / m })
        .collect();
    let kept: Vec<usize> = (0..measured.len()).filter(|&i| !vanishes[i]).collect();
    if kept.is_empty() {
        return Err(FitError::Undefined(
            "every measured DeltaG6 entry vanishes up to rounding: nothing to compare the prediction with".into(),
        ));
    }
    let rel_err: Vec<f64> = kept
        .iter()
        .map(|&i| ((predicted[i] - measured[i]) / measured[i]).abs())
        .collect();
    let fraction_within_error = dev.sampled.then(|| {
        let inside = (0..predicted.len())
            .filter(|&i| {
                (predicted[i] - measured[i]).abs() <= predicted_error[i].hypot(measured_error[i])
            })
            .count();
        inside as f64 / predicted.len() as f64
    });
    if let Some(i) =
        (0..predicted.len()).find(|&i| !(predicted[i].is_finite() && ratio[i].is_finite()))
    {
        return Err(FitError::Undefined(format!(
            "the prediction for {:?} is not finite (predicted {:e}, measured {:e})",
            tuples[i], predicted[i], measured[i]
        )));
    }
    let vanishing = (0..tuples.len())
        .filter(|&i| vanishes[i])
        .map(|i| tuples[i].clone())
        .collect();
    Ok(Prediction {
        cutoff: ints.cutoff,
        lambda: lam,
        tuples,
        median_abs_rel_error: median(&rel_err),
        predicted,
        predicted_error,
        measured,
        measured_error,
        ratio,
        vanishing,
        fraction_within_error,
    })
}
