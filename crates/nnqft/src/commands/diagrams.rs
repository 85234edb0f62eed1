//! `nnqft diagrams`: the Feynman-diagram expansion of G^(n) with exact coefficients, as text,
//! JSON or LaTeX (amsmath equations and TikZ-Feynman drawings).

use crate::cli::{Global, output};
use anyhow::{Context, Result, anyhow, bail};
use nnqft_diagrams::{
    DEFAULT_MAX_DIAGRAMS, DiagramError, Expansion, ExpansionSpec, VertexKind, expand, latex, text,
};
use serde::{Serialize, Serializer};
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

#[derive(Serialize)]
struct VertexJson<'a> {
    name: &'a str,
    degree: usize,
}

#[derive(Serialize)]
struct DiagramJson<'a> {
    coefficient: String,
    monomial: String,
    symmetry_factor: String,
    vertices: Vec<VertexJson<'a>>,
    edges: Vec<[usize; 2]>,
    connected: bool,
    class: usize,
}

#[derive(Serialize)]
struct ClassJson {
    id: usize,
    monomial: String,
    coefficient: String,
    members: usize,
    representative: usize,
    latex: String,
}

/// Monomial -> total, serialized as a JSON object in expansion order.
struct Totals(Vec<(String, String)>);

impl Serialize for Totals {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

#[derive(Serialize)]
struct Report<'a> {
    points: usize,
    order: usize,
    vertices: Vec<VertexJson<'a>>,
    connected_only: bool,
    keep_self_energy: bool,
    diagrams: Vec<DiagramJson<'a>>,
    classes: Vec<ClassJson>,
    totals: Totals,
}

fn report(e: &Expansion) -> Report<'_> {
    let spec = &e.spec;
    let vertex = |k: usize| VertexJson {
        name: &spec.vertices[k].name,
        degree: spec.vertices[k].degree,
    };
    Report {
        points: spec.points,
        order: spec.order,
        vertices: (0..spec.vertices.len()).map(vertex).collect(),
        connected_only: spec.connected_only,
        keep_self_energy: spec.keep_self_energy,
        diagrams: e
            .diagrams
            .iter()
            .map(|d| DiagramJson {
                coefficient: text::rational(&d.coefficient),
                monomial: e.monomial_name(&d.monomial),
                symmetry_factor: d.symmetry_factor.to_string(),
                vertices: d.internal.iter().map(|&k| vertex(k)).collect(),
                edges: d.edges.iter().map(|&(a, b)| [a, b]).collect(),
                connected: d.connected,
                class: d.class,
            })
            .collect(),
        classes: e
            .classes
            .iter()
            .map(|c| ClassJson {
                id: c.id,
                monomial: e.monomial_name(&c.monomial),
                coefficient: text::rational(&c.coefficient),
                members: c.members,
                representative: c.representative,
                latex: latex::class_term(e, c),
            })
            .collect(),
        totals: Totals(
            e.totals()
                .iter()
                .map(|(m, t)| (e.monomial_name(m), text::rational(t)))
                .collect(),
        ),
    }
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
        Format::Json => output::to_json(&report(&e))?,
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
