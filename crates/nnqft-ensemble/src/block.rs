//! One RNG block: draw its networks, evaluate f at every input, and sum every monomial
//! f(x_i1)...f(x_in) (and its square, and track its largest magnitude) over the block's nets.
//!
//! Layout: structure of arrays with the networks innermost. A block is drawn in chunks of
//! [`Context::chunk`] networks; within a chunk every parameter (b1, each W0 component, each b0,
//! each W1) is one row over the chunk's nets, drawn row after row from the block's stream, so
//! the pre-activations, the activations and the readout are loops over nets that vectorize at
//! any width. The outputs of the block's nets are m rows of length B. The monomials are then
//! formed group by group ([`GROUP`] nets at a time) along a flat pre-order program of the
//! prefix tree of sorted multisets (each degree-k product is its degree-(k-1) parent times one
//! f), and summed into 8 lanes per entry in a fixed order, so the result does not depend on
//! which code path (AVX-512, AVX2 or baseline) runs: the paths differ only in vector width,
//! never in the arithmetic. Fused multiply-adds are written out (`f64::mul_add`) and are exact
//! on every path (hardware FMA on the AVX paths, a correctly rounded software fma otherwise).

// Fixed-lane loops `for l in 0..8` over arrays are deliberate: they vectorize as written.
#![allow(clippy::needless_range_loop)]
use crate::fastmath::{self, ErfCoeffs};
use crate::normal::NormalStream;
use crate::plan::{Block, Plan};
use nnqft_core::{Arch, SamplerKernel};

/// Nets per group of the moment walk: 8 vectors of 8 lanes.
const GROUP: usize = 64;
/// Largest chunk of nets drawn and evaluated together.
const MAX_CHUNK: usize = 64;
/// Pre-activations per chunk aimed at (m * N * chunk; sets the chunk for narrow networks).
const CHUNK_Z: usize = 4096;
/// Pre-activations per tile aimed at (m * units * chunk, 16 KB: half the L1 cache).
const TILE_Z: usize = 2048;
/// Slot of a program node whose order is not accumulated.
const NO_SLOT: u32 = u32::MAX;

/// The activation of one architecture, inlined into the vectorized loops.
pub(crate) trait Activation {
    /// z <- phi(z) elementwise.
    fn apply(z: &mut [f64], ctx: &Context);
}

struct ErfAct;
struct ReluAct;
struct ExpAct;
/// Any other architecture, through [`Arch::activation`] (not vectorized).
struct AnyAct;

impl Activation for ErfAct {
    #[inline(always)]
    fn apply(z: &mut [f64], ctx: &Context) {
        fastmath::erf_slice(z, &ctx.coeffs)
    }
}
impl Activation for ReluAct {
    #[inline(always)]
    fn apply(z: &mut [f64], _: &Context) {
        for v in z.iter_mut() {
            *v = v.max(0.0);
        }
    }
}
impl Activation for ExpAct {
    #[inline(always)]
    fn apply(z: &mut [f64], _: &Context) {
        fastmath::exp_slice(z)
    }
}
impl Activation for AnyAct {
    #[inline(always)]
    fn apply(z: &mut [f64], ctx: &Context) {
        for v in z.iter_mut() {
            *v = ctx.arch.activation(*v);
        }
    }
}

/// One inner node of the prefix tree in pre-order: the monomial stack[depth - 1] * f_input,
/// summed into `slot` if its order is wanted. Below the deepest level it is stored at
/// stack[depth] for its children; at the level just above the leaves it is kept in registers
/// and its leaf children (inputs input..m, slots leaf_slot.., all wanted) are formed at once.
#[derive(Clone, Copy, Debug)]
struct Node {
    depth: u8,
    /// Whether the children are leaves (depth == max_n - 1); else they are stored nodes.
    leaves: bool,
    input: u32,
    slot: u32,
    leaf_slot: u32,
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
    /// The prefix tree of sorted multisets up to degree max_n, in pre-order (children by
    /// increasing input), so each order's entries come in multiset order.
    program: Vec<Node>,
    pub(crate) total: usize,
    coeffs: ErfCoeffs,
    /// Row length of the outputs: block_size rounded up to a whole group.
    f_stride: usize,
    /// Nets per chunk of the draw (a multiple of 8, at most [`MAX_CHUNK`]).
    chunk: usize,
    /// Hidden units per tile of a chunk's evaluation (about [`CHUNK_Z`] pre-activations).
    tile: usize,
}

impl Context {
    pub(crate) fn new(plan: &Plan) -> Self {
        let s = &plan.settings;
        let net = s.network;
        let m = s.inputs.len();
        let max_n = *s.npt.last().expect("validated: npt is non-empty");
        let mut offset = vec![None; max_n + 1];
        let mut total = 0;
        for &n in &s.npt {
            offset[n] = Some(total);
            total += s.entries(n);
        }
        let program = prefix_program(m, max_n, &offset);
        let per_net = m * s.width;
        let chunk = (CHUNK_Z / per_net.max(1) / 8 * 8).clamp(8, MAX_CHUNK);
        let tile = (TILE_Z / (m * chunk)).clamp(1, s.width);
        Context {
            arch: net.arch(),
            width: s.width,
            d: net.d_in(),
            m,
            x: s.inputs.points().iter().flatten().copied().collect(),
            out_scale: s
                .inputs
                .points()
                .iter()
                .map(|p| net.output_scale(p))
                .collect(),
            w0_scale: net.w0_scale(),
            b_scale: net.sigma_b(),
            w1_scale: net.w1_scale(s.width),
            max_n,
            program,
            total,
            coeffs: *fastmath::erf_coeffs(),
            f_stride: plan.block_size.div_ceil(GROUP) * GROUP,
            chunk,
            tile,
        }
    }

    /// Parameter rows per hidden unit: W0 (d components), b0 (if sigma_b > 0), W1.
    fn unit_rows(&self) -> usize {
        self.d + usize::from(self.b_scale > 0.0) + 1
    }
}

/// The prefix tree of sorted multisets over `m` inputs up to degree `max_n` (at least 2), in
/// pre-order with children by increasing input, as inner nodes with leaf runs; `offset[k]` is
/// the first slot of order k if it is wanted (order max_n always is).
fn prefix_program(m: usize, max_n: usize, offset: &[Option<usize>]) -> Vec<Node> {
    let mut program = vec![];
    let mut counter = vec![0usize; max_n + 1];
    let leaf_offset = offset[max_n].expect("the highest order is wanted");
    let mut visit = |depth: usize, input: usize| {
        let slot = offset[depth].map_or(NO_SLOT, |o| {
            counter[depth] += 1;
            (o + counter[depth] - 1) as u32
        });
        let leaves = depth + 1 == max_n;
        let leaf_slot = if leaves {
            let first = leaf_offset + counter[max_n];
            counter[max_n] += m - input;
            first as u32
        } else {
            NO_SLOT
        };
        program.push(Node {
            depth: depth as u8,
            leaves,
            input: input as u32,
            slot,
            leaf_slot,
        });
    };
    // cur[k]: last input of the node at depth k; the walk stops above the leaves.
    let inner = max_n - 1;
    let mut cur = vec![0usize; max_n + 1];
    let mut depth = 1;
    visit(1, 0);
    loop {
        if depth < inner {
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
                    return program;
                }
            }
        }
        visit(depth, cur[depth]);
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
    /// b1[i]: output bias of net i of the chunk (c nets); all zero without biases.
    b1: Vec<f64>,
    /// The tile's parameters: W0[(k t + jj) c + i], then b0[jj c + i] (if sigma_b > 0), then
    /// W1[jj c + i], for unit j0 + jj of the tile and net i of the chunk.
    params: Vec<f64>,
    /// z[(a * t + jj) * c + i]: pre-activation, then activation, of unit j0 + jj of the tile
    /// at input a.
    z: Vec<f64>,
    /// hidden[a * c + i]: the hidden sum sum_j W1_j phi(z_aj) of net i of the chunk.
    hidden: Vec<f64>,
    /// f[a * f_stride + i]: output of net i of the block at input a (zero beyond the block).
    f: Vec<f64>,
    /// stack[k * GROUP + i]: the current degree-k monomial of net i of the group (k = 0: 1).
    stack: Vec<f64>,
    /// acc[24 s + l], acc[24 s + 8 + l], acc[24 s + 16 + l]: lane l's sum, sum of squares
    /// and largest magnitude of entry s.
    acc: Vec<f64>,
    pub(crate) out: BlockSums,
}

impl Workspace {
    pub(crate) fn new(ctx: &Context) -> Self {
        let mut stack = vec![0.0; (ctx.max_n + 1) * GROUP];
        stack[..GROUP].fill(1.0);
        Workspace {
            b1: vec![0.0; ctx.chunk],
            params: vec![0.0; ctx.unit_rows() * ctx.tile * ctx.chunk],
            z: vec![0.0; ctx.m * ctx.tile * ctx.chunk],
            hidden: vec![0.0; ctx.m * ctx.chunk],
            f: vec![0.0; ctx.m * ctx.f_stride],
            stack,
            acc: vec![0.0; 24 * ctx.total],
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
            if std::is_x86_feature_detected!("fma") {
                if std::is_x86_feature_detected!("avx512f") {
                    // SAFETY: the CPU supports AVX-512F and FMA (checked just above).
                    unsafe { self.run_avx512(ctx, seed, block) };
                    return;
                }
                if std::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU supports AVX2 and FMA (checked just above).
                    unsafe { self.run_avx2(ctx, seed, block) };
                    return;
                }
            }
        }
        self.run_portable(ctx, seed, block);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,fma")]
    unsafe fn run_avx512(&mut self, ctx: &Context, seed: u64, block: Block) {
        self.run_generic(ctx, seed, block);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
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
            if std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("fma") {
                // SAFETY: the CPU supports AVX-512F and FMA (checked just above).
                return unsafe { self.floor_avx512(ctx, seed, block) };
            }
        }
        self.floor_generic(ctx, seed, block)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,fma")]
    unsafe fn floor_avx512(&mut self, ctx: &Context, seed: u64, block: Block) -> f64 {
        self.floor_generic(ctx, seed, block)
    }

    #[inline(always)]
    fn floor_generic(&mut self, ctx: &Context, seed: u64, block: Block) -> f64 {
        #[allow(unreachable_patterns)]
        match ctx.arch.sampler_kernel() {
            SamplerKernel::Erf => self.chunks::<ErfAct>(ctx, seed, block, false),
            SamplerKernel::Relu => self.chunks::<ReluAct>(ctx, seed, block, false),
            SamplerKernel::Exp => self.chunks::<ExpAct>(ctx, seed, block, false),
            _ => self.chunks::<AnyAct>(ctx, seed, block, false),
        }
    }

    #[inline(always)]
    fn run_generic(&mut self, ctx: &Context, seed: u64, block: Block) {
        #[allow(unreachable_patterns)]
        match ctx.arch.sampler_kernel() {
            SamplerKernel::Erf => self.chunks::<ErfAct>(ctx, seed, block, true),
            SamplerKernel::Relu => self.chunks::<ReluAct>(ctx, seed, block, true),
            SamplerKernel::Exp => self.chunks::<ExpAct>(ctx, seed, block, true),
            _ => self.chunks::<AnyAct>(ctx, seed, block, true),
        };
        self.moments(ctx, block.nets);
    }

    /// Draw the block chunk by chunk and evaluate it tile by tile of hidden units: the
    /// pre-activations and activations of one tile, then (if `readout`) their terms of the
    /// hidden sums; at the end of a chunk the outputs go to `f`. Returns a checksum of the
    /// activations for the floor.
    #[inline(always)]
    fn chunks<A: Activation>(
        &mut self,
        ctx: &Context,
        seed: u64,
        block: Block,
        readout: bool,
    ) -> f64 {
        let mut rng = NormalStream::new(seed, block.index);
        let mut check = 0.0;
        let (m, n) = (ctx.m, ctx.width);
        for start in (0..block.nets).step_by(ctx.chunk) {
            let c = ctx.chunk.min(block.nets - start);
            // Without biases b1 keeps the zeros it was made with.
            if ctx.b_scale > 0.0 {
                rng.fill(&mut self.b1[..c]);
                self.b1[..c].iter_mut().for_each(|v| *v *= ctx.b_scale);
            }
            self.hidden[..m * c].fill(0.0);
            for j0 in (0..n).step_by(ctx.tile) {
                let t = ctx.tile.min(n - j0);
                let params = &mut self.params[..ctx.unit_rows() * t * c];
                draw_tile(ctx, &mut rng, params, c, t);
                let z = &mut self.z[..m * t * c];
                preactivations(ctx, params, z, c, t);
                A::apply(z, ctx);
                if readout {
                    hidden_sums(ctx, params, z, &mut self.hidden[..m * c], c, t);
                } else {
                    check += z[z.len() - 1];
                }
            }
            if readout {
                self.outputs(ctx, start, c);
            }
        }
        check
    }

    /// f(x_a) = b1 + scale_a * h_a for the chunk's nets, h_a the hidden sum.
    #[inline(always)]
    fn outputs(&mut self, ctx: &Context, start: usize, c: usize) {
        let b1 = &self.b1[..c];
        for a in 0..ctx.m {
            let h = &self.hidden[a * c..(a + 1) * c];
            let scale = ctx.out_scale[a];
            let f = &mut self.f[a * ctx.f_stride + start..a * ctx.f_stride + start + c];
            for ((fi, hi), b) in f.iter_mut().zip(h).zip(b1) {
                *fi = b + scale * hi;
            }
        }
    }

    /// Sums, sums of squares and maxima of every requested monomial over the block's first
    /// `len` nets: the prefix program run on each group of [`GROUP`] nets (the outputs beyond
    /// `len` set to zero, which adds nothing), summed into 8 lanes per entry; the lanes are
    /// added pairwise at the end.
    #[inline(always)]
    fn moments(&mut self, ctx: &Context, len: usize) {
        let padded = len.div_ceil(GROUP) * GROUP;
        for a in 0..ctx.m {
            self.f[a * ctx.f_stride + len..a * ctx.f_stride + padded].fill(0.0);
        }
        let m = ctx.m;
        for g in (0..padded).step_by(GROUP) {
            for node in &ctx.program {
                let k = node.depth as usize;
                let at = node.input as usize * ctx.f_stride + g;
                let fa: &[f64; GROUP] = self.f[at..at + GROUP].try_into().expect("group");
                let (lower, upper) = self.stack.split_at_mut(k * GROUP);
                let parent: &[f64; GROUP] = lower[(k - 1) * GROUP..].try_into().expect("group");
                if node.leaves {
                    // Kept in registers for its leaf children.
                    let mut c = [0.0; GROUP];
                    for i in 0..GROUP {
                        c[i] = parent[i] * fa[i];
                    }
                    if node.slot != NO_SLOT {
                        accumulate(&mut self.acc, node.slot as usize, &c);
                    }
                    for (t, b) in (node.input as usize..m).enumerate() {
                        let at = b * ctx.f_stride + g;
                        let fb: &[f64; GROUP] = self.f[at..at + GROUP].try_into().expect("group");
                        let mut leaf = [0.0; GROUP];
                        for i in 0..GROUP {
                            leaf[i] = c[i] * fb[i];
                        }
                        accumulate(&mut self.acc, node.leaf_slot as usize + t, &leaf);
                    }
                } else {
                    // Stored for its children.
                    let mut c = [0.0; GROUP];
                    for i in 0..GROUP {
                        c[i] = parent[i] * fa[i];
                    }
                    if node.slot != NO_SLOT {
                        accumulate(&mut self.acc, node.slot as usize, &c);
                    }
                    // Vector by vector (one 64-byte move each, not a call to memcpy).
                    for (u, v) in upper[..GROUP].chunks_exact_mut(8).zip(c.chunks_exact(8)) {
                        let u: &mut [f64; 8] = u.try_into().expect("8");
                        *u = v.try_into().expect("8");
                    }
                }
            }
        }
        // Lanes added pairwise; the accumulators are cleared for the next block on the way.
        for s in 0..ctx.total {
            let acc: &mut [f64; 24] = (&mut self.acc[24 * s..24 * s + 24]).try_into().expect("24");
            self.out.sum[s] = add8(acc[..8].try_into().expect("8"));
            self.out.sumsq[s] = add8(acc[8..16].try_into().expect("8"));
            self.out.max_abs[s] = max8(acc[16..].try_into().expect("8")).sqrt();
            *acc = [0.0; 24];
        }
    }
}

/// Draw the parameters of one tile of t hidden units for the chunk's c nets, in the order of
/// the layout: W0 (component k, unit, net), b0 (unit, net; if sigma_b > 0), W1 (unit, net);
/// each scaled to its standard deviation.
#[inline(always)]
fn draw_tile(ctx: &Context, rng: &mut NormalStream, params: &mut [f64], c: usize, t: usize) {
    rng.fill(params);
    let (w0, rest) = params.split_at_mut(ctx.d * t * c);
    let (b0, w1) = rest.split_at_mut(if ctx.b_scale > 0.0 { t * c } else { 0 });
    w0.iter_mut().for_each(|v| *v *= ctx.w0_scale);
    b0.iter_mut().for_each(|v| *v *= ctx.b_scale);
    w1.iter_mut().for_each(|v| *v *= ctx.w1_scale);
}

/// Pre-activations z[(a t + jj) c + i] = b0_j + sum_k W0_kj x_ak of the chunk's c nets for
/// the tile's t units: fused multiply-adds in order of k starting from b0 (0 without biases).
#[inline(always)]
fn preactivations(ctx: &Context, params: &[f64], z: &mut [f64], c: usize, t: usize) {
    let (d, tc) = (ctx.d, t * c);
    let w = |k: usize| &params[k * tc..(k + 1) * tc];
    let b0 = (ctx.b_scale > 0.0).then(|| &params[d * tc..(d + 1) * tc]);
    for a in 0..ctx.m {
        let zr = &mut z[a * tc..(a + 1) * tc];
        let x0 = ctx.x[a * d];
        match b0 {
            Some(b0) => {
                for ((zi, wi), bi) in zr.iter_mut().zip(w(0)).zip(b0) {
                    *zi = wi.mul_add(x0, *bi);
                }
            }
            None => {
                for (zi, wi) in zr.iter_mut().zip(w(0)) {
                    *zi = wi.mul_add(x0, 0.0);
                }
            }
        }
        for k in 1..d {
            let xk = ctx.x[a * d + k];
            for (zi, wi) in zr.iter_mut().zip(w(k)) {
                *zi = wi.mul_add(xk, *zi);
            }
        }
    }
}

/// The tile's terms of the hidden sums: h[a c + i] += W1_j phi(z_aj), in order of j (fused
/// multiply-adds), so the sums do not depend on the tiling.
#[inline(always)]
fn hidden_sums(ctx: &Context, params: &[f64], phi: &[f64], h: &mut [f64], c: usize, t: usize) {
    let tc = t * c;
    let w1 = &params[(ctx.unit_rows() - 1) * tc..ctx.unit_rows() * tc];
    for a in 0..ctx.m {
        let h = &mut h[a * c..(a + 1) * c];
        let phi = &phi[a * tc..(a + 1) * tc];
        if c.is_multiple_of(8) {
            // Eight nets at a time, the running sums held in one vector across the units.
            for (l, hl) in h.chunks_exact_mut(8).enumerate() {
                let mut acc: [f64; 8] = (&*hl).try_into().expect("8");
                for jj in 0..t {
                    let at = jj * c + 8 * l;
                    let w: &[f64; 8] = w1[at..at + 8].try_into().expect("8");
                    let p: &[f64; 8] = phi[at..at + 8].try_into().expect("8");
                    for i in 0..8 {
                        acc[i] = w[i].mul_add(p[i], acc[i]);
                    }
                }
                hl.copy_from_slice(&acc);
            }
        } else {
            for jj in 0..t {
                let p = &phi[jj * c..(jj + 1) * c];
                let w = &w1[jj * c..(jj + 1) * c];
                for ((hi, wi), pi) in h.iter_mut().zip(w).zip(p) {
                    *hi = wi.mul_add(*pi, *hi);
                }
            }
        }
    }
}

/// Add one group's monomials c (8 vectors of 8 nets) to entry `slot`'s lanes: the vectors
/// are summed pairwise, then added to the running lane sum; likewise their squares; the lane
/// maxima take the largest square (the block reports its square root, the largest |c|).
#[inline(always)]
fn accumulate(acc: &mut [f64], slot: usize, c: &[f64; GROUP]) {
    let acc: &mut [f64; 24] = (&mut acc[24 * slot..24 * slot + 24])
        .try_into()
        .expect("24");
    let max = |a: f64, b: f64| if a > b { a } else { b };
    for l in 0..8 {
        let v = |k: usize| c[8 * k + l];
        let q = |k: usize| v(k) * v(k);
        let s = ((v(0) + v(1)) + (v(2) + v(3))) + ((v(4) + v(5)) + (v(6) + v(7)));
        // Squares summed pairwise, each pair as one product plus one fused multiply-add.
        let sq2 = |k: usize| v(k + 1).mul_add(v(k + 1), q(k));
        let sq = (sq2(0) + sq2(2)) + (sq2(4) + sq2(6));
        let mx = max(
            max(max(q(0), q(1)), max(q(2), q(3))),
            max(max(q(4), q(5)), max(q(6), q(7))),
        );
        acc[l] += s;
        acc[8 + l] += sq;
        acc[16 + l] = max(acc[16 + l], mx);
    }
}

/// Pairwise sum of 8 lanes in a fixed order.
#[inline(always)]
fn add8(a: &[f64; 8]) -> f64 {
    ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]))
}

/// Largest of 8 lanes.
#[inline(always)]
fn max8(a: &[f64; 8]) -> f64 {
    a.iter().fold(0.0f64, |m, &b| if b > m { b } else { m })
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
        // Width 13: the block is one partial chunk; width 70: several chunks of 8 nets.
        for (arch, sb, d, width) in [
            (Arch::Erf, 1.0, 1, 13),
            (Arch::Relu, 0.0, 1, 13),
            (Arch::Gauss, 0.7, 2, 13),
            (Arch::Erf, 0.4, 2, 70),
            (Arch::Relu, 0.0, 1, 70),
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
            let settings = Settings::new(net, xs.clone(), width, &[2, 4, 6]).unwrap();
            let plan = crate::plan::Plan::with_block_size(settings, 2 * 37, 2, 9, 37).unwrap();
            let ctx = Context::new(&plan);
            let mut ws = Workspace::new(&ctx);
            let block = plan.block(1).unwrap();
            ws.run(&ctx, plan.seed, block);

            // Parameters are drawn per chunk of nets: b1 (if sigma_b > 0) over the chunk's
            // nets, then tile by tile of hidden units: W0 (component, unit, net), b0 (unit, net;
            // if sigma_b > 0), W1 (unit, net).
            let mut rng = NormalStream::new(plan.seed, 1);
            let mut outs = vec![];
            let nb = usize::from(sb > 0.0);
            for start in (0..block.nets).step_by(ctx.chunk) {
                let c = ctx.chunk.min(block.nets - start);
                let mut row = |len: usize| (0..len).map(|_| rng.next()).collect::<Vec<f64>>();
                let b1 = if sb > 0.0 { row(c) } else { vec![0.0; c] };
                // (w0[k][j][i], b0[j][i], w1[j][i]) over the whole width.
                let mut w0 = vec![vec![vec![0.0; c]; width]; d];
                let mut b0 = vec![vec![0.0; c]; width];
                let mut w1 = vec![vec![0.0; c]; width];
                for j0 in (0..width).step_by(ctx.tile) {
                    let t = ctx.tile.min(width - j0);
                    let p = row((d + nb + 1) * t * c);
                    for jj in 0..t {
                        for i in 0..c {
                            for k in 0..d {
                                w0[k][j0 + jj][i] = p[(k * t + jj) * c + i];
                            }
                            if sb > 0.0 {
                                b0[j0 + jj][i] = p[(d * t + jj) * c + i];
                            }
                            w1[j0 + jj][i] = p[((d + nb) * t + jj) * c + i];
                        }
                    }
                }
                for i in 0..c {
                    let f: Vec<f64> = (0..xs.len())
                        .map(|a| {
                            let x = xs.point(a);
                            sb * b1[i]
                                + (0..width)
                                    .map(|j| {
                                        let z = sb * b0[j][i]
                                            + (0..d)
                                                .map(|k| net.w0_scale() * w0[k][j][i] * x[k])
                                                .sum::<f64>();
                                        net.w1_scale(width) * w1[j][i] * net.phi(z, x)
                                    })
                                    .sum::<f64>()
                        })
                        .collect();
                    outs.push(f);
                }
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
        // Width 10: one tile of a 64-net chunk; 37: two tiles; 300: chunks of 8, many tiles.
        for (arch, width) in Arch::ALL
            .into_iter()
            .flat_map(|a| [(a, 10), (a, 37), (a, 300)])
        {
            let net = Network::paper(arch);
            let xs = InputSet::paper(arch, 1).unwrap();
            let settings = Settings::new(net, xs, width, &[2, 4, 6]).unwrap();
            let plan = crate::plan::Plan::with_block_size(settings, 100, 1, 3, 100).unwrap();
            let ctx = Context::new(&plan);
            let block = plan.block(0).unwrap();
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            let mut a = Workspace::new(&ctx);
            a.run(&ctx, plan.seed, block);
            let mut others = vec![];
            let mut b = Workspace::new(&ctx);
            b.run_portable(&ctx, plan.seed, block);
            others.push(("portable", b));
            #[cfg(target_arch = "x86_64")]
            if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
                let mut c = Workspace::new(&ctx);
                // SAFETY: the CPU supports AVX2 and FMA (checked just above).
                unsafe { c.run_avx2(&ctx, plan.seed, block) };
                others.push(("avx2", c));
            }
            for (path, b) in &others {
                assert_eq!(bits(&a.out.sum), bits(&b.out.sum), "{arch} {width} {path}");
                assert_eq!(
                    bits(&a.out.sumsq),
                    bits(&b.out.sumsq),
                    "{arch} {width} {path}"
                );
                assert_eq!(
                    bits(&a.out.max_abs),
                    bits(&b.out.max_abs),
                    "{arch} {width} {path}"
                );
            }
        }
    }
}
