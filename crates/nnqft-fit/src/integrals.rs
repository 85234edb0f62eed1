//! The vertex integrals the couplings need, as plain numbers per tuple and cutoff, so that
//! any source (nnqft-integrate, closed forms, synthetic tests) can supply them.

use serde::{Deserialize, Serialize};

/// An integral over the box [-L, L]^d and its derivative dI/dL.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Integral {
    /// I(L).
    pub value: f64,
    /// dI/dL.
    pub d_dl: f64,
}

/// Every vertex integral at one cutoff L, per sorted index multiset of the inputs (in
/// `nnqft_core::multisets` order).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VertexIntegrals {
    /// The cutoff L.
    pub cutoff: f64,
    /// I4 = int prod_{a=1..4} K_int(x_a, y) dy per 4-multiset (the X diagram without its -24 lambda).
    pub x4: Vec<Integral>,
    /// J4 = int prod_{a=1..4} K_int(x_a, y) K_int(y, y) dy per 4-multiset (the kappa X with a loop).
    pub loop4: Option<Vec<Integral>>,
    /// I6 = int prod_{a=1..6} K_int(x_a, y) dy per 6-multiset (the kappa 6-star).
    pub star6: Option<Vec<Integral>>,
}
