//! The tensor rule of the latent moment quadrature (`moments.rs`):
//! sum_nodes w(y) prod_a phi(A_a . y) for every index multiset at once, on the nodes of a
//! product of one-dimensional rules cut to the Gaussian ball |g| <= R.
//!
//! Per node the work is one product per multiset (923 for six inputs up to k = 6) and its
//! accumulation; the activations are six calls. Done a node at a time, with a table of all
//! products, it cost about 1 us a node, and a 4-dimensional latent space (six inputs in
//! general position in d = 3 with a bias) has millions of nodes. Here:
//! - the products are built along a depth-first walk of the multisets' prefix tree (a node's
//!   parent is the latest node one order lower), so only the current branch is kept;
//! - they run on 32 nodes at once in fixed-size arrays that the compiler turns into vector
//!   instructions, and the 32 are added in registers before they touch the accumulators;
//! - the corners of the cube outside the ball (60% of a 4-D cube) are never visited;
//! - an odd or even activation needs only the half-space y_0 >= 0.
//!
//! Hand-written because no quadrature crate sums many integrands that share their factors.
//! Lanes, nodes and slabs are summed in a fixed order: the bits do not depend on the thread
//! count or the instruction set.

use crate::prefix_tree::{Node, depth_first, orders};
use crate::quad::gauss_legendre;
use nnqft_core::Arch;
use rayon::prelude::*;

/// Largest latent dimension the moment quadrature handles.
pub const MAX_LATENT_DIM: usize = 4;

/// Accumulator lanes per component (one AVX-512 register).
const LANES: usize = 8;
type Lane = [f64; LANES];
/// Nodes summed together: GROUP lane sets are added to each other before they touch the
/// accumulators, so the accumulators of 923 multisets (59 kB, beyond the L1 cache) are read
/// and written once per 32 nodes.
const GROUP: usize = 4;
const BATCH: usize = LANES * GROUP;
type Wide = [f64; BATCH];

/// One coordinate of a tensor rule: nodes, weights, and whether each node belongs to the
/// coarser rule (step 2h; every node of a Gauss-Legendre axis counts as coarse).
pub(crate) struct Axis {
    nodes: Vec<f64>,
    weights: Vec<f64>,
    coarse: Vec<bool>,
    /// Whether the coordinate is a standard normal one (it counts towards the ball radius).
    gaussian: bool,
}

impl Axis {
    /// Trapezoid rule for the standard normal density: nodes k h, |k| <= reach / h.
    pub(crate) fn trapezoid(h: f64, reach: f64) -> Axis {
        let kmax = (reach / h).ceil() as i64;
        let norm = h / (2.0 * std::f64::consts::PI).sqrt();
        let mut a = Axis {
            nodes: Vec::new(),
            weights: Vec::new(),
            coarse: Vec::new(),
            gaussian: true,
        };
        for k in -kmax..=kmax {
            let g = k as f64 * h;
            a.nodes.push(g);
            a.weights.push(norm * (-0.5 * g * g).exp());
            a.coarse.push(k % 2 == 0);
        }
        a
    }

    /// Gauss-Legendre panels (24 nodes each) for the uniform density on [-pi, pi], for an
    /// integrand analytic within `s` of the real axis: panels of half-width <= s, so the
    /// nearest singularity lies outside the Bernstein ellipse of parameter 1 + sqrt 2 and the
    /// error of a panel falls like (1 + sqrt 2)^-48 ~ 5e-19. An even number of panels (at
    /// least 2, at most 64) mirrored about 0: the node set is exactly symmetric, and a kink
    /// at t = 0 stays off the nodes.
    pub(crate) fn uniform(s: f64) -> Axis {
        let (x, w) = gauss_legendre(24);
        let half_panels = ((std::f64::consts::FRAC_PI_2 / s).ceil() as usize).clamp(1, 32);
        let h = std::f64::consts::PI / half_panels as f64;
        let mut positive: Vec<(f64, f64)> = Vec::new();
        for p in 0..half_panels {
            let lo = p as f64 * h;
            for (xi, wi) in x.iter().zip(&w) {
                positive.push((
                    lo + 0.5 * h * (xi + 1.0),
                    0.5 * h * wi / (2.0 * std::f64::consts::PI),
                ));
            }
        }
        positive.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut a = Axis {
            nodes: Vec::new(),
            weights: Vec::new(),
            coarse: Vec::new(),
            gaussian: false,
        };
        for &(t, wt) in positive.iter().rev() {
            a.nodes.push(-t);
            a.weights.push(wt);
        }
        for &(t, wt) in &positive {
            a.nodes.push(t);
            a.weights.push(wt);
        }
        a.coarse = vec![true; a.nodes.len()];
        a
    }

    fn is_trapezoid(&self) -> bool {
        !self.coarse.iter().all(|&c| c)
    }
}

/// The integrand: pre-activations z_a = rows[a] . y, factors phi(z_a) scales[a], and the
/// multiset products as links (prefix component, last input), lower orders first.
pub(crate) struct Products<'a> {
    pub(crate) arch: Arch,
    /// phi(-z) = parity phi(z) ([`Arch::parity`]): the integrand of order k is then even or
    /// odd under y -> -y, and the rule (symmetric about 0 on every axis) needs half the nodes.
    pub(crate) parity: Option<f64>,
    pub(crate) rows: &'a [Vec<f64>],
    pub(crate) scales: &'a [f64],
    pub(crate) links: &'a [(Option<usize>, usize)],
}

/// The tensor sums over `axes` (Gaussian coordinates cut to the ball of `radius`) of every
/// component: fine rule, coarse rule (weights scaled by 2 per trapezoid axis), and absolute
/// values (from the coarse nodes); returns values and errors, the error being
/// gap^power / scale^(power - 1) for the gap between the two rules, plus the roundoff of the
/// sum.
pub(crate) fn tensor_sum(
    f: &Products,
    axes: &[Axis],
    radius: f64,
    power: i32,
) -> (Vec<f64>, Vec<f64>) {
    let ncomp = f.links.len();
    let coarse_factor: f64 = axes
        .iter()
        .map(|a| if a.is_trapezoid() { 2.0 } else { 1.0 })
        .product();
    let r2 = radius * radius;
    let tree = depth_first(f.links);
    // With a parity, the slabs at -y0 equal those at y0 (up to the sign (parity)^k, applied
    // below): sum y0 > 0 twice and y0 = 0 once.
    let first = axes[0].nodes.iter().position(|&x| x >= 0.0).unwrap_or(0);
    let half = f.parity.is_some()
        && axes[0].nodes.len() == 2 * first + usize::from(axes[0].nodes[first] == 0.0);
    let (sums, nodes) = (if half { first } else { 0 }..axes[0].nodes.len())
        .into_par_iter()
        .map(|i0| {
            let (mut v, n) = slab(f, &tree, axes, i0, r2);
            if half && axes[0].nodes[i0] > 0.0 {
                v.iter_mut().for_each(|x| *x *= 2.0);
                return (v, 2 * n);
            }
            (v, n)
        })
        .collect::<Vec<_>>()
        // Summed in a fixed order: the result does not depend on the thread schedule.
        .into_iter()
        .fold((vec![0.0; 3 * ncomp], 0usize), |(mut a, n), (b, nb)| {
            a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
            (a, n + nb)
        });
    let (fine, tail) = sums.split_at(ncomp);
    let (coarse, abs) = tail.split_at(ncomp);
    // The orders whose integrand is odd under y -> -y integrate to exactly 0.
    let vanishes: Vec<bool> = match f.parity {
        Some(p) if half => orders(f.links)
            .iter()
            .map(|&k| p.powi(k as i32) < 0.0)
            .collect(),
        _ => vec![false; ncomp],
    };
    let fine: Vec<f64> = fine
        .iter()
        .zip(&vanishes)
        .map(|(&v, &z)| if z { 0.0 } else { v })
        .collect();
    let err = (0..ncomp)
        .map(|i| {
            let gap = (fine[i] - coarse_factor * coarse[i]).abs();
            if vanishes[i] {
                return 0.0;
            }
            let abs = coarse_factor * abs[i];
            let scale = fine[i].abs().max(abs).max(f64::MIN_POSITIVE);
            gap.min(gap.powi(power) / scale.powi(power - 1))
                + f64::EPSILON * (nodes as f64).sqrt() * abs
        })
        .collect();
    (fine, err)
}

/// Nodes waiting to be summed, `len` of [`BATCH`] filled.
#[derive(Clone, Copy)]
struct Batch {
    y: [Wide; MAX_LATENT_DIM],
    w: Wide,
    len: usize,
}

/// Per-slab accumulators, LANES per component.
struct Sums {
    phi: Vec<Wide>,
    /// The product of every order along the current branch of the prefix tree (0: weights).
    stack: Vec<Wide>,
    /// Accumulators, in the depth-first order of the prefix tree.
    fine: Vec<Lane>,
    coarse: Vec<Lane>,
    abs: Vec<Lane>,
}

/// The sums over the nodes with first coordinate axes[0].nodes[i0]: (fine, coarse, abs)
/// concatenated, and the number of nodes.
fn slab(f: &Products, tree: &[Node], axes: &[Axis], i0: usize, r2: f64) -> (Vec<f64>, usize) {
    let ncomp = f.links.len();
    let depth = tree.iter().map(|n| n.depth).max().unwrap_or(0);
    let mut s = Sums {
        phi: vec![[0.0; BATCH]; f.rows.len()],
        stack: vec![[0.0; BATCH]; depth + 1],
        fine: vec![[0.0; LANES]; ncomp],
        coarse: vec![[0.0; LANES]; ncomp],
        abs: vec![[0.0; LANES]; ncomp],
    };
    let empty = Batch {
        y: [[0.0; BATCH]; MAX_LATENT_DIM],
        w: [0.0; BATCH],
        len: 0,
    };
    // [nodes of the fine rule only, nodes of both rules]
    let mut batches = [empty; 2];
    let mut nodes = 0usize;
    let a0 = &axes[0];
    let x0 = a0.nodes[i0];
    let mut y = [0.0; MAX_LATENT_DIM];
    y[0] = x0;
    let sq = if a0.gaussian { x0 * x0 } else { 0.0 };
    if sq <= r2 {
        let mut emit = |y: &[f64; MAX_LATENT_DIM], w: f64, coarse: bool| {
            nodes += 1;
            let b = &mut batches[usize::from(coarse)];
            for (lane, yj) in b.y.iter_mut().zip(y) {
                lane[b.len] = *yj;
            }
            b.w[b.len] = w;
            b.len += 1;
            if b.len == BATCH {
                flush(f, tree, axes.len(), b, coarse, &mut s);
            }
        };
        walk(
            axes,
            1,
            &mut y,
            a0.weights[i0],
            a0.coarse[i0],
            sq,
            r2,
            &mut emit,
        );
    }
    for (coarse, b) in batches.iter_mut().enumerate() {
        if b.len > 0 {
            // Pad with copies of the first node at weight 0.
            for l in b.len..BATCH {
                for lane in b.y.iter_mut() {
                    lane[l] = lane[0];
                }
                b.w[l] = 0.0;
            }
            flush(f, tree, axes.len(), b, coarse == 1, &mut s);
        }
    }
    let mut out = vec![0.0; 3 * ncomp];
    for (part, acc) in [&s.fine, &s.coarse, &s.abs].into_iter().enumerate() {
        for (n, l) in tree.iter().zip(acc) {
            out[part * ncomp + n.component] = l.iter().sum::<f64>();
        }
    }
    (out, nodes)
}

/// Visit the nodes of axes[j..] inside the ball, with the coordinates before j fixed in `y`,
/// their weight `w`, coarse flag and squared Gaussian radius `sq`.
#[allow(clippy::too_many_arguments)]
fn walk(
    axes: &[Axis],
    j: usize,
    y: &mut [f64; MAX_LATENT_DIM],
    w: f64,
    coarse: bool,
    sq: f64,
    r2: f64,
    emit: &mut impl FnMut(&[f64; MAX_LATENT_DIM], f64, bool),
) {
    if j == axes.len() {
        emit(y, w, coarse);
        return;
    }
    let a = &axes[j];
    for i in 0..a.nodes.len() {
        let x = a.nodes[i];
        let s = if a.gaussian { sq + x * x } else { sq };
        if s > r2 {
            continue;
        }
        y[j] = x;
        walk(
            axes,
            j + 1,
            y,
            w * a.weights[i],
            coarse && a.coarse[i],
            s,
            r2,
            emit,
        );
    }
}

/// Sum a full batch into the accumulators and empty it.
fn flush(f: &Products, tree: &[Node], r: usize, b: &mut Batch, coarse: bool, s: &mut Sums) {
    for ((phi, row), sc) in s.phi.iter_mut().zip(f.rows).zip(f.scales) {
        for (l, p) in phi.iter_mut().enumerate() {
            let z: f64 = row[..r].iter().zip(&b.y).map(|(a, y)| a * y[l]).sum();
            *p = f.arch.activation(z) * sc;
        }
    }
    if coarse {
        dispatch::<true>(tree, &b.w, s);
    } else {
        dispatch::<false>(tree, &b.w, s);
    }
    b.len = 0;
}

/// [`products`] compiled for AVX2 where the CPU has it (the lane loops then take one
/// instruction each). Lane-wise products, sums and absolute values are exact IEEE operations
/// at any vector width: both paths give the same bits.
fn dispatch<const COARSE: bool>(tree: &[Node], w: &Wide, s: &mut Sums) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx512f") {
        // SAFETY: the CPU supports AVX2 (checked above).
        unsafe { products_avx2::<COARSE>(tree, w, s) };
        return;
    }
    products::<COARSE>(tree, w, s);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn products_avx2<const COARSE: bool>(tree: &[Node], w: &Wide, s: &mut Sums) {
    products::<COARSE>(tree, w, s);
}

/// Along the tree: x = (parent's product, or the weights) * phi[last], added to the fine sums
/// and, for nodes of the coarse rule, to the coarse and absolute sums. Fixed-size lane loops:
/// the compiler vectorizes them.
#[inline(always)]
fn products<const COARSE: bool>(tree: &[Node], w: &Wide, s: &mut Sums) {
    let (stack, phi) = (&mut s.stack, &s.phi);
    stack[0] = *w;
    let acc = s
        .fine
        .iter_mut()
        .zip(s.coarse.iter_mut().zip(s.abs.iter_mut()));
    for (n, (fine, (co, ab))) in tree.iter().zip(acc) {
        let x = product(&stack[n.depth - 1], &phi[n.last]);
        stack[n.depth] = x;
        let sum = fold(&x, |v| v);
        for l in 0..LANES {
            fine[l] += sum[l];
        }
        if COARSE {
            let abs = fold(&x, f64::abs);
            for l in 0..LANES {
                co[l] += sum[l];
                ab[l] += abs[l];
            }
        }
    }
}

#[inline(always)]
fn product(p: &Wide, f: &Wide) -> Wide {
    let mut x = [0.0; BATCH];
    for l in 0..BATCH {
        x[l] = p[l] * f[l];
    }
    x
}

/// sum_g map(x[g LANES + l]) for every lane l, g = 0..GROUP in order.
#[inline(always)]
fn fold(x: &Wide, map: impl Fn(f64) -> f64) -> Lane {
    let mut out = [0.0; LANES];
    for g in 0..GROUP {
        for l in 0..LANES {
            out[l] += map(x[g * LANES + l]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The AVX2 build of the product loop gives the portable loop's bits.
    #[test]
    fn avx2_and_portable_products_agree_bit_for_bit() {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            let m = 3;
            let mut links = Vec::new();
            let mut offsets = vec![0usize];
            for k in 1..=6 {
                for t in nnqft_core::multisets(m, k) {
                    let prefix =
                        (k > 1).then(|| offsets[k - 2] + nnqft_core::multiset_rank(m, &t[..k - 1]));
                    links.push((prefix, t[k - 1]));
                }
                offsets.push(links.len());
            }
            let tree = depth_first(&links);
            let fresh = || {
                let mut x = 0.37f64;
                let mut next = move || {
                    x = (x * 3.9 * (1.0 - x)).clamp(1e-9, 1.0 - 1e-9);
                    2.0 * x - 1.0
                };
                let wide = |next: &mut dyn FnMut() -> f64| {
                    let mut w = [0.0; BATCH];
                    w.iter_mut().for_each(|v| *v = next());
                    w
                };
                let phi: Vec<Wide> = (0..m).map(|_| wide(&mut next)).collect();
                let w = wide(&mut next);
                let n = links.len();
                let s = Sums {
                    phi,
                    stack: vec![[0.0; BATCH]; 7],
                    fine: vec![[0.0; LANES]; n],
                    coarse: vec![[0.0; LANES]; n],
                    abs: vec![[0.0; LANES]; n],
                };
                (s, w)
            };
            let (mut a, w) = fresh();
            let (mut b, _) = fresh();
            for _ in 0..3 {
                products::<true>(&tree, &w, &mut a);
                // SAFETY: AVX2 was detected above.
                unsafe { products_avx2::<true>(&tree, &w, &mut b) };
            }
            for (x, y) in [(&a.fine, &b.fine), (&a.coarse, &b.coarse), (&a.abs, &b.abs)] {
                for (p, q) in x.iter().zip(y.iter()) {
                    for (u, v) in p.iter().zip(q) {
                        assert_eq!(u.to_bits(), v.to_bits());
                    }
                }
            }
            assert!(a.fine.iter().any(|l| l.iter().any(|&v| v != 0.0)));
        }
    }
}
