//! End-to-end tests of the `nnqft` binary, one module per area (as ripgrep's tests): each
//! runs the built binary and checks its output against independent truth (closed forms,
//! exact correlators, brute force) or, for text formats, against reviewed snapshots.

mod common;

mod action;
mod cli_basics;
mod conditional;
mod deep;
mod deep_couplings;
mod diagrams;
mod exact;
mod fit;
mod reliability;
mod reproduce;
mod rg;
mod sample;
mod shards;
mod ux;
mod zoo;
