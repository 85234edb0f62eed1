//! Values of labelled Feynman diagrams at a tuple of inputs (docs/conventions.md section 5): the
//! integral over each internal vertex y in [-L, L]^d of the product of its propagators,
//! K_int = K - sb^2 on lines touching a vertex (self-loops K_int(y, y)), the full K on free
//! lines between external points. Closed forms where they exist: Gauss-net and the cos-net
//! over R^d (Gaussian integrals, below), ReLU-type activations with sb = 0 in d = 1 over the
//! box (piecewise polynomials, `piecewise.rs`); quadrature (`graph.rs`) otherwise.

use crate::cutoff::{Cutoff, Weight};
use crate::error::{IntegrateError, Result};
use crate::graph::{Lines, Problem};
use crate::piecewise::homogeneous_closed_form;
use nnqft_core::Estimate;
use nnqft_core::Network;
use nnqft_diagrams::Diagram;
use num_traits::ToPrimitive;

/// The bare integral of a diagram's propagator product, point i of the diagram at
/// `points[i]` (no coefficient, no couplings); a diagram without internal vertices is the
/// product of K over its free lines, exactly.
pub fn diagram_integral(
    net: &Network,
    diagram: &Diagram,
    points: &[&[f64]],
    cutoff: Cutoff,
) -> Result<Estimate> {
    let n = diagram.n_external;
    if points.len() != n {
        return Err(IntegrateError::Points(format!(
            "the diagram has {n} external points but {} were given",
            points.len()
        )));
    }
    let nodes = n + diagram.internal.len();
    let mut free = 1.0;
    let mut lines = Lines::default();
    for &(a, b) in &diagram.edges {
        let (a, b) = (a.min(b), a.max(b));
        if b >= nodes {
            return Err(IntegrateError::Diagram(format!(
                "line ({a}, {b}) refers to a node beyond the {nodes} nodes"
            )));
        }
        match (a < n, b < n) {
            (true, true) => free *= net.kernel(points[a], points[b]),
            (true, false) => lines.ext.push((a, b - n)),
            _ => lines.int.push((a - n, b - n)),
        }
    }
    if cutoff.is_infinite()
        && let Some(v) = gaussian_closed_form(net, &lines, points, diagram.internal.len())
    {
        // Rounding only: a few ulps per factor.
        return Ok(Estimate::new(v * free, (v * free).abs() * 1e-13));
    }
    if let Some(l) = cutoff.length()
        && let Some(v) = homogeneous_closed_form(net, &lines, points, diagram.internal.len(), l)
    {
        return Ok(v.scale(free));
    }
    let problem = Problem {
        net,
        points: points.to_vec(),
        n_int: diagram.internal.len(),
        products: vec![lines],
        weight: Weight::One,
    };
    Ok(problem.integrate(cutoff)?[0].scale(free))
}

/// The vertex integrals over R^d in closed form for a translation-invariant kernel (Gauss-net,
/// the cos-net). There K_int(u, v) = A exp(-a |u - v|^2 / 2) with A = K_int(u, u) (sw^2 for
/// Gauss-net, sw^2 / 2 for the cos-net) and a = sw^2 / d, so the product of the lines at the k vertices is
/// A^lines exp(-1/2 y.M y + b.y + c) per coordinate (M the graph Laplacian of the vertex lines
/// plus a on the diagonal per external leg), and the integral over the k vertices is
/// A^lines prod over the d coordinates of (2 pi)^(k/2) det(M)^(-1/2) exp(b.M^-1 b / 2 + c).
/// None for any other kernel, and when M is singular (a group of vertices with no external
/// leg: the integral diverges on R^d).
fn gaussian_closed_form(net: &Network, lines: &Lines, points: &[&[f64]], k: usize) -> Option<f64> {
    if !net.translation_invariant_kernel() || k == 0 {
        return None;
    }
    let d = net.d_in();
    let o = vec![0.0; d];
    let amp = net.kernel_int(&o, &o);
    let a = net.sigma_w() * net.sigma_w() / d as f64;
    // Guard: K_int must be exactly this Gaussian (the kernel's definition could change).
    let mut e1 = vec![0.0; d];
    e1[0] = 1.0;
    let k_int = net.kernel(&o, &e1) - net.sigma_b() * net.sigma_b();
    let want = amp * (-a / 2.0).exp();
    if (k_int - want).abs() > 1e-12 * want {
        return None;
    }
    let mut m = nalgebra::DMatrix::<f64>::zeros(k, k);
    for &(u, v) in &lines.int {
        if u != v {
            m[(u, u)] += a;
            m[(v, v)] += a;
            m[(u, v)] -= a;
            m[(v, u)] -= a;
        }
    }
    for &(_, v) in &lines.ext {
        m[(v, v)] += a;
    }
    let chol = m.clone().cholesky()?;
    let det: f64 = chol.l().diagonal().iter().map(|x| x * x).product();
    let mut log = (lines.int.len() + lines.ext.len()) as f64 * amp.ln();
    let coordinate = |c: usize| -> f64 {
        let mut b = nalgebra::DVector::<f64>::zeros(k);
        let mut c0 = 0.0;
        for &(i, v) in &lines.ext {
            let x = points[i][c];
            b[v] += a * x;
            c0 -= 0.5 * a * x * x;
        }
        let mb = chol.solve(&b);
        0.5 * k as f64 * (2.0 * std::f64::consts::PI).ln() - 0.5 * det.ln() + 0.5 * b.dot(&mb) + c0
    };
    log += (0..d).map(coordinate).sum::<f64>();
    let v = log.exp();
    v.is_finite().then_some(v)
}

/// A diagram's exact rational coefficient as a float.
pub fn coefficient(diagram: &Diagram) -> f64 {
    rational_to_f64(&diagram.coefficient)
}

/// An exact rational (a coefficient of nnqft-diagrams) as the nearest float.
pub fn rational_to_f64(r: &num_rational::BigRational) -> f64 {
    r.to_f64().unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nnqft_diagrams::{ExpansionSpec, expand};

    /// The closed form against adaptive quadrature of the same integrals (an independent
    /// method) for every G4 diagram up to order 2 with a vertex, at one tuple, d = 1.
    #[test]
    fn gauss_closed_form_matches_quadrature() {
        let net = Network::new(nnqft_core::Arch::Gauss, 1.3, 1.0, 1).unwrap();
        let xs = [[-0.4], [0.1], [0.3], [0.9]];
        let points: Vec<&[f64]> = xs.iter().map(|p| p.as_slice()).collect();
        let e = expand(&ExpansionSpec::new(4, 2)).unwrap();
        let mut checked = 0;
        for d in e.diagrams.iter().filter(|d| !d.internal.is_empty()) {
            let n = d.n_external;
            let mut lines = Lines::default();
            for &(a, b) in &d.edges {
                match (a < n, b < n) {
                    (true, true) => {}
                    (true, false) => lines.ext.push((a, b - n)),
                    _ => lines.int.push((a - n, b - n)),
                }
            }
            let closed = gaussian_closed_form(&net, &lines, &points, d.internal.len()).unwrap();
            // One diagram per vertex count and line pattern is enough: skip the slow ones.
            if d.internal.len() == 2 && checked >= 4 {
                continue;
            }
            let problem = Problem {
                net: &net,
                points: points.clone(),
                n_int: d.internal.len(),
                products: vec![lines],
                weight: Weight::One,
            };
            let q = problem.integrate(Cutoff::INFINITE).unwrap()[0];
            assert!(
                (closed - q.value).abs() <= 1e-7 * q.value.abs() + 3.0 * q.error,
                "{:?}: closed {closed} quadrature {} +- {}",
                d.edges,
                q.value,
                q.error
            );
            checked += 1;
        }
        assert!(checked >= 4);
    }
}
