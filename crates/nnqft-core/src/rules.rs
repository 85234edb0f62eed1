//! Gaussian quadrature rules (Gauss-Hermite for the normal weight, Gauss-Legendre on [-1, 1]),
//! hand-written because every numeric kernel and moment needs them at orders up to several
//! hundred with full double accuracy, and cached per order because computing one costs O(n^3).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// A quadrature rule: nodes and weights.
pub type Rule = Arc<(Vec<f64>, Vec<f64>)>;

/// The Gauss-Hermite rule of order n for the standard normal weight, computed once per order
/// per process (see [`gauss_hermite`]).
pub fn hermite_rule(n: usize) -> Rule {
    static CACHE: OnceLock<Mutex<HashMap<usize, Rule>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(r) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&n) {
        return r.clone();
    }
    let r: Rule = Arc::new(gauss_hermite(n));
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(n, r.clone());
    r
}

/// Gauss-Legendre nodes and weights on [-1, 1] with n points (Newton iteration on P_n).
pub fn gauss_legendre(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut x = vec![0.0; n];
    let mut w = vec![0.0; n];
    for i in 0..n.div_ceil(2) {
        let mut z = (std::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
        let mut dp = 0.0;
        for _ in 0..100 {
            let (mut p0, mut p1) = (1.0, z);
            for k in 2..=n {
                let p2 = ((2 * k - 1) as f64 * z * p1 - (k - 1) as f64 * p0) / k as f64;
                p0 = p1;
                p1 = p2;
            }
            let p = if n == 0 { 1.0 } else { p1 };
            let pm = if n == 1 { 1.0 } else { p0 };
            dp = n as f64 * (z * p - pm) / (z * z - 1.0);
            let dz = p / dp;
            z -= dz;
            if dz.abs() < 1e-16 {
                break;
            }
        }
        x[i] = -z;
        x[n - 1 - i] = z;
        let wi = 2.0 / ((1.0 - z * z) * dp * dp);
        w[i] = wi;
        w[n - 1 - i] = wi;
    }
    (x, w)
}

/// Gauss-Hermite nodes and weights for the standard normal weight exp(-g^2/2)/sqrt(2 pi):
/// E[h(g)] ~ sum_i w_i h(g_i), exact for polynomials of degree < 2n. Nodes from the
/// eigenvalues of the Jacobi matrix (Golub-Welsch), polished by Newton steps on the
/// orthonormal Hermite recurrence, which also gives the weights.
pub fn gauss_hermite(n: usize) -> (Vec<f64>, Vec<f64>) {
    // Physicists' Hermite (weight exp(-x^2)): Jacobi matrix with off-diagonal sqrt(k/2).
    let jac = nalgebra::DMatrix::from_fn(n, n, |i, j| {
        if i + 1 == j || j + 1 == i {
            (i.max(j) as f64 / 2.0).sqrt()
        } else {
            0.0
        }
    });
    let mut x: Vec<f64> = jac.symmetric_eigenvalues().iter().copied().collect();
    x.sort_by(f64::total_cmp);
    let pim4 = std::f64::consts::PI.powf(-0.25);
    let nf = n as f64;
    let mut w = vec![0.0; n];
    for (xi, wi) in x.iter_mut().zip(w.iter_mut()) {
        let mut z = *xi;
        let mut pp = 1.0;
        for it in 0..3 {
            let (mut p1, mut p2) = (pim4, 0.0);
            for j in 1..=n {
                let p3 = p2;
                p2 = p1;
                let jf = j as f64;
                p1 = z * (2.0 / jf).sqrt() * p2 - ((jf - 1.0) / jf).sqrt() * p3;
            }
            pp = (2.0 * nf).sqrt() * p2;
            if it < 2 {
                z -= p1 / pp;
            }
        }
        *xi = z;
        *wi = 2.0 / (pp * pp);
    }
    // Symmetrize (the rule is exactly symmetric).
    for i in 0..n / 2 {
        let (a, b) = (x[i], x[n - 1 - i]);
        let s = 0.5 * (b - a);
        x[i] = -s;
        x[n - 1 - i] = s;
        let wm = 0.5 * (w[i] + w[n - 1 - i]);
        w[i] = wm;
        w[n - 1 - i] = wm;
    }
    if n % 2 == 1 {
        x[n / 2] = 0.0;
    }
    // exp(-x^2) -> standard normal: g = sqrt(2) x, weight / sqrt(pi).
    let s = std::f64::consts::PI.sqrt();
    (
        x.iter().map(|v| v * std::f64::consts::SQRT_2).collect(),
        w.iter().map(|v| v / s).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hermite_rule_gives_normal_moments() {
        for n in [10, 60, 151, 240, 400] {
            let (g, w) = gauss_hermite(n);
            let mut df = 1.0;
            for k in 0..6 {
                let m: f64 = g.iter().zip(&w).map(|(g, w)| w * g.powi(2 * k)).sum();
                assert!((m / df - 1.0).abs() < 1e-12, "n={n} k={k}: {m} vs {df}");
                df *= (2 * k + 1) as f64;
            }
        }
    }
}
