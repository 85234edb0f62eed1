//! What `nnqft reproduce` keeps of the report: the files it writes ([`Outputs`]), the SVG
//! figures drawn from the stages' structs, and progress bars. The stages themselves (their
//! numbers, JSON structs and Markdown) are the nnqft-report library.

pub mod figures;
pub mod files;
pub mod latex;

pub use files::Outputs;

use crate::cli::{Global, progress};
use indicatif::ProgressBar;
use std::sync::Mutex;

/// nnqft-report's progress on the terminal: one bar per task (hidden with --quiet or --json).
pub struct Bars<'a> {
    global: &'a Global,
    bar: Mutex<Option<ProgressBar>>,
}

impl<'a> Bars<'a> {
    pub fn new(global: &'a Global) -> Self {
        Bars {
            global,
            bar: Mutex::new(None),
        }
    }

    fn current(&self) -> std::sync::MutexGuard<'_, Option<ProgressBar>> {
        self.bar.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl nnqft_report::Progress for Bars<'_> {
    fn start(&self, label: &str, total: u64) {
        if let Some(old) = self
            .current()
            .replace(progress::bar(self.global, total, label))
        {
            old.finish_and_clear();
        }
    }

    fn advance(&self, k: u64) {
        if let Some(b) = self.current().as_ref() {
            b.inc(k);
        }
    }

    fn finish(&self) {
        if let Some(b) = self.current().take() {
            b.finish_and_clear();
        }
    }
}
