//! One-neuron moments M_k(x_1..x_k) = E[phi(z_1)..phi(z_k)], z_a = W0.x_a + b0 (docs/conventions.md
//! sections 1 and 4), for every index multiset of an input set up to k = 6.
//!
//! Closed forms: Gauss-net (log-normal) M_k = exp(1/2 sum_{ab} S_ab - sum_a S_aa); ReLU with
//! sb = 0 and inputs on one line x_a = c_a u: M_k = (1/2) sigma^k E|g|^k prod |c_a| when all
//! c_a have one sign (else 0), sigma = sW |u| / sqrt(d). Otherwise quadrature in the latent
//! space: z_a = A_a . g with g standard normal of dimension r = rank(x) + [sb > 0] <= 3.

use crate::error::{IntegrateError, Result};
use crate::quad::{MAX_DIM, Nested, Tol, gauss_hermite};
use nnqft_core::Estimate;
use nnqft_core::{Arch, InputSet, MomentRule, Network, multiset_rank, multisets};
use rayon::prelude::*;

/// Largest latent dimension the moment quadrature handles.
pub const MAX_LATENT_DIM: usize = 3;

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
            MomentRule::PiecewiseLinear { below, above }
                if net.sigma_b() == 0.0 && span(inputs).len() <= 1 =>
            {
                line_closed(net, inputs, max_k, below, above)
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

fn gauss_closed(net: &Network, inputs: &InputSet, max_k: usize) -> OneNeuronMoments {
    let m = inputs.len();
    let mut out = empty(m, max_k);
    let s = |a: usize, b: usize| net.preactivation_cov(inputs.point(a), inputs.point(b));
    for k in 1..=max_k {
        for (r, t) in multisets(m, k).iter().enumerate() {
            let mut e = 0.0;
            for &a in t {
                for &b in t {
                    e += 0.5 * s(a, b);
                }
                e -= s(a, a);
            }
            out.values[k - 1][r] = e.exp();
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

/// The latent-space description of the pre-activations: z_a = A_a . g, g ~ N(0, I_r), and
/// the multiset products as links (prefix component, last input).
struct Latent {
    rows: Vec<Vec<f64>>,
    r: usize,
    scales: Vec<f64>,
    links: Vec<(Option<usize>, usize)>,
    offsets: Vec<usize>,
}

fn setup(net: &Network, inputs: &InputSet, max_k: usize) -> Result<Latent> {
    let m = inputs.len();
    let basis = span(inputs);
    let sigma = net.w0_scale();
    let mut rows: Vec<Vec<f64>> = (0..m)
        .map(|a| {
            basis
                .iter()
                .map(|q| {
                    sigma
                        * inputs
                            .point(a)
                            .iter()
                            .zip(q)
                            .map(|(x, q)| x * q)
                            .sum::<f64>()
                })
                .collect()
        })
        .collect();
    if net.sigma_b() > 0.0 {
        rows.iter_mut().for_each(|r| r.push(net.sigma_b()));
    }
    let r = basis.len() + usize::from(net.sigma_b() > 0.0);
    if r > MAX_LATENT_DIM {
        return Err(IntegrateError::Dimension(format!(
            "the one-neuron moments of these inputs need a {r}-dimensional Gaussian integral; \
             the quadrature handles at most {MAX_LATENT_DIM} (inputs spanning <= {} dimensions)",
            MAX_LATENT_DIM - usize::from(net.sigma_b() > 0.0)
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
        scales,
        links,
        offsets,
    })
}

fn latent(net: &Network, inputs: &InputSet, max_k: usize) -> Result<OneNeuronMoments> {
    let lat = setup(net, inputs, max_k)?;
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
    } else if let MomentRule::PiecewiseLinear { below, above } = net.arch().moment_rule() {
        piecewise_latent(&lat, max_k, below, above)
    } else {
        hermite_latent(net.arch(), &lat)
    };
    scatter(&mut out, &lat.offsets, &v, &e);
    Ok(out)
}

/// Smooth activations: tensor Gauss-Hermite rules of two orders; the higher one is the value,
/// their difference the (conservative) error estimate.
fn hermite_latent(arch: Arch, lat: &Latent) -> (Vec<f64>, Vec<f64>) {
    let amax = lat
        .rows
        .iter()
        .map(|r| r.iter().map(|v| v * v).sum::<f64>().sqrt())
        .fold(0.0f64, f64::max)
        .max(1.0);
    let n_hi = if lat.r <= 2 {
        ((170.0 * amax).ceil() as usize).min(400)
    } else {
        ((80.0 * amax).ceil() as usize).min(160)
    };
    let n_lo = 4 * n_hi / 5;
    let (hi, abs_hi) = tensor_hermite(arch, lat, n_hi);
    let (lo, _) = tensor_hermite(arch, lat, n_lo);
    // Truncation (gap to the lower rule) plus roundoff of the sum (eps sqrt(nodes) sum |w f|).
    let nodes = (n_hi as f64).powi(lat.r as i32);
    let err = (0..hi.len())
        .map(|i| (hi[i] - lo[i]).abs() + f64::EPSILON * nodes.sqrt() * abs_hi[i])
        .collect();
    (hi, err)
}

/// The tensor Gauss-Hermite sums of every component and of their absolute values.
fn tensor_hermite(arch: Arch, lat: &Latent, n: usize) -> (Vec<f64>, Vec<f64>) {
    let (g, w) = gauss_hermite(n);
    let r = lat.r;
    let m = lat.rows.len();
    let ncomp = lat.links.len();
    let total = n.pow(r as u32);
    let mut sums = (0..n)
        .into_par_iter()
        .map(|i0| {
            let mut acc = vec![0.0; 2 * ncomp];
            let mut v = vec![0.0; ncomp];
            let mut phi = vec![0.0; m];
            let mut y = [0.0; MAX_LATENT_DIM];
            for rest in 0..total / n {
                let mut wt = w[i0];
                y[0] = g[i0];
                let mut q = rest;
                for yj in y.iter_mut().take(r).skip(1) {
                    let ij = q % n;
                    q /= n;
                    *yj = g[ij];
                    wt *= w[ij];
                }
                for ((p, row), sc) in phi.iter_mut().zip(&lat.rows).zip(&lat.scales) {
                    let z: f64 = row.iter().zip(&y).map(|(x, y)| x * y).sum();
                    *p = arch.activation(z) * sc;
                }
                fill(&lat.links, &phi, wt, &mut v);
                let (sum, abs) = acc.split_at_mut(ncomp);
                sum.iter_mut().zip(&v).for_each(|(a, b)| *a += b);
                abs.iter_mut().zip(&v).for_each(|(a, b)| *a += b.abs());
            }
            acc
        })
        .collect::<Vec<_>>()
        // Summed in a fixed order: the result does not depend on the thread schedule.
        .into_iter()
        .fold(vec![0.0; 2 * ncomp], |mut a, b| {
            a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
            a
        });
    let abs = sums.split_off(ncomp);
    (sums, abs)
}

/// Piecewise-linear activations (ReLU): the innermost latent coordinate t analytically (on each piece between the kinks
/// t_a = -alpha_a/beta_a the product is a polynomial in t, integrated against the normal
/// density by incomplete moments), the outer r - 1 coordinates by nested adaptive
/// Gauss-Kronrod split where the inner kinks cross.
fn piecewise_latent(lat: &Latent, max_k: usize, below: f64, above: f64) -> (Vec<f64>, Vec<f64>) {
    let r = lat.r;
    let rows = &lat.rows;
    let ncomp = lat.links.len();
    let norm = (2.0 * std::f64::consts::PI)
        .sqrt()
        .powi(r as i32 - 1)
        .recip();
    let f = |g: &[f64], v: &mut [f64]| {
        let outer = &g[..r - 1];
        let w = norm * (-0.5 * outer.iter().map(|x| x * x).sum::<f64>()).exp();
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
    let lo = vec![-reach; r - 1];
    let hi = vec![reach; r - 1];
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
