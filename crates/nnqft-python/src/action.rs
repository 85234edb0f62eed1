//! `action`: the effective action on the input set from the exact cumulants (Edgeworth
//! reconstruction, docs/conventions.md section 9), its locality summary and round trip.

use crate::args::{net_and_inputs, value_error};
use crate::convert::{dense_entries, to_dict};
use nnqft_core::paper;
use nnqft_fit::SourceHeader;
use nnqft_fit::action::{
    DEFAULT_MAX_CONDITION, Tensor, explain, locality, reconstruct, round_trip,
};
use nnqft_fit::fill::paper_operators;
use nnqft_integrate::{Cutoff, exact_tables};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// The symmetrized entries of `t` as a list of {"index", "value"} dicts.
fn entries<'py>(py: Python<'py>, t: &Tensor) -> PyResult<Bound<'py, PyList>> {
    let items = t
        .symmetrized_entries()
        .into_iter()
        .map(|(index, value)| {
            let d = PyDict::new(py);
            d.set_item("index", index)?;
            d.set_item("value", value)?;
            Ok(d)
        })
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, items)
}

/// The effective action from the exact cumulants at width N: the dict of
/// `nnqft action --json` (source exact) plus dense arrays of delta, lambda4 (and lambda6).
#[pyfunction]
#[pyo3(signature = (arch, width, *, order=1, check=false, max_condition=DEFAULT_MAX_CONDITION,
    inputs=None, sigma_w=None, sigma_b=None, d_in=1))]
#[allow(clippy::too_many_arguments)]
pub fn action<'py>(
    py: Python<'py>,
    arch: &str,
    width: usize,
    order: usize,
    check: bool,
    max_condition: f64,
    inputs: Option<&Bound<'py, PyAny>>,
    sigma_w: Option<f64>,
    sigma_b: Option<f64>,
    d_in: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let (net, xs) = net_and_inputs(arch, sigma_w, sigma_b, d_in, inputs)?;
    let checks = || -> anyhow::Result<()> {
        if width < 2 {
            anyhow::bail!("--width must be at least 2 (got {width})");
        }
        if order != 1 && order != 2 {
            anyhow::bail!("--order must be 1 (O(1/N)) or 2 (O(1/N^2)), got {order}");
        }
        if !(max_condition.is_finite() && max_condition >= 1.0) {
            anyhow::bail!("--max-condition must be a finite number >= 1, got {max_condition}");
        }
        Ok(())
    };
    checks().map_err(value_error)?;
    let (couplings, loc, trip) = py
        .allow_threads(|| -> anyhow::Result<_> {
            let t = exact_tables(&net, width, &xs)?;
            let c = reconstruct(&t.kernel, &t.kappa4, Some(&t.kappa6), order, max_condition)
                .map_err(|e| anyhow::anyhow!(explain(&e, &xs, "max_condition")))?;
            let cutoff =
                paper::fit_cutoff(net.arch()).map_or(Cutoff::INFINITE, Cutoff::finite_unchecked);
            let ops = paper_operators(&net, &xs, cutoff)?;
            let loc = locality(&t.kernel, &c.lambda4, &ops)?;
            let trip = if check {
                Some(round_trip(&c, &t.kernel, &t.kappa4, &t.kappa6)?)
            } else {
                None
            };
            Ok((c, loc, trip))
        })
        .map_err(value_error)?;
    let finite = couplings.delta.iter().all(|v| v.is_finite())
        && couplings.lambda4.data.iter().all(|v| v.is_finite())
        && couplings
            .lambda6
            .as_ref()
            .is_none_or(|t| t.data.iter().all(|v| v.is_finite()));
    if !finite {
        return Err(value_error(anyhow::anyhow!(
            "the reconstruction produced a non-finite coupling (K too ill-conditioned for double precision?)"
        )));
    }
    let d = to_dict(py, &SourceHeader::new(&net, width, &"exact")).map_err(value_error)?;
    let k = xs.len();
    let delta: Vec<Vec<f64>> = (0..k)
        .map(|a| (0..k).map(|b| couplings.delta[(a, b)]).collect())
        .collect();
    d.set_item("inputs", xs.points().to_vec())?;
    d.set_item("order", order)?;
    d.set_item("condition_number", couplings.condition_number)?;
    d.set_item("delta", delta)?;
    d.set_item("lambda4", entries(py, &couplings.lambda4)?)?;
    if let Some(t) = &couplings.lambda6 {
        d.set_item("lambda6", entries(py, t)?)?;
    }
    d.set_item("locality", to_dict(py, &loc).map_err(value_error)?)?;
    if let Some(r) = &trip {
        d.set_item("check", to_dict(py, r).map_err(value_error)?)?;
    }
    let arrays = PyDict::new(py);
    let full = |t: &Tensor| t.symmetrized_entries();
    arrays.set_item(
        "lambda4",
        dense_entries(py, k, 4, &full(&couplings.lambda4))?,
    )?;
    if let Some(t) = &couplings.lambda6 {
        arrays.set_item("lambda6", dense_entries(py, k, 6, &full(t))?)?;
    }
    d.set_item("dense", arrays)?;
    Ok(d)
}
