//! Wick pairings: the (n-1)!! ways to split the points 0..n into unordered pairs.

/// Iterator over the perfect matchings of `0..n`, each as `n/2` pairs `(a, b)` with `a < b`,
/// the pairs sorted by their first element. Yields `(n-1)!!` pairings for even `n` (one empty
/// pairing for `n = 0`) and none for odd `n`.
///
/// The order is lexicographic: point 0 is paired with 1, 2, ..., n-1 in turn, and so on
/// recursively for the points that remain.
#[derive(Clone, Debug)]
pub struct Pairings {
    n: usize,
    /// `choice[k]` = which of the remaining partners the k-th pair's first point takes.
    choice: Vec<usize>,
    done: bool,
}

impl Pairings {
    /// All pairings of `n` points.
    pub fn new(n: usize) -> Self {
        Pairings {
            n,
            choice: vec![0; n / 2],
            done: n % 2 == 1,
        }
    }

    fn current(&self) -> Vec<(usize, usize)> {
        let mut free: Vec<usize> = (0..self.n).collect();
        let mut pairs = Vec::with_capacity(self.n / 2);
        for &c in &self.choice {
            let a = free.remove(0);
            let b = free.remove(c);
            pairs.push((a, b));
        }
        pairs
    }
}

impl Iterator for Pairings {
    type Item = Vec<(usize, usize)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let out = self.current();
        // Advance the mixed-radix counter: pair k chooses among n - 2k - 1 partners.
        let mut k = self.choice.len();
        loop {
            if k == 0 {
                self.done = true;
                break;
            }
            k -= 1;
            let radix = self.n - 2 * k - 1;
            if self.choice[k] + 1 < radix {
                self.choice[k] += 1;
                break;
            }
            self.choice[k] = 0;
        }
        Some(out)
    }
}

/// `(n-1)!!` for even `n`: the number of Wick pairings of `n` points (1 for `n = 0`, 0 for odd `n`).
pub fn pairing_count(n: usize) -> u128 {
    if n % 2 == 1 {
        return 0;
    }
    (1..n).step_by(2).map(|k| k as u128).product()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn counts_are_double_factorials() {
        for n in [0, 2, 4, 6, 8, 10] {
            assert_eq!(
                Pairings::new(n).count() as u128,
                pairing_count(n),
                "n = {n}"
            );
        }
        assert_eq!(pairing_count(6), 15);
        assert_eq!(pairing_count(10), 945);
        assert_eq!(Pairings::new(5).count(), 0);
    }

    #[test]
    fn pairings_are_distinct_perfect_matchings() {
        let all: Vec<_> = Pairings::new(8).collect();
        let set: BTreeSet<_> = all.iter().cloned().collect();
        assert_eq!(set.len(), all.len());
        for p in &all {
            let mut seen: Vec<usize> = p.iter().flat_map(|&(a, b)| [a, b]).collect();
            assert!(p.iter().all(|&(a, b)| a < b));
            seen.sort();
            assert_eq!(seen, (0..8).collect::<Vec<_>>());
        }
    }

    #[test]
    fn first_pairings_of_four() {
        let all: Vec<_> = Pairings::new(4).collect();
        assert_eq!(
            all,
            vec![
                vec![(0, 1), (2, 3)],
                vec![(0, 2), (1, 3)],
                vec![(0, 3), (1, 2)]
            ]
        );
    }
}
