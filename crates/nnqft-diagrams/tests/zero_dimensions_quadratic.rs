//! Zero dimensions with a quadratic vertex: for the weight
//! exp(-f^2/2 - m f^2 - lambda f^4 - kappa f^6), the connected diagrams of G^(n) with the
//! vertices m f^2, lambda f^4, kappa f^6 (2-point insertions kept) sum to the cumulants, and
//! all diagrams to the normalized moments, order by order in (m, lambda, kappa). The reference
//! series is computed here from the Gaussian moments E[f^2j] = (2j-1)!! with exact rationals.

use nnqft_diagrams::{ExpansionSpec, VertexKind, expand};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Zero};
use std::collections::BTreeMap;

const ORDER: u32 = 3;
const DEGREES: [u32; 3] = [2, 4, 6];

/// Truncated power series in (m, lambda, kappa), total degree <= ORDER.
type Series = BTreeMap<[u32; 3], BigRational>;

fn int(x: i64) -> BigRational {
    BigRational::from_integer(BigInt::from(x))
}

fn fact(k: u32) -> BigRational {
    (1..=k as i64).fold(int(1), |acc, i| acc * int(i))
}

fn gauss_moment(k: u32) -> BigRational {
    if k % 2 == 1 {
        return int(0);
    }
    (1..k as i64).step_by(2).fold(int(1), |acc, i| acc * int(i))
}

fn exponents() -> Vec<[u32; 3]> {
    let mut out = Vec::new();
    for a in 0..=ORDER {
        for b in 0..=ORDER - a {
            for c in 0..=ORDER - a - b {
                out.push([a, b, c]);
            }
        }
    }
    out
}

/// E_0[f^n exp(-m f^2 - lambda f^4 - kappa f^6)] as a series.
fn weighted_moment(n: u32) -> Series {
    exponents()
        .into_iter()
        .map(|e| {
            let total: u32 = e.iter().sum();
            let sign = if total.is_multiple_of(2) {
                int(1)
            } else {
                int(-1)
            };
            let power: u32 = n + e.iter().zip(DEGREES).map(|(a, d)| a * d).sum::<u32>();
            let denom = e.iter().fold(int(1), |acc, &a| acc * fact(a));
            (e, sign * gauss_moment(power) / denom)
        })
        .collect()
}

fn mul(x: &Series, y: &Series) -> Series {
    let mut out = Series::new();
    for (e1, c1) in x {
        for (e2, c2) in y {
            let e = [e1[0] + e2[0], e1[1] + e2[1], e1[2] + e2[2]];
            if e.iter().sum::<u32>() <= ORDER {
                *out.entry(e).or_insert_with(|| int(0)) += c1 * c2;
            }
        }
    }
    out
}

fn add_scaled(x: &mut Series, y: &Series, f: &BigRational) {
    for (k, c) in y {
        *x.entry(*k).or_insert_with(|| int(0)) += c * f;
    }
}

fn inverse(z: &Series) -> Series {
    assert!(z[&[0, 0, 0]].is_one());
    let mut one = Series::new();
    one.insert([0, 0, 0], int(1));
    let mut d = one.clone();
    add_scaled(&mut d, z, &int(-1));
    let mut out = one.clone();
    let mut power = one;
    for _ in 0..ORDER {
        power = mul(&power, &d);
        add_scaled(&mut out, &power, &int(1));
    }
    out
}

fn moments(max: u32) -> Vec<Series> {
    let inv_z = inverse(&weighted_moment(0));
    (0..=max)
        .map(|n| mul(&weighted_moment(n), &inv_z))
        .collect()
}

fn cumulants(mu: &[Series]) -> Vec<Series> {
    let mut k: Vec<Series> = vec![Series::new()];
    for n in 1..mu.len() {
        let mut c = mu[n].clone();
        for m in 1..n {
            let binom = fact(n as u32 - 1) / (fact(m as u32 - 1) * fact((n - m) as u32));
            add_scaled(&mut c, &mul(&k[m], &mu[n - m]), &-binom);
        }
        k.push(c);
    }
    k
}

fn diagram_totals(n: usize, connected_only: bool) -> Series {
    let mut spec = ExpansionSpec::new(n, ORDER as usize);
    spec.vertices.insert(0, VertexKind::new("m", 2));
    spec.keep_self_energy = true;
    spec.connected_only = connected_only;
    let e = expand(&spec).unwrap();
    e.totals()
        .into_iter()
        .map(|(m, t)| ([m[0], m[1], m[2]], t))
        .collect()
}

fn assert_same(got: &Series, want: &Series, what: &str) {
    for e in exponents() {
        let zero = int(0);
        let g = got.get(&e).unwrap_or(&zero);
        let w = want.get(&e).unwrap_or(&zero);
        assert_eq!(
            g, w,
            "{what}: coefficient of m^{} lambda^{} kappa^{}",
            e[0], e[1], e[2]
        );
    }
    assert!(got.keys().all(|e| e.iter().sum::<u32>() <= ORDER));
}

#[test]
fn connected_diagrams_with_a_mass_vertex_sum_to_the_cumulants() {
    let mu = moments(6);
    let k = cumulants(&mu);
    for n in [2usize, 4, 6] {
        assert_same(&diagram_totals(n, true), &k[n], &format!("cumulant {n}"));
    }
    // the mass vertex alone: kappa_2 = 1/(1 + 2m) = 1 - 2m + 4m^2 - 8m^3
    for (p, c) in [(1u32, -2i64), (2, 4), (3, -8)] {
        assert_eq!(k[2][&[p, 0, 0]], int(c));
    }
    assert!(!k[6].values().all(|c| c.is_zero()));
}

#[test]
fn all_diagrams_with_a_mass_vertex_sum_to_the_moments() {
    let mu = moments(4);
    for n in [2usize, 4] {
        assert_same(&diagram_totals(n, false), &mu[n], &format!("<f^{n}>"));
    }
}
