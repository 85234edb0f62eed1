//! Zero dimensions (K = 1): the sum of the coefficients of all labelled diagrams of G^(n) is
//! the normalized moment <f^n> of the one-variable weight exp(-f^2/2 - lambda f^4 - kappa f^6),
//! and the connected ones sum to its cumulant, order by order in lambda and kappa (2-point
//! insertions kept). The reference series is computed here from Gaussian moments
//! E[f^2m] = (2m-1)!! with exact rationals.

use nnqft_diagrams::{ExpansionSpec, expand};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Zero};
use std::collections::BTreeMap;

const ORDER: u32 = 3;

/// Truncated power series in (lambda, kappa): exponents (a, b) with a + b <= ORDER.
type Series = BTreeMap<(u32, u32), BigRational>;

fn int(x: i64) -> BigRational {
    BigRational::from_integer(BigInt::from(x))
}

fn fact(k: u32) -> BigRational {
    (1..=k as i64).fold(int(1), |acc, i| acc * int(i))
}

/// (k-1)!! for even k (Gaussian moment E[f^k]); 0 for odd k.
fn gauss_moment(k: u32) -> BigRational {
    if k % 2 == 1 {
        return int(0);
    }
    (1..k as i64).step_by(2).fold(int(1), |acc, i| acc * int(i))
}

/// E_0[f^n exp(-lambda f^4 - kappa f^6)] as a series.
fn weighted_moment(n: u32) -> Series {
    let mut s = Series::new();
    for a in 0..=ORDER {
        for b in 0..=ORDER - a {
            let sign = if (a + b) % 2 == 0 { int(1) } else { int(-1) };
            let c = sign * gauss_moment(n + 4 * a + 6 * b) / (fact(a) * fact(b));
            s.insert((a, b), c);
        }
    }
    s
}

fn mul(x: &Series, y: &Series) -> Series {
    let mut out = Series::new();
    for (&(a1, b1), c1) in x {
        for (&(a2, b2), c2) in y {
            if a1 + a2 + b1 + b2 <= ORDER {
                *out.entry((a1 + a2, b1 + b2)).or_insert_with(|| int(0)) += c1 * c2;
            }
        }
    }
    out
}

fn sub(x: &Series, y: &Series) -> Series {
    let mut out = x.clone();
    for (k, c) in y {
        *out.entry(*k).or_insert_with(|| int(0)) -= c;
    }
    out
}

fn scale(x: &Series, f: &BigRational) -> Series {
    x.iter().map(|(k, c)| (*k, c * f)).collect()
}

/// 1 / z for a series with constant term 1: sum_j (1 - z)^j.
fn inverse(z: &Series) -> Series {
    assert!(z[&(0, 0)].is_one());
    let mut one = Series::new();
    one.insert((0, 0), int(1));
    let d = sub(&one, z);
    let mut out = one.clone();
    let mut power = one;
    for _ in 0..ORDER {
        power = mul(&power, &d);
        for (k, c) in &power {
            *out.entry(*k).or_insert_with(|| int(0)) += c;
        }
    }
    out
}

/// Normalized moments mu_0..mu_max.
fn moments(max: u32) -> Vec<Series> {
    let inv_z = inverse(&weighted_moment(0));
    (0..=max)
        .map(|n| mul(&weighted_moment(n), &inv_z))
        .collect()
}

/// Cumulants kappa_n = mu_n - sum_{m=1}^{n-1} C(n-1, m-1) kappa_m mu_{n-m}.
fn cumulants(mu: &[Series]) -> Vec<Series> {
    let mut k: Vec<Series> = vec![Series::new()];
    for n in 1..mu.len() {
        let mut c = mu[n].clone();
        for m in 1..n {
            let binom = fact(n as u32 - 1) / (fact(m as u32 - 1) * fact((n - m) as u32));
            c = sub(&c, &scale(&mul(&k[m], &mu[n - m]), &binom));
        }
        k.push(c);
    }
    k
}

/// Totals of the generator as a series (monomial (lambda^a, kappa^b) -> sum of coefficients).
fn diagram_totals(n: usize, connected_only: bool) -> Series {
    let mut spec = ExpansionSpec::new(n, ORDER as usize);
    spec.keep_self_energy = true;
    spec.connected_only = connected_only;
    let e = expand(&spec).unwrap();
    e.totals()
        .into_iter()
        .map(|(m, t)| ((m[0], m[1]), t))
        .collect()
}

fn assert_same(got: &Series, want: &Series, what: &str) {
    for a in 0..=ORDER {
        for b in 0..=ORDER - a {
            let zero = int(0);
            let g = got.get(&(a, b)).unwrap_or(&zero);
            let w = want.get(&(a, b)).unwrap_or(&zero);
            assert_eq!(g, w, "{what}: coefficient of lambda^{a} kappa^{b}");
        }
    }
    assert!(
        got.keys().all(|&(a, b)| a + b <= ORDER),
        "{what}: no term beyond the order"
    );
}

#[test]
fn all_diagrams_sum_to_the_normalized_moments() {
    let mu = moments(6);
    for n in [2usize, 4, 6] {
        assert_same(&diagram_totals(n, false), &mu[n], &format!("<f^{n}>"));
    }
}

#[test]
fn connected_diagrams_sum_to_the_cumulants() {
    let mu = moments(6);
    let k = cumulants(&mu);
    for n in [2usize, 4, 6] {
        assert_same(&diagram_totals(n, true), &k[n], &format!("cumulant {n}"));
        assert!(!k[n].values().all(|c| c.is_zero()));
    }
}

#[test]
fn reference_series_sanity() {
    // Known first-order values: <f^4> = 3 - 96 lambda + ..., cumulant_4 = -24 lambda - 360 kappa.
    let mu = moments(4);
    assert_eq!(mu[4][&(0, 0)], int(3));
    let k = cumulants(&mu);
    assert_eq!(k[4][&(1, 0)], int(-24));
    assert_eq!(k[4][&(0, 1)], int(-360));
    assert_eq!(k[2][&(0, 0)], int(1));
}
