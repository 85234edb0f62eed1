//! End-to-end tests of `nnqft rg` and `nnqft predict` (docs/conventions.md section 6) against closed
//! forms and statistical agreement between sampled and exact sources.

use crate::common::{json, nnqft};

use serde_json::Value;

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

fn rows(v: &Value) -> Vec<Vec<f64>> {
    v.as_array().expect("array").iter().map(floats).collect()
}

#[test]
fn relu_without_bias_runs_as_l_to_the_minus_four_plus_d() {
    // I4 is homogeneous of degree 4 + d in y for ReLU with sb = 0, so lambda ~ L^-(4+d) and
    // beta/lambda = -(4 + d) exactly, at every cutoff and for every tuple.
    for (d, inputs) in [
        ("1", "0.2,0.6,1.2"),
        ("2", "0.2,0.1;0.6,0.4;1.2,0.5"),
        ("3", "0.2,0.1,0.3;0.6,0.4,0.2;1.2,0.5,0.9"),
    ] {
        let r = json(&[
            "rg",
            "--arch",
            "relu",
            "--d-in",
            d,
            "--inputs",
            inputs,
            "--cutoffs",
            "7,100,1e4",
            "--json",
            "--quiet",
        ]);
        let want = -(4.0 + d.parse::<f64>().unwrap());
        let slope = r["slope"].as_f64().unwrap();
        assert!((slope - want).abs() < 1e-6, "d = {d}: slope {slope}");
        let (lambda, beta) = (rows(&r["lambda"]), rows(&r["beta"]));
        for (lrow, brow) in lambda.iter().zip(&beta) {
            for (l, b) in lrow.iter().zip(brow) {
                assert!(
                    (b / l - want).abs() < 1e-6,
                    "d = {d}: beta/lambda {}",
                    b / l
                );
            }
        }
        assert_eq!(r["tuples"].as_array().unwrap().len(), 15);
    }
}

#[test]
fn gauss_beta_vanishes_as_the_cutoff_grows() {
    // The Gauss-net vertex integral converges: dlog I4/dlog L -> 0 like exp(-2 L^2).
    let r = json(&[
        "rg",
        "--arch",
        "gauss",
        "--cutoffs",
        "0.5,1,2,4,8",
        "--json",
        "--quiet",
    ]);
    let (lambda, beta) = (rows(&r["lambda"]), rows(&r["beta"]));
    let ratio: Vec<f64> = (0..lambda.len())
        .map(|k| {
            lambda[k]
                .iter()
                .zip(&beta[k])
                .map(|(l, b)| (b / l).abs())
                .fold(0.0, f64::max)
        })
        .collect();
    assert!(ratio[0] > 0.1, "{ratio:?}");
    assert!(ratio.windows(2).all(|w| w[1] < w[0]), "{ratio:?}");
    assert!(ratio[4] < 1e-12, "{ratio:?}");
}

#[test]
fn erf_slope_tends_to_minus_one() {
    // Erf-net propagators tend to a constant of sign(y) at large |y|, so I4 ~ c L and
    // lambda ~ 1/L: beta/lambda = -dlog I4/dlog L -> -1 for every tuple.
    let r = json(&[
        "rg",
        "--arch",
        "erf",
        "--cutoffs",
        "100,1000,10000,100000",
        "--json",
        "--quiet",
    ]);
    let (lambda, beta) = (rows(&r["lambda"]), rows(&r["beta"]));
    let worst: Vec<f64> = (0..4)
        .map(|k| {
            lambda[k]
                .iter()
                .zip(&beta[k])
                .map(|(l, b)| (b / l + 1.0).abs())
                .fold(0.0, f64::max)
        })
        .collect();
    assert!(worst.windows(2).all(|w| w[1] < w[0]), "{worst:?}");
    assert!(worst[3] < 0.05, "{worst:?}");
}

#[test]
fn sampled_relu_slope_agrees_with_the_exact_one() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("relu20.json");
    let f = file.to_str().unwrap();
    let s = nnqft(&[
        "sample",
        "--arch",
        "relu",
        "--width",
        "20",
        "--nets",
        "40000",
        "--experiments",
        "4",
        "--npt",
        "2,4",
        "--seed",
        "3",
        "--out",
        f,
        "--quiet",
    ]);
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    let cut = "7,10,15,20,30,40,50,70,100,200,500,1000";
    let sampled = json(&[
        "rg",
        "--arch",
        "relu",
        "--source",
        f,
        "--cutoffs",
        cut,
        "--json",
        "--quiet",
    ]);
    let exact = json(&[
        "rg",
        "--arch",
        "relu",
        "--cutoffs",
        cut,
        "--json",
        "--quiet",
    ]);
    let (s1, s0) = (
        sampled["slope"].as_f64().unwrap(),
        exact["slope"].as_f64().unwrap(),
    );
    let sigma = sampled["slope_error"].as_f64().unwrap();
    // The slope is set by I4 alone when I4 is a power law; allow 3 sigma plus rounding.
    assert!(
        (s1 - s0).abs() <= 3.0 * sigma + 1e-9,
        "{s1} vs {s0} +- {sigma}"
    );
    assert_eq!(sampled["source"].as_str().unwrap(), f);
    // Every per-tuple lambda carries its propagated sampling error.
    let errs = rows(&sampled["lambda_error"]);
    assert!(errs.iter().flatten().all(|e| *e > 0.0));
    // A file for another architecture is refused with a clear message.
    let bad = nnqft(&["rg", "--arch", "erf", "--source", f, "--quiet"]);
    assert!(!bad.status.success());
    let msg = String::from_utf8_lossy(&bad.stderr);
    assert!(
        msg.contains("relu") && msg.contains("erf") && msg.lines().count() == 1,
        "{msg}"
    );
}

#[test]
fn lambda_and_kappa_flow_reports_both_couplings() {
    let r = json(&[
        "rg",
        "--arch",
        "gauss",
        "--inputs",
        "0.002,0.006,0.01",
        "--cutoffs",
        "1,3",
        "--couplings",
        "lambda,kappa",
        "--json",
        "--quiet",
    ]);
    for key in [
        "kappa",
        "beta_kappa",
        "lambda_joint",
        "beta_lambda_joint",
        "joint_residual",
    ] {
        let v = floats(&r[key]);
        assert_eq!(v.len(), 2, "{key}");
        assert!(v.iter().all(|x| x.is_finite()), "{key}: {v:?}");
    }
    // First order at width 100 explains DeltaG4 and DeltaG6 to O(1/N) of their size.
    assert!(floats(&r["joint_residual"]).iter().all(|x| *x < 0.2));
}

#[test]
fn relu_six_point_prediction_is_the_disconnected_part() {
    // ReLU with sb = 0: lambda_t is the same for every tuple (kappa4 and I4 are both
    // proportional to x1x2x3x4), so -24 lambda sum_15 I4 K = sum_15 kappa4(four) K(pair):
    // the prediction misses exactly the connected kappa6 ~ 1/N^2. Closed form for positive
    // inputs at width N: kappa4 = 3.75 x1x2x3x4 / N, K(x, y) = x y / 2, so the prediction is
    // 15 * 3.75/N * x1..x6 / 2 and the connected part is kappa6 = c6 x1..x6 / N^2 with
    // c6 = 15 E[relu^6] - 3*15 E[relu^4] E[relu^2] + 2*15 E[relu^2]^3 = 15*7.5 - 45*0.75 + 30/8.
    let n = 20.0;
    let p = json(&[
        "predict",
        "--arch",
        "relu",
        "--inputs",
        "0.2,0.7,1.1",
        "--width",
        "20",
        "--cutoff",
        "50",
        "--json",
        "--quiet",
    ]);
    let xs = [0.2, 0.7, 1.1];
    let c6 = 15.0 * 7.5 - 45.0 * 0.75 + 30.0 / 8.0;
    for (t, (pred, meas)) in p["tuples"]
        .as_array()
        .unwrap()
        .iter()
        .zip(floats(&p["predicted"]).iter().zip(floats(&p["measured"])))
    {
        let prod: f64 = t
            .as_array()
            .unwrap()
            .iter()
            .map(|i| xs[i.as_u64().unwrap() as usize])
            .product();
        let want_pred = 15.0 * 3.75 / n * prod / 2.0;
        let want_meas = want_pred + c6 * prod / (n * n);
        assert!(
            (pred / want_pred - 1.0).abs() < 1e-9,
            "{t}: {pred} vs {want_pred}"
        );
        assert!(
            (meas / want_meas - 1.0).abs() < 1e-9,
            "{t}: {meas} vs {want_meas}"
        );
    }
    assert!(p["fraction_within_error"].is_null());
}

#[test]
fn out_dir_gets_the_json_and_the_figure() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let out = nnqft(&[
        "rg",
        "--arch",
        "relu",
        "--cutoffs",
        "10,100",
        "--sigma-w",
        "1.5",
        "--inputs",
        "0.5,1,2",
        "--width",
        "7",
        "--out",
        d,
        "--quiet",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("rg.json")).unwrap())
            .unwrap();
    assert!((r["slope"].as_f64().unwrap() + 5.0).abs() < 1e-9);
    let svg = std::fs::read_to_string(dir.path().join("rg.svg")).unwrap();
    assert!(svg.contains("<svg") && svg.contains("slope -5.0000"));
    // The caption carries every setting.
    for setting in [
        "sigma_w = 1.5, sigma_b = 0, d = 1, inputs 0.5, 1, 2",
        "width 7, source exact, 2 cutoffs L = 10 .. 100",
        "each of the 15 4-tuples",
    ] {
        assert!(svg.contains(setting), "no '{setting}' in rg.svg");
    }
    // Bad requests fail with one line, no panic.
    for bad in [
        &["rg", "--arch", "relu", "--cutoffs", "10,5"][..],
        &["rg", "--arch", "relu", "--couplings", "mu"][..],
        &["rg", "--arch", "relu", "--source", "/nonexistent.json"][..],
        &["predict", "--arch", "relu", "--cutoff", "-1"][..],
    ] {
        let o = nnqft(bad);
        let msg = String::from_utf8_lossy(&o.stderr);
        assert!(
            !o.status.success() && msg.starts_with("error:") && msg.lines().count() == 1,
            "{bad:?}: {msg}"
        );
    }
}
