//! The error type of the shard domain: spec parsing, shard files, combining partials.

use crate::error::EnsembleError;
use thiserror::Error;

/// What can go wrong when splitting a run into shards, reading or writing a shard file, or
/// combining shards into one partial.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum ShardError {
    /// A shard spec that is not "I/S" with integers.
    #[error("expected I/S with 0 <= I < S (shards are 0-based), e.g. 0/4; got '{0}'")]
    SpecSyntax(String),
    /// A shard spec with S = 0.
    #[error("the shard count S in '{0}' must be at least 1")]
    NoShards(String),
    /// A shard spec with I >= S.
    #[error(
        "shard index {index} is out of range for {of} shards: shards are 0-based, 0 to {}",
        .of.saturating_sub(1)
    )]
    IndexRange {
        /// The index I.
        index: u64,
        /// The shard count S (at least 1).
        of: u64,
    },
    /// The text is not JSON that ends where it should.
    #[error("the file is truncated ({0})")]
    Truncated(String),
    /// The text is not a JSON shard header.
    #[error("not a valid shard file ({0})")]
    NotJson(String),
    /// JSON of some other kind (no `"format": "nnqft-shard"`).
    #[error("not an nnqft shard file")]
    NotShardFile,
    /// A layout version this nnqft does not read.
    #[error(
        "shard file layout version {found} is not supported by this nnqft (it reads version {supported})"
    )]
    Version {
        /// The version in the file.
        found: u32,
        /// The version this crate reads and writes.
        supported: u32,
    },
    /// A header without one of its fields.
    #[error("the header has no {0}")]
    MissingField(&'static str),
    /// The plan in the header is refused by the validating constructors.
    #[error("the header's settings are invalid: {0}")]
    InvalidSettings(String),
    /// A block range that is empty, beyond the plan or overlapping an earlier one.
    #[error("the header's block list is damaged (range {start}..{end} of a {count}-block plan)")]
    BlockList {
        /// First block of the range.
        start: u64,
        /// One past its last block.
        end: u64,
        /// Blocks in the plan.
        count: u64,
    },
    /// Shard numbers with S = 0 or a held index >= S.
    #[error("the header's shard numbers are damaged")]
    ShardNumbers,
    /// The accumulator bytes end early.
    #[error("the accumulator data is truncated")]
    PayloadTruncated,
    /// Fewer (or more) accumulator bytes than the header declares.
    #[error("the accumulator data is truncated ({got} of {want} bytes)")]
    PayloadLength {
        /// Bytes decoded.
        got: u64,
        /// Bytes declared in the header.
        want: u64,
    },
    /// Base64 text whose length is not a multiple of 4.
    #[error("the accumulator data is truncated (base64 length not a multiple of 4)")]
    Base64Length,
    /// A character outside the base64 alphabet.
    #[error("the accumulator data is damaged (not base64)")]
    Base64Char,
    /// '=' padding anywhere but at the very end, or more than two.
    #[error("the accumulator data is damaged (misplaced base64 padding)")]
    Base64Padding,
    /// An exact sum stored with more terms than any f64 sum needs.
    #[error("the accumulator data is damaged (an exact sum with {0} terms)")]
    TermCount(u8),
    /// A stored maximum |f| that is negative or NaN.
    #[error("the accumulator data is damaged (a maximum |f| of {0})")]
    BadMaximum(f64),
    /// Bytes left over after the accumulators the settings call for.
    #[error("the accumulator data has {0} bytes more than the settings call for")]
    TrailingBytes(usize),
    /// The FNV-1a checksum does not match the content.
    #[error("the file is damaged or was edited (checksum mismatch)")]
    Checksum,
    /// Per-experiment net counts that differ from those of the blocks held.
    #[error("the accumulator data does not match the blocks held (net counts differ)")]
    NetCounts,
    /// The header cannot be serialized.
    #[error("cannot serialize the shard file ({0})")]
    Serialize(String),
    /// Two sources sampled by different nnqft versions.
    #[error(
        "cannot merge {name} with {first}: written by different nnqft versions ({theirs} vs {ours}), whose samplers may differ"
    )]
    Versions {
        /// The source being added.
        name: String,
        /// The first source.
        first: String,
        /// The version of `name`.
        theirs: String,
        /// The version of `first`.
        ours: String,
    },
    /// Two sources of different plans.
    #[error("cannot merge {name} with {first}: different {what}")]
    DifferentPlans {
        /// The source being added.
        name: String,
        /// The first source.
        first: String,
        /// The first setting that differs, as "seed (1 vs 2)".
        what: String,
    },
    /// Two sources holding some of the same blocks.
    #[error(
        "cannot merge {name} with {other}: both hold blocks {blocks} (overlapping shards, or the same file twice)"
    )]
    Overlap {
        /// The source being added.
        name: String,
        /// The earlier source it overlaps.
        other: String,
        /// The blocks both hold, as ranges "0-2, 5".
        blocks: String,
    },
    /// Nothing was added to a combiner.
    #[error("no shard files to merge")]
    Empty,
    /// A complete result was asked for but blocks are missing.
    #[error(
        "incomplete: the files hold {held} of {count} blocks; missing blocks {missing}{shards}; merge never makes a smaller ensemble than planned"
    )]
    Incomplete {
        /// Blocks held.
        held: u64,
        /// Blocks in the plan.
        count: u64,
        /// The missing blocks as ranges "4-8".
        missing: String,
        /// " = shard 1 of 2 (0-based)" when the sources share one split, else empty.
        shards: String,
    },
    /// Planning, sampling or merging failed in the ensemble itself.
    #[error(transparent)]
    Ensemble(#[from] EnsembleError),
}
