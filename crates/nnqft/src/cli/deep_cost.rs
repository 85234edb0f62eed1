//! Refusing deep-network integrals and 1/n tensors whose time estimate is absurd
//! (docs/conventions.md section 11): every deep kernel value is a recursion of L layer maps, so
//! `rg`, `predict`, `fit` and `evaluate` estimate their work up front for depth >= 2.

use anyhow::{Result, bail};
use nnqft_core::{Network, multiset_count};

/// The longest deep computation accepted, in estimated single-core seconds (one day).
pub const MAX_SECONDS: f64 = 86400.0;

/// Seconds of one closed-form layer map (erf, the arc-cosine maps, sin, cos: a few
/// transcendental functions; measured about 30-60 ns, taken generously).
const CLOSED_MAP: f64 = 1e-7;

/// Seconds per node of the 2-D trapezoid rule of a layer map without a closed form (one
/// activation value and a multiply-add; tanh about 5 ns, taken generously).
const TRAPEZOID_NODE: f64 = 1e-8;

/// Integrand nodes of one adaptive vertex integral of total dimension `dim`, generously: in
/// d = 1 the interval limit of the Gauss-Kronrod rule (400 intervals of 15 nodes); in 2 and 3
/// dimensions about 4 times what the nested rules were measured to use (erf at depth 1-3,
/// `evaluate --points 4 --order 2`: about 5e4 nodes per two-vertex diagram), far below their
/// interval limits (150^2 and 16^3 intervals of 15^dim nodes), which would refuse runs of
/// minutes.
fn nodes(dim: usize) -> f64 {
    match dim {
        0 => 1.0,
        1 => 400.0 * 15.0 + 2.0,
        2 => 2e5,
        _ => 2e6,
    }
}

/// Seconds of one layer map at pre-activation variance `var`: a closed form, or the trapezoid
/// rule of `nnqft_core::gaussian_pair` whose step shrinks as the standard deviation grows.
fn map_seconds(net: &Network, var: f64) -> f64 {
    let arch = net.arch();
    if arch.pair_closed_form(1.0, 1.0, 0.5).is_some() {
        return CLOSED_MAP;
    }
    let sigma = var.max(0.0).sqrt();
    let strip = arch.singularity_distance();
    let s = strip.unwrap_or(std::f64::consts::FRAC_PI_2).max(1e-3);
    let divisor = if strip.is_none() { 6.5 } else { 6.0 };
    let h = if sigma > 0.0 {
        (s / sigma / divisor).min(0.75)
    } else {
        0.75
    };
    let side = 2.0 * (9.5 / h).ceil() + 1.0;
    side * side * TRAPEZOID_NODE
}

/// Estimated seconds of one deep kernel value K_int(x, y) with |y| up to `reach` in every
/// coordinate and the inputs of `points`: L layer maps at the variances of the recursion's
/// diagonal at the farthest point (the largest the integrals meet). Stops adding once past
/// [`MAX_SECONDS`].
pub fn kernel_seconds(net: &Network, points: &[Vec<f64>], reach: f64) -> f64 {
    let d = net.d_in();
    let far = points
        .iter()
        .flat_map(|p| p.iter())
        .fold(reach.abs(), |a, v| a.max(v.abs()));
    let corner = vec![far; d];
    let (sb2, sw2) = (net.sigma_b() * net.sigma_b(), net.sigma_w() * net.sigma_w());
    let mut var = net.preactivation_cov(&corner, &corner);
    let mut total = 0.0;
    for layer in 0..net.depth() {
        total += map_seconds(net, var);
        // Past the limit, or an overflowing variance (refused later as a non-finite kernel).
        if total > MAX_SECONDS || !var.is_finite() {
            return total;
        }
        if layer + 1 < net.depth() {
            var = sb2 + sw2 * nnqft_core::layer_pair(net.arch(), var, var, var);
        }
    }
    total
}

/// Estimated seconds of `integrals` vertex integrals with `vertices` internal vertices over
/// the box of half-width `cutoff` (R^d: the inputs' reach), each node evaluating up to
/// `kernels` deep kernels.
pub fn integral_seconds(
    net: &Network,
    points: &[Vec<f64>],
    cutoff: Option<f64>,
    vertices: usize,
    kernels: usize,
    integrals: usize,
) -> f64 {
    let per = kernel_seconds(net, points, cutoff.unwrap_or(0.0));
    integrals as f64 * nodes(vertices * net.d_in()) * kernels as f64 * per
}

/// Estimated seconds of the leading-1/n tensors (nnqft_integrate::deep_tensors) of `net` on
/// `m` inputs: per layer the 4-point expectations (tensor Gauss-Hermite, at most 24^4 nodes
/// for each of the C(m + 3, 4) multisets) and the derivative terms of the m^2 pairs (128^2
/// nodes, 20 outputs), about 5 ns a node and output; plus the V recursion (m^8 products).
pub fn tensor_seconds(net: &Network, m: usize) -> f64 {
    let mf = m as f64;
    let quads = multiset_count(m, 4) as f64 * 24f64.powi(4) * 4.0 + mf * mf * 128.0 * 128.0 * 20.0;
    net.depth() as f64 * (quads * 5e-9 + mf.powi(8) * 2e-9)
}

/// Refuse a deep computation whose estimate exceeds [`MAX_SECONDS`], naming the flags.
pub fn check(net: &Network, what: &str, seconds: f64) -> Result<()> {
    if net.depth() > 1 && (seconds.is_nan() || seconds > MAX_SECONDS) {
        bail!(
            "--depth: {what} for a network of depth {} would take about {} of one core \
             (estimate); use a smaller depth, fewer inputs or cutoffs, or a smaller cutoff",
            net.depth(),
            human(seconds)
        );
    }
    Ok(())
}

/// Seconds for people: "3.2 hours", "41 days", "more than 1e30 years".
fn human(s: f64) -> String {
    if !s.is_finite() {
        return "longer than the age of the universe".into();
    }
    if s < 2.0 * 86400.0 {
        format!("{:.1} hours", s / 3600.0)
    } else if s < 2.0 * 365.0 * 86400.0 {
        format!("{:.0} days", s / 86400.0)
    } else {
        format!("{:.1e} years", s / (365.0 * 86400.0))
    }
}
