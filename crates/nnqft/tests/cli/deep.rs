//! Deep networks (`--depth`, docs/conventions.md section 11): the sampler against the
//! leading-1/n result, depth 1 unchanged, and the refusals.

use crate::common::{json, nnqft, ok};
use serde_json::Value;

fn entries<'a>(m: &'a Value, table: &str, n: &str) -> &'a Vec<Value> {
    m[table][n].as_array().expect("entries")
}

#[test]
fn sampled_tanh_and_erf_agree_with_the_one_over_n_result() {
    // Connected G4 and G2 - K sampled (conditional estimator) against the 1/n prediction,
    // within 5 standard errors plus the relative size 3 L/n of the O(1/n^2) terms.
    // ReLU at three inputs: the kinked activation's derivative terms at distinct inputs (the
    // piecewise quadrature between the kinks).
    // Mirrored inputs without biases (x and -x) are tied by the parity, f(-x) = -f(x) for tanh
    // and f(x) for cos, and computed from one of the pair.
    let (plain, mirrored) = ("0.3,0.7,1.0", "-0.5,0.5,1.0");
    let cases = [
        ("tanh", "0", 2, 32, plain),
        ("tanh", "0", 4, 128, plain),
        ("erf", "1", 3, 64, plain),
        ("erf", "1", 2, 256, plain),
        ("relu", "0.5", 2, 32, plain),
        ("relu", "0.5", 3, 64, plain),
        ("tanh", "0", 2, 32, mirrored),
        ("cos", "0", 2, 64, mirrored),
    ];
    for (arch, sb, depth, width, inputs) in cases {
        let (d, w) = (depth.to_string(), width.to_string());
        let common = [
            "--arch",
            arch,
            "--sigma-w",
            "1",
            "--sigma-b",
            sb,
            "--inputs",
            inputs,
            "--depth",
            &d,
            "--width",
            &w,
            "--npt",
            "2,4",
        ];
        let mut ex = vec!["exact", "--json"];
        ex.extend(common);
        let exact = json(&ex);
        assert_eq!(exact["order"], "1/n");
        assert_eq!(exact["depth"], depth);
        let mut sa = vec![
            "sample",
            "--json",
            "--quiet",
            "--nets",
            "100000",
            "--experiments",
            "10",
            "--seed",
            "5",
        ];
        sa.extend(common);
        let sampled = json(&sa);
        let rel = 3.0 * depth as f64 / width as f64;
        let checks = [("correlators", "2"), ("connected", "4")];
        for (table, n) in checks {
            for (e, s) in entries(&exact, table, n)
                .iter()
                .zip(entries(&sampled, table, n))
            {
                assert_eq!(e["index"], s["index"]);
                // For G2 compare the deviations from the NNGP kernel (the 1/n term itself).
                let (pe, ps) = if n == "2" {
                    (
                        e["mean"].as_f64().unwrap() - e["gp"].as_f64().unwrap(),
                        s["mean"].as_f64().unwrap() - s["gp"].as_f64().unwrap(),
                    )
                } else {
                    (e["mean"].as_f64().unwrap(), s["mean"].as_f64().unwrap())
                };
                let se = s["stderr"].as_f64().unwrap();
                assert!(
                    (ps - pe).abs() < 5.0 * se + rel * pe.abs(),
                    "{arch} L={depth} n={width} {table} {n} {}: sampled {ps} +- {se} vs 1/n {pe}",
                    e["index"]
                );
            }
        }
    }
}

#[test]
fn depth_one_is_todays_output() {
    let base = ["--arch", "erf", "--width", "5", "--json"];
    let mut with = vec!["exact"];
    with.extend(base);
    let plain = ok(&with);
    with.extend(["--depth", "1"]);
    assert_eq!(plain, ok(&with));
    assert!(!plain.contains("depth") && !plain.contains("order"));
    let s = |extra: &[&str]| {
        let mut a = vec!["sample", "--quiet", "--nets", "2000", "--experiments", "2"];
        a.extend(base);
        a.extend(extra);
        ok(&a)
    };
    assert_eq!(s(&[]), s(&["--depth", "1"]));
}

#[test]
fn bad_depths_are_one_line_errors() {
    let cases: [&[&str]; 6] = [
        &["kernel", "--arch", "erf", "--depth", "0"],
        &["kernel", "--arch", "gauss", "--depth", "2"],
        &[
            "rg",
            "--arch",
            "cos",
            "--bias-dist",
            "uniform",
            "--depth",
            "2",
        ],
        &[
            "exact",
            "--arch",
            "tanh",
            "--depth",
            "2",
            "--width",
            "4",
            "--sigma-b",
            "0",
            "--inputs",
            "0,0.3",
        ],
        &[
            "exact", "--arch", "erf", "--depth", "2", "--width", "4", "--npt", "6",
        ],
        &[
            "sample",
            "--arch",
            "erf",
            "--depth",
            "1000",
            "--width",
            "100000",
            "--nets",
            "100000000",
        ],
    ];
    let never = std::env::temp_dir().join("nnqft-depths-without-4-never-created");
    let never = never.to_str().unwrap();
    let depths_without_4 = [
        "experiment",
        "--arch",
        "erf",
        "--depths",
        "1,2",
        "--npt",
        "2",
        "--nets",
        "100",
        "--out",
        never,
    ];
    for args in cases.into_iter().chain([&depths_without_4[..]]) {
        let out = nnqft(args);
        assert!(!out.status.success(), "{args:?} succeeded");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
    }
    assert!(!std::path::Path::new(never).exists());
    let out = nnqft(cases[5]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("days"));
}

#[test]
fn the_deep_kernel_is_the_recursion() {
    // ReLU, sb = 0, one input x: K = sW^(2(L+1)) x^2 / 2^L.
    let k = json(&[
        "kernel",
        "--arch",
        "relu",
        "--sigma-w",
        "1.5",
        "--inputs",
        "0.8",
        "--depth",
        "3",
        "--json",
    ]);
    let v = k["kernel"][0][0].as_f64().unwrap();
    let want = 1.5f64.powi(8) * 0.64 / 8.0;
    assert!((v - want).abs() < 1e-12 * want, "{v} vs {want}");
}

#[test]
fn relu_on_rays_through_the_origin_gives_the_homogeneous_closed_form() {
    // ReLU, sb = 0, inputs 0.5 and 1 (one ray): f(c x) = c f(x), so connected G4 at
    // (x1, x2, x1, x2) is 0.5^2 times the one at (x2, x2, x2, x2), and that is
    // 3 K^2 ((1 + 5/n)^L - 1) to order 1/n: 15 L K^2 / n.
    let e = json(&[
        "exact", "--arch", "relu", "--inputs", "0.5,1", "--depth", "3", "--width", "40", "--npt",
        "4", "--json",
    ]);
    assert_eq!(e["order"], "1/n");
    let c = entries(&e, "connected", "4");
    let at = |idx: [u64; 4]| {
        c.iter()
            .find(|x| x["index"] == serde_json::json!(idx))
            .expect("entry")["mean"]
            .as_f64()
            .unwrap()
    };
    let k: f64 = json(&[
        "kernel", "--arch", "relu", "--inputs", "1", "--depth", "3", "--json",
    ])["kernel"][0][0]
        .as_f64()
        .unwrap();
    let want = 15.0 * 3.0 * k * k / 40.0;
    assert!((at([1, 1, 1, 1]) - want).abs() < 1e-10 * want);
    assert!((at([0, 0, 1, 1]) - 0.25 * want).abs() < 1e-10 * want);
}

#[test]
fn experiment_at_depth_overlays_the_one_over_n_result_and_sweeps_depth() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deep");
    let v = json(&[
        "experiment",
        "--arch",
        "tanh",
        "--sigma-b",
        "0",
        "--inputs",
        "0.5,1",
        "--depth",
        "2",
        "--depths",
        "1,3",
        "--widths",
        "8,16",
        "--nets",
        "4000",
        "--experiments",
        "4",
        "--npt",
        "2,4,6",
        "--out",
        out.to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    for f in [
        "experiment.json",
        "m4.svg",
        "m4.csv",
        "m6.svg",
        "g4_depth.svg",
        "g4_depth.csv",
        "residual.svg",
        "residual.csv",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    // The 1/n m_4 is drawn; m_6 says it has none.
    let m4 = std::fs::read_to_string(out.join("m4.svg")).unwrap();
    assert!(m4.contains("1/n prediction m_4"), "{m4}");
    let m6 = std::fs::read_to_string(out.join("m6.svg")).unwrap();
    assert!(m6.contains("no 1/n prediction for n = 6"));
    // The JSON carries the 1/n measurements per width and the depth sweep (L = 1, 2, 3 at
    // both widths), each with its prediction: exact at L = 1, 1/n beyond.
    let t = v["one_over_n"].as_array().expect("one_over_n");
    assert_eq!(t.len(), 2);
    assert_eq!(t[0]["order"], "1/n");
    assert!(
        t[0]["connected"]["4"][0]["mean"]
            .as_f64()
            .unwrap()
            .is_finite()
    );
    let pts = v["depth_sweep"].as_array().expect("depth_sweep");
    assert_eq!(pts.len(), 6);
    for p in pts {
        let want = if p["depth"] == 1 { "exact" } else { "1/n" };
        assert_eq!(p["order"], want, "{p}");
        assert!(p["predicted"].as_f64().unwrap().is_finite());
        assert!(p["residual"].as_f64().unwrap() >= 0.0);
    }
    let on_disk: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("experiment.json")).unwrap())
            .unwrap();
    assert_eq!(on_disk["depth_sweep"], v["depth_sweep"]);
}
