//! Stage 2: the exact finite-width correlators (nnqft-integrate) at the sweep's widths, drawn
//! on the sweep's figures, and the z-scores of sampled against exact entries.

use crate::gp_check::{ArchSweep, GpCheck};
use crate::markdown::{fixed, sci, table};
use crate::{Progress, Result, Section};
use nnqft_core::{Arch, InputSet, Measurement, Network};
use nnqft_integrate::exact_measurement;
use rayon::prelude::*;
use serde::Serialize;

/// Summary of z = (sampled - exact) / stderr over a set of entries.
#[derive(Clone, Debug, Serialize)]
pub struct ZSummary {
    /// The order n.
    pub n: usize,
    /// Entries pooled.
    pub entries: usize,
    /// Mean of z.
    pub mean: f64,
    /// Standard deviation of z over the entries (1 for a correct estimate with correct errors).
    pub std: f64,
    /// Fraction of entries with |z| <= 4.
    pub within_4sigma: f64,
    /// Largest |z|.
    pub max_abs: f64,
}

/// How many networks it would take for the sampled m_n to stand at twice its background at
/// `width`: nets * (2 background / exact m_n)^2 (the background falls as 1/sqrt(nets)).
#[derive(Clone, Debug, Serialize)]
pub struct NetsNeeded {
    /// The order n (4 or 6).
    pub n: usize,
    /// The width.
    pub width: usize,
    /// Networks sampled there.
    pub nets_sampled: u64,
    /// Networks needed.
    pub nets_needed: f64,
}

/// One architecture's exact correlators at every width of the sweep, and the comparison.
#[derive(Clone, Debug, Serialize)]
pub struct ArchExact {
    /// The architecture.
    pub arch: Arch,
    /// Its title ("Erf-net").
    pub title: String,
    /// The widths of the sweep.
    pub widths: Vec<usize>,
    /// Exact m_n per width, keyed by n ("2", "4", "6").
    pub exact_signal: std::collections::BTreeMap<String, Vec<f64>>,
    /// Exact mean over entries of |kappa6| per width.
    pub exact_connected6: Vec<f64>,
    /// z over all widths and entries, per n.
    pub z: Vec<ZSummary>,
    /// Networks needed to resolve m_4 and m_6 at the largest width up to 100.
    pub nets_needed: Vec<NetsNeeded>,
    /// Whether the sampled standard errors of the 6-point function can be trusted.
    pub caveat: Option<String>,
    /// The exact measurement at each width.
    pub exact: Vec<Measurement>,
}

/// Stage 2 for every architecture.
#[derive(Clone, Debug, Serialize)]
pub struct ExactOverlay {
    /// One per architecture, in the order of the sweeps.
    pub archs: Vec<ArchExact>,
}

fn z_summary(n: usize, z: &[f64]) -> ZSummary {
    let k = z.len() as f64;
    let mean = z.iter().sum::<f64>() / k;
    let var = z.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (k - 1.0).max(1.0);
    ZSummary {
        n,
        entries: z.len(),
        mean,
        std: var.sqrt(),
        within_4sigma: z.iter().filter(|v| v.abs() <= 4.0).count() as f64 / k,
        max_abs: z.iter().fold(0.0, |m, v| m.max(v.abs())),
    }
}

/// z-scores of every entry of order n of `sampled` against `exact`.
fn zscores(sampled: &Measurement, exact: &Measurement, n: &str) -> Vec<f64> {
    let (Some(s), Some(e)) = (sampled.correlators.get(n), exact.correlators.get(n)) else {
        return vec![];
    };
    s.iter()
        .zip(e)
        .filter(|(s, _)| s.stderr > 0.0)
        .map(|(s, e)| (s.mean - e.mean) / s.stderr)
        .collect()
}

fn arch_exact(a: &ArchSweep, progress: &dyn Progress) -> Result<ArchExact> {
    let net = Network::paper(a.arch);
    let inputs = InputSet::paper(a.arch, 1)?;
    let widths = a.sweep.config.widths.clone();
    progress.start(&format!("2/6 {}", a.arch.name()), widths.len() as u64);
    let exact: Vec<Measurement> = widths
        .par_iter()
        .map(|&w| {
            let m = exact_measurement(&net, w, &inputs, &[2, 4, 6]);
            progress.advance(1);
            m
        })
        .collect::<Result<_, _>>()?;
    progress.finish();
    let mut exact_signal: std::collections::BTreeMap<String, Vec<f64>> =
        std::collections::BTreeMap::new();
    for n in ["2", "4", "6"] {
        exact_signal.insert(
            n.to_string(),
            exact.iter().map(|m| m.summary[n].signal).collect(),
        );
    }
    let exact_connected6 = exact
        .iter()
        .map(|m| {
            let c = &m.connected["6"];
            c.iter().map(|e| e.mean.abs()).sum::<f64>() / c.len() as f64
        })
        .collect();
    let z = [2usize, 4, 6]
        .iter()
        .map(|&n| {
            let all: Vec<f64> = a
                .sweep
                .measurements
                .iter()
                .zip(&exact)
                .flat_map(|(s, e)| zscores(s, e, &n.to_string()))
                .collect();
            z_summary(n, &all)
        })
        .collect();
    let caveat = (a.arch == Arch::Gauss).then(|| {
        "Gauss-net (sigma_b = 1): the neurons are log-normal, E[f^8] ~ e^24/N^3 and E[f^12] ~ \
         e^60/N^5, so the sample variance of the 4- and 6-point estimates (products of the \
         outputs for the direct estimator, of the kernel entries Q for the conditional one) \
         is itself unreliable at any practical number of nets; its 6-point z-scores (and the paper's Gauss-net \
         6-point numbers) cannot be trusted."
            .to_string()
    });
    let nets_needed = match widths.iter().rposition(|&w| w <= 100) {
        None => vec![],
        Some(k) => [4usize, 6]
            .iter()
            .filter_map(|&n| {
                let key = n.to_string();
                let bg = a.sweep.measurements[k].summary.get(&key)?.background?;
                let m = exact_signal[&key][k];
                Some(NetsNeeded {
                    n,
                    width: widths[k],
                    nets_sampled: a.nets_per_width[k],
                    nets_needed: a.nets_per_width[k] as f64 * (2.0 * bg / m).powi(2),
                })
            })
            .collect(),
    };
    Ok(ArchExact {
        nets_needed,
        arch: a.arch,
        title: a.title.clone(),
        widths,
        exact_signal,
        exact_connected6,
        z,
        caveat,
        exact,
    })
}

/// Compute the exact correlators of every architecture at the widths of its sweep.
pub fn run(g: &GpCheck, progress: &dyn Progress) -> Result<ExactOverlay> {
    let archs = g
        .archs
        .iter()
        .map(|a| arch_exact(a, progress))
        .collect::<Result<_>>()?;
    Ok(ExactOverlay { archs })
}

/// The z-score table rows.
pub fn z_rows(x: &ExactOverlay) -> Vec<Vec<String>> {
    x.archs
        .iter()
        .flat_map(|a| {
            a.z.iter().map(move |z| {
                vec![
                    a.title.clone(),
                    z.n.to_string(),
                    z.entries.to_string(),
                    fixed(z.mean, 3),
                    fixed(z.std, 3),
                    fixed(z.within_4sigma, 4),
                    fixed(z.max_abs, 2),
                ]
            })
        })
        .collect()
}

/// Section 2 of the report.
pub fn section(x: &ExactOverlay) -> Section {
    let mut b = String::new();
    b.push_str(
        "**The paper** could only sample. **This project** computes the network's correlators \
         exactly at every width from one-neuron moments (docs/conventions.md section 4): the exact m_n \
         is the line on each figure of section 1. If the sampler and its error bars are right, \
         z = (sampled - exact) / stderr is standard normal over the entries: mean near 0, \
         standard deviation near 1, and nearly every entry within 4 sigma. Entries of all widths \
         are pooled.\n\n",
    );
    b.push_str(&table(
        &[
            "architecture",
            "n",
            "entries",
            "mean z",
            "std z",
            "within 4 sigma",
            "max abs z",
        ],
        &z_rows(x),
    ));
    b.push('\n');
    for a in &x.archs {
        if let Some(c) = &a.caveat {
            b.push_str(&format!("> **Caveat, {}:** {c}\n\n", a.title));
        }
    }
    b.push_str(
        "How many networks the sampled m_n needs to stand at twice its background at the \
         largest width up to 100 (the background falls as 1/sqrt(nets); the exact m_n is the \
         signal):\n\n",
    );
    let rows: Vec<Vec<String>> = x
        .archs
        .iter()
        .flat_map(|a| {
            a.nets_needed.iter().map(move |q| {
                vec![
                    a.title.clone(),
                    format!("resolve m_{}", q.n),
                    q.width.to_string(),
                    q.nets_sampled.to_string(),
                    sci(q.nets_needed),
                ]
            })
        })
        .collect();
    b.push_str(&table(
        &[
            "architecture",
            "quantity",
            "N",
            "nets sampled",
            "nets needed",
        ],
        &rows,
    ));
    b.push_str("\nExact m_n per width:\n\n");
    let widths = x
        .archs
        .first()
        .map(|a| a.widths.clone())
        .unwrap_or_default();
    let rows: Vec<Vec<String>> = widths
        .iter()
        .enumerate()
        .map(|(k, w)| {
            let mut r = vec![w.to_string()];
            for a in &x.archs {
                for n in ["4", "6"] {
                    r.push(sci(a.exact_signal[n][k]));
                }
                r.push(sci(a.exact_connected6[k]));
            }
            r
        })
        .collect();
    let mut header = vec!["N".to_string()];
    for a in &x.archs {
        let t = a.arch.name();
        header.push(format!("{t} m_4"));
        header.push(format!("{t} m_6"));
        header.push(format!("{t} mean abs kappa6"));
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    b.push_str(&table(&header, &rows));
    Section {
        title: "2. Exact correlators against the samples".into(),
        body: b,
    }
}
