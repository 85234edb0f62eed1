//! Size estimate of an expansion, computed before generating it.
//!
//! For each multiset of vertex kinds (a_k vertices of kind k), count exactly the labelled
//! configurations the generator walks through: pairings of some external points among
//! themselves, the other external points attached to internal vertices, and the symmetric
//! multiplicity matrices (self-loops on the diagonal) completing every vertex degree; divide
//! by prod a_k! (relabelling the internal vertices). Configurations whose internal vertices
//! all lie in vacuum bubbles are left out. The estimate is a lower bound on the number of
//! canonical multigraphs considered (vacuum bubbles included, filters not applied), exact
//! when no diagram has a vertex symmetry.

use crate::spec::ExpansionSpec;
use std::collections::HashMap;

/// The multisets of vertex kinds with at most `order` vertices in total, as counts per kind
/// in declaration order, sorted by total then with earlier kinds first (lambda^2, lambda*kappa,
/// kappa^2), keeping only those with n + sum of degrees even.
pub fn kind_multisets(spec: &ExpansionSpec) -> Vec<Vec<u32>> {
    (0..=spec.order)
        .flat_map(|total| multisets_of_total(spec, total))
        .collect()
}

/// The multisets of [`kind_multisets`] with exactly `total` vertices.
fn multisets_of_total(spec: &ExpansionSpec, total: usize) -> Vec<Vec<u32>> {
    let mut out = Vec::new();
    let mut cur = vec![0u32; spec.vertices.len()];
    fill(0, total as u32, &mut cur, &mut out);
    out.retain(|m| {
        let legs: usize = m
            .iter()
            .zip(&spec.vertices)
            .map(|(&a, v)| a as usize * v.degree)
            .sum();
        (spec.points + legs).is_multiple_of(2)
    });
    out
}

fn fill(i: usize, left: u32, cur: &mut Vec<u32>, out: &mut Vec<Vec<u32>>) {
    if i + 1 == cur.len() {
        cur[i] = left;
        out.push(cur.clone());
        return;
    }
    for a in (0..=left).rev() {
        cur[i] = a;
        fill(i + 1, left - a, cur, out);
    }
    cur[i] = 0;
}

/// Estimated number of diagrams (see the module documentation), saturating at u128::MAX, and
/// whether it is complete: counting stops (false) once the running total exceeds `stop_above`.
pub fn estimate_diagrams(spec: &ExpansionSpec, stop_above: u128) -> (u128, bool) {
    let (total, _, complete) = estimate_with_work(spec, stop_above);
    (total, complete)
}

/// [`estimate_diagrams`] and the generator's work: it canonicalizes every labelled
/// configuration over the prod a_k! relabellings of its vertices, so its work is the number
/// of labelled configurations times prod a_k! (diagrams times (prod a_k!)^2). With many
/// vertices of one kind (e.g. eight cubic ones) the work explodes while the number of
/// diagrams stays modest.
pub fn estimate_with_work(spec: &ExpansionSpec, stop_above: u128) -> (u128, u128, bool) {
    let n = spec.points;
    let mut memo: HashMap<Vec<u8>, u128> = HashMap::new();
    let mut total: u128 = 0;
    let mut work: u128 = 0;
    // order by order, so that a hopeless request stops before listing its many multisets
    for m in (0..=spec.order).flat_map(|t| multisets_of_total(spec, t)) {
        if total > stop_above {
            return (total, work, false);
        }
        let degrees: Vec<usize> = m
            .iter()
            .zip(&spec.vertices)
            .flat_map(|(&a, vk)| std::iter::repeat_n(vk.degree, a as usize))
            .collect();
        let v = degrees.len();
        let mut count: u128 = 0;
        for free in 0..=n / 2 {
            let attached = n - 2 * free;
            if (v == 0) != (attached == 0) {
                continue; // order 0 needs all points paired; otherwise all-vacuum
            }
            let ways_free = binomial(n, 2 * free).saturating_mul(double_factorial(2 * free));
            let mut legs = vec![0usize; v];
            let mut sum: u128 = 0;
            distribute(0, attached, &degrees, &mut legs, &mut |legs| {
                let mut multinomial = factorial(attached);
                for &e in legs {
                    multinomial /= factorial(e);
                }
                let residual: Vec<u8> = degrees
                    .iter()
                    .zip(legs)
                    .map(|(&d, &e)| (d - e) as u8)
                    .collect();
                let mats = matrices(residual, &mut memo);
                sum = sum.saturating_add(multinomial.saturating_mul(mats));
            });
            count = count.saturating_add(ways_free.saturating_mul(sum));
        }
        let relabel: u128 = m.iter().map(|&a| factorial(a as usize)).product();
        total = total.saturating_add(count / relabel);
        work = work.saturating_add(count.saturating_mul(relabel));
    }
    (total, work, true)
}

/// Calls `f` for every vector of external legs per vertex (e_a <= degree_a) summing to `left`.
fn distribute(
    a: usize,
    left: usize,
    degrees: &[usize],
    legs: &mut Vec<usize>,
    f: &mut dyn FnMut(&[usize]),
) {
    if a == degrees.len() {
        if left == 0 {
            f(legs);
        }
        return;
    }
    for e in 0..=left.min(degrees[a]) {
        legs[a] = e;
        distribute(a + 1, left - e, degrees, legs, f);
    }
    legs[a] = 0;
}

/// Number of symmetric non-negative integer matrices whose row a sums to r_a, a diagonal
/// entry counting twice (self-loops): the multigraphs on labelled vertices with degrees r.
fn matrices(mut r: Vec<u8>, memo: &mut HashMap<Vec<u8>, u128>) -> u128 {
    r.retain(|&x| x > 0);
    r.sort_unstable_by(|a, b| b.cmp(a));
    if r.is_empty() {
        return 1;
    }
    if let Some(&c) = memo.get(&r) {
        return c;
    }
    let first = r[0] as usize;
    let rest: Vec<u8> = r[1..].to_vec();
    let mut total: u128 = 0;
    for loops in 0..=first / 2 {
        let left = first - 2 * loops;
        let mut take = vec![0u8; rest.len()];
        split(0, left, &rest, &mut take, &mut |take| {
            let next: Vec<u8> = rest.iter().zip(take).map(|(&x, &t)| x - t).collect();
            total = total.saturating_add(matrices(next, memo));
        });
    }
    memo.insert(r, total);
    total
}

/// Calls `f` for every way to take t_b <= rest_b lines to the other vertices, summing to `left`.
fn split(b: usize, left: usize, rest: &[u8], take: &mut Vec<u8>, f: &mut dyn FnMut(&[u8])) {
    if b == rest.len() {
        if left == 0 {
            f(take);
        }
        return;
    }
    let room: usize = rest[b..].iter().map(|&x| x as usize).sum();
    if room < left {
        return;
    }
    for t in 0..=left.min(rest[b] as usize) {
        take[b] = t as u8;
        split(b + 1, left - t, rest, take, f);
    }
    take[b] = 0;
}

fn factorial(k: usize) -> u128 {
    (1..=k as u128).fold(1u128, |acc, i| acc.saturating_mul(i))
}

fn double_factorial(k: usize) -> u128 {
    // (k-1)!! for even k: pairings of k points
    (1..k as u128)
        .step_by(2)
        .fold(1u128, |acc, i| acc.saturating_mul(i))
}

fn binomial(n: usize, k: usize) -> u128 {
    (0..k as u128).fold(1u128, |acc, i| acc * (n as u128 - i) / (i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_counts_small() {
        let mut memo = HashMap::new();
        // one vertex of degree 4: two self-loops, exactly one matrix
        assert_eq!(matrices(vec![4], &mut memo), 1);
        // two vertices of degree 2: (loop, loop) or a double line
        assert_eq!(matrices(vec![2, 2], &mut memo), 2);
        // three vertices of degree 1: impossible
        assert_eq!(matrices(vec![1, 1, 1], &mut memo), 0);
        // degrees (2,1,1): loop at a + line bc, or lines ab, ac
        assert_eq!(matrices(vec![2, 1, 1], &mut memo), 2);
    }

    #[test]
    fn work_grows_with_vertex_relabellings() {
        use crate::spec::VertexKind;
        let spec = |order| ExpansionSpec {
            vertices: vec![VertexKind::new("g", 3)],
            ..ExpansionSpec::new(2, order)
        };
        let (d6, w6, _) = estimate_with_work(&spec(6), u128::MAX);
        let (d8, w8, _) = estimate_with_work(&spec(8), u128::MAX);
        eprintln!("order 6: {d6} diagrams, work {w6}; order 8: {d8}, work {w8}");
        assert!(w8 / w6 > 1000 && d8 / d6 < w8 / w6);
    }

    #[test]
    fn multisets_in_order() {
        let spec = ExpansionSpec::new(4, 2);
        assert_eq!(
            kind_multisets(&spec),
            vec![
                vec![0, 0],
                vec![1, 0],
                vec![0, 1],
                vec![2, 0],
                vec![1, 1],
                vec![0, 2]
            ]
        );
    }
}
