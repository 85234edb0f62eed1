//! Effective-action fits to DeltaG4 (docs/conventions.md section 7, the paper's Table 5): a model is a
//! list of named couplings, each multiplying one operator column, with
//! DeltaG4 = -sum_c g_c T_c; one solver ([`crate::lsq::solve`]) serves every model.

use crate::data::Deviations;
use crate::error::{FitError, Result};
use crate::lsq::solve;
use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One operator: the coupling's name and the integral T it multiplies, per data point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Operator {
    /// The coupling's name.
    pub coupling: String,
    /// T per data point.
    pub values: Vec<f64>,
}

/// DeltaG4 per 4-multiset (with errors when sampled) and the operator integrals at the same tuples.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitData {
    /// The sorted 4-multisets (data points).
    pub tuples: Vec<Vec<usize>>,
    /// DeltaG4 per data point.
    pub target: Vec<f64>,
    /// Its standard error when sampled.
    pub error: Option<Vec<f64>>,
    /// The operators (design columns).
    pub operators: Vec<Operator>,
}

impl FitData {
    /// The DeltaG4 of `dev` (errors kept when sampled) with operator columns in its tuple order.
    pub fn new(dev: &Deviations, operators: Vec<Operator>) -> Result<Self> {
        let e = dev.dg4.entries();
        if let Some(op) = operators.iter().find(|o| o.values.len() != e.len()) {
            return Err(FitError::Data(format!(
                "operator {} has {} values for {} data points",
                op.coupling,
                op.values.len(),
                e.len()
            )));
        }
        Ok(FitData {
            tuples: e.iter().map(|x| x.index.clone()).collect(),
            target: e.iter().map(|x| x.mean).collect(),
            error: dev.sampled.then(|| e.iter().map(|x| x.stderr).collect()),
            operators,
        })
    }

    fn column(&self, name: &str) -> Result<&[f64]> {
        self.operators
            .iter()
            .find(|o| o.coupling == name)
            .map(|o| o.values.as_slice())
            .ok_or_else(|| FitError::Data(format!("no operator for coupling {name}")))
    }

    /// The design A with A_ic = -T_c(i), so that DeltaG4 = A g.
    fn design(&self, couplings: &[String]) -> Result<DMatrix<f64>> {
        let cols: Vec<&[f64]> = couplings
            .iter()
            .map(|c| self.column(c))
            .collect::<Result<_>>()?;
        Ok(DMatrix::from_fn(self.target.len(), cols.len(), |i, j| {
            -cols[j][i]
        }))
    }
}

/// A candidate effective action: a name and the couplings it turns on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Model {
    /// The name (M0..M3).
    pub name: String,
    /// The couplings it fits.
    pub couplings: Vec<String>,
}

/// The paper's nested models: M0 free, M1 lambda_0, M2 + lambda_2, M3 + lambda_NL
/// (operators T0, T2, TNL).
pub fn paper_models() -> Vec<Model> {
    let all = ["lambda_0", "lambda_2", "lambda_NL"];
    (0..=3)
        .map(|k| Model {
            name: format!("M{k}"),
            couplings: all[..k].iter().map(|s| s.to_string()).collect(),
        })
        .collect()
}

/// How the rows of a fit are weighted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weighting {
    /// 1/sigma_i: chi-square (sampled data).
    Errors,
    /// 1: plain mean squared error, the paper's loss.
    Plain,
    /// 1/|DeltaG4_i|: squared relative error, a smooth stand-in for MAPE.
    Relative,
}

/// The paper's two metrics (and chi^2/dof when errors are known).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// 100/n sum |y - p| / |y|.
    pub mape: f64,
    /// 1/n sum (y - p)^2.
    pub mse: f64,
    /// sum ((y - p)/sigma)^2 / dof, dof = n - couplings on the train set and n on the test set.
    pub chi2_dof: Option<f64>,
}

/// One fitted model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelFit {
    /// The model's name (M0..M3).
    pub name: String,
    /// The fitted couplings by name.
    pub couplings: BTreeMap<String, f64>,
    /// Standard errors from the covariance, which treats the data errors as independent.
    pub errors: BTreeMap<String, f64>,
    /// sum_i |dg/dy_i| sigma_i: an upper bound on the standard error for any correlation
    /// between the data errors (sampled entries measured on the same networks are strongly
    /// correlated); null without data errors.
    pub error_bounds: Option<BTreeMap<String, f64>>,
    /// Order of the covariance rows and columns.
    pub coupling_names: Vec<String>,
    /// From the sampling errors (weighting "errors"), else scaled by the residual variance.
    pub covariance: Vec<Vec<f64>>,
    /// Condition number of the weighted design with unit-norm columns.
    pub condition: f64,
    /// MAPE and MSE on the training inputs.
    pub train: Metrics,
    /// MAPE and MSE on the test inputs.
    pub test: Metrics,
    /// Caveats (e.g. linearly dependent operators); empty when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Every model fitted on `train` and judged on `test`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitReport {
    /// How the residuals were weighted.
    pub weighting: Weighting,
    /// One fit per model, in the order asked.
    pub models: Vec<ModelFit>,
}

fn metrics(data: &FitData, pred: &DVector<f64>, fitted: usize) -> Metrics {
    let n = data.target.len();
    let (mut ape, mut se) = (0.0, 0.0);
    for (y, p) in data.target.iter().zip(pred.iter()) {
        ape += ((y - p) / y).abs();
        se += (y - p) * (y - p);
    }
    let chi2_dof = data.error.as_ref().and_then(|err| {
        let dof = n.checked_sub(fitted).filter(|&d| d > 0)?;
        let chi2: f64 = data
            .target
            .iter()
            .zip(pred.iter())
            .zip(err)
            .map(|((y, p), s)| ((y - p) / s).powi(2))
            .sum();
        Some(chi2 / dof as f64)
    });
    Metrics {
        mape: 100.0 * ape / n as f64,
        mse: se / n as f64,
        chi2_dof,
    }
}

/// Fit every model on `train` by weighted least squares and evaluate it on both sets.
pub fn fit_models(
    train: &FitData,
    test: &FitData,
    models: &[Model],
    weighting: Weighting,
) -> Result<FitReport> {
    if train.target.is_empty() || test.target.is_empty() {
        return Err(FitError::Data("the train and test sets need data".into()));
    }
    let y = DVector::from_column_slice(&train.target);
    let w: Option<DVector<f64>> = match weighting {
        Weighting::Plain => None,
        Weighting::Errors => {
            let err = train.error.as_ref().ok_or_else(|| {
                FitError::Data("weighting by errors needs sampled data with standard errors".into())
            })?;
            Some(DVector::from_iterator(
                err.len(),
                err.iter().map(|s| 1.0 / s),
            ))
        }
        Weighting::Relative => Some(y.map(|v| 1.0 / v.abs())),
    };
    let mut out = vec![];
    for model in models {
        let a = train.design(&model.couplings)?;
        let sol = solve(&a, &y, w.as_ref())?;
        let k = model.couplings.len();
        let cov = sol.covariance(weighting == Weighting::Errors);
        let test_pred = test.design(&model.couplings)? * &sol.coef;
        let mut warnings = vec![];
        if sol.rank < k {
            warnings.push(format!(
                "{}: the operator columns are linearly dependent; only a combination of the couplings is determined (the minimum-norm solution is shown, its errors are meaningless)",
                model.name
            ));
        } else if sol.degenerate() {
            warnings.push(format!(
                "{}: the operator columns are nearly degenerate (condition number {:.3e}); the couplings are poorly determined",
                model.name, sol.condition
            ));
        }
        out.push(ModelFit {
            name: model.name.clone(),
            couplings: (0..k)
                .map(|j| (model.couplings[j].clone(), sol.coef[j]))
                .collect(),
            errors: (0..k)
                .map(|j| (model.couplings[j].clone(), cov[(j, j)].max(0.0).sqrt()))
                .collect(),
            error_bounds: train.error.as_ref().map(|sig| {
                // dg/dy = (A^T W^2 A)^-1 A^T W^2.
                let w2: Vec<f64> = match &w {
                    Some(w) => w.iter().map(|v| v * v).collect(),
                    None => vec![1.0; sig.len()],
                };
                (0..k)
                    .map(|j| {
                        let b: f64 = (0..sig.len())
                            .map(|i| {
                                let g: f64 = (0..k)
                                    .map(|l| sol.normal_inverse[(j, l)] * a[(i, l)] * w2[i])
                                    .sum();
                                g.abs() * sig[i]
                            })
                            .sum();
                        (model.couplings[j].clone(), b)
                    })
                    .collect()
            }),
            coupling_names: model.couplings.clone(),
            covariance: (0..k)
                .map(|i| (0..k).map(|j| cov[(i, j)]).collect())
                .collect(),
            condition: sol.condition,
            train: metrics(train, &(&a * &sol.coef), k),
            test: metrics(test, &test_pred, 0),
            warnings,
        });
    }
    Ok(FitReport {
        weighting,
        models: out,
    })
}
