//! End-to-end tests of `nnqft exact` and `nnqft evaluate`, and the project's strongest
//! self-check: sampled correlators (nnqft-ensemble) agree with the exact ones within their
//! standard errors.

use nnqft_core::{Arch, InputSet, Measurement, Network};
use nnqft_ensemble::{Plan, Settings, sample};
use nnqft_integrate::exact_measurement;
use serde_json::Value;
use std::process::Command;

fn nnqft(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_nnqft"))
        .args(args)
        .output()
        .expect("run nnqft");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(args: &[&str]) -> Value {
    let (ok, out, err) = nnqft(args);
    assert!(ok, "nnqft {args:?} failed: {err}");
    serde_json::from_str(&out).expect("JSON on stdout")
}

fn entry<'a>(list: &'a Value, index: &[usize]) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["index"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .eq(index.iter().copied())
        })
        .expect("entry present")
}

#[test]
fn exact_relu_four_point_cumulant_has_its_closed_form() {
    // ReLU, sb = 0, d = 1, positive inputs: M2 = x x'/2 and M4 = (3/2) x1x2x3x4, so
    // kappa4 = (1/N) (3 M4 - 3 M2 M2) = 3.75 x1x2x3x4 / N and G4 = kappa4 + 3 x1x2x3x4/4.
    let v = json(&[
        "exact", "--arch", "relu", "--width", "20", "--npt", "2,4", "--json",
    ]);
    assert_eq!(v["nets"], 0);
    assert_eq!(v["experiments"], 0);
    assert!(v["seed"].is_null());
    assert_eq!(v["correlators"]["4"].as_array().unwrap().len(), 126);
    assert_eq!(v["correlators"]["2"].as_array().unwrap().len(), 21);
    assert!(v["correlators"].get("6").is_none());
    let prod = 0.2 * 0.4 * 0.6 * 0.8;
    let k4 = entry(&v["connected"]["4"], &[0, 1, 2, 3])["mean"]
        .as_f64()
        .unwrap();
    assert!((k4 / (3.75 * prod / 20.0) - 1.0).abs() < 1e-13, "{k4}");
    let g4 = entry(&v["correlators"]["4"], &[0, 1, 2, 3]);
    assert!(
        (g4["mean"].as_f64().unwrap() / (3.75 * prod / 20.0 + 0.75 * prod) - 1.0).abs() < 1e-13
    );
    assert!((g4["gp"].as_f64().unwrap() / (0.75 * prod) - 1.0).abs() < 1e-13);
    assert_eq!(g4["stderr"], 0.0);
    assert!(g4["background"].is_null());
    // G2 = K = x x'/2 exactly; its signal is zero.
    let g2 = entry(&v["correlators"]["2"], &[1, 4])["mean"]
        .as_f64()
        .unwrap();
    assert!((g2 - 0.4 * 1.0 / 2.0).abs() < 1e-15);
    assert_eq!(v["summary"]["2"]["signal"], 0.0);
}

#[test]
fn exact_cumulants_scale_with_width_and_file_output_matches() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("exact.json");
    let a = json(&[
        "exact",
        "--arch",
        "erf",
        "--width",
        "5",
        "--json",
        "--out",
        path.to_str().unwrap(),
    ]);
    let b = json(&["exact", "--arch", "erf", "--width", "50", "--json"]);
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(file, a);
    for n in ["4", "6"] {
        let power = if n == "4" { 1 } else { 2 };
        for (ea, eb) in a["connected"][n]
            .as_array()
            .unwrap()
            .iter()
            .zip(b["connected"][n].as_array().unwrap())
        {
            let (x, y) = (ea["mean"].as_f64().unwrap(), eb["mean"].as_f64().unwrap());
            let ratio = 10f64.powi(power);
            assert!((x / (y * ratio) - 1.0).abs() < 1e-12, "{n}: {x} vs {y}");
        }
    }
}

#[test]
fn exact_rejects_bad_requests() {
    for args in [
        vec!["exact", "--arch", "erf", "--width", "0"],
        vec!["exact", "--arch", "erf", "--width", "5", "--npt", "3"],
        vec!["exact", "--arch", "erf", "--width", "5", "--npt", "8"],
        vec![
            "exact", "--arch", "erf", "--width", "5", "--inputs", "1,nan",
        ],
        vec![
            "exact",
            "--arch",
            "erf",
            "--width",
            "5",
            "--out",
            "/no/such/dir/x.json",
        ],
        vec!["exact", "--arch", "relu", "--width", "5", "--sigma-b", "-1"],
        // Moments that overflow double precision: an error, not inf and NaN with exit 0.
        vec![
            "exact",
            "--arch",
            "gauss",
            "--width",
            "5",
            "--sigma-b",
            "15",
        ],
        vec![
            "exact",
            "--arch",
            "gauss",
            "--width",
            "5",
            "--sigma-b",
            "30",
        ],
    ] {
        let (ok, out, err) = nnqft(&args);
        assert!(!ok, "{args:?} should fail");
        assert!(out.is_empty());
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("error:"));
    }
}

#[test]
fn evaluate_lists_classes_with_their_integrals() {
    let v = json(&[
        "evaluate", "--points", "4", "--order", "1", "--arch", "relu", "--tuple", "0,1,2,3",
        "--cutoff", "7", "--lambda", "0.5", "--kappa", "0.25", "--json",
    ]);
    assert_eq!(v["cutoff"], 7.0);
    let terms = v["terms"].as_array().unwrap();
    let prod = 0.2 * 0.4 * 0.6 * 0.8;
    let x = terms.iter().find(|t| t["monomial"] == "lambda").unwrap();
    assert_eq!(x["coefficient"], -24.0);
    let i4 = prod * 7f64.powi(5) / 80.0;
    assert!((x["integral"].as_f64().unwrap() / i4 - 1.0).abs() < 1e-12);
    assert!((x["value"].as_f64().unwrap() / (-24.0 * 0.5 * i4) - 1.0).abs() < 1e-12);
    let loop_ = terms.iter().find(|t| t["monomial"] == "kappa").unwrap();
    assert_eq!(loop_["coefficient"], -360.0);
    assert!(
        (loop_["integral"].as_f64().unwrap() / (prod * 7f64.powi(7) / 224.0) - 1.0).abs() < 1e-12
    );
    let total: f64 = terms.iter().map(|t| t["value"].as_f64().unwrap()).sum();
    assert!((v["total"].as_f64().unwrap() - total).abs() < 1e-9 * total.abs());
    // Gauss-net converges without a cutoff; every labelled diagram on request.
    let g = json(&[
        "evaluate",
        "--points",
        "6",
        "--order",
        "1",
        "--arch",
        "gauss",
        "--tuple",
        "0,1,2,3,4,5",
        "--cutoff",
        "inf",
        "--diagrams",
        "--json",
    ]);
    assert_eq!(g["cutoff"], "inf");
    assert!(g["terms"].as_array().unwrap().len() > 3);
}

#[test]
fn evaluate_rejects_bad_requests() {
    let base = ["evaluate", "--points", "4", "--order", "1", "--arch", "erf"];
    for extra in [
        vec!["--tuple", "0,1,2", "--cutoff", "10"],
        vec!["--tuple", "0,1,2,6", "--cutoff", "10"],
        vec!["--tuple", "0,1,2,3", "--cutoff", "inf"],
        vec!["--tuple", "0,1,2,3", "--cutoff", "-3"],
        vec!["--tuple", "0,1,2,3", "--cutoff", "zero"],
        vec![
            "--tuple",
            "0,1,2,3",
            "--cutoff",
            "10",
            "--d-in",
            "4",
            "--inputs",
            "0.1,0.2,0.3,0.4",
        ],
    ] {
        let args: Vec<&str> = base.iter().copied().chain(extra.iter().copied()).collect();
        let (ok, _, err) = nnqft(&args);
        assert!(!ok, "{args:?} should fail");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
    }
}

/// z-scores (sampled - exact) / stderr of every entry of G4 and G6 (and of the cumulants).
fn z_scores(sampled: &Measurement, exact: &Measurement, ns: &[&str]) -> Vec<f64> {
    let mut z = Vec::new();
    for n in ns {
        for (s, e) in sampled.correlators[*n].iter().zip(&exact.correlators[*n]) {
            assert_eq!(s.index, e.index);
            assert!(s.stderr > 0.0);
            z.push((s.mean - e.mean) / s.stderr);
        }
    }
    z
}

/// Every |z| < 4 (the bound). All entries are products of the same networks' outputs,
/// so their errors are strongly positively correlated and the z-scores move together: their
/// mean is a normal variable of standard deviation at most 1 whatever the correlations, so
/// |mean| < 3; the spread around that common shift, sd^2 = rms^2 - mean^2, has
/// E[sd^2] = 1 - (mean correlation) <= 1, and sd < 1.5 (an RMS bound alone would be wrong:
/// with fully correlated entries rms = |mean|, itself a standard normal magnitude).
fn check_standard_normal(z: &[f64], label: &str) {
    let max = z.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    let mean = z.iter().sum::<f64>() / z.len() as f64;
    let rms = (z.iter().map(|v| v * v).sum::<f64>() / z.len() as f64).sqrt();
    let sd = (rms * rms - mean * mean).max(0.0).sqrt();
    eprintln!(
        "{label}: {} entries, max |z| = {max:.3}, mean z = {mean:.3}, rms z = {rms:.3}",
        z.len()
    );
    assert!(max < 4.0, "{label}: max |z| = {max}");
    assert!(mean.abs() < 3.0, "{label}: mean z = {mean}");
    assert!(sd < 1.5, "{label}: spread of z around its mean = {sd}");
}

fn sampled(arch: Arch, width: usize, npt: &[usize], nets: u64, seed: u64) -> Measurement {
    let net = Network::paper(arch);
    let xs = InputSet::paper(arch, 1).unwrap();
    let settings = Settings::new(net, xs, width, npt).unwrap();
    let plan = Plan::new(settings, nets, 4, seed).unwrap();
    sample(&plan, None, &|_| {}).unwrap()
}

#[test]
fn sampled_erf_and_relu_agree_with_exact() {
    for (arch, width, nets) in [(Arch::Erf, 5, 400_000u64), (Arch::Relu, 20, 400_000)] {
        let s = sampled(arch, width, &[2, 4, 6], nets, 11);
        let net = Network::paper(arch);
        let e =
            exact_measurement(&net, width, &InputSet::paper(arch, 1).unwrap(), &[2, 4, 6]).unwrap();
        let z = z_scores(&s, &e, &["4", "6"]);
        assert_eq!(z.len(), 126 + 462);
        check_standard_normal(&z, &arch.name());
    }
}

#[test]
fn sampled_gauss_four_point_agrees_with_exact_at_width_1000() {
    let s = sampled(Arch::Gauss, 1000, &[4], 40_000, 5);
    let net = Network::paper(Arch::Gauss);
    let e = exact_measurement(&net, 1000, &InputSet::paper(Arch::Gauss, 1).unwrap(), &[4]).unwrap();
    let z = z_scores(&s, &e, &["4"]);
    check_standard_normal(&z, "gauss");
}

/// ReLU-net with sb = 0 at the input x = 0 has K = 0 there: those entries' GP prediction is
/// zero, and m_n must leave them out (with a warning) rather than print NaN.
#[test]
fn zero_gp_entries_are_left_out_of_the_summary() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nnqft"))
        .args([
            "exact", "--arch", "relu", "--width", "5", "--inputs", "0,1", "--json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("NaN"), "{text}");
    let m: serde_json::Value = serde_json::from_str(&text).unwrap();
    // Only the entries of the input x = 1 count: G2 = K exactly, so m_2 = 0; for G4 at (1,1,1,1)
    // the exact kurtosis of ReLU-net with one input is E f^4 / (3 K^2) = 1 + 5/N (docs/conventions.md
    // section 4), so m_4 = 5/N = 1.
    assert_eq!(m["summary"]["2"]["signal"].as_f64().unwrap(), 0.0);
    assert!((m["summary"]["4"]["signal"].as_f64().unwrap() - 1.0).abs() < 1e-12);
    let warnings = m["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("zero GP prediction"))
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning: n=2"));
}
