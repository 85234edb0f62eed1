//! The index multisets of a moment table as a prefix tree walked depth first: a multiset's
//! parent is the multiset without its last index, and in depth-first (pre-)order a node's
//! parent is the latest node one level up. A product over every multiset then needs only
//! the current branch (one partial product per order), never a table of all of them, and a
//! factor that vanishes skips its whole subtree.

/// A component of the moment table in depth-first order.
pub(crate) struct Node {
    /// The multiset's size (its order k).
    pub(crate) depth: usize,
    /// Its last index (the factor that extends the parent's product).
    pub(crate) last: usize,
    /// Its index among the links.
    pub(crate) component: usize,
    /// The position just past its subtree in the depth-first order.
    pub(crate) end: usize,
}

/// Each component's order k (the size of its multiset): 1 without a prefix, else the
/// prefix's order plus one.
pub(crate) fn orders(links: &[(Option<usize>, usize)]) -> Vec<usize> {
    let mut order = vec![0usize; links.len()];
    for (c, &(prefix, _)) in links.iter().enumerate() {
        order[c] = prefix.map_or(1, |q| order[q] + 1);
    }
    order
}

/// The components of `links` (prefix component, last input; a parent before its children)
/// in depth-first order.
pub(crate) fn depth_first(links: &[(Option<usize>, usize)]) -> Vec<Node> {
    let root = links.len();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); root + 1];
    for (c, &(p, _)) in links.iter().enumerate() {
        children[p.unwrap_or(root)].push(c);
    }
    let mut out: Vec<Node> = Vec::with_capacity(root);
    let mut todo = vec![(root, 0usize)];
    while let Some((c, depth)) = todo.pop() {
        if c != root {
            out.push(Node {
                depth,
                last: links[c].1,
                component: c,
                end: 0,
            });
        }
        todo.extend(children[c].iter().rev().map(|&ch| (ch, depth + 1)));
    }
    // A subtree ends at the next node no deeper than its root.
    let mut open: Vec<usize> = Vec::new();
    for i in 0..out.len() {
        while let Some(&j) = open.last() {
            if out[j].depth < out[i].depth {
                break;
            }
            out[j].end = i;
            open.pop();
        }
        open.push(i);
    }
    let n = out.len();
    for j in open {
        out[j].end = n;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use nnqft_core::{multiset_rank, multisets};

    #[test]
    fn walk_visits_every_multiset_after_its_prefix_and_subtrees_are_contiguous() {
        let (m, max_k) = (4, 3);
        let mut offsets = vec![0usize];
        let mut links = Vec::new();
        let mut names = Vec::new();
        for k in 1..=max_k {
            for t in multisets(m, k) {
                let prefix = (k > 1).then(|| offsets[k - 2] + multiset_rank(m, &t[..k - 1]));
                links.push((prefix, t[k - 1]));
                names.push(t);
            }
            offsets.push(links.len());
        }
        let tree = depth_first(&links);
        assert_eq!(tree.len(), links.len());
        let mut seen = vec![false; links.len()];
        for (i, n) in tree.iter().enumerate() {
            let t = &names[n.component];
            assert_eq!((n.depth, n.last), (t.len(), t[t.len() - 1]));
            // The parent is the latest node one level up.
            if let Some(p) = links[n.component].0 {
                let parent = tree[..i].iter().rev().find(|x| x.depth == n.depth - 1);
                assert_eq!(parent.map(|x| x.component), Some(p));
            }
            // The subtree: exactly the multisets that extend t.
            for (j, x) in tree.iter().enumerate() {
                let u = &names[x.component];
                let extends = u.len() > t.len() && u[..t.len()] == t[..];
                assert_eq!(extends, j > i && j < n.end, "{t:?} {u:?}");
            }
            seen[n.component] = true;
        }
        assert!(seen.iter().all(|&s| s));
    }
}
