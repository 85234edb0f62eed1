//! End-to-end checks of the `nnqft` binary's shared behaviour: kernel output and bad input.

use crate::common::nnqft;

#[test]
fn kernel_json_matches_the_closed_form() {
    let out = nnqft(&["kernel", "--arch", "relu", "--inputs", "paper", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["arch"], "relu");
    assert_eq!(v["sigma_b"], 0.0);
    assert_eq!(v["inputs"].as_array().unwrap().len(), 6);
    // ReLU, sigma_b = 0, positive inputs in d = 1: K(x, x') = x x' / 2.
    let k01 = v["kernel"][0][1].as_f64().unwrap();
    assert!((k01 - 0.2 * 0.4 / 2.0).abs() < 1e-15);
}

#[test]
fn kernel_accepts_two_dimensional_inputs() {
    let out = nnqft(&[
        "kernel", "--arch", "gauss", "--d-in", "2", "--inputs", "0,0;1,1", "--json",
    ]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Gauss: K = sb^2 + sw^2 exp(-sw^2 |x-x'|^2 / (2d)) = 1 + exp(-1/2).
    let k01 = v["kernel"][0][1].as_f64().unwrap();
    assert!((k01 - (1.0 + (-0.5f64).exp())).abs() < 1e-15);
}

#[test]
fn bad_input_gives_one_line_error_and_nonzero_exit() {
    for args in [
        &["kernel", "--arch", "tan"][..],
        &["kernel", "--arch", "erf", "--sigma-w", "0"],
        &["kernel", "--arch", "erf", "--sigma-b", "-1"],
        &["kernel", "--arch", "erf", "--d-in", "0"],
        &["kernel", "--arch", "erf", "--inputs", "1,x"],
        &["kernel", "--arch", "erf", "--inputs", "1,nan"],
        &["kernel", "--arch", "erf", "--inputs", "1,2;3"],
        // Absurd dimensions are refused before any allocation (they used to abort).
        &["kernel", "--arch", "erf", "--d-in", "100000000"],
        &["kernel", "--arch", "erf", "--d-in", "18446744073709551615"],
        // S(x, x) overflows: an error naming the input, not NaN with exit 0.
        &["kernel", "--arch", "erf", "--inputs", "1e154"],
    ] {
        let out = nnqft(args);
        assert!(!out.status.success(), "{args:?} should fail");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("error"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
        assert_eq!(err.matches("error:").count(), 1, "{args:?}: {err}");
    }
}

/// `nnqft ... | head -1`: the reader closes the pipe early; the command must not panic.
#[test]
fn closed_stdout_pipe_is_not_a_panic() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let many: Vec<String> = (0..2000)
        .map(|i| format!("{}", i as f64 / 1000.0))
        .collect();
    let many = many.join(",");
    for args in [
        vec!["predict", "--arch", "relu"],
        vec!["kernel", "--arch", "erf", "--inputs", &many],
        vec!["sample", "--arch", "erf", "--width", "3", "--nets", "2000"],
        vec!["diagrams", "--points", "6", "--order", "2"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_nnqft"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        // The pipe is closed here, with most of the output unread.
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!first.is_empty(), "{args:?} printed nothing");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_ne!(out.status.code(), Some(101), "{args:?}: {err}");
    }
}
