//! A sampled measurement as reported (the JSON of `nnqft sample`, the dict of the Python
//! package): the measurement's fields, then the estimator's name.

use crate::{Estimator, Measurement};
use serde::Serialize;

/// A finished measurement and the estimator that made it.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Sampled<'a> {
    /// The measurement (its fields come first, flattened).
    #[serde(flatten)]
    pub measurement: &'a Measurement,
    /// The estimator that made it.
    pub estimator: Estimator,
}
