//! SVG figures: a small, general description of a 2-d chart ([`Figure`] with [`Series`])
//! rendered with plotters' SVG backend to a string, and written atomically.
//!
//! ```ignore
//! use crate::plot::{Figure, Series};
//! let fig = Figure::new("m_4 against width", "log10 N", "log10 m_4")
//!     .with(Series::line_points("signal", vec![(0.3, -1.0), (1.0, -1.7)]))
//!     .with(Series::error_bars("data", vec![(0.5, -1.2)], vec![0.1]));
//! fig.write(std::path::Path::new("m4.svg"))?;
//! ```
//! Axes are linear: plot log10 values for a log scale (and say so in the labels).

pub mod caption;
pub mod deep;
mod figure;
pub mod sweep;

#[allow(unused_imports)]
pub use figure::{Figure, Series, Style};
