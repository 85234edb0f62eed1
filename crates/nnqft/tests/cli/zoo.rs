//! The activation zoo (docs/conventions.md section 10): exact finite-width cumulants of tanh,
//! GELU, sin and the cos-net against 10^6 sampled networks, entry by entry; the cos-net's
//! translation invariance; the command line's names, help and refusals.

use crate::common::{json, nnqft};
use nnqft_core::{Arch, BiasDist, InputSet, Measurement, Network};
use nnqft_ensemble::{Plan, Settings, sample};
use nnqft_integrate::exact_measurement;

/// Every entry of G4 and G6 (full and connected) within 5 standard errors of the exact value
/// (the bound; with ~1200 correlated entries a 5-sigma excursion has probability
/// below 1e-3 even if they were independent).
fn agree_within_five_sigma(s: &Measurement, e: &Measurement, label: &str) {
    let mut worst: f64 = 0.0;
    let mut count = 0;
    for n in ["4", "6"] {
        for (a, b) in s.correlators[n].iter().zip(&e.correlators[n]) {
            assert_eq!(a.index, b.index);
            assert!(a.stderr > 0.0 && b.mean.is_finite());
            worst = worst.max(((a.mean - b.mean) / a.stderr).abs());
            count += 1;
        }
    }
    for n in ["4", "6"] {
        let (Some(cs), Some(ce)) = (s.connected.get(n), e.connected.get(n)) else {
            continue;
        };
        for (a, b) in cs.iter().zip(ce) {
            if a.stderr > 0.0 {
                worst = worst.max(((a.mean - b.mean) / a.stderr).abs());
                count += 1;
            }
        }
    }
    eprintln!("{label}: {count} entries, max |z| = {worst:.2}");
    assert!(worst < 5.0, "{label}: max |z| = {worst}");
}

#[test]
fn exact_cumulants_of_the_zoo_agree_with_a_million_networks() {
    let xs = InputSet::from_scalars(&[-1.0, -0.6, -0.2, 0.2, 0.6, 1.0]).unwrap();
    let cases = [
        (Arch::Tanh, BiasDist::Normal, 21u64),
        (Arch::Gelu, BiasDist::Normal, 22),
        (Arch::Sin, BiasDist::Normal, 23),
        (Arch::Cos, BiasDist::Uniform, 24),
    ];
    for (arch, bias, seed) in cases {
        let net = Network::paper(arch).with_bias(bias);
        let settings = Settings::new(net, xs.clone(), 5, &[2, 4, 6]).unwrap();
        let plan = Plan::new(settings, 1_000_000, 10, seed).unwrap();
        let s = sample(&plan, None, &|_| {}).unwrap();
        let e = exact_measurement(&net, 5, &xs, &[2, 4, 6]).unwrap();
        agree_within_five_sigma(&s, &e, &format!("{arch} {bias}"));
    }
}

#[test]
fn cos_net_cumulants_depend_only_on_differences() {
    let shifted = |s: f64| format!("{};{};{};{}", 0.3 + s, -0.4 + s, 1.1 + s, 0.9 + s);
    let run = |inputs: &str| {
        json(&[
            "exact",
            "--arch",
            "cos",
            "--bias-dist",
            "uniform",
            "--width",
            "5",
            "--inputs",
            inputs,
            "--json",
            "--quiet",
        ])
    };
    let (a, b) = (run(&shifted(0.0)), run(&shifted(-3.7)));
    for n in ["2", "4", "6"] {
        let (ea, eb) = (
            a["correlators"][n].as_array().unwrap(),
            b["correlators"][n].as_array().unwrap(),
        );
        let scale = ea
            .iter()
            .map(|e| e["mean"].as_f64().unwrap().abs())
            .fold(0.0, f64::max);
        for (x, y) in ea.iter().zip(eb) {
            let (x, y) = (x["mean"].as_f64().unwrap(), y["mean"].as_f64().unwrap());
            assert!((x - y).abs() < 1e-12 * scale, "G{n}: {x} vs {y}");
        }
    }
}

#[test]
fn every_named_activation_runs_kernel_exact_and_sample() {
    for arch in Arch::named() {
        let name = arch.name();
        for bias in ["normal", "uniform"] {
            let k = json(&[
                "kernel",
                "--arch",
                &name,
                "--bias-dist",
                bias,
                "--inputs",
                "0.2,0.9",
                "--json",
            ]);
            let kv = k["kernel"][0][1].as_f64().unwrap();
            assert!(kv.is_finite(), "{name} {bias}");
            let e = json(&[
                "exact",
                "--arch",
                &name,
                "--bias-dist",
                bias,
                "--width",
                "3",
                "--inputs",
                "0.2,0.9",
                "--json",
                "--quiet",
            ]);
            assert!(
                e["correlators"]["4"][0]["mean"]
                    .as_f64()
                    .unwrap()
                    .is_finite()
            );
            let s = json(&[
                "sample",
                "--arch",
                &name,
                "--bias-dist",
                bias,
                "--width",
                "3",
                "--inputs",
                "0.2,0.9",
                "--nets",
                "2000",
                "--npt",
                "2",
                "--json",
                "--quiet",
            ]);
            assert!(
                s["correlators"]["2"][0]["mean"]
                    .as_f64()
                    .unwrap()
                    .is_finite()
            );
        }
    }
}

#[test]
fn bad_activations_and_bias_kinds_are_one_line_errors() {
    for bad in [
        &["kernel", "--arch", "tan"][..],
        &["kernel", "--arch", "leaky-relu"],
        &["kernel", "--arch", "leaky-relu:"],
        &["kernel", "--arch", "leaky-relu:x"],
        &["kernel", "--arch", "leaky-relu:inf"],
        &["kernel", "--arch", "leaky-relu:nan"],
        &["kernel", "--arch", "erf", "--bias-dist", "cauchy"],
    ] {
        let out = nnqft(bad);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{bad:?}");
        assert_eq!(out.status.code(), Some(2).or(out.status.code()));
        assert!(!err.contains("panicked"), "{bad:?}: {err}");
        if bad.contains(&"--bias-dist") {
            assert!(err.contains("normal, uniform"), "{err}");
        } else {
            assert!(
                err.contains("tanh") && err.contains("leaky-relu:A"),
                "{err}"
            );
        }
    }
    // An infinite cutoff where the vertex integrals diverge is refused with a reason; the
    // cos-net's converge.
    let out = nnqft(&[
        "evaluate", "--arch", "tanh", "--points", "4", "--cutoff", "inf",
    ]);
    assert!(!out.status.success());
    let help = String::from_utf8_lossy(&nnqft(&["kernel", "--help"]).stdout).to_string();
    for (name, formula) in [
        ("tanh", "tanh(z)"),
        ("leaky-relu:A", "A z for z < 0"),
        ("gelu", "z Phi(z)"),
    ] {
        assert!(
            help.contains(name) && help.contains(formula),
            "{name}: {help}"
        );
    }
}
