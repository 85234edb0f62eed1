//! The running of the quartic coupling of the ReLU-net (sigma_b = 0, d = 1, width 20) from
//! exact correlators: lambda = -DeltaG4 / (24 I4) with I4 = x1 x2 x3 x4 L^5 / 80, so the
//! slope of log|lambda| against log L is -5 and beta(lambda) = -5 lambda.
//!
//! Run: `cargo run --release --example relu_rg_slope`

use nnqft_core::{Arch, InputSet, Network};
use nnqft_fit::fill::{exact_deviations, vertex_integrals};
use nnqft_fit::{Couplings, rg_flow};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let net = Network::paper(Arch::Relu);
    let xs = InputSet::paper(Arch::Relu, 1)?;
    let dev = exact_deviations(&net, 20, &xs, false)?;
    let cutoffs = [10.0, 100.0, 1000.0, 10000.0, 100000.0];
    let ints = vertex_integrals(&net, &xs, &cutoffs, false)?;
    let r = rg_flow(&dev, &ints, Couplings::Lambda)?;
    println!(
        "ReLU-net d = 1, N = 20, exact: mean lambda over {} 4-tuples",
        r.tuples.len()
    );
    for k in 0..r.cutoffs.len() {
        println!(
            "  L = {:>8}: lambda = {:.6e}, beta/lambda = {:.6}",
            r.cutoffs[k],
            r.mean_lambda[k],
            r.mean_beta[k] / r.mean_lambda[k]
        );
    }
    println!(
        "slope of log10|lambda| vs log10 L: {:.8} (expect -5), R^2 = {:.10}",
        r.slope.unwrap_or(f64::NAN),
        r.r2.unwrap_or(f64::NAN)
    );
    Ok(())
}
