//! The sampler for every activation kernel against independent truth: the sampled 2-point
//! function G2(a, b) = E[f(x_a) f(x_b)] must equal the kernel K(x_a, x_b) of
//! `Network::kernel` (closed forms where the table of docs/conventions.md section 10 gives one,
//! else quadrature) at every entry, at any width. Each entry's z = (mean - K) / stderr must lie
//! within 5 standard errors; with about 300 comparisons in all, a false alarm at 5 sigma has
//! probability below 300 * 5.7e-7 = 2e-4 for an arbitrary seed (the seed is fixed).

use nnqft_core::{Arch, BiasDist, InputSet, Network};
use nnqft_ensemble::{Estimator, Plan, Settings, sample};

/// Sample G2 for `net` at width 3 on four inputs (both estimators) and check every entry
/// against the kernel within 5 sigma; returns the largest |z|.
fn check(net: Network, nets: u64) -> f64 {
    let xs = InputSet::from_scalars(&[-1.5, -0.3, 0.4, 2.0]).unwrap();
    let mut worst = 0.0f64;
    for estimator in [Estimator::Direct, Estimator::Conditional] {
        let settings = Settings::new(net, xs.clone(), 3, &[2])
            .unwrap()
            .with_estimator(estimator)
            .unwrap();
        let plan = Plan::new(settings, nets, 10, 11).unwrap();
        let m = sample(&plan, None, &|_| {}).unwrap();
        for e in &m.correlators["2"] {
            let (a, b) = (e.index[0], e.index[1]);
            let k = net.kernel(xs.point(a), xs.point(b));
            let z = (e.mean - k) / e.stderr;
            assert!(
                e.stderr > 0.0 && z.abs() < 5.0,
                "{} {:?} {estimator:?} ({a}, {b}): mean {} vs kernel {k} (stderr {}, z = {z:.2})",
                net.arch(),
                net.bias(),
                e.mean,
                e.stderr
            );
            worst = worst.max(z.abs());
        }
    }
    worst
}

#[test]
fn every_activation_samples_its_kernel_with_a_normal_bias() {
    for arch in Arch::named() {
        if Arch::PAPER.iter().any(|a| a.name() == arch.name()) {
            continue; // tests/statistics.rs
        }
        let net = Network::new(arch, 1.3, 0.6, 1).unwrap();
        let z = check(net, 25_000);
        eprintln!("{arch} normal: largest |z| {z:.2}");
    }
}

#[test]
fn uniform_hidden_bias_samples_its_kernel() {
    for arch in [
        Arch::Sin,
        Arch::Cos,
        Arch::Tanh,
        Arch::Relu,
        Arch::Gelu,
        Arch::Erf,
    ] {
        let net = Network::new(arch, 1.3, 0.6, 1)
            .unwrap()
            .with_bias(BiasDist::Uniform);
        let z = check(net, 25_000);
        eprintln!("{arch} uniform: largest |z| {z:.2}");
    }
}

/// The cos-net's kernel is translation invariant: K = sb^2 + (sW^2/2) exp(-sW^2 (x - x')^2 /
/// (2d)) (docs/conventions.md section 10), a closed form independent of `Network::kernel`.
#[test]
fn cos_net_samples_the_translation_invariant_kernel() {
    let (sw, sb) = (1.3, 0.6);
    let net = Network::new(Arch::Cos, sw, sb, 1)
        .unwrap()
        .with_bias(BiasDist::Uniform);
    let xs = [-1.5, -0.3, 0.4, 2.0];
    let inputs = InputSet::from_scalars(&xs).unwrap();
    let plan = Plan::new(Settings::new(net, inputs, 3, &[2]).unwrap(), 25_000, 10, 5).unwrap();
    let m = sample(&plan, None, &|_| {}).unwrap();
    for e in &m.correlators["2"] {
        let d = xs[e.index[0]] - xs[e.index[1]];
        let k = sb * sb + 0.5 * sw * sw * (-sw * sw * d * d / 2.0).exp();
        let z = (e.mean - k) / e.stderr;
        assert!(
            z.abs() < 5.0,
            "{:?}: {} vs {k} (z = {z:.2})",
            e.index,
            e.mean
        );
    }
}

/// A user-defined activation (a closure: the scalar path) samples its kernel too.
#[test]
fn a_user_defined_activation_samples_its_kernel() {
    let arch = Arch::from_fn("x-tanh", |z| z * z.tanh());
    for bias in [BiasDist::Normal, BiasDist::Uniform] {
        let net = Network::new(arch, 1.3, 0.6, 1).unwrap().with_bias(bias);
        let z = check(net, 25_000);
        eprintln!("x-tanh {bias}: largest |z| {z:.2}");
    }
}
