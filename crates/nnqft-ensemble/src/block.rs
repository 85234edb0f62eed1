//! One RNG block: draw its networks, evaluate f at every input, and sum every monomial
//! f(x_i1)...f(x_in) (and its square, and track its largest magnitude) over the block's nets.
//!
//! Layout: structure of arrays. Per network, the weights go into arrays of length N and the
//! pre-activations of all inputs into one m*N array, so the activation loop vectorizes. The
//! outputs of the block's nets are m arrays of length B; the monomials of every order are built
//! by a prefix tree over sorted multisets (each degree-k product is its degree-(k-1) parent
//! times one f), vectorized across the B nets. Every sum runs in a fixed order over 8 lanes,
//! so the result does not depend on which code path (AVX-512, AVX2 or baseline) runs: the
//! paths differ only in vector width, never in the arithmetic (no fused multiply-adds).

// Fixed-lane loops `for l in 0..8` over arrays are deliberate: they vectorize as written.
#![allow(clippy::needless_range_loop)]
use crate::fastmath::{self, ErfCoeffs};
use crate::normal::NormalStream;
use crate::plan::{Block, Plan};
use nnqft_core::Arch;

/// Nets per chunk of the moment walk (a multiple of 8).
const MOMENT_CHUNK: usize = 128;

/// The activation of one architecture, inlined into the vectorized loops.
pub(crate) trait Activation {
    fn phi(z: f64, c: &ErfCoeffs) -> f64;

    /// z <- phi(z) elementwise (bit-identical to [`Activation::phi`] on each element).
    #[inline(always)]
    fn apply(z: &mut [f64], c: &ErfCoeffs) {
        for v in z.iter_mut() {
            *v = Self::phi(*v, c);
        }
    }
}

struct ErfAct;
struct ReluAct;
struct ExpAct;

impl Activation for ErfAct {
    #[inline(always)]
    fn phi(z: f64, c: &ErfCoeffs) -> f64 {
        fastmath::erf(z, c)
    }
    #[inline(always)]
    fn apply(z: &mut [f64], c: &ErfCoeffs) {
        fastmath::erf_slice(z, c)
    }
}
impl Activation for ReluAct {
    #[inline(always)]
    fn phi(z: f64, _: &ErfCoeffs) -> f64 {
        z.max(0.0)
    }
}
impl Activation for ExpAct {
    #[inline(always)]
    fn phi(z: f64, _: &ErfCoeffs) -> f64 {
        fastmath::exp(z)
    }
}

/// Everything a block needs that does not change between blocks.
pub(crate) struct Context {
    arch: Arch,
    width: usize,
    d: usize,
    m: usize,
    /// x[a * d + k]: coordinate k of input a.
    x: Vec<f64>,
    /// Per-input factor multiplying the hidden sum (Gauss-net normalization; else 1).
    out_scale: Vec<f64>,
    w0_scale: f64,
    b_scale: f64,
    w1_scale: f64,
    max_n: usize,
    /// want[k]: whether order k is accumulated; offset[k]: its first accumulator.
    want: Vec<bool>,
    offset: Vec<usize>,
    pub(crate) total: usize,
    coeffs: ErfCoeffs,
    block_size: usize,
}

impl Context {
    pub(crate) fn new(plan: &Plan) -> Self {
        let s = &plan.settings;
        let net = s.network;
        let m = s.inputs.len();
        let max_n = *s.npt.last().expect("validated: npt is non-empty");
        let mut want = vec![false; max_n + 1];
        let mut offset = vec![0; max_n + 1];
        let mut total = 0;
        for &n in &s.npt {
            want[n] = true;
            offset[n] = total;
            total += s.entries(n);
        }
        Context {
            arch: net.arch,
            width: s.width,
            d: net.d_in,
            m,
            x: s.inputs.points().iter().flatten().copied().collect(),
            out_scale: s
                .inputs
                .points()
                .iter()
                .map(|p| net.output_scale(p))
                .collect(),
            w0_scale: net.w0_scale(),
            b_scale: net.sigma_b,
            w1_scale: net.w1_scale(s.width),
            max_n,
            want,
            offset,
            total,
            coeffs: *fastmath::erf_coeffs(),
            block_size: plan.block_size,
        }
    }
}

/// Per-block sums over the block's networks, one slot per accumulator entry.
#[derive(Clone, Debug, Default)]
pub(crate) struct BlockSums {
    pub sum: Vec<f64>,
    pub sumsq: Vec<f64>,
    pub max_abs: Vec<f64>,
}

/// Scratch buffers of one worker thread.
pub(crate) struct Workspace {
    w0: Vec<f64>,
    b0: Vec<f64>,
    w1: Vec<f64>,
    z: Vec<f64>,
    /// f[a * B + i]: output of net i at input a.
    f: Vec<f64>,
    /// prods[k * MOMENT_CHUNK + i]: the current degree-k monomial of net i of the chunk.
    prods: Vec<f64>,
    pub(crate) out: BlockSums,
}

impl Workspace {
    pub(crate) fn new(ctx: &Context) -> Self {
        let (n, b) = (ctx.width, ctx.block_size);
        Workspace {
            w0: vec![0.0; n * ctx.d],
            b0: vec![0.0; n],
            w1: vec![0.0; n],
            z: vec![0.0; n * ctx.m],
            f: vec![0.0; ctx.m * b],
            prods: vec![0.0; (ctx.max_n + 1) * MOMENT_CHUNK],
            out: BlockSums {
                sum: vec![0.0; ctx.total],
                sumsq: vec![0.0; ctx.total],
                max_abs: vec![0.0; ctx.total],
            },
        }
    }

    /// Draw block `block`'s networks from the stream of (seed, block index) and fill `self.out`.
    pub(crate) fn run(&mut self, ctx: &Context, seed: u64, block: Block) {
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU supports AVX-512F (checked just above).
                unsafe { self.run_avx512(ctx, seed, block) };
                return;
            }
            if std::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2 (checked just above).
                unsafe { self.run_avx2(ctx, seed, block) };
                return;
            }
        }
        self.run_portable(ctx, seed, block);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn run_avx512(&mut self, ctx: &Context, seed: u64, block: Block) {
        self.run_generic(ctx, seed, block);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn run_avx2(&mut self, ctx: &Context, seed: u64, block: Block) {
        self.run_generic(ctx, seed, block);
    }

    fn run_portable(&mut self, ctx: &Context, seed: u64, block: Block) {
        self.run_generic(ctx, seed, block);
    }

    /// The floor of a block: the same draws, pre-activations and activations, but neither the
    /// readout nor the moments. Returns a checksum (so that nothing is optimized away).
    pub(crate) fn run_floor(&mut self, ctx: &Context, seed: u64, block: Block) -> f64 {
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU supports AVX-512F (checked just above).
                return unsafe { self.floor_avx512(ctx, seed, block) };
            }
        }
        self.floor_generic(ctx, seed, block)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn floor_avx512(&mut self, ctx: &Context, seed: u64, block: Block) -> f64 {
        self.floor_generic(ctx, seed, block)
    }

    #[inline(always)]
    fn floor_generic(&mut self, ctx: &Context, seed: u64, block: Block) -> f64 {
        #[allow(unreachable_patterns)]
        match ctx.arch {
            Arch::Erf => self.floor_act::<ErfAct>(ctx, seed, block),
            Arch::Relu => self.floor_act::<ReluAct>(ctx, seed, block),
            Arch::Gauss => self.floor_act::<ExpAct>(ctx, seed, block),
            _ => 0.0,
        }
    }

    #[inline(always)]
    fn floor_act<A: Activation>(&mut self, ctx: &Context, seed: u64, block: Block) -> f64 {
        let mut rng = NormalStream::new(seed, block.index);
        let c = ctx.coeffs;
        let mut check = 0.0;
        for _ in 0..block.nets {
            check += self.draw(ctx, &mut rng);
            self.preactivations(ctx);
            A::apply(&mut self.z, &c);
            check += self.z[self.z.len() - 1];
        }
        check
    }

    #[inline(always)]
    fn run_generic(&mut self, ctx: &Context, seed: u64, block: Block) {
        #[allow(unreachable_patterns)]
        match ctx.arch {
            Arch::Erf => self.outputs::<ErfAct>(ctx, seed, block),
            Arch::Relu => self.outputs::<ReluAct>(ctx, seed, block),
            Arch::Gauss => self.outputs::<ExpAct>(ctx, seed, block),
            _ => self.outputs_generic(ctx, seed, block),
        }
        self.moments(ctx, block.nets);
    }

    /// Draw one network's weights into the buffers, in a fixed order: b1, W0 (component-major),
    /// b0 (only if sigma_b > 0), W1. Returns b1.
    #[inline(always)]
    fn draw(&mut self, ctx: &Context, rng: &mut NormalStream) -> f64 {
        let b1 = if ctx.b_scale > 0.0 {
            ctx.b_scale * rng.next()
        } else {
            0.0
        };
        rng.fill(&mut self.w0);
        if ctx.b_scale > 0.0 {
            rng.fill(&mut self.b0);
        }
        rng.fill(&mut self.w1);
        let (s0, sb, s1) = (ctx.w0_scale, ctx.b_scale, ctx.w1_scale);
        self.w0.iter_mut().for_each(|w| *w *= s0);
        self.b0.iter_mut().for_each(|b| *b *= sb);
        self.w1.iter_mut().for_each(|w| *w *= s1);
        b1
    }

    /// Pre-activations z[a * N + j] = b0_j + W0_j . x_a for every input a.
    #[inline(always)]
    fn preactivations(&mut self, ctx: &Context) {
        let n = ctx.width;
        for a in 0..ctx.m {
            let z = &mut self.z[a * n..(a + 1) * n];
            z.copy_from_slice(&self.b0);
            for k in 0..ctx.d {
                let xk = ctx.x[a * ctx.d + k];
                let w = &self.w0[k * n..(k + 1) * n];
                for (zj, wj) in z.iter_mut().zip(w) {
                    *zj += wj * xk;
                }
            }
        }
    }

    /// f(x_a) = b1 + scale_a * sum_j W1_j phi(z_aj), the sum over 8 fixed lanes.
    #[inline(always)]
    fn readout(&mut self, ctx: &Context, b1: f64, net: usize) {
        let n = ctx.width;
        for a in 0..ctx.m {
            let phi = &self.z[a * n..(a + 1) * n];
            let s = lane_dot(&self.w1, phi);
            self.f[a * ctx.block_size + net] = b1 + ctx.out_scale[a] * s;
        }
    }

    #[inline(always)]
    fn outputs<A: Activation>(&mut self, ctx: &Context, seed: u64, block: Block) {
        let mut rng = NormalStream::new(seed, block.index);
        let c = ctx.coeffs;
        for i in 0..block.nets {
            let b1 = self.draw(ctx, &mut rng);
            self.preactivations(ctx);
            A::apply(&mut self.z, &c);
            self.readout(ctx, b1, i);
        }
    }

    /// The same for an architecture without a dedicated fast activation.
    fn outputs_generic(&mut self, ctx: &Context, seed: u64, block: Block) {
        let mut rng = NormalStream::new(seed, block.index);
        for i in 0..block.nets {
            let b1 = self.draw(ctx, &mut rng);
            self.preactivations(ctx);
            for z in self.z.iter_mut() {
                *z = ctx.arch.activation(*z);
            }
            self.readout(ctx, b1, i);
        }
    }

    /// Sums, sums of squares and maxima of every requested monomial over the first `len` nets:
    /// a depth-first walk (pre-order, children by increasing index) of the prefix tree of sorted
    /// multisets, so that each order's entries come out in multiset order. Iterative, so that
    /// the whole walk is compiled with the caller's vector features.
    #[inline(always)]
    fn moments(&mut self, ctx: &Context, len: usize) {
        // Chunks of nets small enough that the walk's arrays stay in the L1 cache; chunk sums
        // are added in chunk order.
        for start in (0..len).step_by(MOMENT_CHUNK) {
            let end = (start + MOMENT_CHUNK).min(len);
            self.walk(ctx, start, end, start == 0);
        }
    }

    #[inline(always)]
    fn walk(&mut self, ctx: &Context, start: usize, end: usize, first: bool) {
        let (m, max_n) = (ctx.m, ctx.max_n);
        let mut counter = vec![0usize; max_n + 1];
        let mut cur = vec![0usize; max_n + 1];
        let mut depth = 1;
        self.visit(ctx, (start, end, first), 1, 0, &mut counter);
        loop {
            if depth < max_n {
                depth += 1;
                cur[depth] = cur[depth - 1];
            } else {
                loop {
                    if cur[depth] + 1 < m {
                        cur[depth] += 1;
                        break;
                    }
                    depth -= 1;
                    if depth == 0 {
                        return;
                    }
                }
            }
            self.visit(ctx, (start, end, first), depth, cur[depth], &mut counter);
        }
    }

    /// Form the node (depth k, last index a) in prods[k] as its parent prods[k-1] times f_a (f_a
    /// itself at depth 1), and accumulate it if order k is wanted; the deepest level is only
    /// accumulated, never stored.
    #[inline(always)]
    fn visit(
        &mut self,
        ctx: &Context,
        (start, end, first): (usize, usize, bool),
        k: usize,
        a: usize,
        counter: &mut [usize],
    ) {
        let b = ctx.block_size;
        let len = end - start;
        let fa = &self.f[a * b + start..a * b + end];
        let (lower, upper) = self.prods.split_at_mut(k * MOMENT_CHUNK);
        let out = &mut upper[..len];
        let moments = if k == 1 {
            out.copy_from_slice(fa);
            ctx.want[1].then(|| lane_moments(out))
        } else {
            let parent = &lower[(k - 1) * MOMENT_CHUNK..(k - 1) * MOMENT_CHUNK + len];
            match (ctx.want[k], k < ctx.max_n) {
                (true, true) => Some(lane_product_moments(parent, fa, Some(out))),
                (true, false) => Some(lane_product_moments(parent, fa, None)),
                (false, _) => {
                    for ((c, p), v) in out.iter_mut().zip(parent).zip(fa) {
                        *c = p * v;
                    }
                    None
                }
            }
        };
        if let Some((s, q, mx)) = moments {
            let slot = ctx.offset[k] + counter[k];
            counter[k] += 1;
            if first {
                self.out.sum[slot] = s;
                self.out.sumsq[slot] = q;
                self.out.max_abs[slot] = mx;
            } else {
                self.out.sum[slot] += s;
                self.out.sumsq[slot] += q;
                self.out.max_abs[slot] = self.out.max_abs[slot].max(mx);
            }
        }
    }
}

/// Pairwise sum of 8 lanes in a fixed order.
#[inline(always)]
fn add8(a: [f64; 8]) -> f64 {
    ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]))
}

/// Largest of 8 lanes.
#[inline(always)]
fn max8(a: [f64; 8]) -> f64 {
    a.iter().fold(0.0f64, |m, &b| if b > m { b } else { m })
}

/// Running (sum, sum of squares, max |.|) in 8 fixed lanes plus a scalar tail.
struct Lanes {
    s: [f64; 8],
    q: [f64; 8],
    mx: [f64; 8],
    ts: f64,
    tq: f64,
    tm: f64,
}

impl Lanes {
    #[inline(always)]
    fn new() -> Self {
        Lanes {
            s: [0.0; 8],
            q: [0.0; 8],
            mx: [0.0; 8],
            ts: 0.0,
            tq: 0.0,
            tm: 0.0,
        }
    }

    #[inline(always)]
    fn add8(&mut self, c: &[f64; 8]) {
        for l in 0..8 {
            self.s[l] += c[l];
            self.q[l] += c[l] * c[l];
            let a = c[l].abs();
            self.mx[l] = if a > self.mx[l] { a } else { self.mx[l] };
        }
    }

    #[inline(always)]
    fn add_tail(&mut self, c: f64) {
        self.ts += c;
        self.tq += c * c;
        let a = c.abs();
        self.tm = if a > self.tm { a } else { self.tm };
    }

    /// (sum, sum of squares, max |.|): lanes pairwise, then the tail.
    #[inline(always)]
    fn finish(self) -> (f64, f64, f64) {
        let m = max8(self.mx);
        (
            add8(self.s) + self.ts,
            add8(self.q) + self.tq,
            if self.tm > m { self.tm } else { m },
        )
    }
}

/// (sum c, sum c^2, max |c|) of c_i = p_i v_i over 8 fixed lanes (and a scalar tail),
/// storing c in `out` if given.
#[inline(always)]
fn lane_product_moments(p: &[f64], v: &[f64], out: Option<&mut [f64]>) -> (f64, f64, f64) {
    let n = p.len().min(v.len());
    let full = n - n % 8;
    let mut acc = Lanes::new();
    match out {
        Some(out) => {
            let out = &mut out[..n];
            for ((pc, vc), oc) in p[..full]
                .chunks_exact(8)
                .zip(v[..full].chunks_exact(8))
                .zip(out[..full].chunks_exact_mut(8))
            {
                let pc: &[f64; 8] = pc.try_into().expect("chunk of 8");
                let vc: &[f64; 8] = vc.try_into().expect("chunk of 8");
                let oc: &mut [f64; 8] = oc.try_into().expect("chunk of 8");
                let mut c = [0.0; 8];
                for l in 0..8 {
                    c[l] = pc[l] * vc[l];
                }
                *oc = c;
                acc.add8(&c);
            }
            for i in full..n {
                let c = p[i] * v[i];
                out[i] = c;
                acc.add_tail(c);
            }
        }
        None => {
            for (pc, vc) in p[..full].chunks_exact(8).zip(v[..full].chunks_exact(8)) {
                let pc: &[f64; 8] = pc.try_into().expect("chunk of 8");
                let vc: &[f64; 8] = vc.try_into().expect("chunk of 8");
                let mut c = [0.0; 8];
                for l in 0..8 {
                    c[l] = pc[l] * vc[l];
                }
                acc.add8(&c);
            }
            for i in full..n {
                acc.add_tail(p[i] * v[i]);
            }
        }
    }
    acc.finish()
}

/// sum_j w_j p_j over 8 lanes (lane l takes j = 8k + l) and a scalar tail, in a fixed order.
#[inline(always)]
fn lane_dot(w: &[f64], p: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let mut wc = w.chunks_exact(8);
    let mut pc = p.chunks_exact(8);
    for (wv, pv) in (&mut wc).zip(&mut pc) {
        let wv: &[f64; 8] = wv.try_into().expect("chunk of 8");
        let pv: &[f64; 8] = pv.try_into().expect("chunk of 8");
        for l in 0..8 {
            acc[l] += wv[l] * pv[l];
        }
    }
    let mut tail = 0.0;
    for (wj, pj) in wc.remainder().iter().zip(pc.remainder()) {
        tail += wj * pj;
    }
    add8(acc) + tail
}

/// (sum p, sum p^2, max |p|) over 8 fixed lanes and a scalar tail.
#[inline(always)]
fn lane_moments(p: &[f64]) -> (f64, f64, f64) {
    let mut acc = Lanes::new();
    let mut c = p.chunks_exact(8);
    for v in &mut c {
        acc.add8(v.try_into().expect("chunk of 8"));
    }
    for &v in c.remainder() {
        acc.add_tail(v);
    }
    acc.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Settings;
    use nnqft_core::{InputSet, Network, multisets};

    /// Brute force: the same networks (same stream, same draw order), evaluated with libm and
    /// plain loops, their monomials summed naively.
    #[test]
    fn block_sums_match_a_plain_reimplementation() {
        for (arch, sb, d) in [
            (Arch::Erf, 1.0, 1),
            (Arch::Relu, 0.0, 1),
            (Arch::Gauss, 0.7, 2),
        ] {
            let net = Network::new(arch, 1.2, sb, d).unwrap();
            let xs = InputSet::new(
                (0..4)
                    .map(|a| {
                        (0..d)
                            .map(|k| 0.3 * a as f64 - 0.5 + 0.1 * k as f64)
                            .collect()
                    })
                    .collect(),
            )
            .unwrap();
            let width = 13;
            let settings = Settings::new(net, xs.clone(), width, &[2, 4, 6]).unwrap();
            let plan = crate::plan::Plan::with_block_size(settings, 2 * 37, 2, 9, 37).unwrap();
            let ctx = Context::new(&plan);
            let mut ws = Workspace::new(&ctx);
            let block = plan.block(1).unwrap();
            ws.run(&ctx, plan.seed, block);

            let mut rng = NormalStream::new(plan.seed, 1);
            let mut outs = vec![];
            for _ in 0..block.nets {
                let g = |r: &mut NormalStream| r.next();
                let b1 = if sb > 0.0 { sb * g(&mut rng) } else { 0.0 };
                let w0: Vec<f64> = (0..width * d).map(|_| g(&mut rng)).collect();
                let b0: Vec<f64> = if sb > 0.0 {
                    (0..width).map(|_| g(&mut rng)).collect()
                } else {
                    vec![0.0; width]
                };
                let w1: Vec<f64> = (0..width).map(|_| g(&mut rng)).collect();
                let f: Vec<f64> = (0..xs.len())
                    .map(|a| {
                        let x = xs.point(a);
                        b1 + (0..width)
                            .map(|j| {
                                let z = sb * b0[j]
                                    + (0..d)
                                        .map(|k| net.w0_scale() * w0[k * width + j] * x[k])
                                        .sum::<f64>();
                                net.w1_scale(width) * w1[j] * net.phi(z, x)
                            })
                            .sum::<f64>()
                    })
                    .collect();
                outs.push(f);
            }
            let mut slot = 0;
            for n in [2, 4, 6] {
                for idx in multisets(xs.len(), n) {
                    let ps: Vec<f64> = outs
                        .iter()
                        .map(|f| idx.iter().map(|&a| f[a]).product())
                        .collect();
                    let s: f64 = ps.iter().sum();
                    let q: f64 = ps.iter().map(|p| p * p).sum();
                    let mx = ps.iter().fold(0.0f64, |a, p| a.max(p.abs()));
                    let tol = 1e-11 * ps.iter().map(|p| p.abs()).sum::<f64>() + 1e-300;
                    assert!((ws.out.sum[slot] - s).abs() < tol, "{arch} {idx:?}");
                    assert!((ws.out.sumsq[slot] - q).abs() < 1e-11 * q + 1e-300);
                    assert!((ws.out.max_abs[slot] - mx).abs() < 1e-11 * mx + 1e-300);
                    slot += 1;
                }
            }
            assert_eq!(slot, ctx.total);
        }
    }

    /// The vectorized (dispatched) path and the portable path give the same bits.
    #[test]
    fn code_paths_agree_bit_for_bit() {
        for arch in Arch::ALL {
            let net = Network::paper(arch);
            let xs = InputSet::paper(arch, 1).unwrap();
            let settings = Settings::new(net, xs, 37, &[2, 4, 6]).unwrap();
            let plan = crate::plan::Plan::with_block_size(settings, 100, 1, 3, 100).unwrap();
            let ctx = Context::new(&plan);
            let block = plan.block(0).unwrap();
            let mut a = Workspace::new(&ctx);
            a.run(&ctx, plan.seed, block);
            let mut b = Workspace::new(&ctx);
            b.run_portable(&ctx, plan.seed, block);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&a.out.sum), bits(&b.out.sum), "{arch}");
            assert_eq!(bits(&a.out.sumsq), bits(&b.out.sumsq), "{arch}");
        }
    }
}
