//! `nnqft predict` (being built; see the issue tracker).

use crate::cli::Global;
use anyhow::{Result, bail};

#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args, _global: &Global) -> Result<()> {
    bail!("`nnqft predict` is not implemented yet")
}
