//! The conditional estimator (docs/conventions.md section 8) against independent truth: the
//! exact finite-width correlators and cumulants (nnqft-integrate, from one-neuron moments by
//! quadrature or closed forms), entry by entry, and the honesty of its standard errors
//! across independent seeds.

use nnqft_core::{Arch, InputSet, Measurement, Network};
use nnqft_ensemble::{Estimator, Plan, Settings, sample};
use nnqft_integrate::exact_measurement;

/// Experiments per run: the errors of the 4- and 6-point quantities come from the spread of
/// the per-experiment estimates, so z is Student-t with E - 1 degrees of freedom; with 40,
/// P(|t| > 5) = 1.3e-5 per entry.
const EXPERIMENTS: usize = 40;

fn conditional(arch: Arch, width: usize, nets: u64, seed: u64) -> Measurement {
    let net = Network::paper(arch);
    let xs = InputSet::paper(arch, 1).unwrap();
    let settings = Settings::new(net, xs, width, &[2, 4, 6])
        .unwrap()
        .with_estimator(Estimator::Conditional)
        .unwrap();
    let plan = Plan::new(settings, nets, EXPERIMENTS, seed).unwrap();
    // One thread: the tests of this file run in parallel already.
    sample(&plan, Some(1), &|_| {}).unwrap()
}

fn exact(arch: Arch, width: usize) -> Measurement {
    let net = Network::paper(arch);
    exact_measurement(&net, width, &InputSet::paper(arch, 1).unwrap(), &[2, 4, 6]).unwrap()
}

/// z = (sampled - exact) / stderr of every entry of G2, G4, G6 and of kappa4, kappa6.
fn z_scores(s: &Measurement, e: &Measurement) -> Vec<f64> {
    let mut z = vec![];
    for n in ["2", "4", "6"] {
        for (a, b) in s.correlators[n].iter().zip(&e.correlators[n]) {
            assert_eq!(a.index, b.index);
            assert!(a.stderr > 0.0 && a.stderr.is_finite(), "G{n} {:?}", a.index);
            z.push((a.mean - b.mean) / a.stderr);
        }
    }
    for n in ["4", "6"] {
        for (a, b) in s.connected[n].iter().zip(&e.connected[n]) {
            assert_eq!(a.index, b.index);
            assert!(
                a.stderr > 0.0 && a.stderr.is_finite(),
                "kappa{n} {:?}",
                a.index
            );
            z.push((a.mean - b.mean) / a.stderr);
        }
    }
    assert_eq!(z.len(), 21 + 126 + 462 + 126 + 462);
    z
}

/// Every entry of G2, G4, G6, kappa4 and kappa6 within 5 standard errors of the exact value,
/// at small and large width. At N = 1000 the connected parts are about 1/N and 1/N^2 of the
/// full correlators: resolving them with these few networks is the estimator's point.
#[test]
fn conditional_agrees_with_exact_at_every_entry() {
    for (arch, width, nets) in [
        (Arch::Erf, 5, 200_000u64),
        (Arch::Relu, 20, 200_000),
        (Arch::Erf, 1000, 20_000),
        (Arch::Relu, 1000, 20_000),
    ] {
        let s = conditional(arch, width, nets, 21);
        let e = exact(arch, width);
        let z = z_scores(&s, &e);
        let max = z.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        eprintln!(
            "{arch} N={width}: max |z| = {max:.2} over {} entries",
            z.len()
        );
        assert!(max < 5.0, "{arch} N={width}: max |z| = {max}");
        // The cumulants are resolved, not just consistent with zero: the mean relative
        // error of kappa4 is below 20% (the estimator's errors do not grow with N).
        let rel: f64 = s.connected["4"]
            .iter()
            .map(|c| c.stderr / c.mean.abs())
            .sum::<f64>()
            / 126.0;
        eprintln!("{arch} N={width}: mean relative stderr of kappa4 {rel:.3}");
        assert!(
            rel < 0.2,
            "{arch} N={width}: mean relative stderr of kappa4 {rel}"
        );
    }
}

/// The standard errors are honest: over independent seeds, z = (sampled - exact) / stderr
/// has standard deviation within 0.7..1.4 (Student-t with 39 degrees of freedom: 1.03).
/// Within one run the entries are strongly correlated, so the spread is taken over seeds:
/// per entry over the seeds, then averaged over the entries.
#[test]
fn conditional_errors_are_honest_across_seeds() {
    for (arch, width, nets) in [(Arch::Erf, 5, 20_000u64), (Arch::Erf, 200, 4_000)] {
        let e = exact(arch, width);
        let runs: Vec<Vec<f64>> = (0..16)
            .map(|seed| z_scores(&conditional(arch, width, nets, 100 + seed), &e))
            .collect();
        let entries = runs[0].len();
        let var: f64 = (0..entries)
            .map(|k| runs.iter().map(|z| z[k] * z[k]).sum::<f64>() / runs.len() as f64)
            .sum::<f64>()
            / entries as f64;
        let sd = var.sqrt();
        eprintln!("{arch} N={width}: sd of z over seeds {sd:.3}");
        assert!((0.7..1.4).contains(&sd), "{arch} N={width}: sd of z = {sd}");
    }
}

/// The direct estimator's JSON is today's: the same plan through the library gives the same
/// numbers whether or not the estimator is named (it defaults to direct in the library).
#[test]
fn direct_is_the_library_default() {
    let net = Network::paper(Arch::Erf);
    let xs = InputSet::paper(Arch::Erf, 1).unwrap();
    let a = Settings::new(net, xs.clone(), 7, &[2, 4]).unwrap();
    let b = a.clone().with_estimator(Estimator::Direct).unwrap();
    assert_eq!(a, b);
    let run = |s: Settings| sample(&Plan::new(s, 4000, 4, 3).unwrap(), None, &|_| {}).unwrap();
    assert_eq!(run(a), run(b));
    // Orders above 6 are refused by the conditional estimator.
    let s = Settings::new(net, xs, 7, &[8]).unwrap();
    assert!(s.with_estimator(Estimator::Conditional).is_err());
}
