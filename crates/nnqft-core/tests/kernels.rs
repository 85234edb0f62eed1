//! Every activation's kernel against an independent integrator: the `quadrature` crate's
//! double-exponential rule, nested over the hidden weights and bias directly (not the
//! Gauss-Hermite rule or the rotation nnqft uses), split where the integrand has kinks.

use nnqft_core::{Arch, BiasDist, Network};

/// int_lo^hi f, split at the sorted break points inside (lo, hi), by double-exponential rule.
fn de(f: &dyn Fn(f64) -> f64, lo: f64, hi: f64, breaks: &[f64]) -> f64 {
    let mut pts = vec![lo];
    let mut inner: Vec<f64> = breaks
        .iter()
        .copied()
        .filter(|b| *b > lo && *b < hi)
        .collect();
    inner.sort_by(f64::total_cmp);
    inner.dedup_by(|a, b| a == b);
    pts.extend(inner);
    pts.push(hi);
    pts.windows(2)
        .map(|w| quadrature::integrate(f, w[0], w[1], 1e-13).integral)
        .sum()
}

fn normal_pdf(g: f64) -> f64 {
    (-0.5 * g * g).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// sb^2 + sW^2 E[phi(t + u) phi(t + v)]: (u, v) the Gaussian part of the pre-activations,
/// with covariance C computed here from the definitions (W0.x, W0.y and a normal b0) and
/// written as u = L11 g1, v = L21 g1 + L22 g2 (Cholesky), t the uniform bias (or 0), each
/// coordinate integrated in turn by the double-exponential rule, split at the kinks.
fn reference_kernel(net: &Network, x: &[f64], y: &[f64]) -> f64 {
    let d = net.d_in() as f64;
    let sw2 = net.sigma_w() * net.sigma_w();
    let sb = net.sigma_b();
    let b2 = if net.bias() == BiasDist::Normal {
        sb * sb
    } else {
        0.0
    };
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(p, q)| p * q).sum::<f64>();
    let (c11, c22, c12) = (
        b2 + sw2 * dot(x, x) / d,
        b2 + sw2 * dot(y, y) / d,
        b2 + sw2 * dot(x, y) / d,
    );
    let l11 = c11.sqrt();
    let l21 = c12 / l11;
    let l22 = (c22 - l21 * l21).max(0.0).sqrt();
    let arch = net.arch();
    let phi = |z: f64| arch.activation(z);
    // e^{2u} peaks at g = 2 sigma; the other activations grow at most linearly, so the
    // normal density's reach suffices (a wider interval would hide its mass from the rule).
    let lim = if arch == Arch::Gauss {
        9.0 + 2.0 * c11.max(c22).sqrt()
    } else {
        10.0
    };
    let over_g = |t: f64| {
        let over_g2 = |g1: f64| {
            let u = phi(t + l11 * g1);
            if l22 < 1e-12 * l11 {
                return u * phi(t + l21 * g1);
            }
            let kink = -(t + l21 * g1) / l22;
            u * de(
                &|g2| normal_pdf(g2) * phi(t + l21 * g1 + l22 * g2),
                -lim,
                lim,
                &[kink],
            )
        };
        let mut br = vec![-t / l11];
        if l21 != 0.0 {
            br.push(-t / l21);
        }
        de(&|g1| normal_pdf(g1) * over_g2(g1), -lim, lim, &br)
    };
    let m2 = match net.bias() {
        BiasDist::Uniform => {
            let pi = std::f64::consts::PI;
            de(&|t| over_g(t) / (2.0 * pi), -pi, pi, &[0.0])
        }
        _ => over_g(0.0),
    };
    let scale = net.output_scale(x) * net.output_scale(y);
    sb * sb + sw2 * m2 * scale
}

fn check(arch: Arch, bias: BiasDist, d: usize, sb: f64, tol: f64) {
    let pts: Vec<(Vec<f64>, Vec<f64>)> = if d == 1 {
        vec![
            (vec![0.7], vec![-1.1]),
            (vec![1.2], vec![1.2]),
            (vec![0.4], vec![0.9]),
        ]
    } else {
        vec![(vec![0.7, -0.3], vec![-0.5, 1.0])]
    };
    let net = Network::new(arch, 1.2, sb, d).unwrap().with_bias(bias);
    for (x, y) in &pts {
        let ours = net.kernel(x, y);
        let reference = reference_kernel(&net, x, y);
        // Relative to sqrt(K(x, x) K(y, y)), the natural scale of K(x, y) (which may vanish).
        let scale = (net.kernel(x, x) * net.kernel(y, y)).sqrt();
        let rel = (ours - reference).abs() / scale;
        eprintln!("{arch} {bias} d={d} sb={sb} x={x:?} y={y:?}: rel {rel:.1e}");
        assert!(
            rel < tol,
            "{arch} {bias} d={d} sb={sb} x={x:?} y={y:?}: {ours} vs {reference} (rel {rel:.1e})"
        );
    }
}

#[test]
fn every_activation_matches_independent_quadrature_to_1e_10() {
    for arch in Arch::named() {
        for d in [1, 2] {
            for sb in [0.0, 0.8] {
                if sb == 0.0 && arch == Arch::Gauss {
                    continue;
                }
                check(arch, BiasDist::Normal, d, sb, 1e-10);
            }
        }
    }
}

#[test]
fn uniform_bias_kernels_match_independent_quadrature() {
    // Closed forms (sin, cos, Gauss) to 1e-9 (the three-level reference is good to about
    // 1e-10 here; the cos-net test below checks the closed form exactly); the quadrature of
    // the others to 1e-8, kinked ones 1e-5. d = 2 (three nested levels) for a few only.
    for arch in Arch::named() {
        let closed = matches!(arch, Arch::Sin | Arch::Cos | Arch::Gauss);
        let tol = if closed {
            1e-9
        } else if arch.has_kink_at_zero() {
            1e-5
        } else {
            1e-8
        };
        for d in [1, 2] {
            if d == 1 || closed || arch == Arch::Tanh {
                check(arch, BiasDist::Uniform, d, 0.5, tol);
            }
        }
    }
}

#[test]
fn cos_net_kernel_is_translation_invariant() {
    let net = Network::new(Arch::Cos, 1.3, 0.4, 2)
        .unwrap()
        .with_bias(BiasDist::Uniform);
    let (x, y) = ([0.3, -0.2], [1.1, 0.5]);
    let s = [2.5, -7.0];
    let shift = |p: [f64; 2]| [p[0] + s[0], p[1] + s[1]];
    let (a, b) = (net.kernel(&x, &y), net.kernel(&shift(x), &shift(y)));
    assert!((a - b).abs() < 1e-14, "{a} vs {b}");
    // K = sb^2 + (sW^2 / 2) exp(-sW^2 |x - y|^2 / (2d)).
    let d2 = 0.8f64.powi(2) + 0.7f64.powi(2);
    let want = 0.16 + 0.5 * 1.69 * (-1.69 * d2 / 4.0).exp();
    assert!((a - want).abs() < 1e-14);
}

/// The split rule at large scale (pre-activation widths 100 and 1000, where the trapezoid
/// rule would need millions of nodes, and 6 to 12, near the switch): same and opposite inputs, a wide and a narrow input,
/// and a nearly orthogonal pair in d = 2, against the nested double-exponential reference
/// (split at the activations' transitions, which it resolves by its endpoint clustering).
#[test]
fn large_scale_kernels_match_independent_quadrature() {
    let cases: Vec<(Vec<f64>, Vec<f64>)> = vec![
        (vec![100.0], vec![100.0]),
        (vec![1000.0], vec![0.5]),
        (vec![100.0], vec![-100.0]),
        (vec![1000.0], vec![-1000.0]),
        (vec![100.0, 1.0], vec![-1.5, 100.0]),
        // Near the switch from the trapezoid rule to the split (widths 6 to 12).
        (vec![5.0], vec![-4.0]),
        (vec![10.0], vec![3.0]),
    ];
    for arch in [
        Arch::Tanh,
        Arch::Sigmoid,
        Arch::Softplus,
        Arch::Silu,
        Arch::Gelu,
    ] {
        for (x, y) in &cases {
            let net = Network::new(arch, 1.2, 0.8, x.len()).unwrap();
            let ours = net.kernel(x, y);
            let reference = reference_kernel(&net, x, y);
            let scale = (net.kernel(x, x) * net.kernel(y, y)).sqrt();
            let rel = (ours - reference).abs() / scale;
            eprintln!("{arch} x={x:?} y={y:?}: {ours} vs {reference} rel {rel:.1e}");
            assert!(
                rel < 1e-10,
                "{arch} x={x:?} y={y:?}: {ours} vs {reference} (rel {rel:.1e})"
            );
        }
    }
}
