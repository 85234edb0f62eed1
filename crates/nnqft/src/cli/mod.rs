//! What every command shares: global flags, architecture flags, output and progress.

pub mod arch_args;
pub mod argv;
pub mod deep;
pub mod deep_cost;
pub mod flags;
pub mod output;
pub mod progress;

pub use arch_args::ArchArgs;

/// Flags every command takes.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct Global {
    /// No progress output on stderr.
    #[arg(long, global = true)]
    pub quiet: bool,
    /// Print the machine-readable result alone on stdout, as JSON.
    #[arg(long, global = true)]
    pub json: bool,
}
