//! End-to-end tests of the command-line conventions every command shares: negative numbers in
//! scientific notation, `--out`/`-o` (creating missing directories), and `--source FILE`
//! supplying the network, width and inputs of the file.

use crate::common::{json, nnqft, ok};
use serde_json::Value;

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn negative_numbers_in_scientific_notation() {
    // `--lambda -6.25e-11` means the same as `--lambda=-6.25e-11`, which clap always took.
    let base = [
        "evaluate", "--points", "4", "--order", "1", "--arch", "relu", "--tuple", "0,1,2,3",
        "--cutoff", "10", "--json",
    ];
    let mut spaced: Vec<&str> = base.to_vec();
    spaced.extend(["--lambda", "-6.25e-11", "--kappa", "-1.5E-3"]);
    let mut joined: Vec<&str> = base.to_vec();
    joined.extend(["--lambda=-6.25e-11", "--kappa=-1.5E-3"]);
    assert_eq!(ok(&spaced), ok(&joined));
    // The order-1 term is linear in lambda: at lambda = -6.25e-11 it is -6.25e-11 times its
    // value at lambda = 1 (the order-0 terms do not depend on lambda).
    let one = json(&[
        "evaluate", "--points", "4", "--order", "1", "--arch", "relu", "--tuple", "0,1,2,3",
        "--cutoff", "10", "--json", "--lambda", "1",
    ]);
    let neg = json(&spaced);
    let order1 = |v: &Value| -> f64 {
        v["terms"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["monomial"] == "lambda")
            .map(|t| t["value"].as_f64().unwrap())
            .sum()
    };
    let (a, b) = (order1(&one), order1(&neg));
    assert!(a != 0.0 && (b / a + 6.25e-11).abs() < 1e-22, "{a} {b}");
    // A negative value of a scale reaches the validation, which names the setting.
    let o = nnqft(&["kernel", "--arch", "erf", "--sigma-b", "-1e-3", "--json"]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(
        !e.contains("unexpected argument") && e.contains("sigma_b"),
        "{e}"
    );
    // Negative inputs in scientific notation.
    let k = json(&[
        "kernel",
        "--arch",
        "relu",
        "--sigma-b",
        "1",
        "--inputs",
        "-1e-1",
        "--json",
    ]);
    assert_eq!(k["inputs"], serde_json::json!([[-0.1]]));
}

#[test]
fn out_everywhere_creates_directories() {
    let dir = tempfile::tempdir().unwrap();
    // A directory output: missing parents are created.
    let rg_dir = dir.path().join("a/b/rg");
    ok(&[
        "rg",
        "--arch",
        "relu",
        "--cutoffs",
        "10,100",
        "--quiet",
        "-o",
        rg_dir.to_str().unwrap(),
    ]);
    assert!(rg_dir.join("rg.json").is_file());
    // predict --out writes the JSON that --json prints.
    let p = dir.path().join("p.json");
    let printed = ok(&[
        "predict",
        "--arch",
        "relu",
        "--quiet",
        "--json",
        "--out",
        p.to_str().unwrap(),
    ]);
    assert_eq!(std::fs::read_to_string(&p).unwrap(), printed);
    // diagrams: --out, -o and the old --output write the same file.
    let mut files = vec![];
    for flag in ["--out", "-o", "--output"] {
        let f = dir.path().join(format!("d{}.txt", files.len()));
        ok(&[
            "diagrams",
            "--points",
            "4",
            "--order",
            "1",
            flag,
            f.to_str().unwrap(),
        ]);
        files.push(std::fs::read_to_string(&f).unwrap());
    }
    assert!(files[0].contains("lambda") && files[0] == files[1] && files[1] == files[2]);
}

#[test]
fn source_file_supplies_the_network_width_and_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("erf.json");
    let f = f.to_str().unwrap();
    ok(&[
        "exact",
        "--arch",
        "erf",
        "--sigma-b",
        "0.5",
        "--width",
        "7",
        "--inputs",
        "-0.4,0.1,0.9",
        "--quiet",
        "--out",
        f,
    ]);
    // Without flags: the file's settings; with the same flags spelled out: the same result.
    let bare = json(&[
        "rg",
        "--source",
        f,
        "--cutoffs",
        "10,100",
        "--json",
        "--quiet",
    ]);
    let full = json(&[
        "rg",
        "--arch",
        "erf",
        "--sigma-b",
        "0.5",
        "--width",
        "7",
        "--inputs",
        "-0.4,0.1,0.9",
        "--cutoffs",
        "10,100",
        "--json",
        "--quiet",
    ]);
    assert_eq!(bare["arch"], "erf");
    assert_eq!(bare["width"], 7);
    assert_eq!(bare["sigma_b"], 0.5);
    assert_eq!(bare["inputs"], full["inputs"]);
    let (a, b) = (&bare["lambda"], &full["lambda"]);
    assert_eq!(a.as_array().unwrap().len(), b.as_array().unwrap().len());
    for (x, y) in a.as_array().unwrap().iter().zip(b.as_array().unwrap()) {
        for (x, y) in x.as_array().unwrap().iter().zip(y.as_array().unwrap()) {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!((x - y).abs() <= 1e-12 * y.abs(), "{x} {y}");
        }
    }
    ok(&["predict", "--source", f, "--quiet"]);
    // A flag that disagrees with the file is an error naming both values.
    for (flag, ours, theirs) in [
        ("--arch", "relu", "erf"),
        ("--width", "8", "7"),
        ("--sigma-b", "1", "0.5"),
        ("--d-in", "2", "1"),
    ] {
        let o = nnqft(&["rg", "--source", f, flag, ours, "--quiet"]);
        assert!(!o.status.success());
        let e = stderr(&o);
        assert!(
            e.contains(&format!("{flag} {ours}")) && e.contains(theirs),
            "{flag}: {e}"
        );
    }
}

#[test]
fn evaluate_every_tuple_with_settings_and_exact_coefficients() {
    // ReLU-net with sb = 0 in d = 1: the order-1 quartic integral is closed form,
    // I4 = x_i x_j x_k x_l L^5 / 80 (docs/conventions.md section 5), at every sorted tuple.
    let v = json(&[
        "evaluate", "--points", "4", "--order", "1", "--arch", "relu", "--tuple", "all",
        "--cutoff", "7", "--lambda", "-2.5e-3", "--json", "--quiet",
    ]);
    assert_eq!(v["arch"], "relu");
    assert_eq!(v["cutoff"], 7.0);
    assert_eq!(v["couplings"]["lambda"], -2.5e-3);
    assert_eq!(v["couplings"]["kappa"], 1.0);
    let xs: Vec<f64> = v["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[0].as_f64().unwrap())
        .collect();
    let rows = v["tuples"].as_array().unwrap();
    assert_eq!(rows.len(), 126); // sorted 4-multisets of 6 inputs: C(9, 4)
    let mut seen = std::collections::BTreeSet::new();
    for r in rows {
        let t: Vec<usize> = r["tuple"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_u64().unwrap() as usize)
            .collect();
        assert!(t.windows(2).all(|w| w[0] <= w[1]) && seen.insert(t.clone()));
        let x = r["terms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["monomial"] == "lambda")
            .unwrap();
        assert_eq!(x["coefficient_exact"], "-24");
        let i4 = t.iter().map(|&i| xs[i]).product::<f64>() * 7f64.powi(5) / 80.0;
        let want = -24.0 * -2.5e-3 * i4;
        let got = x["value"].as_f64().unwrap();
        assert!((got / want - 1.0).abs() < 1e-12, "{t:?}: {got} vs {want}");
    }
    // Per labelled diagram: each row names its diagram, and the members of a class sum to
    // the class's value (the class term is the members' mean integral times the total
    // coefficient).
    let one = [
        "evaluate", "--points", "4", "--order", "1", "--arch", "relu", "--tuple", "0,1,2,5",
        "--cutoff", "3", "--json",
    ];
    let classes = json(&one);
    let mut args = one.to_vec();
    args.push("--diagrams");
    let diagrams = json(&args);
    for c in classes["terms"].as_array().unwrap() {
        let members: Vec<&Value> = diagrams["terms"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["class"] == c["class"])
            .collect();
        assert!(!members.is_empty());
        for d in &members {
            let lines = d["diagram_lines"].as_str().unwrap();
            assert!(lines.contains("x1") && lines.contains("x4"), "{lines}");
        }
        let sum: f64 = members.iter().map(|d| d["value"].as_f64().unwrap()).sum();
        let want = c["value"].as_f64().unwrap();
        assert!(
            (sum - want).abs() <= 1e-12 * want.abs().max(1e-300),
            "{sum} vs {want}"
        );
    }
}

#[test]
fn latex_body_is_document_content_and_compiles() {
    use crate::common::lualatex_available;
    use std::process::Command;
    for case in [
        ["--points", "4", "--order", "2"],
        ["--points", "6", "--order", "1"],
    ] {
        let mut args = vec!["diagrams", "--format", "latex"];
        args.extend_from_slice(&case);
        let body = ok(&args);
        // Only what goes into a document: no prose, no sectioning, no preamble.
        for banned in [
            "\\paragraph",
            "\\noindent",
            "Expansion of",
            "\\documentclass",
            "\\section",
        ] {
            assert!(!body.contains(banned), "{case:?}: {banned}");
        }
        // Lines break between terms only: every continuation line starts a new term with
        // its sign, and no term is cut inside its product of factors (a term too wide for a
        // line ends it after its vertex integrals, and its whole product follows, indented).
        let mut prev = "";
        for line in body.lines().filter(|l| l.trim_start().starts_with('&')) {
            let rest = line.trim_start().trim_start_matches("&\\quad").trim_start();
            if let Some(product) = rest.strip_prefix("\\quad ") {
                assert!(
                    product.starts_with("K(") && prev.trim_end().ends_with("\\, \\\\"),
                    "{prev}\n{line}"
                );
            } else {
                assert!(rest.starts_with("+ ") || rest.starts_with("- "), "{line}");
            }
            prev = line;
        }
        // The diagrams are drawn inline: one drawing per class, vertices labelled.
        assert!(body.contains("\\vcenter{\\hbox{\\begin{tikzpicture}"));
        assert!(body.contains("\\(\\lambda\\)") && body.contains("\\(\\kappa\\)"));
        if !lualatex_available() {
            assert!(
                std::env::var_os("CI").is_none(),
                "lualatex is required under CI"
            );
            eprintln!("skipping: lualatex not found");
            continue;
        }
        // Pasted into a user's document, it compiles.
        let dir = tempfile::tempdir().unwrap();
        let doc = format!(
            "\\documentclass{{article}}\n\\usepackage{{amsmath}}\n\\usepackage{{tikz-feynman}}\n\\tikzfeynmanset{{compat=1.1.0}}\n\\allowdisplaybreaks\n\\begin{{document}}\n{body}\\end{{document}}\n"
        );
        std::fs::write(dir.path().join("paper.tex"), doc).unwrap();
        let out = Command::new("lualatex")
            .args(["-interaction=nonstopmode", "-halt-on-error", "paper.tex"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success() && dir.path().join("paper.pdf").exists(),
            "{case:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

/// Issue 19: numbers in text output are short and never "-0": the couplings as given
/// (not Debug's "1.0"), and a tuple across the origin (ReLU, sb = 0: every integral is 0
/// and the coefficients negative) without "-0.000...e0".
#[test]
fn evaluate_prints_short_numbers_and_no_negative_zero() {
    let out = ok(&[
        "evaluate",
        "--points",
        "4",
        "--order",
        "2",
        "--arch",
        "relu",
        "--inputs=-1,-0.5,0,1",
        "--tuple",
        "0,1,2,3",
        "--cutoff",
        "10",
        "--lambda",
        "-6.25e-11",
        "--kappa",
        "1",
    ]);
    assert!(out.contains("lambda = -6.25e-11, kappa = 1,"), "{out}");
    assert!(!out.contains("-0.0") && !out.contains("-0e"), "{out}");
    assert!(
        out.contains("total = 0.00000000000000e0 +- 0.00e0"),
        "{out}"
    );
}

/// Issue 19's cosmetic case: a scale of 1e-300 (or 1e200) reads "1e-300" in every header,
/// not as 300 digits.
#[test]
fn extreme_scales_print_short_in_headers() {
    for v in ["1e-300", "1e200"] {
        for flag in ["--sigma-w", "--sigma-b"] {
            let runs: [&[&str]; 3] = [
                &["kernel", "--arch", "relu", flag, v, "--inputs", "0.5"],
                &[
                    "exact", "--arch", "relu", "--width", "5", flag, v, "--inputs", "0.5",
                ],
                &[
                    "sample", "--arch", "relu", "--width", "5", "--nets", "100", flag, v,
                    "--inputs", "0.5", "--quiet",
                ],
            ];
            for args in runs {
                let out = nnqft(args);
                let text = format!(
                    "{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
                // 1e200 may overflow (a one-line error); a success names the scale.
                assert!(
                    !out.status.success() || text.contains(v),
                    "{args:?}: {text}"
                );
                assert!(text.lines().all(|l| l.len() < 200), "{args:?}: {text}");
            }
        }
    }
}
