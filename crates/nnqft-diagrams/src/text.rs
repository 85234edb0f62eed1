//! Plain-text rendering: edge lists, short descriptions of diagrams, the class listing.

use crate::diagram::{Diagram, Expansion};
use num_rational::BigRational;
use num_traits::Signed;

/// An exact rational as text: `-24`, `3/2`.
pub fn rational(c: &BigRational) -> String {
    if c.is_integer() {
        c.numer().to_string()
    } else {
        format!("{}/{}", c.numer(), c.denom())
    }
}

/// A coefficient times a monomial name: `-360 lambda`, `3`, `-kappa`, `1/2 lambda^2`.
pub fn term(c: &BigRational, monomial: &str) -> String {
    if monomial == "1" {
        return rational(c);
    }
    let a = c.abs();
    let sign = if c.is_negative() { "-" } else { "" };
    if a == BigRational::from_integer(1.into()) {
        format!("{sign}{monomial}")
    } else {
        format!("{sign}{} {monomial}", rational(&a))
    }
}

/// The lines of a diagram, e.g. `x1-x2 x3-y1 x4-y1 x5-y1 x6-y1 y1-y1`.
pub fn edge_list(d: &Diagram) -> String {
    let n = d.n_external;
    let name = |a: usize| {
        if a < n {
            format!("x{}", a + 1)
        } else {
            format!("y{}", a - n + 1)
        }
    };
    d.edges
        .iter()
        .map(|&(a, b)| format!("{}-{}", name(a), name(b)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn plural(k: usize, what: &str) -> String {
    if k == 1 {
        format!("1 {what}")
    } else {
        format!("{k} {what}s")
    }
}

/// A short description: vertices, free lines, self-loops, multiple lines, connectedness,
/// e.g. `kappa; 1 free line, 1 self-loop; disconnected`.
pub fn describe(e: &Expansion, d: &Diagram) -> String {
    let mut parts: Vec<String> = Vec::new();
    if d.free_lines() > 0 {
        parts.push(plural(d.free_lines(), "free line"));
    }
    if d.self_loops() > 0 {
        parts.push(plural(d.self_loops(), "self-loop"));
    }
    let n = d.n_external;
    let inner: Vec<(usize, usize)> = d
        .edges
        .iter()
        .filter(|&&(a, b)| a >= n && a != b)
        .copied()
        .collect();
    let mut multiple: Vec<usize> = Vec::new(); // multiplicities >= 2 of vertex pairs
    let mut i = 0;
    while i < inner.len() {
        let m = inner[i..].iter().take_while(|&&x| x == inner[i]).count();
        if m >= 2 {
            multiple.push(m);
        }
        i += m;
    }
    multiple.sort_unstable();
    let mut j = 0;
    while j < multiple.len() {
        let m = multiple[j];
        let count = multiple[j..].iter().take_while(|&&x| x == m).count();
        let what = match m {
            2 => "double line".to_string(),
            3 => "triple line".to_string(),
            _ => format!("{m}-fold line"),
        };
        parts.push(plural(count, &what));
        j += count;
    }
    let vertices = if d.internal.is_empty() {
        "free".to_string()
    } else {
        e.monomial_name(&d.monomial)
    };
    let shape = if parts.is_empty() {
        String::new()
    } else {
        format!("; {}", parts.join(", "))
    };
    let conn = if d.connected {
        "connected"
    } else {
        "disconnected"
    };
    format!("{vertices}{shape}; {conn}")
}

/// The readable listing of an expansion: a header, each class (total coefficient, members,
/// the coefficient and |Aut| of one member, description, the drawn member's lines) and the
/// totals per monomial (G^(n) in zero dimensions).
pub fn listing(e: &Expansion) -> String {
    let spec = &e.spec;
    let vertices: Vec<String> = spec
        .vertices
        .iter()
        .map(|v| format!("{} f^{}", v.name, v.degree))
        .collect();
    let mut s = format!(
        "G^({}) up to order {}; vertices {}; {}; {}\n{} classes, {} labelled diagrams\n",
        spec.points,
        spec.order,
        vertices.join(", "),
        if spec.connected_only {
            "connected diagrams only"
        } else {
            "connected and disconnected diagrams"
        },
        if spec.keep_self_energy {
            "2-point insertions kept"
        } else {
            "2-point insertions dropped"
        },
        e.classes.len(),
        e.diagrams.len()
    );
    for c in &e.classes {
        let rep = &e.diagrams[c.representative];
        let mono = e.monomial_name(&c.monomial);
        s.push_str(&format!(
            "\nclass {}: {}  ({}, each {}, |Aut| = {})\n  {}\n  {}\n",
            c.id,
            term(&c.coefficient, &mono),
            plural(c.members, "member"),
            term(&rep.coefficient, &mono),
            rep.symmetry_factor,
            describe(e, rep),
            edge_list(rep)
        ));
    }
    s.push_str(&format!(
        "\ntotals (G^({}) in zero dimensions, K = 1):\n",
        spec.points
    ));
    let totals = e.totals();
    let width = totals
        .iter()
        .map(|(m, _)| e.monomial_name(m).len())
        .max()
        .unwrap_or(0);
    for (m, t) in &totals {
        s.push_str(&format!(
            "  {:<width$}  {}\n",
            e.monomial_name(m),
            rational(t)
        ));
    }
    s
}
