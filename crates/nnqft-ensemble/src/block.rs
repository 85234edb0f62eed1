//! One RNG block of the network kernel: draw its networks, evaluate f at every input (direct
//! estimator) or the entries of the random kernel Q (conditional estimator), and hand these
//! per-net values to the moment walk ([`crate::program`]).
//!
//! Layout: structure of arrays with the networks innermost. A block is drawn in chunks of
//! [`Context::chunk`] networks; within a chunk every parameter (b1, each W0 component, each b0,
//! each W1) is one row over the chunk's nets, drawn row after row from the block's stream, so
//! the pre-activations, the activations and the readout are loops over nets that vectorize at
//! any width. The outputs of the block's nets are m rows of length B. The conditional
//! estimator draws neither b1 nor W1: it sums phi_j(x_a) phi_j(x_b) over the units for every
//! pair a <= b and hands on the centered entries Q'_ab = Q_ab - K_ab (m(m+1)/2 rows).
//! Everything runs at the instruction level detected once ([`SimdLevel`]); the levels differ
//! only in vector width,
//! never in the arithmetic. Fused multiply-adds are written out (`f64::mul_add`) and are exact
//! on every level (hardware FMA on the AVX levels, a correctly rounded software fma otherwise).

// Fixed-lane loops `for l in 0..8` over arrays are deliberate: they vectorize as written.
#![allow(clippy::needless_range_loop)]
use crate::fastmath::{self, ActCoeffs, ErfCoeffs};
use crate::normal::NormalStream;
use crate::plan::{Block, Estimator, Plan};
use crate::program::{BlockSums, GROUP, MomentWalk, Program};
use crate::simd::{Kernel, SimdLevel, dispatch};
use nnqft_core::{Arch, BiasDist, SamplerKernel};

/// Largest chunk of nets drawn and evaluated together.
const MAX_CHUNK: usize = 64;
/// Pre-activations per chunk aimed at (m * N * chunk; sets the chunk for narrow networks).
const CHUNK_Z: usize = 4096;
/// Pre-activations per tile aimed at (m * units * chunk, 16 KB: half the L1 cache).
const TILE_Z: usize = 2048;

/// z <- phi(z) elementwise for `arch`: the one place that maps an architecture to its
/// vectorized activation kernel (inlined into the tile loop of every instruction level).
/// Each kernel is branch-free f64 arithmetic over the row ([`fastmath`]); a user-defined
/// activation ([`SamplerKernel::Scalar`]) calls its scalar function per element. The deep
/// sampler ([`crate::deep`]) calls it too, so every layer of every depth uses these kernels.
#[inline(always)]
pub(crate) fn activate(arch: Arch, z: &mut [f64], coeffs: &ErfCoeffs, act: &ActCoeffs) {
    match arch.sampler_kernel() {
        SamplerKernel::Erf => fastmath::erf_slice(z, coeffs),
        SamplerKernel::Relu => z.iter_mut().for_each(|v| *v = v.max(0.0)),
        SamplerKernel::Exp => fastmath::exp_slice(z),
        SamplerKernel::Linear => {}
        SamplerKernel::Abs => z.iter_mut().for_each(|v| *v = v.abs()),
        SamplerKernel::LeakyRelu(a) => z
            .iter_mut()
            .for_each(|v| *v = if *v > 0.0 { *v } else { a * *v }),
        SamplerKernel::Tanh => fastmath::map_slice::<fastmath::Tanh>(z, act),
        SamplerKernel::Sigmoid => fastmath::map_slice::<fastmath::Sigmoid>(z, act),
        SamplerKernel::Silu => fastmath::map_slice::<fastmath::Silu>(z, act),
        SamplerKernel::Softplus => fastmath::map_slice::<fastmath::Softplus>(z, act),
        SamplerKernel::Gelu => fastmath::map_slice::<fastmath::Gelu>(z, act),
        SamplerKernel::Sin => fastmath::map_slice::<fastmath::Sin>(z, act),
        SamplerKernel::Cos => fastmath::map_slice::<fastmath::Cos>(z, act),
        // A user-defined activation (or a kernel added later): the scalar function.
        _ => z.iter_mut().for_each(|v| *v = arch.activation(*v)),
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
    /// sigma_b: the scale of b1, and of a normal b0.
    b_scale: f64,
    /// Whether each unit has a hidden bias b0 (a normal one with sigma_b > 0, or a uniform one).
    has_b0: bool,
    /// b0 uniform on [-pi, pi] (else Normal(0, sigma_b^2)).
    uniform_b0: bool,
    w1_scale: f64,
    /// Whether the conditional estimator runs (Q's entries, no output layer).
    conditional: bool,
    /// Rows handed to the moment walk: m outputs, or the m(m+1)/2 entries of Q.
    rows: usize,
    /// Per entry p = (a, b) of Q (in multiset order): Q'_p = q_scale_p H_p - q_center_p with
    /// H_p = sum_j phi_j(x_a) phi_j(x_b), q_scale_p = (sW^2/N) scale_a scale_b and
    /// q_center_p = K_ab - sb^2 (so Q'_p = Q_ab - K_ab).
    q_scale: Vec<f64>,
    q_center: Vec<f64>,
    /// The monomials summed per block (each order's entries in multiset order).
    pub(crate) program: Program,
    coeffs: ErfCoeffs,
    /// The other smooth activations' coefficients.
    act: ActCoeffs,
    /// Row length of the outputs: block_size rounded up to a whole group.
    f_stride: usize,
    /// Nets per chunk of the draw (a multiple of 8, at most [`MAX_CHUNK`]).
    chunk: usize,
    /// Hidden units per tile of a chunk's evaluation (about [`CHUNK_Z`] pre-activations).
    tile: usize,
    /// The instruction level every block runs at.
    pub(crate) level: SimdLevel,
}

impl Context {
    pub(crate) fn new(plan: &Plan) -> Self {
        let s = &plan.settings;
        let net = s.network;
        let m = s.inputs.len();
        let conditional = s.estimator == Estimator::Conditional;
        let rows = s.accumulator_rows();
        let program = Program::new(rows, &s.accumulator_degrees());
        let out_scale: Vec<f64> = s
            .inputs
            .points()
            .iter()
            .map(|p| net.output_scale(p))
            .collect();
        let kernel = net.kernel_matrix(&s.inputs);
        let w1_scale = net.w1_scale(s.width);
        let pairs = || (0..m).flat_map(|a| (a..m).map(move |b| (a, b)));
        let q_scale = pairs()
            .map(|(a, b)| w1_scale * w1_scale * out_scale[a] * out_scale[b])
            .collect();
        let q_center = pairs()
            .map(|(a, b)| kernel[(a, b)] - net.sigma_b() * net.sigma_b())
            .collect();
        let per_net = m * s.width;
        let chunk = (CHUNK_Z / per_net.max(1) / 8 * 8).clamp(8, MAX_CHUNK);
        let tile = (TILE_Z / (m * chunk)).clamp(1, s.width);
        Context {
            arch: net.arch(),
            width: s.width,
            d: net.d_in(),
            m,
            x: s.inputs.points().iter().flatten().copied().collect(),
            out_scale,
            w0_scale: net.w0_scale(),
            b_scale: net.sigma_b(),
            has_b0: net.bias() == BiasDist::Uniform || net.sigma_b() > 0.0,
            uniform_b0: net.bias() == BiasDist::Uniform,
            w1_scale,
            conditional,
            rows,
            q_scale,
            q_center,
            program,
            coeffs: *fastmath::erf_coeffs(),
            act: *fastmath::act_coeffs(),
            f_stride: plan.block_size.div_ceil(GROUP) * GROUP,
            chunk,
            tile,
            level: SimdLevel::detect(),
        }
    }

    /// Parameter rows per hidden unit: W0 (d components), b0 (if uniform, or normal with
    /// sigma_b > 0), W1 (direct estimator only).
    fn unit_rows(&self) -> usize {
        self.d + usize::from(self.has_b0) + usize::from(!self.conditional)
    }

    /// Rows of the hidden sums: the m sums sum_j W1_j phi_j(x_a) (direct) or the m(m+1)/2
    /// sums sum_j phi_j(x_a) phi_j(x_b) (conditional).
    fn hidden_rows(&self) -> usize {
        if self.conditional { self.rows } else { self.m }
    }
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
    /// hidden[r * c + i]: hidden sum r of net i of the chunk ([`Context::hidden_rows`]).
    hidden: Vec<f64>,
    /// f[r * f_stride + i]: per-net value r of net i of the block (the output at input r, or
    /// Q's entry r centered; zero beyond the block).
    f: Vec<f64>,
    /// The moment walk over `f`, and the block's sums.
    walk: MomentWalk,
}

impl Workspace {
    pub(crate) fn new(ctx: &Context) -> Self {
        Workspace {
            b1: vec![0.0; ctx.chunk],
            params: vec![0.0; ctx.unit_rows() * ctx.tile * ctx.chunk],
            z: vec![0.0; ctx.m * ctx.tile * ctx.chunk],
            hidden: vec![0.0; ctx.hidden_rows() * ctx.chunk],
            f: vec![0.0; ctx.rows * ctx.f_stride],
            walk: MomentWalk::new(&ctx.program),
        }
    }

    /// The sums of the last block run.
    pub(crate) fn out(&self) -> &BlockSums {
        &self.walk.out
    }

    /// Draw block `block`'s networks from the stream of (seed, block index) and compute
    /// their sums (then in [`Workspace::out`]), at the context's instruction level.
    pub(crate) fn run(&mut self, ctx: &Context, seed: u64, block: Block) {
        let run = BlockRun {
            ws: self,
            ctx,
            seed,
            block,
            readout: true,
        };
        dispatch(ctx.level, run);
    }

    /// The floor of a block: the same draws, pre-activations and activations at the same
    /// instruction level, but neither the readout nor the moments. Returns a checksum (so that
    /// nothing is optimized away).
    pub(crate) fn run_floor(&mut self, ctx: &Context, seed: u64, block: Block) -> f64 {
        let run = BlockRun {
            ws: self,
            ctx,
            seed,
            block,
            readout: false,
        };
        dispatch(ctx.level, run)
    }

    /// Draw the block chunk by chunk and evaluate it tile by tile of hidden units: the
    /// pre-activations and activations of one tile, then (if `readout`) their terms of the
    /// hidden sums; at the end of a chunk the outputs go to `f`. Returns a checksum of the
    /// activations for the floor.
    #[inline(always)]
    fn chunks(&mut self, ctx: &Context, seed: u64, block: Block, readout: bool) -> f64 {
        let mut rng = NormalStream::with_level(seed, block.index, ctx.level);
        let mut check = 0.0;
        let (m, n, h) = (ctx.m, ctx.width, ctx.hidden_rows());
        for start in (0..block.nets).step_by(ctx.chunk) {
            let c = ctx.chunk.min(block.nets - start);
            // Without biases b1 keeps the zeros it was made with; the conditional estimator
            // never draws it.
            if ctx.b_scale > 0.0 && !ctx.conditional {
                rng.fill(&mut self.b1[..c]);
                self.b1[..c].iter_mut().for_each(|v| *v *= ctx.b_scale);
            }
            self.hidden[..h * c].fill(0.0);
            for j0 in (0..n).step_by(ctx.tile) {
                let t = ctx.tile.min(n - j0);
                let params = &mut self.params[..ctx.unit_rows() * t * c];
                draw_tile(ctx, &mut rng, params, c, t);
                let z = &mut self.z[..m * t * c];
                preactivations(ctx, params, z, c, t);
                activate(ctx.arch, z, &ctx.coeffs, &ctx.act);
                if readout && ctx.conditional {
                    let wide = ctx.level == SimdLevel::Avx512;
                    kernel_sums(m, z, &mut self.hidden[..h * c], c, t, wide);
                } else if readout {
                    hidden_sums(ctx, params, z, &mut self.hidden[..m * c], c, t);
                } else {
                    check += z[z.len() - 1];
                }
            }
            if readout && ctx.conditional {
                self.kernel_entries(ctx, start, c);
            } else if readout {
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

    /// Q'_p = q_scale_p H_p - q_center_p (one fused multiply-add) for the chunk's nets.
    #[inline(always)]
    fn kernel_entries(&mut self, ctx: &Context, start: usize, c: usize) {
        for p in 0..ctx.rows {
            let h = &self.hidden[p * c..(p + 1) * c];
            let (scale, center) = (ctx.q_scale[p], -ctx.q_center[p]);
            let f = &mut self.f[p * ctx.f_stride + start..p * ctx.f_stride + start + c];
            for (fi, hi) in f.iter_mut().zip(h) {
                *fi = scale.mul_add(*hi, center);
            }
        }
    }
}

/// One block as a kernel for [`dispatch`]: with `readout`, the draws, the per-net values
/// and their moment sums; without, the floor (draws and activations; returns a checksum).
struct BlockRun<'a> {
    ws: &'a mut Workspace,
    ctx: &'a Context,
    seed: u64,
    block: Block,
    readout: bool,
}

impl Kernel for BlockRun<'_> {
    type Output = f64;
    #[inline(always)]
    fn run(self) -> f64 {
        let BlockRun {
            ws,
            ctx,
            seed,
            block,
            readout,
        } = self;
        let check = ws.chunks(ctx, seed, block, readout);
        if readout {
            ws.walk
                .run(&ctx.program, &mut ws.f, ctx.f_stride, block.nets);
        }
        check
    }
}

/// Draw the parameters of one tile of t hidden units for the chunk's c nets, in the order of
/// the layout: W0 (component k, unit, net), b0 (unit, net; if the unit has one), W1 (unit,
/// net; direct estimator only); each a standard normal n of the stream scaled to its standard
/// deviation, except a uniform b0 = pi erf(n / sqrt 2) = pi (2 Phi(n) - 1), uniform on
/// [-pi, pi] because Phi(n) is uniform on [0, 1] (the same stream position either way, and
/// erf is the bit-identical [`fastmath::erf_slice`]).
#[inline(always)]
fn draw_tile(ctx: &Context, rng: &mut NormalStream, params: &mut [f64], c: usize, t: usize) {
    rng.fill(params);
    let (w0, rest) = params.split_at_mut(ctx.d * t * c);
    let (b0, w1) = rest.split_at_mut(if ctx.has_b0 { t * c } else { 0 });
    w0.iter_mut().for_each(|v| *v *= ctx.w0_scale);
    if ctx.uniform_b0 {
        b0.iter_mut()
            .for_each(|v| *v *= std::f64::consts::FRAC_1_SQRT_2);
        fastmath::erf_slice(b0, &ctx.coeffs);
        b0.iter_mut().for_each(|v| *v *= std::f64::consts::PI);
    } else {
        b0.iter_mut().for_each(|v| *v *= ctx.b_scale);
    }
    w1.iter_mut().for_each(|v| *v *= ctx.w1_scale);
}

/// The tile's terms of the kernel sums: h[p c + i] += phi(z_aj) phi(z_bj) for every entry
/// p = (a, b), a <= b, of Q (multiset order), in order of j (fused multiply-adds, phi_a
/// times phi_b), so the sums depend neither on the tiling nor on the loop order below. For
/// whole vectors of 8 nets, with `wide` registers (32 of 8 lanes) and at most 6 inputs, all
/// m(m+1)/2 running sums are held in registers across the units ([`all_pairs`]); else the
/// pairs of one row a are taken up to [`PAIR_BATCH`] at a time.
#[inline(always)]
fn kernel_sums(m: usize, phi: &[f64], h: &mut [f64], c: usize, t: usize, wide: bool) {
    let tc = t * c;
    if c.is_multiple_of(8) && wide && m <= 6 {
        for l in 0..c / 8 {
            match m {
                1 => all_pairs::<1, 1>(phi, h, c, t, l),
                2 => all_pairs::<2, 3>(phi, h, c, t, l),
                3 => all_pairs::<3, 6>(phi, h, c, t, l),
                4 => all_pairs::<4, 10>(phi, h, c, t, l),
                5 => all_pairs::<5, 15>(phi, h, c, t, l),
                _ => all_pairs::<6, 21>(phi, h, c, t, l),
            }
        }
    } else if c.is_multiple_of(8) {
        for l in 0..c / 8 {
            let mut first = 0;
            for a in 0..m {
                for b0 in (a..m).step_by(PAIR_BATCH) {
                    let p = first + b0 - a;
                    match (m - b0).min(PAIR_BATCH) {
                        1 => pair_batch::<1>(phi, h, c, t, tc, l, a, b0, p),
                        2 => pair_batch::<2>(phi, h, c, t, tc, l, a, b0, p),
                        3 => pair_batch::<3>(phi, h, c, t, tc, l, a, b0, p),
                        4 => pair_batch::<4>(phi, h, c, t, tc, l, a, b0, p),
                        5 => pair_batch::<5>(phi, h, c, t, tc, l, a, b0, p),
                        _ => pair_batch::<PAIR_BATCH>(phi, h, c, t, tc, l, a, b0, p),
                    }
                }
                first += m - a;
            }
        }
    } else {
        let mut p = 0;
        for a in 0..m {
            for b in a..m {
                let hp = &mut h[p * c..(p + 1) * c];
                for jj in 0..t {
                    let x = &phi[a * tc + jj * c..a * tc + (jj + 1) * c];
                    let y = &phi[b * tc + jj * c..b * tc + (jj + 1) * c];
                    for ((hi, xi), yi) in hp.iter_mut().zip(x).zip(y) {
                        *hi = xi.mul_add(*yi, *hi);
                    }
                }
                p += 1;
            }
        }
    }
}

/// The sums of all P = M(M+1)/2 entries of Q for nets 8 l..8 l + 8: the M activation
/// vectors of each unit loaded once, the P running sums in registers.
#[inline(always)]
fn all_pairs<const M: usize, const P: usize>(
    phi: &[f64],
    h: &mut [f64],
    c: usize,
    t: usize,
    l: usize,
) {
    let tc = t * c;
    let mut acc = [[0.0f64; 8]; P];
    for p in 0..P {
        acc[p] = h[p * c + 8 * l..p * c + 8 * l + 8].try_into().expect("8");
    }
    for jj in 0..t {
        let at = jj * c + 8 * l;
        let mut x = [[0.0f64; 8]; M];
        for a in 0..M {
            x[a] = phi[a * tc + at..a * tc + at + 8].try_into().expect("8");
        }
        let mut p = 0;
        for a in 0..M {
            for b in a..M {
                for i in 0..8 {
                    acc[p][i] = x[a][i].mul_add(x[b][i], acc[p][i]);
                }
                p += 1;
            }
        }
    }
    for p in 0..P {
        h[p * c + 8 * l..p * c + 8 * l + 8].copy_from_slice(&acc[p]);
    }
}

/// Pairs of one row of [`kernel_sums`] per batch (their sums fit the vector registers).
const PAIR_BATCH: usize = 6;

/// The sums of entries p.. = (a, b0), ..., (a, b0 + B - 1) for nets 8 l..8 l + 8.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn pair_batch<const B: usize>(
    phi: &[f64],
    h: &mut [f64],
    c: usize,
    t: usize,
    tc: usize,
    l: usize,
    a: usize,
    b0: usize,
    p: usize,
) {
    let mut acc = [[0.0f64; 8]; B];
    for q in 0..B {
        acc[q] = h[(p + q) * c + 8 * l..(p + q) * c + 8 * l + 8]
            .try_into()
            .expect("8");
    }
    for jj in 0..t {
        let at = jj * c + 8 * l;
        let x: &[f64; 8] = phi[a * tc + at..a * tc + at + 8].try_into().expect("8");
        for q in 0..B {
            let b = b0 + q;
            let y: &[f64; 8] = phi[b * tc + at..b * tc + at + 8].try_into().expect("8");
            for i in 0..8 {
                acc[q][i] = x[i].mul_add(y[i], acc[q][i]);
            }
        }
    }
    for q in 0..B {
        h[(p + q) * c + 8 * l..(p + q) * c + 8 * l + 8].copy_from_slice(&acc[q]);
    }
}

/// Pre-activations z[(a t + jj) c + i] = b0_j + sum_k W0_kj x_ak of the chunk's c nets for
/// the tile's t units: fused multiply-adds in order of k starting from b0 (0 without biases).
#[inline(always)]
fn preactivations(ctx: &Context, params: &[f64], z: &mut [f64], c: usize, t: usize) {
    let (d, tc) = (ctx.d, t * c);
    let w = |k: usize| &params[k * tc..(k + 1) * tc];
    let b0 = ctx.has_b0.then(|| &params[d * tc..(d + 1) * tc]);
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
            let plan = crate::plan::Plan::with(
                settings,
                crate::Sampling {
                    nets: 2 * 37,
                    experiments: 2,
                    seed: 9,
                    block_size: 37,
                },
            )
            .unwrap();
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
                    assert!((ws.out().sum[slot] - s).abs() < tol, "{arch} {idx:?}");
                    assert!((ws.out().sumsq[slot] - q).abs() < 1e-11 * q + 1e-300);
                    assert!((ws.out().max_abs[slot] - mx).abs() < 1e-11 * mx + 1e-300);
                    slot += 1;
                }
            }
            assert_eq!(slot, ctx.program.total);
        }
    }

    /// The conditional kernel against a plain reimplementation: the same stream without b1
    /// and W1 (per chunk, tile by tile: W0, then b0 if sigma_b > 0), Q_ab = sb^2 + (sW^2/N)
    /// s_a s_b sum_j phi_j(x_a) phi_j(x_b) with libm, centered by the closed-form kernel, and
    /// every monomial of degree 1..3 of its entries summed naively.
    #[test]
    fn conditional_sums_match_a_plain_reimplementation() {
        use crate::plan::Estimator;
        for (arch, sb, d, width) in [
            (Arch::Erf, 1.0, 1, 13),
            (Arch::Relu, 0.0, 1, 70),
            (Arch::Gauss, 0.7, 2, 13),
            (Arch::Erf, 0.4, 2, 300),
        ] {
            let net = Network::new(arch, 1.2, sb, d).unwrap();
            let xs = InputSet::new(
                (0..3)
                    .map(|a| {
                        (0..d)
                            .map(|k| 0.4 * a as f64 - 0.5 + 0.1 * k as f64)
                            .collect()
                    })
                    .collect(),
            )
            .unwrap();
            let settings = Settings::new(net, xs.clone(), width, &[2, 4, 6])
                .unwrap()
                .with_estimator(Estimator::Conditional)
                .unwrap();
            let plan = crate::plan::Plan::with(
                settings,
                crate::Sampling {
                    nets: 2 * 37,
                    experiments: 2,
                    seed: 9,
                    block_size: 37,
                },
            )
            .unwrap();
            let ctx = Context::new(&plan);
            let mut ws = Workspace::new(&ctx);
            let block = plan.block(1).unwrap();
            ws.run(&ctx, plan.seed, block);

            let kernel = net.kernel_matrix(&xs);
            let m = xs.len();
            let mut rng = NormalStream::new(plan.seed, 1);
            let nb = usize::from(sb > 0.0);
            let mut qs: Vec<Vec<f64>> = vec![];
            for start in (0..block.nets).step_by(ctx.chunk) {
                let c = ctx.chunk.min(block.nets - start);
                let mut row = |len: usize| (0..len).map(|_| rng.next()).collect::<Vec<f64>>();
                let mut w0 = vec![vec![vec![0.0; c]; width]; d];
                let mut b0 = vec![vec![0.0; c]; width];
                for j0 in (0..width).step_by(ctx.tile) {
                    let t = ctx.tile.min(width - j0);
                    let p = row((d + nb) * t * c);
                    for jj in 0..t {
                        for i in 0..c {
                            for k in 0..d {
                                w0[k][j0 + jj][i] = p[(k * t + jj) * c + i];
                            }
                            if sb > 0.0 {
                                b0[j0 + jj][i] = p[(d * t + jj) * c + i];
                            }
                        }
                    }
                }
                for i in 0..c {
                    let phi = |a: usize, j: usize| {
                        let x = xs.point(a);
                        let z = sb * b0[j][i]
                            + (0..d)
                                .map(|k| net.w0_scale() * w0[k][j][i] * x[k])
                                .sum::<f64>();
                        net.phi(z, x)
                    };
                    let mut q = vec![];
                    for a in 0..m {
                        for b in a..m {
                            let h: f64 = (0..width).map(|j| phi(a, j) * phi(b, j)).sum();
                            q.push(sb * sb + net.w1_scale(width).powi(2) * h - kernel[(a, b)]);
                        }
                    }
                    qs.push(q);
                }
            }
            let p = m * (m + 1) / 2;
            let mut slot = 0;
            for k in 1..=3 {
                for idx in multisets(p, k) {
                    let ps: Vec<f64> = qs
                        .iter()
                        .map(|q| idx.iter().map(|&e| q[e]).product())
                        .collect();
                    let s: f64 = ps.iter().sum();
                    let scale = ps.iter().map(|v| v.abs()).sum::<f64>() + 1e-300;
                    let tol = 1e-10 * scale.max(1e-6);
                    assert!(
                        (ws.out().sum[slot] - s).abs() < tol,
                        "{arch} {idx:?}: {} vs {s}",
                        ws.out().sum[slot]
                    );
                    slot += 1;
                }
            }
            assert_eq!(slot, ctx.program.total);
        }
    }

    /// Every instruction level the CPU has gives the same bits, for every activation kernel
    /// (each named activation with a normal bias, the paper's inputs, and with a uniform
    /// bias, wider inputs so that the arguments reach beyond the kernels' small-argument
    /// pieces; and a user-defined activation on the scalar path).
    #[test]
    fn code_paths_agree_bit_for_bit() {
        use nnqft_core::BiasDist;
        let custom = Arch::from_fn("cube-tanh", |z| (z * z * z).tanh());
        let mut cases = vec![];
        for arch in Arch::named().into_iter().chain([custom]) {
            // Width 10: one tile of a 64-net chunk; 37: two tiles; 300: chunks of 8, many
            // tiles (the paper's three at every width, the others at two).
            let widths: &[usize] = if Arch::PAPER.iter().any(|a| a.name() == arch.name()) {
                &[10, 37, 300]
            } else {
                &[37, 300]
            };
            for &width in widths {
                cases.push((Network::paper(arch), width));
            }
            let uniform = Network::new(arch, 3.0, 1.0, 1)
                .unwrap()
                .with_bias(BiasDist::Uniform);
            cases.push((uniform, 37));
        }
        for (net, width) in cases {
            let arch = net.arch();
            let xs = if net.bias() == BiasDist::Uniform {
                InputSet::new(vec![vec![-2.0], vec![0.5], vec![4.0]]).unwrap()
            } else {
                InputSet::paper(arch, 1).unwrap()
            };
            let estimator = if width == 37 {
                crate::plan::Estimator::Conditional
            } else {
                crate::plan::Estimator::Direct
            };
            let settings = Settings::new(net, xs, width, &[2, 4, 6])
                .unwrap()
                .with_estimator(estimator)
                .unwrap();
            let plan = crate::plan::Plan::with(
                settings,
                crate::Sampling {
                    nets: 100,
                    experiments: 2,
                    seed: 3,
                    block_size: 50,
                },
            )
            .unwrap();
            let mut ctx = Context::new(&plan);
            let block = plan.block(0).unwrap();
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            let mut a = Workspace::new(&ctx);
            a.run(&ctx, plan.seed, block);
            let floor = a.run_floor(&ctx, plan.seed, block);
            for level in SimdLevel::available() {
                ctx.level = level;
                let mut b = Workspace::new(&ctx);
                b.run(&ctx, plan.seed, block);
                let (a, b) = (a.out(), b.out());
                assert_eq!(bits(&a.sum), bits(&b.sum), "{arch} {width} {level:?}");
                assert_eq!(bits(&a.sumsq), bits(&b.sumsq), "{arch} {width} {level:?}");
                assert_eq!(
                    bits(&a.max_abs),
                    bits(&b.max_abs),
                    "{arch} {width} {level:?}"
                );
                let mut c = Workspace::new(&ctx);
                let f = c.run_floor(&ctx, plan.seed, block);
                assert_eq!(
                    floor.to_bits(),
                    f.to_bits(),
                    "floor {arch} {width} {level:?}"
                );
            }
        }
    }
}
