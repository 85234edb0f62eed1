//! Couplings, renormalization-group flow, beta functions and effective-action fits for NN-QFT
//! (PHYSICS.md sections 5-7).
//!
//! Everything here works on plain data: correlator deviations ([`Deviations`], from a sampled
//! or exact `Measurement`) and vertex integrals ([`VertexIntegrals`], [`Operator`] columns).
//! The functions in [`fill`] compute those integrals with nnqft-integrate.

pub mod action;
pub mod data;
pub mod error;
pub mod fill;
pub mod integrals;
pub mod joint;
pub mod lsq;
pub mod models;
pub mod predict;
pub mod rg;
pub mod stats;

pub use action::{ActionCouplings, ActionError, RoundTrip, reconstruct, round_trip};
pub use data::Deviations;
pub use error::{FitError, Result};
pub use integrals::{Integral, VertexIntegrals};
pub use joint::{JointAtCutoff, JointFlow, joint_at, joint_flow};
pub use models::{
    FitData, FitReport, Metrics, Model, ModelFit, Operator, Weighting, fit_models, paper_models,
};
pub use predict::{Prediction, predict6};
pub use rg::{Couplings, LambdaAtCutoff, RgReport, lambda_at, rg_flow};
pub use stats::Value;
