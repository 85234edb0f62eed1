//! `nnqft kernel`: the GP kernel matrix over an input set.

use crate::cli::{ArchArgs, Global, output};
use anyhow::Result;
use serde::Serialize;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub arch: ArchArgs,
}

#[derive(Serialize)]
struct KernelReport<'a> {
    arch: String,
    sigma_w: f64,
    sigma_b: f64,
    d_in: usize,
    inputs: &'a [Vec<f64>],
    kernel: Vec<Vec<f64>>,
}

pub fn run(args: Args, global: &Global) -> Result<()> {
    let net = args.arch.network()?;
    let xs = args.arch.inputs()?;
    let k = net.try_kernel_matrix(&xs)?;
    let rows: Vec<Vec<f64>> = k.row_iter().map(|r| r.iter().copied().collect()).collect();
    if global.json {
        return output::print_json(&KernelReport {
            arch: net.arch().name(),
            sigma_w: net.sigma_w(),
            sigma_b: net.sigma_b(),
            d_in: net.d_in(),
            inputs: xs.points(),
            kernel: rows,
        });
    }
    println!(
        "{} kernel (sigma_w = {}, sigma_b = {}, d = {}) over {} inputs",
        net.arch().title(),
        nnqft_core::number(net.sigma_w()),
        nnqft_core::number(net.sigma_b()),
        net.d_in(),
        xs.len()
    );
    for (a, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row.iter().map(|v| format!("{v:>12.8}")).collect();
        println!("x{:<3} {}", a + 1, cells.join(" "));
    }
    Ok(())
}
