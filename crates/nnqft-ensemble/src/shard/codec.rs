//! Lossless compact bytes for a partial's accumulators: every exact sum as its canonical
//! non-overlapping expansion of f64 terms (little-endian), then base64 for the JSON file, with
//! an FNV-1a checksum that catches damaged files.
//!
//! Payload layout, per experiment in order: `u64` nets, then per accumulator entry (orders
//! ascending, each in multiset order): the expansion of the sum, of the sum of squares (each a
//! `u8` term count then that many `f64`), and the largest |value| (`f64`).

use super::ShardError;
use crate::exact_sum::ExactSum;
use crate::partial::ExperimentSums;
use crate::plan::Plan;

type Result<T> = std::result::Result<T, ShardError>;

/// Most terms an expansion can need: each term is at most half an ulp of the previous one,
/// so 2098 / 53 < 40 terms span the whole f64 range.
const MAX_TERMS: usize = 64;

/// The exact sum held by `s` as terms t_1, t_2, ... with t_1 = round(S) and
/// t_{k+1} = round(S - t_1 - ... - t_k), stopping at an exact zero remainder; so S = sum t_k
/// exactly, and adding the terms to an empty [`ExactSum`] restores the same exact value. A
/// non-finite sum (+inf, -inf or NaN) is the single term that recreates it.
pub fn expansion(s: &ExactSum) -> Vec<f64> {
    let first = s.value();
    if !first.is_finite() {
        return vec![first];
    }
    let mut terms = vec![];
    let mut rest = s.clone();
    let mut t = first;
    while t != 0.0 && terms.len() < MAX_TERMS {
        terms.push(t);
        rest.add(-t);
        t = rest.value();
    }
    terms
}

/// The accumulators of `experiments` as payload bytes (layout in the module doc).
pub fn encode(experiments: &[ExperimentSums]) -> Vec<u8> {
    let mut out = Vec::new();
    let put_sum = |out: &mut Vec<u8>, s: &ExactSum| {
        let terms = expansion(s);
        out.push(terms.len() as u8);
        for t in terms {
            out.extend_from_slice(&t.to_le_bytes());
        }
    };
    for exp in experiments {
        out.extend_from_slice(&exp.nets.to_le_bytes());
        for k in 0..exp.sum.len() {
            put_sum(&mut out, &exp.sum[k]);
            put_sum(&mut out, &exp.sumsq[k]);
            out.extend_from_slice(&exp.max_abs[k].to_le_bytes());
        }
    }
    out
}

/// A cursor over payload bytes that fails with "truncated" instead of panicking.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N]> {
        match self.bytes.get(self.at..self.at + N) {
            Some(b) => {
                self.at += N;
                Ok(b.try_into().expect("slice of length N"))
            }
            None => Err(ShardError::PayloadTruncated),
        }
    }

    fn f64(&mut self) -> Result<f64> {
        Ok(f64::from_le_bytes(self.take::<8>()?))
    }

    fn sum(&mut self) -> Result<ExactSum> {
        let [k] = self.take::<1>()?;
        if k as usize > MAX_TERMS {
            return Err(ShardError::TermCount(k));
        }
        let mut s = ExactSum::new();
        for _ in 0..k {
            s.add(self.f64()?);
        }
        Ok(s)
    }
}

/// Decode the payload of a partial of `plan` (inverse of [`encode`]); the byte count must match
/// exactly and every stored maximum must be a non-negative number.
pub fn decode(plan: &Plan, bytes: &[u8]) -> Result<Vec<ExperimentSums>> {
    let total = plan.settings.total_entries();
    let mut r = Reader { bytes, at: 0 };
    let mut out = Vec::with_capacity(plan.experiments);
    for _ in 0..plan.experiments {
        let nets = u64::from_le_bytes(r.take::<8>()?);
        let mut sum = Vec::with_capacity(total);
        let mut sumsq = Vec::with_capacity(total);
        let mut max_abs = Vec::with_capacity(total);
        for _ in 0..total {
            sum.push(r.sum()?);
            sumsq.push(r.sum()?);
            let m = r.f64()?;
            if m.is_nan() || m < 0.0 {
                return Err(ShardError::BadMaximum(m));
            }
            max_abs.push(m);
        }
        out.push(ExperimentSums {
            nets,
            sum,
            sumsq,
            max_abs,
        });
    }
    if r.at != bytes.len() {
        return Err(ShardError::TrailingBytes(bytes.len() - r.at));
    }
    Ok(out)
}

/// FNV-1a 64-bit hash of `bytes`: h = (h xor byte) * 0x100000001b3 from 0xcbf29ce484222325.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 (RFC 4648 alphabet, '=' padding).
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> shift & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decode standard base64 with padding; any other character or a bad length is an error.
pub fn base64_decode(text: &str) -> Result<Vec<u8>> {
    let s = text.as_bytes();
    if !s.len().is_multiple_of(4) {
        return Err(ShardError::Base64Length);
    }
    let value = |c: u8| -> Result<u32> {
        Ok(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return Err(ShardError::Base64Char),
        } as u32)
    };
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let quads = s.len() / 4;
    for (q, quad) in s.chunks(4).enumerate() {
        let pad = quad.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && q + 1 != quads) {
            return Err(ShardError::Base64Padding);
        }
        let mut n = 0u32;
        for &c in &quad[..4 - pad] {
            n = n << 6 | value(c)?;
        }
        n <<= 6 * pad as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_and_matches_rfc4648_vectors() {
        // RFC 4648 section 10 test vectors.
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64_encode(plain.as_bytes()), coded);
            assert_eq!(base64_decode(coded).unwrap(), plain.as_bytes());
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(base64_decode(&base64_encode(&all)).unwrap(), all);
        assert!(base64_decode("Zm9").is_err());
        assert!(base64_decode("Zm=v").is_err());
        assert!(base64_decode("Zg==Zm9v").is_err());
        assert!(base64_decode("Zm9*").is_err());
    }

    #[test]
    fn fnv1a64_matches_published_values() {
        // Reference values of the FNV-1a 64-bit hash (Fowler, Noll, Vo).
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn expansions_restore_the_exact_sum() {
        // 1 + 2^-60 + 2^-130: three terms; its exact value survives the round trip, which
        // shows in the sum after adding -1 (the small parts would be lost in one f64).
        let mut s = ExactSum::new();
        for x in [2f64.powi(-130), 1.0, 2f64.powi(-60)] {
            s.add(x);
        }
        let terms = expansion(&s);
        assert_eq!(terms, vec![1.0, 2f64.powi(-60), 2f64.powi(-130)]);
        let mut back = ExactSum::new();
        terms.iter().for_each(|&t| back.add(t));
        back.add(-1.0);
        assert_eq!(back.value(), 2f64.powi(-60) + 2f64.powi(-130));
        assert!(expansion(&ExactSum::new()).is_empty());
        let mut inf = ExactSum::new();
        inf.add(f64::NEG_INFINITY);
        assert_eq!(expansion(&inf), vec![f64::NEG_INFINITY]);
    }
}
