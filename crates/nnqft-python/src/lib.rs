//! The Python package `nnqft`: the toolkit's commands as functions that take numpy arrays and
//! keyword arguments named as the command line's flags, and return numpy arrays and dicts
//! with the keys of the command line's JSON (same seed, same bits).
//!
//! Thin by design: every number comes from the library crates; this crate converts values,
//! words errors as the command line does (`ValueError`), releases the GIL while the libraries
//! work, and runs `sample` on a worker thread so that Ctrl-C and progress reach Python.

mod action;
mod args;
mod bench;
mod convert;
mod couplings;
mod diagrams;
mod exact;
mod sample;

use pyo3::prelude::*;

/// The extension module `nnqft._nnqft` (re-exported by the `nnqft` package).
#[pymodule]
fn _nnqft(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(exact::kernel, m)?)?;
    m.add_function(wrap_pyfunction!(exact::exact, m)?)?;
    m.add_function(wrap_pyfunction!(sample::sample, m)?)?;
    m.add_function(wrap_pyfunction!(sample::merge, m)?)?;
    m.add_function(wrap_pyfunction!(diagrams::diagrams, m)?)?;
    m.add_function(wrap_pyfunction!(diagrams::evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(couplings::rg, m)?)?;
    m.add_function(wrap_pyfunction!(couplings::predict, m)?)?;
    m.add_function(wrap_pyfunction!(couplings::fit, m)?)?;
    m.add_function(wrap_pyfunction!(action::action, m)?)?;
    m.add_function(wrap_pyfunction!(bench::_rust_exact_seconds, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
