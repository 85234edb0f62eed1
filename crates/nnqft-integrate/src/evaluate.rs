//! An expansion evaluated at one tuple of inputs (docs/conventions.md section 5): every class
//! (or labelled diagram) with its bare integral, error, coefficient and contribution
//! coefficient x couplings x integral, and their total.
//!
//! A class's coefficient is the sum over its members (labelled diagrams that differ by the
//! placement of the external points), and its integral is the mean of the members'
//! integrals at the tuple, so that its value is the sum of the members' values.

use crate::cutoff::Cutoff;
use crate::diagram::{coefficient, diagram_integral, rational_to_f64};
use crate::error::{IntegrateError, Result};
use nnqft_core::Network;
use nnqft_diagrams::Expansion;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// One row of an evaluation: a class, or one labelled diagram of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Term {
    /// The class index (into `Expansion::classes`).
    pub class: usize,
    /// The labelled diagram's index (into `Expansion::diagrams`) when diagrams are listed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagram: Option<usize>,
    /// The coupling monomial ("lambda", "kappa^2", "1").
    pub monomial: String,
    /// The exact coefficient as a float.
    pub coefficient: f64,
    /// The bare integral (the members' mean for a class).
    pub integral: f64,
    /// Its quadrature error estimate.
    pub error: f64,
    /// coefficient x couplings x integral.
    pub value: f64,
}

/// The terms of an expansion at one tuple and their total.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// One term per class, or per labelled diagram.
    pub terms: Vec<Term>,
    /// The sum of the values.
    pub total: f64,
    /// Sum of |coefficient x couplings| x error over the terms.
    pub total_error: f64,
}

/// Evaluate every diagram of `e` with external point i at `points[i]`, under `cutoff`, with
/// the coupling values `couplings` (one per vertex kind, in `e.spec.vertices` order); one term
/// per labelled diagram when `per_diagram`, else per class. `progress` is called once per
/// diagram integrated (in parallel).
pub fn evaluate(
    net: &Network,
    e: &Expansion,
    points: &[&[f64]],
    cutoff: Cutoff,
    couplings: &[f64],
    per_diagram: bool,
    progress: &(dyn Fn() + Sync),
) -> Result<Evaluation> {
    if couplings.len() != e.spec.vertices.len() {
        return Err(IntegrateError::Diagram(format!(
            "{} coupling values for {} vertex kinds",
            couplings.len(),
            e.spec.vertices.len()
        )));
    }
    if let Some(g) = couplings.iter().find(|g| !g.is_finite()) {
        return Err(IntegrateError::Diagram(format!(
            "a coupling value must be finite, got {g}"
        )));
    }
    let weight = |m: &[u32]| -> f64 {
        m.iter()
            .zip(couplings)
            .map(|(&p, g)| g.powi(p as i32))
            .product()
    };
    let integrals = e
        .diagrams
        .par_iter()
        .map(|d| {
            let r = diagram_integral(net, d, points, cutoff);
            progress();
            r
        })
        .collect::<Result<Vec<_>>>()?;
    if let Some((i, est)) = integrals
        .iter()
        .enumerate()
        .find(|(_, est)| !(est.value.is_finite() && est.error.is_finite()))
    {
        return Err(IntegrateError::NonFinite(format!(
            "the integral of diagram {i} is {} (error {}) at the cutoff {cutoff}: the cutoff is too large for double precision",
            est.value, est.error
        )));
    }
    let mut terms = Vec::new();
    if per_diagram {
        for (i, (d, est)) in e.diagrams.iter().zip(&integrals).enumerate() {
            let c = coefficient(d);
            terms.push(Term {
                class: d.class,
                diagram: Some(i),
                monomial: e.monomial_name(&d.monomial),
                coefficient: c,
                integral: est.value,
                error: est.error,
                value: c * weight(&d.monomial) * est.value,
            });
        }
    } else {
        for class in &e.classes {
            let members: Vec<usize> = (0..e.diagrams.len())
                .filter(|&i| e.diagrams[i].class == class.id)
                .collect();
            let k = members.len() as f64;
            let integral = members.iter().map(|&i| integrals[i].value).sum::<f64>() / k;
            let error = members.iter().map(|&i| integrals[i].error).sum::<f64>() / k;
            let c = rational_to_f64(&class.coefficient);
            terms.push(Term {
                class: class.id,
                diagram: None,
                monomial: e.monomial_name(&class.monomial),
                coefficient: c,
                integral,
                error,
                value: c * weight(&class.monomial) * integral,
            });
        }
    }
    let total: f64 = terms.iter().map(|t| t.value).sum();
    if let Some(t) = terms.iter().find(|t| !t.value.is_finite()) {
        return Err(IntegrateError::NonFinite(format!(
            "the {} term of class {} overflows double precision (coefficient {:e}, integral {:e}): the couplings or the cutoff are too large",
            t.monomial, t.class, t.coefficient, t.integral
        )));
    }
    if !total.is_finite() {
        return Err(IntegrateError::NonFinite(
            "the sum of the terms overflows double precision: the couplings or the cutoff are too large".into(),
        ));
    }
    let total_error = terms
        .iter()
        .map(|t| (t.value / t.integral).abs() * t.error)
        .filter(|v| v.is_finite())
        .fold(0.0, |a, v| a + v); // from +0: an empty f64 sum is -0
    Ok(Evaluation {
        terms,
        total,
        total_error,
    })
}
