//! Stage 6's files: expansions.tex as nnqft-report wrote it, and expansions.pdf compiled with
//! lualatex when it is on PATH (an external program, so the binary's business).

use super::Outputs;
use anyhow::{Context, Result, bail};
use nnqft_report::diagrams::DiagramStage;
use std::process::Command;

/// Write expansions.tex and, when `pdf` and lualatex works, expansions.pdf; record in `stage`
/// whether there is a PDF and why not.
pub fn write(stage: &mut DiagramStage, doc: &str, out: &mut Outputs, pdf: bool) -> Result<()> {
    out.bytes("expansions.tex", doc.as_bytes())?;
    let (pdf_ok, note) = if !pdf {
        (
            false,
            Some("PDF compilation was switched off (--no-pdf).".to_string()),
        )
    } else if !lualatex_available() {
        (
            false,
            Some(
                "lualatex is not on PATH, so expansions.pdf was not made (Debian: texlive-latex-base \
                 texlive-pictures texlive-luatex)."
                    .to_string(),
            ),
        )
    } else {
        match compile(doc) {
            Ok(bytes) => {
                out.bytes("expansions.pdf", &bytes)?;
                (true, None)
            }
            Err(e) => (false, Some(format!("lualatex failed: {e:#}"))),
        }
    };
    stage.pdf = pdf_ok;
    stage.pdf_note = note;
    Ok(())
}

fn lualatex_available() -> bool {
    Command::new("lualatex")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Compile `doc` with lualatex in a temporary directory; the PDF's bytes.
fn compile(doc: &str) -> Result<Vec<u8>> {
    let tmp = tempfile::tempdir().context("cannot create a temporary directory")?;
    std::fs::write(tmp.path().join("expansions.tex"), doc)?;
    let o = Command::new("lualatex")
        .current_dir(tmp.path())
        .args([
            "-interaction=nonstopmode",
            "-halt-on-error",
            "expansions.tex",
        ])
        .output()
        .context("cannot run lualatex")?;
    if !o.status.success() {
        let log = String::from_utf8_lossy(&o.stdout);
        let first = log
            .lines()
            .find(|l| l.starts_with('!'))
            .unwrap_or("see expansions.log");
        bail!("{first}");
    }
    std::fs::read(tmp.path().join("expansions.pdf")).context("lualatex wrote no PDF")
}
