//! Adaptive Gauss-Kronrod quadrature (G7-K15) for vector-valued integrands in one
//! dimension, and its nested (iterated) form over boxes of dimension up to 4.
//!
//! One call integrates m components at once over shared nodes, so the expensive part of
//! an integrand (kernel or activation values) is evaluated once per node for a whole table.

pub use nnqft_core::rules::{gauss_hermite, gauss_legendre};

/// Largest number of nested dimensions.
pub const MAX_DIM: usize = 4;

/// Kronrod nodes on [0, 1] (the 15-point rule is symmetric); odd positions 1, 3, 5, 7 are the
/// 7-point Gauss nodes.
const XGK: [f64; 8] = [
    0.991_455_371_120_812_6,
    0.949_107_912_342_758_5,
    0.864_864_423_359_769_1,
    0.741_531_185_599_394_4,
    0.586_087_235_467_691_1,
    0.405_845_151_377_397_2,
    0.207_784_955_007_898_5,
    0.0,
];
/// Kronrod weights matching [`XGK`].
const WGK: [f64; 8] = [
    0.022_935_322_010_529_22,
    0.063_092_092_629_978_55,
    0.104_790_010_322_250_18,
    0.140_653_259_715_525_92,
    0.169_004_726_639_267_9,
    0.190_350_578_064_785_4,
    0.204_432_940_075_298_9,
    0.209_482_141_084_727_83,
];
/// Gauss weights of the 7-point rule at XGK[1], XGK[3], XGK[5], XGK[7].
const WG: [f64; 4] = [
    0.129_484_966_168_869_7,
    0.279_705_391_489_276_7,
    0.381_830_050_505_118_9,
    0.417_959_183_673_469_4,
];

/// Stopping rule: each of the first `checked` components i must reach
/// err_i <= max(abs, rel max(|I_i|, floor max_j |I_j|)), with at most `max_intervals`
/// subintervals; the other components ride along on the same nodes.
#[derive(Clone, Copy, Debug)]
pub struct Tol {
    /// Relative tolerance.
    pub rel: f64,
    /// Absolute tolerance.
    pub abs: f64,
    /// Relative floor against the largest component.
    pub floor: f64,
    /// How many leading components the stopping rule checks.
    pub checked: usize,
    /// Most subintervals.
    pub max_intervals: usize,
    /// Report only the reducible error (without roundoff floors), as inner levels of a
    /// nested integral do so that the outer level does not chase irreducible roundoff.
    pub reducible_only: bool,
}

impl Tol {
    /// A relative tolerance with no absolute floor and 400 subintervals at most.
    pub fn rel(rel: f64) -> Self {
        Tol {
            rel,
            abs: 0.0,
            floor: 1e-10,
            checked: usize::MAX,
            max_intervals: 400,
            reducible_only: false,
        }
    }

    fn bound(&self, value: f64, largest: f64) -> f64 {
        self.abs
            .max(self.rel * value.abs().max(self.floor * largest))
    }
}

struct Interval {
    a: f64,
    b: f64,
    val: Vec<f64>,
    err: Vec<f64>,
    /// The roundoff part of `err` (a few ulps of the sum of |f|): splitting cannot reduce it.
    floor: Vec<f64>,
}

/// One G7-K15 panel on [a, b]: the Kronrod value per component and an error estimate
/// (QUADPACK's scaled |K - G|, plus the integrated error `fe` reported by the integrand).
fn gk15<F>(f: &F, a: f64, b: f64, m: usize) -> Interval
where
    F: Fn(f64, &mut [f64], &mut [f64]),
{
    let c = 0.5 * (a + b);
    let h = 0.5 * (b - a);
    let mut fv = vec![[0.0f64; 15]; m];
    let mut inner_err = vec![0.0; m];
    let mut v = vec![0.0; m];
    let mut e = vec![0.0; m];
    for j in 0..15 {
        let (x, w) = if j < 7 {
            (c - h * XGK[j], WGK[j])
        } else if j == 7 {
            (c, WGK[7])
        } else {
            (c + h * XGK[14 - j], WGK[14 - j])
        };
        e.iter_mut().for_each(|z| *z = 0.0);
        f(x, &mut v, &mut e);
        for i in 0..m {
            fv[i][j] = v[i];
            inner_err[i] += w * e[i];
        }
    }
    let mut val = vec![0.0; m];
    let mut err = vec![0.0; m];
    let mut floor = vec![0.0; m];
    for i in 0..m {
        let g = &fv[i];
        let mut resk = WGK[7] * g[7];
        let mut resg = WG[3] * g[7];
        let mut resabs = (WGK[7] * g[7]).abs();
        for j in 0..7 {
            let s = g[j] + g[14 - j];
            resk += WGK[j] * s;
            resabs += WGK[j] * (g[j].abs() + g[14 - j].abs());
            if j % 2 == 1 {
                resg += WG[j / 2] * s;
            }
        }
        let mean = 0.5 * resk;
        let mut resasc = WGK[7] * (g[7] - mean).abs();
        for j in 0..7 {
            resasc += WGK[j] * ((g[j] - mean).abs() + (g[14 - j] - mean).abs());
        }
        let (resk, resabs, resasc) = (resk * h, resabs * h.abs(), resasc * h.abs());
        let mut abserr = ((resk - resg * h) as f64).abs();
        if resasc != 0.0 && abserr != 0.0 {
            abserr = resasc * (200.0 * abserr / resasc).powf(1.5).min(1.0);
        }
        let round = 4.0 * f64::EPSILON * resabs;
        abserr = abserr.max(round);
        val[i] = resk;
        err[i] = abserr + inner_err[i] * h.abs();
        floor[i] = round;
    }
    Interval {
        a,
        b,
        val,
        err,
        floor,
    }
}

/// Globally adaptive integral over [a, b] of an m-component integrand `f(x, val, err)`
/// (which may report its own error, e.g. from an inner integral), split first at the
/// `breaks` inside (a, b). Writes the integral to `val` and its error estimate to `err`.
pub fn adaptive<F>(
    f: &F,
    a: f64,
    b: f64,
    breaks: &[f64],
    tol: &Tol,
    val: &mut [f64],
    err: &mut [f64],
) where
    F: Fn(f64, &mut [f64], &mut [f64]),
{
    let m = val.len();
    val.iter_mut().for_each(|v| *v = 0.0);
    err.iter_mut().for_each(|v| *v = 0.0);
    if a >= b {
        return;
    }
    let mut cuts: Vec<f64> = breaks
        .iter()
        .copied()
        .filter(|&x| x > a && x < b && x.is_finite())
        .collect();
    cuts.sort_by(f64::total_cmp);
    let scale = a.abs().max(b.abs());
    let mut pts = vec![a];
    for x in cuts {
        if x - pts[pts.len() - 1] > 1e-13 * scale {
            pts.push(x);
        }
    }
    if b - pts[pts.len() - 1] <= 1e-13 * scale && pts.len() > 1 {
        pts.pop();
    }
    pts.push(b);
    let mut ivs: Vec<Interval> = pts.windows(2).map(|w| gk15(f, w[0], w[1], m)).collect();
    let mut frozen = vec![false; ivs.len()];
    loop {
        let mut tv = vec![0.0; m];
        let mut te = vec![0.0; m];
        let mut tf = vec![0.0; m];
        for iv in &ivs {
            for i in 0..m {
                tv[i] += iv.val[i];
                te[i] += iv.err[i];
                tf[i] += iv.floor[i];
            }
        }
        let mc = m.min(tol.checked);
        let largest = tv[..mc].iter().fold(0.0f64, |a, v| a.max(v.abs()));
        // Converged when the part of the error that refinement can reduce is within tolerance.
        let done = (0..mc).all(|i| te[i] - tf[i] <= tol.bound(tv[i], largest));
        if tol.reducible_only {
            te.iter_mut().zip(&tf).for_each(|(e, f)| *e -= f);
        }
        if done || ivs.len() >= tol.max_intervals {
            val.copy_from_slice(&tv);
            err.copy_from_slice(&te);
            return;
        }
        // Split the interval that contributes most to the worst component's excess.
        let bounds: Vec<f64> = (0..mc)
            .map(|i| tol.bound(tv[i], largest).max(f64::MIN_POSITIVE))
            .collect();
        let mut best = None;
        let mut best_key = 0.0;
        for (k, iv) in ivs.iter().enumerate() {
            if frozen[k] {
                continue;
            }
            let key = (0..mc)
                .map(|i| (iv.err[i] - iv.floor[i]) / bounds[i])
                .fold(0.0f64, f64::max);
            if key > best_key {
                best_key = key;
                best = Some(k);
            }
        }
        let Some(k) = best else {
            val.copy_from_slice(&tv);
            err.copy_from_slice(&te);
            return;
        };
        let (ia, ib) = (ivs[k].a, ivs[k].b);
        let mid = 0.5 * (ia + ib);
        if !(mid > ia && mid < ib) || (ib - ia) < 1e-14 * ia.abs().max(ib.abs()) {
            frozen[k] = true;
            continue;
        }
        let left = gk15(f, ia, mid, m);
        let right = gk15(f, mid, ib, m);
        ivs[k] = left;
        ivs.push(right);
        frozen.push(false);
    }
}

/// Where to split one coordinate: called with the level (0 = outermost), the point whose
/// outer coordinates are already fixed, and a buffer to fill with break points.
pub type Breaks<'a> = dyn Fn(usize, &[f64], &mut Vec<f64>) + Sync + 'a;

/// An iterated adaptive integral of an m-component integrand over the box
/// prod_l [lo_l, hi_l], integrating coordinate `coords[l]` at level l (outermost first); the
/// other coordinates of the point stay at `fixed`. Inner levels use a tolerance 8 times
/// tighter, and their error estimates are integrated into the outer ones.
pub struct Nested<'a> {
    /// The integrand: fills one value per component at a point y.
    pub integrand: &'a (dyn Fn(&[f64], &mut [f64]) + Sync),
    /// The coordinate of y integrated at each level, outermost first.
    pub coords: &'a [usize],
    /// Lower limit per level.
    pub lo: &'a [f64],
    /// Upper limit per level.
    pub hi: &'a [f64],
    /// Where to split each level's interval.
    pub breaks: &'a Breaks<'a>,
    /// The outermost level's tolerance.
    pub tol: Tol,
    /// The point's coordinates that are not integrated (and the starting values of the rest).
    pub fixed: [f64; MAX_DIM],
}

impl Nested<'_> {
    /// Integrate: `val` gets the value of each component, `err` its error estimate.
    pub fn integrate(&self, val: &mut [f64], err: &mut [f64]) {
        self.level(0, self.fixed, &self.tol, val, err)
    }

    fn level(&self, level: usize, y: [f64; MAX_DIM], tol: &Tol, val: &mut [f64], err: &mut [f64]) {
        if level == self.coords.len() {
            (self.integrand)(&y, val);
            err.iter_mut().for_each(|e| *e = 0.0);
            return;
        }
        let c = self.coords[level];
        let mut bk = Vec::new();
        (self.breaks)(level, &y, &mut bk);
        let inner_tol = Tol {
            rel: tol.rel / 8.0,
            abs: tol.abs / 8.0,
            reducible_only: true,
            ..*tol
        };
        let g = |x: f64, v: &mut [f64], e: &mut [f64]| {
            let mut yy = y;
            yy[c] = x;
            self.level(level + 1, yy, &inner_tol, v, e);
        };
        adaptive(&g, self.lo[level], self.hi[level], &bk, tol, val, err);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(f: impl Fn(f64) -> f64 + Sync, a: f64, b: f64, br: &[f64], rel: f64) -> (f64, f64) {
        let g = |x: f64, v: &mut [f64], _e: &mut [f64]| v[0] = f(x);
        let (mut v, mut e) = ([0.0], [0.0]);
        adaptive(&g, a, b, br, &Tol::rel(rel), &mut v, &mut e);
        (v[0], e[0])
    }

    #[test]
    fn kronrod_rule_is_exact_for_degree_22() {
        // One panel of K15 integrates x^22 exactly; the Gauss part x^13.
        let (v, _) = scalar(|x| x.powi(22), -1.0, 1.0, &[], 1.0);
        assert!((v - 2.0 / 23.0).abs() < 1e-15);
        let (v, _) = scalar(|x| (x + 0.3).powi(13), 0.0, 2.0, &[], 1.0);
        let want = (2.3f64.powi(14) - 0.3f64.powi(14)) / 14.0;
        assert!((v / want - 1.0).abs() < 1e-14);
    }

    #[test]
    fn adaptive_handles_kinks_and_peaks() {
        let (v, e) = scalar(|x| (x - 0.3).abs().sqrt(), 0.0, 1.0, &[], 1e-11);
        let want = 2.0 / 3.0 * (0.3f64.powf(1.5) + 0.7f64.powf(1.5));
        assert!((v - want).abs() < 1e-10, "{v} {want} {e}");
        assert!(e < 1e-10 && e >= (v - want).abs() * 0.1);
        let (v, _) = scalar(|x| (-x * x * 100.0).exp(), -50.0, 50.0, &[0.0], 1e-12);
        assert!((v - (std::f64::consts::PI / 100.0).sqrt()).abs() < 1e-13);
    }

    #[test]
    fn nested_integrates_a_three_dimensional_polynomial() {
        // int over [0,1]x[-1,2]x[0,3] of x y^2 z^3 = (1/2)(3)(81/4).
        let f = |y: &[f64], v: &mut [f64]| v[0] = y[0] * y[1] * y[1] * y[2].powi(3);
        let (mut v, mut e) = ([0.0], [0.0]);
        Nested {
            integrand: &f,
            coords: &[0, 1, 2],
            lo: &[0.0, -1.0, 0.0],
            hi: &[1.0, 2.0, 3.0],
            breaks: &|_, _, _| {},
            tol: Tol::rel(1e-12),
            fixed: [0.0; MAX_DIM],
        }
        .integrate(&mut v, &mut e);
        assert!((v[0] / (0.5 * 3.0 * 81.0 / 4.0) - 1.0).abs() < 1e-13);
    }

    #[test]
    fn legendre_rule_integrates_polynomials() {
        let (x, w) = gauss_legendre(20);
        let s: f64 = x.iter().zip(&w).map(|(x, w)| w * x.powi(38)).sum();
        assert!((s - 2.0 / 39.0).abs() < 1e-14);
        let s: f64 = w.iter().sum();
        assert!((s - 2.0).abs() < 1e-14);
    }
}
