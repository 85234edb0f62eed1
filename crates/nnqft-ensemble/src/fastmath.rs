//! Branch-free, vectorizable erf and exp for the sampler's inner loops.
//!
//! Both are plain f64 arithmetic (no table gathers, no calls), so loops over arrays of
//! pre-activations vectorize. Their polynomials use fused multiply-adds written out
//! (`f64::mul_add`, one rounding), which every code path computes exactly: in hardware where
//! the caller enables FMA, else by a correctly rounded software fma. So the SIMD and scalar
//! paths give the same bits. The erf coefficients are Chebyshev interpolants computed once,
//! deterministically, with the pure-Rust `libm` crate.
//!
//! erf has two pieces: x P(x^2), one polynomial of degree 22 in x^2, on |x| <= [`SPLIT`]
//! (no exp, no division: the common case), and 1 - t exp(-x^2 + H(t)), t = 2/(2+|x|), beyond.
//! [`erf_slice`] evaluates the second piece only for groups of 8 arguments that need it.
//!
//! Accuracy (checked in the tests against `libm` on dense grids): erf relative error below
//! 1e-14 for |x| < 1e-300 .. 7 (and exactly +-1 beyond 5.93), exp relative error below 4e-16
//! on [-700, 700].

// Fixed-lane loops `for l in 0..8` over arrays are deliberate: they vectorize as written.
#![allow(clippy::needless_range_loop)]
use std::sync::OnceLock;

/// Degree + 1 of the central polynomial erf(x)/x in s = x^2, on |x| <= [`SPLIT`].
const NS: usize = 23;
/// Degree + 1 of the large-|x| polynomial h(t), on [`LARGE_LO`] <= |x| <= [`AMAX`].
const NL: usize = 17;
/// Boundary between the two representations.
pub const SPLIT: f64 = 3.5;
/// Lower end of the large-|x| piece's interpolation interval (it covers [`SPLIT`] with room).
const LARGE_LO: f64 = 0.5;
/// Beyond this, erf(x) = +-1 to double precision (erfc(6) = 2.2e-17).
const AMAX: f64 = 6.0;
/// t = 2/(2 + a) over [LARGE_LO, AMAX].
const T_LO: f64 = 2.0 / (2.0 + AMAX);
const T_HI: f64 = 2.0 / (2.0 + LARGE_LO);

/// Polynomial coefficients (monomial basis in a variable mapped to [-1, 1]) of erf's two pieces.
#[derive(Clone, Copy, Debug)]
pub struct ErfCoeffs {
    /// erf(x)/x = P(w), w = 2 x^2 / SPLIT^2 - 1.
    small: [f64; NS],
    /// erfc(a) = t exp(-a^2 + H(w)), t = 2/(2+a), w = (2t - T_LO - T_HI)/(T_HI - T_LO).
    large: [f64; NL],
}

/// Chebyshev interpolant of `f` on [-1, 1] with `K` nodes, returned in the monomial basis.
fn chebyshev_monomial<const K: usize>(f: impl Fn(f64) -> f64) -> [f64; K] {
    let pi = std::f64::consts::PI;
    let values: Vec<f64> = (0..K)
        .map(|k| f(libm::cos(pi * (k as f64 + 0.5) / K as f64)))
        .collect();
    let mut cheb = [0.0; K];
    for (j, c) in cheb.iter_mut().enumerate() {
        let s: f64 = (0..K)
            .map(|k| values[k] * libm::cos(pi * j as f64 * (k as f64 + 0.5) / K as f64))
            .sum();
        *c = 2.0 * s / K as f64;
    }
    cheb[0] /= 2.0;
    // T_0 = 1, T_1 = w, T_{j+1} = 2 w T_j - T_{j-1}, as monomial coefficient vectors.
    let mut out = [0.0; K];
    let mut prev = [0.0; K];
    let mut cur = [0.0; K];
    prev[0] = 1.0;
    cur[1] = 1.0;
    out[0] += cheb[0];
    for &cj in cheb.iter().skip(1) {
        for (o, t) in out.iter_mut().zip(cur.iter()) {
            *o += cj * t;
        }
        let mut next = [0.0; K];
        for i in 0..K {
            next[i] = -prev[i] + if i > 0 { 2.0 * cur[i - 1] } else { 0.0 };
        }
        prev = cur;
        cur = next;
    }
    out
}

/// The erf coefficients, computed on first use.
pub fn erf_coeffs() -> &'static ErfCoeffs {
    static C: OnceLock<ErfCoeffs> = OnceLock::new();
    C.get_or_init(|| {
        let small = chebyshev_monomial::<NS>(|w| {
            let s = (w + 1.0) * 0.5 * SPLIT * SPLIT;
            let x = s.sqrt();
            libm::erf(x) / x
        });
        let large = chebyshev_monomial::<NL>(|w| {
            let t = 0.5 * (w * (T_HI - T_LO) + T_LO + T_HI);
            let a = 2.0 / t - 2.0;
            libm::log(libm::erfc(a)) + a * a - libm::log(t)
        });
        ErfCoeffs { small, large }
    })
}

#[inline(always)]
fn horner<const K: usize>(c: &[f64; K], w: f64) -> f64 {
    let mut p = c[K - 1];
    for k in (0..K - 1).rev() {
        p = p.mul_add(w, c[k]);
    }
    p
}

/// 1.5 * 2^52: adding it rounds to an integer held in the low bits of the sum.
const EXP_SHIFT: f64 = 6_755_399_441_055_744.0;
const EXP_LOG2E: f64 = std::f64::consts::LOG2_E;
/// ln 2 split into a head with 32 significant bits (so k * LN2_HI is exact) and a tail.
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
/// 1/k!, k = 0..=13.
const EXP_TAYLOR: [f64; 14] = [
    1.0,
    1.0,
    1.0 / 2.0,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5040.0,
    1.0 / 40320.0,
    1.0 / 362880.0,
    1.0 / 3628800.0,
    1.0 / 39916800.0,
    1.0 / 479001600.0,
    1.0 / 6227020800.0,
];

/// 2^k assembled from its bits, k the integer held in t = x log2(e) + EXP_SHIFT.
#[inline(always)]
fn exp_scale(t: f64) -> f64 {
    let ki = (t.to_bits() as i64).wrapping_sub(EXP_SHIFT.to_bits() as i64);
    f64::from_bits(((ki + 1023) as u64) << 52)
}

/// exp(x) for x in [-700, 700] (clamped outside): x = k ln 2 + r, |r| <= ln2/2, a degree-13
/// Taylor polynomial for e^r, and 2^k assembled from its bits.
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    let x = x.clamp(-700.0, 700.0);
    let t = x * EXP_LOG2E + EXP_SHIFT;
    let k = t - EXP_SHIFT;
    let r = (x - k * LN2_HI) - k * LN2_LO;
    horner(&EXP_TAYLOR, r) * exp_scale(t)
}

/// The variable of the central polynomial, w = 2 x^2 / SPLIT^2 - 1: |x| <= SPLIT exactly when
/// w <= 1 (up to the rounding of w), and the central piece is used then.
#[inline(always)]
fn central_w(x: f64) -> f64 {
    x * x * (2.0 / (SPLIT * SPLIT)) - 1.0
}

/// The central piece x P(w) (meaningful for w <= 1; finite or infinite, never selected, beyond).
#[inline(always)]
fn erf_central(x: f64, w: f64, c: &ErfCoeffs) -> f64 {
    x * horner(&c.small, w)
}

/// The outer piece +-(1 - t exp(-x^2 + H(t))), t = 2/(2+|x|) (meaningful for |x| >= 1/2).
#[inline(always)]
fn erf_outer(x: f64, c: &ErfCoeffs) -> f64 {
    let al = x.abs().clamp(LARGE_LO, AMAX);
    let t = 2.0 / (2.0 + al);
    let wl = (2.0 * t - (T_LO + T_HI)) * (1.0 / (T_HI - T_LO));
    (1.0 - t * exp(horner(&c.large, wl) - al * al)).copysign(x)
}

/// erf(x), branch-free: the central piece for |x| <= SPLIT (w <= 1), else the outer piece.
#[inline(always)]
pub fn erf(x: f64, c: &ErfCoeffs) -> f64 {
    let w = central_w(x);
    let (small, large) = (erf_central(x, w, c), erf_outer(x, c));
    if w <= 1.0 { small } else { large }
}

/// Arguments per group of the slice functions: 3 vectors of 8, whose independent Horner
/// chains are interleaved (one chain alone is latency-bound; with three, the chains and the
/// erf coefficients still fit the 32 vector registers).
const GROUP: usize = 24;

/// z <- erf(z) elementwise, bit-identical to [`erf`]: groups of [`GROUP`] get the central piece, and
/// each 8 of them the outer piece only if one of the 8 lies beyond SPLIT (rare for unit-scale
/// arguments). A ragged tail is padded with zeros to a group.
#[inline(always)]
pub fn erf_slice(z: &mut [f64], c: &ErfCoeffs) {
    let mut chunks = z.chunks_exact_mut(GROUP);
    for ch in &mut chunks {
        erf_group(ch.try_into().expect("chunk of GROUP"), c);
    }
    let rest = chunks.into_remainder();
    if !rest.is_empty() {
        let mut pad = [0.0; GROUP];
        pad[..rest.len()].copy_from_slice(rest);
        erf_group(&mut pad, c);
        rest.copy_from_slice(&pad[..rest.len()]);
    }
}

/// z <- exp(z) elementwise, bit-identical to [`exp`], in interleaved groups of [`GROUP`].
#[inline(always)]
pub fn exp_slice(z: &mut [f64]) {
    let mut chunks = z.chunks_exact_mut(GROUP);
    for ch in &mut chunks {
        exp_group(ch.try_into().expect("chunk of GROUP"));
    }
    let rest = chunks.into_remainder();
    if !rest.is_empty() {
        let mut pad = [0.0; GROUP];
        pad[..rest.len()].copy_from_slice(rest);
        exp_group(&mut pad);
        rest.copy_from_slice(&pad[..rest.len()]);
    }
}

/// [`horner`] on a group of arguments at once, coefficient-major so the vector chains
/// interleave.
#[inline(always)]
fn horner_group<const K: usize>(c: &[f64; K], w: &[f64; GROUP]) -> [f64; GROUP] {
    let mut p = [c[K - 1]; GROUP];
    for k in (0..K - 1).rev() {
        for l in 0..GROUP {
            p[l] = p[l].mul_add(w[l], c[k]);
        }
    }
    p
}

/// erf of a group of arguments in place: the central piece, and for each 8 the outer piece
/// only if one of them needs it. The same operations as [`erf`], so the same bits.
#[inline(always)]
fn erf_group(x: &mut [f64; GROUP], c: &ErfCoeffs) {
    let mut w = [0.0; GROUP];
    for l in 0..GROUP {
        w[l] = central_w(x[l]);
    }
    let p = horner_group(&c.small, &w);
    let mut out = [0.0; GROUP];
    for l in 0..GROUP {
        out[l] = x[l] * p[l];
    }
    for g in 0..GROUP / 8 {
        let mut outer = false;
        for l in 8 * g..8 * g + 8 {
            outer |= w[l] > 1.0;
        }
        if outer {
            for l in 8 * g..8 * g + 8 {
                let v = erf_outer(x[l], c);
                out[l] = if w[l] <= 1.0 { out[l] } else { v };
            }
        }
    }
    *x = out;
}

/// exp of a group of arguments in place, the operations of [`exp`] with the Horner chains interleaved.
#[inline(always)]
fn exp_group(x: &mut [f64; GROUP]) {
    let mut r = [0.0; GROUP];
    let mut t = [0.0; GROUP];
    for l in 0..GROUP {
        let xc = x[l].clamp(-700.0, 700.0);
        t[l] = xc * EXP_LOG2E + EXP_SHIFT;
        let k = t[l] - EXP_SHIFT;
        r[l] = (xc - k * LN2_HI) - k * LN2_LO;
    }
    let p = horner_group(&EXP_TAYLOR, &r);
    for l in 0..GROUP {
        x[l] = p[l] * exp_scale(t[l]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        if b == 0.0 {
            a.abs()
        } else {
            ((a - b) / b).abs()
        }
    }

    #[test]
    fn erf_matches_libm_on_a_dense_grid() {
        let c = erf_coeffs();
        let mut worst = (0.0f64, 0.0f64);
        let n = 1_400_000;
        for i in 0..=n {
            let x = -7.0 + 14.0 * i as f64 / n as f64;
            let e = rel(erf(x, c), libm::erf(x));
            if e > worst.0 {
                worst = (e, x);
            }
        }
        // Tiny arguments, where erf(x) ~ 2x/sqrt(pi) and relative accuracy is delicate.
        for k in 0..2000 {
            let x = 10f64.powf(-300.0 + 0.15 * k as f64);
            for s in [x, -x] {
                let e = rel(erf(s, c), libm::erf(s));
                if e > worst.0 {
                    worst = (e, s);
                }
            }
        }
        assert!(
            worst.0 < 1e-14,
            "max relative error {} at x = {}",
            worst.0,
            worst.1
        );
        assert_eq!(erf(0.0, c), 0.0);
        assert_eq!(erf(7.0, c), 1.0);
        assert_eq!(erf(-40.0, c), -1.0);
        assert_eq!(erf(f64::INFINITY, c), 1.0);
    }

    #[test]
    fn erf_slice_is_erf_elementwise() {
        let c = erf_coeffs();
        // Groups with and without arguments beyond SPLIT, and a ragged tail.
        let xs: Vec<f64> = (0..100_003)
            .map(|i| 8.0 * ((i as f64 * 0.618_033_988_75).fract() - 0.5) * (1 + i % 3) as f64)
            .collect();
        let mut ys = xs.clone();
        erf_slice(&mut ys, c);
        for (x, y) in xs.iter().zip(&ys) {
            assert_eq!(y.to_bits(), erf(*x, c).to_bits(), "{x}");
        }
    }

    #[test]
    fn exp_slice_is_exp_elementwise() {
        let xs: Vec<f64> = (0..10_007)
            .map(|i| 1500.0 * ((i as f64 * 0.618_033_988_75).fract() - 0.5))
            .collect();
        let mut ys = xs.clone();
        exp_slice(&mut ys);
        for (x, y) in xs.iter().zip(&ys) {
            assert_eq!(y.to_bits(), exp(*x).to_bits(), "{x}");
        }
    }

    #[test]
    fn exp_matches_libm() {
        let mut worst = 0.0f64;
        let n = 1_000_000;
        for i in 0..=n {
            let x = -700.0 + 1400.0 * i as f64 / n as f64;
            worst = worst.max(rel(exp(x), libm::exp(x)));
        }
        for i in 0..=n {
            let x = -2.0 + 4.0 * i as f64 / n as f64;
            worst = worst.max(rel(exp(x), libm::exp(x)));
        }
        assert!(worst < 4e-16, "max relative error {worst}");
        assert_eq!(exp(0.0), 1.0);
    }
}
