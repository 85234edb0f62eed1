//! Stage 4: the 6-point deviation predicted from the quartic coupling of the 4-point function
//! (nnqft-fit's predict6), exact for each architecture and from the sampled ReLU-net width 20.

use crate::gp_check::GpCheck;
use crate::markdown::{figure, fixed, opt_fixed, sci, table};
use crate::rg::integrals_task;
use crate::{Progress, Result, Section};
use nnqft_core::{Arch, InputSet, Network, paper};
use nnqft_fit::fill::exact_deviations;
use nnqft_fit::{Deviations, Prediction, predict6};
use serde::Serialize;

/// The cutoff of the predictions (the paper's).
pub const CUTOFF: f64 = paper::PREDICTION_CUTOFF;

/// One prediction with its setting.
#[derive(Clone, Debug, Serialize)]
pub struct Case {
    /// The architecture.
    pub arch: Arch,
    /// Its title.
    pub title: String,
    /// The width.
    pub width: usize,
    /// "exact" or "sampled (stage 1)".
    pub source: String,
    /// The prediction and its accuracy.
    pub prediction: Prediction,
}

/// Every prediction of stage 4.
#[derive(Clone, Debug, Serialize)]
pub struct PredictionStage {
    /// Exact per architecture, then the sampled ReLU-net.
    pub cases: Vec<Case>,
}

fn case(progress: &dyn Progress, arch: Arch, dev: Deviations, source: &str) -> Result<Case> {
    let net = Network::paper(arch);
    let ints = integrals_task(progress, &net, &dev.inputs, &[CUTOFF])?;
    Ok(Case {
        arch,
        title: arch.title(),
        width: dev.width,
        source: source.into(),
        prediction: predict6(&dev, &ints[0])?,
    })
}

/// Predict for every architecture (exact, at the NGP width of the running study) and for the
/// sampled ReLU-net of `g`.
pub fn run(g: &GpCheck, progress: &dyn Progress) -> Result<PredictionStage> {
    let mut cases = vec![];
    for arch in Arch::PAPER {
        let net = Network::paper(arch);
        let xs = InputSet::paper(arch, 1)?;
        let dev = exact_deviations(&net, paper::rg_width(arch), &xs, true)?;
        cases.push(case(progress, arch, dev, "exact")?);
    }
    let relu = g.archs.iter().find(|a| a.arch == Arch::Relu);
    if let Some(m) = relu.and_then(|a| {
        a.sweep
            .measurements
            .iter()
            .find(|m| m.width == paper::rg_width(Arch::Relu))
    }) {
        cases.push(case(
            progress,
            Arch::Relu,
            Deviations::from_measurement(m)?,
            "sampled (stage 1)",
        )?);
    }
    Ok(PredictionStage { cases })
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
