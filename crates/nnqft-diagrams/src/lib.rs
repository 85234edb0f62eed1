//! Pure combinatorics of the NN-QFT effective action: Wick pairings, Feynman diagrams as
//! multigraphs, exact symmetry factors and coefficients, classes, and LaTeX output.
//!
//! Conventions (docs/conventions.md section 5): Delta S = int sum_k g_k f^k; a diagram with internal
//! vertices of degrees k has the coefficient prod(-k! g_k)/|Aut|, |Aut| counting the
//! automorphisms that fix every external point. Vacuum bubbles never appear.
//!
//! Invariant: nothing in this crate touches floating point; every coefficient is exact.
//!
//! ```
//! use nnqft_diagrams::{ExpansionSpec, expand};
//! use num_rational::BigRational;
//! // G4 at first order: the X diagram carries -4! lambda = -24 lambda.
//! let e = expand(&ExpansionSpec::new(4, 1)).unwrap();
//! let x = e.classes.iter().find(|c| e.monomial_name(&c.monomial) == "lambda").unwrap();
//! assert_eq!(x.coefficient, BigRational::from_integer((-24).into()));
//! ```

#![deny(missing_docs)]

mod canon;
mod diagram;
mod dot;
mod estimate;
mod generate;
mod insertion;
pub mod json;
pub mod latex;
mod spec;
pub mod text;
pub mod tikz;

pub use diagram::{Class, Diagram, Expansion, Node, monomial_name};
pub use dot::dot;
pub use generate::{MAX_GENERATOR_WORK, estimate, expand};
pub use insertion::has_two_point_insertion;
pub use spec::{DEFAULT_MAX_DIAGRAMS, DiagramError, ExpansionSpec, VertexKind};
