//! `nnqft diagrams`: the Feynman-diagram expansion of G^(n) with exact coefficients, as text,
//! JSON or LaTeX (amsmath equations and TikZ-Feynman drawings).

use crate::cli::{Global, output};
use anyhow::{Context, Result, anyhow, bail};
use nnqft_diagrams::{
    DEFAULT_MAX_DIAGRAMS, DiagramError, ExpansionSpec, VertexKind, expand, latex, text,
};
use std::path::PathBuf;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Readable listing of the classes and the totals.
    Text,
    /// Every diagram and class (same as --json).
    Json,
    /// amsmath equations and TikZ-Feynman drawings.
    Latex,
    /// Graphviz DOT, one graph per class (render with `dot -Tsvg`).
    Dot,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Number n of external points of G^(n) (even, at least 2).
    #[arg(long, value_name = "N")]
    pub points: usize,
    /// Largest number of interaction vertices (every order from 0 up to K).
    #[arg(long, value_name = "K")]
    pub order: usize,
    /// Interaction vertex g f^k as NAME=DEGREE; repeat for several [default: lambda=4 and kappa=6].
    #[arg(long = "vertex", value_name = "NAME=DEGREE")]
    pub vertices: Vec<String>,
    /// Keep only connected diagrams.
    #[arg(long)]
    pub connected: bool,
    /// Keep diagrams with 2-point insertions (self-energies, tadpoles on a line).
    #[arg(long)]
    pub keep_self_energy: bool,
    /// Output format [default: text; latex with --standalone].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// With LaTeX output: a complete document (compiles with lualatex).
    #[arg(long)]
    pub standalone: bool,
    /// Refuse expansions estimated to have more diagrams than this.
    #[arg(long, value_name = "M", default_value_t = DEFAULT_MAX_DIAGRAMS)]
    pub max_diagrams: u64,
    /// Write the output to this file (atomically) instead of stdout.
    #[arg(long = "out", short = 'o', alias = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

fn spec(args: &Args) -> Result<ExpansionSpec> {
    let mut spec = ExpansionSpec::new(args.points, args.order);
    if !args.vertices.is_empty() {
        spec.vertices = args
            .vertices
            .iter()
            .map(|v| VertexKind::parse(v))
            .collect::<Result<_, _>>()
            .context("bad --vertex")?;
    }
    spec.connected_only = args.connected;
    spec.keep_self_energy = args.keep_self_energy;
    spec.max_diagrams = args.max_diagrams;
    spec.validate().context("bad expansion")?;
    Ok(spec)
}

fn format(args: &Args, global: &Global) -> Result<Format> {
    let format = match (global.json, args.format) {
        (true, None | Some(Format::Json)) => Format::Json,
        (true, Some(f)) => bail!("--json conflicts with --format {f:?}"),
        (false, Some(f)) => f,
        (false, None) if args.standalone => Format::Latex,
        (false, None) => Format::Text,
    };
    if args.standalone && format != Format::Latex {
        bail!("--standalone needs LaTeX output (--format latex)");
    }
    Ok(format)
}

pub fn run(args: Args, global: &Global) -> Result<()> {
    let format = format(&args, global)?;
    let spec = spec(&args)?;
    if let Some(path) = &args.output {
        output::check_output_path(path)?;
    }
    let e = expand(&spec).map_err(|err| match err {
        DiagramError::TooLarge { .. } => {
            anyhow!("cannot expand: {err} (raise it with --max-diagrams)")
        }
        err => anyhow!("cannot expand: {err}"),
    })?;
    let out = match format {
        Format::Text => text::listing(&e),
        Format::Json => output::to_json(&nnqft_diagrams::json::to_json(&e))?,
        Format::Latex if args.standalone => latex::document(&e),
        Format::Latex => latex::body(&e),
        Format::Dot => nnqft_diagrams::dot(&e),
    };
    match &args.output {
        Some(path) => output::write_atomic(path, out.as_bytes()),
        None => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(out.as_bytes())
                .and_then(|_| stdout.flush())
                .context("cannot write to stdout")
        }
    }
}
