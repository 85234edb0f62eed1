//! Independent check of the generator: enumerate every Wick contraction of
//! f(x_1)..f(x_n) * prod over labelled internal vertices of f(y_a)^k_a, group the contractions
//! into diagrams by a canonical form written here, and compare diagram by diagram with
//! `expand`: the set of diagrams, and each coefficient (-1)^v W / prod a_k!, where W is the
//! number of contractions producing the diagram and a_k the number of vertices of kind k
//! (docs/conventions.md section 5), against the generator's prod(-k!)/|Aut|.

use itertools::Itertools;
use nnqft_diagrams::{Diagram, ExpansionSpec, expand};
use num_bigint::BigInt;
use num_rational::BigRational;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};

/// A diagram with labelled internal vertices: kinds (sorted), partner of each external point
/// (node numbering: externals 0..n, internal a is n + a), multiplicity matrix.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Labelled {
    kinds: Vec<usize>,
    partner: Vec<usize>,
    mult: Vec<Vec<u32>>,
}

impl Labelled {
    /// Minimum over kind-preserving relabellings of the internal vertices.
    fn canonical(&self) -> Labelled {
        let n = self.partner.len();
        let v = self.kinds.len();
        (0..v)
            .permutations(v)
            .filter(|p| (0..v).all(|a| self.kinds[p[a]] == self.kinds[a]))
            .map(|p| {
                // internal a becomes p[a]
                let partner = self
                    .partner
                    .iter()
                    .map(|&q| if q < n { q } else { n + p[q - n] })
                    .collect();
                let mut mult = vec![vec![0; v]; v];
                for a in 0..v {
                    for b in 0..v {
                        mult[p[a]][p[b]] = self.mult[a][b];
                    }
                }
                Labelled {
                    kinds: self.kinds.clone(),
                    partner,
                    mult,
                }
            })
            .min()
            .unwrap()
    }

    /// Every component of the multigraph contains an external point.
    fn vacuum_free(&self) -> bool {
        let n = self.partner.len();
        let v = self.kinds.len();
        let mut reached = vec![false; v];
        let mut stack: Vec<usize> = self
            .partner
            .iter()
            .filter(|&&q| q >= n)
            .map(|&q| q - n)
            .collect();
        while let Some(a) = stack.pop() {
            if reached[a] {
                continue;
            }
            reached[a] = true;
            stack.extend((0..v).filter(|&b| b != a && self.mult[a][b] > 0));
        }
        reached.iter().all(|&r| r)
    }

    /// Whether all nodes are connected (breadth-first over the multigraph).
    fn connected(&self) -> bool {
        let n = self.partner.len();
        let v = self.kinds.len();
        let adj = |x: usize| -> Vec<usize> {
            if x < n {
                vec![self.partner[x]]
            } else {
                let a = x - n;
                let mut out: Vec<usize> = (0..n).filter(|&i| self.partner[i] == x).collect();
                out.extend((0..v).filter(|&b| self.mult[a][b] > 0).map(|b| n + b));
                out
            }
        };
        let mut seen = vec![false; n + v];
        let mut stack = vec![0];
        while let Some(x) = stack.pop() {
            if !std::mem::replace(&mut seen[x], true) {
                stack.extend(adj(x));
            }
        }
        seen.iter().all(|&s| s)
    }

    /// Some connected set of internal vertices joined to the rest by exactly two lines.
    fn has_two_point_insertion(&self) -> bool {
        let n = self.partner.len();
        let v = self.kinds.len();
        (1..1usize << v).any(|s| {
            let inside = |a: usize| s >> a & 1 == 1;
            let legs: u32 = (0..n)
                .filter(|&i| self.partner[i] >= n && inside(self.partner[i] - n))
                .count() as u32;
            let lines: u32 = (0..v)
                .filter(|&a| inside(a))
                .flat_map(|a| (0..v).filter(move |&b| !inside(b)).map(move |b| (a, b)))
                .map(|(a, b)| self.mult[a][b])
                .sum();
            let members: Vec<usize> = (0..v).filter(|&a| inside(a)).collect();
            let mut seen = vec![members[0]];
            let mut i = 0;
            while i < seen.len() {
                let a = seen[i];
                for &b in &members {
                    if !seen.contains(&b) && self.mult[a][b] > 0 {
                        seen.push(b);
                    }
                }
                i += 1;
            }
            legs + lines == 2 && seen.len() == members.len()
        })
    }

    fn from_diagram(d: &Diagram) -> Labelled {
        let n = d.n_external;
        let v = d.internal.len();
        let mut partner = vec![usize::MAX; n];
        let mut mult = vec![vec![0; v]; v];
        for &(a, b) in &d.edges {
            match (a < n, b < n) {
                (true, _) => {
                    assert_eq!(partner[a], usize::MAX, "external {a} has one line");
                    partner[a] = b;
                    if b < n {
                        partner[b] = a;
                    }
                }
                (false, true) => partner[b] = a,
                (false, false) => {
                    mult[a - n][b - n] += 1;
                    if a != b {
                        mult[b - n][a - n] += 1;
                    }
                }
            }
        }
        assert!(partner.iter().all(|&p| p != usize::MAX));
        Labelled {
            kinds: d.internal.clone(),
            partner,
            mult,
        }
    }
}

/// Half-edges: external point i is half-edge i; internal vertex a owns `degree[a]` half-edges.
struct Contractions {
    n: usize,
    owner: Vec<usize>, // node of each half-edge
    v: usize,
}

impl Contractions {
    /// Number of contractions producing each labelled multigraph, keyed by
    /// (partner of each external, upper triangle of the multiplicity matrix).
    fn count(&self) -> HashMap<u64, u64> {
        let h = self.owner.len();
        // Split the work on the partner of half-edge 0.
        (1..h)
            .into_par_iter()
            .map(|first| {
                let mut used = vec![false; h];
                let mut state = State {
                    partner: vec![u8::MAX; self.n],
                    mult: vec![0; self.v * self.v],
                };
                let mut counts = HashMap::new();
                used[0] = true;
                used[first] = true;
                self.join(0, first, &mut state, 1);
                self.walk(&mut used, &mut state, &mut counts);
                counts
            })
            .reduce(HashMap::new, |mut a, b| {
                for (k, c) in b {
                    *a.entry(k).or_insert(0) += c;
                }
                a
            })
    }

    fn join(&self, x: usize, y: usize, s: &mut State, sign: i32) {
        let (a, b) = (self.owner[x], self.owner[y]);
        let n = self.n;
        if a < n || b < n {
            if sign > 0 {
                if a < n {
                    s.partner[a] = b as u8;
                }
                if b < n {
                    s.partner[b] = a as u8;
                }
            }
        } else {
            let (p, q) = (a - n, b - n);
            let (p, q) = (p.min(q), p.max(q));
            let m = &mut s.mult[p * self.v + q];
            *m = (*m as i32 + sign) as u8;
        }
    }

    fn walk(&self, used: &mut [bool], s: &mut State, counts: &mut HashMap<u64, u64>) {
        let Some(x) = used.iter().position(|&u| !u) else {
            // pack the labelled multigraph, 4 bits per entry
            let mut key = 0u64;
            for &p in &s.partner {
                key = key << 4 | p as u64;
            }
            for p in 0..self.v {
                for q in p..self.v {
                    key = key << 4 | s.mult[p * self.v + q] as u64;
                }
            }
            *counts.entry(key).or_insert(0) += 1;
            return;
        };
        used[x] = true;
        for y in x + 1..used.len() {
            if !used[y] {
                used[y] = true;
                self.join(x, y, s, 1);
                self.walk(used, s, counts);
                self.join(x, y, s, -1);
                used[y] = false;
            }
        }
        used[x] = false;
    }
}

struct State {
    partner: Vec<u8>,
    mult: Vec<u8>,
}

/// Brute-force coefficients (couplings excluded) of every vacuum-free diagram of one vertex
/// multiset, keyed by canonical form.
fn brute_force(n: usize, kinds: &[usize], degrees: &[usize]) -> BTreeMap<Labelled, BigRational> {
    let v = kinds.len();
    let mut owner: Vec<usize> = (0..n).collect();
    for (a, &k) in kinds.iter().enumerate() {
        owner.extend(std::iter::repeat_n(n + a, degrees[k]));
    }
    let counts = Contractions { n, owner, v }.count();
    let mut by_diagram: BTreeMap<Labelled, u64> = BTreeMap::new();
    let entries = n + v * (v + 1) / 2;
    assert!(entries <= 16 && n + v <= 16 && degrees.iter().all(|&d| d < 16));
    for (key, c) in counts {
        let entry = |i: usize| (key >> (4 * (entries - 1 - i)) & 15) as usize;
        let partner: Vec<usize> = (0..n).map(entry).collect();
        let pairs: Vec<(usize, usize)> = (0..v).flat_map(|p| (p..v).map(move |q| (p, q))).collect();
        let mut mult = vec![vec![0u32; v]; v];
        for (k, &(p, q)) in pairs.iter().enumerate() {
            let m = entry(n + k) as u32;
            mult[p][q] = m;
            mult[q][p] = m;
        }
        let g = Labelled {
            kinds: kinds.to_vec(),
            partner,
            mult,
        };
        if g.vacuum_free() {
            *by_diagram.entry(g.canonical()).or_insert(0) += c;
        }
    }
    // coefficient = (-1)^v W / prod a_k!
    let mut relabel = BigInt::from(1);
    for (_, group) in &kinds.iter().chunk_by(|&&k| k) {
        relabel *= (1..=group.count() as u64).product::<u64>();
    }
    let sign = if v.is_multiple_of(2) { 1 } else { -1 };
    by_diagram
        .into_iter()
        .map(|(g, w)| {
            (
                g,
                BigRational::new(BigInt::from(sign) * BigInt::from(w), relabel.clone()),
            )
        })
        .collect()
}

fn generator(spec: &ExpansionSpec) -> BTreeMap<Labelled, BigRational> {
    let e = expand(spec).unwrap();
    let mut out = BTreeMap::new();
    for d in &e.diagrams {
        let g = Labelled::from_diagram(d).canonical();
        assert!(
            out.insert(g, d.coefficient.clone()).is_none(),
            "duplicate diagram"
        );
    }
    out
}

/// All vertex multisets of lambda (kind 0, degree 4) and kappa (kind 1, degree 6) with at
/// most two vertices.
fn multisets() -> Vec<Vec<usize>> {
    vec![vec![], vec![0], vec![1], vec![0, 0], vec![0, 1], vec![1, 1]]
}

/// The brute-force diagrams of G^(n) to order 2, all of them (vacuum-free).
fn brute_all(n: usize) -> BTreeMap<Labelled, BigRational> {
    let mut all = BTreeMap::new();
    for kinds in multisets() {
        all.extend(brute_force(n, &kinds, &[4, 6]));
    }
    all
}

#[test]
fn wick_contractions_match_generator_diagram_by_diagram() {
    for n in [2, 4, 6] {
        let brute = brute_all(n);
        let mut spec = ExpansionSpec::new(n, 2);
        // with everything kept
        spec.keep_self_energy = true;
        let gen_all = generator(&spec);
        assert_eq!(
            gen_all.len(),
            brute.len(),
            "n = {n}: number of diagrams (all)"
        );
        assert_eq!(gen_all, brute, "n = {n}: diagrams and coefficients (all)");

        // connected only
        spec.connected_only = true;
        let expect: BTreeMap<_, _> = brute
            .iter()
            .filter(|(g, _)| g.connected())
            .map(|(g, c)| (g.clone(), c.clone()))
            .collect();
        assert_eq!(generator(&spec), expect, "n = {n}: connected diagrams");

        // default: 2-point insertions dropped, connected or not
        spec.connected_only = false;
        spec.keep_self_energy = false;
        let expect: BTreeMap<_, _> = brute
            .iter()
            .filter(|(g, _)| !g.has_two_point_insertion())
            .map(|(g, c)| (g.clone(), c.clone()))
            .collect();
        assert_eq!(generator(&spec), expect, "n = {n}: no 2-point insertions");
        assert!(expect.len() < brute.len(), "the filter removes something");
    }
}

#[test]
fn wick_check_with_an_odd_vertex() {
    // g3 f^3 and lambda f^4 to order 2 for n = 2 and 4: odd degrees exercise the parity rules.
    for n in [2, 4] {
        let mut spec = ExpansionSpec::new(n, 2);
        spec.vertices = vec![
            nnqft_diagrams::VertexKind::new("g", 3),
            nnqft_diagrams::VertexKind::new("lambda", 4),
        ];
        spec.keep_self_energy = true;
        let mut brute = BTreeMap::new();
        for kinds in multisets() {
            brute.extend(brute_force(n, &kinds, &[3, 4]));
        }
        assert_eq!(generator(&spec), brute, "n = {n}");
    }
}

#[test]
fn classes_are_orbits_under_permutations_of_the_external_points() {
    for n in [4usize, 6] {
        let mut spec = ExpansionSpec::new(n, 2);
        spec.keep_self_energy = true;
        let e = expand(&spec).unwrap();
        for c in &e.classes {
            let rep = Labelled::from_diagram(&e.diagrams[c.representative]);
            // every relabelling of the external points of the representative
            let orbit: std::collections::BTreeSet<Labelled> = (0..n)
                .permutations(n)
                .map(|p| {
                    // external i becomes p[i]
                    let mut partner = vec![0; n];
                    for i in 0..n {
                        let q = rep.partner[i];
                        partner[p[i]] = if q < n { p[q] } else { q };
                    }
                    Labelled {
                        kinds: rep.kinds.clone(),
                        partner,
                        mult: rep.mult.clone(),
                    }
                    .canonical()
                })
                .collect();
            let members: std::collections::BTreeSet<Labelled> = e
                .members(c.id)
                .map(|d| Labelled::from_diagram(d).canonical())
                .collect();
            assert_eq!(members.len(), c.members, "class {} of G{n}", c.id);
            assert_eq!(orbit, members, "class {} of G{n}", c.id);
            let total: BigRational = e.members(c.id).map(|d| d.coefficient.clone()).sum();
            assert_eq!(total, c.coefficient);
        }
    }
}
