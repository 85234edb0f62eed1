//! A timing hook for bench/python_overhead.py: the library call behind `exact`, timed in
//! Rust, so the Python overhead (argument parsing, conversion to dicts and arrays) can be
//! measured against it.

use crate::args::net_and_inputs;
use pyo3::prelude::*;
use std::time::Instant;

/// Seconds per call of `nnqft_integrate::exact_measurement` (the mean over `reps` calls),
/// with the same keywords as `exact`.
#[pyfunction]
#[pyo3(signature = (arch, width, reps, *, npt=vec![2, 4, 6], inputs=None))]
pub fn _rust_exact_seconds(
    py: Python<'_>,
    arch: &str,
    width: usize,
    reps: u32,
    npt: Vec<usize>,
    inputs: Option<&Bound<'_, PyAny>>,
) -> PyResult<f64> {
    let (net, xs) = net_and_inputs(arch, None, None, 1, inputs)?;
    py.allow_threads(|| {
        let start = Instant::now();
        for _ in 0..reps.max(1) {
            let m = nnqft_integrate::exact_measurement(&net, width, &xs, &npt);
            std::hint::black_box(m).map_err(|e| crate::args::value_error(e.into()))?;
        }
        Ok(start.elapsed().as_secs_f64() / f64::from(reps.max(1)))
    })
}
