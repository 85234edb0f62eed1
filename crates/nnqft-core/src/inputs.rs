//! Input sets: the points x_1..x_m in R^d at which correlators are measured.

use crate::arch::Arch;
use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};

/// A non-empty list of input points of one dimension d >= 1, all coordinates finite.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InputSet {
    d: usize,
    points: Vec<Vec<f64>>,
}

impl InputSet {
    /// Validate a list of points: non-empty, one dimension d >= 1, all coordinates finite.
    pub fn new(points: Vec<Vec<f64>>) -> Result<Self> {
        let first = points
            .first()
            .ok_or_else(|| CoreError::Inputs("the input set is empty".into()))?;
        let d = first.len();
        if d == 0 {
            return Err(CoreError::Inputs("a point has no coordinates".into()));
        }
        for (i, p) in points.iter().enumerate() {
            if p.len() != d {
                return Err(CoreError::Inputs(format!(
                    "point {} has {} coordinates but point 1 has {d}",
                    i + 1,
                    p.len()
                )));
            }
            if let Some(v) = p.iter().find(|v| !v.is_finite()) {
                return Err(CoreError::Inputs(format!(
                    "point {} has a non-finite coordinate {v}",
                    i + 1
                )));
            }
        }
        Ok(InputSet { d, points })
    }

    /// One-dimensional points.
    pub fn from_scalars(xs: &[f64]) -> Result<Self> {
        InputSet::new(xs.iter().map(|&x| vec![x]).collect())
    }

    /// The paper's six inputs for `arch`, placed on the diagonal x (1, ..., 1) of R^d, where
    /// the kernels equal the one-dimensional ones because x.x'/d = x x'.
    pub fn paper(arch: Arch, d: usize) -> Result<Self> {
        if d == 0 {
            return Err(CoreError::Dimension(d));
        }
        if d > crate::MAX_INPUT_DIM {
            return Err(CoreError::DimensionTooLarge(d));
        }
        InputSet::new(
            crate::paper::inputs(arch)
                .into_iter()
                .map(|x| vec![x; d])
                .collect(),
        )
    }

    /// Parse a LIST: points separated by ';' and coordinates by ','; when `d` is 1 (or the
    /// text has no ';' and `d` is None) commas also separate one-dimensional points. `paper`
    /// takes the architecture's paper inputs. If `d` is given, every point must have d coordinates.
    pub fn parse(text: &str, arch: Arch, d: Option<usize>) -> Result<Self> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("paper") {
            return InputSet::paper(arch, d.unwrap_or(1));
        }
        if text.is_empty() {
            return Err(CoreError::Inputs("the input list is empty".into()));
        }
        let number = |s: &str| -> Result<f64> {
            let s = s.trim();
            let v: f64 = s
                .parse()
                .map_err(|_| CoreError::Inputs(format!("'{s}' is not a number")))?;
            if !v.is_finite() {
                return Err(CoreError::Inputs(format!("'{s}' is not finite")));
            }
            Ok(v)
        };
        let points: Vec<Vec<f64>> = if text.contains(';') || d.is_some_and(|d| d > 1) {
            text.split(';')
                .filter(|p| !p.trim().is_empty())
                .map(|p| p.split(',').map(number).collect::<Result<Vec<f64>>>())
                .collect::<Result<_>>()?
        } else {
            text.split(',')
                .map(|s| number(s).map(|v| vec![v]))
                .collect::<Result<_>>()?
        };
        let set = InputSet::new(points)?;
        if let Some(d) = d
            && set.d != d
        {
            return Err(CoreError::Inputs(format!(
                "the points have {} coordinates but the input dimension is {d}",
                set.d
            )));
        }
        Ok(set)
    }

    /// Input dimension d.
    pub fn dim(&self) -> usize {
        self.d
    }

    /// Number of points m.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Always false: an input set is never empty.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The a-th point.
    pub fn point(&self, a: usize) -> &[f64] {
        &self.points[a]
    }

    /// All points.
    pub fn points(&self) -> &[Vec<f64>] {
        &self.points
    }

    /// The same points multiplied by `factor` (the paper's train set is the test set times sqrt(2)/2).
    pub fn scaled(&self, factor: f64) -> Result<Self> {
        InputSet::new(
            self.points
                .iter()
                .map(|p| p.iter().map(|v| v * factor).collect())
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_one_and_two_dimensional_lists() {
        let a = InputSet::parse("0.2, 0.4,0.6", Arch::Erf, None).unwrap();
        assert_eq!(a.dim(), 1);
        assert_eq!(a.len(), 3);
        let b = InputSet::parse("0.2,0.1; -1,3", Arch::Erf, None).unwrap();
        assert_eq!((b.dim(), b.len()), (2, 2));
        assert_eq!(b.point(1), &[-1.0, 3.0]);
        let c = InputSet::parse("0.5,1", Arch::Erf, Some(2)).unwrap();
        assert_eq!((c.dim(), c.len()), (2, 1));
        let p = InputSet::parse("paper", Arch::Relu, Some(3)).unwrap();
        assert_eq!(p.len(), 6);
        assert_eq!(p.point(0), &[0.2, 0.2, 0.2]);
    }

    #[test]
    fn rejects_bad_lists() {
        for bad in ["", "a,b", "1,nan", "1;2,3", "inf", ";"] {
            assert!(InputSet::parse(bad, Arch::Erf, None).is_err(), "{bad:?}");
        }
        assert!(InputSet::parse("1,2", Arch::Erf, Some(3)).is_err());
    }
}
