//! report.md as a pure function of the stages' structs and the run's settings and timings.

use crate::diagrams::{self, DiagramStage};
use crate::exact_overlay::{self, ExactOverlay};
use crate::fits::{self, Table5};
use crate::gp_check::{self, GpCheck};
use crate::markdown::table;
use crate::prediction::{self, PredictionStage};
use crate::rg::{self, RgStage};
use crate::{Scale, Section, summary};
use nnqft_ensemble::Estimator;
use serde::Serialize;

/// The run's settings and timings (run.json).
#[derive(Clone, Debug, Serialize)]
pub struct RunInfo {
    /// The nnqft version.
    pub version: &'static str,
    /// The scale of the run.
    pub scale: Scale,
    /// The RNG seed of the sampling stage.
    pub seed: u64,
    /// Worker threads (None: all cores).
    pub threads: Option<usize>,
    /// The estimator of the stage-1 sweeps (docs/conventions.md section 8).
    pub estimator: Estimator,
    /// Wall seconds per stage, in order.
    pub stage_seconds: Vec<(String, f64)>,
    /// Wall seconds of the whole run.
    pub total_seconds: f64,
}

impl RunInfo {
    /// The settings of a run of this nnqft, before any stage has run.
    pub fn new(scale: Scale, seed: u64, threads: Option<usize>, estimator: Estimator) -> Self {
        RunInfo {
            version: env!("CARGO_PKG_VERSION"),
            scale,
            seed,
            threads,
            estimator,
            stage_seconds: vec![],
            total_seconds: 0.0,
        }
    }
}

/// The sections of report.md in order: the summary, then one per stage.
pub fn sections(
    g: &GpCheck,
    x: &ExactOverlay,
    r: &RgStage,
    p: &PredictionStage,
    f: &Table5,
    d: &DiagramStage,
) -> Vec<Section> {
    vec![
        summary::section(g, x, r, p, f, d),
        gp_check::section(g),
        exact_overlay::section(x),
        rg::section(r),
        prediction::section(p),
        fits::section(f),
        diagrams::section(d),
    ]
}

/// The text of report.md: title, the run's settings and stage timings, links to the JSON
/// files, then every section under its `##` heading.
pub fn render(info: &RunInfo, sections: &[Section]) -> String {
    let mut s = String::from("# Neural networks and quantum field theory: reproduction report\n\n");
    s.push_str(
        "This report reruns the experiments of Halverson, Maiti and Stoner, *Neural Networks and \
         Quantum Field Theory* (Mach. Learn.: Sci. Technol. 2 (2021) 035002, arXiv:2008.08601), \
         with `nnqft reproduce`. Every number below is also in the JSON file of its stage; \
         conventions follow docs/conventions.md.\n\n",
    );
    s.push_str(&format!(
        "Scale **{}**, estimator **{}** (docs/conventions.md section 8), seed {}, threads {}; \
         wall time {:.1} s.\n\n",
        info.scale.name,
        info.estimator.name(),
        info.seed,
        info.threads.map_or("all".to_string(), |t| t.to_string()),
        info.total_seconds
    ));
    let rows: Vec<Vec<String>> = info
        .stage_seconds
        .iter()
        .map(|(n, t)| vec![n.clone(), format!("{t:.1}")])
        .collect();
    s.push_str(&table(&["stage", "seconds"], &rows));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_carries_settings_timings_and_sections_in_order() {
        let scale = Scale::parse("tiny", None, Estimator::Direct).unwrap();
        let mut info = RunInfo::new(scale, 7, Some(2), Estimator::Direct);
        info.stage_seconds = vec![("1 GP check".into(), 0.24), ("2 exact".into(), 1.0)];
        info.total_seconds = 1.26;
        let secs = [
            Section {
                title: "Summary".into(),
                body: "first\n\n\n".into(),
            },
            Section {
                title: "1. Next".into(),
                body: "second".into(),
            },
        ];
        let md = render(&info, &secs);
        assert!(md.starts_with("# Neural networks and quantum field theory"));
        assert!(md.contains(
            "Scale **tiny**, estimator **direct** (docs/conventions.md section 8), seed 7, \
             threads 2; wall time 1.3 s.\n"
        ));
        assert!(
            md.contains(
                "| stage | seconds |\n|---|---|\n| 1 GP check | 0.2 |\n| 2 exact | 1.0 |\n"
            )
        );
        // Bodies lose their trailing newlines; each section is followed by two blank lines.
        assert!(md.ends_with("## Summary\n\nfirst\n\n\n## 1. Next\n\nsecond\n\n\n"));
    }

    #[test]
    fn the_diagram_summary_quotes_the_enumerated_coefficients() {
        // First-order coefficients of the paper's expansions: G4 -24 lambda, -360 kappa;
        // G6 -360 lambda, -720 kappa (6-star) and -5400 kappa.
        let (d, _) = diagrams::run().unwrap();
        let line = |n: usize| -> Vec<String> {
            d.classes
                .iter()
                .filter(|c| c.points == n && c.monomial != "1")
                .map(|c| c.coefficient.clone())
                .collect()
        };
        let mut g4 = line(4);
        g4.sort();
        assert_eq!(g4, ["-24", "-360"]);
        let mut g6 = line(6);
        g6.sort();
        assert_eq!(g6, ["-360", "-5400", "-720"]);
    }
}
