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
//!
//! The other activations reuse these pieces: tanh = E/(E + 2) from one reduced e^{2x} - 1
//! (relative error below 1e-15), gelu = x (1 + erf(x/sqrt2))/2 from erf's central
//! polynomial, its outer piece only for groups that need it (relative error below 5e-15 for
//! x >= 0, absolute error below 5e-15 |x| for x < 0, where 1 + erf cancels: enough for
//! sampling), sigmoid, silu and softplus from an exp, sin and cos from one reduction.

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

/// Chebyshev interpolant of `f` on [-1, 1] with `K` nodes: its coefficients c_j of T_j.
fn chebyshev<const K: usize>(f: impl Fn(f64) -> f64) -> [f64; K] {
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
    cheb
}

/// Chebyshev interpolant of `f` on [-1, 1] with `K` nodes, returned in the monomial basis.
fn chebyshev_monomial<const K: usize>(f: impl Fn(f64) -> f64) -> [f64; K] {
    let cheb = chebyshev::<K>(f);
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
pub const GROUP: usize = 24;

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

// ---- The other activations' kernels (same conventions: branch-free f64 arithmetic with
// fused multiply-adds written out, so every instruction level gives the same bits). ----

/// 2^k for an integer-valued k in [-1022, 1023], assembled from its bits.
#[inline(always)]
fn pow2(k: f64) -> f64 {
    exp_scale(k + EXP_SHIFT)
}

/// exp(xh + xl) (xl a small correction to xh, e.g. the rounding error of xh) on the whole
/// double range: 0 below about -745, the largest values clamped at xh = 709.78 (finite).
/// As [`exp`], with 2^k applied as two normal factors 2^k1 2^k2 (k1 = k/2 rounded), so only the
/// last product rounds, into the subnormals when k < -1022.
#[inline(always)]
pub fn exp_wide(xh: f64, xl: f64) -> f64 {
    let x = xh.clamp(-746.0, 709.78);
    let t = x * EXP_LOG2E + EXP_SHIFT;
    let k = t - EXP_SHIFT;
    let r = ((x - k * LN2_HI) - k * LN2_LO) + xl;
    let k1 = (k * 0.5 + EXP_SHIFT) - EXP_SHIFT;
    let k2 = k - k1;
    horner(&EXP_TAYLOR, r) * pow2(k1) * pow2(k2)
}

/// 1/(j+1)!, j = 0..=12: e^r - 1 = r sum_j r^j / (j+1)! (the next term is below 2e-17
/// relative for |r| <= ln2/2).
const EXPM1_TAYLOR: [f64; 13] = {
    // EXP_TAYLOR without its leading 1/0!.
    let mut c = [0.0; 13];
    let mut j = 0;
    while j < 13 {
        c[j] = EXP_TAYLOR[j + 1];
        j += 1;
    }
    c
};
/// tanh is evaluated at x clamped to [-TANH_MAX, TANH_MAX]: tanh(20) = 1 - 8.5e-18 rounds
/// to 1.
const TANH_MAX: f64 = 20.0;

/// Coefficients of the smooth activations' kernels other than erf.
#[derive(Clone, Copy, Debug)]
pub struct ActCoeffs {
    /// erf's coefficients, for [`gelu`] (x Phi(x), Phi from erf).
    erf: ErfCoeffs,
}

/// The coefficients of [`ActCoeffs`], computed on first use (deterministically, with `libm`).
pub fn act_coeffs() -> &'static ActCoeffs {
    static C: OnceLock<ActCoeffs> = OnceLock::new();
    C.get_or_init(|| ActCoeffs { erf: *erf_coeffs() })
}

/// tanh(x) = E / (E + 2), E = e^{2x} - 1 (x clamped to [-TANH_MAX, TANH_MAX]), from one
/// reduced exponential: 2x = k ln2 + r, |r| <= ln2/2, E = 2^k (e^r - 1) + (2^k - 1) with
/// e^r - 1 = r Q(r) (Taylor). Near 0 (k = 0) E = r Q(r) keeps full relative accuracy; for
/// |k| >= 1, |E| >= 0.29 and the sum loses at most a bit or two.
#[inline(always)]
pub fn tanh(x: f64) -> f64 {
    let y = 2.0 * x.clamp(-TANH_MAX, TANH_MAX);
    let t = y * EXP_LOG2E + EXP_SHIFT;
    let k = t - EXP_SHIFT;
    let r = (y - k * LN2_HI) - k * LN2_LO;
    let p = r * horner(&EXPM1_TAYLOR, r);
    let s = exp_scale(t);
    let e = s.mul_add(p, s - 1.0);
    e / (e + 2.0)
}

/// 1/(1 + e^-x) without overflow: r = 1/(1 + e), e = exp(-|x|); r for x >= 0, e r below.
#[inline(always)]
pub fn sigmoid(x: f64) -> f64 {
    let e = exp_wide(-x.abs(), 0.0);
    let r = 1.0 / (1.0 + e);
    if x >= 0.0 { r } else { e * r }
}

/// x / (1 + e^-x) = x [`sigmoid`](x).
#[inline(always)]
pub fn silu(x: f64) -> f64 {
    x * sigmoid(x)
}

/// ln(1 + e^x) = max(x, 0) + ln(1 + e), e = exp(-|x|) in [0, 1], without overflow; ln(1 + e)
/// = 2 atanh(s) = 2 s sum_k s^{2k} / (2k + 1), s = e/(2 + e) <= 1/3, to k = 16.
#[inline(always)]
pub fn softplus(x: f64) -> f64 {
    const A: [f64; 17] = {
        let mut a = [0.0; 17];
        let mut k = 0;
        while k < 17 {
            a[k] = 1.0 / (2 * k + 1) as f64;
            k += 1;
        }
        a
    };
    let e = exp_wide(-x.abs(), 0.0);
    let s = e / (2.0 + e);
    let l = 2.0 * s * horner(&A, s * s);
    x.max(0.0) + l
}

/// Phi(x) for |x| >= SPLIT sqrt2 (meaningful for |x| >= LARGE_LO sqrt 2), from u = x/sqrt2:
/// q = erfc(|u|)/2 by erf's outer piece (0 beyond [`AMAX`], where erfc(|u|) < 2.2e-17), Phi
/// = q for u < 0 (no cancellation), 1 - q for u >= 0.
#[inline(always)]
fn phi_outer(u: f64, c: &ErfCoeffs) -> f64 {
    let a = u.abs();
    let al = a.clamp(LARGE_LO, AMAX);
    let t = 2.0 / (2.0 + al);
    let wl = (2.0 * t - (T_LO + T_HI)) * (1.0 / (T_HI - T_LO));
    let q = 0.5 * t * exp(horner(&c.large, wl) - al * al);
    let q = if a <= AMAX { q } else { 0.0 };
    if u < 0.0 { q } else { 1.0 - q }
}

/// gelu(x) = x Phi(x), Phi the standard normal CDF, from the fast [`erf`] at u = x/sqrt2:
/// Phi = (1 + erf(u))/2 by erf's central piece for |u| <= [`SPLIT`], by its outer piece
/// ([`phi_outer`], relative accuracy in the lower tail) beyond. The central piece cancels for
/// negative x: the absolute error stays below about 1e-16 |x| (relative error up to 2e-10 near
/// x = -4.95, where Phi = 4e-7); ample for sampling.
#[inline(always)]
pub fn gelu(x: f64, c: &ActCoeffs) -> f64 {
    let c = &c.erf;
    let u = x * std::f64::consts::FRAC_1_SQRT_2;
    let w = central_w(u);
    let central = 0.5f64.mul_add(erf_central(u, w, c), 0.5);
    let outer = phi_outer(u, c);
    x * if w <= 1.0 { central } else { outer }
}

/// [`gelu`] on a group of arguments in place, with the outer piece evaluated, as in
/// [`erf_slice`], only for each 8 that need it. The same operations, so the same bits.
#[inline(always)]
fn gelu_group(x: &mut [f64; GROUP], c: &ActCoeffs) {
    let c = &c.erf;
    let mut u = [0.0; GROUP];
    let mut w = [0.0; GROUP];
    for l in 0..GROUP {
        u[l] = x[l] * std::f64::consts::FRAC_1_SQRT_2;
        w[l] = central_w(u[l]);
    }
    let p = horner_group(&c.small, &w);
    let mut phi = [0.0; GROUP];
    for l in 0..GROUP {
        phi[l] = 0.5f64.mul_add(u[l] * p[l], 0.5);
    }
    for g in 0..GROUP / 8 {
        let mut outer = false;
        for l in 8 * g..8 * g + 8 {
            outer |= w[l] > 1.0;
        }
        if outer {
            for l in 8 * g..8 * g + 8 {
                let v = phi_outer(u[l], c);
                phi[l] = if w[l] <= 1.0 { phi[l] } else { v };
            }
        }
    }
    for l in 0..GROUP {
        x[l] *= phi[l];
    }
}

/// pi/2 in three parts of 33, 33 and 53 bits: k PIO2_1 and k PIO2_2 are exact for |k| < 2^20.
const PIO2_1: f64 = f64::from_bits(0x3ff9_21fb_5440_0000);
const PIO2_2: f64 = f64::from_bits(0x3dd0_b461_1a60_0000);
const PIO2_3: f64 = f64::from_bits(0x3ba3_198a_2e03_7073);

/// (sin x, cos x): x = k pi/2 + r by Cody-Waite reduction with pi/2 in three parts (about 119
/// bits, exact enough for |x| < 2^20 pi/2 = 1.6e6, finite beyond: r is clamped to [-1, 1]),
/// |r| <= pi/4 by the Taylor polynomials of [`crate::normal::sincos_small`], then rotated by
/// k mod 4 quarter turns.
#[inline(always)]
pub fn sincos(x: f64) -> (f64, f64) {
    let t = x * std::f64::consts::FRAC_2_PI + EXP_SHIFT;
    let k = t - EXP_SHIFT;
    let r = ((x - k * PIO2_1) - k * PIO2_2) - k * PIO2_3;
    let (s, c) = crate::normal::sincos_small(r.clamp(-1.0, 1.0));
    let q = t.to_bits() & 3;
    let (s, c) = if q & 1 == 1 { (c, -s) } else { (s, c) };
    let flip = (q >> 1) << 63;
    (
        f64::from_bits(s.to_bits() ^ flip),
        f64::from_bits(c.to_bits() ^ flip),
    )
}

/// A kernel [`map_slice`] applies element by element. A trait of zero-sized types rather
/// than a function pointer or closure: its `#[inline(always)]` method is inlined into the
/// caller's instruction level (a `Fn` passed by value was not: compiled on its own at the
/// baseline level, every `mul_add` became a software fma call, 30x slower).
pub trait Elementwise {
    /// The kernel's value at x.
    fn eval(x: f64, c: &ActCoeffs) -> f64;
    /// The kernel on a group of arguments in place, bit-identical to [`Elementwise::eval`] on
    /// each (a kernel with a rarely needed piece overrides it to skip that piece group-wise).
    #[inline(always)]
    fn group(x: &mut [f64; GROUP], c: &ActCoeffs) {
        for v in x.iter_mut() {
            *v = Self::eval(*v, c);
        }
    }
}

macro_rules! elementwise {
    ($($(#[$doc:meta])* $name:ident => |$x:ident, $c:ident| $body:expr;)*) => {$(
        $(#[$doc])*
        pub struct $name;
        impl Elementwise for $name {
            #[inline(always)]
            fn eval($x: f64, $c: &ActCoeffs) -> f64 {
                $body
            }
        }
    )*};
}

elementwise! {
    /// [`tanh`].
    Tanh => |x, _c| tanh(x);
    /// [`sigmoid`].
    Sigmoid => |x, _c| sigmoid(x);
    /// [`silu`].
    Silu => |x, _c| silu(x);
    /// [`softplus`].
    Softplus => |x, _c| softplus(x);
    /// [`sin`].
    Sin => |x, _c| sin(x);
    /// [`cos`].
    Cos => |x, _c| cos(x);
}

/// [`gelu`], its outer piece evaluated group-wise ([`gelu_group`]).
pub struct Gelu;
impl Elementwise for Gelu {
    #[inline(always)]
    fn eval(x: f64, c: &ActCoeffs) -> f64 {
        gelu(x, c)
    }
    #[inline(always)]
    fn group(x: &mut [f64; GROUP], c: &ActCoeffs) {
        gelu_group(x, c)
    }
}

/// sin x (see [`sincos`]).
#[inline(always)]
pub fn sin(x: f64) -> f64 {
    sincos(x).0
}

/// cos x (see [`sincos`]).
#[inline(always)]
pub fn cos(x: f64) -> f64 {
    sincos(x).1
}

/// z <- F(z) elementwise, in groups of [`GROUP`] (a ragged tail padded with zeros), so that
/// the independent chains of a group interleave; bit-identical to F applied element by
/// element.
#[inline(always)]
pub fn map_slice<F: Elementwise>(z: &mut [f64], c: &ActCoeffs) {
    let mut chunks = z.chunks_exact_mut(GROUP);
    for ch in &mut chunks {
        F::group(ch.try_into().expect("chunk of GROUP"), c);
    }
    let rest = chunks.into_remainder();
    if !rest.is_empty() {
        let mut pad = [0.0; GROUP];
        pad[..rest.len()].copy_from_slice(rest);
        F::group(&mut pad, c);
        rest.copy_from_slice(&pad[..rest.len()]);
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

    /// Relative error with a floor: |a - b| / max(|b|, floor).
    fn relf(a: f64, b: f64, floor: f64) -> f64 {
        (a - b).abs() / b.abs().max(floor)
    }

    /// Arguments over a wide range: a dense grid on [-lim, lim], and +-10^k for k from -300
    /// to log10(big) in small steps.
    fn wide_grid(lim: f64, big: f64) -> Vec<f64> {
        let n = 400_000;
        let mut xs: Vec<f64> = (0..=n)
            .map(|i| -lim + 2.0 * lim * i as f64 / n as f64)
            .collect();
        let mut e = -300.0;
        while e <= big.log10() {
            let x = 10f64.powf(e);
            xs.push(x);
            xs.push(-x);
            e += 0.013;
        }
        xs
    }

    /// The largest relative error of `f` against `reference` over `xs` (with a floor on the
    /// reference's size), and where.
    fn worst(
        xs: &[f64],
        f: impl Fn(f64) -> f64,
        reference: impl Fn(f64) -> f64,
        floor: f64,
    ) -> (f64, f64) {
        let mut w = (0.0f64, 0.0f64);
        for &x in xs {
            let (a, b) = (f(x), reference(x));
            assert!(a.is_finite(), "not finite at {x}");
            let e = relf(a, b, floor);
            if e > w.0 {
                w = (e, x);
            }
        }
        w
    }

    #[test]
    fn exp_wide_matches_libm_down_to_the_subnormals() {
        let xs: Vec<f64> = (0..=1_000_000)
            .map(|i| -745.0 + 1454.7 * i as f64 / 1e6)
            .collect();
        // Normal results: a few ulp; subnormal ones: within one unit of the last place of
        // the smallest normal (2^-1022 * 2^-52).
        let (e, x) = worst(&xs, |x| exp_wide(x, 0.0), libm::exp, f64::MIN_POSITIVE);
        assert!(e < 5e-16, "exp_wide: {e} at {x}");
        for x in [-745.2, -800.0, -1e300, f64::NEG_INFINITY] {
            assert_eq!(exp_wide(x, 0.0), 0.0, "{x}");
        }
        assert!(exp_wide(1e300, 0.0).is_finite());
        // The correction xl: exp(x + xl) for a tiny xl.
        let (a, b) = (exp_wide(-700.0, 1e-14), libm::exp(-700.0) * (1.0 + 1e-14));
        assert!(relf(a, b, 0.0) < 5e-16);
    }

    #[test]
    fn tanh_sigmoid_silu_softplus_match_the_reference() {
        let xs = wide_grid(40.0, 1e300);
        let ref_sigmoid = |x: f64| {
            if x >= 0.0 {
                1.0 / (1.0 + libm::exp(-x))
            } else {
                libm::exp(x) / (1.0 + libm::exp(x))
            }
        };
        let ref_softplus = |x: f64| x.max(0.0) + libm::log1p(libm::exp(-x.abs()));
        let cases: [(&str, f64, f64); 4] = [
            (
                "tanh",
                {
                    let w = worst(&xs, tanh, libm::tanh, 1e-300);
                    eprintln!("tanh worst at {}", w.1);
                    w.0
                },
                1e-15,
            ),
            ("sigmoid", worst(&xs, sigmoid, ref_sigmoid, 1e-300).0, 1e-15),
            (
                "silu",
                worst(&xs, silu, |x| x * ref_sigmoid(x), 1e-300).0,
                1e-15,
            ),
            (
                "softplus",
                worst(&xs, softplus, ref_softplus, 1e-300).0,
                1e-15,
            ),
        ];
        for (name, e, tol) in cases {
            eprintln!("{name}: max relative error {e:.3e}");
            assert!(e < tol, "{name}: max relative error {e}");
        }
        assert_eq!(tanh(0.0), 0.0);
        assert_eq!(tanh(1e300), 1.0);
        assert_eq!(tanh(-1e300), -1.0);
        assert_eq!(sigmoid(-1e300), 0.0);
        assert_eq!(softplus(1e300), 1e300);
        assert_eq!(softplus(-1e300), 0.0);
    }

    /// gelu against 0.5 x erfc(-x/sqrt 2) with libm. For x >= 0 (Phi >= 1/2) a relative
    /// bound, 3e-15 (the fast erf's error); for x < 0 an absolute one, 5e-15 |x| (the central piece computes 1 + erf(u),
    /// which cancels), plus the reference's own error: it rounds x/sqrt 2 (relative error up
    /// to 2^-53) before erfc, whose relative condition number is x^2.
    #[test]
    fn gelu_matches_the_reference() {
        let c = act_coeffs();
        let xs = wide_grid(40.0, 1e300);
        let (mut wa, mut wr) = ((0.0f64, 0.0), (0.0f64, 0.0));
        for &x in &xs {
            let g = gelu(x, c);
            assert!(g.is_finite(), "{x}");
            let r = 0.5 * x * libm::erfc(-x / std::f64::consts::SQRT_2);
            let slack = (x * x * f64::EPSILON).min(1.0) * r.abs();
            if x >= 0.0 {
                let e = relf(g, r, 1e-300);
                assert!(
                    e < 3e-15 + x * x * f64::EPSILON,
                    "gelu({x}) = {g} vs {r}: {e}"
                );
                if e > wr.0 {
                    wr = (e, x);
                }
            } else {
                let e = (g - r).abs();
                assert!(e <= 5e-15 * x.abs() + slack, "gelu({x}) = {g} vs {r}: {e}");
                if e / x.abs() > wa.0 {
                    wa = (e / x.abs(), x);
                }
            }
        }
        eprintln!(
            "gelu: max relative error for x >= 0 {:.3e} at {}; max |error|/|x| for x < 0 {:.3e} at {}",
            wr.0, wr.1, wa.0, wa.1
        );
        // The lower tail beyond the central piece keeps relative accuracy.
        for x in [-5.0f64, -6.0, -8.0] {
            let r = 0.5 * x * libm::erfc(-x / std::f64::consts::SQRT_2);
            assert!(
                relf(gelu(x, c), r, 0.0) < 1e-14 + x * x * f64::EPSILON,
                "{x}"
            );
        }
        assert_eq!(gelu(0.0, c), 0.0);
        assert_eq!(gelu(-1e300, c), 0.0);
        assert_eq!(gelu(1e300, c), 1e300);
    }

    #[test]
    fn sin_cos_match_std_with_a_correct_range_reduction() {
        let mut xs = wide_grid(20.0, 1e5);
        // Near multiples of pi/2, where the reduction cancels, up to 1e5.
        for k in 1..200_000i64 {
            let x = k as f64 * std::f64::consts::FRAC_PI_2;
            xs.extend([x, -x, x.next_up(), x.next_down()]);
        }
        for i in 0..=200_000 {
            xs.push(1e5 * i as f64 / 200_000.0 * 1.000_000_7);
        }
        // Relative to max(|ref|, 1e-300): near the zeros this is the hard case.
        let (es, xsn) = worst(&xs, sin, f64::sin, 1e-300);
        let (ec, xcs) = worst(&xs, cos, f64::cos, 1e-300);
        eprintln!("sin: {es:.3e} at {xsn}; cos: {ec:.3e} at {xcs}");
        assert!(es < 1e-15, "sin: {es} at {xsn}");
        assert!(ec < 1e-15, "cos: {ec} at {xcs}");
        // Finite beyond (values meaningless past 1.6e6, but in [-1, 1]).
        for x in [1e7, 1e15, 1e300, -1e300, f64::MAX] {
            assert!(
                sin(x).abs() <= 1.0 + 1e-15 && cos(x).abs() <= 1.0 + 1e-15,
                "{x}"
            );
        }
    }

    #[test]
    fn map_slice_is_elementwise() {
        let c = act_coeffs();
        let xs: Vec<f64> = (0..10_007)
            .map(|i| 60.0 * ((i as f64 * 0.618_033_988_75).fract() - 0.5))
            .collect();
        let mut ys = xs.clone();
        map_slice::<Gelu>(&mut ys, c);
        for (x, y) in xs.iter().zip(&ys) {
            assert_eq!(y.to_bits(), gelu(*x, c).to_bits(), "{x}");
        }
        let mut ys = xs.clone();
        map_slice::<Tanh>(&mut ys, c);
        for (x, y) in xs.iter().zip(&ys) {
            assert_eq!(y.to_bits(), tanh(*x).to_bits(), "{x}");
        }
    }
}
