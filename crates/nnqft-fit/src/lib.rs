//! Couplings, renormalization-group flow, beta functions and effective-action fits for NN-QFT
//! (docs/conventions.md sections 5-7).
//!
//! Everything here works on plain data: correlator deviations ([`Deviations`], from a sampled
//! or exact `Measurement`) and vertex integrals ([`VertexIntegrals`], [`Operator`] columns).
//! The functions in [`fill`] compute those integrals with nnqft-integrate.
//!
//! ```
//! use nnqft_core::{Arch, InputSet, Network};
//! use nnqft_fit::{Couplings, fill, rg_flow};
//! // ReLU-net (sb = 0, d = 1): I4 = x1 x2 x3 x4 L^5 / 80, so lambda runs as L^-5.
//! let net = Network::paper(Arch::Relu);
//! let xs = InputSet::from_scalars(&[0.5, 1.0]).unwrap();
//! let dev = fill::exact_deviations(&net, 20, &xs, false).unwrap();
//! let ints = fill::vertex_integrals(&net, &xs, &[10.0, 100.0], false).unwrap();
//! let flow = rg_flow(&dev, &ints, Couplings::Lambda).unwrap();
//! assert!((flow.slope.unwrap() + 5.0).abs() < 1e-9);
//! ```

#![deny(missing_docs)]

pub mod action;
mod data;
mod error;
pub mod fill;
mod header;
mod integrals;
mod joint;
mod lsq;
mod models;
mod predict;
mod rg;
pub mod stats;

pub use action::{ActionCouplings, ActionError, RoundTrip, reconstruct, round_trip};
pub use data::{Deviations, MAX_CORRELATOR, MIN_EXACT_DEVIATION};
pub use error::{FitError, Result};
pub use header::SourceHeader;
pub use integrals::{Integral, VertexIntegrals};
pub use joint::{JointAtCutoff, JointFlow, joint_at, joint_flow};
pub use lsq::{Solution, solve};
pub use models::{
    FitData, FitReport, Metrics, Model, ModelFit, Operator, Weighting, fit_models, paper_models,
};
pub use nnqft_core::Estimate;
pub use predict::{Prediction, predict6};
pub use rg::{
    Couplings, DegenerateTuple, LambdaAtCutoff, NEAR_ZERO_I4, Quartiles, RgReport, VANISHING_I4,
    degenerate_tuples, lambda_at, rg_flow,
};
