//! Single-vertex integrals I = int_{[-L,L]^d} w(y) prod_a K_int(x_a, y) d^d y, their cutoff
//! derivative, and tables of them over all index multisets of an input set.

use crate::cutoff::{Cutoff, Weight};
use crate::error::{IntegrateError, Result};
use crate::graph::{Lines, Problem};
use nnqft_core::Estimate;
use nnqft_core::{InputSet, Network, multisets};
use rayon::prelude::*;

fn star(points: &[&[f64]]) -> Result<()> {
    if points.is_empty() {
        return Err(IntegrateError::Points(
            "a vertex needs at least one point".into(),
        ));
    }
    Ok(())
}

fn star_problem<'a>(net: &'a Network, points: &[&'a [f64]], weight: Weight) -> Problem<'a> {
    Problem {
        net,
        points: points.to_vec(),
        n_int: 1,
        products: vec![Lines {
            ext: (0..points.len()).map(|p| (p, 0)).collect(),
            int: vec![],
        }],
        weight,
    }
}

/// I = int_{[-L,L]^d} w(y) prod_a K_int(x_a, y) d^d y with K_int = K - sb^2 (docs/conventions.md
/// section 6); `Cutoff::INFINITE` only for Gauss-net.
pub fn vertex_integral(
    net: &Network,
    points: &[&[f64]],
    cutoff: Cutoff,
    weight: Weight,
) -> Result<Estimate> {
    star(points)?;
    Ok(star_problem(net, points, weight).integrate(cutoff)?[0])
}

/// dI/dL = the integrand w(y) prod_a K_int(x_a, y) integrated over the 2d faces of the box
/// [-L, L]^d (d = 1: its values at y = L and y = -L).
pub fn vertex_integral_derivative(
    net: &Network,
    points: &[&[f64]],
    cutoff: f64,
    weight: Weight,
) -> Result<Estimate> {
    star(points)?;
    Ok(star_problem(net, points, weight).derivative(cutoff)?[0])
}

/// Single-vertex integrals for every sorted n-multiset of an input set, at several cutoffs.
#[derive(Clone, Debug, PartialEq)]
pub struct VertexTable {
    /// The index multisets, in [`multisets`] order.
    pub tuples: Vec<Vec<usize>>,
    /// The cutoffs, in the order of `values`.
    pub cutoffs: Vec<Cutoff>,
    /// values[k][t]: cutoff k, tuple t.
    pub values: Vec<Vec<Estimate>>,
}

/// The table I(x_{t_1}..x_{t_n}; L) for all sorted n-multisets t and every cutoff: one
/// vector-valued adaptive quadrature per cutoff, the kernels K_int(x_i, y) evaluated once per
/// node for all tuples; cutoffs in parallel.
pub fn vertex_table(
    net: &Network,
    inputs: &InputSet,
    n: usize,
    cutoffs: &[Cutoff],
    weight: Weight,
) -> Result<VertexTable> {
    if n == 0 {
        return Err(IntegrateError::Points(
            "a vertex needs at least one point".into(),
        ));
    }
    let tuples = multisets(inputs.len(), n);
    let points: Vec<&[f64]> = inputs.points().iter().map(|p| p.as_slice()).collect();
    let products: Vec<Lines> = tuples
        .iter()
        .map(|t| Lines {
            ext: t.iter().map(|&p| (p, 0)).collect(),
            int: vec![],
        })
        .collect();
    let values = cutoffs
        .par_iter()
        .map(|&c| {
            Problem {
                net,
                points: points.clone(),
                n_int: 1,
                products: products.clone(),
                weight,
            }
            .integrate(c)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(VertexTable {
        tuples,
        cutoffs: cutoffs.to_vec(),
        values,
    })
}

/// J(a, b) = int_{[-L,L]^d} K_int(x_a, y) K_int(x_b, y) d^d y for every pair a <= b of an
/// input set, in [`multisets`]`(m, 2)` order.
pub fn pair_table(net: &Network, inputs: &InputSet, cutoff: Cutoff) -> Result<VertexTable> {
    vertex_table(net, inputs, 2, &[cutoff], Weight::One)
}
