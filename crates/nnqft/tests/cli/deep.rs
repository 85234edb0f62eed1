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
    let cases = [
        ("tanh", "0", 2, 32),
        ("tanh", "0", 4, 128),
        ("erf", "1", 3, 64),
        ("erf", "1", 2, 256),
    ];
    for (arch, sb, depth, width) in cases {
        let (d, w) = (depth.to_string(), width.to_string());
        let common = [
            "--arch",
            arch,
            "--sigma-w",
            "1",
            "--sigma-b",
            sb,
            "--inputs",
            "0.3,0.7,1.0",
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
        &["exact", "--arch", "relu", "--depth", "2", "--width", "4"],
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
    for args in cases {
        let out = nnqft(args);
        assert!(!out.status.success(), "{args:?} succeeded");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
    }
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
