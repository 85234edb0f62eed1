//! Pure combinatorics of the NN-QFT effective action: Wick pairings, Feynman diagrams as
//! multigraphs, exact symmetry factors and coefficients, classes, and LaTeX output.
//!
//! Invariant: nothing in this crate touches floating point; every coefficient is exact.

pub mod pairing;

pub use pairing::{Pairings, pairing_count};
