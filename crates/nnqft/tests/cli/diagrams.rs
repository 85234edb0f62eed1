//! End-to-end tests of `nnqft diagrams`: the paper's numbers through the JSON output, the
//! JSON schema, bad input, reviewed snapshots of the text, JSON and LaTeX outputs, and a
//! lualatex compilation of the standalone document (skipped when lualatex is absent, except
//! under CI, where that is a failure).

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

/// (monomial, coefficient, members) of each class.
fn classes(v: &Value) -> Vec<(String, String, u64)> {
    v["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["monomial"].as_str().unwrap().to_string(),
                c["coefficient"].as_str().unwrap().to_string(),
                c["members"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn class(m: &str, c: &str, k: u64) -> (String, String, u64) {
    (m.to_string(), c.to_string(), k)
}

#[test]
fn paper_numbers_in_json() {
    let g4 = json(&["diagrams", "--points", "4", "--order", "1", "--json"]);
    assert_eq!(
        classes(&g4),
        vec![
            class("1", "3", 3),
            class("lambda", "-24", 1),
            class("kappa", "-360", 1)
        ]
    );
    assert_eq!(
        g4["totals"],
        serde_json::json!({"1": "3", "lambda": "-24", "kappa": "-360"})
    );
    let g6 = json(&[
        "diagrams", "--points", "6", "--order", "1", "--format", "json",
    ]);
    assert_eq!(
        classes(&g6),
        vec![
            class("1", "15", 15),
            class("lambda", "-360", 15),
            class("kappa", "-720", 1),
            class("kappa", "-5400", 15)
        ]
    );
}

#[test]
fn json_schema_and_consistency() {
    let v = json(&["diagrams", "--points", "4", "--order", "2", "--json"]);
    assert_eq!(v["points"], 4);
    assert_eq!(v["order"], 2);
    assert_eq!(
        v["vertices"],
        serde_json::json!([{"name": "lambda", "degree": 4}, {"name": "kappa", "degree": 6}])
    );
    assert_eq!(v["connected_only"], false);
    assert_eq!(v["keep_self_energy"], false);
    let diagrams = v["diagrams"].as_array().unwrap();
    let classes = v["classes"].as_array().unwrap();
    for d in diagrams {
        // every node has its degree: externals 1, internal vertices their kind's degree
        let vertices = d["vertices"].as_array().unwrap();
        let nodes = 4 + vertices.len();
        let mut degree = vec![0u64; nodes];
        for e in d["edges"].as_array().unwrap() {
            let (a, b) = (e[0].as_u64().unwrap(), e[1].as_u64().unwrap());
            assert!(a <= b && (b as usize) < nodes);
            degree[a as usize] += 1;
            degree[b as usize] += 1;
        }
        for (i, &deg) in degree.iter().enumerate() {
            let want = if i < 4 {
                1
            } else {
                vertices[i - 4]["degree"].as_u64().unwrap()
            };
            assert_eq!(deg, want, "{d}");
        }
        let c = d["class"].as_u64().unwrap() as usize;
        assert_eq!(classes[c]["monomial"], d["monomial"]);
        for key in ["coefficient", "symmetry_factor"] {
            assert!(d[key].is_string());
        }
        assert!(d["connected"].is_boolean());
    }
    for (i, c) in classes.iter().enumerate() {
        assert_eq!(c["id"], i);
        let members = diagrams
            .iter()
            .filter(|d| d["class"].as_u64() == Some(i as u64))
            .count();
        assert_eq!(c["members"], members);
        assert!(c["latex"].as_str().unwrap().contains("\\int") || c["monomial"] == "1");
    }
    // --json and --format json agree
    assert_eq!(
        ok(&["diagrams", "--points", "4", "--order", "2", "--json"]),
        ok(&[
            "diagrams", "--points", "4", "--order", "2", "--format", "json"
        ])
    );
}

#[test]
fn options_connected_and_custom_vertices() {
    let v = json(&[
        "diagrams",
        "--points",
        "4",
        "--order",
        "2",
        "--connected",
        "--json",
    ]);
    assert!(
        v["diagrams"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["connected"] == true)
    );
    assert!(!classes(&v).iter().any(|c| c.0 == "1"), "no free term");
    // a cubic vertex: G2 at order 2 with insertions kept has the g^2 bubble and tadpoles
    let v = json(&[
        "diagrams",
        "--points",
        "2",
        "--order",
        "2",
        "--vertex",
        "g=3",
        "--keep-self-energy",
        "--json",
    ]);
    assert!(classes(&v).iter().all(|c| c.0 == "1" || c.0 == "g^2"));
    assert!(classes(&v).len() > 2);
}

#[test]
fn bad_input_gives_one_line_errors() {
    let e = fails(&["diagrams", "--points", "3", "--order", "1"]);
    assert!(e.contains("even"), "{e}");
    let e = fails(&["diagrams", "--points", "0", "--order", "1"]);
    assert!(e.contains("positive"), "{e}");
    let e = fails(&[
        "diagrams", "--points", "4", "--order", "1", "--vertex", "lambda",
    ]);
    assert!(e.contains("malformed vertex"), "{e}");
    let e = fails(&[
        "diagrams", "--points", "4", "--order", "1", "--vertex", "m=2",
    ]);
    assert!(e.contains("degree 2"), "{e}");
    let e = fails(&[
        "diagrams", "--points", "4", "--order", "1", "--vertex", "g=4", "--vertex", "g=6",
    ]);
    assert!(e.contains("twice"), "{e}");
    let e = fails(&[
        "diagrams",
        "--points",
        "6",
        "--order",
        "3",
        "--max-diagrams",
        "100",
    ]);
    assert!(
        e.contains("about") && e.contains("limit of 100") && e.contains("--max-diagrams"),
        "{e}"
    );
    let e = fails(&[
        "diagrams",
        "--points",
        "4",
        "--order",
        "1",
        "--standalone",
        "--format",
        "text",
    ]);
    assert!(e.contains("--standalone"), "{e}");
}

/// The JSON with each diagram and class on one line (reviewable), keys sorted.
fn compact_json(s: &str) -> String {
    let v: Value = serde_json::from_str(s).unwrap();
    let mut out = String::from("{\n");
    let obj = v.as_object().unwrap();
    for (i, (k, val)) in obj.iter().enumerate() {
        let comma = if i + 1 < obj.len() { "," } else { "" };
        match val.as_array() {
            Some(items) => {
                out.push_str(&format!("  \"{k}\": [\n"));
                for (j, it) in items.iter().enumerate() {
                    let c = if j + 1 < items.len() { "," } else { "" };
                    out.push_str(&format!("    {it}{c}\n"));
                }
                out.push_str(&format!("  ]{comma}\n"));
            }
            None => out.push_str(&format!("  \"{k}\": {val}{comma}\n")),
        }
    }
    out.push('}');
    out
}

#[test]
fn snapshots_of_g4_and_g6() {
    for (n, k) in [("4", "1"), ("4", "2"), ("6", "1"), ("6", "2")] {
        let args = ["diagrams", "--points", n, "--order", k];
        let text = ok(&args);
        insta::assert_snapshot!(format!("g{n}_order{k}_text"), text);
        let j = ok(&[&args[..], &["--json"]].concat());
        insta::assert_snapshot!(format!("g{n}_order{k}_json"), compact_json(&j));
        let tex = ok(&[&args[..], &["--format", "latex"]].concat());
        insta::assert_snapshot!(format!("g{n}_order{k}_latex"), tex);
    }
}

#[test]
fn standalone_document_compiles_with_lualatex() {
    if !lualatex_available() {
        assert!(
            std::env::var_os("CI").is_none(),
            "lualatex is required under CI (Debian: texlive-latex-base texlive-pictures texlive-luatex)"
        );
        eprintln!("skipping: lualatex not found");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cases: [&[&str]; 3] = [
        &["--points", "4", "--order", "2"],
        &["--points", "6", "--order", "1"],
        // self-loops in pairs, four vertex shapes, subscripted coupling names
        &[
            "--points",
            "2",
            "--order",
            "2",
            "--keep-self-energy",
            "--vertex",
            "g3=3",
            "--vertex",
            "lambda=4",
            "--vertex",
            "mu=5",
            "--vertex",
            "kappa=6",
        ],
    ];
    for (i, case) in cases.iter().enumerate() {
        let file = dir.path().join(format!("doc{i}.tex"));
        let mut args = vec!["diagrams", "--standalone", "-o", file.to_str().unwrap()];
        args.extend_from_slice(case);
        ok(&args);
        let out = Command::new("lualatex")
            .args([
                "-interaction=nonstopmode",
                "-halt-on-error",
                file.file_name().unwrap().to_str().unwrap(),
            ])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let log = std::fs::read_to_string(dir.path().join(format!("doc{i}.log"))).unwrap();
        let errors: Vec<&str> = log.lines().filter(|l| l.starts_with('!')).collect();
        assert!(
            out.status.success() && errors.is_empty(),
            "lualatex failed on {case:?}: {errors:?}\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(dir.path().join(format!("doc{i}.pdf")).exists());
    }
}

#[test]
fn dot_output_has_one_graph_per_class() {
    let out = ok(&[
        "diagrams", "--points", "4", "--order", "1", "--format", "dot",
    ]);
    // Order 0 (three free pairings, one class) and order 1 (X and X with a loop): 3 classes.
    assert_eq!(out.matches("graph {").count(), 3, "{out}");
    assert!(out.contains("coefficient -24"), "{out}");
}

/// Eight cubic vertices make few diagrams (697 for G2) but 1e12 labelled configurations to
/// canonicalize (it ran past 60 s): refused at once with the estimate; six are allowed.
#[test]
fn many_vertices_of_one_kind_are_refused_by_the_work_estimate() {
    let t = std::time::Instant::now();
    let out = crate::common::nnqft(&[
        "diagrams", "--points", "2", "--order", "8", "--vertex", "g=3",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("about 697 diagrams") && err.contains("labelled configurations"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(t.elapsed().as_secs_f64() < 5.0);
    let ok = crate::common::nnqft(&[
        "diagrams", "--points", "2", "--order", "6", "--vertex", "g=3",
    ]);
    assert!(ok.status.success());
}

/// A size estimate that saturated is printed as an order of magnitude, not as 39 digits.
#[test]
fn a_saturated_estimate_reads_as_more_than_an_order_of_magnitude() {
    let out = crate::common::nnqft(&["diagrams", "--points", "62", "--order", "2"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("more than 3.4e38 diagrams"), "{err}");
}
