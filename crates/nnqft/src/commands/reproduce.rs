//! `nnqft reproduce`: the whole paper in one command. Runs the six stages of the report
//! (crate::report), writes DIR/report.md, one JSON file per stage, the SVG figures and
//! expansions.tex (and .pdf with lualatex), atomically; a rerun replaces the report cleanly.

use crate::cli::{Global, output};
use crate::commands::experiment::prepare_dir;
use crate::commands::sample::check_threads;
use crate::report::{
    self, Ctx, Outputs, Scale, Section, diagrams, exact_overlay, fits, gp_check, prediction, rg,
    summary,
};
use anyhow::Result;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// quick (minutes, default) or paper (10 experiments of 10^6 nets per width).
    #[arg(long, default_value = "quick")]
    pub scale: String,
    /// Output directory (created if its parent exists).
    #[arg(long, default_value = "nnqft-report")]
    pub out: PathBuf,
    /// RNG seed of the sampling stage.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
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

/// The run's settings and timings (run.json).
#[derive(Serialize)]
struct RunInfo {
    version: &'static str,
    scale: Scale,
    seed: u64,
    threads: Option<usize>,
    /// Wall seconds per stage, in order.
    stage_seconds: Vec<(String, f64)>,
    total_seconds: f64,
}

pub fn run(args: Args, global: &Global) -> Result<()> {
    let scale = Scale::parse(&args.scale, args.nets)?;
    check_threads(args.threads)?;
    prepare_dir(&args.out)?;
    let ctx = Ctx {
        global,
        dir: args.out.clone(),
        scale,
        seed: args.seed,
        threads: args.threads,
    };
    let start = Instant::now();
    let mut times: Vec<(String, f64)> = vec![];
    let mut lap =
        |name: &str, t: Instant| times.push((name.to_string(), t.elapsed().as_secs_f64()));
    let mut out = Outputs::new(&ctx.dir);
    let say = |msg: &str| {
        if !global.quiet {
            eprintln!("{msg}");
        }
    };

    say("stage 1/6: sampling the width sweeps");
    let t = Instant::now();
    let g = gp_check::run(&ctx)?;
    out.json("gp_check.json", &g)?;
    lap("1 GP check (sampling)", t);

    say("stage 2/6: exact correlators");
    let t = Instant::now();
    let x = exact_overlay::run(&ctx, &g, &mut out)?;
    out.json("exact.json", &x)?;
    lap("2 exact correlators", t);

    say("stage 3/6: RG flow");
    let t = Instant::now();
    let r = rg::run(&ctx, &g, &mut out)?;
    out.json("rg.json", &r)?;
    lap("3 RG flow", t);

    say("stage 4/6: 6-point prediction");
    let t = Instant::now();
    let p = prediction::run(&ctx, &g, &mut out)?;
    out.json("prediction.json", &p)?;
    lap("4 6-point prediction", t);

    say("stage 5/6: Table 5 fits");
    let t = Instant::now();
    let f = fits::run(&ctx)?;
    out.json("table5.json", &f)?;
    lap("5 Table 5", t);

    say("stage 6/6: diagram expansions");
    let t = Instant::now();
    let d = diagrams::run(&mut out, !args.no_pdf)?;
    out.json("diagrams.json", &d)?;
    lap("6 diagrams", t);

    let info = RunInfo {
        version: env!("CARGO_PKG_VERSION"),
        scale: ctx.scale.clone(),
        seed: ctx.seed,
        threads: ctx.threads,
        stage_seconds: times,
        total_seconds: start.elapsed().as_secs_f64(),
    };
    out.json("run.json", &info)?;
    let sections = [
        summary::section(&g, &x, &r, &p, &f, &d),
        gp_check::section(&g),
        exact_overlay::section(&x),
        rg::section(&r),
        prediction::section(&p),
        fits::section(&f),
        diagrams::section(&d),
    ];
    let md = render(&info, &sections);
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
            ctx.dir.join("report.md").display(),
            info.total_seconds
        );
    }
    Ok(())
}

fn render(info: &RunInfo, sections: &[Section]) -> String {
    let mut s = String::from("# Neural networks and quantum field theory: reproduction report\n\n");
    s.push_str(
        "This report reruns the experiments of Halverson, Maiti and Stoner, *Neural Networks and \
         Quantum Field Theory* (Mach. Learn.: Sci. Technol. 2 (2021) 035002, arXiv:2008.08601), \
         with `nnqft reproduce`. Every number below is also in the JSON file of its stage; \
         conventions follow PHYSICS.md.\n\n",
    );
    s.push_str(&format!(
        "Scale **{}**, seed {}, threads {}; wall time {:.1} s.\n\n",
        info.scale.name,
        info.seed,
        info.threads.map_or("all".to_string(), |t| t.to_string()),
        info.total_seconds
    ));
    let rows: Vec<Vec<String>> = info
        .stage_seconds
        .iter()
        .map(|(n, t)| vec![n.clone(), format!("{t:.1}")])
        .collect();
    s.push_str(&report::markdown::table(&["stage", "seconds"], &rows));
    s.push_str(
        "\nData: [gp_check.json](gp_check.json) (stage 1), [exact.json](exact.json) (2), \
         [rg.json](rg.json) (3), [prediction.json](prediction.json) (4), \
         [table5.json](table5.json) (5), [diagrams.json](diagrams.json) (6), \
         [run.json](run.json) (settings and timings).\n\n",
    );
    for sec in sections {
        s.push_str(&format!("## {}\n\n{}\n", sec.title, sec.body.trim_end()));
        s.push_str("\n\n");
    }
    s
}
