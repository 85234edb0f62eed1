//! From exact sums to the reported measurement: means, standard errors, GP predictions,
//! backgrounds, the paper's summaries, connected parts and error-trust warnings.

use crate::error::{EnsembleError, Result};
use crate::partial::Partial;
use crate::plan::{Estimator, Plan};
use nnqft_core::{
    ConnectedEntry, CorrelatorTable, Entry, MeasuredEntry, Measurement, Summary, connected4,
    connected6_value, multisets, wick,
};
use std::collections::BTreeMap;

/// An entry's standard error is flagged as untrustworthy when one network's square exceeds
/// this fraction of the sum of squares. For light tails the largest square is a small share
/// of the sum at any useful net count (a Gaussian f at n = 6 and 10^5 nets: about 0.15, at
/// 10^6: 0.03). Above one half, a single network decides the variance estimate, which then
/// says nothing about the true error (heavy tails, e.g. Gauss-net's log-normal neurons).
pub const DOMINANCE_THRESHOLD: f64 = 0.5;

/// Sample standard deviation (divisor k - 1) of `v`; None for fewer than two values.
pub fn sample_std(v: &[f64]) -> Option<f64> {
    if v.len() < 2 {
        return None;
    }
    let k = v.len() as f64;
    let mean = v.iter().sum::<f64>() / k;
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (k - 1.0);
    Some(var.sqrt())
}

/// The tables of a sampled run with the run's header (network, width, networks, experiments,
/// seed, inputs).
pub(crate) fn sampled_measurement(
    plan: &Plan,
    correlators: BTreeMap<String, Vec<MeasuredEntry>>,
    connected: BTreeMap<String, Vec<ConnectedEntry>>,
    summary: BTreeMap<String, Summary>,
    warnings: Vec<String>,
) -> Measurement {
    let (s, net) = (&plan.settings, plan.settings.network);
    Measurement {
        arch: net.arch(),
        sigma_w: net.sigma_w(),
        sigma_b: net.sigma_b(),
        d_in: net.d_in(),
        bias: net.bias(),
        width: s.width,
        depth: net.depth(),
        order: None,
        nets: plan.nets,
        experiments: plan.experiments,
        seed: Some(plan.seed),
        inputs: s.inputs.points().to_vec(),
        correlators,
        connected,
        summary,
        warnings,
    }
}

/// The paper's width summary of one order n, accumulated entry by entry (both estimators):
/// m_n = mean over entries of abs(G - G_GP) / G_GP and background = mean of
/// spread / abs(G_GP), both over the entries with a non-zero GP prediction; the others are
/// counted for a warning.
#[derive(Default)]
pub(crate) struct SummaryAcc {
    sig_sum: f64,
    bg_sum: f64,
    counted: usize,
    zero_gp: usize,
}

impl SummaryAcc {
    /// Add an entry with estimate `mean`, GP prediction `gp` and spread across experiments
    /// `spread`; returns its background, spread / abs(gp) (None where gp = 0 or no spread).
    pub(crate) fn add(&mut self, mean: f64, gp: f64, spread: Option<f64>) -> Option<f64> {
        if gp == 0.0 {
            self.zero_gp += 1;
            return None;
        }
        let background = spread.map(|sd| sd / gp.abs());
        self.sig_sum += (mean - gp).abs() / gp.abs();
        self.bg_sum += background.unwrap_or(0.0);
        self.counted += 1;
        background
    }

    /// The warning for the entries left out, if any.
    pub(crate) fn zero_gp_warning(&self, n: usize) -> Option<String> {
        (self.zero_gp > 0).then(|| Summary::zero_gp_warning(n, self.zero_gp))
    }

    /// The summary (no background with fewer than two experiments).
    pub(crate) fn summary(&self, experiments: usize) -> Summary {
        let counted = self.counted as f64;
        Summary {
            signal: if self.counted > 0 {
                self.sig_sum / counted
            } else {
                0.0
            },
            background: (experiments >= 2 && self.counted > 0).then(|| self.bg_sum / counted),
        }
    }
}

/// The warning for `dominated` of `count` entries of order n whose errors a single network
/// decides (see [`DOMINANCE_THRESHOLD`]).
pub(crate) fn dominance_warning(n: usize, dominated: usize, count: usize) -> String {
    format!(
        "n={n}: the standard errors of {dominated} of {count} entries cannot be trusted: a single network contributes more than {}% of the sum of squared products (heavy tails); more networks will not fix this quickly",
        DOMINANCE_THRESHOLD * 100.0
    )
}

/// The measurement from a complete partial (an error naming the missing blocks otherwise),
/// by the plan's estimator: the conditional one is described in [`crate::conditional`]; the
/// direct one below.
///
/// Direct, per entry: mean = S1 / M, stderr = sqrt(s^2 / M) with s^2 = (S2 - S1 mean)/(M - 1) the
/// sample variance of the product over the M nets, gp = Wick on the kernel matrix,
/// background = (sample std over experiments of the per-experiment means) / |gp|. Summary
/// per n: signal = mean over entries of |mean - gp|/|gp|, background = mean of the entry
/// backgrounds (entries with gp = 0 are left out of both, with a warning).
/// Connected: "4" = G4 - sum_3 K K with G4's errors; "6" = G6 - sum_15 G4c K - sum_15 KKK
/// with the measured G4c, its stderr the sample std over experiments of the per-experiment
/// connected values divided by sqrt(E) (G6 and G4 come from the same nets, so their errors
/// are correlated; the experiments are independent). With E < 2 there is no "6" entry.
pub fn finish(partial: &Partial) -> Result<Measurement> {
    partial.check_complete()?;
    if partial.plan.settings.estimator == Estimator::Conditional {
        return crate::conditional::finish_conditional(partial);
    }
    let plan: &Plan = &partial.plan;
    let s = &plan.settings;
    let net = s.network;
    let m = s.inputs.len();
    let kernel = net.kernel_matrix(&s.inputs);
    let e_count = plan.experiments;
    let npe = plan.nets_per_experiment() as f64;
    let total_nets = plan.nets as f64;

    let mut correlators = BTreeMap::new();
    let mut connected = BTreeMap::new();
    let mut summary = BTreeMap::new();
    let mut warnings = vec![];
    // Per-experiment means of every entry, kept for the connected 6-point errors.
    let mut exp_tables: BTreeMap<usize, Vec<CorrelatorTable>> = BTreeMap::new();
    let mut tables: BTreeMap<usize, CorrelatorTable> = BTreeMap::new();

    let mut slot = 0;
    for &n in &s.npt {
        let idxs = multisets(m, n);
        let mut entries = Vec::with_capacity(idxs.len());
        let mut exp_means: Vec<Vec<f64>> = vec![Vec::with_capacity(idxs.len()); e_count];
        let mut acc = SummaryAcc::default();
        let mut dominated = 0usize;
        for idx in idxs {
            let mut s1 = crate::exact_sum::ExactSum::new();
            let mut s2 = crate::exact_sum::ExactSum::new();
            let mut max_abs = 0.0f64;
            let mut means = Vec::with_capacity(e_count);
            for (e, exp) in partial.experiments.iter().enumerate() {
                s1.merge(&exp.sum[slot]);
                s2.merge(&exp.sumsq[slot]);
                max_abs = max_abs.max(exp.max_abs[slot]);
                let mu = exp.sum[slot].value() / npe;
                means.push(mu);
                exp_means[e].push(mu);
            }
            let (sum, sumsq) = (s1.value(), s2.value());
            if !(sum.is_finite() && sumsq.is_finite()) || means.iter().any(|v| !v.is_finite()) {
                return Err(EnsembleError::NonFinite { n, index: idx });
            }
            let mean = sum / total_nets;
            let var = ((sumsq - sum * mean) / (total_nets - 1.0)).max(0.0);
            let stderr = (var / total_nets).sqrt();
            let gp = wick(&kernel, &idx);
            let spread = sample_std(&means);
            let background = acc.add(mean, gp, spread);
            if max_abs * max_abs > DOMINANCE_THRESHOLD * sumsq && sumsq > 0.0 {
                dominated += 1;
            }
            entries.push(MeasuredEntry {
                index: idx,
                mean,
                stderr,
                gp,
                background,
            });
            slot += 1;
        }
        warnings.extend(acc.zero_gp_warning(n));
        if dominated > 0 {
            warnings.push(dominance_warning(n, dominated, entries.len()));
        }
        summary.insert(n.to_string(), acc.summary(e_count));
        let table = CorrelatorTable::from_entries(
            m,
            n,
            entries
                .iter()
                .map(|e| Entry {
                    index: e.index.clone(),
                    mean: e.mean,
                    stderr: e.stderr,
                })
                .collect(),
        )?;
        tables.insert(n, table);
        if n == 4 || n == 6 {
            let per_exp = exp_means
                .into_iter()
                .map(|means| {
                    CorrelatorTable::from_fn(m, n, {
                        let mut it = means.into_iter();
                        move |_| (it.next().expect("one mean per entry"), 0.0)
                    })
                })
                .collect::<std::result::Result<Vec<_>, _>>()?;
            exp_tables.insert(n, per_exp);
        }
        correlators.insert(n.to_string(), entries);
    }

    if let Some(g4) = tables.get(&4) {
        let g4c = connected4(g4, &kernel)?;
        connected.insert(
            "4".to_string(),
            g4c.entries()
                .iter()
                .map(|e| ConnectedEntry {
                    index: e.index.clone(),
                    mean: e.mean,
                    stderr: e.stderr,
                })
                .collect(),
        );
        if let Some(g6) = tables.get(&6) {
            if e_count >= 2 {
                let g4c_exp: Vec<CorrelatorTable> = exp_tables[&4]
                    .iter()
                    .map(|t| connected4(t, &kernel))
                    .collect::<std::result::Result<_, _>>()?;
                let g6_exp = &exp_tables[&6];
                let entries = g6
                    .entries()
                    .iter()
                    .map(|e| {
                        let vals: Vec<f64> = g6_exp
                            .iter()
                            .zip(&g4c_exp)
                            .map(|(t6, t4c)| {
                                connected6_value(&e.index, t6.mean(&e.index), t4c, &kernel)
                            })
                            .collect();
                        ConnectedEntry {
                            index: e.index.clone(),
                            mean: connected6_value(&e.index, e.mean, &g4c, &kernel),
                            stderr: sample_std(&vals).unwrap_or(0.0) / (e_count as f64).sqrt(),
                        }
                    })
                    .collect();
                connected.insert("6".to_string(), entries);
            } else {
                warnings.push(
                    "the connected 6-point function needs at least 2 experiments for its error and is left out".to_string(),
                );
            }
        }
    }
    if e_count < 2 {
        warnings.push("with a single experiment there is no background estimate".to_string());
    }

    Ok(sampled_measurement(
        plan,
        correlators,
        connected,
        summary,
        warnings,
    ))
}
