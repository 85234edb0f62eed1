//! Deep networks in the coupling commands (`rg`, `predict`, `fit`, `evaluate` with `--depth`,
//! docs/conventions.md section 11): the deep kernel inside the vertex integrals against closed
//! forms and independent quadrature of `kernel --depth`, the 1/n connected G4 as DeltaG4,
//! depth 1 unchanged, and the refusals.

use crate::common::{json, nnqft, ok};
use serde_json::Value;

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs())
}

#[test]
fn relu_depth_two_rg_is_the_closed_form() {
    // ReLU, sb = 0, one input x > 0, depth 2. Kernel: K(x, y) = sW^6 |x y| / 4 for y of x's
    // sign, sW^6 |x y| / (4 pi) for the other sign (the second layer's pre-activations of
    // opposite inputs are uncorrelated: arc-cosine at angle pi/2). So on [-L, L]:
    // I4 = sW^24 x^4 (4^-4 + (4 pi)^-4) L^5 / 5, lambda ~ L^-5 at any depth (slope -5).
    // 1/n: V = 5 L K^2 with L = 2 layers, K1 = 0: DeltaG4 = 3 V / n = 30 K^2 / n.
    let (sw, x, n) = (1.2f64, 0.5f64, 10.0);
    let r = json(&[
        "rg",
        "--arch",
        "relu",
        "--sigma-w",
        "1.2",
        "--depth",
        "2",
        "--inputs",
        "0.5",
        "--width",
        "10",
        "--cutoffs",
        "10,100",
        "--json",
        "--quiet",
    ]);
    assert_eq!(r["depth"], 2);
    assert_eq!(r["order"], "1/n");
    let k = sw.powi(6) * x * x / 4.0;
    let dg4 = 30.0 * k * k / n;
    let c = 4f64.powi(-4) + (4.0 * std::f64::consts::PI).powi(-4);
    for (i, l) in [10.0f64, 100.0].iter().enumerate() {
        let i4 = sw.powi(24) * x.powi(4) * c * l.powi(5) / 5.0;
        let got_i4 = r["integral"][i][0].as_f64().unwrap();
        assert!(close(got_i4, i4, 1e-11), "L={l}: I4 {got_i4} vs {i4}");
        let lam = r["lambda"][i][0].as_f64().unwrap();
        let want = -dg4 / (24.0 * i4);
        assert!(close(lam, want, 1e-10), "L={l}: lambda {lam} vs {want}");
    }
    assert!((r["slope"].as_f64().unwrap() + 5.0).abs() < 1e-9);
}

#[test]
fn deep_linear_vertex_integrals_are_the_polynomial_ones() {
    // Linear, depth L: K_int(x, y) = a + b x y with a = sb^2 (sW^2 + ... + sW^2L) and
    // b = sW^(2(L+1)) (d = 1), so I4(x,x,x,x; L) = 2 [a^4 L + 2 a^2 b^2 x^2 L^3 + b^4 x^4 L^5/5].
    // The same propagator is a single-layer linear net's with sW' = sW^((L+1)/2) and
    // sb'^2 = a / sW'^2: its integrals must agree.
    let (sw, sb, x, depth) = (1.1f64, 0.3f64, 0.7f64, 3);
    let a: f64 = sb * sb * (1..=depth).map(|k| sw.powi(2 * k)).sum::<f64>();
    let b = sw.powi(2 * (depth + 1));
    let run = |sw: f64, sb: f64, depth: i32| {
        let (sw, sb, d) = (sw.to_string(), sb.to_string(), depth.to_string());
        json(&[
            "rg",
            "--arch",
            "linear",
            "--sigma-w",
            &sw,
            "--sigma-b",
            &sb,
            "--depth",
            &d,
            "--inputs",
            "0.7",
            "--width",
            "8",
            "--cutoffs",
            "3,30",
            "--json",
            "--quiet",
        ])
    };
    let deep = run(sw, sb, depth);
    let sw1 = sw.powf((depth + 1) as f64 / 2.0);
    let one = run(sw1, (a / (sw1 * sw1)).sqrt(), 1);
    for (i, l) in [3.0f64, 30.0].iter().enumerate() {
        let want = 2.0
            * (a.powi(4) * l
                + 2.0 * a * a * b * b * x * x * l.powi(3)
                + b.powi(4) * x.powi(4) * l.powi(5) / 5.0);
        let got = deep["integral"][i][0].as_f64().unwrap();
        assert!(close(got, want, 1e-11), "L={l}: {got} vs {want}");
        let single = one["integral"][i][0].as_f64().unwrap();
        assert!(
            close(got, single, 1e-11),
            "L={l}: {got} vs single layer {single}"
        );
    }
}

/// Gauss-Legendre nodes and weights on [-1, 1] (Newton on P_n).
fn gauss_legendre(n: usize) -> Vec<(f64, f64)> {
    (1..=n)
        .map(|i| {
            let mut x = (std::f64::consts::PI * (i as f64 - 0.25) / (n as f64 + 0.5)).cos();
            let mut dp = 1.0;
            for _ in 0..100 {
                let (mut p0, mut p1) = (1.0, x);
                for k in 2..=n {
                    let p2 = ((2 * k - 1) as f64 * x * p1 - (k - 1) as f64 * p0) / k as f64;
                    p0 = p1;
                    p1 = p2;
                }
                dp = n as f64 * (x * p1 - p0) / (x * x - 1.0);
                let dx = p1 / dp;
                x -= dx;
                if dx.abs() < 1e-16 {
                    break;
                }
            }
            (x, 2.0 / ((1.0 - x * x) * dp * dp))
        })
        .collect()
}

#[test]
fn erf_depth_two_integrals_use_the_kernel_of_kernel_depth() {
    // I4 by Gauss-Legendre over K_int(x_a, y) = K - sb^2 read from `nnqft kernel --depth 2`
    // at the nodes (the erf kernel is analytic: 2 panels of 40 nodes are exact to ~1e-12).
    let (l, sb) = (4.0f64, 1.0f64);
    let rule = gauss_legendre(40);
    let mut nodes = vec![];
    for (c, h) in [(-l / 2.0, l / 2.0), (l / 2.0, l / 2.0)] {
        for &(t, w) in &rule {
            nodes.push((c + h * t, h * w));
        }
    }
    let mut inputs = vec!["-0.8".to_string(), "0.3".to_string()];
    inputs.extend(nodes.iter().map(|(y, _)| format!("{y:e}")));
    let list = inputs.join(";");
    let k = json(&[
        "kernel", "--arch", "erf", "--depth", "2", "--inputs", &list, "--json",
    ]);
    let kint = |a: usize, j: usize| k["kernel"][a][2 + j].as_f64().unwrap() - sb * sb;
    let r = json(&[
        "rg",
        "--arch",
        "erf",
        "--depth",
        "2",
        "--inputs",
        "-0.8,0.3",
        "--width",
        "20",
        "--cutoffs",
        "4",
        "--json",
        "--quiet",
    ]);
    let tuples = r["tuples"].as_array().unwrap();
    assert_eq!(tuples.len(), 5);
    for (t, tuple) in tuples.iter().enumerate() {
        let idx: Vec<usize> = tuple
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect();
        let want: f64 = nodes
            .iter()
            .enumerate()
            .map(|(j, (_, w))| w * idx.iter().map(|&a| kint(a, j)).product::<f64>())
            .sum();
        let got = r["integral"][0][t].as_f64().unwrap();
        assert!(close(got, want, 1e-9), "{idx:?}: {got} vs {want}");
    }
}

#[test]
fn erf_depth_two_lambda_is_negative_and_falls_as_one_over_n() {
    // DeltaG4 from the exact source is the 1/n connected G4, exactly proportional to 1/n; at
    // coincident inputs it is positive (V_(11)(11) >= sW^4 Var(act^2) > 0) and I4 > 0, so
    // lambda < 0 there.
    let run = |w: &str| {
        json(&[
            "rg",
            "--arch",
            "erf",
            "--depth",
            "2",
            "--inputs",
            "-0.8,0.3",
            "--width",
            w,
            "--cutoffs",
            "5,50",
            "--json",
            "--quiet",
        ])
    };
    let (a, b) = (run("20"), run("40"));
    for k in 0..2 {
        let (la, lb) = (floats(&a["lambda"][k]), floats(&b["lambda"][k]));
        for (t, (x, y)) in la.iter().zip(&lb).enumerate() {
            assert!(
                close(*x, 2.0 * y, 1e-12),
                "cutoff {k} tuple {t}: {x} vs 2 x {y}"
            );
        }
        // Tuples [0,0,0,0] and [1,1,1,1] are the first and last.
        assert!(la[0] < 0.0 && la[4] < 0.0, "{la:?}");
    }
}

#[test]
fn depth_one_couplings_are_todays_output() {
    let with_and_without = |args: &[&str]| {
        let plain = ok(args);
        let mut a = args.to_vec();
        a.extend(["--depth", "1"]);
        assert_eq!(plain, ok(&a), "{args:?}");
        assert!(
            !plain.contains("\"depth\"") && !plain.contains("1/n"),
            "{args:?}"
        );
    };
    with_and_without(&[
        "rg",
        "--arch",
        "erf",
        "--cutoffs",
        "7,70",
        "--json",
        "--quiet",
    ]);
    with_and_without(&["predict", "--arch", "relu", "--json", "--quiet"]);
    with_and_without(&[
        "evaluate", "--arch", "erf", "--points", "4", "--order", "1", "--tuple", "0,1,2,3",
        "--cutoff", "5", "--json", "--quiet",
    ]);
    with_and_without(&[
        "fit", "--arch", "relu", "--models", "M0,M1", "--json", "--quiet",
    ]);
}

#[test]
fn deep_evaluate_propagator_is_the_deep_kernel() {
    // G2 at order 0 is the free propagator K(x_a, x_b) = `kernel --depth 3`.
    let e = json(&[
        "evaluate", "--arch", "tanh", "--depth", "3", "--inputs", "-0.4,0.9", "--points", "2",
        "--order", "0", "--tuple", "0,1", "--cutoff", "3", "--json", "--quiet",
    ]);
    assert_eq!(e["depth"], 3);
    let k = json(&[
        "kernel", "--arch", "tanh", "--depth", "3", "--inputs", "-0.4,0.9", "--json",
    ]);
    let want = k["kernel"][0][1].as_f64().unwrap();
    let got = e["total"].as_f64().unwrap();
    assert!(close(got, want, 1e-14), "{got} vs {want}");
}

#[test]
fn deep_coupling_refusals_are_one_line_errors() {
    let cases: [(&[&str], &str); 5] = [
        // A uniform hidden bias is defined for the first layer only.
        (
            &[
                "rg",
                "--arch",
                "cos",
                "--bias-dist",
                "uniform",
                "--depth",
                "2",
                "--inputs",
                "0.5",
            ],
            "--depth",
        ),
        // The 1/n recursion needs pre-activations of non-zero variance (x = 0 without biases).
        (
            &[
                "rg",
                "--arch",
                "erf",
                "--depth",
                "2",
                "--sigma-b",
                "0",
                "--inputs",
                "0,0.3",
            ],
            "x = 0",
        ),
        // The 6-point function is not computed at order 1/n.
        (
            &[
                "predict", "--arch", "erf", "--depth", "2", "--inputs", "0.5",
            ],
            "--source",
        ),
        (
            &[
                "rg",
                "--arch",
                "erf",
                "--depth",
                "2",
                "--inputs",
                "0.5",
                "--couplings",
                "lambda,kappa",
            ],
            "--source",
        ),
        // Absurd work: a tanh kernel at |y| = 1e5 needs ~1e13 trapezoid nodes per layer map.
        (
            &["rg", "--arch", "tanh", "--depth", "3", "--inputs", "0.5"],
            "estimate",
        ),
    ];
    for (args, needle) in cases {
        let out = nnqft(args);
        assert!(!out.status.success(), "{args:?} succeeded");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn deep_delta_g4_is_the_connected_function_not_g4_minus_wick_on_k() {
    // At depth 2, G2 = K + K1/n != K: lambda must come from the connected G4 (the `connected`
    // table of `exact --depth 2`), which differs from G4 - sum_3 K K by about 13% here; the
    // same from the exact source and from the file of `exact`.
    let base = [
        "--arch", "erf", "--depth", "2", "--width", "5", "--inputs", "-0.8,0.3",
    ];
    let mut ex = vec!["exact", "--npt", "2,4", "--json"];
    ex.extend(base);
    let text = ok(&ex);
    let m: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(m["order"], "1/n");
    let conn: Vec<f64> = m["connected"]["4"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["mean"].as_f64().unwrap())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("exact.json");
    std::fs::write(&file, &text).unwrap();
    let file = file.to_str().unwrap();
    for source in ["exact", file] {
        let mut a = vec![
            "rg",
            "--cutoffs",
            "6",
            "--json",
            "--quiet",
            "--source",
            source,
        ];
        a.extend(base);
        let r = json(&a);
        let (lam, i4) = (floats(&r["lambda"][0]), floats(&r["integral"][0]));
        assert_eq!(lam.len(), conn.len());
        for t in 0..lam.len() {
            let want = -conn[t] / (24.0 * i4[t]);
            assert!(
                close(lam[t], want, 1e-12),
                "{source} {t}: {} vs {want}",
                lam[t]
            );
        }
        let g4 = &m["correlators"]["4"][0];
        let naive = g4["mean"].as_f64().unwrap() - g4["gp"].as_f64().unwrap();
        assert!((naive - conn[0]).abs() > 0.05 * conn[0].abs());
    }
}

#[test]
fn deep_predict_takes_a_sampled_file_with_the_six_point_function() {
    // The 6-point prediction needs G6: from a sampled deep file it runs (no "order": sampled),
    // and its DeltaG6 is G6 - sum_15 G2 G2 G2 of the file's own entries.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.json");
    let file = file.to_str().unwrap();
    let base = [
        "--arch", "erf", "--depth", "2", "--width", "5", "--inputs", "0.3,0.6",
    ];
    let mut s = vec![
        "sample", "--npt", "2,4,6", "--nets", "20000", "--quiet", "--out", file,
    ];
    s.extend(base);
    ok(&s);
    let mut p = vec![
        "predict", "--cutoff", "5", "--json", "--quiet", "--source", file,
    ];
    p.extend(base);
    let r = json(&p);
    assert_eq!(r["depth"], 2);
    assert!(r.get("order").is_none());
    let m: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let g2: Vec<f64> = m["correlators"]["2"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["mean"].as_f64().unwrap())
        .collect();
    // One input pair: G2 entries [0,0], [0,1], [1,1]; entry [0,0,0,0,0,0] of G6.
    let g6 = m["correlators"]["6"][0]["mean"].as_f64().unwrap();
    let want = g6 - 15.0 * g2[0].powi(3);
    let got = r["measured"][0].as_f64().unwrap();
    assert!(close(got, want, 1e-12), "{got} vs {want}");
}

/// ReLU with sb = 0 is homogeneous of degree one at every depth, so on inputs along one ray
/// DeltaG4 and I4 both scale as |x1 x2 x3 x4| and every tuple's lambda equals the one-input
/// value (checked above against its closed form): the several-input 1/n path must agree.
#[test]
fn relu_depth_two_several_inputs_on_a_ray_match_one_input() {
    let rg = |inputs: &str| {
        json(&[
            "rg",
            "--arch",
            "relu",
            "--depth",
            "2",
            "--width",
            "5",
            "--cutoffs",
            "10,20",
            "--inputs",
            inputs,
            "--json",
            "--quiet",
        ])
    };
    let one = rg("0.4");
    let many = rg("0.4,1.2");
    assert_eq!(many["tuples"].as_array().unwrap().len(), 5);
    for (c, per_cutoff) in many["lambda"].as_array().unwrap().iter().enumerate() {
        let reference = one["lambda"][c][0].as_f64().unwrap();
        for l in floats(per_cutoff) {
            assert!(close(l, reference, 1e-12), "cutoff {c}: {l} vs {reference}");
        }
    }
}
