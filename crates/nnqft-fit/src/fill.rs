//! Filling the plain data of this crate from nnqft-integrate: vertex integrals with their
//! cutoff derivatives, the Table-5 operator columns, and exact deviations.

use crate::data::Deviations;
use crate::error::Result;
use crate::integrals::{Integral, VertexIntegrals};
use crate::models::Operator;
use nnqft_core::{InputSet, Network, multisets};
use nnqft_integrate::{Cutoff, Weight, exact_measurement, tnl_table, vertex_table};
use nnqft_integrate::{Lines, Problem};
use rayon::prelude::*;

/// int prod_{a in t} K_int(x_a, y) [K_int(y, y) when `self_loop`] dy and its L-derivative for
/// every sorted n-multiset t of the inputs, one vector quadrature per cutoff.
fn star_table(
    net: &Network,
    inputs: &InputSet,
    n: usize,
    self_loop: bool,
    cutoff: f64,
) -> Result<Vec<Integral>> {
    let problem = Problem {
        net,
        points: inputs.points().iter().map(|p| p.as_slice()).collect(),
        n_int: 1,
        products: multisets(inputs.len(), n)
            .into_iter()
            .map(|t| Lines {
                ext: t.into_iter().map(|p| (p, 0)).collect(),
                int: if self_loop { vec![(0, 0)] } else { vec![] },
            })
            .collect(),
        weight: Weight::One,
    };
    let values = problem.integrate(Cutoff::finite(cutoff)?)?;
    let derivs = problem.derivative(cutoff)?;
    Ok(values
        .iter()
        .zip(&derivs)
        .map(|(v, d)| Integral {
            value: v.value,
            d_dl: d.value,
        })
        .collect())
}

/// The vertex integrals at each cutoff: I4 always; J4 (X with a loop) and I6 (6-star) when
/// `kappa`. Cutoffs in parallel.
pub fn vertex_integrals(
    net: &Network,
    inputs: &InputSet,
    cutoffs: &[f64],
    kappa: bool,
) -> Result<Vec<VertexIntegrals>> {
    cutoffs
        .par_iter()
        .map(|&l| {
            Ok(VertexIntegrals {
                cutoff: l,
                x4: star_table(net, inputs, 4, false, l)?,
                loop4: kappa
                    .then(|| star_table(net, inputs, 4, true, l))
                    .transpose()?,
                star6: kappa
                    .then(|| star_table(net, inputs, 6, false, l))
                    .transpose()?,
            })
        })
        .collect()
}

/// The paper's operator columns per sorted 4-multiset: lambda_0 with T0 = 24 I4, lambda_2 with
/// T2 = 24 int |y|^2 prod K_int, lambda_NL with TNL (docs/conventions.md section 7).
pub fn paper_operators(net: &Network, inputs: &InputSet, cutoff: Cutoff) -> Result<Vec<Operator>> {
    let column = |weight| -> Result<Vec<f64>> {
        Ok(vertex_table(net, inputs, 4, &[cutoff], weight)?.values[0]
            .iter()
            .map(|e| 24.0 * e.value)
            .collect())
    };
    Ok(vec![
        Operator {
            coupling: "lambda_0".into(),
            values: column(Weight::One)?,
        },
        Operator {
            coupling: "lambda_2".into(),
            values: column(Weight::NormSquared)?,
        },
        Operator {
            coupling: "lambda_NL".into(),
            values: tnl_table(net, inputs, cutoff)?
                .iter()
                .map(|e| e.value)
                .collect(),
        },
    ])
}

/// Exact DeltaG4 (and DeltaG6 when `six`) at width N, from one-neuron moments; for a deep
/// network (depth >= 2) the connected 4-point function at order 1/n (with G2 = K + K1/n; the
/// 6-point function is not available there: an error when `six`).
pub fn exact_deviations(
    net: &Network,
    width: usize,
    inputs: &InputSet,
    six: bool,
) -> Result<Deviations> {
    let npts: &[usize] = match (six, net.depth() > 1) {
        (true, true) => &[2, 4, 6],
        (false, true) => &[2, 4],
        (true, false) => &[4, 6],
        (false, false) => &[4],
    };
    Deviations::from_measurement(&exact_measurement(net, width, inputs, npts)?)
}
