//! Deep networks (docs/conventions.md section 11): the sampler's distribution against a direct
//! implementation that draws every n x n weight matrix, and against the exact closed forms for
//! ReLU and linear networks at one input.

use nnqft_core::{Arch, InputSet, Measurement, Network};
use nnqft_ensemble::{Estimator, Plan, Settings, run_all, sample};
use rand::{Rng, SeedableRng};

fn deep(arch: Arch, sw: f64, sb: f64, depth: usize) -> Network {
    Network::new(arch, sw, sb, 1)
        .unwrap()
        .with_depth(depth)
        .unwrap()
}

#[allow(clippy::too_many_arguments)]
fn measure(
    net: Network,
    xs: &[f64],
    width: usize,
    npt: &[usize],
    estimator: Estimator,
    nets: u64,
    seed: u64,
) -> Measurement {
    let settings = Settings::new(net, InputSet::from_scalars(xs).unwrap(), width, npt)
        .unwrap()
        .with_estimator(estimator)
        .unwrap();
    let plan = Plan::new(settings, nets, 10, seed).unwrap();
    sample(&plan, None, &|_| {}).unwrap()
}

/// A standard normal by Box-Muller from the test's own generator (independent of the
/// sampler's normal stream).
fn normal(rng: &mut impl Rng) -> f64 {
    let u: f64 = rng.random::<f64>();
    let v: f64 = rng.random::<f64>();
    (-2.0 * (1.0 - u).ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// The network drawn in full: W^(1) (n x 1), then L - 1 matrices n x n, then the output row,
/// every bias Normal(0, sb^2); returns f at each input.
fn direct_net(
    rng: &mut impl Rng,
    arch: Arch,
    sw: f64,
    sb: f64,
    depth: usize,
    n: usize,
    xs: &[f64],
) -> Vec<f64> {
    let w1: Vec<f64> = (0..n).map(|_| sw * normal(rng)).collect();
    let b1: Vec<f64> = (0..n).map(|_| sb * normal(rng)).collect();
    let mut act: Vec<Vec<f64>> = xs
        .iter()
        .map(|&x| (0..n).map(|j| arch.activation(w1[j] * x + b1[j])).collect())
        .collect();
    let scale = sw / (n as f64).sqrt();
    for _ in 1..depth {
        let w: Vec<f64> = (0..n * n).map(|_| scale * normal(rng)).collect();
        let b: Vec<f64> = (0..n).map(|_| sb * normal(rng)).collect();
        act = act
            .iter()
            .map(|a| {
                (0..n)
                    .map(|j| {
                        let z: f64 = b[j] + (0..n).map(|k| w[j * n + k] * a[k]).sum::<f64>();
                        arch.activation(z)
                    })
                    .collect()
            })
            .collect();
    }
    let w: Vec<f64> = (0..n).map(|_| scale * normal(rng)).collect();
    let b = sb * normal(rng);
    act.iter()
        .map(|a| b + a.iter().zip(&w).map(|(x, y)| x * y).sum::<f64>())
        .collect()
}

#[test]
fn the_layer_by_layer_draw_matches_full_weight_matrices() {
    // tanh, depth 3, width 6, biases, two inputs: G2 at (0,1) and G4 at (0,0,1,1) and
    // (0,1,1,1) from both samplers agree within 5 combined standard errors.
    let (arch, sw, sb, depth, n) = (Arch::Tanh, 1.4, 0.5, 3, 6);
    let xs = [-0.8, 0.6];
    let nets = 400_000u64;
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(11);
    let probes: [&[usize]; 4] = [&[0, 1], &[1, 1], &[0, 0, 1, 1], &[0, 1, 1, 1]];
    let mut sums = [0.0f64; 4];
    let mut sq = [0.0f64; 4];
    for _ in 0..nets {
        let f = direct_net(&mut rng, arch, sw, sb, depth, n, &xs);
        for (p, idx) in probes.iter().enumerate() {
            let v: f64 = idx.iter().map(|&a| f[a]).product();
            sums[p] += v;
            sq[p] += v * v;
        }
    }
    let net = deep(arch, sw, sb, depth);
    for est in [Estimator::Direct, Estimator::Conditional] {
        let m = measure(net, &xs, n, &[2, 4], est, nets, 3);
        for (p, idx) in probes.iter().enumerate() {
            let mean = sums[p] / nets as f64;
            let se = ((sq[p] / nets as f64 - mean * mean) / nets as f64).sqrt();
            let e = m.correlators[&idx.len().to_string()]
                .iter()
                .find(|e| e.index == *idx)
                .unwrap();
            let z = (e.mean - mean) / (e.stderr.powi(2) + se * se).sqrt();
            assert!(
                z.abs() < 5.0,
                "{est} {idx:?}: {} +- {} vs direct {mean} +- {se}",
                e.mean,
                e.stderr
            );
        }
    }
}

#[test]
fn relu_and_linear_moments_match_the_closed_forms() {
    // One input, sb = 0: E f^2 = K, E f^4 = 3 K^2 r4^L, E f^6 = 15 K^3 r6^L with
    // ReLU r4 = 1 + 5/n, r6 = 1 + 15/n + 44/n^2; linear r4 = 1 + 2/n, r6 = (1 + 2/n)(1 + 4/n).
    let cases: [(Arch, usize, usize); 10] = [
        (Arch::Relu, 2, 2),
        (Arch::Relu, 3, 4),
        (Arch::Relu, 4, 8),
        (Arch::Relu, 6, 64),
        (Arch::Relu, 5, 16),
        (Arch::Relu, 2, 32),
        (Arch::Linear, 2, 2),
        (Arch::Linear, 4, 4),
        (Arch::Linear, 6, 16),
        (Arch::Linear, 3, 64),
    ];
    for (k, &(arch, depth, n)) in cases.iter().enumerate() {
        let net = deep(arch, 1.0, 0.0, depth);
        let x = 0.8;
        let kk = net.kernel(&[x], &[x]);
        let nf = n as f64;
        let (r4, r6) = if arch == Arch::Relu {
            (1.0 + 5.0 / nf, 1.0 + 15.0 / nf + 44.0 / (nf * nf))
        } else {
            (1.0 + 2.0 / nf, (1.0 + 2.0 / nf) * (1.0 + 4.0 / nf))
        };
        let l = depth as i32;
        let want = [
            kk,
            3.0 * kk * kk * r4.powi(l),
            15.0 * kk.powi(3) * r6.powi(l),
        ];
        let m = measure(
            net,
            &[x],
            n,
            &[2, 4, 6],
            Estimator::Conditional,
            200_000,
            40 + k as u64,
        );
        for (i, order) in ["2", "4", "6"].iter().enumerate() {
            let e = &m.correlators[*order][0];
            let z = (e.mean - want[i]) / e.stderr;
            assert!(
                z.abs() < 5.0,
                "{arch} L={depth} n={n} G{order}: {} +- {} vs {}",
                e.mean,
                e.stderr,
                want[i]
            );
        }
    }
}

#[test]
fn deep_runs_are_bit_identical_across_threads_and_depth_one_is_the_single_layer_sampler() {
    let xs = InputSet::from_scalars(&[-1.0, 0.2, 1.0]).unwrap();
    // erf, and the zoo kernels the deep sampler shares with the single-layer one.
    for arch in [Arch::Erf, Arch::Tanh, Arch::Gelu] {
        let net = deep(arch, 1.0, 1.0, 3);
        let settings = Settings::new(net, xs.clone(), 50, &[2, 4]).unwrap();
        let plan = Plan::new(settings, 8000, 4, 9).unwrap();
        let a = run_all(&plan, Some(1), &|_| {}).unwrap();
        let b = run_all(&plan, Some(2), &|_| {}).unwrap();
        let (ma, mb) = (
            nnqft_ensemble::finish(&a).unwrap(),
            nnqft_ensemble::finish(&b).unwrap(),
        );
        assert_eq!(
            serde_json::to_string(&ma).unwrap(),
            serde_json::to_string(&mb).unwrap(),
            "{arch}"
        );
        assert_eq!(ma.depth, 3);
    }
    let one = Network::paper(Arch::Erf);
    let s1 = Settings::new(one, xs.clone(), 50, &[2, 4]).unwrap();
    let s2 = Settings::new(one.with_depth(1).unwrap(), xs, 50, &[2, 4]).unwrap();
    let m1 = sample(&Plan::new(s1, 4000, 4, 9).unwrap(), None, &|_| {}).unwrap();
    let m2 = sample(&Plan::new(s2, 4000, 4, 9).unwrap(), None, &|_| {}).unwrap();
    assert_eq!(
        serde_json::to_string(&m1).unwrap(),
        serde_json::to_string(&m2).unwrap()
    );
    assert!(!serde_json::to_string(&m1).unwrap().contains("depth"));
}

#[test]
fn absurd_deep_settings_are_refused() {
    let net = deep(Arch::Erf, 1.0, 1.0, 3);
    let xs = InputSet::from_scalars(&[0.1, 0.2]).unwrap();
    let err = Settings::new(net, xs, 1 << 30, &[2]).unwrap_err();
    assert!(err.to_string().contains("GB"), "{err}");
}
