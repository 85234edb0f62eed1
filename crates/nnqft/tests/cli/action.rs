//! End-to-end tests of `nnqft action`: one input against the closed forms of
//! docs/conventions.md section 9 computed here from `nnqft exact`, the JSON keys, the round
//! trip's residual scaling, a file source (exact and sampled), bad input, and the LaTeX output
//! compiled by lualatex (skipped when lualatex is absent, except under CI).

use crate::common::{json, lualatex_available, nnqft, ok};

use serde_json::Value;
use std::process::Command;

/// Stderr of a failing run, which must be one line.
fn fails(args: &[&str]) -> String {
    let out = nnqft(args);
    assert!(!out.status.success(), "nnqft {args:?} should fail");
    assert!(out.stdout.is_empty(), "nothing on stdout on error");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "one-line error: {err}");
    assert!(err.starts_with("error: "), "{err}");
    err
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

fn value_at(list: &Value, index: &[usize]) -> f64 {
    let e = list
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["index"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap() as usize)
                .eq(index.iter().copied())
        })
        .unwrap_or_else(|| panic!("no entry {index:?}"));
    f(&e["value"])
}

#[test]
fn one_input_equals_the_closed_forms() {
    for (arch, x) in [("erf", "0.4"), ("relu", "0.8")] {
        for width in ["3", "50", "1000"] {
            let ex = json(&[
                "exact", "--arch", arch, "--width", width, "--inputs", x, "--json",
            ]);
            let k = f(&ex["correlators"]["2"][0]["mean"]);
            let k4 = f(&ex["connected"]["4"][0]["mean"]) / (k * k);
            let k6 = f(&ex["connected"]["6"][0]["mean"]) / (k * k * k);
            let a = json(&[
                "action", "--arch", arch, "--width", width, "--inputs", x, "--order", "2", "--json",
            ]);
            let delta = (k4 / 2.0 - k6 / 8.0 + 2.0 * k4 * k4 / 3.0) / k;
            let l4 = (-k4 + k6 / 2.0 - 3.5 * k4 * k4) / (k * k);
            let l6 = (-k6 + 10.0 * k4 * k4) / (k * k * k);
            let rel = |a: f64, b: f64| (a - b).abs() / b.abs();
            let what = format!("{arch} N {width}");
            assert!(rel(f(&a["delta"][0][0]), delta) < 1e-12, "{what} delta");
            assert!(
                rel(value_at(&a["lambda4"], &[0; 4]), l4) < 1e-12,
                "{what} lambda4"
            );
            assert!(
                rel(value_at(&a["lambda6"], &[0; 6]), l6) < 1e-12,
                "{what} lambda6"
            );
        }
    }
}

#[test]
fn json_keys_and_the_round_trip() {
    let v = json(&[
        "action",
        "--arch",
        "erf",
        "--width",
        "100",
        "--inputs=-1,0,1",
        "--order",
        "2",
        "--check",
        "--json",
    ]);
    assert_eq!(v["order"], 2);
    assert_eq!(v["arch"], "erf");
    assert!(f(&v["condition_number"]) > 1.0);
    assert_eq!(v["delta"].as_array().unwrap().len(), 3);
    assert_eq!(v["lambda4"].as_array().unwrap().len(), 15);
    assert_eq!(v["lambda6"].as_array().unwrap().len(), 28);
    assert!(v["lambda4"][0].get("stderr").is_none(), "exact: no errors");
    for c in ["kappa2", "kappa4", "kappa6"] {
        assert!(f(&v["check"][c]["abs"]) >= 0.0 && f(&v["check"][c]["rel"]) >= 0.0);
    }
    assert!(f(&v["locality"]["off_diagonal_ratio"]) > 0.0);
    assert_eq!(v["locality"]["fits"].as_array().unwrap().len(), 2);
    // delta is symmetric
    for a in 0..3 {
        for b in 0..3 {
            assert_eq!(v["delta"][a][b], v["delta"][b][a]);
        }
    }
    // order 2 residual falls as 1/N^3 (kappa4, absolute): 100 -> 1000
    let w = json(&[
        "action",
        "--arch",
        "erf",
        "--width",
        "1000",
        "--inputs=-1,0,1",
        "--order",
        "2",
        "--check",
        "--json",
    ]);
    let q = f(&v["check"]["kappa4"]["abs"]) / f(&w["check"]["kappa4"]["abs"]);
    assert!((500.0..2000.0).contains(&q), "ratio {q}");
    // the text mentions the round trip
    let t = ok(&[
        "action",
        "--arch",
        "erf",
        "--width",
        "100",
        "--inputs=-1,0,1",
        "--check",
    ]);
    assert!(t.contains("round trip") && t.contains("kappa4"), "{t}");
}

#[test]
fn six_paper_inputs_order_one_kappa4_falls_as_one_over_n_squared() {
    let r: Vec<f64> = ["10", "100", "1000"]
        .iter()
        .map(|w| {
            let v = json(&["action", "--arch", "erf", "--width", w, "--check", "--json"]);
            f(&v["check"]["kappa4"]["abs"])
        })
        .collect();
    for p in r.windows(2) {
        let q = p[0] / p[1];
        assert!((95.0..105.0).contains(&q), "ratio {q}");
    }
}

#[test]
fn file_sources() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("exact.json");
    let fs = file.to_str().unwrap();
    ok(&[
        "exact",
        "--arch",
        "erf",
        "--width",
        "20",
        "--inputs=-1,0.5",
        "--out",
        fs,
    ]);
    let a = json(&[
        "action",
        "--arch",
        "erf",
        "--width",
        "20",
        "--inputs=-1,0.5",
        "--order",
        "2",
        "--source",
        fs,
        "--json",
    ]);
    let b = json(&[
        "action",
        "--arch",
        "erf",
        "--width",
        "20",
        "--inputs=-1,0.5",
        "--order",
        "2",
        "--json",
    ]);
    assert_eq!(a["lambda6"], b["lambda6"]);
    assert_eq!(a["source"], fs);
    // wrong architecture, width or inputs
    let e = fails(&[
        "action",
        "--arch",
        "relu",
        "--width",
        "20",
        "--inputs=-1,0.5",
        "--source",
        fs,
    ]);
    assert!(
        e.contains("relu") || e.contains("ReLU") || e.contains("erf"),
        "{e}"
    );
    fails(&[
        "action",
        "--arch",
        "erf",
        "--width",
        "30",
        "--inputs=-1,0.5",
        "--source",
        fs,
    ]);
    let e = fails(&[
        "action",
        "--arch",
        "erf",
        "--width",
        "20",
        "--inputs=-1,0.6",
        "--source",
        fs,
    ]);
    assert!(e.contains("inputs"), "{e}");
    // a sampled file: errors propagated by the delta method
    let sfile = dir.path().join("sample.json");
    let ss = sfile.to_str().unwrap();
    ok(&[
        "sample",
        "--arch",
        "erf",
        "--width",
        "5",
        "--inputs=-1,1",
        "--nets",
        "20000",
        "--experiments",
        "10",
        "--seed",
        "3",
        "--out",
        ss,
        "--quiet",
    ]);
    let s = json(&[
        "action",
        "--arch",
        "erf",
        "--width",
        "5",
        "--inputs=-1,1",
        "--order",
        "2",
        "--source",
        ss,
        "--json",
    ]);
    assert!(s["errors"].as_str().unwrap().contains("delta method"));
    assert!(f(&s["lambda4"][0]["stderr"]) > 0.0);
    assert!(f(&s["lambda6"][0]["stderr"]) > 0.0);
    assert!(f(&s["delta_stderr"][0][0]) > 0.0);
    // and the sampled lambda4 agrees with the exact one within a few errors
    let x = json(&[
        "action",
        "--arch",
        "erf",
        "--width",
        "5",
        "--inputs=-1,1",
        "--json",
    ]);
    let s1 = json(&[
        "action",
        "--arch",
        "erf",
        "--width",
        "5",
        "--inputs=-1,1",
        "--source",
        ss,
        "--json",
    ]);
    for (e, t) in s1["lambda4"]
        .as_array()
        .unwrap()
        .iter()
        .zip(x["lambda4"].as_array().unwrap())
    {
        let z = (f(&e["value"]) - f(&t["value"])) / f(&e["stderr"]);
        assert!(z.abs() < 6.0, "z = {z}");
    }
}

#[test]
fn bad_input_is_a_one_line_error() {
    let e = fails(&["action", "--arch", "erf", "--width", "1"]);
    assert!(e.contains("--width"), "{e}");
    let e = fails(&["action", "--arch", "erf", "--width", "10", "--order", "3"]);
    assert!(e.contains("--order"), "{e}");
    // ReLU with sb = 0 on positive inputs: K has rank one
    let e = fails(&["action", "--arch", "relu", "--width", "10"]);
    assert!(e.contains("singular") && e.contains("spread"), "{e}");
    // Gauss-net paper inputs, 0.01 apart
    let e = fails(&["action", "--arch", "gauss", "--width", "10"]);
    assert!(e.contains("spread"), "{e}");
    fails(&[
        "action",
        "--arch",
        "erf",
        "--width",
        "10",
        "--source",
        "/nonexistent/x.json",
    ]);
}

#[test]
fn latex_compiles() {
    let tex = ok(&[
        "action",
        "--arch",
        "erf",
        "--width",
        "5",
        "--inputs=-1,0,1",
        "--order",
        "2",
        "--format",
        "latex",
    ]);
    assert!(
        tex.contains("\\begin{equation}") && tex.contains("f_{2}^{4}"),
        "{tex}"
    );
    if !lualatex_available() {
        assert!(
            std::env::var_os("CI").is_none(),
            "lualatex is required under CI (Debian: texlive-latex-base texlive-luatex)"
        );
        eprintln!("skipping: lualatex not found");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let doc = format!(
        "\\documentclass{{article}}\n\\usepackage{{amsmath}}\n\\begin{{document}}\n{tex}\\end{{document}}\n"
    );
    std::fs::write(dir.path().join("a.tex"), doc).unwrap();
    let out = Command::new("lualatex")
        .args(["-interaction=nonstopmode", "-halt-on-error", "a.tex"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
