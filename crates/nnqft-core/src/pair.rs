//! E[phi(u) phi(v)] by quadrature, for activations without a closed-form kernel
//! (docs/conventions.md section 10): tensor Gauss-Hermite over the two Gaussian directions,
//! and Gauss-Legendre over a uniform hidden bias.

use crate::arch::Arch;
use crate::rules::{gauss_legendre, hermite_rule};
use std::sync::OnceLock;

/// The Gauss-Hermite order for pre-activations of standard deviation up to `sigma`: the
/// rule's error for an activation analytic in a strip |Im z| < a falls like
/// exp(-c a sqrt(n) / sigma), so n grows as sigma^2; 1e-12 relative needs about 150 nodes at
/// sigma = 1.7 for tanh. Rounded up to a multiple of 32 so the cached rules are few.
pub(crate) fn hermite_order(sigma: f64) -> usize {
    let n = (60.0 + 55.0 * sigma * sigma).ceil().min(640.0) as usize;
    n.div_ceil(32) * 32
}

/// The trapezoid rule for the standard normal density with nodes k h, |k h| <= 9.5, and
/// h = tau / 6 for an activation analytic within tau = s / sigma of the real axis (s its
/// singularity distance, pi/2 for entire ones; tau / 6.5 then): the error falls like
/// exp(-2 pi tau / h), about 1e-16 (docs/conventions.md section 10).
fn trapezoid(arch: Arch, sigma: f64) -> (Vec<f64>, Vec<f64>) {
    let strip = arch.singularity_distance();
    let s = strip.unwrap_or(std::f64::consts::FRAC_PI_2).max(1e-3);
    let divisor = if strip.is_none() { 6.5 } else { 6.0 };
    let h = if sigma > 0.0 {
        (s / sigma / divisor).min(0.75)
    } else {
        0.75
    };
    let kmax = (9.5 / h).ceil() as i64;
    let norm = h / (2.0 * std::f64::consts::PI).sqrt();
    (-kmax..=kmax)
        .map(|k| {
            let g = k as f64 * h;
            (g, norm * (-0.5 * g * g).exp())
        })
        .unzip()
}

/// E[phi(u) phi(v)] for (u, v) ~ N(0, [[s11, s12], [s12, s22]]) by the tensor trapezoid rule
/// on u = sqrt(s11) g1, v = sqrt(s22) (rho g1 + sqrt(1 - rho^2) g2) (for an activation with
/// poles near the real axis, e.g. tanh, far fewer nodes than Gauss-Hermite needs).
pub fn gaussian_pair(arch: Arch, s11: f64, s22: f64, s12: f64) -> f64 {
    let (a, b) = (s11.max(0.0).sqrt(), s22.max(0.0).sqrt());
    let rho = if a * b > 0.0 {
        (s12 / (a * b)).clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let (g, w) = trapezoid(arch, a.max(b));
    let (g, w) = (&g, &w);
    let c = (1.0 - rho * rho).max(0.0).sqrt();
    let mut total = 0.0;
    for (g1, w1) in g.iter().zip(w) {
        let pu = arch.activation(a * g1);
        if pu == 0.0 {
            continue;
        }
        let mean = b * rho * g1;
        let inner: f64 = if c == 0.0 {
            arch.activation(mean)
        } else {
            g.iter()
                .zip(w)
                .map(|(g2, w2)| w2 * arch.activation(mean + b * c * g2))
                .sum()
        };
        total += w1 * pu * inner;
    }
    total
}

/// Gauss-Legendre nodes and weights for the uniform density on [-pi, pi]: 8 panels of 40
/// points (the integrand in the bias is smooth but not periodic for most activations).
fn uniform_rule() -> &'static (Vec<f64>, Vec<f64>) {
    static RULE: OnceLock<(Vec<f64>, Vec<f64>)> = OnceLock::new();
    RULE.get_or_init(|| {
        let (x, w) = gauss_legendre(40);
        let panels = 8;
        let h = 2.0 * std::f64::consts::PI / panels as f64;
        let mut nodes = Vec::new();
        let mut weights = Vec::new();
        for p in 0..panels {
            let lo = -std::f64::consts::PI + p as f64 * h;
            for (xi, wi) in x.iter().zip(&w) {
                nodes.push(lo + 0.5 * h * (xi + 1.0));
                weights.push(0.5 * h * wi / (2.0 * std::f64::consts::PI));
            }
        }
        (nodes, weights)
    })
}

/// E[phi(t + u) phi(t + v)] for t uniform on [-pi, pi] and (u, v) ~ N(0, [[s11, s12],
/// [s12, s22]]) independent: Gauss-Legendre panels in t, tensor Gauss-Hermite in (u, v).
pub fn uniform_bias_pair(arch: Arch, s11: f64, s22: f64, s12: f64) -> f64 {
    let (a, b) = (s11.max(0.0).sqrt(), s22.max(0.0).sqrt());
    let rho = if a * b > 0.0 {
        (s12 / (a * b)).clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let rule = hermite_rule(hermite_order(a.max(b)).min(192));
    let (g, w) = (&rule.0, &rule.1);
    let c = (1.0 - rho * rho).max(0.0).sqrt();
    let (tn, tw) = uniform_rule();
    let mut total = 0.0;
    for (t, wt) in tn.iter().zip(tw) {
        let mut acc = 0.0;
        for (g1, w1) in g.iter().zip(w) {
            let pu = arch.activation(t + a * g1);
            let mean = t + b * rho * g1;
            let inner: f64 = if c == 0.0 || b == 0.0 {
                arch.activation(mean)
            } else {
                g.iter()
                    .zip(w)
                    .map(|(g2, w2)| w2 * arch.activation(mean + b * c * g2))
                    .sum()
            };
            acc += w1 * pu * inner;
        }
        total += wt * acc;
    }
    total
}
