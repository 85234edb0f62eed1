//! The couplings of S = 1/2 f.(K^-1 + delta).f + (1/4!) lambda_abcd f^4 + (1/6!) lambda_abcdef f^6
//! from K and the exact (or measured) cumulants kappa4, kappa6 (docs/conventions.md section 9,
//! where the order-2 formulas are derived).
//!
//! Everything is computed in the whitened variable u = L^-1 f (K = L L^T, Cholesky), where the
//! propagator is the identity and the amputated cumulants are a4 = kappa4 with L^-1 on every
//! leg; the couplings are then taken back to f with L^-1 on every leg:
//!   order 1: lambda4 = -a4, delta_ab = 1/2 a4_abii;
//!   order 2: lambda6 = -a6 + sum_10 a4_abci a4_idef,
//!            lambda4 += 1/2 sum_3 a4_abij a4_ijcd - 1/2 lambda6_abcdii,
//!            delta_ab += -1/2 lambda4^(2)_abii + 1/6 a4_aijk a4_bijk - 1/8 lambda6_abiijj.

use super::error::ActionError;
use super::tensor::Tensor;
use nalgebra::DMatrix;
use nnqft_core::CorrelatorTable;

/// Default refusal threshold for the condition number of K: the couplings carry four (six)
/// factors of K^-1, so beyond this they are dominated by rounding and sampling noise.
pub const DEFAULT_MAX_CONDITION: f64 = 1e8;

/// The reconstructed couplings in the f variables, with their normalization of
/// docs/conventions.md (lambda4 multiplies f^4/4!, lambda6 multiplies f^6/6!).
#[derive(Clone, Debug, PartialEq)]
pub struct ActionCouplings {
    /// 1 (O(1/N)) or 2 (O(1/N^2)).
    pub order: usize,
    /// The mass shift delta (k x k, symmetric): S_2 = 1/2 f.(K^-1 + delta).f.
    pub delta: DMatrix<f64>,
    /// lambda_abcd (fully symmetric).
    pub lambda4: Tensor,
    /// lambda_abcdef (fully symmetric), at order 2 only.
    pub lambda6: Option<Tensor>,
    /// Condition number of K (largest over smallest eigenvalue).
    pub condition_number: f64,
    /// The same couplings in the whitened variable u = L^-1 f.
    pub whitened: Whitened,
}

/// Couplings in u = L^-1 f (K = L L^T, Cholesky), where the propagator is the identity.
#[derive(Clone, Debug, PartialEq)]
pub struct Whitened {
    /// The Cholesky factor L of K.
    pub l: DMatrix<f64>,
    /// The mass shift in u.
    pub delta: Tensor,
    /// The quartic couplings in u.
    pub lambda4: Tensor,
    /// The sextic couplings in u (order 2).
    pub lambda6: Option<Tensor>,
}

/// Condition number of the symmetric K, refusing (with the most correlated pair of inputs)
/// when K is not positive definite or the number exceeds `limit`.
pub fn check_condition(kernel: &DMatrix<f64>, limit: f64) -> Result<f64, ActionError> {
    let k = kernel.nrows();
    if k == 0 || kernel.ncols() != k {
        return Err(ActionError::Shape(format!(
            "the kernel matrix must be square and non-empty (got {} x {})",
            kernel.nrows(),
            kernel.ncols()
        )));
    }
    if kernel.iter().any(|v| !v.is_finite()) {
        return Err(ActionError::Shape(
            "the kernel matrix has a non-finite entry".into(),
        ));
    }
    let eig = nalgebra::SymmetricEigen::new(kernel.clone()).eigenvalues;
    let max = eig.iter().fold(f64::MIN, |m, &v| m.max(v));
    let min = eig.iter().fold(f64::MAX, |m, &v| m.min(v));
    let condition = if min <= 0.0 || max <= 0.0 {
        f64::INFINITY
    } else {
        max / min
    };
    if condition <= limit && condition.is_finite() {
        return Ok(condition);
    }
    // the pair of inputs with the largest |correlation| K_ij / sqrt(K_ii K_jj)
    let mut best = ((0, 0), f64::MIN);
    for i in 0..k {
        for j in i + 1..k {
            let r = kernel[(i, j)] / (kernel[(i, i)] * kernel[(j, j)]).sqrt();
            if r.abs() > best.1 {
                best = ((i, j), r.abs());
            }
        }
    }
    Err(ActionError::IllConditioned {
        condition,
        limit,
        inputs: best.0,
        correlation: if k == 1 { 1.0 } else { best.1 },
    })
}

/// The whitening factor L (K = L L^T) and its inverse.
pub(crate) fn whitening(
    kernel: &DMatrix<f64>,
) -> Result<(DMatrix<f64>, DMatrix<f64>), ActionError> {
    let chol = nalgebra::Cholesky::new(kernel.clone())
        .ok_or_else(|| ActionError::Shape("the kernel matrix is not positive definite".into()))?;
    let l = chol.l();
    let linv = l
        .clone()
        .try_inverse()
        .ok_or_else(|| ActionError::Shape("the kernel matrix is not invertible".into()))?;
    Ok((l, linv))
}

/// The couplings at `order` (1 or 2) from K and the cumulant tables (kappa6 needed at order
/// 2), refusing K above the condition-number `limit`.
pub fn reconstruct(
    kernel: &DMatrix<f64>,
    kappa4: &CorrelatorTable,
    kappa6: Option<&CorrelatorTable>,
    order: usize,
    limit: f64,
) -> Result<ActionCouplings, ActionError> {
    if order != 1 && order != 2 {
        return Err(ActionError::Order(order));
    }
    let k = kernel.nrows();
    let condition_number = check_condition(kernel, limit)?;
    if kappa4.inputs() != k || kappa4.n() != 4 {
        return Err(ActionError::Shape(format!(
            "kappa4 must be the 4-point cumulant of the {k} inputs of K"
        )));
    }
    let k6 = match (order, kappa6) {
        (1, _) => None,
        (_, Some(t)) if t.inputs() == k && t.n() == 6 => Some(Tensor::from_table(t)),
        (_, Some(_)) => {
            return Err(ActionError::Shape(format!(
                "kappa6 must be the 6-point cumulant of the {k} inputs of K"
            )));
        }
        (_, None) => {
            return Err(ActionError::Shape(
                "the order-2 reconstruction needs kappa6".into(),
            ));
        }
    };
    let (l, linv) = whitening(kernel)?;
    let to_u = linv.transpose();
    let a4 = Tensor::from_table(kappa4).on_every_leg(&to_u);
    let a6 = k6.map(|t| t.on_every_leg(&to_u));
    let (delta_u, lambda4_u, lambda6_u) = whitened_couplings(&a4, a6.as_ref());
    // symmetric by construction; symmetrized again so that rounding leaves no asymmetry
    let delta = delta_u.on_every_leg(&linv).to_matrix();
    Ok(ActionCouplings {
        order,
        delta: (&delta + delta.transpose()) * 0.5,
        lambda4: lambda4_u.on_every_leg(&linv).symmetrized(),
        lambda6: lambda6_u
            .as_ref()
            .map(|t| t.on_every_leg(&linv).symmetrized()),
        condition_number,
        whitened: Whitened {
            l,
            delta: delta_u,
            lambda4: lambda4_u,
            lambda6: lambda6_u,
        },
    })
}

/// The couplings in the whitened variables (propagator = identity) from the amputated
/// cumulants a4 (and a6 for order 2): see the module documentation.
pub fn whitened_couplings(a4: &Tensor, a6: Option<&Tensor>) -> (Tensor, Tensor, Option<Tensor>) {
    let k = a4.k;
    let mut lambda4 = a4.clone();
    lambda4.data.iter_mut().for_each(|v| *v = -*v);
    let mut delta = trace_last_pair(a4);
    delta.data.iter_mut().for_each(|v| *v *= 0.5);
    let Some(a6) = a6 else {
        return (delta, lambda4, None);
    };
    // lambda6 = -a6 + sum over the 10 splits {abc|def} of a4_abci a4_idef = -a6 + 10 Sym(P)
    let p = matmul_legs(a4, 3, a4, 3);
    let mut lambda6 = p.symmetrized();
    lambda6.data.iter_mut().for_each(|v| *v *= 10.0);
    lambda6.add_scaled(a6, -1.0);
    // lambda4^(2) = 1/2 sum_3 a4_abij a4_ijcd - 1/2 lambda6_abcdii
    let q = matmul_legs(a4, 2, a4, 2);
    let mut l2 = q.symmetrized();
    l2.data.iter_mut().for_each(|v| *v *= 1.5);
    l2.add_scaled(&trace_last_pair(&lambda6), -0.5);
    // delta^(2) = -1/2 lambda4^(2)_abii + 1/6 a4_aijk a4_bijk - 1/8 lambda6_abiijj
    let mut d2 = trace_last_pair(&l2);
    d2.data.iter_mut().for_each(|v| *v *= -0.5);
    let sunset = matmul_legs(a4, 1, a4, 1);
    debug_assert_eq!(sunset.rank, 2);
    d2.add_scaled(&sunset, 1.0 / 6.0);
    d2.add_scaled(&trace_last_pair(&trace_last_pair(&lambda6)), -1.0 / 8.0);
    lambda4.add_scaled(&l2, 1.0);
    delta.add_scaled(&d2, 1.0);
    debug_assert_eq!(delta.k, k);
    (delta, lambda4, Some(lambda6))
}

/// T[.., i, i] summed over i: rank r -> r - 2.
fn trace_last_pair(t: &Tensor) -> Tensor {
    let k = t.k;
    let mut out = Tensor::zeros(k, t.rank - 2);
    for (o, slot) in out.data.iter_mut().enumerate() {
        *slot = (0..k).map(|i| t.data[(o * k + i) * k + i]).sum();
    }
    out
}

/// C[a.., b..] = sum over the s shared indices of A[a.., s..] B[.., s..] where A's last `s`
/// legs meet B's last `s` legs (B symmetric in the caller's use, so which legs does not
/// matter); `keep_a` legs of A stay, and B keeps its first rank - s legs.
fn matmul_legs(a: &Tensor, keep_a: usize, b: &Tensor, keep_b: usize) -> Tensor {
    let k = a.k;
    let s = a.rank - keep_a;
    assert_eq!(b.rank - keep_b, s, "contracted legs must match");
    let (m, inner, n) = (k.pow(keep_a as u32), k.pow(s as u32), k.pow(keep_b as u32));
    let mut out = Tensor::zeros(k, keep_a + keep_b);
    for i in 0..m {
        let row = &a.data[i * inner..(i + 1) * inner];
        for j in 0..n {
            let col = &b.data[j * inner..(j + 1) * inner];
            out.data[i * n + j] = row.iter().zip(col).map(|(x, y)| x * y).sum();
        }
    }
    out
}

/// Section 10's one-input couplings in u = f/sqrt(K) from k4 = kappa4/K^2, k6 = kappa6/K^3:
/// (delta_u, lambda4_u, lambda6_u) at order 1 (k6 = None) or 2.
pub fn one_input_couplings(k4: f64, k6: Option<f64>) -> (f64, f64, Option<f64>) {
    match k6 {
        None => (k4 / 2.0, -k4, None),
        Some(k6) => (
            k4 / 2.0 - k6 / 8.0 + 2.0 * k4 * k4 / 3.0,
            -k4 + k6 / 2.0 - 3.5 * k4 * k4,
            Some(-k6 + 10.0 * k4 * k4),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nnqft_core::{Arch, InputSet, Network};
    use nnqft_integrate::exact_tables;

    fn rel(a: f64, b: f64) -> f64 {
        (a - b).abs() / b.abs().max(f64::MIN_POSITIVE)
    }

    #[test]
    fn one_input_matches_the_closed_forms() {
        // tanh is not an architecture of nnqft-core yet: erf and relu only
        for arch in [Arch::Erf, Arch::Relu] {
            let net = Network::paper(arch);
            let inputs = InputSet::from_scalars(&[0.7]).unwrap();
            for width in [3, 10, 100, 1000] {
                let t = exact_tables(&net, width, &inputs).unwrap();
                let kk = t.kernel[(0, 0)];
                let k4 = t.kappa4.mean(&[0; 4]) / (kk * kk);
                let k6 = t.kappa6.mean(&[0; 6]) / (kk * kk * kk);
                for order in [1, 2] {
                    let c = reconstruct(&t.kernel, &t.kappa4, Some(&t.kappa6), order, 1e8).unwrap();
                    let (d, l4, l6) = one_input_couplings(k4, (order == 2).then_some(k6));
                    let what = format!("{arch:?} N {width} order {order}");
                    assert!(rel(c.delta[(0, 0)], d / kk) < 1e-12, "{what} delta");
                    assert!(
                        rel(c.lambda4.data[0], l4 / (kk * kk)) < 1e-12,
                        "{what} lambda4"
                    );
                    match (l6, &c.lambda6) {
                        (Some(l6), Some(t6)) => {
                            assert!(rel(t6.data[0], l6 / kk.powi(3)) < 1e-12, "{what} lambda6")
                        }
                        (None, None) => {}
                        _ => panic!("{what}: lambda6 present at the wrong order"),
                    }
                }
            }
        }
    }

    #[test]
    fn order_one_is_the_amputated_kappa4_and_its_tadpole() {
        // direct sums with K^-1, independent of the whitening
        let net = Network::paper(Arch::Erf);
        let inputs = InputSet::from_scalars(&[-0.5, 0.1, 0.8]).unwrap();
        let t = exact_tables(&net, 20, &inputs).unwrap();
        let kinv = t.kernel.clone().try_inverse().unwrap();
        let c = reconstruct(&t.kernel, &t.kappa4, None, 1, 1e8).unwrap();
        let k = 3;
        let k4 = |i: usize, j: usize, l: usize, m: usize| t.kappa4.mean(&[i, j, l, m]);
        for (a, b, cc, d) in [(0, 0, 0, 0), (0, 1, 2, 2), (1, 1, 2, 0)] {
            let mut want = 0.0;
            for i in 0..k {
                for j in 0..k {
                    for l in 0..k {
                        for m in 0..k {
                            want -= k4(i, j, l, m)
                                * kinv[(i, a)]
                                * kinv[(j, b)]
                                * kinv[(l, cc)]
                                * kinv[(m, d)];
                        }
                    }
                }
            }
            assert!(rel(c.lambda4.at(&[a, b, cc, d]), want) < 1e-9);
        }
        for (a, b) in [(0, 0), (0, 2), (2, 1)] {
            let mut want = 0.0;
            for i in 0..k {
                for j in 0..k {
                    for l in 0..k {
                        for m in 0..k {
                            want +=
                                0.5 * k4(i, j, l, m) * kinv[(i, j)] * kinv[(l, a)] * kinv[(m, b)];
                        }
                    }
                }
            }
            assert!(rel(c.delta[(a, b)], want) < 1e-9);
        }
    }

    #[test]
    fn refuses_singular_and_ill_conditioned_kernels_and_bad_orders() {
        // ReLU with sb = 0 and positive inputs: K = x x'/2 has rank one
        let net = Network::paper(Arch::Relu);
        let inputs = InputSet::paper(Arch::Relu, 1).unwrap();
        let t = exact_tables(&net, 10, &inputs).unwrap();
        let e = reconstruct(&t.kernel, &t.kappa4, None, 1, DEFAULT_MAX_CONDITION).unwrap_err();
        assert!(matches!(e, ActionError::IllConditioned { .. }), "{e}");
        // Gauss-net paper inputs, 0.01 apart: the neighbours are named
        let net = Network::paper(Arch::Gauss);
        let inputs = InputSet::paper(Arch::Gauss, 1).unwrap();
        let k = net.kernel_matrix(&inputs);
        match check_condition(&k, DEFAULT_MAX_CONDITION) {
            Err(ActionError::IllConditioned {
                inputs: (i, j),
                condition,
                ..
            }) => {
                assert_eq!(j, i + 1, "adjacent inputs are the closest");
                assert!(condition > DEFAULT_MAX_CONDITION);
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        let net = Network::paper(Arch::Erf);
        let inputs = InputSet::from_scalars(&[-1.0, 1.0]).unwrap();
        let t = exact_tables(&net, 10, &inputs).unwrap();
        for order in [0, 3] {
            assert_eq!(
                reconstruct(&t.kernel, &t.kappa4, Some(&t.kappa6), order, 1e8).unwrap_err(),
                ActionError::Order(order)
            );
        }
        assert!(matches!(
            reconstruct(&t.kernel, &t.kappa4, None, 2, 1e8),
            Err(ActionError::Shape(_))
        ));
    }
}
