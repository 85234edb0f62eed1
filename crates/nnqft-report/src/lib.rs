//! The reproduction report of `nnqft reproduce` as data: each stage of the paper (GP check,
//! exact overlay, RG flow, 6-point prediction, Table 5 fits, diagram expansions) computes a
//! serializable struct with the library crates, with no I/O; [`render`] turns the structs
//! into report.md, a pure function of them (so the report and the JSON files always agree).
//! Files, figures, lualatex and progress bars are the caller's.
//!
//! ```
//! use nnqft_report::{Scale, diagrams, fits};
//! // The two stages that need no sampling.
//! let t = fits::run(&()).unwrap();
//! assert_eq!(t.archs.len(), 3);
//! let (d, tex) = diagrams::run().unwrap();
//! assert!(tex.starts_with("\\documentclass") && !d.classes.is_empty());
//! let section = fits::section(&t);
//! assert!(section.body.contains("| Gauss-net | M1 |"));
//! let tiny = Scale::parse("tiny", None, nnqft_ensemble::Estimator::Conditional).unwrap();
//! assert_eq!(tiny.widths, vec![2, 5, 20]);
//! ```

#![deny(missing_docs)]

pub mod diagrams;
mod error;
pub mod exact_overlay;
pub mod fits;
pub mod gp_check;
pub mod markdown;
pub mod prediction;
mod progress;
mod render;
pub mod rg;
pub mod scale;
pub mod summary;

pub use error::ReportError;
pub use progress::Progress;
pub use render::{RunInfo, render, sections};
pub use scale::Scale;

/// What every sampling stage needs: how big, which seed, how many threads.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// The scale of the run.
    pub scale: Scale,
    /// RNG seed of the sampling stage.
    pub seed: u64,
    /// Worker threads for sampling (None: the current rayon pool).
    pub threads: Option<usize>,
    /// The estimator of the stage-1 sweeps (docs/conventions.md section 8); the Erf-net is
    /// also sampled with the other one, for the comparison of their backgrounds.
    pub estimator: nnqft_ensemble::Estimator,
}

/// One section of report.md: its `## title` and Markdown body.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// The heading, without the `##`.
    pub title: String,
    /// The Markdown body.
    pub body: String,
}

/// The crate's result type.
pub type Result<T, E = ReportError> = std::result::Result<T, E>;
