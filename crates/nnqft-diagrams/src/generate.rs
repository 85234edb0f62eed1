//! The generator: every diagram of G^(n) up to a given order, built as canonical multigraphs.
//!
//! For each multiset of vertex kinds, the external points are attached one by one (to another
//! external point or to an internal vertex with a free leg; among untouched vertices of one
//! kind only the first is tried, since they are interchangeable), then the multiplicity matrix
//! of the internal vertices is filled row by row to complete every degree. Each completed
//! multigraph is reduced to its canonical form under kind-preserving permutations of the
//! internal vertices, which also yields its vertex automorphisms; duplicates are dropped by
//! canonical code. No Wick contraction is ever enumerated.

use crate::canon::{BlockPerms, Labelled, factorial};
use crate::diagram::{Class, Diagram, Expansion};
use crate::estimate::{estimate_diagrams, estimate_with_work, kind_multisets};
use crate::insertion::two_point_insertion;
use crate::spec::{DiagramError, ExpansionSpec};
use num_bigint::{BigInt, BigUint};
use num_rational::BigRational;
use num_traits::One;
use rayon::prelude::*;
use std::collections::{HashMap, hash_map::Entry};

/// Estimated number of diagrams of `spec` (see [module `estimate`](mod@crate::estimate)),
/// after validating it.
pub fn estimate(spec: &ExpansionSpec) -> Result<u128, DiagramError> {
    spec.validate()?;
    Ok(estimate_diagrams(spec, u128::MAX).0)
}

/// The largest generator work [`expand`] takes on (labelled configurations times their vertex
/// relabellings, see [module `estimate`](mod@crate::estimate)): about 2e8 per second on two
/// cores (G2 with six cubic vertices: 4.5e7, 0.2 s), so about 15 s.
pub const MAX_GENERATOR_WORK: f64 = 3e9;

/// Every diagram of G^(n) with 0..=order internal vertices, without vacuum bubbles, filtered
/// as the spec asks, with exact coefficients prod(-k! g_k)/|Aut|, grouped into classes.
/// Refuses with [`DiagramError::TooLarge`] when the estimate exceeds `spec.max_diagrams`.
pub fn expand(spec: &ExpansionSpec) -> Result<Expansion, DiagramError> {
    spec.validate()?;
    let limit = spec.max_diagrams;
    // count on to a thousand times the limit, so that the message shows the real size
    let stop = (limit as u128).saturating_mul(1000).max(1000);
    let (est, work, complete) = estimate_with_work(spec, stop);
    if est > limit as u128 {
        return Err(DiagramError::TooLarge {
            estimate: est,
            limit,
            at_least: !complete,
        });
    }
    if work > MAX_GENERATOR_WORK as u128 {
        return Err(DiagramError::TooSlow {
            diagrams: est,
            work,
            limit: MAX_GENERATOR_WORK as u128,
        });
    }
    // one independent task per multiset of vertex kinds; `assemble` sorts, so the result does
    // not depend on the scheduling
    let found: Vec<Found> = kind_multisets(spec)
        .par_iter()
        .flat_map_iter(|m| Generator::new(spec, m).run())
        .collect();
    Ok(assemble(spec, found))
}

/// A generated diagram in canonical labelling.
struct Found {
    graph: Labelled,
    monomial: Vec<u32>,
    code: Vec<u16>,
    class_code: Vec<u16>,
    symmetry: BigUint,
    connected: bool,
}

struct Generator<'a> {
    spec: &'a ExpansionSpec,
    monomial: Vec<u32>,
    n: usize,
    degree: Vec<usize>,
    residual: Vec<usize>,
    graph: Labelled,
    perms: BlockPerms,
    /// Canonical codes seen, with whether the diagram was kept.
    seen: HashMap<Vec<u16>, bool>,
    kept: Vec<Found>,
}

impl<'a> Generator<'a> {
    fn new(spec: &'a ExpansionSpec, monomial: &[u32]) -> Self {
        let kinds: Vec<usize> = monomial
            .iter()
            .enumerate()
            .flat_map(|(k, &a)| std::iter::repeat_n(k, a as usize))
            .collect();
        let degree: Vec<usize> = kinds.iter().map(|&k| spec.vertices[k].degree).collect();
        let v = kinds.len();
        let n = spec.points;
        Generator {
            spec,
            monomial: monomial.to_vec(),
            n,
            residual: degree.clone(),
            degree,
            perms: BlockPerms::new(&kinds),
            graph: Labelled {
                n,
                kinds,
                partner: vec![usize::MAX; n],
                mult: vec![0; v * v],
            },
            seen: HashMap::new(),
            kept: Vec::new(),
        }
    }

    fn run(mut self) -> Vec<Found> {
        self.attach_external(0);
        self.kept
    }

    fn v(&self) -> usize {
        self.degree.len()
    }

    /// Attach external point i (and the following ones).
    fn attach_external(&mut self, i: usize) {
        let n = self.n;
        if i == n {
            self.fill_row(0);
            return;
        }
        if self.graph.partner[i] != usize::MAX {
            self.attach_external(i + 1);
            return;
        }
        for j in i + 1..n {
            if self.graph.partner[j] == usize::MAX {
                self.graph.partner[i] = j;
                self.graph.partner[j] = i;
                self.attach_external(i + 1);
                self.graph.partner[j] = usize::MAX;
            }
        }
        for a in 0..self.v() {
            if self.residual[a] == 0 {
                continue;
            }
            let untouched = |g: &Self, b: usize| g.residual[b] == g.degree[b];
            if untouched(self, a)
                && (0..a).any(|b| self.graph.kinds[b] == self.graph.kinds[a] && untouched(self, b))
            {
                continue; // an equivalent untouched vertex comes first
            }
            self.graph.partner[i] = n + a;
            self.residual[a] -= 1;
            self.attach_external(i + 1);
            self.residual[a] += 1;
        }
        self.graph.partner[i] = usize::MAX;
    }

    /// Choose the self-loops of vertex a, then its lines to later vertices.
    fn fill_row(&mut self, a: usize) {
        let v = self.v();
        if a == v {
            self.complete();
            return;
        }
        let r = self.residual[a];
        for loops in 0..=r / 2 {
            self.graph.mult[a * v + a] = loops as u16;
            self.residual[a] = r - 2 * loops;
            self.fill_col(a, a + 1);
        }
        self.graph.mult[a * v + a] = 0;
        self.residual[a] = r;
    }

    /// Choose the number of lines between a and b (and the later columns of row a).
    fn fill_col(&mut self, a: usize, b: usize) {
        let v = self.v();
        if b == v {
            if self.residual[a] == 0 {
                self.fill_row(a + 1);
            }
            return;
        }
        let room: usize = self.residual[b..].iter().sum();
        if room < self.residual[a] {
            return;
        }
        let max = self.residual[a].min(self.residual[b]);
        for m in 0..=max {
            self.graph.mult[a * v + b] = m as u16;
            self.graph.mult[b * v + a] = m as u16;
            self.residual[a] -= m;
            self.residual[b] -= m;
            self.fill_col(a, b + 1);
            self.residual[a] += m;
            self.residual[b] += m;
        }
        self.graph.mult[a * v + b] = 0;
        self.graph.mult[b * v + a] = 0;
    }

    /// A complete labelled multigraph: filter, canonicalize, keep if new.
    fn complete(&mut self) {
        let (vacuum_free, connected) = self.graph.vacuum_free_and_connected();
        if !vacuum_free || (self.spec.connected_only && !connected) {
            return;
        }
        let (code, sigma, vertex_aut) = self.perms.canonical(&self.graph);
        let slot = match self.seen.entry(code) {
            Entry::Occupied(_) => return,
            Entry::Vacant(e) => e,
        };
        let graph = self.graph.relabel(&sigma);
        let keep =
            self.spec.keep_self_energy || !two_point_insertion(&graph.external_legs(), &graph.mult);
        let code = slot.key().clone();
        slot.insert(keep);
        if !keep {
            return;
        }
        let symmetry = BigUint::from(vertex_aut) * graph.line_symmetry();
        let class_code = self.perms.class_code(&graph);
        self.kept.push(Found {
            graph,
            monomial: self.monomial.clone(),
            code,
            class_code,
            symmetry,
            connected,
        });
    }
}

/// Sort diagrams into classes and build the public types.
fn assemble(spec: &ExpansionSpec, found: Vec<Found>) -> Expansion {
    // Group by (kinds, class code).
    let mut class_of: HashMap<(Vec<usize>, Vec<u16>), usize> = HashMap::new();
    let mut groups: Vec<Vec<Found>> = Vec::new();
    for f in found {
        let key = (f.graph.kinds.clone(), f.class_code.clone());
        let idx = *class_of.entry(key).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[idx].push(f);
    }
    for g in &mut groups {
        g.sort_by(|x, y| x.code.cmp(&y.code));
    }
    let total_order = |m: &[u32]| m.iter().sum::<u32>();
    groups.sort_by(|x, y| {
        let (a, b) = (&x[0], &y[0]);
        total_order(&a.monomial)
            .cmp(&total_order(&b.monomial))
            .then_with(|| b.monomial.cmp(&a.monomial))
            .then_with(|| b.connected.cmp(&a.connected))
            .then_with(|| a.graph.free_lines().cmp(&b.graph.free_lines()))
            .then_with(|| a.class_code.cmp(&b.class_code))
    });
    let mut diagrams = Vec::new();
    let mut classes = Vec::new();
    for (id, group) in groups.into_iter().enumerate() {
        let representative = diagrams.len();
        let members = group.len();
        let monomial = group[0].monomial.clone();
        let mut total = BigRational::from_integer(BigInt::from(0));
        for f in group {
            let d = to_diagram(spec, f, id);
            total += &d.coefficient;
            diagrams.push(d);
        }
        classes.push(Class {
            id,
            representative,
            members,
            coefficient: total,
            monomial,
        });
    }
    Expansion {
        spec: spec.clone(),
        diagrams,
        classes,
    }
}

fn to_diagram(spec: &ExpansionSpec, f: Found, class: usize) -> Diagram {
    let g = &f.graph;
    let (n, v) = (g.n, g.v());
    let mut edges = Vec::new();
    for (i, &p) in g.partner.iter().enumerate() {
        if i < p {
            edges.push((i, p));
        }
    }
    for a in 0..v {
        for b in a..v {
            for _ in 0..g.m(a, b) {
                edges.push((n + a, n + b));
            }
        }
    }
    edges.sort_unstable();
    // prod over vertices of (-k!) / |Aut|
    let mut num = BigInt::one();
    for &k in &g.kinds {
        num *= -BigInt::from(factorial(spec.vertices[k].degree as u32));
    }
    let coefficient = BigRational::new(num, BigInt::from(f.symmetry.clone()));
    Diagram {
        n_external: n,
        internal: g.kinds.clone(),
        edges,
        symmetry_factor: f.symmetry,
        coefficient,
        monomial: f.monomial,
        connected: f.connected,
        class,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_traits::ToPrimitive;

    fn class_summary(e: &Expansion) -> Vec<(String, i64, usize)> {
        e.classes
            .iter()
            .map(|c| {
                (
                    e.monomial_name(&c.monomial),
                    c.coefficient.to_integer().to_i64().unwrap(),
                    c.members,
                )
            })
            .collect()
    }

    #[test]
    fn g4_first_order_classes() {
        let e = expand(&ExpansionSpec::new(4, 1)).unwrap();
        assert_eq!(
            class_summary(&e),
            vec![
                ("1".into(), 3, 3),
                ("lambda".into(), -24, 1),
                ("kappa".into(), -360, 1)
            ]
        );
    }

    #[test]
    fn refuses_large_expansions() {
        let mut s = ExpansionSpec::new(6, 6);
        s.max_diagrams = 1000;
        assert!(matches!(expand(&s), Err(DiagramError::TooLarge { .. })));
    }
}
