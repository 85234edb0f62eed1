//! Exact against sampled 4-point function of the Erf-net at width 5 (the paper's inputs):
//! the exact correlators come from one-neuron moments (nnqft-integrate), the sampled ones
//! from 400,000 networks (nnqft-ensemble); z = (sampled - exact) / stderr should look
//! standard normal over the 126 entries (the entries share the same networks, so their z are
//! correlated: expect a spread of the mean, not 126 independent draws).
//!
//! Run: `cargo run --release --example exact_vs_sampled`

use nnqft_core::{Arch, InputSet, Network};
use nnqft_ensemble::{Plan, Settings, sample};
use nnqft_integrate::exact_measurement;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (arch, width) = (Arch::Erf, 5);
    let net = Network::paper(arch);
    let xs = InputSet::paper(arch, 1)?;
    let plan = Plan::new(
        Settings::new(net, xs.clone(), width, &[2, 4])?,
        400_000,
        10,
        7,
    )?;
    let sampled = sample(&plan, None, &|_| {})?;
    let exact = exact_measurement(&net, width, &xs, &[2, 4])?;
    let (s, e) = (&sampled.correlators["4"], &exact.correlators["4"]);
    let z: Vec<f64> = s
        .iter()
        .zip(e)
        .map(|(s, e)| (s.mean - e.mean) / s.stderr)
        .collect();
    let k = z.len() as f64;
    let mean = z.iter().sum::<f64>() / k;
    let std = (z.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (k - 1.0)).sqrt();
    let within = z.iter().filter(|v| v.abs() <= 4.0).count();
    println!(
        "{} N = {width}: 4-point function, {} nets",
        arch.title(),
        plan.nets()
    );
    for i in [0, 60, 125] {
        println!(
            "  G4{:?}: sampled {:.6} +- {:.6}, exact {:.6}, z = {:+.2}",
            s[i].index, s[i].mean, s[i].stderr, e[i].mean, z[i]
        );
    }
    println!(
        "  z over {} entries: mean {mean:+.3}, std {std:.3}, {within} within 4 sigma",
        z.len()
    );
    println!(
        "  m_4: sampled {:.4e}, exact {:.4e}",
        sampled.summary["4"].signal, exact.summary["4"].signal
    );
    Ok(())
}
