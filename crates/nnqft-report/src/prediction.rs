//! Stage 4: the 6-point deviation predicted from the quartic coupling of the 4-point function
//! (nnqft-fit's predict6), exact for each architecture and from the sampled ReLU-net width 20.

use super::gp_check::GpCheck;
use super::markdown::{figure, fixed, opt_fixed, sci, table};
use super::{Ctx, Outputs, Section};
use crate::commands::rg::{integrals_with_progress, rg_width};
use crate::plot::{Figure, Series};
use anyhow::Result;
use nnqft_core::{Arch, InputSet, Network};
use nnqft_fit::fill::exact_deviations;
use nnqft_fit::{Deviations, Prediction, predict6};
use serde::Serialize;

/// The cutoff of the predictions.
pub const CUTOFF: f64 = 100.0;

/// One prediction with its setting.
#[derive(Clone, Debug, Serialize)]
pub struct Case {
    pub arch: Arch,
    pub title: String,
    pub width: usize,
    pub source: String,
    pub prediction: Prediction,
}

/// Every prediction of stage 4.
#[derive(Clone, Debug, Serialize)]
pub struct PredictionStage {
    pub cases: Vec<Case>,
}

fn case(ctx: &Ctx, arch: Arch, dev: Deviations, source: &str) -> Result<Case> {
    let net = Network::paper(arch);
    let ints = integrals_with_progress(ctx.global, &net, &dev.inputs, &[CUTOFF], false)?;
    Ok(Case {
        arch,
        title: arch.title().into(),
        width: dev.width,
        source: source.into(),
        prediction: predict6(&dev, &ints[0])?,
    })
}

/// Predict for every architecture (exact) and for the sampled ReLU-net; write the figure.
pub fn run(ctx: &Ctx, g: &GpCheck, out: &mut Outputs) -> Result<PredictionStage> {
    let mut cases = vec![];
    for arch in Arch::ALL {
        let net = Network::paper(arch);
        let xs = InputSet::paper(arch, 1)?;
        let dev = exact_deviations(&net, rg_width(arch), &xs, true)?;
        cases.push(case(ctx, arch, dev, "exact")?);
    }
    let relu = g.archs.iter().find(|a| a.arch == Arch::Relu);
    if let Some(m) = relu.and_then(|a| {
        a.sweep
            .measurements
            .iter()
            .find(|m| m.width == rg_width(Arch::Relu))
    }) {
        cases.push(case(
            ctx,
            Arch::Relu,
            Deviations::from_measurement(m)?,
            "sampled (stage 1)",
        )?);
    }
    out.svg("prediction6.svg", &ratio_figure(&cases))?;
    Ok(PredictionStage { cases })
}

fn ratio_figure(cases: &[Case]) -> Figure {
    let mut fig = Figure::new(
        "6-point deviation: predicted / measured per 6-tuple",
        "6-tuple (index in the table)",
        "predicted / measured",
    );
    for c in cases {
        let pts = c
            .prediction
            .ratio
            .iter()
            .enumerate()
            .map(|(i, r)| (i as f64, *r))
            .collect();
        fig = fig.with(Series::points(
            &format!("{} N={} {}", c.arch.name(), c.width, c.source),
            pts,
        ));
    }
    fig
}

/// One row per prediction.
pub fn rows(s: &PredictionStage) -> Vec<Vec<String>> {
    s.cases
        .iter()
        .map(|c| {
            let p = &c.prediction;
            vec![
                c.title.clone(),
                c.width.to_string(),
                c.source.clone(),
                fixed(p.cutoff, 0),
                sci(p.lambda.value),
                sci(p.lambda.error),
                sci(p.median_abs_rel_error),
                opt_fixed(p.fraction_within_error, 4),
            ]
        })
        .collect()
}

/// Section 4 of the report.
pub fn section(s: &PredictionStage) -> Section {
    let mut b = String::new();
    b.push_str(
        "**The paper:** with lambda fixed by the 4-point function, first-order perturbation \
         theory predicts the 6-point deviation, DeltaG6 = -24 lambda sum over the 15 splits of \
         I4(four points) K(other two), and the prediction is compared with the measured \
         6-point function at the NGP width.\n\n",
    );
    b.push_str(&format!(
        "**This run:** lambda is the mean over the 4-tuples at L = {CUTOFF}; accuracy is the \
         median over the 6-tuples of |predicted - measured| / |measured|, and for sampled data \
         the fraction of 6-tuples where they agree within the combined error. A single \
         lambda can only predict DeltaG6 where lambda is nearly the same for every 4-tuple \
         (small spread in section 3): the ReLU-net's is constant, the Erf-net's varies in sign \
         across tuples, so its mean (and its prediction) means little.\n\n"
    ));
    b.push_str(&table(
        &[
            "architecture",
            "N",
            "source",
            "L",
            "lambda",
            "+-",
            "median rel. error",
            "within error",
        ],
        &rows(s),
    ));
    b.push('\n');
    b.push_str(&figure(
        "prediction6.svg",
        "predicted / measured DeltaG6 for every 6-tuple (1 = perfect first-order prediction)",
    ));
    Section {
        title: "4. The 6-point prediction".into(),
        body: b,
    }
}
