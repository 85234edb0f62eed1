//! The result types: labelled diagrams, classes, and the expansion that holds them.

use crate::spec::ExpansionSpec;
use num_bigint::BigUint;
use num_rational::BigRational;
use petgraph::graph::{NodeIndex, UnGraph};

/// A node of a diagram's multigraph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    /// External point x_{i+1} (node i).
    External(usize),
    /// Internal vertex of the given kind (index into `ExpansionSpec::vertices`).
    Internal {
        /// Index into `ExpansionSpec::vertices`.
        kind: usize,
    },
}

/// One labelled diagram: external points x_1..x_n fixed, internal vertices unlabelled (the
/// diagram is an isomorphism class under kind-preserving permutations of internal vertices).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagram {
    /// Number n of external points: nodes 0..n.
    pub n_external: usize,
    /// Kind index of internal node `n_external + i`, sorted by kind.
    pub internal: Vec<usize>,
    /// Lines as node pairs `(a, b)`, `a <= b`, sorted; `(a, a)` is a self-loop and a repeated
    /// pair is a multiple line.
    pub edges: Vec<(usize, usize)>,
    /// |Aut|: permutations of the lines and internal vertices that fix every external point
    /// and preserve the diagram = |vertex automorphisms| * prod m_ab! * prod 2^l_a l_a!.
    pub symmetry_factor: BigUint,
    /// prod over internal vertices of (-k! g_k), divided by |Aut|; the couplings g_k are not
    /// included (they are `monomial`).
    pub coefficient: BigRational,
    /// Power of each vertex kind's coupling (declaration order).
    pub monomial: Vec<u32>,
    /// Whether the multigraph is connected.
    pub connected: bool,
    /// Index into `Expansion::classes`.
    pub class: usize,
}

impl Diagram {
    /// The multigraph: nodes 0..n are `Node::External(i)`, then the internal vertices; one
    /// petgraph edge per line (parallel edges and self-loops included).
    pub fn graph(&self) -> UnGraph<Node, ()> {
        let mut g = UnGraph::with_capacity(self.node_count(), self.edges.len());
        for i in 0..self.n_external {
            g.add_node(Node::External(i));
        }
        for &kind in &self.internal {
            g.add_node(Node::Internal { kind });
        }
        for &(a, b) in &self.edges {
            g.add_edge(NodeIndex::new(a), NodeIndex::new(b), ());
        }
        g
    }

    /// Number of nodes, external plus internal.
    pub fn node_count(&self) -> usize {
        self.n_external + self.internal.len()
    }

    /// Number of internal vertices (the order of the diagram).
    pub fn order(&self) -> usize {
        self.internal.len()
    }

    /// Lines joining two external points (free propagators).
    pub fn free_lines(&self) -> usize {
        let n = self.n_external;
        self.edges.iter().filter(|&&(a, b)| a < n && b < n).count()
    }

    /// Self-loops (lines from an internal vertex to itself).
    pub fn self_loops(&self) -> usize {
        self.edges.iter().filter(|&&(a, b)| a == b).count()
    }
}

/// Labelled diagrams that differ only by a permutation of the external points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Class {
    /// Index of this class in `Expansion::classes`.
    pub id: usize,
    /// Index into `Expansion::diagrams` of the member shown for the class.
    pub representative: usize,
    /// Number of labelled diagrams in the class.
    pub members: usize,
    /// Sum of the members' coefficients (members * the common coefficient).
    pub coefficient: BigRational,
    /// Power of each vertex kind's coupling.
    pub monomial: Vec<u32>,
}

/// All diagrams of an expansion, sorted by class, and the classes, sorted by order, then
/// monomial (earlier couplings first), connected before disconnected, fewer free lines first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expansion {
    /// What was expanded.
    pub spec: ExpansionSpec,
    /// Every labelled diagram, sorted by class.
    pub diagrams: Vec<Diagram>,
    /// The classes, in the order of the module documentation.
    pub classes: Vec<Class>,
}

impl Expansion {
    /// The monomial written with the couplings in declaration order as `name` or `name^p`
    /// joined by `*` ("lambda", "lambda*kappa", "kappa^2"); "1" for the free term.
    pub fn monomial_name(&self, m: &[u32]) -> String {
        monomial_name(&self.spec, m)
    }

    /// The diagrams of one class.
    pub fn members(&self, class: usize) -> impl Iterator<Item = &Diagram> {
        self.diagrams.iter().filter(move |d| d.class == class)
    }

    /// Sum of the coefficients of all labelled diagrams per monomial, in class order: the
    /// value of G^(n) in zero dimensions (K = 1), order by order.
    pub fn totals(&self) -> Vec<(Vec<u32>, BigRational)> {
        let mut out: Vec<(Vec<u32>, BigRational)> = Vec::new();
        for c in &self.classes {
            match out.iter_mut().find(|(m, _)| *m == c.monomial) {
                Some((_, t)) => *t += &c.coefficient,
                None => out.push((c.monomial.clone(), c.coefficient.clone())),
            }
        }
        out
    }
}

/// See [`Expansion::monomial_name`].
pub fn monomial_name(spec: &ExpansionSpec, m: &[u32]) -> String {
    let parts: Vec<String> = spec
        .vertices
        .iter()
        .zip(m)
        .filter(|&(_, &p)| p > 0)
        .map(|(v, &p)| {
            if p == 1 {
                v.name.clone()
            } else {
                format!("{}^{}", v.name, p)
            }
        })
        .collect();
    if parts.is_empty() {
        "1".to_string()
    } else {
        parts.join("*")
    }
}
