//! One module per subcommand: its clap arguments and its `run`.

pub mod action;
pub mod diagrams;
pub mod evaluate;
pub mod exact;
pub mod experiment;
pub mod fit;
pub mod kernel;
pub mod merge;
pub mod predict;
pub mod reproduce;
pub mod rg;
pub mod sample;
pub mod shard;
