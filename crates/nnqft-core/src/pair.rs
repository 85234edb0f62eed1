//! E[phi(u) phi(v)] by quadrature, for activations without a closed-form kernel
//! (docs/conventions.md section 10): the trapezoid rule over the two Gaussian directions,
//! conditioned on the wider one, and Gauss-Legendre panels over a uniform hidden bias.

use crate::arch::Arch;
use crate::rules::{gauss_legendre, hermite_rule};
use std::sync::OnceLock;

/// The Gauss-Hermite order for pre-activations of standard deviation up to `sigma`: the
/// rule's error for an activation analytic in a strip |Im z| < a falls like
/// exp(-c a sqrt(n) / sigma), so n grows as sigma^2; 1e-12 relative needs about 150 nodes at
/// sigma = 1.7 for tanh. Rounded up to a multiple of 32 so the cached rules are few.
pub(crate) fn hermite_order(sigma: f64) -> usize {
    let n = (60.0 + 55.0 * sigma * sigma).ceil().min(640.0) as usize;
    n.div_ceil(32) * 32
}

/// Nodes k h of the trapezoid rules run to |k h| <= TRAPEZOID_REACH (the normal density
/// beyond is below 1e-19).
const TRAPEZOID_REACH: f64 = 9.5;

/// The trapezoid step for a standard normal g entering the activation as phi(m + sigma g):
/// h = tau / 6 for an activation analytic within tau = s / sigma of the real axis (s its
/// singularity distance, pi/2 for entire ones; tau / 6.5 then), at most 0.75 (where the
/// rule's own error on the density, exp(-2 pi^2 / h^2), is 6e-16): the error falls like
/// exp(-2 pi tau / h), about 1e-16 (docs/conventions.md section 10).
fn trapezoid_step(arch: Arch, sigma: f64) -> f64 {
    let strip = arch.singularity_distance();
    let s = strip.unwrap_or(std::f64::consts::FRAC_PI_2).max(1e-3);
    let divisor = if strip.is_none() { 6.5 } else { 6.0 };
    if sigma > 0.0 {
        (s / sigma / divisor).min(0.75)
    } else {
        0.75
    }
}

/// The trapezoid rule of step `h` for the standard normal density: nodes k h, |k h| <=
/// [`TRAPEZOID_REACH`], weights h exp(-(k h)^2 / 2) / sqrt(2 pi).
fn trapezoid(h: f64) -> (Vec<f64>, Vec<f64>) {
    let kmax = (TRAPEZOID_REACH / h).ceil() as i64;
    let norm = h / (2.0 * std::f64::consts::PI).sqrt();
    (-kmax..=kmax)
        .map(|k| {
            let g = k as f64 * h;
            (g, norm * (-0.5 * g * g).exp())
        })
        .unzip()
}

/// The Gaussian pair in conditional form: u = a g1 the wider pre-activation (a >= b), v =
/// b (rho g1 + c g2), c = sqrt(1 - rho^2), both shifted by `t`.
struct Conditional {
    a: f64,
    b: f64,
    rho: f64,
    c: f64,
    /// The outer rule, over g1 (step set by a, the larger of a and b |rho|).
    outer: (Vec<f64>, Vec<f64>),
    /// The inner rule, over g2 (step set by the conditional width b c); empty when b c = 0.
    inner: (Vec<f64>, Vec<f64>),
}

/// The wider standard deviation a, the narrower b, their correlation rho and
/// c = sqrt(1 - rho^2) for the covariance [[s11, s12], [s12, s22]] in either order: the outer
/// direction has width a, the inner conditional one b c.
fn widths(s11: f64, s22: f64, s12: f64) -> (f64, f64, f64, f64) {
    let (s11, s22) = if s11 >= s22 { (s11, s22) } else { (s22, s11) };
    let (a, b) = (s11.max(0.0).sqrt(), s22.max(0.0).sqrt());
    let rho = if a * b > 0.0 {
        (s12 / (a * b)).clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let c = (1.0 - rho * rho).max(0.0).sqrt();
    (a, b, rho, c)
}

impl Conditional {
    /// The rules for covariance [[s11, s12], [s12, s22]], ordered so that the outer direction
    /// is the wider one (E[phi(u) phi(v)] is symmetric in u and v).
    fn new(arch: Arch, s11: f64, s22: f64, s12: f64) -> Self {
        let (a, b, rho, c) = widths(s11, s22, s12);
        let outer = trapezoid(trapezoid_step(arch, a));
        let inner = if b * c > 0.0 {
            trapezoid(trapezoid_step(arch, b * c))
        } else {
            (Vec::new(), Vec::new())
        };
        Conditional {
            a,
            b,
            rho,
            c,
            outer,
            inner,
        }
    }

    /// E[phi(t + u) phi(t + v)]: the outer sum over g1 of phi(t + a g1) times the inner sum,
    /// E[phi(t + v) | g1], over g2. For an odd activation (tanh) and t = 0 the summand is the
    /// same at g1 and -g1 (the rules are symmetric), so only g1 >= 0 is summed, twice.
    fn integrate(&self, arch: Arch, t: f64) -> f64 {
        let (g, w) = (&self.outer.0, &self.outer.1);
        let (gi, wi) = (&self.inner.0, &self.inner.1);
        let spread = self.b * self.c;
        let odd = t == 0.0 && arch == Arch::Tanh;
        let from = if odd { g.len() / 2 } else { 0 };
        let mut total = 0.0;
        for (g1, w1) in g[from..].iter().zip(&w[from..]) {
            let w1 = if odd && *g1 > 0.0 { 2.0 * w1 } else { *w1 };
            let pu = arch.activation(t + self.a * g1);
            if pu == 0.0 {
                continue;
            }
            let mean = t + self.b * self.rho * g1;
            let inner: f64 = if gi.is_empty() {
                arch.activation(mean)
            } else {
                gi.iter()
                    .zip(wi)
                    .map(|(g2, w2)| w2 * arch.activation(mean + spread * g2))
                    .sum()
            };
            total += w1 * pu * inner;
        }
        total
    }
}

/// E[phi(u) phi(v)] for (u, v) ~ N(0, [[s11, s12], [s12, s22]]) by the trapezoid rule in
/// conditional form: u = a g1 the wider of the two (a >= b), v = b (rho g1 + sqrt(1 - rho^2)
/// g2), each direction with the step its own width needs (g1: a; g2: the conditional width
/// b sqrt(1 - rho^2), so nearly parallel inputs need few inner nodes). For an activation
/// with poles near the real axis, e.g. tanh, far fewer nodes than Gauss-Hermite needs.
///
/// Where that rule would need more than [`SPLIT_ABOVE`] nodes (pre-activations wider than
/// about 2) and the activation has a saturated part (tanh, sigmoid, softplus, SiLU, GELU),
/// the split of [`crate::pair_split`] instead, whose work does not grow with the scale.
pub fn gaussian_pair(arch: Arch, s11: f64, s22: f64, s12: f64) -> f64 {
    if crate::pair_split::has_split(arch)
        && conditional_nodes(arch, s11, s22, s12) > SPLIT_ABOVE
        && let Some(v) = crate::pair_split::split_pair(arch, s11, s22, s12)
    {
        return v;
    }
    Conditional::new(arch, s11, s22, s12).integrate(arch, 0.0)
}

/// The conditional rule's node count above which the split is used (the split costs up to
/// about 3e4 nodes, each a few transcendental functions, against one tanh per trapezoid node).
pub const SPLIT_ABOVE: f64 = 3e4;

/// The work of one [`gaussian_pair`] in trapezoid-node equivalents (one activation value
/// each): the conditional rule's node count, or for the split, its at most about 3e4 nodes
/// at about three times the cost each. For time estimates.
pub fn pair_work(arch: Arch, s11: f64, s22: f64, s12: f64) -> f64 {
    let nodes = conditional_nodes(arch, s11, s22, s12);
    if crate::pair_split::has_split(arch) && nodes > SPLIT_ABOVE {
        1e5
    } else {
        nodes
    }
}

/// The number of nodes of the conditional trapezoid rule of [`gaussian_pair`] (outer times
/// inner), without building it.
pub fn conditional_nodes(arch: Arch, s11: f64, s22: f64, s12: f64) -> f64 {
    let (a, b, _, c) = widths(s11, s22, s12);
    let count = |h: f64| 2.0 * (TRAPEZOID_REACH / h).ceil() + 1.0;
    let outer = count(trapezoid_step(arch, a));
    let inner = if b * c > 0.0 {
        count(trapezoid_step(arch, b * c))
    } else {
        1.0
    };
    outer * inner
}

/// Gauss-Legendre nodes and weights for the uniform density on [-pi, pi]: 8 panels of
/// `order` points (the integrand in the bias is smooth but not periodic for most
/// activations).
fn panel_rule(order: usize) -> (Vec<f64>, Vec<f64>) {
    let (x, w) = gauss_legendre(order);
    let panels = 8;
    let h = 2.0 * std::f64::consts::PI / panels as f64;
    let mut nodes = Vec::new();
    let mut weights = Vec::new();
    for p in 0..panels {
        let lo = -std::f64::consts::PI + p as f64 * h;
        for (xi, wi) in x.iter().zip(&w) {
            nodes.push(lo + 0.5 * h * (xi + 1.0));
            weights.push(0.5 * h * wi / (2.0 * std::f64::consts::PI));
        }
    }
    (nodes, weights)
}

/// The bias rule for kinked activations: 8 panels of 40 points.
fn uniform_rule() -> &'static (Vec<f64>, Vec<f64>) {
    static RULE: OnceLock<(Vec<f64>, Vec<f64>)> = OnceLock::new();
    RULE.get_or_init(|| panel_rule(40))
}

/// The bias rule for analytic activations: 8 panels of 16 points (panels of half-width
/// pi/8 against a singularity distance of at least pi/2 before the Gaussian smoothing:
/// Gauss-Legendre's error falls like 8^(-2 n), below 1e-20 at n = 16).
fn uniform_rule_analytic() -> &'static (Vec<f64>, Vec<f64>) {
    static RULE: OnceLock<(Vec<f64>, Vec<f64>)> = OnceLock::new();
    RULE.get_or_init(|| panel_rule(16))
}

/// E[phi(t + u) phi(t + v)] for t uniform on [-pi, pi] and (u, v) ~ N(0, [[s11, s12],
/// [s12, s22]]) independent: Gauss-Legendre panels in t; in (u, v) the conditional trapezoid
/// rule of [`gaussian_pair`] for an activation analytic in a strip, tensor Gauss-Hermite for
/// a kinked one.
pub fn uniform_bias_pair(arch: Arch, s11: f64, s22: f64, s12: f64) -> f64 {
    if arch.singularity_distance().is_none_or(|s| s >= 0.5) {
        let pair = Conditional::new(arch, s11, s22, s12);
        let (tn, tw) = uniform_rule_analytic();
        return tn
            .iter()
            .zip(tw)
            .map(|(t, wt)| wt * pair.integrate(arch, *t))
            .sum();
    }
    let (a, b) = (s11.max(0.0).sqrt(), s22.max(0.0).sqrt());
    let rho = if a * b > 0.0 {
        (s12 / (a * b)).clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let rule = hermite_rule(hermite_order(a.max(b)).min(192));
    let (g, w) = (&rule.0, &rule.1);
    let c = (1.0 - rho * rho).max(0.0).sqrt();
    let (tn, tw) = uniform_rule();
    let mut total = 0.0;
    for (t, wt) in tn.iter().zip(tw) {
        let mut acc = 0.0;
        for (g1, w1) in g.iter().zip(w) {
            let pu = arch.activation(t + a * g1);
            let mean = t + b * rho * g1;
            let inner: f64 = if c == 0.0 || b == 0.0 {
                arch.activation(mean)
            } else {
                g.iter()
                    .zip(w)
                    .map(|(g2, w2)| w2 * arch.activation(mean + b * c * g2))
                    .sum()
            };
            acc += w1 * pu * inner;
        }
        total += wt * acc;
    }
    total
}
