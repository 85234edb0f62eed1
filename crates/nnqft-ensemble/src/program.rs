//! The monomial sums of a block: every product of `rows` per-net values v_a over sorted index
//! multisets (a1 <= ... <= ak) of the wanted degrees k, summed over the block's nets (with its
//! square and its largest magnitude), by one flat pre-order program over the prefix tree of
//! sorted multisets: each degree-k product is its degree-(k-1) parent times one v.
//!
//! The nets are taken [`GROUP`] at a time (8 vectors of 8 lanes) and summed into 8 lanes per
//! entry in a fixed order, so the result does not depend on the code path (the instruction
//! levels differ only in vector width). For the direct estimator the rows are the outputs
//! f(x_a); for the conditional one the entries of the random kernel Q.

// Fixed-lane loops `for l in 0..8` over arrays are deliberate: they vectorize as written.
#![allow(clippy::needless_range_loop)]

/// Nets per group of the moment walk: 8 vectors of 8 lanes.
pub(crate) const GROUP: usize = 64;
/// Slot of a program node whose order is not accumulated.
const NO_SLOT: u32 = u32::MAX;

/// One inner node of the prefix tree in pre-order: the monomial stack[depth - 1] * v_input,
/// summed into `slot` if its order is wanted. Below the deepest level it is stored at
/// stack[depth] for its children; at the level just above the leaves it is kept in registers
/// and its leaf children (rows input..rows, slots leaf_slot.., all wanted) are formed at once.
#[derive(Clone, Copy, Debug)]
struct Node {
    depth: u8,
    /// Whether the children are leaves (depth == max_degree - 1); else they are stored nodes.
    leaves: bool,
    input: u32,
    slot: u32,
    leaf_slot: u32,
}

/// The prefix program of the monomials of some degrees over `rows` values, and the slot layout
/// of its sums: degrees ascending, each in sorted-multiset order (as `nnqft_core::multisets`).
#[derive(Clone, Debug)]
pub(crate) struct Program {
    nodes: Vec<Node>,
    rows: usize,
    max_degree: usize,
    /// Number of accumulated monomials (slots).
    pub(crate) total: usize,
}

impl Program {
    /// The program of the monomials of the given degrees (each >= 1, sorted ascending, without
    /// repeats) over `rows` values.
    pub(crate) fn new(rows: usize, degrees: &[usize]) -> Self {
        let max_degree = *degrees.last().expect("at least one degree");
        let mut offset = vec![None; max_degree + 2];
        let mut total = 0;
        for &k in degrees {
            offset[k] = Some(total);
            total += nnqft_core::multiset_count(rows, k) as usize;
        }
        // Degree 1 alone is run as degree 2 with nothing wanted at the leaves: a program
        // needs an inner level; the leaf slots are then never written.
        let nodes = prefix_program(rows, max_degree.max(2), &offset);
        Program {
            nodes,
            rows,
            max_degree: max_degree.max(2),
            total,
        }
    }
}

/// The prefix tree of sorted multisets over `m` rows up to degree `max_n` (at least 2), in
/// pre-order with children by increasing row, as inner nodes with leaf runs; `offset[k]` is
/// the first slot of degree k if it is wanted (leaf slots of an unwanted top degree are
/// [`NO_SLOT`]).
fn prefix_program(m: usize, max_n: usize, offset: &[Option<usize>]) -> Vec<Node> {
    let mut program = vec![];
    let mut counter = vec![0usize; max_n + 1];
    let mut visit = |depth: usize, input: usize| {
        let slot = offset[depth].map_or(NO_SLOT, |o| {
            counter[depth] += 1;
            (o + counter[depth] - 1) as u32
        });
        let leaves = depth + 1 == max_n;
        let leaf_slot = match (leaves, offset[max_n]) {
            (true, Some(o)) => {
                let first = o + counter[max_n];
                counter[max_n] += m - input;
                first as u32
            }
            _ => NO_SLOT,
        };
        program.push(Node {
            depth: depth as u8,
            leaves,
            input: input as u32,
            slot,
            leaf_slot,
        });
    };
    // cur[k]: last input of the node at depth k; the walk stops above the leaves.
    let inner = max_n - 1;
    let mut cur = vec![0usize; max_n + 1];
    let mut depth = 1;
    visit(1, 0);
    loop {
        if depth < inner {
            depth += 1;
            cur[depth] = cur[depth - 1];
        } else {
            loop {
                if cur[depth] + 1 < m {
                    cur[depth] += 1;
                    break;
                }
                depth -= 1;
                if depth == 0 {
                    return program;
                }
            }
        }
        visit(depth, cur[depth]);
    }
}

/// Per-block sums over the block's networks, one slot per accumulated monomial.
#[derive(Clone, Debug, Default)]
pub(crate) struct BlockSums {
    pub sum: Vec<f64>,
    pub sumsq: Vec<f64>,
    pub max_abs: Vec<f64>,
}

/// Scratch space of the moment walk of one worker thread, and its result.
pub(crate) struct MomentWalk {
    /// stack[k * GROUP + i]: the current degree-k monomial of net i of the group (k = 0: 1).
    stack: Vec<f64>,
    /// acc[24 s + l], acc[24 s + 8 + l], acc[24 s + 16 + l]: lane l's sum, sum of squares
    /// and largest square of slot s.
    acc: Vec<f64>,
    /// The sums of the last block.
    pub(crate) out: BlockSums,
}

impl MomentWalk {
    pub(crate) fn new(program: &Program) -> Self {
        let mut stack = vec![0.0; (program.max_degree + 1) * GROUP];
        stack[..GROUP].fill(1.0);
        let total = program.total;
        MomentWalk {
            stack,
            acc: vec![0.0; 24 * total],
            out: BlockSums {
                sum: vec![0.0; total],
                sumsq: vec![0.0; total],
                max_abs: vec![0.0; total],
            },
        }
    }

    /// Sums, sums of squares and maxima of every wanted monomial of the values
    /// v[a * stride + i] (row a, net i) over the first `len` nets, into `self.out`: the
    /// program run on each group of [`GROUP`] nets (the values beyond `len`, up to a whole
    /// group, are set to zero, which adds nothing; `stride` must leave room for that), summed
    /// into 8 lanes per slot; the lanes are added pairwise at the end.
    #[inline(always)]
    pub(crate) fn run(&mut self, program: &Program, v: &mut [f64], stride: usize, len: usize) {
        let padded = len.div_ceil(GROUP) * GROUP;
        let m = program.rows;
        for a in 0..m {
            v[a * stride + len..a * stride + padded].fill(0.0);
        }
        for g in (0..padded).step_by(GROUP) {
            for node in &program.nodes {
                let k = node.depth as usize;
                let at = node.input as usize * stride + g;
                let fa: &[f64; GROUP] = v[at..at + GROUP].try_into().expect("group");
                let (lower, upper) = self.stack.split_at_mut(k * GROUP);
                let parent: &[f64; GROUP] = lower[(k - 1) * GROUP..].try_into().expect("group");
                let mut c = [0.0; GROUP];
                for i in 0..GROUP {
                    c[i] = parent[i] * fa[i];
                }
                if node.slot != NO_SLOT {
                    accumulate(&mut self.acc, node.slot as usize, &c);
                }
                if node.leaves {
                    // Kept in registers for its leaf children.
                    if node.leaf_slot == NO_SLOT {
                        continue;
                    }
                    for (t, b) in (node.input as usize..m).enumerate() {
                        let at = b * stride + g;
                        let fb: &[f64; GROUP] = v[at..at + GROUP].try_into().expect("group");
                        let mut leaf = [0.0; GROUP];
                        for i in 0..GROUP {
                            leaf[i] = c[i] * fb[i];
                        }
                        accumulate(&mut self.acc, node.leaf_slot as usize + t, &leaf);
                    }
                } else {
                    // Stored for its children, vector by vector (one 64-byte move each, not a
                    // call to memcpy).
                    for (u, w) in upper[..GROUP].chunks_exact_mut(8).zip(c.chunks_exact(8)) {
                        let u: &mut [f64; 8] = u.try_into().expect("8");
                        *u = w.try_into().expect("8");
                    }
                }
            }
        }
        // Lanes added pairwise; the accumulators are cleared for the next block on the way.
        for s in 0..program.total {
            let acc: &mut [f64; 24] = (&mut self.acc[24 * s..24 * s + 24]).try_into().expect("24");
            self.out.sum[s] = add8(acc[..8].try_into().expect("8"));
            self.out.sumsq[s] = add8(acc[8..16].try_into().expect("8"));
            self.out.max_abs[s] = max8(acc[16..].try_into().expect("8")).sqrt();
            *acc = [0.0; 24];
        }
    }
}

/// Add one group's monomials c (8 vectors of 8 nets) to slot `slot`'s lanes: the vectors
/// are summed pairwise, then added to the running lane sum; likewise their squares; the lane
/// maxima take the largest square (the block reports its square root, the largest |c|).
#[inline(always)]
fn accumulate(acc: &mut [f64], slot: usize, c: &[f64; GROUP]) {
    let acc: &mut [f64; 24] = (&mut acc[24 * slot..24 * slot + 24])
        .try_into()
        .expect("24");
    let max = |a: f64, b: f64| if a > b { a } else { b };
    for l in 0..8 {
        let v = |k: usize| c[8 * k + l];
        let q = |k: usize| v(k) * v(k);
        let s = ((v(0) + v(1)) + (v(2) + v(3))) + ((v(4) + v(5)) + (v(6) + v(7)));
        // Squares summed pairwise, each pair as one product plus one fused multiply-add.
        let sq2 = |k: usize| v(k + 1).mul_add(v(k + 1), q(k));
        let sq = (sq2(0) + sq2(2)) + (sq2(4) + sq2(6));
        let mx = max(
            max(max(q(0), q(1)), max(q(2), q(3))),
            max(max(q(4), q(5)), max(q(6), q(7))),
        );
        acc[l] += s;
        acc[8 + l] += sq;
        acc[16 + l] = max(acc[16 + l], mx);
    }
}

/// Pairwise sum of 8 lanes in a fixed order.
#[inline(always)]
fn add8(a: &[f64; 8]) -> f64 {
    ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]))
}

/// Largest of 8 lanes.
#[inline(always)]
fn max8(a: &[f64; 8]) -> f64 {
    a.iter().fold(0.0f64, |m, &b| if b > m { b } else { m })
}

#[cfg(test)]
mod tests {
    use super::*;
    use nnqft_core::multisets;

    /// Every wanted monomial's sum, sum of squares and maximum against a plain loop over the
    /// multisets, for several degree sets (with gaps, degree 1 alone) and a ragged net count.
    #[test]
    fn sums_match_a_plain_loop_over_multisets() {
        let (rows, len, stride) = (5, 100, 128);
        let mut v: Vec<f64> = (0..rows * stride)
            .map(|i| ((i as f64 * 0.618_033_988_75).fract() - 0.4) * 2.0)
            .collect();
        for degrees in [vec![1], vec![2], vec![1, 2, 3], vec![2, 4], vec![3]] {
            let p = Program::new(rows, &degrees);
            let mut w = MomentWalk::new(&p);
            w.run(&p, &mut v, stride, len);
            let mut slot = 0;
            for &k in &degrees {
                for idx in multisets(rows, k) {
                    let ps: Vec<f64> = (0..len)
                        .map(|i| idx.iter().map(|&a| v[a * stride + i]).product())
                        .collect();
                    let s: f64 = ps.iter().sum();
                    let q: f64 = ps.iter().map(|x| x * x).sum();
                    let mx = ps.iter().fold(0.0f64, |a, x| a.max(x.abs()));
                    assert!((w.out.sum[slot] - s).abs() < 1e-12, "{degrees:?} {idx:?}");
                    assert!((w.out.sumsq[slot] - q).abs() < 1e-12 * q.max(1.0));
                    assert_eq!(w.out.max_abs[slot], mx);
                    slot += 1;
                }
            }
            assert_eq!(slot, p.total);
        }
    }
}
