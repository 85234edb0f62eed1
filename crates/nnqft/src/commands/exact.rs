//! `nnqft exact`: exact finite-width 2-, 4-, 6-point functions and cumulants from one-neuron
//! moments (docs/conventions.md section 4), in the JSON schema of `nnqft sample` with zero errors.

use crate::cli::{ArchArgs, Global, output};
use anyhow::Result;
use nnqft_integrate::exact_measurement;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub arch: ArchArgs,
    /// Width N of the hidden layer.
    #[arg(long)]
    pub width: usize,
    /// Which n-point functions (2, 4, 6), comma separated [default: 2,4,6; with --depth above
    /// 1: 2,4, the orders of the 1/n result].
    #[arg(long, value_delimiter = ',')]
    pub npt: Option<Vec<usize>>,
    /// Write the JSON result to FILE (atomically).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Refuse exact tables above this many entries in all (an entry of the 6-point function
/// costs about 0.1 ms of quadrature on one core: 20 inputs, 177100 entries, take 25 s on 2).
const MAX_EXACT_ENTRIES: u128 = 100_000;

pub fn run(args: Args, global: &Global) -> Result<()> {
    let net = args.arch.network()?;
    let xs = args.arch.inputs()?;
    let npt = match (&args.npt, net.depth()) {
        (Some(n), _) => n.clone(),
        (None, 1) => vec![2, 4, 6],
        (None, _) => vec![2, 4],
    };
    let entries: u128 = npt
        .iter()
        // Only n = 2, 4, 6 exist (exact_measurement says so); a huge n is not counted.
        .map(|&n| {
            if n <= 6 {
                nnqft_core::multiset_count(xs.len(), n)
            } else {
                0
            }
        })
        .fold(0, u128::saturating_add);
    if entries > MAX_EXACT_ENTRIES {
        anyhow::bail!(
            "--inputs/--npt: the exact tables of {} inputs at n = {:?} have {entries} entries (about {:.0} s of quadrature), above the limit of {MAX_EXACT_ENTRIES}; use fewer inputs or orders",
            xs.len(),
            npt,
            entries as f64 * 1e-4 / 2.0
        );
    }
    if let Some(path) = &args.out {
        output::check_output_path(path)?;
    }
    let m = exact_measurement(&net, args.width, &xs, &npt)?;
    for w in &m.warnings {
        eprintln!("warning: {w}");
    }
    if let Some(path) = &args.out {
        output::write_json(path, &m)?;
    }
    if global.json {
        return output::print_json(&m);
    }
    let what = match &m.order {
        Some(o) => format!("depth-{} correlators at order {o}", net.depth()),
        None => "exact correlators".to_string(),
    };
    println!(
        "{} {what} at width N = {} (sigma_w = {}, sigma_b = {}, d = {}), {} inputs",
        net.arch().title(),
        args.width,
        nnqft_core::number(net.sigma_w()),
        nnqft_core::number(net.sigma_b()),
        net.d_in(),
        xs.len()
    );
    for (n, s) in &m.summary {
        let entries = m.correlators.get(n).map_or(0, Vec::len);
        let cum = m.connected.get(n).map(|c| {
            let mean_abs = c.iter().map(|e| e.mean.abs()).sum::<f64>() / c.len() as f64;
            format!(", mean |cumulant| = {mean_abs:.6e}")
        });
        println!(
            "  G{n}: {entries} entries, m_{n} = mean |G - G_GP|/G_GP = {:.6e}{}",
            s.signal,
            cum.unwrap_or_default()
        );
    }
    match &args.out {
        Some(p) => println!("wrote {}", p.display()),
        None => println!("(every entry: --json or --out FILE)"),
    }
    Ok(())
}
