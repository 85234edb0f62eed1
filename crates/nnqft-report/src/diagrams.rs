//! Stage 6: the first-order diagram expansions of G4 and G6 (nnqft-diagrams) as a standalone
//! LaTeX document (expansions.tex; the caller compiles it to PDF if it can, and records the
//! outcome in [`DiagramStage::pdf`] and [`DiagramStage::pdf_note`]).

use crate::markdown::table;
use crate::{Result, Section};
use nnqft_diagrams::{ExpansionSpec, expand, latex, text};
use serde::Serialize;

/// One class of an expansion, as reported.
#[derive(Clone, Debug, Serialize)]
pub struct ClassRow {
    /// The order n of the function (4 or 6).
    pub points: usize,
    /// The class number within its expansion.
    pub id: usize,
    /// The couplings of the class ("lambda", "kappa", "1").
    pub monomial: String,
    /// Total coefficient over the class's members (exact rational).
    pub coefficient: String,
    /// Diagrams in the class.
    pub members: usize,
    /// The class as a LaTeX term.
    pub latex: String,
}

/// Stage 6: the classes of both expansions and what happened to the PDF.
#[derive(Clone, Debug, Serialize)]
pub struct DiagramStage {
    /// The perturbative order.
    pub order: usize,
    /// Every class of G4, then of G6.
    pub classes: Vec<ClassRow>,
    /// Per n: monomial -> total coefficient (G^(n) in zero dimensions).
    pub totals: Vec<(usize, Vec<(String, String)>)>,
    /// Whether expansions.pdf was made (set by the caller that compiles it).
    pub pdf: bool,
    /// Why there is no PDF (lualatex missing or failing).
    pub pdf_note: Option<String>,
}

const PREAMBLE: &str = "\\documentclass[11pt]{article}\n\\usepackage[margin=2cm]{geometry}\n\\usepackage{amsmath}\n\\usepackage{tikz-feynman}\n\\tikzfeynmanset{compat=1.1.0}\n\\allowdisplaybreaks\n\\begin{document}\n";

/// Expand G4 and G6 at first order: the stage (with no PDF yet) and the LaTeX document.
pub fn run() -> Result<(DiagramStage, String)> {
    let order = 1;
    let mut doc = String::from(PREAMBLE);
    doc.push_str(
        "\\section*{First-order expansions of $G^{(4)}$ and $G^{(6)}$}\nInteraction $\\Delta S = \\int d^dx\\,[\\lambda f^4 + \\kappa f^6]$; diagrams with 2-point insertions are dropped (the 2-point function is exactly $K$).\n\n",
    );
    let mut classes = vec![];
    let mut totals = vec![];
    for n in [4usize, 6] {
        let e = expand(&ExpansionSpec::new(n, order))?;
        doc.push_str(&format!(
            "\\subsection*{{$G^{{({n})}}$}}\n\\noindent {}\n",
            latex::description(&e)
        ));
        doc.push_str(&latex::body(&e));
        doc.push_str("\n\\clearpage\n");
        for c in &e.classes {
            classes.push(ClassRow {
                points: n,
                id: c.id,
                monomial: e.monomial_name(&c.monomial),
                coefficient: text::rational(&c.coefficient),
                members: c.members,
                latex: latex::class_term(&e, c),
            });
        }
        totals.push((
            n,
            e.totals()
                .iter()
                .map(|(m, t)| (e.monomial_name(m), text::rational(t)))
                .collect(),
        ));
    }
    doc.push_str("\\end{document}\n");
    let stage = DiagramStage {
        order,
        classes,
        totals,
        pdf: false,
        pdf_note: None,
    };
    Ok((stage, doc))
}

/// Section 6 of the report.
pub fn section(s: &DiagramStage) -> Section {
    let mut b = String::new();
    b.push_str(
        "**The paper:** at first order in Delta S = int [lambda f^4 + kappa f^6], \
         G4 = sum_3 KK - 24 lambda [X] - 360 kappa [X with loop] and G6 = sum_15 KKK - 360 \
         lambda [X x line] - kappa (720 [6-star] + 5400 [X with loop x line]).\n\n",
    );
    b.push_str(
        "**This run:** the coefficients below come out of the diagram enumeration \
         (nnqft-diagrams), never written in; the full equations and TikZ-Feynman drawings are \
         in [expansions.tex](expansions.tex)",
    );
    if s.pdf {
        b.push_str(" and [expansions.pdf](expansions.pdf).\n\n");
    } else {
        b.push_str(&format!(
            ".\n\n> {}\n\n",
            s.pdf_note.clone().unwrap_or_default()
        ));
    }
    let rows: Vec<Vec<String>> = s
        .classes
        .iter()
        .map(|c| {
            vec![
                format!("G{}", c.points),
                c.id.to_string(),
                c.monomial.clone(),
                c.coefficient.clone(),
                c.members.to_string(),
            ]
        })
        .collect();
    b.push_str(&table(
        &[
            "function",
            "class",
            "monomial",
            "total coefficient",
            "members",
        ],
        &rows,
    ));
    b.push_str("\nTotals per monomial (the value of G^(n) in zero dimensions, K = 1):\n\n");
    let rows: Vec<Vec<String>> = s
        .totals
        .iter()
        .flat_map(|(n, t)| {
            t.iter()
                .map(move |(m, v)| vec![format!("G{n}"), m.clone(), v.clone()])
        })
        .collect();
    b.push_str(&table(&["function", "monomial", "total"], &rows));
    Section {
        title: "6. Diagram expansions".into(),
        body: b,
    }
}
