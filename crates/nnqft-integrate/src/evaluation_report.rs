//! The JSON of an evaluation (`nnqft evaluate --json`, `nnqft.evaluate` in Python): the
//! settings, then per tuple the terms with their exact coefficients, one structure for every
//! front end.

use crate::cutoff::Cutoff;
use crate::evaluate::{Evaluation, Term};
use nnqft_core::{InputSet, Network};
use nnqft_diagrams::{Expansion, ExpansionSpec, text};
use serde::Serialize;
use std::collections::BTreeMap;

/// The settings every evaluation shares, at the head of the JSON.
#[derive(Clone, Debug, Serialize)]
pub struct EvaluationSettings {
    /// The activation's name.
    pub arch: String,
    /// sigma_w.
    pub sigma_w: f64,
    /// sigma_b.
    pub sigma_b: f64,
    /// The input dimension d.
    pub d_in: usize,
    /// Hidden layers L (docs/conventions.md section 11; the propagator is the deep NNGP
    /// kernel); omitted when 1.
    #[serde(skip_serializing_if = "is_one")]
    pub depth: usize,
    /// The input points.
    pub inputs: Vec<Vec<f64>>,
    /// n of G^(n).
    pub points: usize,
    /// The order in the couplings.
    pub order: usize,
    /// The cutoff L, or "inf".
    pub cutoff: CutoffValue,
    /// The value of every vertex kind's coupling.
    pub couplings: BTreeMap<String, f64>,
    /// Connected diagrams only.
    pub connected_only: bool,
    /// Self-energy insertions kept.
    pub keep_self_energy: bool,
}

fn is_one(v: &usize) -> bool {
    *v == 1
}

impl EvaluationSettings {
    /// The settings of an evaluation of `spec` for `net` on `inputs` under `cutoff`, with one
    /// coupling per vertex kind of `spec`.
    pub fn new(
        net: &Network,
        inputs: &InputSet,
        spec: &ExpansionSpec,
        cutoff: Cutoff,
        couplings: &[f64],
    ) -> Self {
        EvaluationSettings {
            arch: net.arch().name(),
            sigma_w: net.sigma_w(),
            sigma_b: net.sigma_b(),
            d_in: net.d_in(),
            depth: net.depth(),
            inputs: inputs.points().to_vec(),
            points: spec.points,
            order: spec.order,
            cutoff: match cutoff.length() {
                Some(l) => CutoffValue::Length(l),
                None => CutoffValue::Infinite("inf"),
            },
            couplings: spec
                .vertices
                .iter()
                .zip(couplings)
                .map(|(v, &g)| (v.name.clone(), g))
                .collect(),
            connected_only: spec.connected_only,
            keep_self_energy: spec.keep_self_energy,
        }
    }
}

/// A cutoff in JSON: the number L, or the string "inf".
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(untagged)]
pub enum CutoffValue {
    /// A finite cutoff L.
    Length(f64),
    /// No cutoff: "inf".
    Infinite(&'static str),
}

/// One term with its exact coefficient and, per labelled diagram, the diagram's lines.
#[derive(Clone, Debug, Serialize)]
pub struct TermRecord {
    /// The term (class or diagram, coefficient, integral, error, value).
    #[serde(flatten)]
    pub term: Term,
    /// The exact rational coefficient (the float is `coefficient`).
    pub coefficient_exact: String,
    /// For a labelled diagram: its lines, e.g. `x1-y1 x2-y1 x3-y1 x4-y1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagram_lines: Option<String>,
}

/// The evaluation at one tuple.
#[derive(Clone, Debug, Serialize)]
pub struct TupleRecord {
    /// The input indices.
    pub tuple: Vec<usize>,
    /// The terms.
    pub terms: Vec<TermRecord>,
    /// Their sum.
    pub total: f64,
    /// Its quadrature error.
    pub total_error: f64,
}

impl TupleRecord {
    /// `ev`'s terms at `tuple` with the exact coefficients of `e` attached (and -0.0 written
    /// as 0: a zero integral times a negative coefficient).
    pub fn new(e: &Expansion, ev: Evaluation, tuple: Vec<usize>) -> Self {
        let terms = ev
            .terms
            .into_iter()
            .map(|mut t| {
                for v in [
                    &mut t.coefficient,
                    &mut t.integral,
                    &mut t.error,
                    &mut t.value,
                ] {
                    *v += 0.0;
                }
                let (exact, lines) = match t.diagram {
                    Some(i) => (
                        text::rational(&e.diagrams[i].coefficient),
                        Some(text::edge_list(&e.diagrams[i])),
                    ),
                    None => (text::rational(&e.classes[t.class].coefficient), None),
                };
                TermRecord {
                    term: t,
                    coefficient_exact: exact,
                    diagram_lines: lines,
                }
            })
            .collect();
        TupleRecord {
            tuple,
            terms,
            total: ev.total + 0.0,
            total_error: ev.total_error,
        }
    }
}

/// The JSON of an evaluation at one tuple: the settings and the tuple's record.
#[derive(Clone, Debug, Serialize)]
pub struct EvaluationReport {
    /// The settings.
    #[serde(flatten)]
    pub settings: EvaluationSettings,
    /// The tuple's terms.
    #[serde(flatten)]
    pub row: TupleRecord,
}

/// The JSON of an evaluation at every tuple.
#[derive(Clone, Debug, Serialize)]
pub struct EvaluationTable {
    /// The settings.
    #[serde(flatten)]
    pub settings: EvaluationSettings,
    /// One row per sorted tuple, in lexicographic order.
    pub tuples: Vec<TupleRecord>,
}
