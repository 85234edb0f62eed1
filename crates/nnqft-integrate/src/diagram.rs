//! Values of labelled Feynman diagrams at a tuple of inputs (docs/conventions.md section 5): the
//! integral over each internal vertex y in [-L, L]^d of the product of its propagators,
//! K_int = K - sb^2 on lines touching a vertex (self-loops K_int(y, y)), the full K on free
//! lines between external points.

use crate::cutoff::{Cutoff, Weight};
use crate::error::{IntegrateError, Result};
use crate::graph::{Lines, Problem};
use nnqft_core::Estimate;
use nnqft_core::Network;
use nnqft_diagrams::Diagram;
use num_traits::ToPrimitive;

/// The bare integral of a diagram's propagator product, point i of the diagram at
/// `points[i]` (no coefficient, no couplings); a diagram without internal vertices is the
/// product of K over its free lines, exactly.
pub fn diagram_integral(
    net: &Network,
    diagram: &Diagram,
    points: &[&[f64]],
    cutoff: Cutoff,
) -> Result<Estimate> {
    let n = diagram.n_external;
    if points.len() != n {
        return Err(IntegrateError::Points(format!(
            "the diagram has {n} external points but {} were given",
            points.len()
        )));
    }
    let nodes = n + diagram.internal.len();
    let mut free = 1.0;
    let mut lines = Lines::default();
    for &(a, b) in &diagram.edges {
        let (a, b) = (a.min(b), a.max(b));
        if b >= nodes {
            return Err(IntegrateError::Diagram(format!(
                "line ({a}, {b}) refers to a node beyond the {nodes} nodes"
            )));
        }
        match (a < n, b < n) {
            (true, true) => free *= net.kernel(points[a], points[b]),
            (true, false) => lines.ext.push((a, b - n)),
            _ => lines.int.push((a - n, b - n)),
        }
    }
    let problem = Problem {
        net,
        points: points.to_vec(),
        n_int: diagram.internal.len(),
        products: vec![lines],
        weight: Weight::One,
    };
    Ok(problem.integrate(cutoff)?[0].scale(free))
}

/// A diagram's exact rational coefficient as a float.
pub fn coefficient(diagram: &Diagram) -> f64 {
    rational_to_f64(&diagram.coefficient)
}

/// An exact rational (a coefficient of nnqft-diagrams) as the nearest float.
pub fn rational_to_f64(r: &num_rational::BigRational) -> f64 {
    r.to_f64().unwrap_or(f64::NAN)
}
