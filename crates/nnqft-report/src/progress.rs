//! Progress of the long stages, reported to whoever drives them (a terminal bar, a log, or
//! nothing: `()` ignores it).

/// A sink for progress: one task at a time, advanced from any thread.
pub trait Progress: Sync {
    /// A task called `label` of `total` steps begins (the previous one is over).
    fn start(&self, label: &str, total: u64);
    /// `k` more steps of the current task are done.
    fn advance(&self, k: u64);
    /// The current task is over.
    fn finish(&self);
}

/// No progress reports.
impl Progress for () {
    fn start(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}
