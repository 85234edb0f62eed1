//! Helpers shared by the end-to-end tests: running the `nnqft` binary, finding lualatex.
#![allow(dead_code)] // each test module uses its own subset

use serde_json::Value;
use std::process::{Command, Output};

/// Run the binary under test with `args`.
pub fn nnqft(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nnqft"))
        .args(args)
        .output()
        .expect("run nnqft")
}

/// Stdout of a run that must succeed (its stderr in the failure message).
pub fn ok(args: &[&str]) -> String {
    let out = nnqft(args);
    assert!(
        out.status.success(),
        "nnqft {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 on stdout")
}

/// The JSON on stdout of a run that must succeed.
pub fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).expect("JSON on stdout")
}

/// Whether lualatex runs here (the LaTeX checks need it; under CI its absence is a failure).
pub fn lualatex_available() -> bool {
    Command::new("lualatex")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}
