//! Diagram integrals under a cutoff and exact finite-width correlators for NN-QFT
//! (conventions: docs/conventions.md sections 4-7).
//!
//! - [`vertex_integral`], [`vertex_integral_derivative`], [`vertex_table`]: single-vertex
//!   integrals of products of K_int over the box [-L, L]^d and dI/dL over its faces.
//! - [`t0`], [`t2`], [`tnl`], [`tnl_table`]: the fit integrals of the paper's Table 5.
//! - [`OneNeuronMoments`], [`exact_tables`], [`exact_measurement`]: exact correlators at any width.
//!
//! ```
//! use nnqft_core::{Arch, Network};
//! use nnqft_integrate::{Cutoff, Weight, vertex_integral};
//! // ReLU-net, sb = 0, d = 1: I4 = x1 x2 x3 x4 L^5 / 80 for positive inputs.
//! let net = Network::paper(Arch::Relu);
//! let x: [&[f64]; 4] = [&[0.2], &[0.4], &[0.6], &[0.8]];
//! let i = vertex_integral(&net, &x, Cutoff::finite(10.0).unwrap(), Weight::One).unwrap();
//! let want = 0.2 * 0.4 * 0.6 * 0.8 * 1e5 / 80.0;
//! assert!((i.value / want - 1.0).abs() < 1e-12);
//! ```

#![deny(missing_docs)]

mod cutoff;
mod deep;
mod diagram;
mod error;
mod evaluate;
mod evaluation_report;
mod exact;
mod fit_integrals;
mod graph;
mod kinked;
mod moments;
mod piecewise;
mod prefix_tree;
mod quad;
mod sphere;
mod tensor_rule;
mod vertex;

pub use cutoff::{Cutoff, Weight, number};
pub use deep::{
    DeepTensors, DepthPoint, deep_measurement, deep_tensors, depth_point, normalized_connected4,
};
pub use diagram::{coefficient, diagram_integral, rational_to_f64};
pub use error::{IntegrateError, Result};
pub use evaluate::{Evaluation, Term, evaluate};
pub use evaluation_report::{
    EvaluationReport, EvaluationSettings, EvaluationTable, TermRecord, TupleRecord,
};
pub use exact::{ExactTables, exact_measurement, exact_tables};
pub use fit_integrals::{t0, t2, tnl, tnl_table};
pub use graph::{Lines, MAX_INTEGRATION_DIM, Problem};
pub use moments::{MAX_LATENT_DIM, OneNeuronMoments, moment};
pub use nnqft_core::Estimate;
pub use quad::{Breaks, MAX_DIM, Nested, Tol, gauss_hermite, gauss_legendre};
pub use vertex::{
    VertexTable, pair_table, vertex_integral, vertex_integral_derivative, vertex_table,
};
