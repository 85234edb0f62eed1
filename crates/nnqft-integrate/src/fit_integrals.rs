//! The fit integrals of docs/conventions.md section 7: T0 = 24 I4, T2 = 24 int |y|^2 prod K_int, and
//! the non-local TNL = 8 sum over the three channels of products of two-point integrals.

use crate::cutoff::{Cutoff, Weight};
use crate::error::Result;
use crate::graph::{Lines, Problem};
use crate::vertex::vertex_integral;
use nnqft_core::Estimate;
use nnqft_core::{InputSet, Network, multiset_rank, multisets};

/// T0 = 24 int_{[-L,L]^d} prod_{a=1..4} K_int(x_a, y) d^d y.
pub fn t0(net: &Network, x: [&[f64]; 4], cutoff: Cutoff) -> Result<Estimate> {
    Ok(vertex_integral(net, &x, cutoff, Weight::One)?.scale(24.0))
}

/// T2 = 24 int_{[-L,L]^d} |y|^2 prod_{a=1..4} K_int(x_a, y) d^d y.
pub fn t2(net: &Network, x: [&[f64]; 4], cutoff: Cutoff) -> Result<Estimate> {
    Ok(vertex_integral(net, &x, cutoff, Weight::NormSquared)?.scale(24.0))
}

/// The three channels (ab|cd) of four positions.
const CHANNELS: [[usize; 4]; 3] = [[0, 1, 2, 3], [0, 2, 1, 3], [0, 3, 1, 2]];

/// TNL = 8 sum_{3 channels (ab|cd)} J(a,b) J(c,d), J(a,b) = int K_int(x_a,y) K_int(x_b,y) d^d y:
/// each channel of int int K(x_a,y)K(x_b,y)K(x_c,z)K(x_d,z) factorizes.
pub fn tnl(net: &Network, x: [&[f64]; 4], cutoff: Cutoff) -> Result<Estimate> {
    // The 6 pairs (a, b) a < b, computed in one vector quadrature.
    let pairs: Vec<(usize, usize)> = (0..4)
        .flat_map(|a| (a + 1..4).map(move |b| (a, b)))
        .collect();
    let problem = Problem {
        net,
        points: x.to_vec(),
        n_int: 1,
        products: pairs
            .iter()
            .map(|&(a, b)| Lines {
                ext: vec![(a, 0), (b, 0)],
                int: vec![],
            })
            .collect(),
        weight: Weight::One,
    };
    let j = problem.integrate(cutoff)?;
    let get = |a: usize, b: usize| j[pairs.iter().position(|&p| p == (a, b)).expect("pair")];
    let mut total = Estimate::exact(0.0);
    for [a, b, c, d] in CHANNELS {
        total = total + get(a, b) * get(c, d);
    }
    Ok(total.scale(8.0))
}

/// TNL for every sorted 4-multiset of an input set (in [`multisets`] order), from the
/// pair integrals J(a, b) computed once.
pub fn tnl_table(net: &Network, inputs: &InputSet, cutoff: Cutoff) -> Result<Vec<Estimate>> {
    let m = inputs.len();
    let j = crate::vertex::pair_table(net, inputs, cutoff)?
        .values
        .remove(0);
    let get = |a: usize, b: usize| j[multiset_rank(m, &[a.min(b), a.max(b)])];
    Ok(multisets(m, 4)
        .into_iter()
        .map(|t| {
            let mut total = Estimate::exact(0.0);
            for [a, b, c, d] in CHANNELS {
                total = total + get(t[a], t[b]) * get(t[c], t[d]);
            }
            total.scale(8.0)
        })
        .collect())
}
