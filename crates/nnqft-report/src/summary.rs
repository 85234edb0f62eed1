//! The report's opening summary: the headline number of each stage, taken from the same
//! structs (and printed in the same formats) as the stage sections and JSON files.

use crate::Section;
use crate::diagrams::DiagramStage;
use crate::exact_overlay::ExactOverlay;
use crate::fits::Table5;
use crate::gp_check::GpCheck;
use crate::markdown::{fixed, opt_fixed, sci};
use crate::prediction::PredictionStage;
use crate::rg::RgStage;
use nnqft_core::paper;
use nnqft_ensemble::SlopeFit;

fn slope(f: Option<&SlopeFit>) -> String {
    match f {
        Some(f) => format!(
            "{} +- {} over N = {}..{}",
            fixed(f.slope, 3),
            opt_fixed(f.stderr, 3),
            f.widths.first().copied().unwrap_or(0),
            f.widths.last().copied().unwrap_or(0)
        ),
        None => format!(
            "not resolved (fewer than {} widths with the signal above twice its background)",
            crate::gp_check::MIN_RESOLVED_WIDTHS
        ),
    }
}

/// The summary section.
pub fn section(
    g: &GpCheck,
    x: &ExactOverlay,
    r: &RgStage,
    p: &PredictionStage,
    t: &Table5,
    d: &DiagramStage,
) -> Section {
    let mut b = String::new();
    b.push_str(&format!(
        "1. **Fall-off with width** (paper: m_4, m_6 as 1/N, connected G6 as 1/N^2; {} \
         estimator):\n",
        g.estimator.name()
    ));
    for a in &g.archs {
        b.push_str(&format!(
            "   - {}: m_4 slope {}; m_6 slope {}; mean abs G6c slope {}.\n",
            a.title,
            slope(a.sweep.slopes.get("4").and_then(Option::as_ref)),
            slope(a.sweep.slopes.get("6").and_then(Option::as_ref)),
            slope(a.sweep.connected6_slope.as_ref()),
        ));
    }
    b.push_str("2. **Sampled against exact** (z over all widths; ideal: mean 0, std 1):\n");
    for a in &x.archs {
        let parts: Vec<String> =
            a.z.iter()
                .map(|z| {
                    format!(
                        "G{}: mean {}, std {}, {} within 4 sigma",
                        z.n,
                        fixed(z.mean, 3),
                        fixed(z.std, 3),
                        fixed(z.within_4sigma, 4)
                    )
                })
                .collect();
        let note = if a.caveat.is_some() {
            " (errors of the 4- and 6-point estimates cannot be trusted, see section 2)"
        } else {
            ""
        };
        b.push_str(&format!("   - {}: {}{note}.\n", a.title, parts.join("; ")));
    }
    b.push_str(
        "3. **RG flow** (ReLU: slope -(4 + d); Gauss: beta -> 0; Erf: local slope -> -1):\n",
    );
    for f in &r.flows {
        b.push_str(&format!(
            "   - {} d = {} ({}): slope {}, R^2 {}, median beta/lambda at L = {} is {}.\n",
            f.title,
            f.d_in,
            f.source,
            opt_fixed(f.report.slope, 4),
            opt_fixed(f.report.r2, 6),
            f.report.cutoffs.last().map_or("-".into(), |l| fixed(*l, 0)),
            fixed(f.local_slope_last, 4)
        ));
    }
    b.push_str(
        "4. **6-point prediction** from lambda (median relative error over the 6-tuples):\n",
    );
    for c in &p.cases {
        b.push_str(&format!(
            "   - {} N = {} ({}): {}.\n",
            c.title,
            c.width,
            c.source,
            sci(c.prediction.median_abs_rel_error)
        ));
    }
    b.push_str("5. **Table 5** (test MAPE in percent, this run against the paper):\n");
    for a in &t.archs {
        for m in &a.report.models {
            if let (Some((mape, _)), true) = (paper::table5(a.arch, &m.name), m.name != "M0") {
                b.push_str(&format!(
                    "   - {} {}: {} (paper {mape}), test MSE {}.\n",
                    a.title,
                    m.name,
                    sci(m.test.mape),
                    sci(m.test.mse)
                ));
            }
        }
    }
    let classes = |n: usize| -> String {
        d.classes
            .iter()
            .filter(|c| c.points == n && c.monomial != "1")
            .map(|c| format!("{} {}", c.coefficient, c.monomial))
            .collect::<Vec<_>>()
            .join(", ")
    };
    b.push_str(&format!(
        "6. **Diagrams** (paper: G4 -24 lambda, -360 kappa; G6 -360 lambda, -720 kappa, -5400 \
         kappa): the enumeration gives G4 {}; G6 {}.\n",
        classes(4),
        classes(6)
    ));
    Section {
        title: "Summary".into(),
        body: b,
    }
}
