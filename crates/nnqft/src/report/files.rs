//! The files a report owns: every write goes through [`Outputs`], which writes atomically and
//! records the name, so that a rerun into the same directory can remove exactly the files an
//! earlier run wrote and this one did not (never anything else).

use crate::cli::output::{write_atomic, write_json};
use crate::plot::Figure;
use anyhow::{Context, Result};
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Name of the manifest listing the files of the last complete run.
pub const MANIFEST: &str = ".nnqft-reproduce-files";

/// The files written into one report directory.
pub struct Outputs {
    dir: PathBuf,
    written: BTreeSet<String>,
}

impl Outputs {
    pub fn new(dir: &Path) -> Self {
        Outputs {
            dir: dir.to_path_buf(),
            written: BTreeSet::new(),
        }
    }

    fn path(&mut self, name: &str) -> PathBuf {
        self.written.insert(name.to_string());
        self.dir.join(name)
    }

    /// Write `value` as pretty JSON to DIR/name.
    pub fn json<T: Serialize>(&mut self, name: &str, value: &T) -> Result<()> {
        let p = self.path(name);
        write_json(&p, value)
    }

    /// Render `fig` to DIR/name (SVG), with its CSV and PDF next to it.
    pub fn svg(&mut self, name: &str, fig: &Figure) -> Result<()> {
        let p = self.path(name);
        for f in fig.write_all(&p)? {
            if let Some(n) = f.file_name().and_then(|n| n.to_str()) {
                self.written.insert(n.to_string());
            }
        }
        Ok(())
    }

    /// Write raw bytes to DIR/name.
    pub fn bytes(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let p = self.path(name);
        write_atomic(&p, bytes)
    }

    /// Remove the files the previous run listed in its manifest that this run did not write,
    /// then write the new manifest. Only plain file names from the manifest are touched.
    pub fn finish(mut self) -> Result<Vec<String>> {
        let manifest = self.dir.join(MANIFEST);
        let mut removed = vec![];
        if let Ok(old) = std::fs::read_to_string(&manifest) {
            for name in old.lines().map(str::trim).filter(|l| !l.is_empty()) {
                let plain = Path::new(name)
                    .file_name()
                    .is_some_and(|f| f == name && !name.starts_with('.'));
                if plain && !self.written.contains(name) {
                    let p = self.dir.join(name);
                    if p.is_file() {
                        std::fs::remove_file(&p)
                            .with_context(|| format!("cannot remove stale {}", p.display()))?;
                        removed.push(name.to_string());
                    }
                }
            }
        }
        let list: String = self.written.iter().map(|n| format!("{n}\n")).collect();
        self.written.insert(MANIFEST.to_string());
        write_atomic(&manifest, list.as_bytes())?;
        Ok(removed)
    }
}
