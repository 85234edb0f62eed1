//! The value of one labelled diagram as a tensor contraction, for any vertex degrees: every
//! internal vertex carries a dense tensor (its coupling with the propagator's square root on
//! each leg, so that a line is the identity), lines are shared indices, self-loops traces.
//! The result is the tensor over the external points; a line between two external points
//! is the identity (the caller turns it back into the propagator).

use super::tensor::Tensor;
use nnqft_diagrams::Diagram;

/// A tensor whose axes carry line labels.
struct Labelled {
    labels: Vec<usize>,
    data: Vec<f64>,
}

/// The diagram's tensor D[x_1..x_n] (n = number of external points) with `vertex[kind]` the
/// dressed tensor of each vertex kind (rank = degree, symmetric), k indices per leg.
/// Contraction order: greedy, the pair with the smallest result first.
pub fn diagram_tensor(d: &Diagram, vertex: &[&Tensor], k: usize) -> Tensor {
    let n = d.n_external;
    let nodes = d.node_count();
    let mut legs: Vec<Vec<usize>> = vec![Vec::new(); nodes];
    for (line, &(a, b)) in d.edges.iter().enumerate() {
        legs[a].push(line);
        legs[b].push(line);
    }
    let mut pool: Vec<Labelled> = d
        .internal
        .iter()
        .enumerate()
        .map(|(i, &kind)| {
            let t = vertex[kind];
            assert_eq!(
                t.rank,
                legs[n + i].len(),
                "vertex tensor rank must equal its degree"
            );
            trace_repeated(
                Labelled {
                    labels: legs[n + i].clone(),
                    data: t.data.clone(),
                },
                k,
            )
        })
        .collect();
    while pool.len() > 1 {
        // connected pairs first, then the smallest result
        let mut best: Option<((bool, usize), usize, usize)> = None;
        for i in 0..pool.len() {
            for j in i + 1..pool.len() {
                let shared = pool[i]
                    .labels
                    .iter()
                    .filter(|l| pool[j].labels.contains(l))
                    .count();
                let size = pool[i].labels.len() + pool[j].labels.len() - 2 * shared;
                let key = (shared == 0, size);
                if best.is_none_or(|(b, _, _)| key < b) {
                    best = Some((key, i, j));
                }
            }
        }
        let (_, i, j) = best.expect("at least two tensors");
        let b = pool.swap_remove(j);
        let a = pool.swap_remove(i);
        pool.push(contract_pair(&a, &b, k));
    }
    let last = pool.pop().unwrap_or(Labelled {
        labels: Vec::new(),
        data: vec![1.0],
    });
    // read out D[x_1..x_n]: external i sits on line legs[i][0]
    let mut out = Tensor::zeros(k, n);
    let mut idx = vec![0usize; n];
    let mut value_of_line = vec![usize::MAX; d.edges.len()];
    for flat in 0..out.data.len() {
        out.unflatten(flat, &mut idx);
        value_of_line.iter_mut().for_each(|v| *v = usize::MAX);
        let mut consistent = true;
        for (i, &x) in idx.iter().enumerate() {
            let line = legs[i][0];
            if value_of_line[line] == usize::MAX {
                value_of_line[line] = x;
            } else if value_of_line[line] != x {
                consistent = false; // a free line is the identity
                break;
            }
        }
        if !consistent {
            continue;
        }
        let pos = last
            .labels
            .iter()
            .fold(0, |acc, &l| acc * k + value_of_line[l]);
        out.data[flat] = last.data[pos];
    }
    out
}

/// Sum over the diagonal of every label that occurs twice (a self-loop).
fn trace_repeated(t: Labelled, k: usize) -> Labelled {
    let r = t.labels.len();
    let mut keep: Vec<usize> = Vec::new();
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for p in 0..r {
        match (0..p).find(|&q| t.labels[q] == t.labels[p]) {
            Some(q) => pairs.push((q, p)),
            None if !t.labels[p + 1..].contains(&t.labels[p]) => keep.push(p),
            None => {}
        }
    }
    if pairs.is_empty() {
        return t;
    }
    let labels: Vec<usize> = keep.iter().map(|&p| t.labels[p]).collect();
    let mut data = vec![0.0; k.pow(labels.len() as u32)];
    let mut idx = vec![0usize; r];
    for (flat, &v) in t.data.iter().enumerate() {
        let mut f = flat;
        for slot in idx.iter_mut().rev() {
            *slot = f % k;
            f /= k;
        }
        if pairs.iter().all(|&(q, p)| idx[q] == idx[p]) {
            let pos = keep.iter().fold(0, |acc, &p| acc * k + idx[p]);
            data[pos] += v;
        }
    }
    Labelled { labels, data }
}

/// Axes reordered so that `order[j]` (an old axis) becomes axis j.
fn permute(t: &Labelled, order: &[usize], k: usize) -> Vec<f64> {
    let r = t.labels.len();
    if order.iter().enumerate().all(|(j, &o)| j == o) {
        return t.data.clone();
    }
    let mut stride = vec![1usize; r];
    for p in (0..r.saturating_sub(1)).rev() {
        stride[p] = stride[p + 1] * k;
    }
    let new_strides: Vec<usize> = order.iter().map(|&o| stride[o]).collect();
    let mut out = vec![0.0; t.data.len()];
    let mut idx = vec![0usize; r];
    let mut src = 0usize;
    for slot in out.iter_mut() {
        *slot = t.data[src];
        // odometer over the new axes
        for p in (0..r).rev() {
            idx[p] += 1;
            src += new_strides[p];
            if idx[p] < k {
                break;
            }
            src -= k * new_strides[p];
            idx[p] = 0;
        }
    }
    out
}

/// A and B contracted over their shared labels: C[free_a, free_b].
fn contract_pair(a: &Labelled, b: &Labelled, k: usize) -> Labelled {
    let shared: Vec<usize> = a
        .labels
        .iter()
        .copied()
        .filter(|l| b.labels.contains(l))
        .collect();
    let pos = |t: &Labelled, l: usize| t.labels.iter().position(|&x| x == l).expect("label");
    let free_a: Vec<usize> = (0..a.labels.len())
        .filter(|&p| !shared.contains(&a.labels[p]))
        .collect();
    let free_b: Vec<usize> = (0..b.labels.len())
        .filter(|&p| !shared.contains(&b.labels[p]))
        .collect();
    let order_a: Vec<usize> = free_a
        .iter()
        .copied()
        .chain(shared.iter().map(|&l| pos(a, l)))
        .collect();
    let order_b: Vec<usize> = shared
        .iter()
        .map(|&l| pos(b, l))
        .chain(free_b.iter().copied())
        .collect();
    let pa = permute(a, &order_a, k);
    let pb = permute(b, &order_b, k);
    let m = k.pow(free_a.len() as u32);
    let s = k.pow(shared.len() as u32);
    let n = k.pow(free_b.len() as u32);
    let mut data = vec![0.0; m * n];
    for i in 0..m {
        let row = &mut data[i * n..(i + 1) * n];
        for q in 0..s {
            let w = pa[i * s + q];
            if w == 0.0 {
                continue;
            }
            let col = &pb[q * n..(q + 1) * n];
            for (c, &x) in row.iter_mut().zip(col) {
                *c += w * x;
            }
        }
    }
    let labels = free_a
        .iter()
        .map(|&p| a.labels[p])
        .chain(free_b.iter().map(|&p| b.labels[p]))
        .collect();
    Labelled { labels, data }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nnqft_diagrams::{ExpansionSpec, VertexKind, expand};

    /// Brute force: one index per line, summed over every assignment of the lines that do not
    /// touch an external point.
    fn brute(d: &Diagram, vertex: &[&Tensor], k: usize) -> Tensor {
        let n = d.n_external;
        let lines = d.edges.len();
        let mut out = Tensor::zeros(k, n);
        let mut val = vec![0usize; lines];
        for assign in 0..k.pow(lines as u32) {
            let mut q = assign;
            for v in val.iter_mut() {
                *v = q % k;
                q /= k;
            }
            let mut prod = 1.0;
            for (i, &kind) in d.internal.iter().enumerate() {
                let idx: Vec<usize> = d
                    .edges
                    .iter()
                    .enumerate()
                    .flat_map(|(l, &(a, b))| {
                        let c = usize::from(a == n + i) + usize::from(b == n + i);
                        std::iter::repeat_n(val[l], c)
                    })
                    .collect();
                prod *= vertex[kind].at(&idx);
            }
            let ext: Vec<usize> = (0..n)
                .map(|x| {
                    let l = d.edges.iter().position(|&(a, b)| a == x || b == x).unwrap();
                    val[l]
                })
                .collect();
            let f = out.flat(&ext);
            out.data[f] += prod;
        }
        // a line at an external point is fixed by the output index (a free line sets two
        // equal), so each output entry collects exactly its terms
        out
    }

    #[test]
    fn contraction_equals_the_brute_force_sum() {
        let k = 2;
        let t2 = Tensor::symmetric_from(k, 2, |s| 0.3 + s[0] as f64 - 0.7 * s[1] as f64);
        let t4 = Tensor::symmetric_from(k, 4, |s| {
            1.0 + s.iter().map(|&i| i as f64 * 0.37).sum::<f64>()
        });
        let t3 = Tensor::symmetric_from(k, 3, |s| {
            0.5 - s.iter().map(|&i| i as f64 * 0.21).sum::<f64>()
        });
        let mut spec = ExpansionSpec::new(4, 2);
        spec.vertices = vec![
            VertexKind::new("m", 2),
            VertexKind::new("g", 3),
            VertexKind::new("l", 4),
        ];
        spec.keep_self_energy = true;
        let e = expand(&spec).unwrap();
        let refs = [&t2, &t3, &t4];
        assert!(e.diagrams.len() > 20);
        for d in &e.diagrams {
            let got = diagram_tensor(d, &refs, k);
            let want = brute(d, &refs, k);
            for (a, b) in got.data.iter().zip(&want.data) {
                assert!((a - b).abs() < 1e-12 * (1.0 + b.abs()), "{d:?}");
            }
        }
    }
}
