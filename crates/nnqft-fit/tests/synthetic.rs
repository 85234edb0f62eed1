//! Synthetic truth: correlators built from chosen couplings through the first-order formulas
//! (docs/conventions.md sections 5-7) are fitted back, and noise of known size is covered as often as the
//! reported errors say.

use nnqft_core::{Arch, CorrelatorTable, InputSet, Network, multiset_rank, multisets};
use nnqft_fit::{
    Couplings, Deviations, FitData, Integral, Operator, VertexIntegrals, Weighting, fit_models,
    joint_at, paper_models, predict6, rg_flow,
};
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use rand_pcg::Pcg64Mcg;

fn inputs() -> InputSet {
    InputSet::from_scalars(&[0.3, 0.5, 0.9, 1.4]).unwrap()
}

fn relu() -> Network {
    Network::paper(Arch::Relu)
}

/// Smooth, tuple-dependent, L-dependent stand-ins for the integrals, with exact derivatives:
/// I(L) = c (L + a L^2/(1+L)), a and c from the tuple.
fn fake_integral(idx: &[usize], salt: f64, l: f64) -> Integral {
    let s: f64 = idx.iter().map(|&i| (i as f64 + 1.0) * (1.0 + salt)).sum();
    let c = 0.5 + (s * 1.7).sin().abs();
    let a = 0.2 + (s * 0.3).cos().powi(2);
    Integral {
        value: c * (l + a * l * l / (1.0 + l)),
        d_dl: c * (1.0 + a * (l * l + 2.0 * l) / ((1.0 + l) * (1.0 + l))),
    }
}

fn fake_vertex_integrals(m: usize, l: f64) -> VertexIntegrals {
    VertexIntegrals {
        cutoff: l,
        x4: multisets(m, 4)
            .iter()
            .map(|t| fake_integral(t, 0.0, l))
            .collect(),
        loop4: Some(
            multisets(m, 4)
                .iter()
                .map(|t| fake_integral(t, 0.37, l))
                .collect(),
        ),
        star6: Some(
            multisets(m, 6)
                .iter()
                .map(|t| fake_integral(t, 0.61, l))
                .collect(),
        ),
    }
}

/// DeltaG4 and DeltaG6 at first order from (lambda, kappa), with the 15 splits by brute force.
fn first_order(
    net: &Network,
    xs: &InputSet,
    ints: &VertexIntegrals,
    lambda: f64,
    kappa: f64,
) -> (CorrelatorTable, CorrelatorTable) {
    let m = xs.len();
    let k = net.kernel_matrix(xs);
    let loop4 = ints.loop4.as_ref().unwrap();
    let star6 = ints.star6.as_ref().unwrap();
    let dg4 = CorrelatorTable::from_fn(m, 4, |t| {
        let r = multiset_rank(m, t);
        (
            -24.0 * lambda * ints.x4[r].value - 360.0 * kappa * loop4[r].value,
            0.0,
        )
    })
    .unwrap();
    let dg6 = CorrelatorTable::from_fn(m, 6, |s| {
        let mut v = -720.0 * kappa * star6[multiset_rank(m, s)].value;
        for a in 0..6 {
            for b in a + 1..6 {
                let mut four: Vec<usize> =
                    (0..6).filter(|&c| c != a && c != b).map(|c| s[c]).collect();
                four.sort_unstable();
                let r = multiset_rank(m, &four);
                let kab = k[(s[a], s[b])];
                v -= 24.0 * lambda * ints.x4[r].value * kab + 360.0 * kappa * loop4[r].value * kab;
            }
        }
        (v, 0.0)
    })
    .unwrap();
    (dg4, dg6)
}

#[test]
fn lambda_and_kappa_are_recovered_to_1e_8() {
    let (net, xs) = (relu(), inputs());
    for (lambda, kappa) in [(2.5e-3, -4e-5), (-1e-7, 3e-2), (0.1, 0.0)] {
        let ints = fake_vertex_integrals(xs.len(), 30.0);
        let (dg4, dg6) = first_order(&net, &xs, &ints, lambda, kappa);
        let dev = Deviations::from_tables(net, 20, xs.clone(), dg4, Some(dg6), false).unwrap();
        let j = joint_at(&dev, &ints).unwrap();
        let scale = lambda.abs().max(kappa.abs());
        assert!((j.lambda.value - lambda).abs() <= 1e-8 * scale, "{j:?}");
        assert!((j.kappa.value - kappa).abs() <= 1e-8 * scale, "{j:?}");
        assert!(j.residual < 1e-10, "{}", j.residual);
    }
}

#[test]
fn joint_betas_match_finite_differences_of_the_solution() {
    // Data fixed at L0 (not exactly first order: a perturbation spoils consistency), then the
    // couplings re-solved at L(1 +- h): beta = dg/dlog L by central differences.
    let (net, xs) = (relu(), inputs());
    let m = xs.len();
    let (dg4, dg6) = first_order(&net, &xs, &fake_vertex_integrals(m, 12.0), 3e-3, -2e-4);
    let bump = |t: &CorrelatorTable| {
        CorrelatorTable::from_fn(t.inputs(), t.n(), |i| {
            (
                t.mean(i) * (1.0 + 0.05 * ((i.iter().sum::<usize>() as f64) * 1.3).sin()),
                0.0,
            )
        })
        .unwrap()
    };
    let dev = Deviations::from_tables(net, 20, xs, bump(&dg4), Some(bump(&dg6)), false).unwrap();
    for l in [5.0, 40.0, 300.0] {
        let j = joint_at(&dev, &fake_vertex_integrals(m, l)).unwrap();
        assert!(j.residual > 1e-4, "the test needs inconsistent data");
        let h = 1e-5;
        let up = joint_at(&dev, &fake_vertex_integrals(m, l * (1.0 + h))).unwrap();
        let dn = joint_at(&dev, &fake_vertex_integrals(m, l * (1.0 - h))).unwrap();
        let dlog = (1.0 + h).ln() - (1.0 - h).ln();
        let fd_l = (up.lambda.value - dn.lambda.value) / dlog;
        let fd_k = (up.kappa.value - dn.kappa.value) / dlog;
        assert!(
            (j.beta_lambda - fd_l).abs() <= 1e-6 * fd_l.abs().max(1e-12),
            "{} vs {fd_l}",
            j.beta_lambda
        );
        assert!(
            (j.beta_kappa - fd_k).abs() <= 1e-6 * fd_k.abs().max(1e-12),
            "{} vs {fd_k}",
            j.beta_kappa
        );
    }
}

#[test]
fn relu_closed_form_runs_as_l_to_the_minus_five() {
    // ReLU, sb = 0, d = 1, positive inputs: I4 = x1x2x3x4 L^5/80, dI4/dL = x1x2x3x4 L^4/16.
    let (net, xs) = (relu(), inputs());
    let m = xs.len();
    let dg4 = CorrelatorTable::from_fn(m, 4, |t| {
        (1e-3 * (1.0 + t[0] as f64 + 0.1 * t[3] as f64), 1e-5)
    })
    .unwrap();
    let dev = Deviations::from_tables(net, 20, xs.clone(), dg4, None, true).unwrap();
    let cutoffs = [7.0, 10.0, 100.0, 1e4, 1e5];
    let ints: Vec<VertexIntegrals> = cutoffs
        .iter()
        .map(|&l| VertexIntegrals {
            cutoff: l,
            x4: multisets(m, 4)
                .iter()
                .map(|t| {
                    let p: f64 = t.iter().map(|&i| xs.point(i)[0]).product();
                    Integral {
                        value: p * l.powi(5) / 80.0,
                        d_dl: p * l.powi(4) / 16.0,
                    }
                })
                .collect(),
            loop4: None,
            star6: None,
        })
        .collect();
    let r = rg_flow(&dev, &ints, Couplings::Lambda).unwrap();
    assert!((r.slope.unwrap() + 5.0).abs() < 1e-9);
    assert!((r.r2.unwrap() - 1.0).abs() < 1e-12);
    // The sampling error cannot move the slope of an exact power law.
    assert!(r.slope_error.unwrap() < 1e-12);
    for (c, row) in r.beta.iter().enumerate() {
        for (t, b) in row.iter().enumerate() {
            assert!((b / r.lambda[c][t] + 5.0).abs() < 1e-12);
        }
        assert!((r.mean_beta[c] / r.mean_lambda[c] + 5.0).abs() < 1e-12);
    }
}

#[test]
fn slope_error_matches_the_scatter_of_noisy_replicas() {
    // I4 not a power law, so the slope depends on DeltaG4; replicas with Gaussian noise of the
    // stated stderr: the standard deviation of their slopes must match the propagated error.
    let (net, xs) = (relu(), inputs());
    let m = xs.len();
    let truth: Vec<f64> = multisets(m, 4)
        .iter()
        .map(|t| 1e-3 * (1.0 + 0.3 * t[1] as f64))
        .collect();
    let se: Vec<f64> = truth.iter().map(|v| 0.02 * v).collect();
    let ints: Vec<VertexIntegrals> = [3.0, 10.0, 30.0, 100.0, 300.0]
        .iter()
        .map(|&l| VertexIntegrals {
            cutoff: l,
            x4: multisets(m, 4)
                .iter()
                .map(|t| {
                    let w = 1.0 + t[0] as f64;
                    Integral {
                        value: l + w * l.sqrt(),
                        d_dl: 1.0 + 0.5 * w / l.sqrt(),
                    }
                })
                .collect(),
            loop4: None,
            star6: None,
        })
        .collect();
    let mut rng = Pcg64Mcg::seed_from_u64(11);
    let unit = Normal::new(0.0, 1.0).unwrap();
    let mut slopes = vec![];
    let mut reported = 0.0;
    for _ in 0..2000 {
        let noisy: Vec<f64> = truth
            .iter()
            .zip(&se)
            .map(|(v, s)| v + s * unit.sample(&mut rng))
            .collect();
        let dg4 = CorrelatorTable::from_fn(m, 4, |t| {
            let r = multiset_rank(m, t);
            (noisy[r], se[r])
        })
        .unwrap();
        let dev = Deviations::from_tables(net, 20, xs.clone(), dg4, None, true).unwrap();
        let r = rg_flow(&dev, &ints, Couplings::Lambda).unwrap();
        slopes.push(r.slope.unwrap());
        reported = r.slope_error.unwrap();
    }
    let mean = slopes.iter().sum::<f64>() / slopes.len() as f64;
    let sd =
        (slopes.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (slopes.len() - 1) as f64).sqrt();
    // 2000 replicas: the sample sd is within about 1.6% (1 sigma) of the true one; allow 10%.
    assert!(
        reported > 0.0 && (sd / reported - 1.0).abs() < 0.1,
        "sd {sd} vs reported {reported}"
    );
}

#[test]
fn the_six_point_prediction_is_exact_for_first_order_data() {
    let (net, xs) = (relu(), inputs());
    let mut ints = fake_vertex_integrals(xs.len(), 50.0);
    ints.loop4 = Some(
        ints.x4
            .iter()
            .map(|_| Integral {
                value: 0.0,
                d_dl: 0.0,
            })
            .collect(),
    );
    let (dg4, dg6) = first_order(&net, &xs, &ints, -7e-4, 0.0);
    let dev = Deviations::from_tables(net, 20, xs, dg4, Some(dg6), false).unwrap();
    let p = predict6(&dev, &ints).unwrap();
    assert!((p.lambda.value + 7e-4).abs() < 1e-15);
    assert!(p.ratio.iter().all(|r| (r - 1.0).abs() < 1e-12));
    assert!(p.median_abs_rel_error < 1e-12 && p.fraction_within_error.is_none());
}

/// Synthetic Table-5 data: 126 points with smooth, distinct T0, T2, TNL columns.
fn table_data(couplings: [f64; 3], salt: f64) -> FitData {
    let tuples = multisets(6, 4);
    let col = |f: &dyn Fn(f64) -> f64| -> Vec<f64> {
        tuples
            .iter()
            .map(|t| f(t.iter().map(|&i| (i as f64 + 1.0) * (0.2 + salt)).sum()))
            .collect()
    };
    let t0 = col(&|s| 1.0 + 0.1 * s);
    let t2 = col(&|s| 0.3 * s * s);
    let tnl = col(&|s| (0.7 * s).sin() + 2.0);
    let target: Vec<f64> = (0..tuples.len())
        .map(|i| -(couplings[0] * t0[i] + couplings[1] * t2[i] + couplings[2] * tnl[i]))
        .collect();
    FitData {
        tuples,
        target,
        error: None,
        operators: vec![
            Operator {
                coupling: "lambda_0".into(),
                values: t0,
            },
            Operator {
                coupling: "lambda_2".into(),
                values: t2,
            },
            Operator {
                coupling: "lambda_NL".into(),
                values: tnl,
            },
        ],
    }
}

#[test]
fn three_couplings_are_recovered_to_1e_8() {
    let truth = [4.6e-3, 1.1e-3, -1.5e-3];
    let train = table_data(truth, 0.0);
    let test = table_data(truth, 0.05);
    for w in [Weighting::Plain, Weighting::Relative] {
        let rep = fit_models(&train, &test, &paper_models(), w).unwrap();
        let m3 = &rep.models[3];
        for (name, want) in ["lambda_0", "lambda_2", "lambda_NL"].iter().zip(truth) {
            let got = m3.couplings[*name];
            assert!(
                (got - want).abs() <= 1e-8 * want.abs(),
                "{name}: {got} vs {want}"
            );
        }
        assert!(m3.test.mape < 1e-8 && m3.train.mse < 1e-20);
    }
}

#[test]
fn m0_has_mape_100_and_train_mse_never_grows_with_the_model() {
    let mut train = table_data([1e-3, 2e-4, 0.0], 0.0);
    // Data outside every model: a curvature none of the columns has.
    for (i, y) in train.target.iter_mut().enumerate() {
        *y += 3e-4 * ((i as f64) * 0.37).cos();
    }
    let test = table_data([1e-3, 2e-4, 0.0], 0.05);
    let rep = fit_models(&train, &test, &paper_models(), Weighting::Plain).unwrap();
    assert_eq!(rep.models[0].train.mape, 100.0);
    assert_eq!(rep.models[0].test.mape, 100.0);
    for pair in rep.models.windows(2) {
        assert!(
            pair[1].train.mse <= pair[0].train.mse,
            "{} -> {}",
            pair[0].name,
            pair[1].name
        );
    }
}

#[test]
fn noisy_couplings_fall_within_one_sigma_68_percent_of_the_time() {
    // 3000 trials, each coupling inside +-1 reported sigma with probability 0.6827: the
    // observed fraction has binomial sd sqrt(0.6827*0.3173/3000) = 0.0085; accept +-4 sd.
    let truth = [4.6e-3, 1.1e-3, -1.5e-3];
    let clean = table_data(truth, 0.0);
    let test = table_data(truth, 0.05);
    let sigma: Vec<f64> = clean.target.iter().map(|y| 0.01 * y.abs() + 1e-5).collect();
    let mut rng = Pcg64Mcg::seed_from_u64(2026);
    let unit = Normal::new(0.0, 1.0).unwrap();
    let trials = 3000;
    let mut inside = [0usize; 3];
    let mut chi2 = 0.0;
    for _ in 0..trials {
        let mut train = clean.clone();
        for (y, s) in train.target.iter_mut().zip(&sigma) {
            *y += s * unit.sample(&mut rng);
        }
        train.error = Some(sigma.clone());
        let rep = fit_models(&train, &test, &paper_models()[3..], Weighting::Errors).unwrap();
        let m3 = &rep.models[0];
        for (k, name) in ["lambda_0", "lambda_2", "lambda_NL"].iter().enumerate() {
            if (m3.couplings[*name] - truth[k]).abs() <= m3.errors[*name] {
                inside[k] += 1;
            }
        }
        chi2 += m3.train.chi2_dof.unwrap();
    }
    for (k, n) in inside.iter().enumerate() {
        let f = *n as f64 / trials as f64;
        assert!(
            (f - 0.6827).abs() < 4.0 * 0.0085,
            "coupling {k}: coverage {f}"
        );
    }
    // Mean chi^2/dof over trials: 1 with sd sqrt(2/123/3000) = 0.0023.
    let mean_chi2 = chi2 / trials as f64;
    assert!((mean_chi2 - 1.0).abs() < 0.012, "{mean_chi2}");
}
