//! End-to-end test of `nnqft reproduce` at the hidden tiny scale: every promised file exists
//! and parses, every link of report.md resolves, the numbers printed in report.md equal the
//! JSON files' to the printed precision, a few physics facts hold (ReLU RG slope -5 from
//! I4 ~ L^5, the diagram coefficients -24 and -360), and a rerun replaces the report cleanly.
//! The report names its estimator (conditional by default), shows the Erf-net's m_4 background
//! with both estimators, and `--estimator direct` gives exactly `nnqft sample`'s direct numbers.

use crate::common::{lualatex_available, ok};

use serde_json::Value;
use std::path::Path;
use std::process::Command;

const ARCHS: [&str; 3] = ["erf", "relu", "gauss"];

fn reproduce(dir: &Path) {
    reproduce_with(dir, &[]);
}

fn reproduce_with(dir: &Path, extra: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_nnqft"))
        .args(["reproduce", "--scale", "tiny", "--quiet"])
        .args(extra)
        .arg("--out")
        .arg(dir)
        .output()
        .expect("run nnqft");
    assert!(
        out.status.success(),
        "nnqft reproduce failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn json(dir: &Path, name: &str) -> Value {
    let text = std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} does not parse: {e}"))
}

/// The cells of every Markdown table row whose first cells equal `key`.
fn rows<'a>(md: &'a str, key: &[&str]) -> Vec<Vec<&'a str>> {
    md.lines()
        .filter(|l| l.starts_with('|'))
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect::<Vec<_>>()
        })
        .filter(|cells| cells.len() >= key.len() && cells[..key.len()] == *key)
        .collect()
}

/// The single row starting with `key`.
fn row<'a>(md: &'a str, key: &[&str]) -> Vec<&'a str> {
    let r = rows(md, key);
    assert_eq!(
        r.len(),
        1,
        "expected one row starting with {key:?}, got {r:?}"
    );
    r.into_iter().next().unwrap()
}

/// A printed cell against a JSON number: "-" for null, else equal within `tol` (absolute
/// plus relative, matching the printed precision).
fn check(cell: &str, v: &Value, abs: f64, rel: f64, what: &str) {
    match v.as_f64() {
        None => assert_eq!(cell, "-", "{what}: JSON null but report shows {cell}"),
        Some(x) => {
            let y: f64 = cell
                .parse()
                .unwrap_or_else(|_| panic!("{what}: '{cell}' is not a number"));
            assert!(
                (x - y).abs() <= abs + rel * x.abs(),
                "{what}: report {y} vs JSON {x}"
            );
        }
    }
}

/// Every link target `](target)` of a Markdown text.
fn links(md: &str) -> Vec<String> {
    let mut out = vec![];
    let mut rest = md;
    while let Some(k) = rest.find("](") {
        rest = &rest[k + 2..];
        let end = rest.find(')').expect("closed link");
        out.push(rest[..end].to_string());
        rest = &rest[end..];
    }
    out
}

#[test]
fn tiny_reproduction_is_complete_and_consistent() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("report");
    reproduce(&dir);

    // Every promised file exists and parses.
    let jsons = [
        "gp_check.json",
        "exact.json",
        "rg.json",
        "prediction.json",
        "table5.json",
        "diagrams.json",
        "run.json",
    ];
    for j in jsons {
        json(&dir, j);
    }
    let mut svgs = vec![
        "m4_background_estimators.svg".to_string(),
        "rg_beta.svg".to_string(),
        "prediction6.svg".into(),
        "rg_relu_d1_exact.svg".into(),
        "rg_erf_d1_exact.svg".into(),
        "rg_gauss_d1_exact.svg".into(),
    ];
    for a in ARCHS {
        for s in ["m2", "m4", "m6", "connected6"] {
            svgs.push(format!("{s}_{a}.svg"));
        }
    }
    for s in &svgs {
        let text = std::fs::read_to_string(dir.join(s)).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert!(
            text.starts_with("<svg") && text.trim_end().ends_with("</svg>"),
            "{s}"
        );
    }
    let tex = std::fs::read_to_string(dir.join("expansions.tex")).unwrap();
    assert!(tex.starts_with("\\documentclass") && tex.contains("\\end{document}"));
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    if lualatex_available() {
        let pdf = std::fs::read(dir.join("expansions.pdf")).expect("expansions.pdf");
        assert!(pdf.starts_with(b"%PDF"));
    } else {
        assert!(md.contains("lualatex is not on PATH"));
    }

    // Every link resolves; every figure and JSON file is linked.
    let targets = links(&md);
    for t in &targets {
        assert!(dir.join(t).is_file(), "report.md links to missing {t}");
    }
    for f in svgs.iter().map(String::as_str).chain(jsons) {
        assert!(targets.iter().any(|t| t == f), "{f} is not linked");
    }
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".svg") {
            assert!(targets.contains(&name), "{name} written but not linked");
        }
    }

    // The estimator: conditional by default, named in run.json, gp_check.json and report.md;
    // the Erf-net is also sampled with the direct one, both printed side by side.
    let g = json(&dir, "gp_check.json");
    assert_eq!(json(&dir, "run.json")["estimator"], "conditional");
    assert_eq!(g["estimator"], "conditional");
    assert!(md.contains("Scale **tiny**, estimator **conditional**"));
    assert!(md.contains("the **conditional** estimator"));
    for a in g["archs"].as_array().unwrap() {
        assert_eq!(a["sweep"]["config"]["estimator"], "conditional");
    }
    let c = &g["comparison"];
    assert_eq!(c["arch"], "erf");
    assert_eq!(c["sweep"]["config"]["estimator"], "direct");
    let main_erf = &g["archs"][0];
    assert_eq!(main_erf["arch"], "erf");
    for (k, (mc, md_)) in main_erf["sweep"]["measurements"]
        .as_array()
        .unwrap()
        .iter()
        .zip(c["sweep"]["measurements"].as_array().unwrap())
        .enumerate()
    {
        let w = mc["width"].to_string();
        let r = rows(&md, &[w.as_str()])
            .into_iter()
            .find(|r| r.len() == 7)
            .unwrap_or_else(|| panic!("no comparison row for N = {w}"));
        check(r[2], &mc["summary"]["4"]["signal"], 0.0, 1e-4, "m_4 cond.");
        check(
            r[3],
            &mc["summary"]["4"]["background"],
            0.0,
            1e-4,
            "bg cond.",
        );
        check(
            r[5],
            &md_["summary"]["4"]["signal"],
            0.0,
            1e-4,
            "m_4 direct",
        );
        check(
            r[6],
            &md_["summary"]["4"]["background"],
            0.0,
            1e-4,
            "bg direct",
        );
        check(r[4], &c["nets_per_width"][k], 0.0, 0.0, "direct nets");
    }

    // Stage 1: the fitted slopes, as printed.
    for a in g["archs"].as_array().unwrap() {
        let title = a["title"].as_str().unwrap();
        for n in ["2", "4", "6"] {
            let r = row(&md, &[title, &format!("m_{n}")]);
            let fit = &a["sweep"]["slopes"][n];
            check(
                r[2],
                &fit["slope"],
                5e-4,
                0.0,
                &format!("{title} m_{n} slope"),
            );
        }
        let r = row(&md, &[title, "mean abs G6c"]);
        check(
            r[2],
            &a["sweep"]["connected6_slope"]["slope"],
            5e-4,
            0.0,
            "G6c slope",
        );
        // The per-width table: m_4 at each width.
        for m in a["sweep"]["measurements"].as_array().unwrap() {
            let w = m["width"].to_string();
            let r = rows(&md, &[w.as_str()])
                .into_iter()
                .find(|r| r.len() == 10 && check_close(r[4], &m["summary"]["4"]["signal"]))
                .map(|r| r[4].to_string());
            assert!(
                r.is_some(),
                "{title} N = {w}: m_4 not printed as in the JSON"
            );
        }
    }

    // Stage 2: z-score summaries.
    let x = json(&dir, "exact.json");
    for a in x["archs"].as_array().unwrap() {
        let title = a["title"].as_str().unwrap();
        for z in a["z"].as_array().unwrap() {
            let r = row(&md, &[title, &z["n"].to_string()]);
            check(r[3], &z["mean"], 5e-4, 0.0, "mean z");
            check(r[4], &z["std"], 5e-4, 0.0, "std z");
            check(r[5], &z["within_4sigma"], 5e-5, 0.0, "within 4 sigma");
        }
    }

    // Stage 3: the RG slopes; the ReLU-net exact slope is -5 (I4 = x1x2x3x4 L^5/80).
    let rg = json(&dir, "rg.json");
    for f in rg["flows"].as_array().unwrap() {
        let title = f["title"].as_str().unwrap();
        let d = f["d_in"].to_string();
        let w = f["width"].to_string();
        let src = f["source"].as_str().unwrap();
        let r = row(&md, &[title, &d, &w, src]);
        check(r[4], &f["report"]["slope"], 5e-5, 0.0, "RG slope");
        check(r[6], &f["report"]["r2"], 5e-7, 0.0, "RG R^2");
        if title == "ReLU-net" && src == "exact" {
            let s = f["report"]["slope"].as_f64().unwrap();
            assert!((s + 5.0).abs() < 1e-6, "ReLU d = 1 slope {s}");
        }
    }

    // Stage 4: the prediction summary.
    let p = json(&dir, "prediction.json");
    for c in p["cases"].as_array().unwrap() {
        let title = c["title"].as_str().unwrap();
        let r = row(
            &md,
            &[
                title,
                &c["width"].to_string(),
                c["source"].as_str().unwrap(),
            ],
        );
        check(
            r[4],
            &c["prediction"]["lambda"]["value"],
            0.0,
            1e-4,
            "lambda",
        );
        check(
            r[6],
            &c["prediction"]["median_abs_rel_error"],
            0.0,
            1e-4,
            "median error",
        );
    }

    // Stage 5: Table 5, test MAPE and MSE of every model; M0 has MAPE 100 exactly.
    let t = json(&dir, "table5.json");
    for a in t["archs"].as_array().unwrap() {
        let title = a["title"].as_str().unwrap();
        for m in a["report"]["models"].as_array().unwrap() {
            let name = m["name"].as_str().unwrap();
            let r = row(&md, &[title, name]);
            check(r[5], &m["test"]["mape"], 0.0, 1e-4, "test MAPE");
            check(r[6], &m["test"]["mse"], 0.0, 1e-4, "test MSE");
            if name == "M0" {
                assert_eq!(m["test"]["mape"].as_f64(), Some(100.0));
            }
        }
    }
    let paper = row(&md, &["Gauss-net", "M1"]);
    assert_eq!((paper[7], paper[8]), ("0.0145", "6.8e-10"));

    // Stage 6: the coefficients of the enumeration (G4: -24 lambda, -360 kappa).
    let d = json(&dir, "diagrams.json");
    let g4 = d["totals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t[0] == 4)
        .unwrap();
    let total = |m: &str| {
        g4[1]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p[0] == m)
            .map(|p| p[1].as_str().unwrap().to_string())
    };
    assert_eq!(total("lambda").as_deref(), Some("-24"));
    assert_eq!(total("kappa").as_deref(), Some("-360"));
    assert_eq!(row(&md, &["G4", "lambda"])[2], "-24");

    // A rerun replaces the report cleanly: stale files of an earlier run go, others stay.
    let manifest = dir.join(".nnqft-reproduce-files");
    let mut list = std::fs::read_to_string(&manifest).unwrap();
    list.push_str("m8_erf.svg\n");
    std::fs::write(&manifest, list).unwrap();
    std::fs::write(dir.join("m8_erf.svg"), "<svg></svg>").unwrap();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    reproduce(&dir);
    assert!(!dir.join("m8_erf.svg").exists(), "stale figure kept");
    assert!(
        dir.join("notes.txt").exists(),
        "a file the command does not own was removed"
    );
    // Same seed, same numbers: everything but the timings is identical.
    let again = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert_eq!(without_timings(&again), without_timings(&md));
    assert_eq!(json(&dir, "gp_check.json"), g);
}

#[test]
fn direct_estimator_gives_the_direct_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("report");
    reproduce_with(&dir, &["--estimator", "direct", "--no-pdf"]);
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.contains("Scale **tiny**, estimator **direct**"));
    assert!(md.contains("the **direct** estimator"));
    assert_eq!(json(&dir, "run.json")["estimator"], "direct");
    let g = json(&dir, "gp_check.json");
    assert_eq!(g["estimator"], "direct");
    // The comparison is now the conditional estimator.
    assert_eq!(
        g["comparison"]["sweep"]["config"]["estimator"],
        "conditional"
    );
    // Every architecture's width-5 measurement is `nnqft sample --estimator direct` with the
    // same settings (tiny scale: 8000 nets in 4 experiments, seed 1), bit for bit.
    for a in g["archs"].as_array().unwrap() {
        assert_eq!(a["sweep"]["config"]["estimator"], "direct");
        let arch = a["arch"].as_str().unwrap();
        let m = a["sweep"]["measurements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["width"] == 5)
            .expect("width 5 in the tiny scale");
        let s: Value = serde_json::from_str(&ok(&[
            "--json",
            "sample",
            "--arch",
            arch,
            "--width",
            "5",
            "--nets",
            "8000",
            "--experiments",
            "4",
            "--seed",
            "1",
            "--estimator",
            "direct",
        ]))
        .unwrap();
        assert_eq!(s["estimator"], "direct");
        for key in ["correlators", "connected", "summary"] {
            assert_eq!(
                m[key], s[key],
                "{arch} N = 5: {key} differs from nnqft sample"
            );
        }
    }
    // And the conditional estimator's numbers differ from them (the flag took effect).
    let erf_direct = &g["archs"][0]["sweep"]["measurements"][1]["summary"]["4"];
    let erf_cond = &g["comparison"]["sweep"]["measurements"][1]["summary"]["4"];
    assert_ne!(erf_direct["background"], erf_cond["background"]);
}

fn check_close(cell: &str, v: &Value) -> bool {
    match (cell.parse::<f64>(), v.as_f64()) {
        (Ok(y), Some(x)) => (x - y).abs() <= 1e-4 * x.abs(),
        _ => false,
    }
}

/// report.md without the lines that hold wall times.
fn without_timings(md: &str) -> String {
    md.lines()
        .filter(|l| !l.starts_with("Scale **"))
        .filter(|l| {
            // Stage-time rows: "| 1 GP check (sampling) | 0.2 |".
            let first = l.split('|').nth(1).unwrap_or("").trim();
            !(l.starts_with('|')
                && first.len() > 2
                && first.as_bytes()[0].is_ascii_digit()
                && first.as_bytes()[1] == b' ')
        })
        .collect::<Vec<_>>()
        .join("\n")
}
