//! Diagrams with labelled internal vertices, their canonical forms and automorphism counts.
//!
//! A labelled diagram is stored as the partner of each external point and the symmetric
//! multiplicity matrix of the internal vertices (diagonal = number of self-loops). Internal
//! vertices are sorted by kind; the symmetry group is the product of the permutation groups
//! of equal-kind blocks. The canonical code is the lexicographic minimum of the encoding over
//! that group.

use num_bigint::BigUint;
use num_traits::One;

/// A diagram with labelled internal vertices 0..v (node n + a in the public numbering).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Labelled {
    /// Number of external points.
    pub n: usize,
    /// Kind of each internal vertex, non-decreasing.
    pub kinds: Vec<usize>,
    /// Node joined to external point i: another external j < n, or n + a.
    pub partner: Vec<usize>,
    /// v*v symmetric multiplicities; `mult[a*v + a]` = number of self-loops at a.
    pub mult: Vec<u16>,
}

impl Labelled {
    pub fn v(&self) -> usize {
        self.kinds.len()
    }

    pub fn m(&self, a: usize, b: usize) -> u16 {
        self.mult[a * self.v() + b]
    }

    /// Number of external legs on each internal vertex.
    pub fn external_legs(&self) -> Vec<u16> {
        let mut e = vec![0u16; self.v()];
        for &p in &self.partner {
            if p >= self.n {
                e[p - self.n] += 1;
            }
        }
        e
    }

    /// Number of lines joining two external points.
    pub fn free_lines(&self) -> usize {
        self.partner
            .iter()
            .enumerate()
            .filter(|&(i, &p)| p < self.n && i < p)
            .count()
    }

    /// Union-find roots of all n + v nodes (lines as connections).
    fn components(&self) -> Vec<usize> {
        let (n, v) = (self.n, self.v());
        let mut parent: Vec<usize> = (0..n + v).collect();
        fn find(p: &mut [usize], mut x: usize) -> usize {
            while p[x] != x {
                p[x] = p[p[x]];
                x = p[x];
            }
            x
        }
        let join = |p: &mut Vec<usize>, a: usize, b: usize| {
            let (ra, rb) = (find(p, a), find(p, b));
            if ra != rb {
                p[ra.max(rb)] = ra.min(rb);
            }
        };
        for (i, &p) in self.partner.iter().enumerate() {
            join(&mut parent, i, p);
        }
        for a in 0..v {
            for b in a + 1..v {
                if self.m(a, b) > 0 {
                    join(&mut parent, n + a, n + b);
                }
            }
        }
        (0..n + v).map(|x| find(&mut parent, x)).collect()
    }

    /// (every component contains an external point, the whole diagram is connected).
    pub fn vacuum_free_and_connected(&self) -> (bool, bool) {
        let roots = self.components();
        // Roots are the smallest node of each component; externals are the smallest nodes.
        let vacuum_free = roots.iter().all(|&r| r < self.n);
        let connected = roots.iter().all(|&r| r == roots[0]);
        (vacuum_free, connected)
    }

    /// The same diagram with internal vertex a renamed sigma[a].
    pub fn relabel(&self, sigma: &[usize]) -> Labelled {
        let (n, v) = (self.n, self.v());
        let partner = self
            .partner
            .iter()
            .map(|&p| if p < n { p } else { n + sigma[p - n] })
            .collect();
        let mut mult = vec![0u16; v * v];
        for a in 0..v {
            for b in 0..v {
                mult[sigma[a] * v + sigma[b]] = self.m(a, b);
            }
        }
        let mut kinds = vec![0; v];
        for a in 0..v {
            kinds[sigma[a]] = self.kinds[a];
        }
        Labelled {
            n,
            kinds,
            partner,
            mult,
        }
    }

    /// Encoding of the diagram after renaming a -> sigma[a] (inv = sigma^-1): the external
    /// partners, then the upper triangle (diagonal included) of the multiplicity matrix.
    fn encode(&self, sigma: &[usize], inv: &[usize], out: &mut Vec<u16>) {
        let n = self.n;
        out.clear();
        out.extend(
            self.partner
                .iter()
                .map(|&p| if p < n { p } else { n + sigma[p - n] } as u16),
        );
        self.encode_matrix(inv, out);
    }

    /// Encoding with the external points unlabelled: the number of free lines, the external
    /// legs per internal vertex, then the multiplicity matrix.
    fn encode_unlabelled(&self, legs: &[u16], inv: &[usize], out: &mut Vec<u16>) {
        out.clear();
        out.push(self.free_lines() as u16);
        out.extend(inv.iter().map(|&a| legs[a]));
        self.encode_matrix(inv, out);
    }

    fn encode_matrix(&self, inv: &[usize], out: &mut Vec<u16>) {
        let v = self.v();
        for i in 0..v {
            for j in i..v {
                out.push(self.m(inv[i], inv[j]));
            }
        }
    }

    /// The line part of |Aut|: prod over vertex pairs of m_ab! times prod over vertices of
    /// 2^l_a l_a! (l_a self-loops). External lines have multiplicity 1.
    pub fn line_symmetry(&self) -> BigUint {
        let v = self.v();
        let mut s = BigUint::one();
        for a in 0..v {
            let l = self.m(a, a) as u32;
            s *= factorial(l) * (BigUint::one() << l);
            for b in a + 1..v {
                s *= factorial(self.m(a, b) as u32);
            }
        }
        s
    }
}

pub(crate) fn factorial(k: u32) -> BigUint {
    (1..=k).fold(BigUint::one(), |acc, i| acc * i)
}

/// The kind-preserving permutations of internal vertices sorted by kind: the product of the
/// symmetric groups of the equal-kind blocks, each as sigma with sigma[a] the new name of a,
/// together with its inverse.
pub(crate) struct BlockPerms {
    pub perms: Vec<(Vec<usize>, Vec<usize>)>,
}

impl BlockPerms {
    pub fn new(kinds: &[usize]) -> Self {
        let v = kinds.len();
        let mut blocks: Vec<(usize, usize)> = Vec::new();
        let mut start = 0;
        for a in 1..=v {
            if a == v || kinds[a] != kinds[start] {
                blocks.push((start, a));
                start = a;
            }
        }
        let mut perms = vec![(0..v).collect::<Vec<usize>>()];
        for &(s, e) in &blocks {
            let block_perms = permutations(e - s);
            let mut next = Vec::with_capacity(perms.len() * block_perms.len());
            for p in &perms {
                for bp in &block_perms {
                    let mut q = p.clone();
                    for (i, &t) in bp.iter().enumerate() {
                        q[s + i] = s + t;
                    }
                    next.push(q);
                }
            }
            perms = next;
        }
        let perms = perms
            .into_iter()
            .map(|sigma| {
                let mut inv = vec![0; v];
                for (a, &s) in sigma.iter().enumerate() {
                    inv[s] = a;
                }
                (sigma, inv)
            })
            .collect();
        BlockPerms { perms }
    }

    /// (canonical code, a permutation reaching it, number of vertex automorphisms).
    /// The permutations reaching the minimum form a coset of the automorphism group, so
    /// their number is |vertex Aut|.
    pub fn canonical(&self, g: &Labelled) -> (Vec<u16>, Vec<usize>, usize) {
        let mut best: Vec<u16> = Vec::new();
        let mut best_sigma = 0;
        let mut count = 0;
        let mut cur = Vec::new();
        for (k, (sigma, inv)) in self.perms.iter().enumerate() {
            g.encode(sigma, inv, &mut cur);
            if k == 0 || cur < best {
                std::mem::swap(&mut best, &mut cur);
                best_sigma = k;
                count = 1;
            } else if cur == best {
                count += 1;
            }
        }
        (best, self.perms[best_sigma].0.clone(), count)
    }

    /// Canonical code of the diagram with its external points unlabelled: equal exactly for
    /// diagrams that differ by a permutation of the external points (external points are
    /// leaves, so only the number of legs on each vertex and of free lines matters).
    pub fn class_code(&self, g: &Labelled) -> Vec<u16> {
        let legs = g.external_legs();
        let mut best: Vec<u16> = Vec::new();
        let mut cur = Vec::new();
        for (k, (_, inv)) in self.perms.iter().enumerate() {
            g.encode_unlabelled(&legs, inv, &mut cur);
            if k == 0 || cur < best {
                std::mem::swap(&mut best, &mut cur);
            }
        }
        best
    }
}

/// All permutations of 0..k, each as the list of images.
fn permutations(k: usize) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new()];
    for i in 0..k {
        let mut next = Vec::new();
        for p in &out {
            for pos in 0..=i {
                let mut q: Vec<usize> = p.clone();
                q.insert(pos, i);
                next.push(q);
            }
        }
        out = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_perm_counts() {
        assert_eq!(BlockPerms::new(&[]).perms.len(), 1);
        assert_eq!(BlockPerms::new(&[0, 0, 0]).perms.len(), 6);
        assert_eq!(BlockPerms::new(&[0, 0, 1, 1, 1]).perms.len(), 12);
        assert_eq!(permutations(4).len(), 24);
    }

    #[test]
    fn figure_eight_vacuum_like_symmetry() {
        // One f^4 vertex with x1, x2 and a self-loop: |Aut| = 2 (flip the loop).
        let g = Labelled {
            n: 2,
            kinds: vec![0],
            partner: vec![2, 2],
            mult: vec![1],
        };
        let bp = BlockPerms::new(&g.kinds);
        let (_, _, naut) = bp.canonical(&g);
        assert_eq!(naut, 1);
        assert_eq!(g.line_symmetry(), BigUint::from(2u32));
    }
}
