//! The first-order expansions quoted in the paper (default convention lambda f^4 + kappa f^6):
//!   G4 = sum_3 KK - 24 lambda [X] - 360 kappa [X with loop]
//!   G6 = sum_15 KKK - 360 lambda [X x line] - kappa (720 [6-star] + 5400 [X with loop x line])

use nnqft_diagrams::{Expansion, ExpansionSpec, expand};
use num_bigint::BigInt;
use num_rational::BigRational;

/// (monomial, total coefficient, members, free lines, self-loops) per class.
fn classes(e: &Expansion) -> Vec<(String, BigRational, usize, usize, usize)> {
    e.classes
        .iter()
        .map(|c| {
            let rep = &e.diagrams[c.representative];
            (
                e.monomial_name(&c.monomial),
                c.coefficient.clone(),
                c.members,
                rep.free_lines(),
                rep.self_loops(),
            )
        })
        .collect()
}

fn q(x: i64) -> BigRational {
    BigRational::from_integer(BigInt::from(x))
}

#[test]
fn g4_first_order() {
    let e = expand(&ExpansionSpec::new(4, 1)).unwrap();
    assert_eq!(
        classes(&e),
        vec![
            ("1".into(), q(3), 3, 2, 0),
            ("lambda".into(), q(-24), 1, 0, 0),
            ("kappa".into(), q(-360), 1, 0, 1),
        ]
    );
}

#[test]
fn g6_first_order() {
    let e = expand(&ExpansionSpec::new(6, 1)).unwrap();
    assert_eq!(
        classes(&e),
        vec![
            ("1".into(), q(15), 15, 3, 0),
            ("lambda".into(), q(-360), 15, 1, 0),
            ("kappa".into(), q(-720), 1, 0, 0),
            ("kappa".into(), q(-5400), 15, 1, 1),
        ]
    );
    // each member of [X x line] is the X diagram (-24) times a free line
    let x_line = &e.classes[1];
    assert!(
        e.members(x_line.id)
            .all(|d| d.coefficient == q(-24) && d.symmetry_factor == 1u32.into())
    );
}

#[test]
fn g2_is_k_exactly_by_default() {
    // Every correction to the 2-point function is a 2-point insertion.
    let e = expand(&ExpansionSpec::new(2, 3)).unwrap();
    assert_eq!(classes(&e), vec![("1".into(), q(1), 1, 1, 0)]);
}
