//! The keywords every function shares (arch, sigma_w, sigma_b, d_in, inputs) as the library's
//! validated values, and library errors as Python exceptions with the command line's text.

use nnqft_core::{Arch, BiasDist, InputSet, Network};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// `e` as a `ValueError` whose message is the line `nnqft` prints after "error: ".
pub fn value_error(e: anyhow::Error) -> PyErr {
    PyValueError::new_err(format!("{e:#}"))
}

/// An architecture by name (`Arch`'s own parser: every activation it knows).
pub fn arch(name: &str) -> anyhow::Result<Arch> {
    name.parse::<Arch>()
        .map_err(|e| anyhow::anyhow!("invalid value '{name}' for 'arch': {e}"))
}

/// The validated network: sigma_w and sigma_b default to the architecture's defaults.
pub fn network(
    arch: Arch,
    sigma_w: Option<f64>,
    sigma_b: Option<f64>,
    d_in: usize,
) -> anyhow::Result<Network> {
    Ok(Network::new(
        arch,
        sigma_w.unwrap_or(arch.default_sigma_w()),
        sigma_b.unwrap_or(arch.default_sigma_b()),
        d_in,
    )?)
}

/// The validated input set (the `inputs` keyword as in [`crate::convert::inputs_text`]).
pub fn inputs(arch: Arch, d_in: usize, inputs: Option<&Bound<'_, PyAny>>) -> PyResult<InputSet> {
    let text = crate::convert::inputs_text(inputs)?;
    InputSet::parse(&text, arch, Some(d_in)).map_err(|e| value_error(e.into()))
}

/// Network and inputs from the shared keywords.
pub fn net_and_inputs(
    arch_name: &str,
    sigma_w: Option<f64>,
    sigma_b: Option<f64>,
    d_in: usize,
    xs: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Network, InputSet)> {
    let a = arch(arch_name).map_err(value_error)?;
    let net = network(a, sigma_w, sigma_b, d_in).map_err(value_error)?;
    let xs = inputs(a, d_in, xs)?;
    Ok((net, xs))
}

/// The network with the `bias_dist` and `depth` keywords applied (the CLI's --bias-dist and
/// --depth, with the same messages).
pub fn family(net: Network, bias_dist: &str, depth: usize) -> PyResult<Network> {
    let bias: BiasDist = bias_dist.parse().map_err(|e: nnqft_core::CoreError| {
        value_error(anyhow::anyhow!(
            "invalid value '{bias_dist}' for 'bias_dist': {e}"
        ))
    })?;
    net.with_bias(bias)
        .with_depth(depth)
        .map_err(|e| value_error(anyhow::anyhow!("--depth: {e}")))
}

/// Emit each of `warnings` as a Python `UserWarning` (the command line prints them on stderr).
pub fn warn(py: Python<'_>, warnings: &[String]) -> PyResult<()> {
    if warnings.is_empty() {
        return Ok(());
    }
    let w = py.import("warnings")?;
    for msg in warnings {
        w.call_method1("warn", (msg.as_str(),))?;
    }
    Ok(())
}

/// Network (with `bias_dist` and `depth`) and inputs from the keywords of `kernel`, `exact`
/// and `sample`.
#[allow(clippy::too_many_arguments)]
pub fn family_and_inputs(
    arch_name: &str,
    sigma_w: Option<f64>,
    sigma_b: Option<f64>,
    d_in: usize,
    xs: Option<&Bound<'_, PyAny>>,
    bias_dist: &str,
    depth: usize,
) -> PyResult<(Network, InputSet)> {
    let (net, xs) = net_and_inputs(arch_name, sigma_w, sigma_b, d_in, xs)?;
    Ok((family(net, bias_dist, depth)?, xs))
}
