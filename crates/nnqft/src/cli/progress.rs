//! Progress bars on stderr: shown only when stderr is a terminal and --quiet is off.

use super::Global;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Whether progress output is wanted at all.
pub fn enabled(global: &Global) -> bool {
    !global.quiet && std::io::stderr().is_terminal()
}

/// A bar of `len` steps with an ETA, labelled `msg`; hidden when progress is off.
pub fn bar(global: &Global, len: u64, msg: &str) -> ProgressBar {
    if !enabled(global) {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template("{msg:>14} [{bar:40}] {pos}/{len} ({elapsed}, eta {eta})")
            .expect("static template")
            .progress_chars("=> "),
    );
    pb.set_message(msg.to_string());
    pb
}
