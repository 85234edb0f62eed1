//! Sorted index multisets: the unique entries i_1 <= ... <= i_n of an n-point function of m inputs.

/// C(m + n - 1, n): the number of sorted n-multisets of m indices (21, 126, 462 for m = 6 and
/// n = 2, 4, 6). Saturates at u128::MAX instead of overflowing.
pub fn multiset_count(m: usize, n: usize) -> u128 {
    if m == 0 {
        return u128::from(n == 0);
    }
    // C(m+n-1, n) built up as prod_{k=1..n} (m-1+k)/k, exact at every step.
    let mut c: u128 = 1;
    for k in 1..=n as u128 {
        c = match c.checked_mul(m as u128 - 1 + k) {
            Some(v) => v / k,
            None => return u128::MAX,
        };
    }
    c
}

/// Every sorted n-multiset of 0..m in lexicographic order (the order of Python's
/// itertools.combinations_with_replacement).
pub fn multisets(m: usize, n: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    if m == 0 && n > 0 {
        return out;
    }
    let mut cur = vec![0usize; n];
    loop {
        out.push(cur.clone());
        // Find the rightmost position that can still grow.
        let Some(k) = (0..n).rev().find(|&k| cur[k] + 1 < m) else {
            return out;
        };
        let v = cur[k] + 1;
        for c in &mut cur[k..] {
            *c = v;
        }
    }
}

/// Position of a sorted multiset in [`multisets`]`(m, idx.len())`.
///
/// Panics if `idx` is not sorted or has an index >= m.
pub fn multiset_rank(m: usize, idx: &[usize]) -> usize {
    let n = idx.len();
    let mut rank: u128 = 0;
    let mut lo = 0;
    for (k, &v) in idx.iter().enumerate() {
        assert!(
            v >= lo && v < m,
            "multiset {idx:?} is not sorted or out of range for m = {m}"
        );
        // Skip every multiset whose k-th entry is lo..v: each leaves n-k-1 slots over m-j values.
        for j in lo..v {
            rank += multiset_count(m - j, n - k - 1);
        }
        lo = v;
    }
    rank as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_entry_counts() {
        assert_eq!(multiset_count(6, 2), 21);
        assert_eq!(multiset_count(6, 4), 126);
        assert_eq!(multiset_count(6, 6), 462);
        for n in [2, 4, 6] {
            assert_eq!(multisets(6, n).len() as u128, multiset_count(6, n));
        }
    }

    #[test]
    fn rank_inverts_enumeration() {
        for (m, n) in [(1, 4), (3, 2), (6, 4), (5, 6), (4, 0)] {
            for (r, s) in multisets(m, n).iter().enumerate() {
                assert!(s.windows(2).all(|w| w[0] <= w[1]));
                assert_eq!(multiset_rank(m, s), r, "m={m} n={n} {s:?}");
            }
        }
    }
}
