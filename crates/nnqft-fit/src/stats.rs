//! Small statistics: values with errors, means, spreads, medians and straight-line fits.

use serde::{Deserialize, Serialize};

/// Arithmetic mean; NaN for an empty slice (callers check lengths first).
pub fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Sample standard deviation sqrt(sum (x - mean)^2 / (n - 1)); 0 for fewer than two values.
pub fn std_dev(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return 0.0;
    }
    let m = mean(xs);
    (xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (xs.len() - 1) as f64).sqrt()
}

/// Standard error of the mean of independent values with standard errors `errs`:
/// sqrt(sum e_i^2) / n.
pub fn mean_error(errs: &[f64]) -> f64 {
    errs.iter().map(|e| e * e).sum::<f64>().sqrt() / errs.len() as f64
}

/// Median (average of the two middle values for an even count); NaN when empty.
pub fn median(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// An ordinary least-squares line y = intercept + slope x.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// The slope.
    pub slope: f64,
    /// The intercept.
    pub intercept: f64,
    /// Coefficient of determination 1 - RSS/TSS (1 when y is constant and fitted exactly).
    pub r2: f64,
    /// Standard error of the slope from the scatter about the line, sqrt(RSS/(n-2)/Sxx)
    /// (0 with two points).
    pub scatter_error: f64,
    /// The weights w_k with slope = sum_k w_k y_k, (x_k - mean x)/Sxx: for propagating errors of y.
    pub slope_weights: Vec<f64>,
}

/// Least-squares line through (x_k, y_k); None with fewer than two points or constant x.
pub fn fit_line(x: &[f64], y: &[f64]) -> Option<Line> {
    let n = x.len();
    if n < 2 || y.len() != n {
        return None;
    }
    let (mx, my) = (mean(x), mean(y));
    let sxx: f64 = x.iter().map(|v| (v - mx) * (v - mx)).sum();
    if sxx <= 0.0 || !sxx.is_finite() {
        return None;
    }
    let slope_weights: Vec<f64> = x.iter().map(|v| (v - mx) / sxx).collect();
    let slope: f64 = slope_weights.iter().zip(y).map(|(w, v)| w * v).sum();
    let intercept = my - slope * mx;
    let rss: f64 = x
        .iter()
        .zip(y)
        .map(|(a, b)| (b - intercept - slope * a).powi(2))
        .sum();
    let tss: f64 = y.iter().map(|v| (v - my) * (v - my)).sum();
    let r2 = if tss > 0.0 {
        1.0 - rss / tss
    } else if rss == 0.0 {
        1.0
    } else {
        0.0
    };
    let scatter_error = if n > 2 {
        (rss / (n - 2) as f64 / sxx).sqrt()
    } else {
        0.0
    };
    Some(Line {
        slope,
        intercept,
        r2,
        scatter_error,
        slope_weights,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_through_exact_points() {
        let x = [0.0, 1.0, 2.0, 4.0];
        let y: Vec<f64> = x.iter().map(|v| 3.0 - 2.5 * v).collect();
        let l = fit_line(&x, &y).unwrap();
        assert!((l.slope + 2.5).abs() < 1e-14 && (l.intercept - 3.0).abs() < 1e-14);
        assert!((l.r2 - 1.0).abs() < 1e-14 && l.scatter_error < 1e-14);
        // The slope weights are a linear functional: they annihilate constants and give 1 on x.
        let w0: f64 = l.slope_weights.iter().sum();
        let w1: f64 = l.slope_weights.iter().zip(&x).map(|(w, v)| w * v).sum();
        assert!(w0.abs() < 1e-15 && (w1 - 1.0).abs() < 1e-14);
        assert!(fit_line(&[1.0, 1.0], &[0.0, 1.0]).is_none());
    }

    #[test]
    fn line_r2_and_scatter_by_hand() {
        // x = 0,1,2, y = 0,2,1: slope 0.5, intercept 0.5, RSS = 1.5, TSS = 2, Sxx = 2.
        let l = fit_line(&[0.0, 1.0, 2.0], &[0.0, 2.0, 1.0]).unwrap();
        assert!((l.slope - 0.5).abs() < 1e-15 && (l.intercept - 0.5).abs() < 1e-15);
        assert!((l.r2 - 0.25).abs() < 1e-15);
        assert!((l.scatter_error - (1.5f64 / 1.0 / 2.0).sqrt()).abs() < 1e-15);
    }

    #[test]
    fn simple_statistics() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!((std_dev(&[1.0, 2.0, 3.0, 4.0]) - (5.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert_eq!(std_dev(&[7.0]), 0.0);
        assert!((mean_error(&[3.0, 4.0]) - 2.5).abs() < 1e-15);
    }
}
