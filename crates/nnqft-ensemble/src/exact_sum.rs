//! Exact, order-independent summation of f64 values (Shewchuk's algorithm, as in Python's
//! `math.fsum`): the running sum is held exactly as a list of non-overlapping f64 partials,
//! so the correctly rounded total does not depend on the order of the additions or on how
//! partial accumulators were grouped and merged.

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

/// The exact sum of the f64 values added so far.
///
/// Finite values are held exactly as non-overlapping partials of increasing magnitude;
/// non-finite inputs (and an intermediate overflow) are remembered as flags, so that
/// [`ExactSum::value`] returns +inf, -inf or NaN exactly as IEEE addition would in any order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ExactSum {
    /// Held inline up to 4 (the usual count), so adding touches no other memory.
    partials: SmallVec<[f64; 4]>,
    #[serde(default, skip_serializing_if = "is_false")]
    pos_inf: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    neg_inf: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    nan: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl ExactSum {
    /// The empty sum (zero).
    pub fn new() -> Self {
        ExactSum::default()
    }

    /// Add one value exactly.
    pub fn add(&mut self, value: f64) {
        if !value.is_finite() {
            if value.is_nan() {
                self.nan = true;
            } else if value > 0.0 {
                self.pos_inf = true;
            } else {
                self.neg_inf = true;
            }
            return;
        }
        let mut x = value;
        let mut i = 0;
        // Branch-free in the data (the order of magnitudes and whether a rounding error is zero
        // are unpredictable): every error term is written, and kept by advancing i only when
        // it is non-zero.
        for k in 0..self.partials.len() {
            let y = self.partials[k];
            let swap = x.abs() < y.abs();
            let (big, small) = if swap { (y, x) } else { (x, y) };
            let hi = big + small;
            if !hi.is_finite() {
                // The exact sum left the f64 range: it rounds to an infinity of that sign.
                if hi > 0.0 {
                    self.pos_inf = true;
                } else {
                    self.neg_inf = true;
                }
                return;
            }
            let lo = small - (hi - big);
            self.partials[i] = lo;
            i += usize::from(lo != 0.0);
            x = hi;
        }
        self.partials.truncate(i);
        self.partials.push(x);
    }

    /// Add another exact sum (exactly): the result holds the sum of both multisets of values.
    pub fn merge(&mut self, other: &ExactSum) {
        self.pos_inf |= other.pos_inf;
        self.neg_inf |= other.neg_inf;
        self.nan |= other.nan;
        for &p in &other.partials {
            self.add(p);
        }
    }

    /// The exact sum correctly rounded to the nearest f64 (ties to even); +-inf or NaN when
    /// non-finite values were added or the sum overflowed.
    pub fn value(&self) -> f64 {
        if self.nan || (self.pos_inf && self.neg_inf) {
            return f64::NAN;
        }
        if self.pos_inf {
            return f64::INFINITY;
        }
        if self.neg_inf {
            return f64::NEG_INFINITY;
        }
        let p = &self.partials;
        let mut n = p.len();
        if n == 0 {
            return 0.0;
        }
        n -= 1;
        let mut hi = p[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        // Round half to even correctly: if the remainder below `lo` has the same sign, the
        // tie (if any) is broken in its direction.
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            let yr = x - hi;
            if y == yr {
                hi = x;
            }
        }
        hi
    }

    /// Number of partials currently held (a measure of the state's size).
    pub fn len(&self) -> usize {
        self.partials.len()
    }

    /// Whether nothing but zeros was added.
    pub fn is_empty(&self) -> bool {
        self.partials.is_empty() && !self.pos_inf && !self.neg_inf && !self.nan
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigInt;
    use num_rational::BigRational;
    use num_traits::{Signed, ToPrimitive, Zero};
    use rand::seq::SliceRandom;
    use rand::{Rng, SeedableRng};

    /// The exact rational value of a finite f64.
    fn rational(x: f64) -> BigRational {
        BigRational::from_float(x).unwrap()
    }

    /// Reference: round an exact rational to the nearest f64, ties to even, by bracketing.
    fn round_rational(r: &BigRational) -> f64 {
        let guess = r.to_f64().unwrap();
        // Check the neighbours of the guess and take the nearest (ties: even mantissa).
        let cands = [guess.next_down(), guess, guess.next_up()];
        let mut best = cands[0];
        let mut best_err = (rational(best) - r).abs();
        for &c in &cands[1..] {
            let err = (rational(c) - r).abs();
            if err < best_err || (err == best_err && c.to_bits() % 2 == 0) {
                best = c;
                best_err = err;
            }
        }
        best
    }

    fn values(rng: &mut rand_pcg::Pcg64Mcg, n: usize) -> Vec<f64> {
        (0..n)
            .map(|_| {
                let m: f64 = rng.random_range(-1.0..1.0);
                let e: i32 = rng.random_range(-60..60);
                m * 2f64.powi(e)
            })
            .collect()
    }

    #[test]
    fn matches_exact_rational_sum_in_any_order() {
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(11);
        for trial in 0..200 {
            let mut xs = values(&mut rng, 1 + trial % 50);
            // Add cancelling pairs and ties to stress the rounding.
            if trial % 3 == 0 {
                xs.push(1e100);
                xs.push(-1e100);
                xs.push(1.0);
                xs.push(f64::EPSILON / 2.0);
            }
            let exact: BigRational = xs
                .iter()
                .map(|&x| rational(x))
                .fold(BigRational::zero(), |a, b| a + b);
            let want = round_rational(&exact);
            let mut forward = ExactSum::new();
            xs.iter().for_each(|&x| forward.add(x));
            assert_eq!(forward.value().to_bits(), want.to_bits(), "trial {trial}");
            xs.shuffle(&mut rng);
            // Split into groups, sum each, merge the groups in a random order.
            let mut groups: Vec<ExactSum> = xs
                .chunks(1 + trial % 7)
                .map(|c| {
                    let mut s = ExactSum::new();
                    c.iter().for_each(|&x| s.add(x));
                    s
                })
                .collect();
            groups.shuffle(&mut rng);
            let mut merged = ExactSum::new();
            groups.iter().for_each(|g| merged.merge(g));
            assert_eq!(merged.value().to_bits(), want.to_bits(), "trial {trial}");
        }
    }

    #[test]
    fn ties_round_to_even() {
        // 1 + 2^-53 is a tie between 1 and 1 + 2^-52: rounds to 1 (even); adding 2^-100
        // breaks the tie upwards.
        let mut s = ExactSum::new();
        s.add(1.0);
        s.add(2f64.powi(-53));
        assert_eq!(s.value(), 1.0);
        s.add(2f64.powi(-100));
        assert_eq!(s.value(), 1.0 + f64::EPSILON);
        let big = BigInt::from(1u64 << 53);
        assert_eq!(
            round_rational(&BigRational::new(big * 2 + 1, BigInt::from(2))),
            9007199254740992.0
        );
    }

    #[test]
    fn non_finite_values_and_serde_round_trip() {
        let mut s = ExactSum::new();
        s.add(1.0);
        s.add(f64::INFINITY);
        assert_eq!(s.value(), f64::INFINITY);
        s.add(f64::NEG_INFINITY);
        assert!(s.value().is_nan());
        let mut o = ExactSum::new();
        o.add(f64::MAX);
        o.add(f64::MAX);
        assert_eq!(o.value(), f64::INFINITY);
        let mut t = ExactSum::new();
        for x in [0.1, 1e-300, -3.5e20, 7.25, 1e-17] {
            t.add(x);
        }
        let json = serde_json::to_string(&t).unwrap();
        let back: ExactSum = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
        assert!(ExactSum::new().is_empty());
        assert_eq!(ExactSum::new().value(), 0.0);
    }

    #[test]
    fn many_small_values_stay_exact() {
        // 0.1 added 10^5 times: the exact sum of the f64 0.1 values, not the naive drift.
        let mut s = ExactSum::new();
        for _ in 0..100_000 {
            s.add(0.1);
        }
        let want = round_rational(&(rational(0.1) * BigRational::from_integer(100_000.into())));
        assert_eq!(s.value(), want);
        assert!(s.len() <= 3);
    }
}
