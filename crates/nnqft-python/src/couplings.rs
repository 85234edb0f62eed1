//! `rg`, `predict` and `fit`: couplings from exact or measured correlators
//! (docs/conventions.md sections 6 and 7); dicts with the keys of the command line's JSON.

use crate::args::{arch as parse_arch, inputs as parse_inputs, network, value_error};
use crate::convert::to_dict;
use anyhow::{Context, bail};
use nnqft_core::{InputSet, Measurement, Network, paper};
use nnqft_fit::fill::{exact_deviations, paper_operators};
use nnqft_fit::{
    Couplings, Deviations, FitData, Model, SourceHeader, Weighting, fit_models, paper_models,
    predict6, rg_flow,
};
use nnqft_integrate::Cutoff;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Where correlators come from: `exact`, a file written by `nnqft sample`/`nnqft exact`, or
/// the dict returned by `nnqft.sample`/`nnqft.exact`.
pub enum Source {
    /// The exact correlators.
    Exact,
    /// A measurement (from a file or a dict) and its label.
    Measured(Box<Measurement>, String),
}

impl Source {
    /// The `source` keyword read.
    pub fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Source> {
        if obj.extract::<String>().is_ok_and(|s| s.trim() == "exact") {
            return Ok(Source::Exact);
        }
        if let Ok(path) = obj.extract::<std::path::PathBuf>() {
            let s = path.display().to_string();
            let read = || -> anyhow::Result<Measurement> {
                let text =
                    std::fs::read_to_string(&s).with_context(|| format!("cannot read {s}"))?;
                serde_json::from_str(&text)
                    .with_context(|| format!("{s} is not a measurement written by `nnqft sample`"))
            };
            let m = read().map_err(value_error)?;
            return Ok(Source::Measured(Box::new(m), s));
        }
        // a dict from nnqft.sample / nnqft.exact: its JSON keys, without the dense arrays
        let py = obj.py();
        let d = obj.downcast::<PyDict>()?.copy()?;
        if d.contains("dense")? {
            d.del_item("dense")?;
        }
        let text: String = py.import("json")?.call_method1("dumps", (d,))?.extract()?;
        let m: Measurement = serde_json::from_str(&text)
            .context("the dict is not a measurement returned by nnqft.sample or nnqft.exact")
            .map_err(value_error)?;
        Ok(Source::Measured(Box::new(m), "dict".into()))
    }

    /// The optional `source` keyword: `exact` when absent.
    pub fn keyword(source: Option<&Bound<'_, PyAny>>) -> PyResult<Source> {
        source.map_or(Ok(Source::Exact), Source::from_py)
    }

    /// "exact", the file name or "dict".
    pub fn label(&self) -> &str {
        match self {
            Source::Exact => "exact",
            Source::Measured(_, l) => l,
        }
    }

    /// The deviations on `inputs` at `width` (default `default_width` when exact).
    pub fn deviations(
        &self,
        net: &Network,
        width: Option<usize>,
        default_width: usize,
        inputs: &InputSet,
        six: bool,
    ) -> anyhow::Result<Deviations> {
        match self {
            Source::Exact => Ok(exact_deviations(
                net,
                width.unwrap_or(default_width),
                inputs,
                six,
            )?),
            Source::Measured(m, label) => {
                let dev = Deviations::from_measurement(m)
                    .and_then(|d| {
                        d.check_settings(net, width)?;
                        d.restrict(inputs)
                    })
                    .with_context(|| label.clone())?;
                if six && dev.dg6.is_none() {
                    bail!(
                        "{label}: the 6-point function was not measured (sample with --npt 2,4,6)"
                    );
                }
                Ok(dev)
            }
        }
    }
}

/// A list of cutoffs checked as `--cutoffs` is: positive, finite, increasing, at least one.
fn check_cutoffs(cutoffs: &[f64]) -> anyhow::Result<()> {
    for (i, &l) in cutoffs.iter().enumerate() {
        if !(l.is_finite() && l > 0.0) {
            bail!("cutoffs must be positive and finite, got {l}");
        }
        if i > 0 && l <= cutoffs[i - 1] {
            bail!("cutoffs must increase, got {l} after {}", cutoffs[i - 1]);
        }
    }
    if cutoffs.is_empty() {
        bail!("no cutoffs given");
    }
    Ok(())
}

/// The header dict, the report's keys after it, and `extra` (key, value) pairs.
fn report_dict<'py, T: serde::Serialize>(
    py: Python<'py>,
    header: &SourceHeader,
    report: &T,
) -> PyResult<Bound<'py, PyDict>> {
    let d = to_dict(py, header).map_err(value_error)?;
    let d = d.downcast_into::<PyDict>()?;
    let r = to_dict(py, report).map_err(value_error)?;
    d.update(r.downcast::<pyo3::types::PyMapping>()?)?;
    Ok(d)
}

/// The quartic coupling (and with couplings="lambda,kappa" the sextic one) against the cutoff:
/// running, slope, beta functions. The dict of `nnqft rg --json`.
#[pyfunction]
#[pyo3(signature = (arch, *, width=None, cutoffs=None, source=None, couplings="lambda",
    inputs=None, sigma_w=None, sigma_b=None, d_in=1))]
#[allow(clippy::too_many_arguments)]
pub fn rg<'py>(
    py: Python<'py>,
    arch: &str,
    width: Option<usize>,
    cutoffs: Option<Vec<f64>>,
    source: Option<&Bound<'py, PyAny>>,
    couplings: &str,
    inputs: Option<&Bound<'py, PyAny>>,
    sigma_w: Option<f64>,
    sigma_b: Option<f64>,
    d_in: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let a = parse_arch(arch).map_err(value_error)?;
    let net = network(a, sigma_w, sigma_b, d_in).map_err(value_error)?;
    let xs = parse_inputs(a, d_in, inputs)?;
    let cutoffs = cutoffs.unwrap_or_else(|| paper::CUTOFFS.to_vec());
    check_cutoffs(&cutoffs).map_err(value_error)?;
    let which = match couplings.replace(' ', "").to_ascii_lowercase().as_str() {
        "lambda" => Couplings::Lambda,
        "lambda,kappa" | "kappa,lambda" => Couplings::LambdaKappa,
        other => {
            return Err(value_error(anyhow::anyhow!(
                "--couplings must be `lambda` or `lambda,kappa`, got `{other}`"
            )));
        }
    };
    let src = Source::keyword(source)?;
    let kappa = which == Couplings::LambdaKappa;
    let (dev, report) = py
        .allow_threads(|| -> anyhow::Result<_> {
            let dev = src.deviations(&net, width, paper::rg_width(a), &xs, kappa)?;
            let ints = nnqft_report::rg::integrals(&net, &dev.inputs, &cutoffs, kappa, &|_| {})?;
            let report = rg_flow(&dev, &ints, which)?;
            Ok((dev, report))
        })
        .map_err(value_error)?;
    crate::args::warn(py, &report.warnings)?;
    let d = report_dict(
        py,
        &SourceHeader::new(&net, dev.width, &src.label()),
        &report,
    )?;
    d.set_item("inputs", dev.inputs.points().to_vec())?;
    Ok(d.into_any())
}

/// The 6-point deviation predicted from the quartic coupling, against the measured or exact
/// one (docs/conventions.md section 6). The dict of `nnqft predict --json`.
#[pyfunction]
#[pyo3(signature = (arch, *, width=None, cutoff=paper::PREDICTION_CUTOFF, source=None,
    inputs=None, sigma_w=None, sigma_b=None, d_in=1))]
#[allow(clippy::too_many_arguments)]
pub fn predict<'py>(
    py: Python<'py>,
    arch: &str,
    width: Option<usize>,
    cutoff: f64,
    source: Option<&Bound<'py, PyAny>>,
    inputs: Option<&Bound<'py, PyAny>>,
    sigma_w: Option<f64>,
    sigma_b: Option<f64>,
    d_in: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let a = parse_arch(arch).map_err(value_error)?;
    let net = network(a, sigma_w, sigma_b, d_in).map_err(value_error)?;
    let xs = parse_inputs(a, d_in, inputs)?;
    if !(cutoff.is_finite() && cutoff > 0.0) {
        return Err(value_error(anyhow::anyhow!(
            "--cutoff must be positive and finite, got {cutoff}"
        )));
    }
    let src = Source::keyword(source)?;
    let (dev, p) = py
        .allow_threads(|| -> anyhow::Result<_> {
            let dev = src.deviations(&net, width, paper::rg_width(a), &xs, true)?;
            let ints = nnqft_report::rg::integrals(&net, &dev.inputs, &[cutoff], false, &|_| {})?;
            let p = predict6(&dev, &ints[0])?;
            Ok((dev, p))
        })
        .map_err(value_error)?;
    let d = report_dict(py, &SourceHeader::new(&net, dev.width, &src.label()), &p)?;
    d.set_item("inputs", dev.inputs.points().to_vec())?;
    Ok(d.into_any())
}

/// Models by name (M0..M3, any case).
fn models(names: &str) -> anyhow::Result<Vec<Model>> {
    let all = paper_models();
    let out: Vec<Model> = names
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|name| {
            all.iter()
                .find(|m| m.name.eq_ignore_ascii_case(name))
                .cloned()
                .with_context(|| format!("unknown model '{name}' (expected M0, M1, M2 or M3)"))
        })
        .collect::<anyhow::Result<_>>()?;
    if out.is_empty() {
        bail!("no models given");
    }
    Ok(out)
}

/// Fit candidate effective actions to the 4-point deviation and judge them on held-out
/// inputs, the paper's Table 5 (docs/conventions.md section 7). The dict of `nnqft fit --json`.
#[pyfunction]
#[pyo3(signature = (arch, *, width=None, models="M0,M1,M2,M3", source=None,
    train_inputs=None, test_inputs=None, cutoff=None, weighting=None, sigma_w=None,
    sigma_b=None, d_in=1))]
#[allow(clippy::too_many_arguments)]
pub fn fit<'py>(
    py: Python<'py>,
    arch: &str,
    width: Option<usize>,
    models: &str,
    source: Option<&Bound<'py, PyAny>>,
    train_inputs: Option<&Bound<'py, PyAny>>,
    test_inputs: Option<&Bound<'py, PyAny>>,
    cutoff: Option<&Bound<'py, PyAny>>,
    weighting: Option<&str>,
    sigma_w: Option<f64>,
    sigma_b: Option<f64>,
    d_in: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let a = parse_arch(arch).map_err(value_error)?;
    let net = network(a, sigma_w, sigma_b, d_in).map_err(value_error)?;
    let test = match test_inputs {
        Some(t) => parse_inputs(a, d_in, Some(t))?,
        None => paper::test_inputs(a, d_in).map_err(|e| value_error(e.into()))?,
    };
    let train = match train_inputs {
        Some(t) => parse_inputs(a, d_in, Some(t))?,
        None => test
            .scaled(paper::TRAIN_SCALE)
            .map_err(|e| value_error(e.into()))?,
    };
    let cut: Cutoff = match cutoff {
        Some(c) => crate::diagrams::cutoff_keyword(c).map_err(value_error)?,
        None => paper::fit_cutoff(a).map_or(Cutoff::INFINITE, Cutoff::finite_unchecked),
    };
    let models = self::models(models).map_err(value_error)?;
    let src = Source::keyword(source)?;
    let (dev_train, report) = py
        .allow_threads(|| -> anyhow::Result<_> {
            let w = paper::fit_width(a);
            let dev_train = src.deviations(&net, width, w, &train, false)?;
            let dev_test = src.deviations(&net, width, w, &test, false)?;
            let weighting = match weighting {
                None if dev_train.sampled => Weighting::Errors,
                None => Weighting::Plain,
                Some("errors") => Weighting::Errors,
                Some("plain") => Weighting::Plain,
                Some("relative") => Weighting::Relative,
                Some(other) => {
                    bail!("--weighting must be errors, plain or relative, got '{other}'")
                }
            };
            let train_data = FitData::new(&dev_train, paper_operators(&net, &train, cut)?)?;
            let test_data = FitData::new(&dev_test, paper_operators(&net, &test, cut)?)?;
            let report = fit_models(&train_data, &test_data, &models, weighting)?;
            Ok((dev_train, report))
        })
        .map_err(value_error)?;
    for m in &report.models {
        crate::args::warn(py, &m.warnings)?;
    }
    let d = report_dict(
        py,
        &SourceHeader::new(&net, dev_train.width, &src.label()),
        &report,
    )?;
    match cut.length() {
        Some(l) => d.set_item("cutoff", l)?,
        None => d.set_item("cutoff", "inf")?,
    }
    d.set_item("train_inputs", train.points().to_vec())?;
    d.set_item("test_inputs", test.points().to_vec())?;
    Ok(d.into_any())
}
