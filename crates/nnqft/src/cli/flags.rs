//! Library errors in the words of the command line: the libraries speak of networks,
//! experiments and orders; the user typed --nets, --experiments and --npt.

use nnqft_ensemble::EnsembleError;

/// `e` with the flag that caused it named in front, where one did.
pub fn ensemble(e: EnsembleError) -> anyhow::Error {
    let flag = match &e {
        EnsembleError::Nets(_) => Some("--nets"),
        EnsembleError::Experiments | EnsembleError::ConditionalExperiments => Some("--experiments"),
        EnsembleError::NotDivisible { .. } => Some("--nets/--experiments"),
        EnsembleError::NoOrders | EnsembleError::ConditionalOrder(_) => Some("--npt"),
        EnsembleError::Width => Some("--width"),
        _ => None,
    };
    match flag {
        Some(f) => anyhow::anyhow!("{f}: {e}"),
        None => e.into(),
    }
}
