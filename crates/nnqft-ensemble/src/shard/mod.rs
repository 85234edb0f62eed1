//! Sampling across processes and machines: a run's RNG blocks split into shards, each shard's
//! exact sums written as a shard file, and the files (or MPI ranks' messages) combined into
//! the partial of the whole run, bit-identical to the one-shot run.
//!
//! Shards are 0-based: shard I of S (0 <= I < S) holds the contiguous blocks
//! [floor(I B / S), floor((I + 1) B / S)) of a plan of B blocks, so shard sizes differ by at
//! most one block. With S > B some shards hold no block; their files are valid and merge.
//!
//! Files are text in, text out ([`ShardFile::to_json`], [`ShardFile::from_json`]); reading
//! and writing them is the caller's business.
//!
//! ```
//! use nnqft_core::{Arch, InputSet, Network};
//! use nnqft_ensemble::shard::{Combiner, ShardFile, ShardSpec, sample_shard};
//! use nnqft_ensemble::{Plan, Settings, finish, run_all};
//! let net = Network::paper(Arch::Erf);
//! let settings = Settings::new(net, InputSet::paper(Arch::Erf, 1).unwrap(), 5, &[2]).unwrap();
//! let plan = Plan::new(settings, 3000, 3, 1).unwrap();
//! let mut combiner = Combiner::new();
//! for i in 0..2 {
//!     let spec = ShardSpec::new(i, 2).unwrap();
//!     let text = sample_shard(&plan, spec, None, &|_| {}).unwrap().to_json().unwrap();
//!     combiner.add(&format!("shard {i}"), ShardFile::from_json(text.as_bytes()).unwrap()).unwrap();
//! }
//! let merged = finish(&combiner.into_complete().unwrap()).unwrap();
//! assert_eq!(merged, finish(&run_all(&plan, None, &|_| {}).unwrap()).unwrap());
//! ```

mod codec;
mod combine;
mod error;
mod file;

pub use combine::{Combiner, describe_ranges, plan_difference};
pub use error::ShardError;
pub use file::{FORMAT, ShardFile, Shards, VERSION, nets_per_experiment};

use crate::partial::run_range;
use crate::plan::Plan;
use std::ops::Range;
use std::str::FromStr;

/// Shard `index` of `of` (0-based; always 0 <= index < of).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShardSpec {
    index: u64,
    of: u64,
}

impl ShardSpec {
    /// Shard `index` of `of`; refused unless 0 <= index < of.
    pub fn new(index: u64, of: u64) -> Result<Self, ShardError> {
        if of == 0 {
            return Err(ShardError::NoShards(format!("{index}/{of}")));
        }
        if index >= of {
            return Err(ShardError::IndexRange { index, of });
        }
        Ok(ShardSpec { index, of })
    }

    /// The index I (0-based).
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The shard count S.
    pub fn of(&self) -> u64 {
        self.of
    }

    /// The blocks of this shard in a plan of `count` blocks (see [`shard_range`]).
    pub fn blocks(&self, count: u64) -> Range<u64> {
        shard_range(count, self.index, self.of)
    }
}

impl FromStr for ShardSpec {
    type Err = ShardError;

    /// "I/S" with integers 0 <= I < S.
    fn from_str(s: &str) -> Result<Self, ShardError> {
        let bad = || ShardError::SpecSyntax(s.to_string());
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = i.trim().parse().map_err(|_| bad())?;
        let of: u64 = n.trim().parse().map_err(|_| bad())?;
        if of == 0 {
            return Err(ShardError::NoShards(s.to_string()));
        }
        ShardSpec::new(index, of)
    }
}

/// The blocks of shard `index` of `of` in a plan of `count` blocks:
/// [floor(index count / of), floor((index + 1) count / of)).
pub fn shard_range(count: u64, index: u64, of: u64) -> Range<u64> {
    let at = |i: u64| (i as u128 * count as u128 / of as u128) as u64;
    at(index)..at(index + 1)
}

/// The shard of an S-way split of `count` blocks that holds block `b` (the inverse of
/// [`shard_range`]).
pub fn shard_of(b: u64, count: u64, of: u64) -> u64 {
    let mut i = ((b as u128 * of as u128) / count as u128) as u64;
    while i + 1 < of && shard_range(count, i + 1, of).start <= b {
        i += 1;
    }
    while i > 0 && shard_range(count, i, of).start > b {
        i -= 1;
    }
    i
}

/// Sample the blocks of shard `spec` of `plan` (on `threads` threads, or the current rayon
/// pool) as a shard file of this nnqft; `progress(1)` after each block.
pub fn sample_shard(
    plan: &Plan,
    spec: ShardSpec,
    threads: Option<usize>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ShardFile, ShardError> {
    let partial = run_range(plan, spec.blocks(plan.block_count()), threads, progress)?;
    Ok(ShardFile::new(
        partial,
        Some(Shards {
            of: spec.of,
            held: vec![spec.index],
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_blocks_evenly() {
        for count in [1u64, 5, 6, 40, 1001] {
            for of in [1u64, 2, 3, 7, 64] {
                let mut next = 0;
                let mut sizes = vec![];
                for i in 0..of {
                    let r = shard_range(count, i, of);
                    assert_eq!(r.start, next, "contiguous");
                    next = r.end;
                    sizes.push(r.end - r.start);
                    for b in r {
                        assert_eq!(shard_of(b, count, of), i);
                    }
                }
                assert_eq!(next, count, "covers every block");
                let (lo, hi) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
                assert!(hi - lo <= 1, "balanced: {sizes:?}");
            }
        }
    }

    #[test]
    fn shard_specs_parse_and_refuse() {
        assert_eq!("2/5".parse(), ShardSpec::new(2, 5));
        assert_eq!("0/1".parse::<ShardSpec>().unwrap().of(), 1);
        for bad in ["5/5", "1/0", "3", "a/4", "-1/4", "1/4/2"] {
            assert!(bad.parse::<ShardSpec>().is_err(), "{bad}");
        }
        assert!(matches!(
            "5/5".parse::<ShardSpec>(),
            Err(ShardError::IndexRange { index: 5, of: 5 })
        ));
        assert!(ShardSpec::new(0, 0).is_err());
    }
}
