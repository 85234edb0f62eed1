//! Exact finite-width correlators from one-neuron moments (docs/conventions.md section 4), with
//! s = sW^2/N and E[W1^(2k)] = (2k-1)!! s^k:
//! kappa4 = (sW^4/N) [3 M4 - sum_3 M2 M2],
//! kappa6 = (sW^6/N^2) [15 M6 - 3 sum_15 M4 M2 + 2 sum_15 M2 M2 M2],
//! G4 = kappa4 + sum_3 K K, G6 = kappa6 + sum_15 kappa4 K + sum_15 K K K.

use crate::error::{IntegrateError, Result};
use crate::moments::OneNeuronMoments;
use nalgebra::DMatrix;
use nnqft_core::Pairings;
use nnqft_core::{
    ConnectedEntry, CorrelatorTable, InputSet, MeasuredEntry, Measurement, Network, Summary,
    pair_splits, wick,
};
use std::collections::BTreeMap;

/// Every exact table at one width; `delta_g4 = g4 - gp4 = kappa4`, `delta_g6 = g6 - gp6`.
#[derive(Clone, Debug, PartialEq)]
pub struct ExactTables {
    /// The hidden-layer width N.
    pub width: usize,
    /// K(x_a, x_b), the exact 2-point function.
    pub kernel: DMatrix<f64>,
    /// G2 = K as a table.
    pub g2: CorrelatorTable,
    /// The full 4-point function.
    pub g4: CorrelatorTable,
    /// The full 6-point function.
    pub g6: CorrelatorTable,
    /// Its Gaussian (Wick) part, sum_3 K K.
    pub gp4: CorrelatorTable,
    /// Its Gaussian (Wick) part, sum_15 K K K.
    pub gp6: CorrelatorTable,
    /// The connected 4-point function (fourth cumulant).
    pub kappa4: CorrelatorTable,
    /// The connected 6-point function (sixth cumulant).
    pub kappa6: CorrelatorTable,
    /// The one-neuron moments M_1..M_6 they were computed from.
    pub moments: OneNeuronMoments,
}

impl ExactTables {
    /// DeltaG6 = G6 - G_GP6 per entry.
    pub fn delta_g6(&self) -> CorrelatorTable {
        sub(&self.g6, &self.gp6)
    }

    /// DeltaG4 = G4 - G_GP4 per entry (= kappa4).
    pub fn delta_g4(&self) -> CorrelatorTable {
        sub(&self.g4, &self.gp4)
    }
}

fn sub(a: &CorrelatorTable, b: &CorrelatorTable) -> CorrelatorTable {
    CorrelatorTable::from_fn(a.inputs(), a.n(), |idx| (a.mean(idx) - b.mean(idx), 0.0))
        .expect("same shape as an existing table")
}

/// kappa4 * N / sW^4 = 3 M4 - sum over the 3 pairings of M2 M2, at a 4-tuple.
fn k4_bracket(mm: &OneNeuronMoments, t: &[usize]) -> f64 {
    let m2 = |a: usize, b: usize| mm.get(&[t[a], t[b]]);
    3.0 * mm.get(t) - (m2(0, 1) * m2(2, 3) + m2(0, 2) * m2(1, 3) + m2(0, 3) * m2(1, 2))
}

/// kappa6 * N^2 / sW^6 = 15 M6 - 3 sum_15 M4 M2 + 2 sum_15 M2 M2 M2, at a 6-tuple.
fn k6_bracket(mm: &OneNeuronMoments, t: &[usize]) -> f64 {
    let mut v = 15.0 * mm.get(t);
    for ([a, b], rest) in pair_splits(6) {
        let four: Vec<usize> = rest.iter().map(|&r| t[r]).collect();
        v -= 3.0 * mm.get(&four) * mm.get(&[t[a], t[b]]);
    }
    for p in Pairings::new(6) {
        v += 2.0
            * p.iter()
                .map(|&(a, b)| mm.get(&[t[a], t[b]]))
                .product::<f64>();
    }
    v
}

/// The exact 2-, 4- and 6-point functions, their GP parts and cumulants at width N.
pub fn exact_tables(net: &Network, width: usize, inputs: &InputSet) -> Result<ExactTables> {
    if width == 0 {
        return Err(IntegrateError::Width);
    }
    if net.depth() > 1 {
        return Err(IntegrateError::Points(format!(
            "exact tables are for one hidden layer; a network of depth {} has the 1/n result \
             (deep_measurement)",
            net.depth()
        )));
    }
    let mm = OneNeuronMoments::new(net, inputs, 6)?;
    let m = inputs.len();
    let n = width as f64;
    let sw2 = net.sigma_w() * net.sigma_w();
    let kernel = net.kernel_matrix(inputs);
    let g2 = CorrelatorTable::gaussian(&kernel, 2)?;
    let gp4 = CorrelatorTable::gaussian(&kernel, 4)?;
    let gp6 = CorrelatorTable::gaussian(&kernel, 6)?;
    let c4 = sw2 * sw2 / n;
    let kappa4 = CorrelatorTable::from_fn(m, 4, |t| (c4 * k4_bracket(&mm, t), 0.0))?;
    let c6 = sw2 * sw2 * sw2 / (n * n);
    let kappa6 = CorrelatorTable::from_fn(m, 6, |t| (c6 * k6_bracket(&mm, t), 0.0))?;
    let g4 = CorrelatorTable::from_fn(m, 4, |t| (kappa4.mean(t) + gp4.mean(t), 0.0))?;
    let g6 = CorrelatorTable::from_fn(m, 6, |t| {
        let mut v = kappa6.mean(t) + gp6.mean(t);
        for ([a, b], rest) in pair_splits(6) {
            let four: Vec<usize> = rest.iter().map(|&r| t[r]).collect();
            v += kappa4.mean(&four) * kernel[(t[a], t[b])];
        }
        (v, 0.0)
    })?;
    Ok(ExactTables {
        width,
        kernel,
        g2,
        g4,
        g6,
        gp4,
        gp6,
        kappa4,
        kappa6,
        moments: mm,
    })
}

/// The exact correlators in the schema of `nnqft sample`: stderr 0, nets 0, experiments 0,
/// seed None, background None; connected "4" = kappa4 and "6" = kappa6; summary signal =
/// mean over entries of |G - G_GP| / |G_GP|.
pub fn exact_measurement(
    net: &Network,
    width: usize,
    inputs: &InputSet,
    npts: &[usize],
) -> Result<Measurement> {
    let mut ns: Vec<usize> = npts.to_vec();
    ns.sort_unstable();
    ns.dedup();
    if ns.is_empty() {
        return Err(IntegrateError::Order(0));
    }
    if let Some(&bad) = ns.iter().find(|&&n| !matches!(n, 2 | 4 | 6)) {
        return Err(IntegrateError::Order(bad));
    }
    if net.depth() > 1 {
        return crate::deep::deep_measurement(net, width, inputs, &ns);
    }
    let t = exact_tables(net, width, inputs)?;
    let mut correlators = BTreeMap::new();
    let mut connected = BTreeMap::new();
    let mut summary = BTreeMap::new();
    let mut warnings = Vec::new();
    for &n in &ns {
        let (g, cum) = match n {
            2 => (&t.g2, None),
            4 => (&t.g4, Some(&t.kappa4)),
            _ => (&t.g6, Some(&t.kappa6)),
        };
        let entries: Vec<MeasuredEntry> = g
            .entries()
            .iter()
            .map(|e| MeasuredEntry {
                index: e.index.clone(),
                mean: e.mean,
                stderr: 0.0,
                gp: wick(&t.kernel, &e.index),
                background: None,
            })
            .collect();
        // Entries whose GP prediction is zero are left out of m_n, with a warning, as
        // `nnqft sample` does (their ratio would be infinite or NaN).
        let counted: Vec<&MeasuredEntry> = entries.iter().filter(|e| e.gp != 0.0).collect();
        if counted.len() < entries.len() {
            warnings.push(Summary::zero_gp_warning(n, entries.len() - counted.len()));
        }
        let signal = if counted.is_empty() {
            0.0
        } else {
            counted
                .iter()
                .map(|e| (e.mean - e.gp).abs() / e.gp.abs())
                .sum::<f64>()
                / counted.len() as f64
        };
        summary.insert(
            n.to_string(),
            Summary {
                signal,
                background: None,
            },
        );
        correlators.insert(n.to_string(), entries);
        if let Some(c) = cum {
            connected.insert(
                n.to_string(),
                c.entries()
                    .iter()
                    .map(|e| ConnectedEntry {
                        index: e.index.clone(),
                        mean: e.mean,
                        stderr: 0.0,
                    })
                    .collect(),
            );
        }
    }
    let finite = correlators
        .values()
        .flatten()
        .all(|e: &MeasuredEntry| e.mean.is_finite() && e.gp.is_finite())
        && connected
            .values()
            .flatten()
            .all(|e: &ConnectedEntry| e.mean.is_finite())
        && summary.values().all(|s| s.signal.is_finite());
    if !finite {
        return Err(IntegrateError::NonFinite(format!(
            "the exact correlators overflow for sigma_w = {}, sigma_b = {} on these inputs (the \
             one-neuron moments or the kernel are not finite in double precision); use smaller \
             scales or inputs",
            nnqft_core::number(net.sigma_w()),
            nnqft_core::number(net.sigma_b())
        )));
    }
    Ok(Measurement {
        arch: net.arch(),
        sigma_w: net.sigma_w(),
        sigma_b: net.sigma_b(),
        d_in: net.d_in(),
        bias: net.bias(),
        width,
        depth: 1,
        order: None,
        nets: 0,
        experiments: 0,
        seed: None,
        inputs: inputs.points().to_vec(),
        correlators,
        connected,
        summary,
        warnings,
    })
}
