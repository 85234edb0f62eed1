//! A vectorizable standard-normal generator: 8 xoshiro256++ streams in lanes, each pair of
//! 64-bit words turned into two normals by a branch-free Box-Muller transform.
//!
//! Reproducibility: the 8 lane states are drawn from the block's own stream
//! ([`crate::rng::block_rng`]), and normals are produced in buffers of [`BUF`] in a fixed
//! order, so the sequence depends on (seed, block) alone, never on how it is consumed. The
//! transform is plain IEEE f64 arithmetic (+, -, *, /, sqrt and fused multiply-adds written
//! out as `f64::mul_add`, which is exact on every path: hardware FMA where enabled, a correctly
//! rounded software fma otherwise; no other libm calls), so the AVX-512, AVX2 and portable
//! paths give identical bits.
//!
//! Distribution: words w1, w2 give u1 = 1 - k1 2^-52 in (0, 1] and u2 = k2 2^-52 in [0, 1)
//! (k = the top 52 bits of w), and (R cos theta, R sin theta) with R = sqrt(-2 ln u1),
//! theta = 2 pi (u2 / 4 + q / 4) with the quadrant q taken from the 2 lowest bits of w2 (so
//! theta has 54 random bits). That is Box-Muller with 52-bit uniforms: exact up to the
//! function accuracy and the cut |z| <= sqrt(104 ln 2) = 8.49 (probability 2e-17 beyond).
//! Accuracy (tests, against libm): ln relative error below 4e-16, sin/cos absolute error
//! below 2e-16; each normal has a relative error of a few 1e-16.

// Fixed-lane loops `for l in 0..8` over arrays are deliberate: they vectorize as written.
#![allow(clippy::needless_range_loop)]
use crate::rng::block_rng;
use crate::simd::{Kernel, SimdLevel, dispatch};
use rand::RngCore;

/// Normals per refill: 8 lanes x 64 steps x 2.
pub const BUF: usize = 1024;

/// 8 xoshiro256++ generators, state component c of lane l at s[c][l].
#[derive(Clone, Debug)]
struct Lanes8 {
    s: [[u64; 8]; 4],
}

impl Lanes8 {
    /// The 8 lane states from 32 words of the block stream (a zero state is replaced).
    fn new(seed: u64, block: u64) -> Self {
        let mut rng = block_rng(seed, block);
        let mut s = [[0u64; 8]; 4];
        for l in 0..8 {
            for c in s.iter_mut() {
                c[l] = rng.next_u64();
            }
            if s.iter().all(|c| c[l] == 0) {
                s[0][l] = 0x9e37_79b9_7f4a_7c15;
            }
        }
        Lanes8 { s }
    }

    /// One xoshiro256++ step in every lane: out[l] = rotl(s0 + s3, 23) + s0, then the state update.
    #[inline(always)]
    fn next(&mut self) -> [u64; 8] {
        let [s0, s1, s2, s3] = &mut self.s;
        let mut out = [0u64; 8];
        for l in 0..8 {
            out[l] = s0[l]
                .wrapping_add(s3[l])
                .rotate_left(23)
                .wrapping_add(s0[l]);
            let t = s1[l] << 17;
            s2[l] ^= s0[l];
            s3[l] ^= s1[l];
            s1[l] ^= s2[l];
            s0[l] ^= s3[l];
            s2[l] ^= t;
            s3[l] = s3[l].rotate_left(45);
        }
        out
    }
}

/// k 2^-52 in [0, 1) from the top 52 bits of w (bit assembly, exact on every code path).
#[inline(always)]
fn unit(w: u64) -> f64 {
    f64::from_bits(0x3ff0_0000_0000_0000 | (w >> 12)) - 1.0
}

/// ln u for u in [2^-52, 1]: u = 2^e m with m in [sqrt(1/2), sqrt 2), ln m = 2 atanh(s),
/// s = (m - 1)/(m + 1), |s| < 0.1716, by its series to s^23; e ln 2 in two parts.
#[inline(always)]
pub fn ln_unit(u: f64) -> f64 {
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    // 2^52 + biased exponent, assembled from bits (no integer-to-float conversion, which
    // would not vectorize without AVX-512DQ), then exactly unbiased.
    const TWO52: f64 = 4_503_599_627_370_496.0;
    let bits = u.to_bits();
    let e_biased = f64::from_bits(TWO52.to_bits() | (bits >> 52)) - TWO52;
    let m0 = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    let big = m0 > std::f64::consts::SQRT_2;
    let m = if big { m0 * 0.5 } else { m0 };
    let e = (e_biased - 1023.0) + if big { 1.0 } else { 0.0 };
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let s2 = s * s;
    // 2 atanh(s) / s - 2 = s^2 sum_{k>=0} A_k s^(2k), A_k = 2 / (2k + 3).
    const A: [f64; 9] = [
        2.0 / 3.0,
        2.0 / 5.0,
        2.0 / 7.0,
        2.0 / 9.0,
        2.0 / 11.0,
        2.0 / 13.0,
        2.0 / 15.0,
        2.0 / 17.0,
        2.0 / 19.0,
    ];
    let mut p = A[8];
    for k in (0..8).rev() {
        p = p.mul_add(s2, A[k]);
    }
    let lnm = 2.0 * s + s * (s2 * p);
    // e ln2 + ln m, the exact head first.
    e * LN2_HI + (lnm + e * LN2_LO)
}

/// (sin x, cos x) for |x| <= pi/4 by their Taylor polynomials to x^15 and x^16 (the next
/// terms are below 5e-17 and 3e-18).
#[inline(always)]
pub fn sincos_small(x: f64) -> (f64, f64) {
    // (-1)^k / (2k+1)! and (-1)^k / (2k)! (rounded once at compile time).
    const S: [f64; 8] = [
        1.0,
        -1.0 / 6.0,
        1.0 / 120.0,
        -1.0 / 5040.0,
        1.0 / 362_880.0,
        -1.0 / 39_916_800.0,
        1.0 / 6_227_020_800.0,
        -1.0 / 1_307_674_368_000.0,
    ];
    const C: [f64; 9] = [
        1.0,
        -1.0 / 2.0,
        1.0 / 24.0,
        -1.0 / 720.0,
        1.0 / 40_320.0,
        -1.0 / 3_628_800.0,
        1.0 / 479_001_600.0,
        -1.0 / 87_178_291_200.0,
        1.0 / 20_922_789_888_000.0,
    ];
    let x2 = x * x;
    let mut ps = S[7];
    for k in (0..7).rev() {
        ps = ps.mul_add(x2, S[k]);
    }
    let mut pc = C[8];
    for k in (0..8).rev() {
        pc = pc.mul_add(x2, C[k]);
    }
    (x * ps, pc)
}

/// Two standard normals from two random words (the transform described in the module doc).
#[inline(always)]
fn box_muller(w1: u64, w2: u64) -> (f64, f64) {
    const TWO_PI: f64 = std::f64::consts::TAU;
    let u1 = 1.0 - unit(w1);
    let r = (-2.0 * ln_unit(u1)).sqrt();
    // Angle within the quadrant: (u2 - 1/2) / 4 turns in [-1/8, 1/8).
    let t = (unit(w2) - 0.5) * 0.25;
    let (s, c) = sincos_small(TWO_PI * t);
    // Rotate by q quarter turns: q & 1 maps (c, s) -> (-s, c), q & 2 negates both.
    let q = w2 & 3;
    let (c, s) = if q & 1 == 1 { (-s, c) } else { (c, s) };
    let flip = (q >> 1) << 63;
    let c = f64::from_bits(c.to_bits() ^ flip);
    let s = f64::from_bits(s.to_bits() ^ flip);
    (r * c, r * s)
}

/// A block's stream of standard normals, produced [`BUF`] at a time.
#[derive(Clone, Debug)]
pub struct NormalStream {
    level: SimdLevel,
    lanes: Lanes8,
    buf: Box<[f64; BUF]>,
    pos: usize,
}

impl NormalStream {
    /// The stream of block `block` of a run with seed `seed`, generated at this CPU's best
    /// instruction level.
    #[cfg(test)]
    pub fn new(seed: u64, block: u64) -> Self {
        NormalStream::with_level(seed, block, SimdLevel::detect())
    }

    /// The stream of block `block` of a run with seed `seed`, generated at `level` (one the
    /// CPU supports; every level gives the same numbers).
    pub(crate) fn with_level(seed: u64, block: u64, level: SimdLevel) -> Self {
        NormalStream {
            level,
            lanes: Lanes8::new(seed, block),
            buf: Box::new([0.0; BUF]),
            pos: BUF,
        }
    }

    /// The next standard normal (the sampler takes whole rows with [`NormalStream::fill`]).
    #[cfg(test)]
    #[inline(always)]
    pub fn next(&mut self) -> f64 {
        if self.pos == BUF {
            self.refill();
        }
        let v = self.buf[self.pos];
        self.pos += 1;
        v
    }

    /// Fill `out` with the next `out.len()` normals of the stream. Whole buffers are
    /// generated straight into `out` (the same numbers, without a copy).
    #[inline(always)]
    pub fn fill(&mut self, mut out: &mut [f64]) {
        while !out.is_empty() {
            if self.pos == BUF {
                if out.len() >= BUF {
                    let (head, rest) = out.split_at_mut(BUF);
                    generate(self.level, &mut self.lanes, head.try_into().expect("BUF"));
                    out = rest;
                    continue;
                }
                self.refill();
            }
            let k = out.len().min(BUF - self.pos);
            out[..k].copy_from_slice(&self.buf[self.pos..self.pos + k]);
            self.pos += k;
            out = &mut out[k..];
        }
    }

    fn refill(&mut self) {
        generate(self.level, &mut self.lanes, &mut self.buf);
        self.pos = 0;
    }

    /// The same stream computed by the portable path only (for the bit-identity test).
    #[cfg(test)]
    fn refill_portable(&mut self) {
        generate_generic(&mut self.lanes, &mut self.buf);
        self.pos = 0;
    }
}

/// The next BUF normals of `lanes`: step j writes lane l's pair to 16 j + l and 16 j + 8 + l.
#[inline(always)]
fn generate(level: SimdLevel, lanes: &mut Lanes8, out: &mut [f64; BUF]) {
    dispatch(level, Generate { lanes, out });
}

/// [`generate_generic`] as a kernel for [`dispatch`].
struct Generate<'a> {
    lanes: &'a mut Lanes8,
    out: &'a mut [f64; BUF],
}

impl Kernel for Generate<'_> {
    type Output = ();
    #[inline(always)]
    fn run(self) {
        generate_generic(self.lanes, self.out)
    }
}

#[inline(always)]
fn generate_generic(lanes: &mut Lanes8, out: &mut [f64; BUF]) {
    for chunk in out.chunks_exact_mut(16) {
        let w1 = lanes.next();
        let w2 = lanes.next();
        let (lo, hi) = chunk.split_at_mut(8);
        for l in 0..8 {
            let (a, b) = box_muller(w1[l], w2[l]);
            lo[l] = a;
            hi[l] = b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_and_sincos_match_libm() {
        let mut worst_ln = 0.0f64;
        let n = 1_000_000;
        for i in 1..=n {
            for u in [
                i as f64 / n as f64,
                1.0 - i as f64 * 1e-12,
                (i as f64) * 2e-16,
            ] {
                if u <= 0.0 || u > 1.0 {
                    continue;
                }
                let (a, b) = (ln_unit(u), libm::log(u));
                if b != 0.0 {
                    worst_ln = worst_ln.max(((a - b) / b).abs());
                } else {
                    assert_eq!(a, 0.0);
                }
            }
        }
        assert!(worst_ln < 4e-16, "ln: max relative error {worst_ln}");
        assert_eq!(ln_unit(1.0), 0.0);
        let mut worst_sc = 0.0f64;
        for i in 0..=n {
            let x = std::f64::consts::FRAC_PI_4 * (2.0 * i as f64 / n as f64 - 1.0);
            let (s, c) = sincos_small(x);
            worst_sc = worst_sc
                .max((s - libm::sin(x)).abs())
                .max((c - libm::cos(x)).abs());
        }
        assert!(worst_sc < 2e-16, "sin/cos: max absolute error {worst_sc}");
    }

    #[test]
    fn box_muller_matches_the_libm_transform() {
        let mut lanes = Lanes8::new(3, 4);
        for _ in 0..10_000 {
            let (w1, w2) = (lanes.next(), lanes.next());
            for l in 0..8 {
                let (a, b) = box_muller(w1[l], w2[l]);
                let u1 = 1.0 - unit(w1[l]);
                let r = libm::sqrt(-2.0 * libm::log(u1));
                let th = std::f64::consts::TAU * ((unit(w2[l]) + (w2[l] & 3) as f64) / 4.0 - 0.125);
                let (ea, eb) = (r * libm::cos(th), r * libm::sin(th));
                assert!((a - ea).abs() < 2e-15 * r.max(1.0), "{a} {ea}");
                assert!((b - eb).abs() < 2e-15 * r.max(1.0), "{b} {eb}");
            }
        }
    }

    #[test]
    fn code_paths_agree_and_consumption_does_not_matter() {
        let mut a = NormalStream::new(7, 11);
        let mut b = NormalStream::new(7, 11);
        let mut c = NormalStream::new(7, 11);
        let mut xs = vec![0.0; 3000];
        a.fill(&mut xs);
        let mut ys = vec![];
        for _ in 0..3 {
            b.refill_portable();
            ys.extend_from_slice(&b.buf[..]);
        }
        let zs: Vec<f64> = (0..3000).map(|_| c.next()).collect();
        // Fills of mixed sizes: a partial buffer, then more than a whole one, then the rest.
        let mut d = NormalStream::new(7, 11);
        let mut ws = vec![0.0; 3000];
        let (w0, rest) = ws.split_at_mut(100);
        let (w1, w2) = rest.split_at_mut(2500);
        d.fill(w0);
        d.fill(w1);
        d.fill(w2);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&xs), bits(&ys[..3000]));
        assert_eq!(bits(&xs), bits(&zs));
        assert_eq!(bits(&xs), bits(&ws));
        // Every instruction level the CPU has.
        for level in SimdLevel::available() {
            let mut lanes = Lanes8::new(7, 11);
            let mut buf = [0.0; BUF];
            generate(level, &mut lanes, &mut buf);
            assert_eq!(bits(&buf), bits(&xs[..BUF]), "{level:?}");
        }
        assert_ne!(
            NormalStream::new(7, 12).next(),
            NormalStream::new(7, 11).next()
        );
    }

    /// The first normals of the stream of (seed 1, block 0), pinned as exact bits: any change
    /// of the stream (seeding, generator, transform, buffer order) changes them. The pinned
    /// values are checked against an independent slow reference: a scalar xoshiro256++ per
    /// lane, seeded from the block's PCG stream, and Box-Muller with libm's log, sqrt, cos, sin.
    #[test]
    fn golden_bits_pin_the_normal_stream() {
        const GOLDEN: [u64; 16] = [
            0xbfb5_18f9_a845_672e,
            0x3fed_2acd_8524_bb9f,
            0xbfe1_e4a7_e540_7238,
            0xbfb8_6644_2ec6_7145,
            0xbfe7_d712_ef32_0b9e,
            0xbff0_ea64_3a33_fca6,
            0xbfee_167d_3aad_be86,
            0x3ff5_8555_d392_d025,
            0x3fe6_7cf1_d3b5_ca54,
            0xbfdb_65a6_5bb7_517c,
            0x3fcd_8b5e_504b_03e6,
            0x3fd9_9f9e_fc60_7663,
            0xc002_9949_4333_2d26,
            0x3fd5_aa9d_cc1d_4d10,
            0x3fe6_e141_93b6_1538,
            0x3fef_4ddf_f0a8_9ae1,
        ];
        let mut stream = NormalStream::new(1, 0);
        let got: Vec<f64> = (0..GOLDEN.len()).map(|_| stream.next()).collect();
        // The reference: lane l's state is words 4 l .. 4 l + 3 of the block stream.
        let mut rng = block_rng(1, 0);
        let mut lanes: Vec<[u64; 4]> = (0..8).map(|_| [0; 4].map(|_| rng.next_u64())).collect();
        let mut step = |s: &mut [u64; 4]| {
            let out = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
            let t = s[1] << 17;
            s[2] ^= s[0];
            s[3] ^= s[1];
            s[1] ^= s[2];
            s[0] ^= s[3];
            s[2] ^= t;
            s[3] = s[3].rotate_left(45);
            out
        };
        let mut reference = vec![0.0; 16];
        let w1: Vec<u64> = lanes.iter_mut().map(&mut step).collect();
        let w2: Vec<u64> = lanes.iter_mut().map(&mut step).collect();
        for l in 0..8 {
            let u1 = 1.0 - (w1[l] >> 12) as f64 / 4_503_599_627_370_496.0;
            let u2 = (w2[l] >> 12) as f64 / 4_503_599_627_370_496.0;
            let r = libm::sqrt(-2.0 * libm::log(u1));
            let th = std::f64::consts::TAU * ((u2 + (w2[l] & 3) as f64) / 4.0 - 0.125);
            reference[l] = r * libm::cos(th);
            reference[8 + l] = r * libm::sin(th);
        }
        for (k, (&g, &e)) in got.iter().zip(&reference).enumerate() {
            assert!((g - e).abs() < 2e-15 * e.abs().max(1.0), "{k}: {g} vs {e}");
        }
        let bits: Vec<u64> = got.iter().map(|v| v.to_bits()).collect();
        assert_eq!(bits, GOLDEN);
    }

    /// Standard normal CDF.
    fn phi(x: f64) -> f64 {
        0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
    }

    #[test]
    fn moments_ks_and_tails_are_normal() {
        let n = 4_000_000usize;
        let mut z = vec![0.0; n];
        NormalStream::new(1, 0).fill(&mut z[..n / 2]);
        NormalStream::new(1, 1).fill(&mut z[n / 2..]);
        // Moments 1..8 against 0, 1, 0, 3, 0, 15, 0, 105, within 5 standard errors
        // (the variance of z^k is E z^2k - (E z^k)^2, with E z^2j = (2j-1)!!).
        let dfact = |k: usize| (1..k).step_by(2).map(|j| j as f64).product::<f64>();
        for k in 1..=8 {
            let exact = if k % 2 == 0 { dfact(k) } else { 0.0 };
            let mean = z.iter().map(|&x| x.powi(k as i32)).sum::<f64>() / n as f64;
            let se = ((dfact(2 * k) - exact * exact) / n as f64).sqrt();
            assert!(
                (mean - exact).abs() < 5.0 * se,
                "moment {k}: {mean} vs {exact} (se {se})"
            );
        }
        // Tails: counts beyond 4 and 4.5 sigma against 2 n (1 - Phi), within 5 Poisson sigma.
        for t in [4.0, 4.5] {
            let count = z.iter().filter(|x| x.abs() > t).count() as f64;
            let expect = 2.0 * n as f64 * phi(-t);
            assert!(
                (count - expect).abs() < 5.0 * expect.sqrt(),
                "beyond {t}: {count} vs {expect}"
            );
        }
        // Kolmogorov-Smirnov on the first 10^6: D sqrt(n) below 1.95 (p = 0.001).
        let mut s = z[..1_000_000].to_vec();
        s.sort_by(f64::total_cmp);
        let m = s.len() as f64;
        let d = s
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                let f = phi(x);
                (f - i as f64 / m).abs().max(((i + 1) as f64 / m - f).abs())
            })
            .fold(0.0f64, f64::max);
        assert!(d * m.sqrt() < 1.95, "KS statistic {}", d * m.sqrt());
    }
}
