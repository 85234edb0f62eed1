//! The figure model and its SVG rendering.

// A shared API for several commands: not every constructor is used by every build.
#![allow(dead_code)]

use crate::cli::output::write_atomic;
use anyhow::{Result, anyhow};
use plotters::prelude::*;
use std::path::Path;

/// How a series is drawn.
#[derive(Clone, Debug, PartialEq)]
pub enum Style {
    /// Straight segments between consecutive points.
    Line,
    /// Markers only.
    Points,
    /// Segments and markers.
    LineAndPoints,
    /// Markers with vertical error bars: point k spans y_k -+ errors[k].
    ErrorBars(Vec<f64>),
    /// A dashed line (e.g. a fit or a reference slope).
    Dashed,
}

/// One labelled set of points.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub style: Style,
}

impl Series {
    pub fn line(label: &str, points: Vec<(f64, f64)>) -> Self {
        Series {
            label: label.into(),
            points,
            style: Style::Line,
        }
    }
    pub fn points(label: &str, points: Vec<(f64, f64)>) -> Self {
        Series {
            label: label.into(),
            points,
            style: Style::Points,
        }
    }
    pub fn line_points(label: &str, points: Vec<(f64, f64)>) -> Self {
        Series {
            label: label.into(),
            points,
            style: Style::LineAndPoints,
        }
    }
    pub fn dashed(label: &str, points: Vec<(f64, f64)>) -> Self {
        Series {
            label: label.into(),
            points,
            style: Style::Dashed,
        }
    }
    /// Points with symmetric vertical errors (one per point).
    pub fn error_bars(label: &str, points: Vec<(f64, f64)>, errors: Vec<f64>) -> Self {
        Series {
            label: label.into(),
            points,
            style: Style::ErrorBars(errors),
        }
    }

    /// The finite points with their vertical half-widths (0 without error bars).
    fn finite(&self) -> Vec<(f64, f64, f64)> {
        self.points
            .iter()
            .enumerate()
            .map(|(k, &(x, y))| {
                let e = match &self.style {
                    Style::ErrorBars(errs) => errs.get(k).copied().unwrap_or(0.0).abs(),
                    _ => 0.0,
                };
                (x, y, if e.is_finite() { e } else { 0.0 })
            })
            .filter(|(x, y, _)| x.is_finite() && y.is_finite())
            .collect()
    }
}

/// A chart: title, axis labels and series, drawn in a fixed palette with a legend.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
    /// Width and height in pixels.
    pub size: (u32, u32),
    /// The corner the legend sits in (choose one the data leave empty).
    pub legend: SeriesLabelPosition,
}

const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(127, 127, 127),
];

/// [lo, hi] padded by 5%, widened when degenerate.
fn padded(lo: f64, hi: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    let span = hi - lo;
    if span <= 0.0 {
        let d = if lo == 0.0 { 1.0 } else { 0.1 * lo.abs() };
        return (lo - d, hi + d);
    }
    (lo - 0.05 * span, hi + 0.05 * span)
}

impl Figure {
    /// An empty 800 x 560 figure.
    pub fn new(title: &str, x_label: &str, y_label: &str) -> Self {
        Figure {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            series: vec![],
            size: (800, 560),
            legend: SeriesLabelPosition::UpperRight,
        }
    }

    /// The same figure with its legend in another corner.
    pub fn legend_at(mut self, corner: SeriesLabelPosition) -> Self {
        self.legend = corner;
        self
    }

    /// Add a series.
    pub fn with(mut self, series: Series) -> Self {
        self.series.push(series);
        self
    }

    /// The figure as an SVG document. Non-finite points are skipped; the axes span every
    /// finite point and error bar.
    pub fn to_svg(&self) -> Result<String> {
        let all: Vec<(f64, f64, f64)> = self.series.iter().flat_map(|s| s.finite()).collect();
        let (x0, x1) = padded(
            all.iter().map(|p| p.0).fold(f64::INFINITY, f64::min),
            all.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max),
        );
        let (y0, y1) = padded(
            all.iter().map(|p| p.1 - p.2).fold(f64::INFINITY, f64::min),
            all.iter()
                .map(|p| p.1 + p.2)
                .fold(f64::NEG_INFINITY, f64::max),
        );
        let mut svg = String::new();
        {
            let err = |e: &dyn std::fmt::Display| anyhow!("cannot draw the figure: {e}");
            let root = SVGBackend::with_string(&mut svg, self.size).into_drawing_area();
            root.fill(&WHITE).map_err(|e| err(&e))?;
            let mut chart = ChartBuilder::on(&root)
                .caption(&self.title, ("sans-serif", 22))
                .margin(15)
                .x_label_area_size(45)
                .y_label_area_size(65)
                .build_cartesian_2d(x0..x1, y0..y1)
                .map_err(|e| err(&e))?;
            chart
                .configure_mesh()
                .x_desc(&self.x_label)
                .y_desc(&self.y_label)
                .light_line_style(RGBColor(235, 235, 235))
                .draw()
                .map_err(|e| err(&e))?;
            for (k, s) in self.series.iter().enumerate() {
                let color = PALETTE[k % PALETTE.len()];
                let pts = s.finite();
                let xy: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.1)).collect();
                let line = matches!(s.style, Style::Line | Style::LineAndPoints);
                let marks = !matches!(s.style, Style::Line | Style::Dashed);
                if line {
                    chart
                        .draw_series(LineSeries::new(xy.clone(), color.stroke_width(2)))
                        .map_err(|e| err(&e))?;
                }
                if matches!(s.style, Style::Dashed) {
                    chart
                        .draw_series(DashedLineSeries::new(
                            xy.clone(),
                            8,
                            5,
                            color.stroke_width(2),
                        ))
                        .map_err(|e| err(&e))?;
                }
                if let Style::ErrorBars(_) = s.style {
                    chart
                        .draw_series(pts.iter().map(|&(x, y, e)| {
                            PathElement::new(vec![(x, y - e), (x, y + e)], color.stroke_width(1))
                        }))
                        .map_err(|e| err(&e))?;
                }
                let anno = if marks {
                    chart
                        .draw_series(xy.iter().map(|&p| Circle::new(p, 4, color.filled())))
                        .map_err(|e| err(&e))?
                } else {
                    // A zero-length series only to attach the legend entry.
                    chart
                        .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
                        .map_err(|e| err(&e))?
                };
                anno.label(s.label.clone()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(3))
                });
            }
            if !self.series.is_empty() {
                chart
                    .configure_series_labels()
                    .background_style(WHITE.mix(0.85))
                    .border_style(BLACK)
                    .position(self.legend.clone())
                    .draw()
                    .map_err(|e| err(&e))?;
            }
            root.present().map_err(|e| err(&e))?;
        }
        Ok(svg)
    }

    /// Render and write to `path` atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        write_atomic(path, self.to_svg()?.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_style_and_skips_non_finite_points() {
        let fig = Figure::new("t", "log10 N", "log10 m")
            .with(Series::line("series-alpha", vec![(0.0, 1.0), (1.0, 2.0)]))
            .with(Series::points("b", vec![(0.5, f64::NAN), (0.5, 1.5)]))
            .with(Series::line_points("c", vec![(0.2, 1.2)]))
            .with(Series::dashed("d", vec![(0.0, 0.5), (1.0, 0.7)]))
            .with(Series::error_bars(
                "series-echo",
                vec![(0.3, 1.0)],
                vec![0.4],
            ));
        let svg = fig.to_svg().unwrap();
        assert!(svg.starts_with("<svg"));
        for label in ["log10 N", "log10 m", "series-alpha", "series-echo"] {
            assert!(svg.contains(label), "{label}");
        }
        assert!(!svg.contains("NaN"));
        // An empty figure still renders.
        assert!(Figure::new("empty", "x", "y").to_svg().is_ok());
    }
}
