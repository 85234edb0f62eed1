//! One-neuron moments M_k(x_1..x_k) = E[phi(z_1)..phi(z_k)], z_a = W0.x_a + b0 (docs/conventions.md
//! sections 1 and 4), for every index multiset of an input set up to k = 6.
//!
//! Closed forms: Gauss-net (log-normal) M_k = exp(1/2 sum_{ab} S_ab - sum_a S_aa); sin and cos
//! as sums over signs of E[e^{i sum eps_a z_a}]; piecewise-linear activations with sb = 0 and
//! inputs on one line x_a = c_a u; the linear activation by Isserlis' theorem. Otherwise
//! quadrature in the latent space: z_a = t + A_a . g with g standard normal of dimension
//! rank(x) + [normal bias, sb > 0] and t the uniform bias (or 0), at most [`MAX_LATENT_DIM`]
//! directions in all, never d or N (docs/conventions.md section 10). Smooth activations: a
//! tensor trapezoid rule (`tensor_rule.rs`). Piecewise-linear ones: over three or four
//! Gaussian directions by homogeneity (`sphere.rs`), otherwise one direction exactly and the
//! others by nested adaptive quadrature (a uniform bias breaks homogeneity: inputs spanning
//! two or more dimensions are slow, and refused beyond a few).

use crate::error::{IntegrateError, Result};
use crate::quad::{MAX_DIM, Nested, Tol};
use crate::sphere::sphere_moments;
use crate::tensor_rule::{Axis, Products, tensor_sum};
use nnqft_core::Estimate;
use nnqft_core::{
    Arch, BiasDist, InputSet, MomentRule, Network, multiset_rank, multisets, uniform_exp_moment,
};

pub use crate::tensor_rule::MAX_LATENT_DIM;

/// M_k for every sorted k-multiset of the inputs, k = 1..=max_k, with quadrature errors.
#[derive(Clone, Debug, PartialEq)]
pub struct OneNeuronMoments {
    m: usize,
    max_k: usize,
    /// values[k - 1][rank of the multiset among multisets(m, k)].
    values: Vec<Vec<f64>>,
    errors: Vec<Vec<f64>>,
}

impl OneNeuronMoments {
    /// Moments up to order `max_k` (<= 6), by closed form where one exists, else quadrature.
    /// M2 is always the closed form of the kernel (docs/conventions.md section 2).
    pub fn new(net: &Network, inputs: &InputSet, max_k: usize) -> Result<Self> {
        check(net, inputs, max_k)?;
        let mut out = match net.arch().moment_rule() {
            MomentRule::LogNormal => gauss_closed(net, inputs, max_k),
            MomentRule::Trig { sine } => trig_closed(net, inputs, max_k, sine),
            MomentRule::PiecewiseLinear { below, above }
                if net.homogeneous_kernel() && span(inputs).len() <= 1 =>
            {
                line_closed(net, inputs, max_k, below, above)
            }
            MomentRule::PiecewiseLinear { below, above } if below == above => {
                isserlis_closed(net, inputs, max_k, above)
            }
            _ => latent(net, inputs, max_k)?,
        };
        if max_k >= 2 {
            for (r, t) in multisets(inputs.len(), 2).iter().enumerate() {
                out.values[1][r] = net.m2(inputs.point(t[0]), inputs.point(t[1]));
                out.errors[1][r] = 0.0;
            }
        }
        Ok(out)
    }

    /// Moments by latent-space quadrature only (an independent check on the closed forms).
    pub fn numeric(net: &Network, inputs: &InputSet, max_k: usize) -> Result<Self> {
        check(net, inputs, max_k)?;
        latent(net, inputs, max_k)
    }

    /// M_k at an index tuple (any order), k = idx.len() in 1..=max_k.
    pub fn get(&self, idx: &[usize]) -> f64 {
        self.estimate(idx).value
    }

    /// M_k at an index tuple with its quadrature error (0 for closed forms).
    pub fn estimate(&self, idx: &[usize]) -> Estimate {
        let k = idx.len();
        assert!(
            k >= 1 && k <= self.max_k,
            "moment of order {k} not computed"
        );
        let mut s = idx.to_vec();
        s.sort_unstable();
        let r = multiset_rank(self.m, &s);
        Estimate {
            value: self.values[k - 1][r],
            error: self.errors[k - 1][r],
        }
    }

    /// The largest order computed.
    pub fn max_k(&self) -> usize {
        self.max_k
    }
}

/// M_k at a list of points (k = points.len() <= 6).
pub fn moment(net: &Network, points: &[&[f64]]) -> Result<Estimate> {
    let set = InputSet::new(points.iter().map(|p| p.to_vec()).collect())?;
    let k = points.len();
    let mm = OneNeuronMoments::new(net, &set, k)?;
    Ok(mm.estimate(&(0..k).collect::<Vec<_>>()))
}

fn check(net: &Network, inputs: &InputSet, max_k: usize) -> Result<()> {
    if !(1..=6).contains(&max_k) {
        return Err(IntegrateError::Order(max_k));
    }
    if inputs.dim() != net.d_in() {
        return Err(IntegrateError::Points(format!(
            "the inputs have {} coordinates but the network has d = {}",
            inputs.dim(),
            net.d_in()
        )));
    }
    if net.depth() > 1 {
        return Err(IntegrateError::Points(format!(
            "one-neuron moments are defined for one hidden layer; got depth {}",
            net.depth()
        )));
    }
    Ok(())
}

fn empty(m: usize, max_k: usize) -> OneNeuronMoments {
    let values: Vec<Vec<f64>> = (1..=max_k)
        .map(|k| vec![0.0; multisets(m, k).len()])
        .collect();
    OneNeuronMoments {
        m,
        max_k,
        errors: values.clone(),
        values,
    }
}

/// A linear phi(z) = c z: the Gaussian parts g_a of the pre-activations are jointly Gaussian
/// and centred, so E[g_t1 .. g_tk] follows from Isserlis' theorem order by order,
/// E[g_a g_rest] = sum_{b in rest} S_ab E[g_(rest without b)], and is 0 for odd k. A uniform
/// bias t (z_a = t + g_a) adds the sum over which factors take t:
/// E[prod (t + g_a)] = sum_{A subset} E[t^|A|] E[prod_{a not in A} g_a], E[t^n] = pi^n / (n + 1)
/// for even n. Then M_k = c^k times that.
fn isserlis_closed(net: &Network, inputs: &InputSet, max_k: usize, c: f64) -> OneNeuronMoments {
    let m = inputs.len();
    let mut out = empty(m, max_k);
    let s = |a: usize, b: usize| net.preactivation_cov(inputs.point(a), inputs.point(b));
    for k in (2..=max_k).step_by(2) {
        for (r, t) in multisets(m, k).iter().enumerate() {
            let mut e = 0.0;
            for j in 1..k {
                let rest: Vec<usize> = t[1..]
                    .iter()
                    .enumerate()
                    .filter(|&(i, _)| i + 1 != j)
                    .map(|(_, &a)| a)
                    .collect();
                let inner = if rest.is_empty() {
                    1.0
                } else {
                    out.values[k - 3][multiset_rank(m, &rest)]
                };
                e += s(t[0], t[j]) * inner;
            }
            out.values[k - 1][r] = e;
        }
    }
    if net.bias() == BiasDist::Uniform {
        let gaussian = out.values.clone();
        let t_moment = |n: usize| {
            if n % 2 == 1 {
                0.0
            } else {
                std::f64::consts::PI.powi(n as i32) / (n + 1) as f64
            }
        };
        for k in 1..=max_k {
            for (r, t) in multisets(m, k).iter().enumerate() {
                let mut e = 0.0;
                for mask in 0u32..(1 << k) {
                    let rest: Vec<usize> = (0..k)
                        .filter(|&i| mask & (1 << i) == 0)
                        .map(|i| t[i])
                        .collect();
                    let g = if rest.is_empty() {
                        1.0
                    } else {
                        gaussian[rest.len() - 1][multiset_rank(m, &rest)]
                    };
                    e += t_moment(k - rest.len()) * g;
                }
                out.values[k - 1][r] = e;
            }
        }
    }
    for (k, row) in out.values.iter_mut().enumerate() {
        let f = c.powi(k as i32 + 1);
        row.iter_mut().for_each(|v| *v *= f);
    }
    out
}

fn gauss_closed(net: &Network, inputs: &InputSet, max_k: usize) -> OneNeuronMoments {
    let m = inputs.len();
    let mut out = empty(m, max_k);
    let s = |a: usize, b: usize| net.preactivation_cov(inputs.point(a), inputs.point(b));
    for k in 1..=max_k {
        // A uniform bias t multiplies prod_a e^{z_a} by e^{k t}; the per-input scales divide
        // by E[e^{2t}]^(1/2) each (see Network::output_scale).
        let uniform = if net.bias() == BiasDist::Uniform {
            uniform_exp_moment(k as u32) / uniform_exp_moment(2).powf(k as f64 / 2.0)
        } else {
            1.0
        };
        for (r, t) in multisets(m, k).iter().enumerate() {
            let mut e = 0.0;
            for &a in t {
                for &b in t {
                    e += 0.5 * s(a, b);
                }
                e -= s(a, a);
            }
            out.values[k - 1][r] = e.exp() * uniform;
        }
    }
    out
}

/// sin and cos: prod_a phi(z_a) = c sum_{eps in {-1,1}^k} s(eps) e^{i sum_a eps_a z_a}, with
/// c = 2^-k, s = 1 for cos and c = (2i)^-k, s = prod eps_a for sin. For Gaussian z with
/// covariance S, E e^{i eps.z} = exp(-eps.S.eps / 2); a uniform bias t on [-pi, pi] adds the
/// factor E e^{i t sum eps} = [sum eps = 0] (S then holds W0's part alone).
fn trig_closed(net: &Network, inputs: &InputSet, max_k: usize, sine: bool) -> OneNeuronMoments {
    let m = inputs.len();
    let mut out = empty(m, max_k);
    let uniform = net.bias() == BiasDist::Uniform;
    let s: Vec<Vec<f64>> = (0..m)
        .map(|a| {
            (0..m)
                .map(|b| net.preactivation_cov(inputs.point(a), inputs.point(b)))
                .collect()
        })
        .collect();
    for k in 1..=max_k {
        // Odd products of sines vanish (eps and -eps cancel); (2i)^-k = (-1)^(k/2) 2^-k.
        let c = if sine {
            if k % 2 == 1 {
                continue;
            }
            if (k / 2) % 2 == 1 { -1.0 } else { 1.0 }
        } else {
            1.0
        } / (1u64 << k) as f64;
        for (r, t) in multisets(m, k).iter().enumerate() {
            let mut total = 0.0;
            for bits in 0u32..(1 << k) {
                let eps = |i: usize| if bits >> i & 1 == 1 { -1.0 } else { 1.0 };
                if uniform && (0..k).map(eps).sum::<f64>() != 0.0 {
                    continue;
                }
                let mut q = 0.0;
                for i in 0..k {
                    for j in 0..k {
                        q += eps(i) * eps(j) * s[t[i]][t[j]];
                    }
                }
                let sign = if sine {
                    (0..k).map(eps).product::<f64>()
                } else {
                    1.0
                };
                total += sign * (-0.5 * q).exp();
            }
            out.values[k - 1][r] = c * total;
        }
    }
    out
}

/// E|g|^k for a standard normal g: (k-1)!! for even k, sqrt(2/pi) (k-1)!! for odd k.
fn abs_normal_moment(k: usize) -> f64 {
    let mut df = 1.0;
    let mut j = k as i64 - 1;
    while j > 1 {
        df *= j as f64;
        j -= 2;
    }
    if k.is_multiple_of(2) {
        df
    } else {
        df * (2.0 / std::f64::consts::PI).sqrt()
    }
}

/// Inputs on one line x_a = c_a u through the origin, sb = 0, phi(z) = `below` z (z < 0) or
/// `above` z (z > 0): z_a = c_a sigma g with g standard normal, so
/// M_k = (1/2) sigma^k E|g|^k prod |c_a| [prod_a A_a + (-1)^k prod_a B_a], with
/// A_a = above or -below and B_a = below or -above as c_a > 0 or c_a < 0 (the halves g > 0 and
/// g < 0). ReLU: the moment is non-zero only when every c_a has the same sign.
fn line_closed(
    net: &Network,
    inputs: &InputSet,
    max_k: usize,
    below: f64,
    above: f64,
) -> OneNeuronMoments {
    let m = inputs.len();
    let mut out = empty(m, max_k);
    let basis = span(inputs);
    let c: Vec<f64> = match basis.first() {
        Some(u) => (0..m)
            .map(|a| inputs.point(a).iter().zip(u).map(|(x, u)| x * u).sum())
            .collect(),
        None => vec![0.0; m],
    };
    let sigma = net.w0_scale();
    for k in 1..=max_k {
        let half = 0.5 * sigma.powi(k as i32) * abs_normal_moment(k);
        let sign = if k % 2 == 0 { 1.0 } else { -1.0 };
        for (r, t) in multisets(m, k).iter().enumerate() {
            let upper: f64 = t
                .iter()
                .map(|&a| if c[a] > 0.0 { above } else { -below })
                .product();
            let lower: f64 = t
                .iter()
                .map(|&a| if c[a] > 0.0 { below } else { -above })
                .product();
            let coef = upper + sign * lower;
            // A zero coefficient or an input at the origin gives exactly +0.
            let v = if coef == 0.0 || t.iter().any(|&a| c[a] == 0.0) {
                0.0
            } else {
                half * t.iter().map(|&a| c[a].abs()).product::<f64>() * coef
            };
            out.values[k - 1][r] = v;
        }
    }
    out
}

/// An orthonormal basis of the span of the inputs (Gram-Schmidt, twice for stability).
fn span(inputs: &InputSet) -> Vec<Vec<f64>> {
    let scale = inputs
        .points()
        .iter()
        .map(|p| p.iter().map(|v| v * v).sum::<f64>().sqrt())
        .fold(0.0f64, f64::max);
    let mut basis: Vec<Vec<f64>> = Vec::new();
    for p in inputs.points() {
        let mut v = p.clone();
        for _ in 0..2 {
            for q in &basis {
                let dot: f64 = v.iter().zip(q).map(|(a, b)| a * b).sum();
                v.iter_mut().zip(q).for_each(|(a, b)| *a -= dot * b);
            }
        }
        let n = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        if n > 1e-12 * scale && n > 0.0 {
            basis.push(v.iter().map(|a| a / n).collect());
        }
    }
    basis
}

/// The latent-space description of the pre-activations: z_a = A_a . y with y = (t, g): t the
/// uniform bias on [-pi, pi] when there is one (coordinate 0, coefficient 1 in every row), g
/// standard normal; and the multiset products as links (prefix component, last input).
struct Latent {
    rows: Vec<Vec<f64>>,
    r: usize,
    /// Whether coordinate 0 is the uniform bias.
    uniform: bool,
    scales: Vec<f64>,
    links: Vec<(Option<usize>, usize)>,
    offsets: Vec<usize>,
}

impl Latent {
    /// The number of Gaussian coordinates.
    fn gaussian_dims(&self) -> usize {
        self.r - usize::from(self.uniform)
    }
}

fn setup(net: &Network, inputs: &InputSet, max_k: usize) -> Result<Latent> {
    let m = inputs.len();
    let basis = span(inputs);
    let sigma = net.w0_scale();
    let uniform = net.bias() == BiasDist::Uniform;
    let sb = net.hidden_sigma_b();
    let mut rows: Vec<Vec<f64>> = (0..m)
        .map(|a| {
            let mut row: Vec<f64> = if uniform { vec![1.0] } else { Vec::new() };
            row.extend(basis.iter().map(|q| {
                sigma
                    * inputs
                        .point(a)
                        .iter()
                        .zip(q)
                        .map(|(x, q)| x * q)
                        .sum::<f64>()
            }));
            row
        })
        .collect();
    if sb > 0.0 {
        rows.iter_mut().for_each(|r| r.push(sb));
    }
    let r = basis.len() + usize::from(sb > 0.0) + usize::from(uniform);
    if r > MAX_LATENT_DIM {
        return Err(IntegrateError::Dimension(format!(
            "the one-neuron moments of these inputs need a {r}-dimensional integral; the \
             quadrature handles at most {MAX_LATENT_DIM} (inputs spanning <= {} dimensions)",
            MAX_LATENT_DIM - (r - basis.len())
        )));
    }
    let scales: Vec<f64> = (0..m).map(|a| net.output_scale(inputs.point(a))).collect();
    let mut offsets = vec![0usize];
    let mut links: Vec<(Option<usize>, usize)> = Vec::new();
    for k in 1..=max_k {
        for t in multisets(m, k) {
            let prefix = (k > 1).then(|| offsets[k - 2] + multiset_rank(m, &t[..k - 1]));
            links.push((prefix, t[k - 1]));
        }
        offsets.push(links.len());
    }
    Ok(Latent {
        rows,
        r,
        uniform,
        scales,
        links,
        offsets,
    })
}

fn latent(net: &Network, inputs: &InputSet, max_k: usize) -> Result<OneNeuronMoments> {
    let mut lat = setup(net, inputs, max_k)?;
    let m = inputs.len();
    let ncomp = lat.links.len();
    let mut out = empty(m, max_k);
    let (v, e) = if lat.r == 0 {
        let phi: Vec<f64> = (0..m)
            .map(|a| net.arch().activation(0.0) * lat.scales[a])
            .collect();
        let mut v = vec![0.0; ncomp];
        fill(&lat.links, &phi, 1.0, &mut v);
        (v, vec![0.0; ncomp])
    } else if let MomentRule::PiecewiseLinear { below, above } = net.arch().moment_rule()
        && lat.gaussian_dims() > 0
    {
        if (lat.r == 3 || lat.r == 4) && !lat.uniform {
            sphere_moments(&lat.rows, &lat.links, below, above)
        } else {
            // The nested rule resolves the crossings of the kinks in the outer coordinates:
            // with a uniform bias (no homogeneity) and inputs spanning 2 dimensions it took 27 s
            // for 5 inputs and over a minute for 6; spanning 3, over a minute for 3 inputs.
            let span = lat.r - 1;
            let most = match span {
                0 | 1 => usize::MAX,
                2 => 5,
                _ => 2,
            };
            if lat.uniform && m > most {
                return Err(IntegrateError::Dimension(format!(
                    "the exact moments of {} with a uniform bias on {m} inputs spanning {span} \
                     dimensions would take many minutes (no faster rule without homogeneity); \
                     use at most {most} inputs, or a normal bias",
                    net.arch().name()
                )));
            }
            piecewise_latent(&lat, max_k, below, above)
        }
    } else {
        rotate_principal(&mut lat);
        trapezoid_latent(net.arch(), &lat)
    };
    scatter(&mut out, &lat.offsets, &v, &e);
    Ok(out)
}

/// Rotate the Gaussian coordinates to the principal axes of the rows (the right singular
/// vectors of A): the product integrand then varies fast along few directions, and the
/// trapezoid rule spends its nodes there. The distribution of g is rotation invariant.
fn rotate_principal(lat: &mut Latent) {
    let off = usize::from(lat.uniform);
    let gd = lat.gaussian_dims();
    if gd < 2 {
        return;
    }
    let a = nalgebra::DMatrix::from_fn(lat.rows.len(), gd, |i, j| lat.rows[i][off + j]);
    let eig = (a.transpose() * &a).symmetric_eigen();
    let rotated = &a * &eig.eigenvectors;
    for (i, row) in lat.rows.iter_mut().enumerate() {
        for j in 0..gd {
            row[off + j] = rotated[(i, j)];
        }
    }
}

/// Smooth activations: the trapezoid rule in every Gaussian coordinate (step h_j, nodes
/// k h_j for |k h_j| <= reach), Gauss-Legendre panels in a uniform bias. For an integrand
/// analytic in the strip |Im y_j| < tau_j the trapezoid error falls like exp(-2 pi tau_j / h_j)
/// (far faster than Gauss-Hermite's for activations with poles near the real axis, e.g.
/// tanh at z = i pi/2): tau_j = s / max_a |A_aj| with s the activation's singularity distance
/// (pi/2 for entire ones, whose error falls faster still, like exp(-c / h^2)), and
/// h_j = tau_j / 6 (tau_j / 6.5 for entire ones) aims at 1e-13, on the nodes inside the
/// Gaussian ball (`tensor_rule.rs`). The rule with step 2 h_j uses every other node; from the
/// gap g = |T_h - T_2h| the reported error is g^2 / scale under the exp(-c/h) law of
/// meromorphic activations and g^3 / scale^2 for entire ones (whose error falls like
/// exp(-c/h^2), which would give g^4 / scale^3), plus the roundoff of the sum.
fn trapezoid_latent(arch: Arch, lat: &Latent) -> (Vec<f64>, Vec<f64>) {
    let amax_all = lat
        .rows
        .iter()
        .flat_map(|r| r.iter())
        .fold(0.0f64, |a, b| a.max(b.abs()));
    // exp grows: its products peak up to k amax standard deviations out.
    let reach = if arch.moment_rule() == MomentRule::LogNormal {
        9.5 + 6.0 * amax_all
    } else {
        9.5
    };
    let strip = arch.singularity_distance();
    let s = strip.unwrap_or(std::f64::consts::FRAC_PI_2).max(1e-3);
    // Entire activations grow off the axis (erf like e^{y^2}), more so in products of six:
    // a finer step than the pole distance alone suggests.
    let divisor = if strip.is_none() { 6.5 } else { 6.0 };
    let off = usize::from(lat.uniform);
    let mut axes: Vec<Axis> = Vec::with_capacity(lat.r);
    if lat.uniform {
        axes.push(Axis::uniform(s));
    }
    for j in off..lat.r {
        let amax = lat.rows.iter().map(|r| r[j].abs()).fold(0.0f64, f64::max);
        // h <= 0.5 integrates the Gaussian weight alone to 1e-30, and the coarse rule (2h)
        // to 3e-9, so the error estimate from their gap stays small on slow axes.
        let h = if amax > 0.0 {
            (s / amax / divisor).min(0.5)
        } else {
            0.5
        };
        axes.push(Axis::trapezoid(h, reach));
    }
    let f = Products {
        arch,
        parity: arch.parity(),
        rows: &lat.rows,
        scales: &lat.scales,
        links: &lat.links,
    };
    // The ball of radius reach + 0.5 (10) leaves out a Gaussian mass of 1e-20 in four
    // dimensions, and 1e-14 of E[|g|^6] = 192; the cube |g_j| <= reach would spend 2.6
    // times the nodes on its corners.
    tensor_sum(&f, &axes, reach + 0.5, if strip.is_none() { 3 } else { 2 })
}

/// Piecewise-linear activations (ReLU): the innermost latent coordinate t analytically (on each piece between the kinks
/// t_a = -alpha_a/beta_a the product is a polynomial in t, integrated against the normal
/// density by incomplete moments), the outer r - 1 coordinates by nested adaptive
/// Gauss-Kronrod split where the inner kinks cross.
fn piecewise_latent(lat: &Latent, max_k: usize, below: f64, above: f64) -> (Vec<f64>, Vec<f64>) {
    let r = lat.r;
    let rows = &lat.rows;
    let ncomp = lat.links.len();
    // Outer coordinates: the uniform bias (density 1/(2 pi) on [-pi, pi]) first if there is
    // one, then Gaussian ones; the innermost coordinate is always Gaussian.
    let off = usize::from(lat.uniform);
    let two_pi = 2.0 * std::f64::consts::PI;
    let norm = two_pi.sqrt().powi(r as i32 - 1 - off as i32).recip() / two_pi.powi(off as i32);
    let f = |g: &[f64], v: &mut [f64]| {
        let outer = &g[..r - 1];
        let w = norm * (-0.5 * outer[off..].iter().map(|x| x * x).sum::<f64>()).exp();
        piecewise_inner(lat, outer, max_k, below, above, v);
        v.iter_mut().for_each(|x| *x *= w);
    };
    let br = |level: usize, g: &[f64], out: &mut Vec<f64>| {
        out.push(0.0);
        if r == 3 && level == 1 {
            for (i, a) in rows.iter().enumerate() {
                if a[2] == 0.0 && a[1] != 0.0 {
                    out.push(-a[0] * g[0] / a[1]);
                }
                for b in &rows[i + 1..] {
                    let n0 = a[1] * b[2] - a[2] * b[1];
                    let n1 = a[2] * b[0] - a[0] * b[2];
                    if n0.abs() > 1e-300 {
                        out.push(n1 / n0 * g[0]);
                    }
                }
            }
        }
    };
    let coords: Vec<usize> = (0..r - 1).collect();
    let reach = 10.0;
    let mut lo = vec![-reach; r - 1];
    let mut hi = vec![reach; r - 1];
    if lat.uniform {
        lo[0] = -std::f64::consts::PI;
        hi[0] = std::f64::consts::PI;
    }
    let mut tol = Tol::rel(1e-13);
    tol.max_intervals = 200;
    tol.checked = lat.offsets[max_k];
    let (mut v, mut e) = (vec![0.0; ncomp], vec![0.0; ncomp]);
    Nested {
        integrand: &f,
        coords: &coords,
        lo: &lo,
        hi: &hi,
        breaks: &br,
        tol,
        fixed: [0.0; MAX_DIM],
    }
    .integrate(&mut v, &mut e);
    (v, e)
}

/// int prod_{a in multiset} max(0, alpha_a + beta_a t) phi(t) dt for every multiset, where
/// alpha_a = sum_{j < r-1} A_aj g_j and beta_a = A_a,r-1.
fn piecewise_inner(
    lat: &Latent,
    outer: &[f64],
    max_k: usize,
    below: f64,
    above: f64,
    v: &mut [f64],
) {
    let r = lat.r;
    let m = lat.rows.len();
    let ab: Vec<(f64, f64)> = lat
        .rows
        .iter()
        .map(|a| {
            let alpha: f64 = a[..r - 1].iter().zip(outer).map(|(x, y)| x * y).sum();
            (alpha, a[r - 1])
        })
        .collect();
    let mut cuts: Vec<f64> = ab
        .iter()
        .filter(|(_, b)| *b != 0.0)
        .map(|(a, b)| -a / b)
        .collect();
    cuts.sort_by(f64::total_cmp);
    cuts.dedup();
    let mut edges = vec![f64::NEG_INFINITY];
    edges.extend(cuts);
    edges.push(f64::INFINITY);
    v.iter_mut().for_each(|x| *x = 0.0);
    let ncomp = lat.links.len();
    let mut poly = vec![[0.0f64; 7]; ncomp];
    let mut lin = vec![(0.0, 0.0); m];
    for piece in edges.windows(2) {
        let (lo, hi) = (piece[0], piece[1]);
        let mid = if lo.is_finite() && hi.is_finite() {
            0.5 * (lo + hi)
        } else if lo.is_finite() {
            lo + 1.0
        } else if hi.is_finite() {
            hi - 1.0
        } else {
            0.0
        };
        for (a, &(al, be)) in ab.iter().enumerate() {
            let slope = if al + be * mid > 0.0 { above } else { below };
            lin[a] = if slope == 0.0 {
                (0.0, 0.0)
            } else {
                (slope * al, slope * be)
            };
        }
        let mom = normal_moments(lo, hi, max_k);
        for c in 0..ncomp {
            let (prefix, last) = lat.links[c];
            let (al, be) = lin[last];
            let mut p = [0.0f64; 7];
            match prefix {
                None => {
                    p[0] = al;
                    p[1] = be;
                }
                Some(q) => {
                    let pq = poly[q];
                    for n in 0..6 {
                        p[n] += al * pq[n];
                        p[n + 1] += be * pq[n];
                    }
                }
            }
            poly[c] = p;
            let s: f64 = p.iter().zip(&mom).map(|(a, b)| a * b).sum();
            v[c] += s; // piecewise-linear activations have no per-input output scale
        }
    }
}

/// I_n = int_lo^hi t^n phi(t) dt for n = 0..=6 (phi the standard normal density):
/// I_0 = Phi(hi) - Phi(lo), I_1 = phi(lo) - phi(hi), I_n = [t^(n-1) phi]_hi^lo + (n-1) I_(n-2).
fn normal_moments(lo: f64, hi: f64, max_k: usize) -> [f64; 7] {
    let pdf = |t: f64| {
        if t.is_finite() {
            (-0.5 * t * t).exp() / (2.0 * std::f64::consts::PI).sqrt()
        } else {
            0.0
        }
    };
    let s2 = std::f64::consts::SQRT_2;
    // Phi(hi) - Phi(lo) without cancellation in the upper tail.
    let i0 = if lo >= 0.0 {
        0.5 * (libm::erfc(lo / s2) - libm::erfc(hi / s2))
    } else {
        0.5 * (libm::erfc(-hi / s2) - libm::erfc(-lo / s2))
    };
    let (pl, ph) = (pdf(lo), pdf(hi));
    let term = |t: f64, p: f64, n: usize| if p == 0.0 { 0.0 } else { t.powi(n as i32) * p };
    let mut out = [0.0; 7];
    out[0] = i0;
    out[1] = pl - ph;
    for n in 2..=max_k.min(6) {
        out[n] = term(lo, pl, n - 1) - term(hi, ph, n - 1) + (n - 1) as f64 * out[n - 2];
    }
    out
}

/// Products for every multiset: v[c] = w * (prefix product) * phi[last].
fn fill(links: &[(Option<usize>, usize)], phi: &[f64], w: f64, v: &mut [f64]) {
    for c in 0..links.len() {
        let (prefix, last) = links[c];
        v[c] = match prefix {
            None => w * phi[last],
            Some(p) => v[p] * phi[last],
        };
    }
}

fn scatter(out: &mut OneNeuronMoments, offsets: &[usize], v: &[f64], e: &[f64]) {
    for k in 1..=out.max_k {
        let (a, b) = (offsets[k - 1], offsets[k]);
        out.values[k - 1].copy_from_slice(&v[a..b]);
        out.errors[k - 1].copy_from_slice(&e[a..b]);
    }
}
