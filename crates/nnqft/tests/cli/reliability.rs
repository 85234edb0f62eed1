//! Reliability under abuse (issue 19): sizes refused up front with an estimate, no non-finite
//! number with exit 0, outputs that respect special files and symlinks, and a fuzz-style pass
//! over every numeric flag of every command (never a panic, an abort or a runaway).

use crate::common::{json, nnqft};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Run the binary with `args`, killed after `limit`: (exit code, or None when killed or
/// signalled; stdout; stderr; elapsed).
fn run_limited(args: &[&str], limit: Duration) -> (Option<i32>, String, String, Duration) {
    let start = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = (dir.path().join("out"), dir.path().join("err"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_nnqft"))
        .args(args)
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .expect("run nnqft");
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let read =
        |p: &std::path::Path| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
    (code, read(&out), read(&err), start.elapsed())
}

/// A refusal: exit 1 within a few seconds (on a loaded machine), one line on stderr starting
/// "error:" holding `needle`.
fn refused(args: &[&str], needle: &str) {
    let (code, _, err, took) = run_limited(args, Duration::from_secs(10));
    assert_eq!(code, Some(1), "nnqft {args:?}: {err}");
    assert!(
        took < Duration::from_secs(8),
        "nnqft {args:?} took {took:?}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(
        err.starts_with("error: ") && err.contains(needle),
        "{args:?}: {err}"
    );
}

#[test]
fn sizes_are_refused_up_front_with_an_estimate() {
    let s = ["sample", "--arch", "erf", "--quiet"];
    let with = |more: &[&'static str]| [&s[..], more].concat();
    // n = 258: block.rs panicked; n = 20: ran past 60 s. (n-1)!! Wick terms are the cost.
    refused(
        &with(&[
            "--width",
            "2",
            "--nets",
            "2000",
            "--npt",
            "258",
            "--inputs",
            "1",
            "--estimator",
            "direct",
        ]),
        "Wick pairing terms",
    );
    refused(
        &with(&[
            "--width",
            "5",
            "--nets",
            "100",
            "--npt",
            "20",
            "--inputs",
            "1",
            "--estimator",
            "direct",
        ]),
        "654729075 Wick pairing terms", // 19!! = 654729075 for the one entry
    );
    // Work per process: networks x width x inputs.
    refused(
        &with(&["--width", "5", "--nets", "1000000000000"]),
        "operations",
    );
    refused(
        &with(&["--width", "4294967296", "--nets", "2000"]),
        "operations",
    );
    refused(
        &with(&["--width", "5", "--nets", "2000", "--threads", "100000"]),
        "threads",
    );
    // exact with 100 inputs: refused with its entry count (it aborted after 10 s).
    let hundred: Vec<String> = (1..=100).map(|i| i.to_string()).collect();
    let inputs = hundred.join(",");
    refused(
        &[
            "exact", "--arch", "relu", "--width", "5", "--inputs", &inputs,
        ],
        "entries",
    );
    // The suggested multiple fits in 64 bits.
    refused(
        &with(&["--width", "5", "--nets", "18446744073709551615"]),
        "e.g. 18446744073709551610",
    );
}

#[test]
fn experiment_refuses_before_making_its_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sweep");
    let o = out.to_str().unwrap();
    refused(
        &[
            "experiment",
            "--arch",
            "erf",
            "--widths",
            "2,4294967296",
            "--nets",
            "2000",
            "--quiet",
            "--out",
            o,
        ],
        "operations",
    );
    assert!(!out.exists(), "no directory left behind");
}

#[test]
fn an_empty_shard_of_a_huge_plan_merges_to_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.json");
    let f = f.to_str().unwrap();
    let shard = [
        "sample",
        "--arch",
        "erf",
        "--width",
        "5",
        "--quiet",
        "--nets",
        "18446744073709551610",
        "--shard",
        "0/18446744073709551615",
        "--out",
        f,
    ];
    let (code, _, err, _) = run_limited(&shard, Duration::from_secs(10));
    assert_eq!(code, Some(0), "{err}");
    refused(&["merge", f], "incomplete");
}

#[test]
fn non_finite_results_become_errors() {
    let ev = [
        "evaluate", "--points", "4", "--order", "1", "--arch", "relu", "--tuple", "0,0,0,0",
    ];
    let with = |more: &[&'static str]| [&ev[..], more].concat();
    refused(&with(&["--cutoff", "1e300"]), "cutoff");
    // The cutoff is printed short (it was 301 digits).
    let (_, _, err, _) = run_limited(&with(&["--cutoff", "1e300"]), Duration::from_secs(10));
    assert!(err.contains("1e300") && err.len() < 200, "{err}");
    refused(
        &[
            "evaluate", "--points", "4", "--order", "2", "--arch", "relu", "--tuple", "0,0,0,0",
            "--cutoff", "10", "--lambda", "1e308", "--kappa", "1e308",
        ],
        "overflows",
    );
    // Exact correlators at absurd widths: DeltaG4 is below double precision's resolution.
    for w in ["1000000000000000", "100000000000000000"] {
        refused(
            &["rg", "--arch", "relu", "--width", w, "--quiet"],
            "double-precision",
        );
        refused(
            &["predict", "--arch", "relu", "--width", w, "--quiet"],
            "double-precision",
        );
    }
}

#[test]
fn degenerate_tuples_are_flagged_and_left_out() {
    // ReLU with sb = 0 at x = -1 and 1: K(-1, y) and K(1, y) live on opposite half-lines, so
    // I4 of the mixed tuples is exactly 0 (quadrature leaves ~1e-31). The pure tuples have
    // I4 = int_0^L (K(1,y))^4 dy, proportional to L^5: lambda_t ~ L^-5, beta/lambda = -5.
    let r = json(&[
        "rg",
        "--arch",
        "relu",
        "--inputs=-1,1",
        "--cutoffs",
        "7,10",
        "--json",
        "--quiet",
    ]);
    let degenerate: Vec<String> = r["degenerate"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["tuple"].to_string())
        .collect();
    assert_eq!(degenerate, ["[0,0,0,1]", "[0,0,1,1]", "[0,1,1,1]"]);
    let q = &r["tuple_slope_quartiles"];
    assert!((q["median"].as_f64().unwrap() + 5.0).abs() < 1e-6, "{q}");
    for k in 0..2 {
        let bl = r["beta_over_lambda_quartiles"][k]["median"]
            .as_f64()
            .unwrap();
        assert!((bl + 5.0).abs() < 1e-6, "{bl}");
        // The mean is over the kept tuples: the size of theirs, not 1e26.
        let m = r["mean_lambda"][k].as_f64().unwrap();
        let med = r["lambda_quartiles"][k]["median"].as_f64().unwrap();
        assert!((m / med - 1.0).abs() < 1e-9, "{m} {med}");
    }
    // predict: the odd 6-tuples have DeltaG6 = 0 by the symmetry x -> -x of the pair.
    let p = json(&[
        "predict",
        "--arch",
        "relu",
        "--inputs=-1,1",
        "--json",
        "--quiet",
    ]);
    let vanishing: Vec<String> = p["vanishing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.to_string())
        .collect();
    assert_eq!(
        vanishing,
        ["[0,0,0,0,0,1]", "[0,0,0,1,1,1]", "[0,1,1,1,1,1]"]
    );
    assert!(
        p["ratio"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v.as_f64().unwrap().abs() < 10.0)
    );
}

#[test]
fn measurement_files_are_validated_like_flags() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("m.json");
    let fs = f.to_str().unwrap();
    let out = nnqft(&[
        "exact", "--arch", "relu", "--width", "20", "--out", fs, "--quiet",
    ]);
    assert!(out.status.success());
    let good: serde_json::Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
    let mut zero = good.clone();
    zero["width"] = 0.into();
    std::fs::write(&f, zero.to_string()).unwrap();
    refused(
        &["rg", "--arch", "relu", "--source", fs, "--quiet"],
        "width",
    );
    let mut huge = good;
    huge["correlators"]["4"][0]["mean"] = 1e308.into();
    std::fs::write(&f, huge.to_string()).unwrap();
    refused(
        &["rg", "--arch", "relu", "--source", fs, "--quiet"],
        "at most",
    );
    refused(
        &["predict", "--arch", "relu", "--source", fs, "--quiet"],
        "at most",
    );
}

#[cfg(unix)]
#[test]
fn outputs_write_through_special_files_and_symlinks() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let exact = |out: &str| {
        nnqft(&[
            "exact", "--arch", "relu", "--width", "5", "--npt", "2", "--quiet", "--out", out,
        ])
    };
    // A character device stays one.
    assert!(exact("/dev/null").status.success());
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    // A symlink stays a link; its target gets the result.
    let target = dir.path().join("target.json");
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    assert!(exact(link.to_str().unwrap()).status.success());
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    assert_eq!(v["width"], 5);
    // A FIFO is written through (a reader drains it) and stays a FIFO.
    let fifo = dir.path().join("fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo with a valid C string.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    assert!(exact(fifo.to_str().unwrap()).status.success());
    let got = reader.join().unwrap();
    assert!(String::from_utf8_lossy(&got).contains("\"width\""));
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    // A directory is refused.
    let out = exact(dir.path().to_str().unwrap());
    assert_eq!(out.status.code(), Some(1));
    // Nothing else was left in the directory (no temp files).
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["fifo", "link.json", "target.json"]);
}

/// A small deterministic generator (splitmix64) for picking the fuzz cases.
struct Pick(u64);

impl Pick {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn of<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

/// Whether `text` holds a non-finite number (NaN, inf; in JSON a null where a number was).
fn has_non_finite(text: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|w| matches!(w.to_ascii_lowercase().as_str(), "nan" | "inf" | "infinity"))
}

#[test]
fn fuzz_every_numeric_flag() {
    // Boundary, huge, tiny, negative, non-finite and malformed values.
    const VALUES: &[&str] = &[
        "0",
        "1",
        "-1",
        "2",
        "3",
        "7",
        "0.5",
        "1e-300",
        "-1e-300",
        "1e-9",
        "1e15",
        "1e17",
        "1e154",
        "1e200",
        "1e300",
        "1e308",
        "-1e308",
        "4294967296",
        "18446744073709551615",
        "18446744073709551616",
        "NaN",
        "inf",
        "-inf",
        "abc",
        "",
        "1e",
        "-0",
    ];
    // Each command at a small size, and the numeric flags to vary.
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["kernel", "--arch", "erf"],
            &["--sigma-w", "--sigma-b", "--d-in", "--inputs"],
        ),
        (&["kernel", "--arch", "relu"], &["--sigma-w", "--inputs"]),
        (
            &[
                "exact", "--arch", "gauss", "--width", "5", "--inputs", "0.5,1",
            ],
            &["--sigma-w", "--sigma-b", "--width", "--inputs", "--npt"],
        ),
        (
            &["exact", "--arch", "relu", "--width", "5", "--inputs", "1,2"],
            &["--sigma-w", "--width", "--inputs"],
        ),
        (
            &[
                "sample", "--arch", "erf", "--width", "2", "--nets", "200", "--inputs", "0.5,1",
            ],
            &[
                "--width",
                "--nets",
                "--experiments",
                "--seed",
                "--npt",
                "--threads",
                "--inputs",
                "--sigma-w",
                "--sigma-b",
            ],
        ),
        (
            &[
                "sample",
                "--arch",
                "relu",
                "--width",
                "2",
                "--nets",
                "200",
                "--estimator",
                "direct",
                "--inputs",
                "1",
            ],
            &["--width", "--nets", "--npt", "--inputs", "--sigma-w"],
        ),
        (
            &[
                "evaluate", "--points", "4", "--order", "1", "--arch", "relu", "--tuple",
                "0,0,0,0", "--cutoff", "10", "--inputs", "1",
            ],
            &[
                "--cutoff",
                "--lambda",
                "--kappa",
                "--order",
                "--inputs",
                "--sigma-w",
            ],
        ),
        (
            &["diagrams", "--points", "2", "--order", "1"],
            &["--points", "--order", "--max-diagrams"],
        ),
        (
            &[
                "rg",
                "--arch",
                "relu",
                "--cutoffs",
                "7,10",
                "--inputs",
                "1,2",
            ],
            &["--width", "--cutoffs", "--sigma-w", "--inputs"],
        ),
        (
            &[
                "predict", "--arch", "relu", "--cutoff", "10", "--inputs", "1,2",
            ],
            &["--width", "--cutoff", "--sigma-w", "--inputs"],
        ),
    ];
    let mut pick = Pick(19);
    let mut runs = vec![];
    for (base, flags) in cases {
        for flag in *flags {
            for _ in 0..6 {
                let mut args: Vec<String> = base.iter().map(|s| s.to_string()).collect();
                // A flag given twice is a clap error: replace the base value if present.
                let v = pick.of(VALUES);
                if let Some(i) = args.iter().position(|a| a == flag) {
                    args.remove(i + 1);
                    args.remove(i);
                }
                args.push(format!("{flag}={v}"));
                args.push("--quiet".into());
                if pick.next().is_multiple_of(2) {
                    args.push("--json".into());
                }
                runs.push(args);
            }
        }
    }
    assert!(runs.len() >= 250, "{} runs", runs.len());
    let limit = Duration::from_secs(20);
    let failures: Vec<String> = std::thread::scope(|s| {
        let chunks: Vec<_> = runs
            .chunks(runs.len().div_ceil(2))
            .map(|chunk| {
                s.spawn(move || {
                    let mut bad = vec![];
                    for args in chunk {
                        let a: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
                        let (code, out, err, took) = run_limited(&a, limit);
                        let verdict = match code {
                            Some(0) if has_non_finite(&out) => {
                                Some("exit 0 with a non-finite number")
                            }
                            Some(0) => None,
                            Some(1) if err.trim_end().lines().count() != 1 => {
                                Some("not a one-line error")
                            }
                            Some(1) if !err.starts_with("error: ") => Some("no 'error:'"),
                            Some(1) | Some(2) => None, // 2: clap's usage error
                            Some(_) => Some("panic or abnormal exit"),
                            None => Some("killed: ran past its limit or died of a signal"),
                        };
                        if let Some(v) = verdict {
                            bad.push(format!(
                                "nnqft {}: {v} (code {code:?}, {took:?}): {}",
                                args.join(" "),
                                err.lines().next().unwrap_or("")
                            ));
                        }
                    }
                    bad
                })
            })
            .collect();
        chunks.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The hidden temp files (`.tmp*`, tempfile's names) in `dir`.
#[cfg(unix)]
fn temp_files(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(".tmp"))
        .collect()
}

/// Start `nnqft sample ... --out X` over a previous complete X, send SIGINT when `when` says
/// so (polled every 0.2 ms), and check: the exit is not a success, no temp file is left
/// beside X, and X is the previous file (or, when the signal came after the rename, the new
/// complete one). Returns whether the signal was sent before the run ended.
#[cfg(unix)]
fn interrupt_sample(extra: &[&str], when: &dyn Fn(Duration, &std::path::Path) -> bool) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let x = dir.path().join("m.json");
    let previous = "{\"previous\": \"a complete file\"}\n";
    std::fs::write(&x, previous).unwrap();
    let mut args = vec![
        "sample", "--arch", "erf", "--width", "5", "--quiet", "--out",
    ];
    args.push(x.to_str().unwrap());
    args.extend_from_slice(extra);
    let mut child = Command::new(env!("CARGO_BIN_EXE_nnqft"))
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run nnqft");
    let start = Instant::now();
    let mut sent = false;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if !sent && when(start.elapsed(), dir.path()) {
            // SAFETY: signalling our own child, which has not been reaped yet.
            assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
            sent = true;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "{args:?} ran away"
        );
        std::thread::sleep(Duration::from_micros(200));
    };
    assert_eq!(temp_files(dir.path()), Vec::<String>::new(), "{args:?}");
    let text = std::fs::read_to_string(&x).unwrap();
    let complete = serde_json::from_str::<serde_json::Value>(&text)
        .is_ok_and(|v| v["correlators"].is_object());
    if sent {
        assert!(!status.success(), "{args:?}: exit 0 after SIGINT");
        assert!(text == previous || complete, "{args:?}: X half-written");
    } else {
        assert!(status.success() && complete, "{args:?}");
    }
    sent
}

/// Issue 19: SIGINT in the middle of a run, and during the final write of X (sent as soon as
/// the temp file appears: a 2.6 MB measurement of ten inputs to the 6-point function), leaves
/// no hidden temp file and never a half-written X.
#[cfg(unix)]
#[test]
fn sigint_leaves_no_temp_file_and_no_half_written_output() {
    // Mid-run: 10^9 networks take minutes; the signal comes after 0.3 s.
    let mid = interrupt_sample(&["--nets", "1000000000", "--npt", "2,4"], &|t, _| {
        t > Duration::from_millis(300)
    });
    assert!(mid, "the long run ended before the signal");
    // The final write: the signal as soon as a temp file exists beside X.
    let inputs = "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1";
    interrupt_sample(
        &[
            "--nets",
            "1024",
            "--experiments",
            "2",
            "--npt",
            "2,4,6",
            "--inputs",
            inputs,
        ],
        &|_, dir| !temp_files(dir).is_empty(),
    );
}
