//! The expansion as plain serde data (the JSON of `nnqft diagrams --json`, the dict of the
//! Python package): every diagram and class, coefficients as exact rationals written "p/q".

use crate::{Expansion, latex, text};
use serde::{Serialize, Serializer};

/// A vertex kind g f^k: its coupling's name and degree k.
#[derive(Clone, Debug, Serialize)]
pub struct VertexJson {
    /// The coupling's name.
    pub name: String,
    /// The degree k.
    pub degree: usize,
}

/// One labelled diagram.
#[derive(Clone, Debug, Serialize)]
pub struct DiagramJson {
    /// Its coefficient prod(-k! g_k)/|Aut| without the couplings, "p/q" or "p".
    pub coefficient: String,
    /// The monomial of couplings, e.g. "lambda^2".
    pub monomial: String,
    /// |Aut|.
    pub symmetry_factor: String,
    /// The internal vertices' kinds.
    pub vertices: Vec<VertexJson>,
    /// The edges as pairs of node indices (externals first).
    pub edges: Vec<[usize; 2]>,
    /// Whether the diagram is connected.
    pub connected: bool,
    /// The id of its class.
    pub class: usize,
}

/// A class of diagrams that differ by a permutation of the external points.
#[derive(Clone, Debug, Serialize)]
pub struct ClassJson {
    /// The class id.
    pub id: usize,
    /// The monomial of couplings.
    pub monomial: String,
    /// The summed coefficient of the class, "p/q" or "p".
    pub coefficient: String,
    /// The number of labelled diagrams in it.
    pub members: usize,
    /// The index of its representative diagram.
    pub representative: usize,
    /// The class's term in LaTeX.
    pub latex: String,
}

/// Monomial -> total coefficient, serialized as a map in expansion order.
#[derive(Clone, Debug)]
pub struct Totals(pub Vec<(String, String)>);

impl Serialize for Totals {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// The whole expansion as data.
#[derive(Clone, Debug, Serialize)]
pub struct ExpansionJson {
    /// n of G^(n).
    pub points: usize,
    /// The largest number of vertices.
    pub order: usize,
    /// The vertex kinds.
    pub vertices: Vec<VertexJson>,
    /// Only connected diagrams were kept.
    pub connected_only: bool,
    /// Diagrams with 2-point insertions were kept.
    pub keep_self_energy: bool,
    /// Every labelled diagram.
    pub diagrams: Vec<DiagramJson>,
    /// Every class.
    pub classes: Vec<ClassJson>,
    /// The total coefficient of each monomial.
    pub totals: Totals,
}

/// The expansion `e` as data (exact coefficients as text, LaTeX per class).
pub fn to_json(e: &Expansion) -> ExpansionJson {
    let spec = &e.spec;
    let vertex = |k: usize| VertexJson {
        name: spec.vertices[k].name.clone(),
        degree: spec.vertices[k].degree,
    };
    ExpansionJson {
        points: spec.points,
        order: spec.order,
        vertices: (0..spec.vertices.len()).map(vertex).collect(),
        connected_only: spec.connected_only,
        keep_self_energy: spec.keep_self_energy,
        diagrams: e
            .diagrams
            .iter()
            .map(|d| DiagramJson {
                coefficient: text::rational(&d.coefficient),
                monomial: e.monomial_name(&d.monomial),
                symmetry_factor: d.symmetry_factor.to_string(),
                vertices: d.internal.iter().map(|&k| vertex(k)).collect(),
                edges: d.edges.iter().map(|&(a, b)| [a, b]).collect(),
                connected: d.connected,
                class: d.class,
            })
            .collect(),
        classes: e
            .classes
            .iter()
            .map(|c| ClassJson {
                id: c.id,
                monomial: e.monomial_name(&c.monomial),
                coefficient: text::rational(&c.coefficient),
                members: c.members,
                representative: c.representative,
                latex: latex::class_term(e, c),
            })
            .collect(),
        totals: Totals(
            e.totals()
                .iter()
                .map(|(m, t)| (e.monomial_name(m), text::rational(t)))
                .collect(),
        ),
    }
}
