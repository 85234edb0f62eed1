//! Library errors in the words of the command line: the libraries speak of networks,
//! experiments and orders; the user typed --nets, --experiments and --npt.

use nnqft_ensemble::EnsembleError;

/// `e` with the flag that caused it named in front, where one did.
pub fn ensemble(e: EnsembleError) -> anyhow::Error {
    let flags: Vec<String> = e.settings().iter().map(|s| format!("--{s}")).collect();
    if flags.is_empty() {
        e.into()
    } else {
        anyhow::anyhow!("{}: {e}", flags.join("/"))
    }
}
