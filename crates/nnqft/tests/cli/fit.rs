//! End-to-end tests of `nnqft fit` (docs/conventions.md section 7, the paper's Table 5) against closed
//! forms and sampling statistics.

use crate::common::{json, nnqft};

/// ReLU, sb = 0, d = 1, positive inputs, width N, cutoff L: DeltaG4 = kappa4 = 3.75 x1x2x3x4/N
/// and T0 = 24 x1x2x3x4 L^5/80, so M1 is exact with lambda_0 = -3.75/(N 0.3 L^5).
#[test]
fn relu_m1_is_exact_with_the_closed_form_coupling() {
    let r = json(&["fit", "--arch", "relu", "--json", "--quiet"]);
    assert_eq!(r["width"], 20);
    assert_eq!(r["cutoff"], 100.0);
    let models = r["models"].as_array().unwrap();
    let names: Vec<&str> = models.iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["M0", "M1", "M2", "M3"]);
    let want: f64 = -3.75 / (20.0 * 0.3 * 1e10);
    let got = models[1]["couplings"]["lambda_0"].as_f64().unwrap();
    assert!((got / want - 1.0).abs() < 1e-8, "{got} vs {want}");
    assert!(models[1]["test"]["mape"].as_f64().unwrap() < 1e-6);
    // M0 predicts nothing: MAPE exactly 100 on both sets.
    assert_eq!(models[0]["test"]["mape"].as_f64().unwrap(), 100.0);
    assert_eq!(models[0]["train"]["mape"].as_f64().unwrap(), 100.0);
}

#[test]
fn nested_models_never_raise_the_train_mse() {
    for arch in ["erf", "gauss"] {
        let r = json(&["fit", "--arch", arch, "--json", "--quiet"]);
        let mse: Vec<f64> = r["models"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["train"]["mse"].as_f64().unwrap())
            .collect();
        assert_eq!(mse.len(), 4);
        for w in mse.windows(2) {
            assert!(w[1] <= w[0] * (1.0 + 1e-12), "{arch}: {mse:?}");
        }
        assert_eq!(r["models"][0]["test"]["mape"].as_f64().unwrap(), 100.0);
    }
}

#[test]
fn sampled_relu_coupling_agrees_with_the_closed_form_within_errors() {
    let r = json(&[
        "fit",
        "--arch",
        "relu",
        "--source",
        "sample",
        "--nets",
        "40000",
        "--experiments",
        "4",
        "--seed",
        "5",
        "--models",
        "M0,M1",
        "--json",
        "--quiet",
    ]);
    assert_eq!(r["weighting"], "errors");
    let m1 = &r["models"][1];
    let want: f64 = -3.75 / (20.0 * 0.3 * 1e10);
    let got = m1["couplings"]["lambda_0"].as_f64().unwrap();
    let err = m1["errors"]["lambda_0"].as_f64().unwrap();
    let bound = m1["error_bounds"]["lambda_0"].as_f64().unwrap();
    assert!(
        err > 0.0 && bound >= err && bound < 0.5 * want.abs(),
        "{err} {bound}"
    );
    // The 126 entries are measured on the same networks and strongly correlated, so the
    // independent-error sigma understates the spread; the bound holds for any correlation.
    // 3 bounds: fails by chance with probability below 3e-3.
    assert!(
        (got - want).abs() < 3.0 * bound,
        "{got} vs {want} +- {bound}"
    );
    assert!(m1["test"]["chi2_dof"].as_f64().is_some());
    assert_eq!(m1["covariance"].as_array().unwrap().len(), 1);
}

#[test]
fn a_file_without_the_requested_inputs_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("relu.json");
    let f = file.to_str().unwrap();
    let s = nnqft(&[
        "sample",
        "--arch",
        "relu",
        "--width",
        "20",
        "--nets",
        "1000",
        "--experiments",
        "2",
        "--npt",
        "2,4",
        "--out",
        f,
        "--quiet",
    ]);
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    let bad = nnqft(&["fit", "--arch", "relu", "--source", f, "--quiet"]);
    assert!(!bad.status.success());
    let msg = String::from_utf8_lossy(&bad.stderr);
    assert!(msg.contains("not among the measured inputs"), "{msg}");
    let bad = nnqft(&[
        "fit", "--arch", "relu", "--width", "5", "--source", f, "--quiet",
    ]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("width"));
}

/// --bias-dist reaches the correlators: at the cos-net's tiny default inputs (|x| <= 0.012)
/// DeltaG4 is the 4th cumulant at x = 0, (sW^4/N)(3 E[cos^4 b0] - 3 E[cos^2 b0]^2), so M0's
/// train MSE (the mean of DeltaG4^2) is its square up to O(x^2): with b0 uniform on [-pi, pi]
/// E[cos^2] = 1/2, E[cos^4] = 3/8; with b0 ~ N(0, 1) E[cos^2] = (1 + e^-2)/2, E[cos^4] =
/// 3/8 + e^-2/2 + e^-8/8. A bad kind is refused naming the flag.
#[test]
fn fit_honours_the_bias_distribution() {
    let n = 5.0;
    let e = |k: f64| (-k).exp();
    for (bias, c2, c4) in [
        ("uniform", 0.5, 0.375),
        (
            "normal",
            0.5 * (1.0 + e(2.0)),
            0.375 + 0.5 * e(2.0) + e(8.0) / 8.0,
        ),
    ] {
        let r = json(&[
            "fit",
            "--arch",
            "cos",
            "--bias-dist",
            bias,
            "--models",
            "M0",
            "--json",
            "--quiet",
        ]);
        let dg4 = (3.0 * c4 - 3.0 * c2 * c2) / n;
        let mse = r["models"][0]["train"]["mse"].as_f64().unwrap();
        assert!(
            (mse / (dg4 * dg4) - 1.0).abs() < 2e-3,
            "{bias}: {mse} vs {}",
            dg4 * dg4
        );
    }
    let out = nnqft(&["fit", "--arch", "cos", "--bias-dist", "cauchy"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--bias-dist") && !err.contains("panicked"),
        "{err}"
    );
}
