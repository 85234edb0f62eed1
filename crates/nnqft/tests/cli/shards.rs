//! End-to-end tests of `nnqft sample --shard I/S` and `nnqft merge`: the merged result is
//! byte-identical to the one-shot run for any number of shards, and every inconsistent set
//! of shard files is refused with a one-line message (never a panic or a smaller ensemble).

use crate::common::nnqft;

use std::path::{Path, PathBuf};
use std::process::Output;

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// 7500 nets in 3 experiments of 2500: blocks of 1024, 1024 and 452 nets, 9 blocks in all,
/// so 2 and 7 shards do not divide the blocks and 12 shards leave some empty.
fn sample_args(seed: &str, width: &str) -> Vec<String> {
    [
        "sample",
        "--arch",
        "erf",
        "--width",
        width,
        "--nets",
        "7500",
        "--experiments",
        "3",
        "--seed",
        seed,
        "--quiet",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn run_ok(args: &[String]) -> Output {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = nnqft(&a);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    o
}

/// Run `nnqft` expecting a refusal: exit code 1 (not a panic's 101), one line on stderr
/// containing every word of `needles`.
fn refused(args: &[&str], needles: &[&str]) -> String {
    let o = nnqft(args);
    let err = stderr(&o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{args:?} should fail cleanly: {err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: expected '{n}' in: {err}");
    }
    err
}

/// Write shard `i` of `of` of the run with `seed` and `width` to dir/name, return its path.
fn shard(dir: &Path, name: &str, seed: &str, width: &str, i: u64, of: u64) -> PathBuf {
    let path = dir.join(name);
    let mut a = sample_args(seed, width);
    a.extend([
        "--shard".into(),
        format!("{i}/{of}"),
        "--out".into(),
        path.display().to_string(),
    ]);
    run_ok(&a);
    path
}

fn one_shot(dir: &Path, seed: &str, width: &str) -> Vec<u8> {
    let path = dir.join(format!("one_{seed}_{width}.json"));
    let mut a = sample_args(seed, width);
    a.extend(["--out".into(), path.display().to_string()]);
    run_ok(&a);
    std::fs::read(path).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn merged_shards_are_byte_identical_to_the_one_shot_run() {
    let dir = tempfile::tempdir().unwrap();
    let want = one_shot(dir.path(), "3", "7");
    for of in [1u64, 2, 3, 7, 12] {
        let mut files: Vec<PathBuf> = (0..of)
            .map(|i| shard(dir.path(), &format!("p{of}_{i}.json"), "3", "7", i, of))
            .collect();
        // Any order of the files gives the same bytes.
        files.reverse();
        let out = dir.path().join(format!("merged{of}.json"));
        let mut a = vec!["merge".to_string()];
        a.extend(files.iter().map(|p| p.display().to_string()));
        a.extend(["--out".into(), out.display().to_string()]);
        run_ok(&a);
        assert!(std::fs::read(&out).unwrap() == want, "S = {of}");
        // --json prints the same document.
        a.truncate(a.len() - 2);
        a.push("--json".into());
        assert!(run_ok(&a).stdout == want, "S = {of}, --json");
    }
}

#[test]
fn partial_merges_grow_into_the_whole() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let want = one_shot(d, "4", "7");
    let p: Vec<PathBuf> = (0..3)
        .map(|i| shard(d, &format!("q{i}.json"), "4", "7", i, 3))
        .collect();
    let big = d.join("q01.json");
    run_ok(&[
        "merge".into(),
        s(&p[0]).into(),
        s(&p[1]).into(),
        "--partial-out".into(),
        s(&big).into(),
    ]);
    // The bigger shard file is still incomplete: merging it alone names shard 2 as missing.
    refused(
        &["merge", s(&big), "--out", s(&d.join("x.json"))],
        &["missing blocks 6-8", "shard 2 of 3"],
    );
    assert!(!d.join("x.json").exists());
    let out = d.join("all.json");
    run_ok(&[
        "merge".into(),
        s(&p[2]).into(),
        s(&big).into(),
        "--out".into(),
        s(&out).into(),
    ]);
    assert!(std::fs::read(&out).unwrap() == want);
}

#[test]
fn inconsistent_shard_sets_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let a0 = shard(d, "a0.json", "3", "7", 0, 2);
    let a1 = shard(d, "a1.json", "3", "7", 1, 2);
    let seed = shard(d, "seed.json", "9", "7", 1, 2);
    let width = shard(d, "width.json", "3", "8", 1, 2);
    let b0 = shard(d, "b0.json", "3", "7", 0, 3);
    let c = shard(d, "c.json", "3", "7", 2, 4);
    let out = d.join("out.json");
    let o = s(&out);
    refused(&["merge", s(&a0), s(&seed), "--out", o], &["seed (9 vs 3)"]);
    refused(
        &["merge", s(&a0), s(&width), "--out", o],
        &["width (8 vs 7)"],
    );
    // Shard 0 of 3 (blocks 0-2) overlaps shard 0 of 2 (blocks 0-3).
    refused(
        &["merge", s(&a0), s(&b0), s(&a1), "--out", o],
        &["overlapping", "blocks 0-2"],
    );
    refused(&["merge", s(&a0), s(&a0), "--out", o], &["overlapping"]);
    // Missing shard 1 of 2: blocks 4-8 are named.
    refused(
        &["merge", s(&a0), "--out", o],
        &["4 of 9 blocks", "missing blocks 4-8", "shard 1 of 2"],
    );
    // Mixed splits: the missing blocks are named, without shard numbers.
    refused(&["merge", s(&c), "--out", o], &["missing blocks 0-3, 6-8"]);
    assert!(!out.exists(), "nothing written on refusal");
}

#[test]
fn damaged_shard_files_give_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let p0 = shard(d, "p0.json", "3", "7", 0, 2);
    let p1 = shard(d, "p1.json", "3", "7", 1, 2);
    let text = std::fs::read_to_string(&p1).unwrap();
    let out = d.join("out.json");
    let o = s(&out);

    let cut = d.join("cut.json");
    std::fs::write(&cut, &text[..text.len() / 2]).unwrap();
    refused(
        &["merge", s(&p0), s(&cut), "--out", o],
        &["cut.json", "truncated"],
    );

    // One base64 character of the accumulators changed: the checksum catches it.
    let at = text.find("\"accumulators\": \"").unwrap() + 40;
    let mut bytes = text.clone().into_bytes();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    let flip = d.join("flip.json");
    std::fs::write(&flip, bytes).unwrap();
    refused(
        &["merge", s(&p0), s(&flip), "--out", o],
        &["flip.json", "damaged"],
    );

    // A measurement (not a shard file), an empty file and binary junk.
    let m = d.join("m.json");
    std::fs::write(&m, one_shot(d, "3", "7")).unwrap();
    refused(
        &["merge", s(&p0), s(&m), "--out", o],
        &["not an nnqft shard file"],
    );
    let empty = d.join("empty.json");
    std::fs::write(&empty, "").unwrap();
    refused(
        &["merge", s(&empty), "--out", o],
        &["empty.json", "truncated"],
    );
    let junk = d.join("junk.json");
    std::fs::write(&junk, [0xffu8, 0x00, 0x13, 0x37]).unwrap();
    refused(&["merge", s(&junk), "--out", o], &["junk.json"]);
    refused(
        &["merge", s(&d.join("nope.json")), "--out", o],
        &["cannot read"],
    );
    assert!(!out.exists());
}

#[test]
fn shard_flags_are_validated() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("p.json");
    let mut base = sample_args("3", "7");
    base.extend(["--out".into(), s(&out).into()]);
    let with = |extra: &[&str]| -> Vec<String> {
        let mut a = base.clone();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let refuse = |args: Vec<String>, needle: &str| {
        let o = nnqft(&args.iter().map(String::as_str).collect::<Vec<_>>());
        // 1 for our refusals, 2 for clap's; never a panic.
        assert!(matches!(o.status.code(), Some(1 | 2)), "{args:?}");
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
    };
    refuse(with(&["--shard", "2/2"]), "0-based");
    refuse(with(&["--shard", "0/0"]), "at least 1");
    refuse(with(&["--shard", "1"]), "I/S");
    refuse(with(&["--shard", "0/2", "--mpi"]), "cannot be used with");
    let mut no_out = sample_args("3", "7");
    no_out.extend(["--shard".into(), "0/2".into()]);
    refuse(no_out, "--out");
    assert!(!out.exists());
}
