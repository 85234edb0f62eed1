//! Pure combinatorics of the NN-QFT effective action: Wick pairings, Feynman diagrams as
//! multigraphs, exact symmetry factors and coefficients, classes, and LaTeX output.
//!
//! Conventions (PHYSICS.md section 5): Delta S = int sum_k g_k f^k; a diagram with internal
//! vertices of degrees k has the coefficient prod(-k! g_k)/|Aut|, |Aut| counting the
//! automorphisms that fix every external point. Vacuum bubbles never appear.
//!
//! Invariant: nothing in this crate touches floating point; every coefficient is exact.

mod canon;
pub mod diagram;
pub mod estimate;
pub mod generate;
pub mod insertion;
pub mod latex;
pub mod pairing;
pub mod spec;
pub mod text;
pub mod tikz;

pub use diagram::{Class, Diagram, Expansion, Node, monomial_name};
pub use generate::{estimate, expand};
pub use insertion::has_two_point_insertion;
pub use pairing::{Pairings, pairing_count};
pub use spec::{DEFAULT_MAX_DIAGRAMS, DiagramError, ExpansionSpec, VertexKind};
