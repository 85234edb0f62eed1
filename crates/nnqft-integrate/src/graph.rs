//! The integration engine: products of propagators over internal vertices y_1..y_v in the
//! box [-L, L]^d each (total dimension v d <= 3), for many products at once over shared nodes.
//!
//! Lines from an external point x_p to a vertex carry K_int(x_p, y_v); lines between vertices
//! (self-loops included) K_int(y_u, y_v), K_int = K - sb^2 (docs/conventions.md section 5).

use crate::cutoff::{Cutoff, Weight};
use crate::error::{IntegrateError, Result};
use crate::quad::{MAX_DIM, Nested, Tol};
use nnqft_core::Estimate;
use nnqft_core::Network;

/// Largest total integration dimension (internal vertices times d).
pub const MAX_INTEGRATION_DIM: usize = 3;

/// One product of propagators: lines (point, vertex) and (vertex, vertex).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lines {
    /// Lines (external point, internal vertex).
    pub ext: Vec<(usize, usize)>,
    /// Lines (internal vertex, internal vertex).
    pub int: Vec<(usize, usize)>,
}

/// Several products of propagators sharing the same points, vertices and weight.
pub struct Problem<'a> {
    /// The network whose K_int is the propagator.
    pub net: &'a Network,
    /// The external points.
    pub points: Vec<&'a [f64]>,
    /// Number of internal vertices, each integrated over the box.
    pub n_int: usize,
    /// The products of propagators to integrate (one result each).
    pub products: Vec<Lines>,
    /// Weight |y_1|^2 (only meaningful with one vertex) or 1.
    pub weight: Weight,
}

impl<'a> Problem<'a> {
    /// Validate dimensions of the points.
    pub fn check(&self) -> Result<()> {
        let d = self.net.d_in();
        for (i, p) in self.points.iter().enumerate() {
            if p.len() != d {
                return Err(IntegrateError::Points(format!(
                    "point {} has {} coordinates but the network has d = {d}",
                    i + 1,
                    p.len()
                )));
            }
            if p.iter().any(|v| !v.is_finite()) {
                return Err(IntegrateError::Points(format!(
                    "point {} is not finite",
                    i + 1
                )));
            }
        }
        for l in &self.products {
            let bad_ext = l
                .ext
                .iter()
                .any(|&(p, v)| p >= self.points.len() || v >= self.n_int);
            let bad_int = l
                .int
                .iter()
                .any(|&(u, v)| u >= self.n_int || v >= self.n_int);
            if bad_ext || bad_int {
                return Err(IntegrateError::Diagram(
                    "a line refers to a missing point or vertex".into(),
                ));
            }
        }
        Ok(())
    }

    fn dim(&self) -> usize {
        self.n_int * self.net.d_in()
    }

    /// ReLU with sb = 0: every propagator is homogeneous of degree 1 in each argument.
    fn homogeneous(&self) -> bool {
        self.net.homogeneous_kernel()
    }

    /// Degree of homogeneity of product c under y -> t y (ReLU with sb = 0).
    fn degree(&self, c: usize) -> f64 {
        let l = &self.products[c];
        let w = if self.weight == Weight::NormSquared {
            2
        } else {
            0
        };
        (l.ext.len() + 2 * l.int.len() + w) as f64
    }

    /// The diagonal chains K^(l)(x_p, x_p) of the external points for a deep network (None for
    /// depth 1): computed once per integral, reused at every node.
    fn point_chains(&self) -> Option<Vec<Vec<f64>>> {
        (self.net.depth() > 1).then(|| {
            self.points
                .iter()
                .map(|p| self.net.diagonal_chain(p))
                .collect()
        })
    }

    /// Values of all products at y (flattened: vertex v, coordinate j at v d + j); `chains`
    /// from [`Problem::point_chains`].
    fn eval(&self, y: &[f64], chains: Option<&[Vec<f64>]>, out: &mut [f64]) {
        let d = self.net.d_in();
        let vert = |v: usize| &y[v * d..(v + 1) * d];
        // A deep kernel: the vertices' diagonal chains once per node.
        let vchains: Vec<Vec<f64>> = match chains {
            Some(_) => (0..self.n_int)
                .map(|v| self.net.diagonal_chain(vert(v)))
                .collect(),
            None => vec![],
        };
        let kernel =
            |a: &[f64], ca: Option<&Vec<f64>>, b: &[f64], cb: Option<&Vec<f64>>| match (ca, cb) {
                (Some(ca), Some(cb)) => self.net.kernel_int_with(a, ca, b, cb),
                _ => self.net.kernel_int(a, b),
            };
        // K_int(x_p, y_v) for every pair, computed once.
        let np = self.points.len();
        let mut kx = vec![f64::NAN; np * self.n_int];
        let w = match self.weight {
            Weight::One => 1.0,
            Weight::NormSquared => vert(0).iter().map(|t| t * t).sum(),
        };
        for (c, l) in self.products.iter().enumerate() {
            let mut prod = w;
            for &(p, v) in &l.ext {
                let slot = &mut kx[p * self.n_int + v];
                if slot.is_nan() {
                    *slot = kernel(
                        self.points[p],
                        chains.map(|ch| &ch[p]),
                        vert(v),
                        vchains.get(v),
                    );
                }
                prod *= *slot;
            }
            for &(u, v) in &l.int {
                prod *= kernel(vert(u), vchains.get(u), vert(v), vchains.get(v));
            }
            out[c] = prod;
        }
    }

    /// Break points of coordinate `c` given the coordinates in `fixed` (the kernels' kinks and
    /// peaks: 0, the points' coordinates, other vertices' coordinates for ReLU, and on a face
    /// of the box where the line through x_p crosses it, for ReLU with sb = 0).
    fn breaks(
        &self,
        c: usize,
        fixed: &[usize],
        y: &[f64],
        face: Option<usize>,
        out: &mut Vec<f64>,
    ) {
        let d = self.net.d_in();
        let (v, j) = (c / d, c % d);
        out.push(0.0);
        // Gauss: peaks at the points; ReLU with sb > 0: kinks where y = x_p or y = y_u.
        // ReLU with sb = 0 in d = 1 is smooth except at 0; Erf is smooth everywhere.
        let kinks_at_points = self.net.kernel_kinks_at_points();
        if self.net.translation_invariant_kernel() || kinks_at_points {
            out.extend(self.points.iter().map(|p| p[j]));
        }
        if kinks_at_points {
            for &f in fixed {
                if f % d == j && f / d != v {
                    out.push(y[f]);
                }
            }
        }
        {
            if let (true, Some(f)) = (self.homogeneous(), face) {
                let jf = f % d;
                for p in &self.points {
                    if p[jf] != 0.0 {
                        out.push(y[f] * p[j] / p[jf]);
                    }
                }
            }
        }
    }

    /// For Gauss-net: the half-width beyond which every product is below e^-60 of its peak.
    fn gauss_reach(&self) -> f64 {
        let d = self.net.d_in() as f64;
        let xmax = self
            .points
            .iter()
            .flat_map(|p| p.iter())
            .fold(0.0f64, |a, v| a.max(v.abs()));
        xmax + self.n_int as f64 * (130.0 * d).sqrt() / self.net.sigma_w()
    }

    /// Every internal vertex must reach an external point for the Gauss integrand to decay.
    fn all_vertices_anchored(&self) -> bool {
        self.products.iter().all(|l| {
            let mut reach = vec![false; self.n_int];
            for &(_, v) in &l.ext {
                reach[v] = true;
            }
            loop {
                let mut changed = false;
                for &(u, v) in &l.int {
                    if reach[u] != reach[v] {
                        reach[u] = true;
                        reach[v] = true;
                        changed = true;
                    }
                }
                if !changed {
                    break;
                }
            }
            reach.iter().all(|&r| r)
        })
    }

    fn check_dim(&self) -> Result<usize> {
        let dim = self.dim();
        if dim > MAX_INTEGRATION_DIM {
            return Err(IntegrateError::Dimension(format!(
                "{} internal vertices in d = {} make a {dim}-dimensional integral; the \
                 deterministic rules handle at most {MAX_INTEGRATION_DIM} (vertices x d <= 3)",
                self.n_int,
                self.net.d_in()
            )));
        }
        Ok(dim)
    }

    fn tol(&self) -> Tol {
        let mut t = Tol::rel(if self.dim() <= 2 { 1e-13 } else { 1e-9 });
        t.max_intervals = match self.dim() {
            0 | 1 => 400,
            2 => 150,
            _ => 16,
        };
        t
    }

    /// The integral of every product over the box (or R^{vd} where allowed).
    pub fn integrate(&self, cutoff: Cutoff) -> Result<Vec<Estimate>> {
        self.check()?;
        let dim = self.check_dim()?;
        let m = self.products.len();
        let l = match cutoff.length() {
            Some(l) => l,
            None => {
                if !self.net.translation_invariant_kernel() {
                    return Err(IntegrateError::Diverges(format!(
                        "{} propagators do not decay at large |y|",
                        self.net.arch().title()
                    )));
                }
                if !self.all_vertices_anchored() {
                    return Err(IntegrateError::Diverges(
                        "a group of internal vertices is not connected to any external point"
                            .into(),
                    ));
                }
                f64::INFINITY
            }
        };
        if dim == 0 {
            let mut out = vec![0.0; m];
            self.eval(&[], self.point_chains().as_deref(), &mut out);
            return Ok(out.into_iter().map(Estimate::exact).collect());
        }
        if self.homogeneous() && self.net.d_in() > 1 {
            // I = L/(p + D) * (integral over the faces of the box): the cone over each face.
            let faces = self.faces(l)?;
            return Ok(faces
                .iter()
                .enumerate()
                .map(|(c, e)| e.scale(l / (self.degree(c) + dim as f64)))
                .collect());
        }
        let half = if self.net.translation_invariant_kernel() {
            l.min(self.gauss_reach())
        } else {
            l
        };
        let coords: Vec<usize> = (0..dim).collect();
        let (mut val, mut err) = (vec![0.0; m], vec![0.0; m]);
        self.run(&coords, half, None, [0.0; MAX_DIM], &mut val, &mut err);
        Ok(collect(val, err))
    }

    /// d/dL of the box integral: the integrand integrated over the 2 D faces of the box.
    pub fn derivative(&self, l: f64) -> Result<Vec<Estimate>> {
        self.check()?;
        self.check_dim()?;
        Cutoff::finite(l)?;
        if self.dim() == 0 {
            return Ok(vec![Estimate::exact(0.0); self.products.len()]);
        }
        self.faces(l)
    }

    fn faces(&self, l: f64) -> Result<Vec<Estimate>> {
        let dim = self.dim();
        let m = self.products.len();
        let half = if self.net.translation_invariant_kernel() {
            l.min(self.gauss_reach())
        } else {
            l
        };
        let (mut tv, mut te) = (vec![0.0; m], vec![0.0; m]);
        let (mut val, mut err) = (vec![0.0; m], vec![0.0; m]);
        for f in 0..dim {
            for s in [-1.0, 1.0] {
                let mut y = [0.0; MAX_DIM];
                y[f] = s * l;
                let coords: Vec<usize> = (0..dim).filter(|&c| c != f).collect();
                self.run(&coords, half, Some(f), y, &mut val, &mut err);
                for i in 0..m {
                    tv[i] += val[i];
                    te[i] += err[i];
                }
            }
        }
        Ok(collect(tv, te))
    }

    fn run(
        &self,
        coords: &[usize],
        half: f64,
        face: Option<usize>,
        y: [f64; MAX_DIM],
        val: &mut [f64],
        err: &mut [f64],
    ) {
        let lo = vec![-half; coords.len()];
        let hi = vec![half; coords.len()];
        let chains = self.point_chains();
        let f = |y: &[f64], out: &mut [f64]| self.eval(y, chains.as_deref(), out);
        let br = |level: usize, y: &[f64], out: &mut Vec<f64>| {
            self.breaks(coords[level], &coords[..level], y, face, out)
        };
        Nested {
            integrand: &f,
            coords,
            lo: &lo,
            hi: &hi,
            breaks: &br,
            tol: self.tol(),
            fixed: y,
        }
        .integrate(val, err);
    }
}

fn collect(val: Vec<f64>, err: Vec<f64>) -> Vec<Estimate> {
    val.into_iter()
        .zip(err)
        .map(|(value, error)| Estimate { value, error })
        .collect()
}
