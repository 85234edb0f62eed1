//! Statistical checks of the sampler against independent truth: the closed-form GP kernel
//! (G2 = K exactly at any width), Wick's theorem at large width, and the 1/N fall of m_4.

use nnqft_core::{Arch, InputSet, Measurement, Network};
use nnqft_ensemble::{Estimator, Plan, Settings, fit_loglog, sample};

fn measure(arch: Arch, width: usize, nets: u64, npt: &[usize], seed: u64) -> Measurement {
    let net = Network::paper(arch);
    let xs = InputSet::paper(arch, 1).unwrap();
    let plan = Plan::new(Settings::new(net, xs, width, npt).unwrap(), nets, 10, seed).unwrap();
    sample(&plan, None, &|_| {}).unwrap()
}

/// Every entry within `k` standard errors of its GP value; returns the largest |z|.
fn check_gp(m: &Measurement, n: usize, k: f64) -> f64 {
    let mut worst = 0.0f64;
    for e in &m.correlators[&n.to_string()] {
        let z = (e.mean - e.gp) / e.stderr;
        assert!(
            z.abs() < k,
            "{} N={} n={n} {:?}: mean {} vs GP {} (stderr {}, z = {z:.2})",
            m.arch,
            m.width,
            e.index,
            e.mean,
            e.gp,
            e.stderr
        );
        worst = worst.max(z.abs());
    }
    worst
}

/// G2 = K exactly at any width: every one of the 21 entries within 4 standard errors, for
/// all three architectures at N = 2 and N = 1000. (126 comparisons: at 4 sigma a false
/// alarm has probability about 126 * 6e-5 = 0.8% for an arbitrary seed; the seed is fixed.)
/// The errors are honest, neither inflated nor deflated: see [`check_stderr_scale`].
#[test]
fn two_point_function_is_the_kernel_at_any_width() {
    for arch in Arch::PAPER {
        for (width, nets) in [(2, 200_000), (1000, 20_000)] {
            let m = measure(arch, width, nets, &[2], 3);
            check_gp(&m, 2, 4.0);
            check_stderr_scale(&m, nets, 1.0);
        }
    }
}

/// The standard error of G2(a, b) against the Gaussian-field value sqrt((K_aa K_bb + K_ab^2)
/// / M): at finite width the variance of f_a f_b is larger by the fourth cumulant
/// kappa4(aabb) >= 0 (a sum of squares here), so the ratio must lie in [0.9, 4] (at N = 1000
/// it is within a few percent of 1; at N = 2 Gauss-net's heavy tails raise it to about 2).
/// `inflate` multiplies the reported errors (the test of this test).
fn check_stderr_scale(m: &Measurement, nets: u64, inflate: f64) {
    let g2 = &m.correlators["2"];
    let k = |a: usize, b: usize| {
        g2.iter()
            .find(|e| e.index == [a.min(b), a.max(b)])
            .expect("every pair is an entry")
            .gp
    };
    for e in g2 {
        let (a, b) = (e.index[0], e.index[1]);
        let gaussian = ((k(a, a) * k(b, b) + k(a, b) * k(a, b)) / nets as f64).sqrt();
        let ratio = inflate * e.stderr / gaussian;
        assert!(
            (0.9..4.0).contains(&ratio),
            "{} N={} {:?}: stderr {} vs Gaussian {gaussian} (ratio {ratio})",
            m.arch,
            m.width,
            e.index,
            inflate * e.stderr
        );
    }
}

/// The check above fails for errors inflated 200 times, or deflated 2 times.
#[test]
fn stderr_check_catches_wrong_errors() {
    let m = measure(Arch::Erf, 1000, 20_000, &[2], 3);
    check_stderr_scale(&m, 20_000, 1.0);
    for bad in [200.0, 0.5] {
        let r = std::panic::catch_unwind(|| check_stderr_scale(&m, 20_000, bad));
        assert!(r.is_err(), "stderr x {bad} passed");
    }
}

/// At N = 1000 the 4-point function is Wick's to O(1/N): every entry agrees within 4
/// standard errors (20 000 nets: errors of about 2%, far above the 1/N deviation).
#[test]
fn four_point_function_is_wick_at_large_width() {
    for arch in [Arch::Erf, Arch::Relu] {
        let m = measure(arch, 1000, 20_000, &[2, 4], 5);
        check_gp(&m, 4, 4.0);
    }
}

/// The paper's central observation for Erf-net: m_4 falls like 1/N (exactly: G4 - G_GP is
/// the fourth cumulant, proportional to 1/N). Erf-net with sigma_b = 0 at the paper's inputs
/// (with sigma_b = 1 the Gaussian output bias dilutes m_4 to about 0.056/N, and N = 20 would
/// need some 10^8 nets): m_4 is about 0.97/N, 50 000 N nets per width keep the background
/// (std across 10 experiments / G_GP) near a fifth of the signal at N = 20, and the common
/// noise of m_4 at a few percent, so the fitted slope has a spread of about 0.04: the
/// tolerance 0.15 is about 4 sigma.
#[test]
fn erf_m4_falls_like_one_over_n() {
    let net = Network::new(Arch::Erf, 1.0, 0.0, 1).unwrap();
    let xs = InputSet::paper(Arch::Erf, 1).unwrap();
    let mut points = vec![];
    for width in [2usize, 3, 4, 5, 10, 20] {
        let nets = 50_000 * width as u64;
        let s = Settings::new(net, xs.clone(), width, &[4]).unwrap();
        let m = sample(&Plan::new(s, nets, 10, 7).unwrap(), None, &|_| {}).unwrap();
        let s = &m.summary["4"];
        assert!(s.signal > 3.0 * s.background.unwrap(), "N = {width}: {s:?}");
        points.push((width, s.signal));
    }
    let fit = fit_loglog(&points).unwrap();
    assert!(
        (fit.slope + 1.0).abs() < 0.15,
        "slope {} from {points:?}",
        fit.slope
    );
}

/// Gauss-net's log-normal neurons make its 6-point errors meaningless at small widths
/// and the sampler says so; Erf-net's light tails raise no warning.
#[test]
fn heavy_tails_are_flagged() {
    // Gauss-net at N = 5: a single network holds about 85% of the sum of f^12.
    let g = measure(Arch::Gauss, 5, 200_000, &[2, 4, 6], 1);
    assert!(
        g.warnings.iter().any(|w| w.starts_with("n=6:")),
        "{:?}",
        g.warnings
    );
    // Erf-net at N = 5 with 400 000 nets: the largest share is about 0.1.
    let e = measure(Arch::Erf, 5, 400_000, &[2, 4, 6], 1);
    assert!(e.warnings.is_empty(), "{:?}", e.warnings);
}

/// The conditional estimator flags heavy tails too: Gauss-net's Q entries are sums of
/// log-normal products, and at N = 5 single networks dominate the sums of squares of their
/// third powers; Erf-net's bounded activations raise no warning.
#[test]
fn heavy_tails_are_flagged_by_the_conditional_estimator() {
    let run = |arch: Arch, nets: u64| {
        let net = Network::paper(arch);
        let xs = InputSet::paper(arch, 1).unwrap();
        let s = Settings::new(net, xs, 5, &[2, 4, 6])
            .unwrap()
            .with_estimator(Estimator::Conditional)
            .unwrap();
        sample(&Plan::new(s, nets, 10, 1).unwrap(), None, &|_| {}).unwrap()
    };
    let g = run(Arch::Gauss, 200_000);
    assert!(
        g.warnings.iter().any(|w| w.starts_with("n=6:")),
        "{:?}",
        g.warnings
    );
    let e = run(Arch::Erf, 200_000);
    assert!(e.warnings.is_empty(), "{:?}", e.warnings);
}
