//! 2-point insertions (self-energies, tadpoles on a line).
//!
//! Definition: a diagram has a 2-point insertion when some non-empty set S of internal
//! vertices, connected through lines among themselves, is joined to the rest of the diagram
//! (external points and the other internal vertices) by exactly two lines. Examples: a vertex
//! with a self-loop sitting on a line (tadpole), a bubble of two vertices inserted into a line,
//! and any correction to a 2-point function as a whole. With even-degree vertices only, a
//! disconnected S could not be joined by exactly two lines, so connectedness is no restriction
//! there; with odd degrees it excludes pairs of 1-point tadpoles.

use crate::diagram::Diagram;

/// Whether `d` has a 2-point insertion (see the module documentation).
pub fn has_two_point_insertion(d: &Diagram) -> bool {
    let (n, v) = (d.n_external, d.internal.len());
    let mut legs = vec![0u16; v];
    let mut mult = vec![0u16; v * v];
    for &(a, b) in &d.edges {
        match (a < n, b < n) {
            (true, true) => {}
            (true, false) => legs[b - n] += 1,
            (false, true) => legs[a - n] += 1,
            (false, false) => {
                mult[(a - n) * v + (b - n)] += 1;
                if a != b {
                    mult[(b - n) * v + (a - n)] += 1;
                }
            }
        }
    }
    two_point_insertion(&legs, &mult)
}

/// The same test on external legs per internal vertex and the v*v multiplicity matrix.
/// Cost 2^v subsets: meant for the small orders of perturbation theory.
pub(crate) fn two_point_insertion(legs: &[u16], mult: &[u16]) -> bool {
    let v = legs.len();
    assert!(
        v < 32,
        "2-point insertion test supports fewer than 32 vertices"
    );
    (1u32..(1u32 << v)).any(|s| {
        let mut cut = 0u32;
        for a in (0..v).filter(|&a| s >> a & 1 == 1) {
            cut += legs[a] as u32;
            for b in (0..v).filter(|&b| s >> b & 1 == 0) {
                cut += mult[a * v + b] as u32;
            }
        }
        cut == 2 && induced_connected(s, v, mult)
    })
}

/// Whether the vertices in the bit set `s` are connected by lines among themselves.
fn induced_connected(s: u32, v: usize, mult: &[u16]) -> bool {
    let first = s.trailing_zeros() as usize;
    let mut seen = 1u32 << first;
    let mut stack = vec![first];
    while let Some(a) = stack.pop() {
        for b in 0..v {
            if s >> b & 1 == 1 && seen >> b & 1 == 0 && mult[a * v + b] > 0 {
                seen |= 1 << b;
                stack.push(b);
            }
        }
    }
    seen == s
}
