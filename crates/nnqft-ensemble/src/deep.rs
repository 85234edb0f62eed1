//! One RNG block of deep networks (L hidden layers of width n, docs/conventions.md section 11),
//! drawn layer by layer in the k-dimensional space of the inputs.
//!
//! The next layer sees the previous one only through W a (a: the n x m activations at the m
//! inputs), whose n rows are independent Gaussian vectors with covariance
//! C = sb^2 + (sW^2/n) a^T a (for the first layer, C = S, the inputs' covariance). So a layer is
//! drawn exactly as z = G F^T with G n x m standard normals and F F^T = C (pivoted Cholesky:
//! C may be singular): n m normals and O(n m^2) work instead of n^2. Given the last hidden
//! layer, the output is Gaussian with the random kernel Q = C of the last layer: the direct
//! estimator draws f = F_Q g (m more normals), the conditional one hands on Q's entries
//! centered by the NNGP kernel (docs/conventions.md section 8's estimator, whose disconnected
//! parts then use the sampled G2). Each net's draws come from the block's stream in a fixed
//! order (per layer n normals for each input direction, then the output's m), so a block
//! depends on (seed, block) alone. Fused multiply-adds are written out (`f64::mul_add`) and
//! run at the detected instruction level, as in the single-layer kernel: same bits on every
//! level.

use crate::block::activate;
use crate::fastmath::{self, ActCoeffs, ErfCoeffs};
use crate::normal::NormalStream;
use crate::plan::{Block, Estimator, Plan};
use crate::program::{BlockSums, GROUP, MomentWalk, Program};
use crate::simd::{Kernel, SimdLevel, dispatch};
use nnqft_core::Arch;

/// Everything a block of deep networks needs that does not change between blocks.
pub(crate) struct DeepContext {
    arch: Arch,
    width: usize,
    depth: usize,
    m: usize,
    sb2: f64,
    /// sW^2 / n.
    sw2_n: f64,
    /// The factor of the first layer's covariance S (row-major m x m, S = F F^T).
    first: Vec<f64>,
    conditional: bool,
    /// Rows handed to the moment walk: m outputs, or the m(m+1)/2 entries of Q.
    rows: usize,
    /// The NNGP kernel K^(L+1) per entry (a <= b, multiset order): Q's centering.
    center: Vec<f64>,
    pub(crate) program: Program,
    coeffs: ErfCoeffs,
    /// The other smooth activations' coefficients (the block sampler's kernels).
    act: ActCoeffs,
    f_stride: usize,
    pub(crate) level: SimdLevel,
}

impl DeepContext {
    pub(crate) fn new(plan: &Plan) -> Self {
        let s = &plan.settings;
        let net = s.network;
        let m = s.inputs.len();
        let rows = s.accumulator_rows();
        let kernel = net.kernel_matrix(&s.inputs);
        let cov: Vec<f64> = (0..m * m)
            .map(|ab| net.preactivation_cov(s.inputs.point(ab / m), s.inputs.point(ab % m)))
            .collect();
        let mut first = vec![0.0; m * m];
        pivoted_cholesky(&cov, m, &mut first);
        let center = (0..m)
            .flat_map(|a| (a..m).map(move |b| (a, b)))
            .map(|(a, b)| kernel[(a, b)])
            .collect();
        DeepContext {
            arch: net.arch(),
            width: s.width,
            depth: net.depth(),
            m,
            sb2: net.sigma_b() * net.sigma_b(),
            sw2_n: net.sigma_w() * net.sigma_w() / s.width as f64,
            first,
            conditional: s.estimator == Estimator::Conditional,
            rows,
            center,
            program: Program::new(rows, &s.accumulator_degrees()),
            coeffs: *fastmath::erf_coeffs(),
            act: *fastmath::act_coeffs(),
            f_stride: plan.block_size.div_ceil(GROUP) * GROUP,
            level: SimdLevel::detect(),
        }
    }
}

/// C = F F^T for a symmetric positive semi-definite m x m matrix `c` (row-major), by Cholesky
/// with diagonal pivoting: columns stop where the largest remaining pivot is below
/// 1e-14 times the largest diagonal (C singular: rank-deficient inputs, ReLU on one ray), and
/// the remaining columns of F are zero. `f` is m x m row-major, f[a m + k].
#[inline(always)]
pub(crate) fn pivoted_cholesky(c: &[f64], m: usize, f: &mut [f64]) {
    f[..m * m].fill(0.0);
    let mut perm = [0usize; MAX_M];
    let mut diag = [0.0f64; MAX_M];
    for a in 0..m {
        perm[a] = a;
        diag[a] = c[a * m + a];
    }
    let scale = diag[..m].iter().fold(0.0f64, |x, &y| x.max(y));
    let tol = 1e-14 * scale;
    for k in 0..m {
        let mut best = k;
        for i in k + 1..m {
            if diag[perm[i]] > diag[perm[best]] {
                best = i;
            }
        }
        perm.swap(k, best);
        let p = perm[k];
        let d = diag[p];
        if d.is_nan() || d <= tol {
            break;
        }
        let l = d.sqrt();
        f[p * m + k] = l;
        for &i in &perm[k + 1..m] {
            let mut v = c[i * m + p];
            for t in 0..k {
                v = (-f[i * m + t]).mul_add(f[p * m + t], v);
            }
            let v = v / l;
            f[i * m + k] = v;
            diag[i] = (-v).mul_add(v, diag[i]);
        }
    }
}

/// The largest number of inputs the deep sampler takes (its small matrices live on the stack).
pub(crate) const MAX_M: usize = 64;

/// The largest m n (inputs times width) of a deep network's layer: 2^27 values (1 GB per
/// buffer and thread).
pub(crate) const MAX_LAYER_VALUES: usize = 1 << 27;

/// Refuse deep settings the sampler cannot hold: more than [`MAX_M`] inputs, or a layer of
/// more than [`MAX_LAYER_VALUES`] values (the message gives the memory estimate).
pub(crate) fn check_deep(depth: usize, m: usize, width: usize) -> crate::Result<()> {
    if depth <= 1 {
        return Ok(());
    }
    if m > MAX_M {
        return Err(crate::EnsembleError::TooLarge(format!(
            "the deep-network sampler takes at most {MAX_M} inputs, got {m}"
        )));
    }
    let values = m.saturating_mul(width);
    if values > MAX_LAYER_VALUES {
        return Err(crate::EnsembleError::TooLarge(format!(
            "a deep network of width {width} at {m} inputs needs {:.1} GB per thread for one \
             layer (limit {} GB): use a smaller width",
            2.0 * 8.0 * values as f64 / 1e9,
            2 * 8 * MAX_LAYER_VALUES / (1 << 30)
        )));
    }
    Ok(())
}

/// Scratch buffers of one worker thread.
pub(crate) struct DeepWorkspace {
    /// g[k n + j]: the layer's standard normals, direction k, unit j.
    g: Vec<f64>,
    /// z[a n + j]: pre-activation, then activation, of unit j at input a.
    z: Vec<f64>,
    /// The layer's covariance C (m x m) and its factor.
    cov: Vec<f64>,
    fac: Vec<f64>,
    /// The output's normals (direct estimator).
    out_g: Vec<f64>,
    /// f[r f_stride + i]: per-net value r of net i of the block.
    f: Vec<f64>,
    walk: MomentWalk,
}

impl DeepWorkspace {
    pub(crate) fn new(ctx: &DeepContext) -> Self {
        let (m, n) = (ctx.m, ctx.width);
        DeepWorkspace {
            g: vec![0.0; m * n],
            z: vec![0.0; m * n],
            cov: vec![0.0; m * m],
            fac: vec![0.0; m * m],
            out_g: vec![0.0; m],
            f: vec![0.0; ctx.rows * ctx.f_stride],
            walk: MomentWalk::new(&ctx.program),
        }
    }

    /// The sums of the last block run.
    pub(crate) fn out(&self) -> &BlockSums {
        &self.walk.out
    }

    /// Draw block `block`'s deep networks and compute their sums.
    pub(crate) fn run(&mut self, ctx: &DeepContext, seed: u64, block: Block) {
        dispatch(
            ctx.level,
            DeepRun {
                ws: self,
                ctx,
                seed,
                block,
                readout: true,
            },
        );
    }

    /// The floor: the same normals and activations, without mixing, kernels or moments.
    pub(crate) fn run_floor(&mut self, ctx: &DeepContext, seed: u64, block: Block) -> f64 {
        dispatch(
            ctx.level,
            DeepRun {
                ws: self,
                ctx,
                seed,
                block,
                readout: false,
            },
        )
    }
}

struct DeepRun<'a> {
    ws: &'a mut DeepWorkspace,
    ctx: &'a DeepContext,
    seed: u64,
    block: Block,
    readout: bool,
}

impl Kernel for DeepRun<'_> {
    type Output = f64;
    #[inline(always)]
    fn run(self) -> f64 {
        let DeepRun {
            ws,
            ctx,
            seed,
            block,
            readout,
        } = self;
        let mut rng = NormalStream::with_level(seed, block.index, ctx.level);
        let (m, n) = (ctx.m, ctx.width);
        let mut check = 0.0;
        for i in 0..block.nets {
            ws.fac.copy_from_slice(&ctx.first);
            for _layer in 0..ctx.depth {
                rng.fill(&mut ws.g);
                if readout {
                    mix(&ws.fac, &ws.g, &mut ws.z, m, n);
                    activate(ctx.arch, &mut ws.z, &ctx.coeffs, &ctx.act);
                    gram(ctx, &ws.z, &mut ws.cov);
                    pivoted_cholesky(&ws.cov, m, &mut ws.fac);
                } else {
                    activate(ctx.arch, &mut ws.g, &ctx.coeffs, &ctx.act);
                    check += ws.g[m * n - 1];
                }
            }
            if !readout {
                continue;
            }
            let stride = ctx.f_stride;
            if ctx.conditional {
                let mut p = 0;
                for a in 0..m {
                    for b in a..m {
                        ws.f[p * stride + i] = ws.cov[a * m + b] - ctx.center[p];
                        p += 1;
                    }
                }
            } else {
                rng.fill(&mut ws.out_g);
                for a in 0..m {
                    let mut v = 0.0;
                    for k in 0..m {
                        v = ws.fac[a * m + k].mul_add(ws.out_g[k], v);
                    }
                    ws.f[a * stride + i] = v;
                }
            }
        }
        if readout {
            ws.walk
                .run(&ctx.program, &mut ws.f, ctx.f_stride, block.nets);
        }
        check
    }
}

/// z[a n + j] = sum_k F[a m + k] g[k n + j]: the layer's pre-activations, rows of z ~ N(0, F F^T).
#[inline(always)]
fn mix(fac: &[f64], g: &[f64], z: &mut [f64], m: usize, n: usize) {
    for a in 0..m {
        let za = &mut z[a * n..(a + 1) * n];
        za.fill(0.0);
        for k in 0..m {
            let w = fac[a * m + k];
            if w == 0.0 {
                continue;
            }
            for (zj, gj) in za.iter_mut().zip(&g[k * n..(k + 1) * n]) {
                *zj = w.mul_add(*gj, *zj);
            }
        }
    }
}

/// C_ab = sb^2 + (sW^2/n) sum_j act_aj act_bj (both triangles), the next layer's covariance.
#[inline(always)]
fn gram(ctx: &DeepContext, z: &[f64], cov: &mut [f64]) {
    let (m, n) = (ctx.m, ctx.width);
    for a in 0..m {
        for b in a..m {
            let (za, zb) = (&z[a * n..(a + 1) * n], &z[b * n..(b + 1) * n]);
            let mut lanes = [0.0f64; 8];
            let mut ca = za.chunks_exact(8);
            let mut cb = zb.chunks_exact(8);
            for (x, y) in (&mut ca).zip(&mut cb) {
                for l in 0..8 {
                    lanes[l] = x[l].mul_add(y[l], lanes[l]);
                }
            }
            for (l, (x, y)) in ca.remainder().iter().zip(cb.remainder()).enumerate() {
                lanes[l] = x.mul_add(*y, lanes[l]);
            }
            let s = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3]))
                + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
            let v = ctx.sw2_n.mul_add(s, ctx.sb2);
            cov[a * m + b] = v;
            cov[b * m + a] = v;
        }
    }
}

/// The single-layer kernel or the deep one, by the network's depth (depth 1 keeps the
/// single-layer sampler and its bits). One exists per run, so the size of its largest variant
/// (the single-layer context with its coefficient tables) costs nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum AnyContext {
    One(crate::block::Context),
    Deep(DeepContext),
}

/// A worker's scratch space for [`AnyContext`].
pub(crate) enum AnyWorkspace {
    One(crate::block::Workspace),
    Deep(DeepWorkspace),
}

impl AnyContext {
    pub(crate) fn new(plan: &Plan) -> Self {
        if plan.settings.network.depth() > 1 {
            AnyContext::Deep(DeepContext::new(plan))
        } else {
            AnyContext::One(crate::block::Context::new(plan))
        }
    }
}

impl AnyWorkspace {
    pub(crate) fn new(ctx: &AnyContext) -> Self {
        match ctx {
            AnyContext::One(c) => AnyWorkspace::One(crate::block::Workspace::new(c)),
            AnyContext::Deep(c) => AnyWorkspace::Deep(DeepWorkspace::new(c)),
        }
    }

    pub(crate) fn out(&self) -> &BlockSums {
        match self {
            AnyWorkspace::One(w) => w.out(),
            AnyWorkspace::Deep(w) => w.out(),
        }
    }

    pub(crate) fn run(&mut self, ctx: &AnyContext, seed: u64, block: Block) {
        match (self, ctx) {
            (AnyWorkspace::One(w), AnyContext::One(c)) => w.run(c, seed, block),
            (AnyWorkspace::Deep(w), AnyContext::Deep(c)) => w.run(c, seed, block),
            _ => unreachable!("a workspace is made from its context"),
        }
    }

    pub(crate) fn run_floor(&mut self, ctx: &AnyContext, seed: u64, block: Block) -> f64 {
        match (self, ctx) {
            (AnyWorkspace::One(w), AnyContext::One(c)) => w.run_floor(c, seed, block),
            (AnyWorkspace::Deep(w), AnyContext::Deep(c)) => w.run_floor(c, seed, block),
            _ => unreachable!("a workspace is made from its context"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pivoted_cholesky_factors_singular_matrices() {
        // Rank 2 in 3 dimensions: C = u u^T + v v^T.
        let (u, v) = ([1.0, 2.0, -1.0], [0.5, 0.0, 3.0]);
        let c: Vec<f64> = (0..9)
            .map(|ab| u[ab / 3] * u[ab % 3] + v[ab / 3] * v[ab % 3])
            .collect();
        let mut f = vec![0.0; 9];
        pivoted_cholesky(&c, 3, &mut f);
        for a in 0..3 {
            for b in 0..3 {
                let ff: f64 = (0..3).map(|k| f[a * 3 + k] * f[b * 3 + k]).sum();
                assert!((ff - c[a * 3 + b]).abs() < 1e-12, "{a}{b}");
            }
            assert_eq!(f[a * 3 + 2], 0.0);
        }
    }
}
