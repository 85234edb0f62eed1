//! E[phi(u) phi(v)] at large pre-activation scale by splitting off the saturated part of
//! the activation (docs/conventions.md section 10): phi = s + r with s(z) = E[S(z + eps)],
//! eps ~ N(0, 1), the Gaussian smoothing of a saturated shape S (sign for tanh, step for
//! sigmoid, ReLU for softplus, SiLU and GELU), and r = phi - s decaying like e^{-|z|} or
//! faster. Then
//!
//!   E[phi(u) phi(v)] = E[S(u + e1) S(v + e2)] + E[s(u) r(v)] + E[r(u) s(v)] + E[r(u) r(v)],
//!
//! the first a closed form (arcsine / arc-cosine kernels with the diagonal raised by 1), the
//! cross terms E_v[r(v) E[s(u) | v]] with E[s(u) | v] a closed form (erf, the Gaussian
//! mean-plus-density term) and a 1-D rule over |v| < Z (r below 1e-17 beyond), the last a
//! nested rule on |u|, |v| < Z. The work no longer grows with the scale.

use crate::arch::Arch;
use crate::rules::gauss_legendre;
use std::f64::consts::{PI, SQRT_2};
use std::sync::OnceLock;

/// The saturated shape S of an activation.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    /// sign(z): tanh.
    Sign,
    /// step(z) = 1[z > 0]: sigmoid.
    Step,
    /// max(0, z): softplus, SiLU, GELU.
    Relu,
}

/// The split of `arch`: its shape and the reach Z beyond which |r| < 1e-17.
fn split_of(arch: Arch) -> Option<(Shape, f64)> {
    match arch {
        // r ~ 2 e^{-2|z|}.
        Arch::Tanh => Some((Shape::Sign, 21.0)),
        // r ~ e^{-|z|}.
        Arch::Sigmoid => Some((Shape::Step, 41.0)),
        Arch::Softplus => Some((Shape::Relu, 41.0)),
        // r ~ |z| e^{-|z|}.
        Arch::Silu => Some((Shape::Relu, 46.0)),
        // GELU(z) = z Phi(z) = s(z) - pdf(z): r = -pdf(z).
        Arch::Gelu => Some((Shape::Relu, 10.0)),
        _ => None,
    }
}

fn pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * PI).sqrt()
}

/// Phi(x), the standard normal CDF, accurate in both tails.
fn cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / SQRT_2)
}

/// E[S(m + sqrt(q) g)] for g ~ N(0, 1), q > 0.
fn smoothed(shape: Shape, m: f64, q: f64) -> f64 {
    let sd = q.sqrt();
    match shape {
        Shape::Sign => libm::erf(m / (SQRT_2 * sd)),
        Shape::Step => cdf(m / sd),
        Shape::Relu => m * cdf(m / sd) + sd * pdf(m / sd),
    }
}

/// r(z) = phi(z) - s(z), written to avoid cancellation (s(z) = E[S(z + eps)]).
fn remainder(arch: Arch, z: f64) -> f64 {
    let x = z.abs();
    match arch {
        // tanh(x) - erf(x / sqrt 2) = erfc(x / sqrt 2) - 2 / (e^{2x} + 1), odd.
        Arch::Tanh => z.signum() * (libm::erfc(x / SQRT_2) - 2.0 / ((2.0 * x).exp() + 1.0)),
        // sigma(-x) - Phi(-x) at -x, odd: r(x) = Phi(-x) - sigma(-x).
        Arch::Sigmoid => {
            let neg = 1.0 / (1.0 + x.exp()) - cdf(-x);
            if z < 0.0 { neg } else { -neg }
        }
        // phi(z) - z = phi(-z) for these, and s(z) - z = s(-z): r is even, r(x) = r(-x).
        Arch::Softplus | Arch::Silu => {
            let s = smoothed(Shape::Relu, -x, 1.0);
            arch.activation(-x) - s
        }
        Arch::Gelu => -pdf(z),
        _ => 0.0,
    }
}

/// The closed form E[S(U) S(V)] for (U, V) ~ N(0, [[p, c], [c, q]]), p, q > 0.
fn shape_pair(shape: Shape, p: f64, q: f64, c: f64) -> f64 {
    let rho = (c / (p * q).sqrt()).clamp(-1.0, 1.0);
    match shape {
        Shape::Sign => 2.0 / PI * rho.asin(),
        Shape::Step => 0.25 + rho.asin() / (2.0 * PI),
        Shape::Relu => {
            let theta = rho.acos();
            (p * q).sqrt() / (2.0 * PI) * (theta.sin() + (PI - theta) * rho)
        }
    }
}

/// 16-point Gauss-Legendre on [-1, 1].
fn gl16() -> &'static (Vec<f64>, Vec<f64>) {
    static RULE: OnceLock<(Vec<f64>, Vec<f64>)> = OnceLock::new();
    RULE.get_or_init(|| gauss_legendre(16))
}

/// int_lo^hi f by 16-point Gauss-Legendre panels, each no wider than `width(x)`, x the
/// distance of the panel's near end from 0 (graded towards a feature at 0).
fn panels(lo: f64, hi: f64, width: &dyn Fn(f64) -> f64, f: &mut dyn FnMut(f64) -> f64) -> f64 {
    let (xs, ws) = gl16();
    let mut total = 0.0;
    let mut run = |a: f64, b: f64, total: &mut f64| {
        let (c, h) = (0.5 * (a + b), 0.5 * (b - a));
        let mut acc = 0.0;
        for (x, w) in xs.iter().zip(ws) {
            acc += w * f(c + h * x);
        }
        *total += h * acc;
    };
    // Walk outwards from the point of [lo, hi] nearest 0, both ways.
    let start = 0.0f64.clamp(lo, hi);
    let mut a = start;
    while a < hi {
        let b = (a + width(a.abs())).min(hi);
        run(a, b, &mut total);
        a = b;
    }
    let mut b = start;
    while b > lo {
        let a = (b - width(b.abs())).max(lo);
        run(a, b, &mut total);
        b = a;
    }
    total
}

/// The widest panel for the activations' remainders (poles at distance pi/2 from the axis:
/// a panel of half-width 0.75 sees a Bernstein ellipse of parameter 4, 4^{-32} ~ 1e-19).
const PANEL: f64 = 1.5;

/// E[s(u) r(v)] = E_v[r(v) E[s(u) | v]] for (u, v) ~ N(0, [[s_u, c], [c, s_v]]), s_v > 0.
fn cross(arch: Arch, shape: Shape, reach: f64, s_u: f64, s_v: f64, c: f64) -> f64 {
    let b = s_v.sqrt();
    let slope = c / s_v;
    // Conditional variance of u given v, plus the smoothing.
    let q = (s_u - c * slope).max(0.0) + 1.0;
    let range = reach.min(9.5 * b);
    let wide = PANEL.min(b);
    let fine = wide.min(q.sqrt() / slope.abs().max(1e-300));
    let width = |x: f64| wide.min(fine.max(x));
    let mut f = |v: f64| {
        let z = v / b;
        remainder(arch, v) * smoothed(shape, slope * v, q) * pdf(z) / b
    };
    panels(-range, range, &width, &mut f)
}

/// The trapezoid step for the remainder of `arch`: a sixth of its strip of analyticity (pi/2
/// for tanh, pi for sigmoid, softplus, SiLU; GELU's remainder is a unit Gaussian), at most
/// 0.5: the error falls like exp(-2 pi strip / h), below 1e-16.
fn remainder_step(arch: Arch) -> f64 {
    let strip = arch.singularity_distance().unwrap_or(PI);
    (strip / 6.0).min(0.5)
}

/// E[r(u) r(v)], (u, v) ~ N(0, [[s_u, c], [c, s_v]]), s_v <= s_u, s_v > 0.
fn remainders(arch: Arch, reach: f64, s_u: f64, s_v: f64, c: f64) -> f64 {
    let h = remainder_step(arch);
    let det = s_u * s_v - c * c;
    // Both conditional widths at least 2: the density is smooth on the grid's scale, so the
    // plain 2-D trapezoid rule on |u|, |v| < Z, with the cross factor exp(c u v / det) by
    // recurrence along each row.
    if det > 4.0 * s_u && det > 4.0 * s_v {
        return remainders_grid(arch, reach, h, s_u, s_v, c, det);
    }
    let b = s_v.sqrt();
    let slope = c / s_v;
    let q = (s_u - c * slope).max(0.0);
    let sd = q.sqrt();
    // v only matters where its conditional mean can reach |u| < Z.
    let mut range = reach.min(9.5 * b);
    if slope != 0.0 {
        range = range.min((reach + 9.5 * sd) / slope.abs());
    }
    // Outer trapezoid over v: resolve r(v), the density (scale b) and E[r(u) | v] (varying
    // on the scale 1 / |slope| or slower).
    // (E[r(u) | v] is r smoothed by a Gaussian of width sd, at slope v: its scale in v is
    // max(h, sd / 1.5) / |slope|.)
    let hv = h
        .min(b / 1.5)
        .min(h.max(sd / 1.5) / slope.abs().max(1e-300));
    // Wide conditional (sd >= 1): the inner rule on the fixed grid u = k h, |u| < Z, with
    // r(u) computed once and the Gaussian factor by a second-order recurrence.
    let k_u = (reach / h).ceil() as i64;
    let r_grid: Vec<f64> = if sd >= 1.0 {
        (-k_u..=k_u)
            .map(|k| remainder(arch, k as f64 * h))
            .collect()
    } else {
        Vec::new()
    };
    // Inner over u = m + sd g: the step the remainder needs at width sd.
    let hg = if sd > 0.0 { (h / sd).min(0.75) } else { 0.75 };
    let kv = (range / hv).ceil() as i64;
    let mut total = 0.0;
    for j in -kv..=kv {
        let v = j as f64 * hv;
        let rv = remainder(arch, v);
        if rv == 0.0 {
            continue;
        }
        let m = slope * v;
        let inner = if sd < 1e-9 {
            remainder(arch, m)
        } else if sd >= 1.0 {
            gaussian_row(&r_grid, h, m, q) * h / (sd * (2.0 * PI).sqrt())
        } else {
            let lo = ((-reach - m) / sd).max(-9.5);
            let hi = ((reach - m) / sd).min(9.5);
            if lo >= hi {
                continue;
            }
            let (k0, k1) = ((lo / hg).floor() as i64, (hi / hg).ceil() as i64);
            (k0..=k1)
                .map(|k| {
                    let g = k as f64 * hg;
                    remainder(arch, m + sd * g) * pdf(g)
                })
                .sum::<f64>()
                * hg
        };
        total += rv * inner * pdf(v / b) / b;
    }
    total * hv
}

/// sum_k r[k] exp(-(u_k - m)^2 / (2 q)) over the grid u_k = (k - K) h (r of length 2K + 1),
/// walking out from the node nearest m: each term is the last times a ratio that itself
/// shrinks by exp(-h^2 / q) per step (all factors at most 1, no overflow).
fn gaussian_row(r: &[f64], h: f64, m: f64, q: f64) -> f64 {
    let k = (r.len() / 2) as i64;
    let c = ((m / h).round() as i64).clamp(-k, k);
    let d0 = c as f64 * h - m;
    let t0 = (-0.5 * d0 * d0 / q).exp();
    let gamma = (-h * h / q).exp();
    let idx = |j: i64| (j + k) as usize;
    let mut total = r[idx(c)] * t0;
    // Upwards: t_{j+1} / t_j = exp(-(2 (u_j - m) h + h^2) / (2 q)).
    let (mut t, mut ratio) = (t0, (-(2.0 * d0 * h + h * h) / (2.0 * q)).exp());
    for j in c + 1..=k {
        t *= ratio;
        ratio *= gamma;
        total += r[idx(j)] * t;
    }
    // Downwards: t_{j-1} / t_j = exp((2 (u_j - m) h - h^2) / (2 q)).
    let (mut t, mut ratio) = (t0, ((2.0 * d0 * h - h * h) / (2.0 * q)).exp());
    for j in (-k..c).rev() {
        t *= ratio;
        ratio *= gamma;
        total += r[idx(j)] * t;
    }
    total
}

/// The 2-D trapezoid rule of step `h` for E[r(u) r(v)] on |u|, |v| < Z, with density
/// exp(-(s_v u^2 - 2 c u v + s_u v^2) / (2 det)) / (2 pi sqrt(det)).
fn remainders_grid(arch: Arch, reach: f64, h: f64, s_u: f64, s_v: f64, c: f64, det: f64) -> f64 {
    let k = (reach / h).ceil() as i64;
    let row = |s: f64| -> Vec<f64> {
        (-k..=k)
            .map(|i| {
                let x = i as f64 * h;
                remainder(arch, x) * (-0.5 * s * x * x / det).exp()
            })
            .collect()
    };
    let (ru, rv) = (row(s_v), row(s_u));
    let mut total = 0.0;
    for (i, a) in ru.iter().enumerate() {
        if *a == 0.0 {
            continue;
        }
        let ui = (i as i64 - k) as f64 * h;
        // exp(c u v / det) at v = j h: a geometric sequence in j from j = 0.
        let ratio = (c * ui * h / det).exp();
        let centre = k as usize;
        let mut acc = rv[centre];
        let mut f = 1.0;
        for b in &rv[centre + 1..] {
            f *= ratio;
            acc += b * f;
        }
        let inv = 1.0 / ratio;
        f = 1.0;
        for b in rv[..centre].iter().rev() {
            f *= inv;
            acc += b * f;
        }
        total += a * acc;
    }
    total * h * h / (2.0 * PI * det.sqrt())
}

/// E[phi(u) phi(v)] for (u, v) ~ N(0, [[s11, s12], [s12, s22]]) by the split, or `None` for
/// an activation without one or a degenerate (zero-variance) direction.
pub(crate) fn split_pair(arch: Arch, s11: f64, s22: f64, s12: f64) -> Option<f64> {
    let (shape, reach) = split_of(arch)?;
    // u the wider.
    let (s_u, s_v) = if s11 >= s22 { (s11, s22) } else { (s22, s11) };
    if s_v <= 0.0 || !s_u.is_finite() {
        return None;
    }
    let closed = shape_pair(shape, s_u + 1.0, s_v + 1.0, s12);
    let su_rv = cross(arch, shape, reach, s_u, s_v, s12);
    let ru_sv = cross(arch, shape, reach, s_v, s_u, s12);
    let rr = remainders(arch, reach, s_u, s_v, s12);
    Some(closed + su_rv + ru_sv + rr)
}

/// Whether `arch` has a split.
pub(crate) fn has_split(arch: Arch) -> bool {
    split_of(arch).is_some()
}
