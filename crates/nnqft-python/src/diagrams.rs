//! `diagrams` (the expansion with exact coefficients as `fractions.Fraction` and LaTeX) and
//! `evaluate` (every class at one input tuple under a cutoff).

use crate::args::{net_and_inputs, value_error};
use crate::convert::to_dict;
use anyhow::{Context, anyhow, bail};
use nnqft_diagrams::{
    DEFAULT_MAX_DIAGRAMS, DiagramError, ExpansionSpec, VertexKind, expand, json, latex, text,
};
use nnqft_integrate::{Cutoff, evaluate as evaluate_terms};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// The expansion spec from the keywords, validated as `nnqft diagrams` does.
fn spec(
    points: usize,
    order: usize,
    vertices: Option<Vec<String>>,
    connected: bool,
    keep_self_energy: bool,
    max_diagrams: u64,
) -> anyhow::Result<ExpansionSpec> {
    let mut spec = ExpansionSpec::new(points, order);
    if let Some(v) = vertices.filter(|v| !v.is_empty()) {
        spec.vertices = v
            .iter()
            .map(|v| VertexKind::parse(v))
            .collect::<Result<_, _>>()
            .context("bad --vertex")?;
    }
    spec.connected_only = connected;
    spec.keep_self_energy = keep_self_energy;
    spec.max_diagrams = max_diagrams;
    spec.validate().context("bad expansion")?;
    Ok(spec)
}

/// Replace the string under `key` of every dict in `list` by a `fractions.Fraction`.
fn fractions(fraction: &Bound<'_, PyAny>, list: &Bound<'_, PyAny>, key: &str) -> PyResult<()> {
    for item in list.downcast::<PyList>()?.iter() {
        let s = item.get_item(key)?;
        item.set_item(key, fraction.call1((s,))?)?;
    }
    Ok(())
}

/// The Feynman-diagram expansion of G^(n) (docs/conventions.md section 5): the dict of
/// `nnqft diagrams --json` with every coefficient and total a `fractions.Fraction`, plus
/// `latex` (the amsmath/TikZ-Feynman body of `--format latex`) and `text` (the listing).
#[pyfunction]
#[pyo3(signature = (points, order, *, vertices=None, connected=false, keep_self_energy=false,
    max_diagrams=DEFAULT_MAX_DIAGRAMS))]
pub fn diagrams<'py>(
    py: Python<'py>,
    points: usize,
    order: usize,
    vertices: Option<Vec<String>>,
    connected: bool,
    keep_self_energy: bool,
    max_diagrams: u64,
) -> PyResult<Bound<'py, PyAny>> {
    let spec = spec(
        points,
        order,
        vertices,
        connected,
        keep_self_energy,
        max_diagrams,
    )
    .map_err(value_error)?;
    let e = py
        .allow_threads(|| expand(&spec))
        .map_err(|err| match err {
            DiagramError::TooLarge { .. } => {
                anyhow!("cannot expand: {err} (raise it with --max-diagrams)")
            }
            err => anyhow!("cannot expand: {err}"),
        })
        .map_err(value_error)?;
    let d = to_dict(py, &json::to_json(&e)).map_err(value_error)?;
    let fraction = py.import("fractions")?.getattr("Fraction")?;
    fractions(&fraction, &d.get_item("diagrams")?, "coefficient")?;
    fractions(&fraction, &d.get_item("classes")?, "coefficient")?;
    let totals = d.get_item("totals")?;
    let totals = totals.downcast::<PyDict>()?;
    for (k, v) in totals.clone().iter() {
        totals.set_item(k, fraction.call1((v,))?)?;
    }
    d.set_item("latex", latex::body(&e))?;
    d.set_item("text", text::listing(&e))?;
    Ok(d)
}

/// A cutoff keyword: a positive number, `math.inf` or the string "inf" (as `--cutoff`).
pub fn cutoff_keyword(obj: &Bound<'_, PyAny>) -> anyhow::Result<Cutoff> {
    let s = match obj.extract::<f64>() {
        Ok(x) if x.is_infinite() && x > 0.0 => "inf".to_string(),
        Ok(x) => format!("{x:?}"),
        Err(_) => obj.str().map(|s| s.to_string()).unwrap_or_default(),
    };
    s.parse().with_context(|| format!("invalid --cutoff '{s}'"))
}

/// Every class (or labelled diagram) of the expansion of G^(n) at one input tuple under a
/// cutoff: the dict of `nnqft evaluate --json`.
#[pyfunction]
#[pyo3(signature = (arch, points, order, tuple, cutoff, *, lambda_=1.0, kappa=1.0,
    diagrams=false, connected=false, keep_self_energy=false, inputs=None, sigma_w=None,
    sigma_b=None, d_in=1))]
#[allow(clippy::too_many_arguments)]
pub fn evaluate<'py>(
    py: Python<'py>,
    arch: &str,
    points: usize,
    order: usize,
    tuple: Vec<usize>,
    cutoff: &Bound<'py, PyAny>,
    lambda_: f64,
    kappa: f64,
    diagrams: bool,
    connected: bool,
    keep_self_energy: bool,
    inputs: Option<&Bound<'py, PyAny>>,
    sigma_w: Option<f64>,
    sigma_b: Option<f64>,
    d_in: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let (net, xs) = net_and_inputs(arch, sigma_w, sigma_b, d_in, inputs)?;
    let cut = cutoff_keyword(cutoff).map_err(value_error)?;
    let checked = || -> anyhow::Result<()> {
        if tuple.len() != points {
            bail!(
                "--tuple has {} indices but --points is {}",
                tuple.len(),
                points
            );
        }
        if let Some(&bad) = tuple.iter().find(|&&i| i >= xs.len()) {
            bail!(
                "--tuple index {bad} is out of range: there are {} inputs (indices 0..{})",
                xs.len(),
                xs.len() - 1
            );
        }
        for (name, g) in [("lambda", lambda_), ("kappa", kappa)] {
            if !g.is_finite() {
                bail!("--{name} must be finite, got {g}");
            }
        }
        Ok(())
    };
    checked().map_err(value_error)?;
    let mut spec = ExpansionSpec::new(points, order);
    spec.connected_only = connected;
    spec.keep_self_energy = keep_self_energy;
    let report = py
        .allow_threads(|| -> anyhow::Result<_> {
            let e = expand(&spec)?;
            let pts: Vec<&[f64]> = tuple.iter().map(|&i| xs.point(i)).collect();
            let couplings: Vec<f64> = spec
                .vertices
                .iter()
                .map(|v| match v.name.as_str() {
                    "lambda" => lambda_,
                    "kappa" => kappa,
                    _ => 1.0,
                })
                .collect();
            let ev = evaluate_terms(&net, &e, &pts, cut, &couplings, diagrams, &|| {})?;
            // The same structure as `nnqft evaluate --json`.
            Ok(nnqft_integrate::EvaluationReport {
                settings: nnqft_integrate::EvaluationSettings::new(
                    &net, &xs, &spec, cut, &couplings,
                ),
                row: nnqft_integrate::TupleRecord::new(&e, ev, tuple.clone()),
            })
        })
        .map_err(value_error)?;
    to_dict(py, &report).map_err(value_error)
}
