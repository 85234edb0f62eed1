//! The shard file: a JSON header (the plan that defines the ensemble, the blocks held, the
//! shard split) and the exact accumulators of those blocks as checksummed base64 bytes.
//!
//! ```json
//! {"format": "nnqft-shard", "version": 2, "nnqft": "0.2.0",
//!  "shards": {"of": 4, "held": [2]}, "plan": {...}, "block_count": 40,
//!  "blocks": [[20, 30]], "nets_held": 10240, "payload_bytes": 412345,
//!  "fnv1a64": "…", "accumulators": "base64…"}
//! ```

use super::{ShardError, codec};
use crate::partial::{BlockSet, Partial};
use crate::plan::Plan;
use serde::{Deserialize, Serialize};

type Result<T> = std::result::Result<T, ShardError>;

/// The `format` tag of every shard file.
pub const FORMAT: &str = "nnqft-shard";
/// The layout version this nnqft writes and reads.
pub const VERSION: u32 = 2;

/// Which shards of an S-way split a file holds (0-based indices; a merged file holds several).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shards {
    /// The shard count S.
    pub of: u64,
    /// The indices held, sorted.
    pub held: Vec<u64>,
}

/// A partial result with its provenance: what a shard file holds.
#[derive(Clone, Debug)]
pub struct ShardFile {
    /// The nnqft version that sampled it (merging across versions is refused: the sampler
    /// may differ).
    pub nnqft: String,
    /// The shard split, when the blocks were chosen by one (`--shard I/S`, MPI ranks).
    pub shards: Option<Shards>,
    /// The exact sums of the blocks held.
    pub partial: Partial,
}

/// The header as written; `accumulators` holds the payload in base64.
#[derive(Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    nnqft: String,
    shards: Option<Shards>,
    plan: Plan,
    block_count: u64,
    blocks: Vec<(u64, u64)>,
    nets_held: u64,
    payload_bytes: u64,
    fnv1a64: String,
    accumulators: String,
}

/// The header as read: every field optional, so that a file of another kind gets a clear
/// message instead of a missing-field error.
#[derive(Deserialize)]
struct RawHeader {
    format: Option<String>,
    version: Option<u32>,
    nnqft: Option<String>,
    shards: Option<Shards>,
    /// Read as a value first, so that a plan the validating deserializer refuses is reported
    /// as invalid settings, not as damaged JSON.
    plan: Option<serde_json::Value>,
    blocks: Option<Vec<(u64, u64)>>,
    block_count: Option<u64>,
    nets_held: Option<u64>,
    payload_bytes: Option<u64>,
    fnv1a64: Option<String>,
    accumulators: Option<String>,
}

/// Networks held per experiment by the blocks of `set` (sum of the block sizes).
pub fn nets_per_experiment(plan: &Plan, set: &BlockSet) -> Result<Vec<u64>> {
    let mut nets = vec![0u64; plan.experiments];
    for &(s, e) in set.ranges() {
        for b in s..e {
            let blk = plan.block(b)?;
            nets[blk.experiment] += blk.nets as u64;
        }
    }
    Ok(nets)
}

/// The header's plan, through `Plan`'s validating deserializer (a hand-edited or damaged
/// header cannot smuggle in a plan the sampler would refuse: zero experiments, bad inputs,
/// unsorted orders).
fn validated(plan: serde_json::Value) -> Result<Plan> {
    serde_json::from_value(plan).map_err(|e| ShardError::InvalidSettings(e.to_string()))
}

/// What the version-2 checksum covers besides the plan, blocks and payload: every other
/// header field read back.
struct Extra<'a> {
    nnqft: &'a str,
    shards: &'a Option<Shards>,
    block_count: u64,
    nets_held: u64,
}

/// The checksum over what the file holds, hashed with FNV-1a 64: (version 2) the nnqft
/// version string, the shards header (compact JSON), the block count and nets held
/// (little-endian u64), then (both versions) the plan (compact JSON), the block ranges
/// (little-endian u64 pairs) and the payload. Version 1 files had only the latter.
fn checksum(
    extra: Option<Extra<'_>>,
    plan: &Plan,
    blocks: &BlockSet,
    payload: &[u8],
) -> Result<String> {
    let ser = |e: serde_json::Error| ShardError::Serialize(e.to_string());
    let mut bytes = vec![];
    if let Some(x) = extra {
        bytes.extend_from_slice(x.nnqft.as_bytes());
        bytes.push(0);
        bytes.extend(serde_json::to_vec(x.shards).map_err(ser)?);
        bytes.push(0);
        bytes.extend_from_slice(&x.block_count.to_le_bytes());
        bytes.extend_from_slice(&x.nets_held.to_le_bytes());
    }
    bytes.extend(serde_json::to_vec(plan).map_err(ser)?);
    for &(s, e) in blocks.ranges() {
        bytes.extend_from_slice(&s.to_le_bytes());
        bytes.extend_from_slice(&e.to_le_bytes());
    }
    bytes.extend_from_slice(payload);
    Ok(format!("{:016x}", codec::fnv1a64(&bytes)))
}

impl ShardFile {
    /// A shard file of `partial` sampled by this nnqft (the workspace version, which the
    /// sampler shares).
    pub fn new(partial: Partial, shards: Option<Shards>) -> Self {
        ShardFile {
            nnqft: env!("CARGO_PKG_VERSION").to_string(),
            shards,
            partial,
        }
    }

    /// The file's JSON text (pretty, with a trailing newline).
    pub fn to_json(&self) -> Result<String> {
        let bytes = codec::encode(&self.partial.experiments);
        let nets_held = nets_per_experiment(&self.partial.plan, &self.partial.blocks)?
            .iter()
            .sum();
        let extra = Extra {
            nnqft: &self.nnqft,
            shards: &self.shards,
            block_count: self.partial.plan.block_count(),
            nets_held,
        };
        let fnv1a64 = checksum(
            Some(extra),
            &self.partial.plan,
            &self.partial.blocks,
            &bytes,
        )?;
        let header = Header {
            format: FORMAT.to_string(),
            version: VERSION,
            nnqft: self.nnqft.clone(),
            shards: self.shards.clone(),
            plan: self.partial.plan.clone(),
            block_count: self.partial.plan.block_count(),
            blocks: self.partial.blocks.ranges().to_vec(),
            nets_held,
            payload_bytes: bytes.len() as u64,
            fnv1a64,
            accumulators: codec::base64_encode(&bytes),
        };
        let mut text = serde_json::to_string_pretty(&header)
            .map_err(|e| ShardError::Serialize(e.to_string()))?;
        text.push('\n');
        Ok(text)
    }

    /// Parse and check a shard file's text: format and version, a valid plan, blocks within
    /// the plan, payload length and checksum, and per-experiment net counts that match the
    /// blocks held.
    pub fn from_json(text: &[u8]) -> Result<ShardFile> {
        let raw: RawHeader = serde_json::from_slice(text).map_err(|e| {
            if e.is_eof() {
                ShardError::Truncated(e.to_string())
            } else {
                ShardError::NotJson(e.to_string())
            }
        })?;
        if raw.format.as_deref() != Some(FORMAT) {
            return Err(ShardError::NotShardFile);
        }
        let version = raw.version.ok_or(ShardError::MissingField("version"))?;
        if version != VERSION && version != 1 {
            return Err(ShardError::Version {
                found: version,
                supported: VERSION,
            });
        }
        let missing = ShardError::MissingField;
        let nnqft = raw.nnqft.ok_or(missing("nnqft version"))?;
        let plan = validated(raw.plan.ok_or(missing("plan"))?)?;
        let count = plan.block_count();
        let mut blocks = BlockSet::new();
        for (s, e) in raw.blocks.ok_or(missing("block list"))? {
            if s >= e || e > count || blocks.overlaps(&single(s, e)) {
                return Err(ShardError::BlockList {
                    start: s,
                    end: e,
                    count,
                });
            }
            blocks.insert(s..e);
        }
        let text64 = raw.accumulators.ok_or(missing("accumulators"))?;
        let bytes = codec::base64_decode(&text64)?;
        let want = raw.payload_bytes.ok_or(missing("payload size"))?;
        if bytes.len() as u64 != want {
            return Err(ShardError::PayloadLength {
                got: bytes.len() as u64,
                want,
            });
        }
        let sum = raw.fnv1a64.ok_or(missing("checksum"))?;
        let nets = nets_per_experiment(&plan, &blocks)?;
        let extra = if version == 1 {
            None
        } else {
            Some(Extra {
                nnqft: &nnqft,
                shards: &raw.shards,
                block_count: raw.block_count.ok_or(missing("block count"))?,
                nets_held: raw.nets_held.ok_or(missing("nets held"))?,
            })
        };
        if checksum(extra, &plan, &blocks, &bytes)? != sum {
            return Err(ShardError::Checksum);
        }
        if raw.block_count.is_some_and(|c| c != count)
            || raw.nets_held.is_some_and(|n| n != nets.iter().sum::<u64>())
        {
            return Err(ShardError::NetCounts);
        }
        let experiments = codec::decode(&plan, &bytes)?;
        if experiments.iter().map(|e| e.nets).ne(nets.iter().copied()) {
            return Err(ShardError::NetCounts);
        }
        if let Some(s) = &raw.shards
            && (s.of == 0 || s.held.iter().any(|&i| i >= s.of))
        {
            return Err(ShardError::ShardNumbers);
        }
        Ok(ShardFile {
            nnqft,
            shards: raw.shards,
            partial: Partial {
                plan,
                blocks,
                experiments,
            },
        })
    }
}

fn single(s: u64, e: u64) -> BlockSet {
    let mut b = BlockSet::new();
    b.insert(s..e);
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{finish, run_all, run_blocks};
    use nnqft_core::Arch;

    fn plan() -> Plan {
        let net = nnqft_core::Network::new(Arch::Relu, 1.0, 0.0, 2).unwrap();
        let xs = nnqft_core::InputSet::paper(Arch::Relu, 2).unwrap();
        let settings = crate::Settings::new(net, xs, 4, &[2, 4]).unwrap();
        Plan::with(
            settings,
            crate::Sampling {
                nets: 1200,
                experiments: 3,
                seed: 9,
                block_size: 150,
            },
        )
        .unwrap()
    }

    #[test]
    fn round_trip_keeps_the_exact_sums() {
        let p = plan();
        let whole = finish(&run_all(&p, Some(1), &|_| {}).unwrap()).unwrap();
        // Two halves written and read back, then merged: the same measurement.
        let blocks: Vec<u64> = (0..p.block_count()).collect();
        let (a, b) = blocks.split_at(5);
        let mut merged: Option<Partial> = None;
        for part in [b, a] {
            let partial = run_blocks(&p, part, Some(1), &|_| {}).unwrap();
            let text = ShardFile::new(partial, None).to_json().unwrap();
            let back = ShardFile::from_json(text.as_bytes()).unwrap().partial;
            match &mut merged {
                None => merged = Some(back),
                Some(m) => m.merge(&back).unwrap(),
            }
        }
        assert_eq!(finish(&merged.unwrap()).unwrap(), whole);
    }

    #[test]
    fn edited_headers_are_refused() {
        let p = plan();
        let partial = run_blocks(&p, &[0, 1, 2], Some(1), &|_| {}).unwrap();
        let text = ShardFile::new(partial, None).to_json().unwrap();
        let edit = |from: &str, to: &str| -> String {
            assert!(text.contains(from), "{from}");
            let bad = text.replacen(from, to, 1);
            format!("{:#}", ShardFile::from_json(bad.as_bytes()).unwrap_err())
        };
        assert!(edit("\"experiments\": 3", "\"experiments\": 0").contains("settings"));
        assert!(edit("\"nets\": 1200", "\"nets\": 1201").contains("settings"));
        assert!(edit("\"width\": 4", "\"width\": 5").contains("checksum"));
        assert!(edit("\"format\": \"nnqft-shard\"", "\"format\": \"x\"").contains("not an nnqft"));
        assert!(edit("\"version\": 2", "\"version\": 3").contains("version 3"));
        // Every other field read back is covered too.
        assert!(edit("\"nnqft\": \"", "\"nnqft\": \"9").contains("checksum"));
        let held = "\"nets_held\": ";
        let at = text.find(held).unwrap() + held.len();
        let n: String = text[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        assert!(edit(&format!("{held}{n}"), &format!("{held}{n}0")).contains("checksum"));
        assert!(edit("\"payload_bytes\": ", "\"payload_bytes\": 1").contains("truncated"));
        assert!(
            edit("[\n    [\n      0,\n      3\n    ]\n  ]", "[[0, 99]]").contains("block list")
        );
        assert!(edit("[\n    [\n      0,\n      3\n    ]\n  ]", "[[0, 2]]").contains("checksum"));
    }
}
