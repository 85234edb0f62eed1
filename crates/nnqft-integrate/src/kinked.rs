//! Gaussian expectations of functions with kinks on the coordinate hyperplanes z_a = 0 (the
//! ReLU family: relu, leaky-relu, abs), in up to four dimensions.
//!
//! E[F(z)] for z ~ N(0, C), C = Fc Fc^T (pivoted Cholesky, so a singular C is fine), z = Fc g
//! with g standard normal in rank(C) dimensions. The integral is nested over g_1, g_2, ...: at
//! level t every z_a whose last non-zero column of Fc is t changes sign at one value of g_t
//! (given g_1..g_(t-1)), so the line is cut there and each piece of [-T, T] (T = 10: the
//! Gaussian weight beyond is below 1e-21) gets its own Gauss-Legendre rule with the standard
//! normal density as part of the integrand. F is smooth on every piece (a polynomial times
//! the density for piecewise-linear activations), so each piece converges exponentially,
//! where Gauss-Hermite across a kink converges only algebraically.

use nnqft_core::rules::gauss_legendre;

/// Half-width of the integration range of each standard-normal coordinate.
const T: f64 = 10.0;

/// Gauss-Legendre nodes per piece for a marginal of rank `r`: fewer in three and four
/// dimensions, trading digits for time (tested: 1e-13 in two dimensions against the
/// arc-cosine closed forms, 1e-9 in three and four against orthant probabilities).
fn nodes(r: usize) -> usize {
    match r {
        0..=2 => 40,
        3 => 28,
        _ => 20,
    }
}

/// E[F(z)] for z ~ N(0, C), C the r x r covariance `c` (row-major, positive semi-definite,
/// r <= 4), F vector-valued (`len` components) and smooth except where some z_a = 0. `f`
/// gets z, C^-1 z (zero unless `inverse` is given) and writes F(z).
pub(crate) fn expect_kinked(
    c: &[f64],
    r: usize,
    inverse: Option<&[f64]>,
    len: usize,
    f: &mut crate::deep::Integrand,
) -> Vec<f64> {
    let mut fac = vec![0.0; r * r];
    let rank = crate::deep::factor(c, r, &mut fac);
    // Variables whose kink sits at level t: the last column where their row is non-zero.
    let scale = (0..r).fold(0.0f64, |s, a| s.max(c[a * r + a].sqrt()));
    let last: Vec<Option<usize>> = (0..r)
        .map(|a| {
            (0..rank)
                .rev()
                .find(|&k| fac[a * r + k].abs() > 1e-13 * scale)
        })
        .collect();
    let (x, w) = gauss_legendre(nodes(rank));
    let mut state = Nest {
        r,
        rank,
        fac: &fac,
        last: &last,
        x: &x,
        w: &w,
        inverse,
        g: vec![0.0; r],
        z: vec![0.0; r],
        y: vec![0.0; r],
        val: vec![0.0; len],
        acc: vec![vec![0.0; len]; rank + 1],
    };
    state.level(0, f);
    state.acc.swap_remove(0)
}

struct Nest<'a> {
    r: usize,
    rank: usize,
    fac: &'a [f64],
    last: &'a [Option<usize>],
    x: &'a [f64],
    w: &'a [f64],
    inverse: Option<&'a [f64]>,
    g: Vec<f64>,
    z: Vec<f64>,
    y: Vec<f64>,
    val: Vec<f64>,
    /// acc[t]: the running integral over g_t.. at the current g_1..g_(t-1).
    acc: Vec<Vec<f64>>,
}

impl Nest<'_> {
    /// Integrate over g_t, .., g_rank into acc[t].
    fn level(&mut self, t: usize, f: &mut crate::deep::Integrand) {
        let (r, rank) = (self.r, self.rank);
        self.acc[t].fill(0.0);
        if t == rank {
            for a in 0..r {
                self.z[a] = (0..rank).map(|k| self.fac[a * r + k] * self.g[k]).sum();
            }
            if let Some(inv) = self.inverse {
                for a in 0..r {
                    self.y[a] = (0..r).map(|b| inv[a * r + b] * self.z[b]).sum();
                }
            }
            f(&self.z, &self.y, &mut self.val);
            let (head, _) = self.acc.split_at_mut(t + 1);
            head[t].copy_from_slice(&self.val);
            return;
        }
        // The kinks on this line: z_a = partial_a + fac[a, t] g_t = 0.
        let mut cuts = vec![-T];
        for a in 0..r {
            if self.last[a] == Some(t) {
                let partial: f64 = (0..t).map(|k| self.fac[a * r + k] * self.g[k]).sum();
                let b = -partial / self.fac[a * r + t];
                if b > -T && b < T {
                    cuts.push(b);
                }
            }
        }
        cuts.push(T);
        cuts.sort_by(f64::total_cmp);
        let norm = 1.0 / (2.0 * std::f64::consts::PI).sqrt();
        let (x, w) = (self.x, self.w);
        for piece in cuts.windows(2) {
            let (half, mid) = ((piece[1] - piece[0]) / 2.0, (piece[1] + piece[0]) / 2.0);
            if half <= 0.0 {
                continue;
            }
            for (xi, wi) in x.iter().zip(w) {
                let g = mid + half * xi;
                self.g[t] = g;
                let weight = wi * half * norm * (-0.5 * g * g).exp();
                self.level(t + 1, f);
                let (head, tail) = self.acc.split_at_mut(t + 1);
                for (a, v) in head[t].iter_mut().zip(&tail[0]) {
                    *a += weight * v;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    fn relu(v: f64) -> f64 {
        v.max(0.0)
    }

    #[test]
    fn relu_pair_and_its_derivatives_match_the_arc_cosine_closed_forms() {
        // E[relu(z1) relu(z2)] = s1 s2 (sin t + (pi - t) cos t) / (2 pi) (arc-cosine kernel)
        // and E[d2(relu1 relu2)/dz1 dz2] = E[Theta(z1) Theta(z2)] = (pi - t) / (2 pi), the
        // latter through integration by parts: E[F (y1 y2 - C^-1_12)], y = C^-1 z.
        let c = [1.3, 0.7, 0.7, 0.9];
        let (s1, s2) = (1.3f64.sqrt(), 0.9f64.sqrt());
        let t = (0.7 / (s1 * s2)).acos();
        let det = 1.3 * 0.9 - 0.49;
        let inv = [0.9 / det, -0.7 / det, -0.7 / det, 1.3 / det];
        let got = expect_kinked(&c, 2, Some(&inv), 2, &mut |z, y, out| {
            let fz = relu(z[0]) * relu(z[1]);
            out[0] = fz;
            out[1] = fz * (y[0] * y[1] - inv[1]);
        });
        let want0 = s1 * s2 * (t.sin() + (PI - t) * t.cos()) / (2.0 * PI);
        let want1 = (PI - t) / (2.0 * PI);
        assert!((got[0] - want0).abs() < 1e-13, "{} vs {want0}", got[0]);
        assert!((got[1] - want1).abs() < 1e-12, "{} vs {want1}", got[1]);
    }

    #[test]
    fn orthant_probabilities_in_three_and_four_dimensions() {
        // P(all z_a > 0) for equicorrelated normals with rho = 1/2: 1/4 (three dimensions:
        // 1/8 + 3 asin(rho) / (4 pi)) and 1/5 (four dimensions, rho = 1/2).
        for (r, want) in [(3usize, 0.125 + 3.0 * 0.5f64.asin() / (4.0 * PI)), (4, 0.2)] {
            let c: Vec<f64> = (0..r * r)
                .map(|ab| if ab / r == ab % r { 1.0 } else { 0.5 })
                .collect();
            let got = expect_kinked(&c, r, None, 1, &mut |z, _, out| {
                out[0] = if z.iter().all(|v| *v > 0.0) { 1.0 } else { 0.0 };
            });
            assert!((got[0] - want).abs() < 1e-9, "r={r}: {} vs {want}", got[0]);
        }
    }

    #[test]
    fn singular_marginals_integrate_over_their_rank() {
        // z2 = -2 z1 (rank 1): E[relu(z1) relu(z2)] = 0, E[relu(z1) abs(z2)] = 2 E[relu(z1) z1]
        // = var(z1) = 0.8.
        let c = [0.8, -1.6, -1.6, 3.2];
        let got = expect_kinked(&c, 2, None, 2, &mut |z, _, out| {
            out[0] = relu(z[0]) * relu(z[1]);
            out[1] = relu(z[0]) * z[1].abs();
        });
        assert!(got[0].abs() < 1e-14, "{}", got[0]);
        assert!((got[1] - 0.8).abs() < 1e-13, "{}", got[1]);
    }
}
