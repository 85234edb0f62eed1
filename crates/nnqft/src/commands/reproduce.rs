//! `nnqft reproduce`: the whole paper in one command. Runs the six stages of the report
//! (the nnqft-report library), writes DIR/report.md, one JSON file per stage, the SVG figures and
//! expansions.tex (and .pdf with lualatex), atomically; a rerun replaces the report cleanly.

use crate::cli::{Global, output};
use crate::commands::experiment::prepare_dir;
use crate::commands::sample::check_threads;
use crate::report::{Bars, Outputs, figures, latex};
use anyhow::{Result, anyhow};
use nnqft_ensemble::Estimator;
use nnqft_report::{
    Ctx, ReportError, RunInfo, Scale, diagrams, exact_overlay, fits, gp_check, prediction, rg,
};
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// quick (minutes, default) or paper (10 experiments of 10^6 nets per width).
    #[arg(long, default_value = "quick")]
    pub scale: String,
    /// Output directory (created with its parents if missing).
    #[arg(long, short = 'o', default_value = "nnqft-report")]
    pub out: PathBuf,
    /// RNG seed of the sampling stage.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// How stage 1 estimates the correlators: `conditional` (the output layer integrated out,
    /// docs/conventions.md section 8) or `direct` (the paper's); the Erf-net is also sampled
    /// with the other one, for the comparison of their backgrounds.
    #[arg(long, default_value = "conditional")]
    pub estimator: Estimator,
    /// Worker threads for sampling (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Override the networks per width (every width and architecture), e.g. for a smoke test.
    #[arg(long, hide = true)]
    pub nets: Option<u64>,
    /// Do not compile expansions.tex even when lualatex is present.
    #[arg(long, hide = true)]
    pub no_pdf: bool,
}

pub fn run(args: Args, global: &Global) -> Result<()> {
    let scale = Scale::parse(&args.scale, args.nets, args.estimator).map_err(|e| match e {
        ReportError::UnknownScale(s) => anyhow!("--scale must be quick or paper, got '{s}'"),
        ReportError::NoNets => anyhow!("--nets must be positive"),
        e => e.into(),
    })?;
    check_threads(args.threads)?;
    prepare_dir(&args.out)?;
    let ctx = Ctx {
        scale,
        seed: args.seed,
        threads: args.threads,
        estimator: args.estimator,
    };
    let bars = Bars::new(global);
    let start = Instant::now();
    let mut times: Vec<(String, f64)> = vec![];
    let mut lap =
        |name: &str, t: Instant| times.push((name.to_string(), t.elapsed().as_secs_f64()));
    let mut out = Outputs::new(&args.out);
    let say = |msg: &str| {
        if !global.quiet {
            eprintln!("{msg}");
        }
    };

    say("stage 1/6: sampling the width sweeps");
    let t = Instant::now();
    let g = gp_check::run(&ctx, &bars)?;
    out.json("gp_check.json", &g)?;
    lap("1 GP check (sampling)", t);

    say("stage 2/6: exact correlators");
    let t = Instant::now();
    let x = exact_overlay::run(&g, &bars)?;
    figures::write_sweeps(&g, &x, &mut out)?;
    out.json("exact.json", &x)?;
    lap("2 exact correlators", t);

    say("stage 3/6: RG flow");
    let t = Instant::now();
    let r = rg::run(&ctx, &g, &bars)?;
    figures::write_flows(&r, &mut out)?;
    out.json("rg.json", &r)?;
    lap("3 RG flow", t);

    say("stage 4/6: 6-point prediction");
    let t = Instant::now();
    let p = prediction::run(&g, &bars)?;
    figures::write_prediction(&p, &mut out)?;
    out.json("prediction.json", &p)?;
    lap("4 6-point prediction", t);

    say("stage 5/6: Table 5 fits");
    let t = Instant::now();
    let f = fits::run(&bars)?;
    out.json("table5.json", &f)?;
    lap("5 Table 5", t);

    say("stage 6/6: diagram expansions");
    let t = Instant::now();
    let (mut d, tex) = diagrams::run()?;
    latex::write(&mut d, &tex, &mut out, !args.no_pdf)?;
    out.json("diagrams.json", &d)?;
    lap("6 diagrams", t);

    let info = RunInfo {
        stage_seconds: times,
        total_seconds: start.elapsed().as_secs_f64(),
        ..RunInfo::new(ctx.scale.clone(), ctx.seed, ctx.threads, ctx.estimator)
    };
    out.json("run.json", &info)?;
    let md = nnqft_report::render(&info, &nnqft_report::sections(&g, &x, &r, &p, &f, &d));
    out.bytes("report.md", md.as_bytes())?;
    let removed = out.finish()?;
    if global.json {
        return output::print_json(&info);
    }
    if !global.quiet {
        for name in removed {
            eprintln!("removed stale {name}");
        }
        eprintln!(
            "wrote {} in {:.1} s",
            args.out.join("report.md").display(),
            info.total_seconds
        );
    }
    Ok(())
}
