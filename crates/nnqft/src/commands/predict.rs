//! `nnqft predict`: the 6-point deviation predicted from the quartic coupling of the 4-point
//! function, DeltaG6 = -24 lambda sum_15 I4(four) K(pair), against the measured or exact one
//! (docs/conventions.md section 6).

use crate::cli::{ArchArgs, Global, output};
use crate::commands::rg::{
    Source, SourceHeader, check_deep_work, integrals_with_progress, load_deviations,
};
use anyhow::{Result, bail};
use nnqft_core::paper;
use nnqft_fit::{Prediction, predict6};
use serde::Serialize;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub arch: ArchArgs,
    /// Width N (default: ReLU 20, Erf 5, Gauss 100; with a FILE source, the file's width).
    #[arg(long)]
    pub width: Option<usize>,
    /// Cutoff L of the vertex integrals.
    #[arg(long, default_value_t = paper::PREDICTION_CUTOFF, allow_negative_numbers = true)]
    pub cutoff: f64,
    /// Correlators: `exact` or a FILE written by `nnqft sample` (with the 6-point function).
    #[arg(long, default_value = "exact")]
    pub source: String,
    /// Also write the JSON result to FILE (atomically).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
}

#[derive(Serialize)]
struct PredictOutput<'a> {
    #[serde(flatten)]
    header: SourceHeader,
    inputs: &'a [Vec<f64>],
    #[serde(flatten)]
    prediction: &'a Prediction,
}

pub fn run(args: Args, global: &Global) -> Result<()> {
    let net = args.arch.network()?;
    let xs = args.arch.inputs()?;
    if !(args.cutoff.is_finite() && args.cutoff > 0.0) {
        bail!(
            "--cutoff must be positive and finite, got {}",
            nnqft_integrate::number(args.cutoff)
        );
    }
    if let Some(path) = &args.out {
        output::check_output_path(path)?;
    }
    let source = Source::parse(&args.source);
    check_deep_work(&net, &xs, &source, Some(args.cutoff), (1, xs.len(), 2))?;
    let dev = load_deviations(
        &source,
        &net,
        args.width,
        paper::rg_width(net.arch()),
        &xs,
        true,
    )?;
    let ints = integrals_with_progress(global, &net, &dev.inputs, &[args.cutoff], false)?;
    let p = predict6(&dev, &ints[0])?;
    let out = PredictOutput {
        header: SourceHeader::new(&net, dev.width, &source),
        inputs: dev.inputs.points(),
        prediction: &p,
    };
    if let Some(path) = &args.out {
        output::write_json(path, &out)?;
    }
    if global.json {
        return output::print_json(&out);
    }
    println!(
        "{}{} width {}, source {}, L = {}: lambda = {:.6e} +- {:.2e} (mean over 4-tuples)",
        net.arch().title(),
        crate::commands::rg::deep_note(&net, &source),
        dev.width,
        source.label(),
        p.cutoff,
        p.lambda.value,
        p.lambda.error
    );
    println!(
        "{:<20} {:>14} {:>14} {:>10} {:>10}",
        "6-tuple", "predicted", "measured", "+-", "ratio"
    );
    for i in 0..p.tuples.len() {
        let ratio = if p.vanishing.contains(&p.tuples[i]) {
            "vanishes".to_string()
        } else {
            format!("{:.5}", p.ratio[i])
        };
        println!(
            "{:<20} {:>14.6e} {:>14.6e} {:>10.2e} {:>10}",
            format!("{:?}", p.tuples[i]),
            p.predicted[i],
            p.measured[i],
            p.measured_error[i],
            ratio
        );
    }
    println!(
        "median |predicted - measured| / |measured| = {:.4e} (over the {} of {} entries whose measured value does not vanish)",
        p.median_abs_rel_error,
        p.tuples.len() - p.vanishing.len(),
        p.tuples.len()
    );
    match p.fraction_within_error {
        Some(f) => println!("fraction within the sampling error: {f:.4}"),
        None => println!("fraction within the sampling error: - (exact source)"),
    }
    Ok(())
}
