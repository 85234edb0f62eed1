//! End-to-end tests of `nnqft sample` and `nnqft experiment`: reproducibility across thread
//! counts, the JSON schema, output files, and one-line refusals of bad input.

use crate::common::nnqft;

use serde_json::Value;
use std::process::Output;

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

const SMALL: [&str; 8] = [
    "sample", "--arch", "erf", "--width", "7", "--nets", "6000", "--quiet",
];

#[test]
fn json_is_bit_identical_for_one_and_two_threads() {
    let run = |t: &str| {
        let mut a = SMALL.to_vec();
        a.extend([
            "--experiments",
            "3",
            "--seed",
            "11",
            "--threads",
            t,
            "--json",
        ]);
        let o = nnqft(&a);
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    // A different seed changes the numbers.
    let mut a = SMALL.to_vec();
    a.extend(["--experiments", "3", "--seed", "12", "--json"]);
    assert_ne!(stdout(&nnqft(&a)), one);
}

#[test]
fn json_has_the_documented_schema_and_out_matches_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.json");
    let mut a = SMALL.to_vec();
    a.extend(["--json", "--out", out.to_str().unwrap()]);
    let o = nnqft(&a);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), stdout(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["arch"], "erf");
    assert_eq!(v["width"], 7);
    assert_eq!(v["nets"], 6000);
    assert_eq!(v["experiments"], 10);
    assert_eq!(v["seed"], 1);
    assert_eq!(v["inputs"].as_array().unwrap().len(), 6);
    for (n, count) in [("2", 21), ("4", 126), ("6", 462)] {
        let c = v["correlators"][n].as_array().unwrap();
        assert_eq!(c.len(), count);
        for key in ["index", "mean", "stderr", "gp", "background"] {
            assert!(c[0].get(key).is_some(), "{n} {key}");
        }
        assert!(v["summary"][n]["signal"].is_f64());
        assert!(v["summary"][n]["background"].is_f64());
    }
    assert_eq!(v["connected"]["4"].as_array().unwrap().len(), 126);
    assert_eq!(v["connected"]["6"].as_array().unwrap().len(), 462);
    // The human summary without --json.
    let o = nnqft(&SMALL);
    let text = stdout(&o);
    assert!(
        text.contains("signal m_n") && text.contains("462"),
        "{text}"
    );
}

/// Bad input: non-zero exit, nothing on stdout, a one-line message naming the problem.
#[test]
fn bad_input_is_refused_in_one_line() {
    let base = ["sample", "--arch", "erf", "--width", "3", "--nets", "100"];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--width", "0"], "width"),
        (vec!["--nets", "0"], "nets"),
        (vec!["--nets", "105"], "evenly"),
        (vec!["--npt", "2,3"], "even"),
        (
            vec!["--npt", "30", "--estimator", "direct"],
            "Wick pairing terms",
        ),
        (vec!["--inputs", "1,x"], "not a number"),
        (vec!["--inputs", "1,inf"], "finite"),
        (vec!["--inputs", "1,2;3"], "coordinates"),
        (vec!["--sigma-w", "0"], "sigma_w"),
        (vec!["--sigma-b", "-1"], "sigma_b"),
        (vec!["--threads", "0"], "threads"),
        (vec!["--npt", "2,8"], "orders up to 6"),
        (vec!["--experiments", "1"], "at least 2 experiments"),
        (vec!["--out", "/nonexistent-dir/x.json"], "does not exist"),
    ];
    for (extra, needle) in cases {
        // The base flags, with the one under test replaced or added.
        let mut a: Vec<&str> = vec![];
        for pair in base[1..].chunks(2) {
            if pair[0] != extra[0] {
                a.extend(pair);
            }
        }
        a.insert(0, base[0]);
        a.extend(extra.iter());
        let o = nnqft(&a);
        let err = stderr(&o);
        assert!(!o.status.success(), "{extra:?} succeeded");
        assert!(o.stdout.is_empty(), "{extra:?} printed {}", stdout(&o));
        assert_eq!(err.trim_end().lines().count(), 1, "{extra:?}: {err}");
        assert!(err.contains(needle), "{extra:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let o = nnqft(&["sample", "--arch", "tan", "--width", "3", "--nets", "100"]);
    assert!(!o.status.success() && o.stdout.is_empty());
    assert!(
        stderr(&o)
            .lines()
            .next()
            .unwrap()
            .contains("unknown activation 'tan' (valid: erf, relu")
    );
}

/// Both estimators: the JSON names the one used (conditional by default), is bit-identical
/// for one and two threads, and the two give different numbers for the same networks' seed;
/// an unknown estimator is refused.
#[test]
fn estimators_are_named_and_reproducible() {
    let run = |est: Option<&str>, t: &str| {
        let mut a = SMALL.to_vec();
        a.extend([
            "--experiments",
            "3",
            "--seed",
            "5",
            "--threads",
            t,
            "--json",
        ]);
        if let Some(e) = est {
            a.extend(["--estimator", e]);
        }
        let o = nnqft(&a);
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    };
    let default = run(None, "1");
    let v: Value = serde_json::from_str(&default).unwrap();
    assert_eq!(v["estimator"], "conditional");
    assert_eq!(default, run(Some("conditional"), "2"));
    let direct = run(Some("direct"), "1");
    assert_eq!(direct, run(Some("direct"), "2"));
    let d: Value = serde_json::from_str(&direct).unwrap();
    assert_eq!(d["estimator"], "direct");
    assert_ne!(d["correlators"], v["correlators"]);
    // Same schema: every correlator and connected entry has its fields.
    for (n, count) in [("2", 21), ("4", 126), ("6", 462)] {
        assert_eq!(v["correlators"][n].as_array().unwrap().len(), count);
    }
    assert_eq!(v["connected"]["6"].as_array().unwrap().len(), 462);
    let o = nnqft(&[
        "sample",
        "--arch",
        "erf",
        "--width",
        "3",
        "--nets",
        "100",
        "--estimator",
        "x",
    ]);
    assert!(!o.status.success() && o.stdout.is_empty());
    assert!(
        stderr(&o)
            .lines()
            .next()
            .unwrap()
            .contains("unknown estimator")
    );
}

/// Shard files of either estimator merge to the one-shot run's bytes (3 shards of 9 blocks).
#[test]
fn shards_of_both_estimators_merge_to_the_one_shot_bytes() {
    let dir = tempfile::tempdir().unwrap();
    for est in ["direct", "conditional"] {
        let base = [
            "sample",
            "--arch",
            "relu",
            "--width",
            "9",
            "--nets",
            "9000",
            "--experiments",
            "3",
            "--seed",
            "4",
            "--estimator",
            est,
            "--quiet",
        ];
        let one = dir.path().join(format!("one_{est}.json"));
        let mut a = base.to_vec();
        a.extend(["--out", one.to_str().unwrap()]);
        assert!(nnqft(&a).status.success());
        let files: Vec<String> = (0..3)
            .map(|i| {
                let p = dir.path().join(format!("{est}_{i}.json"));
                let spec = format!("{i}/3");
                let mut a = base.to_vec();
                a.extend(["--shard", &spec, "--out", p.to_str().unwrap()]);
                let o = nnqft(&a);
                assert!(o.status.success(), "{}", stderr(&o));
                p.display().to_string()
            })
            .collect();
        let mut m = vec!["merge", "--json"];
        m.extend(files.iter().map(String::as_str));
        let o = nnqft(&m);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(o.stdout, std::fs::read(&one).unwrap(), "{est}");
    }
}

#[test]
fn experiment_writes_json_and_figures() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sweep");
    let o = nnqft(&[
        "experiment",
        "--arch",
        "erf",
        "--widths",
        "2,5",
        "--nets",
        "2000",
        "--experiments",
        "4",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("experiment.json")).unwrap())
            .unwrap();
    assert_eq!(v["measurements"].as_array().unwrap().len(), 2);
    assert_eq!(v["measurements"][1]["width"], 5);
    assert!(v["slopes"].get("4").is_some());
    assert_eq!(v["connected6"].as_array().unwrap().len(), 2);
    for f in ["m2.svg", "m4.svg", "m6.svg", "connected6.svg"] {
        let svg = std::fs::read_to_string(out.join(f)).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("log10 N"), "{f}");
    }
    // An output directory that cannot be created (its parent is a file) is refused before
    // any sampling; missing directories are created (tests/cli/ux.rs).
    let blocker = out.join("experiment.json");
    let o = nnqft(&[
        "experiment",
        "--arch",
        "erf",
        "--widths",
        "2",
        "--nets",
        "100",
        "--out",
        blocker.join("sweep").to_str().unwrap(),
    ]);
    assert!(!o.status.success() && o.stdout.is_empty());
    assert!(stderr(&o).contains("cannot create"));
}
