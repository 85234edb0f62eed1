//! `kernel` and `exact`, and a measurement as a dict with dense correlator arrays.

use crate::args::{family_and_inputs, value_error, warn};
use crate::convert::{dense, positions, to_dict};
use nnqft_core::Measurement;
use numpy::{PyArray2, ToPyArray};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The GP kernel matrix K(x_a, x_b) over the inputs (docs/conventions.md section 2), a (k, k) array.
#[pyfunction]
#[pyo3(signature = (arch, inputs=None, *, sigma_w=None, sigma_b=None, d_in=1,
    bias_dist="normal", depth=1))]
#[allow(clippy::too_many_arguments)]
pub fn kernel<'py>(
    py: Python<'py>,
    arch: &str,
    inputs: Option<&Bound<'py, PyAny>>,
    sigma_w: Option<f64>,
    sigma_b: Option<f64>,
    d_in: usize,
    bias_dist: &str,
    depth: usize,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let (net, xs) = family_and_inputs(arch, sigma_w, sigma_b, d_in, inputs, bias_dist, depth)?;
    let k = net
        .try_kernel_matrix(&xs)
        .map_err(|e| value_error(e.into()))?;
    // nalgebra is column-major; K is symmetric, but transpose to row order all the same
    let rows = k.nrows();
    let data: Vec<f64> = k.transpose().as_slice().to_vec();
    let arr = numpy::ndarray::Array2::from_shape_vec((rows, rows), data)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
    Ok(arr.to_pyarray(py))
}

/// The exact finite-width correlators (docs/conventions.md section 4): the dict of
/// `nnqft exact --json` plus dense arrays.
#[pyfunction]
#[pyo3(signature = (arch, width, *, npt=None, inputs=None, sigma_w=None, sigma_b=None, d_in=1,
    bias_dist="normal", depth=1))]
#[allow(clippy::too_many_arguments)]
pub fn exact<'py>(
    py: Python<'py>,
    arch: &str,
    width: usize,
    npt: Option<Vec<usize>>,
    inputs: Option<&Bound<'py, PyAny>>,
    sigma_w: Option<f64>,
    sigma_b: Option<f64>,
    d_in: usize,
    bias_dist: &str,
    depth: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let (net, xs) = family_and_inputs(arch, sigma_w, sigma_b, d_in, inputs, bias_dist, depth)?;
    // As the CLI: 2, 4, 6 for one hidden layer; 2, 4 (the 1/n result) for deeper networks.
    let npt = npt.unwrap_or_else(|| {
        if depth == 1 {
            vec![2, 4, 6]
        } else {
            vec![2, 4]
        }
    });
    let m = py
        .allow_threads(|| nnqft_integrate::exact_measurement(&net, width, &xs, &npt))
        .map_err(|e| value_error(e.into()))?;
    measurement_dict(py, &m, &m)
}

/// The dict of `json` (the measurement `m`, or the command line's wrapper of it) plus the
/// dense arrays of `m`, after emitting `m`'s warnings: what `exact`, `sample` and `merge`
/// return.
pub fn measurement_dict<'py, T: serde::Serialize>(
    py: Python<'py>,
    m: &Measurement,
    json: &T,
) -> PyResult<Bound<'py, PyAny>> {
    warn(py, &m.warnings)?;
    let d = to_dict(py, json).map_err(value_error)?;
    add_dense(py, &d, m)?;
    Ok(d)
}

/// Add `dense` to the dict of `m`: per n, the (k,)*n arrays of the correlator (`correlators`),
/// its standard error (`correlators_stderr`), its GP prediction (`gp`), the connected
/// function (`connected`) and its standard error (`connected_stderr`).
pub fn add_dense<'py>(py: Python<'py>, d: &Bound<'py, PyAny>, m: &Measurement) -> PyResult<()> {
    let k = m.inputs.len();
    let out = PyDict::new(py);
    let names = [
        "correlators",
        "correlators_stderr",
        "gp",
        "connected",
        "connected_stderr",
    ];
    let groups: Vec<Bound<'py, PyDict>> = names.iter().map(|_| PyDict::new(py)).collect();
    for (n, entries) in &m.correlators {
        let order: usize = n.parse().unwrap_or(0);
        let indices: Vec<&[usize]> = entries.iter().map(|e| e.index.as_slice()).collect();
        let pos = positions(k, order, &indices);
        let fields: [fn(&nnqft_core::MeasuredEntry) -> f64; 3] =
            [|e| e.mean, |e| e.stderr, |e| e.gp];
        for (g, f) in groups.iter().zip(fields) {
            let values: Vec<f64> = entries.iter().map(f).collect();
            g.set_item(n, dense(py, k, order, &pos, &values)?)?;
        }
    }
    for (n, entries) in &m.connected {
        let order: usize = n.parse().unwrap_or(0);
        let indices: Vec<&[usize]> = entries.iter().map(|e| e.index.as_slice()).collect();
        let pos = positions(k, order, &indices);
        let values: Vec<f64> = entries.iter().map(|e| e.mean).collect();
        groups[3].set_item(n, dense(py, k, order, &pos, &values)?)?;
        let values: Vec<f64> = entries.iter().map(|e| e.stderr).collect();
        groups[4].set_item(n, dense(py, k, order, &pos, &values)?)?;
    }
    for (name, g) in names.iter().zip(groups) {
        out.set_item(name, g)?;
    }
    d.set_item("dense", out)
}
