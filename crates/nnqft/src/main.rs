//! `nnqft`: sample, expand, integrate, flow and fit the field theories of wide neural networks.
//!
//! Only this crate knows about files, terminals, JSON and exit codes: the libraries return
//! typed errors and never print.

mod cli;
mod commands;
#[cfg(feature = "mpi")]
mod mpi;
mod plot;
mod report;

use clap::{CommandFactory, Parser, Subcommand};
use std::process::ExitCode;

/// Neural networks as quantum field theories: n-point functions, Feynman diagrams,
/// renormalization-group flow and effective-action fits.
#[derive(Parser, Debug)]
#[command(name = "nnqft", version, about, long_about = None, max_term_width = 100)]
struct Cli {
    #[command(flatten)]
    global: cli::Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// GP kernel matrix K(x, x') over an input set.
    Kernel(commands::kernel::Args),
    /// Sample an ensemble of networks and measure its 2-, 4-, 6-point functions.
    Sample(commands::sample::Args),
    /// Width sweep of sampled n-point functions with figures (the paper's Section 3).
    Experiment(commands::experiment::Args),
    /// Feynman-diagram expansion of G^(n) with exact coefficients.
    Diagrams(commands::diagrams::Args),
    /// Exact finite-width correlators, no sampling noise.
    Exact(commands::exact::Args),
    /// Evaluate the diagrams of an expansion at one input tuple under a cutoff.
    Evaluate(commands::evaluate::Args),
    /// Couplings against the cutoff: running, beta functions, slope.
    Rg(commands::rg::Args),
    /// Predict the 6-point deviation from the quartic coupling.
    Predict(commands::predict::Args),
    /// Fit effective actions to the 4-point deviation (the paper's Table 5).
    Fit(commands::fit::Args),
    /// The effective action on the input set from the correlators (Edgeworth), with a round trip.
    Action(commands::action::Args),
    /// Merge shard files of one `nnqft sample` run.
    Merge(commands::merge::Args),
    /// Reproduce the paper end to end and write a report.
    Reproduce(commands::reproduce::Args),
}

/// A closed stdout pipe (`nnqft ... | head -1`) ends the process quietly, as it does for other
/// Unix tools, instead of Rust's "failed printing to stdout" panic in whichever command
/// happened to be printing. Output files are never affected: they are written to a temp file
/// and renamed before anything is printed.
#[cfg(unix)]
fn quiet_on_closed_pipe() {
    // SAFETY: restoring the default disposition of SIGPIPE at start-up, before any thread
    // exists, is what the C runtime does for every other program.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    #[cfg(unix)]
    quiet_on_closed_pipe();
    let args = match cli::argv::prepare(std::env::args_os().collect(), &Cli::command()) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let cli = Cli::parse_from(args);
    let result = match cli.command {
        Command::Kernel(a) => commands::kernel::run(a, &cli.global),
        Command::Sample(a) => commands::sample::run(a, &cli.global),
        Command::Experiment(a) => commands::experiment::run(a, &cli.global),
        Command::Diagrams(a) => commands::diagrams::run(a, &cli.global),
        Command::Exact(a) => commands::exact::run(a, &cli.global),
        Command::Evaluate(a) => commands::evaluate::run(a, &cli.global),
        Command::Rg(a) => commands::rg::run(a, &cli.global),
        Command::Predict(a) => commands::predict::run(a, &cli.global),
        Command::Fit(a) => commands::fit::run(a, &cli.global),
        Command::Action(a) => commands::action::run(a, &cli.global),
        Command::Merge(a) => commands::merge::run(a, &cli.global),
        Command::Reproduce(a) => commands::reproduce::run(a, &cli.global),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: the whole cause chain joined by ": ".
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
