//! The report of `nnqft reproduce`: one module per stage of the paper, each computing its
//! numbers with the library crates into a serializable struct, then rendering its Markdown
//! section and figures from that same struct (so the report and the JSON always agree).

pub mod diagrams;
pub mod exact_overlay;
pub mod files;
pub mod fits;
pub mod gp_check;
pub mod markdown;
pub mod prediction;
pub mod rg;
pub mod scale;
pub mod summary;

pub use files::Outputs;
pub use scale::Scale;

use crate::cli::Global;
use std::path::PathBuf;

/// What every stage needs to run: where to write, how big, which seed and threads.
pub struct Ctx<'a> {
    pub global: &'a Global,
    pub dir: PathBuf,
    pub scale: Scale,
    pub seed: u64,
    pub threads: Option<usize>,
}

/// One section of report.md.
pub struct Section {
    pub title: String,
    pub body: String,
}
