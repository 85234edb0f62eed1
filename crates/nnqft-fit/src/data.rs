//! The correlator deviations every coupling is extracted from, DeltaG^(n) = G^(n) - G_GP^(n)
//! with standard errors, read from a `Measurement` (sampled or exact).

use crate::error::{FitError, Result};
use nalgebra::DMatrix;
use nnqft_core::{CorrelatorTable, Entry, InputSet, Measurement, Network, multiset_rank, wick};

/// ", depth L" for a deep network, nothing for one hidden layer (messages unchanged there).
fn depth_note(net: &Network) -> String {
    if net.depth() > 1 {
        format!(", depth {}", net.depth())
    } else {
        String::new()
    }
}

/// DeltaG4 (and DeltaG6 when measured) over the sorted index multisets of the inputs, with the
/// exact kernel K (full, including sb^2) of the network.
#[derive(Clone, Debug)]
pub struct Deviations {
    /// The network family.
    pub network: Network,
    /// The hidden-layer width N.
    pub width: usize,
    /// The inputs.
    pub inputs: InputSet,
    /// K(x_a, x_b).
    pub kernel: DMatrix<f64>,
    /// DeltaG4 = G4 - sum_3 K K, standard error that of G4. For a deep network (depth >= 2)
    /// the Gaussian part is Wick on the measured G2 instead of K: DeltaG4 = G4 - sum_3 G2 G2,
    /// the connected 4-point function (at order 1/n for an exact source).
    pub dg4: CorrelatorTable,
    /// DeltaG6 = G6 - sum_15 K K K (the full deviation, disconnected part included; deep
    /// networks: G6 - sum_15 G2 G2 G2).
    pub dg6: Option<CorrelatorTable>,
    /// True when the errors are sampling errors (false for an exact source: errors are 0).
    pub sampled: bool,
}

/// The largest |value| a correlator entry, its Gaussian part or its error may have: products
/// of a few of them (lambda, the 6-point prediction, squared errors) stay finite.
pub const MAX_CORRELATOR: f64 = 1e100;

/// An exact source is refused when its largest |DeltaG4| is below this fraction of its largest
/// |G4|: DeltaG4 = G4 - sum KK then keeps fewer than about 6 of double precision's 16 digits
/// (the deviation falls like 1/N: widths above about 1e9).
pub const MIN_EXACT_DEVIATION: f64 = 1e-10;

/// The measured two-point matrix G2(x_a, x_b) of a measurement (its "2" correlator), for the
/// Gaussian part of a deep network's deviations; an error when it was not measured.
fn measured_g2(m: &Measurement) -> Result<DMatrix<f64>> {
    let entries = m.correlators.get("2").ok_or_else(|| {
        FitError::Data(format!(
            "a network of depth {} needs the measured 2-point function (its Gaussian part is \
             Wick on G2, which differs from the kernel at finite width): measure with --npt 2,4",
            m.depth
        ))
    })?;
    let k = m.inputs.len();
    let mut g2 = DMatrix::from_element(k, k, f64::NAN);
    for e in entries {
        if let [a, b] = e.index[..]
            && a < k
            && b < k
        {
            g2[(a, b)] = e.mean;
            g2[(b, a)] = e.mean;
        }
    }
    if g2.iter().any(|v| !v.is_finite()) {
        return Err(FitError::Data(
            "the 2-point function is incomplete or not finite".into(),
        ));
    }
    Ok(g2)
}

/// DeltaG^(n) = G^(n) minus its Gaussian part: the measurement's `gp` (Wick on the kernel K),
/// or Wick on `gauss` when given (a deep network: the measured G2).
fn deviation_table(
    m: &Measurement,
    n: usize,
    gauss: Option<&DMatrix<f64>>,
) -> Result<Option<CorrelatorTable>> {
    let Some(entries) = m.correlators.get(&n.to_string()) else {
        return Ok(None);
    };
    if let Some(e) = entries.iter().find(|e| {
        ![e.mean, e.gp, e.stderr]
            .iter()
            .all(|v| v.is_finite() && v.abs() <= MAX_CORRELATOR)
    }) {
        return Err(FitError::Data(format!(
            "the {n}-point entry {:?} has mean {:e}, Gaussian part {:e}, error {:e}: every value must be finite and at most {MAX_CORRELATOR:e} in size",
            e.index, e.mean, e.gp, e.stderr
        )));
    }
    let entries: Vec<Entry> = entries
        .iter()
        .map(|e| Entry {
            index: e.index.clone(),
            mean: e.mean - gauss.map_or(e.gp, |g| wick(g, &e.index)),
            stderr: e.stderr,
        })
        .collect();
    if entries
        .iter()
        .any(|e| !(e.mean.is_finite() && e.stderr.is_finite() && e.stderr >= 0.0))
    {
        return Err(FitError::Data(format!(
            "the {n}-point function holds a non-finite value or a negative error"
        )));
    }
    Ok(Some(CorrelatorTable::from_entries(
        m.inputs.len(),
        n,
        entries,
    )?))
}

impl Deviations {
    /// The deviations of a measurement (exact when `nets` is 0). Needs the 4-point function.
    pub fn from_measurement(m: &Measurement) -> Result<Self> {
        let network = m.network()?;
        if m.width == 0 {
            return Err(FitError::Data(
                "the measurement's width is 0 (at least 1)".into(),
            ));
        }
        let inputs = InputSet::new(m.inputs.clone())?;
        if inputs.dim() != m.d_in {
            return Err(FitError::Data(format!(
                "the inputs have {} coordinates but d_in is {}",
                inputs.dim(),
                m.d_in
            )));
        }
        // Deep networks: G2 = K + O(1/n), so the Gaussian part is Wick on the measured G2 and
        // DeltaG4 is the connected 4-point function (docs/conventions.md section 11).
        let gauss = if network.depth() > 1 {
            Some(measured_g2(m)?)
        } else {
            None
        };
        let dg4 = deviation_table(m, 4, gauss.as_ref())?
            .ok_or_else(|| FitError::Data("the measurement has no 4-point function".into()))?;
        let dg6 = deviation_table(m, 6, gauss.as_ref())?;
        let sampled = m.nets > 0;
        if !sampled {
            let g4 = m
                .correlators
                .get("4")
                .map_or(0.0, |es| es.iter().fold(0.0f64, |a, e| a.max(e.mean.abs())));
            let d4 = dg4
                .entries()
                .iter()
                .fold(0.0f64, |a, e| a.max(e.mean.abs()));
            if d4 < MIN_EXACT_DEVIATION * g4 {
                return Err(FitError::Undefined(format!(
                    "at width {} the deviation from the Gaussian process is below double-precision resolution (largest |DeltaG4| / |G4| = {:.1e}, need at least {MIN_EXACT_DEVIATION:.0e}): lambda cannot be trusted; use a smaller width (the couplings scale like 1/N)",
                    m.width,
                    d4 / g4
                )));
            }
        }
        if sampled && dg4.entries().iter().any(|e| e.stderr <= 0.0) {
            return Err(FitError::Data(
                "a sampled 4-point entry has a zero standard error; sample more networks or experiments".into(),
            ));
        }
        Ok(Deviations {
            kernel: network.kernel_matrix(&inputs),
            network,
            width: m.width,
            inputs,
            dg4,
            dg6,
            sampled,
        })
    }

    /// Fail with a clear message unless the data come from `net` (and width `width`, if given).
    pub fn check_settings(&self, net: &Network, width: Option<usize>) -> Result<()> {
        let have = &self.network;
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0);
        if have.arch() != net.arch()
            || !close(have.sigma_w(), net.sigma_w())
            || !close(have.sigma_b(), net.sigma_b())
            || have.d_in() != net.d_in()
            || have.depth() != net.depth()
        {
            return Err(FitError::Mismatch(format!(
                "the data are for {} (sigma_w {}, sigma_b {}, d {}{}) but {} (sigma_w {}, sigma_b {}, d {}{}) was requested",
                have.arch(),
                have.sigma_w(),
                have.sigma_b(),
                have.d_in(),
                depth_note(have),
                net.arch(),
                net.sigma_w(),
                net.sigma_b(),
                net.d_in(),
                depth_note(net)
            )));
        }
        if let Some(w) = width
            && w != self.width
        {
            return Err(FitError::Mismatch(format!(
                "the data are at width {} but width {w} was requested",
                self.width
            )));
        }
        Ok(())
    }

    /// The same deviations restricted to `inputs` (each must be one of the measured inputs),
    /// re-indexed in the order given.
    pub fn restrict(&self, inputs: &InputSet) -> Result<Deviations> {
        let map: Vec<usize> = inputs
            .points()
            .iter()
            .map(|p| {
                self.inputs
                    .points()
                    .iter()
                    .position(|q| {
                        q.len() == p.len()
                            && q.iter()
                                .zip(p)
                                .all(|(a, b)| (a - b).abs() <= 1e-12 * a.abs().max(1.0))
                    })
                    .ok_or_else(|| {
                        FitError::Mismatch(format!(
                            "input {p:?} is not among the measured inputs {:?}",
                            self.inputs.points()
                        ))
                    })
            })
            .collect::<Result<_>>()?;
        let m = inputs.len();
        let pick = |table: &CorrelatorTable, n: usize| {
            CorrelatorTable::from_fn(m, n, |idx| {
                let mut orig: Vec<usize> = idx.iter().map(|&i| map[i]).collect();
                orig.sort_unstable();
                let e = &table.entries()[multiset_rank(table.inputs(), &orig)];
                (e.mean, e.stderr)
            })
        };
        Ok(Deviations {
            network: self.network,
            width: self.width,
            inputs: inputs.clone(),
            kernel: DMatrix::from_fn(m, m, |a, b| self.kernel[(map[a], map[b])]),
            dg4: pick(&self.dg4, 4)?,
            dg6: self.dg6.as_ref().map(|t| pick(t, 6)).transpose()?,
            sampled: self.sampled,
        })
    }

    /// Deviations from tables built by the caller (synthetic data, tests); the kernel is the
    /// network's exact K over `inputs`.
    pub fn from_tables(
        network: Network,
        width: usize,
        inputs: InputSet,
        dg4: CorrelatorTable,
        dg6: Option<CorrelatorTable>,
        sampled: bool,
    ) -> Result<Self> {
        let m = inputs.len();
        if dg4.inputs() != m
            || dg4.n() != 4
            || dg6.as_ref().is_some_and(|t| t.inputs() != m || t.n() != 6)
        {
            return Err(FitError::Data(
                "the tables do not match the input set".into(),
            ));
        }
        Ok(Deviations {
            kernel: network.kernel_matrix(&inputs),
            network,
            width,
            inputs,
            dg4,
            dg6,
            sampled,
        })
    }
}
