//! Graphviz DOT export of an expansion's classes, one `graph` per class representative.
//!
//! petgraph builds the multigraph ([`Diagram::graph`]) and writes the DOT text. The generator
//! itself works on its canonical multiplicity matrix instead: canonical forms, automorphism
//! counts and 2-point-insertion tests are small dense-matrix algorithms there, and the
//! generator never needs a general graph structure on its hot path.

use crate::diagram::{Expansion, Node};
use petgraph::dot::{Config, Dot};

/// The classes of `e` as DOT graphs (one `graph` per class, concatenated): external points are
/// boxes labelled x1..xn, internal vertices circles labelled with their coupling, and a
/// comment line before each graph gives the class coefficient and member count.
pub fn dot(e: &Expansion) -> String {
    let mut out = String::new();
    for class in &e.classes {
        let d = &e.diagrams[class.representative];
        let g = d.graph();
        let node_attr = |_: &_, (_, node): (petgraph::graph::NodeIndex, &Node)| match *node {
            Node::External(i) => format!("label=\"x{}\" shape=box", i + 1),
            Node::Internal { kind } => {
                format!("label=\"{}\" shape=circle", e.spec.vertices[kind].name)
            }
        };
        let body = Dot::with_attr_getters(
            &g,
            &[Config::EdgeNoLabel, Config::NodeNoLabel],
            &|_, _| String::new(),
            &node_attr,
        );
        out.push_str(&format!(
            "// class {}: coefficient {} ({} labelled diagram{}), {}\n",
            class.id + 1,
            class.coefficient,
            class.members,
            if class.members == 1 { "" } else { "s" },
            e.monomial_name(&class.monomial),
        ));
        out.push_str(&format!("{body:?}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ExpansionSpec, expand};
    use petgraph::algo::connected_components;

    #[test]
    fn dot_lists_every_class_with_its_nodes_and_lines() {
        let e = expand(&ExpansionSpec::new(4, 1)).unwrap();
        let text = dot(&e);
        assert_eq!(text.matches("graph {").count(), e.classes.len());
        // The X diagram: four boxes, one lambda circle, four lines to it.
        assert!(text.contains("label=\"lambda\" shape=circle"));
        assert!(text.contains("label=\"x4\" shape=box"));
        assert!(text.contains("coefficient -24"));
    }

    #[test]
    fn connected_flag_agrees_with_petgraph() {
        // The generator decides connectedness on its canonical matrix; petgraph's components
        // of the same multigraph are an independent check.
        let mut disconnected = 0;
        for (n, order) in [(2, 2), (4, 2), (6, 1)] {
            let e = expand(&ExpansionSpec::new(n, order)).unwrap();
            for d in &e.diagrams {
                assert_eq!(d.connected, connected_components(&d.graph()) == 1, "{d:?}");
                disconnected += usize::from(!d.connected);
            }
        }
        assert!(disconnected > 0, "the check must see both kinds");
    }
}
