//! The figure model and its rendering: SVG (plotters), the plotted data as CSV, PDF (rsvg-convert).

// A shared API for several commands: not every constructor is used by every build.
#![allow(dead_code)]

use crate::cli::output::write_atomic;
use anyhow::{Context, Result, anyhow};
use plotters::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;

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
    /// Markers joined by segments, with vertical bars from lo_k to hi_k (e.g. a median and
    /// its quantiles).
    Ranges(Vec<(f64, f64)>),
    /// A dashed line (e.g. a fit or a reference slope).
    Dashed,
    /// Crosses only (marks such as sign changes).
    Crosses,
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
    pub fn crosses(label: &str, points: Vec<(f64, f64)>) -> Self {
        Series {
            label: label.into(),
            points,
            style: Style::Crosses,
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
    /// Points joined by segments with vertical bars from `ranges[k].0` to `ranges[k].1`.
    pub fn ranges(label: &str, points: Vec<(f64, f64)>, ranges: Vec<(f64, f64)>) -> Self {
        Series {
            label: label.into(),
            points,
            style: Style::Ranges(ranges),
        }
    }

    /// The finite points with the low and high ends of their vertical bars (y itself without
    /// bars).
    fn finite(&self) -> Vec<(f64, f64, f64, f64)> {
        self.points
            .iter()
            .enumerate()
            .map(|(k, &(x, y))| {
                let (lo, hi) = match &self.style {
                    Style::ErrorBars(errs) => {
                        let e = errs.get(k).copied().unwrap_or(0.0).abs();
                        let e = if e.is_finite() { e } else { 0.0 };
                        (y - e, y + e)
                    }
                    Style::Ranges(r) => r
                        .get(k)
                        .copied()
                        .filter(|(a, b)| a.is_finite() && b.is_finite())
                        .map_or((y, y), |(a, b)| (a.min(y), b.max(y))),
                    _ => (y, y),
                };
                (x, y, lo, hi)
            })
            .filter(|(x, y, _, _)| x.is_finite() && y.is_finite())
            .collect()
    }
}

/// A chart: title, caption lines, axis labels and series, drawn in a fixed palette with a
/// legend in a band of its own (never over the data).
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    pub title: String,
    /// Lines under the title: the settings that are not the defaults.
    pub caption: Vec<String>,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
    /// Width and height in pixels.
    pub size: (u32, u32),
    /// The corner the legend sits in; the axis range is extended so that its band is empty.
    pub legend: SeriesLabelPosition,
    /// A fixed y range: values outside are drawn at its edge (the CSV keeps them).
    pub y_clip: Option<(f64, f64)>,
}

const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(127, 127, 127),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Nominal font sizes: plotters' SVG backend writes 0.806 of them as the font-size, so these
/// give 22.6 (title), 17.7 (axis labels) and 15.3 px (captions, ticks, legend) at the
/// default size, all at least 14 px.
const TITLE_PX: u32 = 28;
const CAPTION_PX: u32 = 19;
const AXIS_PX: u32 = 22;
const TICK_PX: u32 = 19;
const LEGEND_PX: u32 = 19;
/// Height of one legend row in pixels.
const LEGEND_ROW_PX: u32 = 26;

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

/// A CSV field: quoted when it holds a comma, a quote or a newline.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

impl Figure {
    /// An empty 1000 x 700 figure.
    pub fn new(title: &str, x_label: &str, y_label: &str) -> Self {
        Figure {
            title: title.into(),
            caption: vec![],
            x_label: x_label.into(),
            y_label: y_label.into(),
            series: vec![],
            size: (1000, 700),
            legend: SeriesLabelPosition::UpperRight,
            y_clip: None,
        }
    }

    /// The same figure with its y axis held to [lo, hi].
    pub fn clip_y(mut self, lo: f64, hi: f64) -> Self {
        self.y_clip = Some((lo, hi));
        self
    }

    /// The drawable points of `s`: finite, and clamped into the y range when one is set.
    fn drawn(&self, s: &Series) -> Vec<(f64, f64, f64, f64)> {
        let pts = s.finite();
        match self.y_clip {
            None => pts,
            Some((a, b)) => pts
                .into_iter()
                .map(|(x, y, lo, hi)| (x, y.clamp(a, b), lo.clamp(a, b), hi.clamp(a, b)))
                .collect(),
        }
    }

    /// The same figure with its legend in another corner.
    pub fn legend_at(mut self, corner: SeriesLabelPosition) -> Self {
        self.legend = corner;
        self
    }

    /// The same figure with one more caption line (skipped when empty).
    pub fn caption(mut self, line: &str) -> Self {
        if !line.is_empty() {
            self.caption.push(line.into());
        }
        self
    }

    /// Add a series.
    pub fn with(mut self, series: Series) -> Self {
        self.series.push(series);
        self
    }

    /// The plotted numbers as CSV: one row per finite point, `series,x,y,y_low,y_high`
    /// (y_low = y_high = y for points without a bar).
    pub fn to_csv(&self) -> String {
        let mut out = String::from("series,x,y,y_low,y_high\n");
        for s in &self.series {
            for (x, y, lo, hi) in s.finite() {
                out.push_str(&format!(
                    "{},{x:?},{y:?},{lo:?},{hi:?}\n",
                    csv_field(&s.label)
                ));
            }
        }
        out
    }

    /// The figure as an SVG document. Non-finite points are skipped; the axes span every
    /// finite point and bar, plus a band for the legend.
    pub fn to_svg(&self) -> Result<String> {
        let all: Vec<(f64, f64, f64, f64)> =
            self.series.iter().flat_map(|s| self.drawn(s)).collect();
        let (x0, x1) = padded(
            all.iter().map(|p| p.0).fold(f64::INFINITY, f64::min),
            all.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max),
        );
        let (mut y0, mut y1) = padded(
            all.iter().map(|p| p.2).fold(f64::INFINITY, f64::min),
            all.iter().map(|p| p.3).fold(f64::NEG_INFINITY, f64::max),
        );
        let top_px = 15 + TITLE_PX + 10 + self.caption.len() as u32 * (CAPTION_PX + 6);
        let x_area = 60;
        // The legend's band: rows plus its frame, as a fraction of the plotting height.
        if !self.series.is_empty() {
            let plot_h = self.size.1.saturating_sub(top_px + x_area + 15).max(100) as f64;
            let band = (self.series.len() as u32 * LEGEND_ROW_PX + 24) as f64;
            let f = (band / plot_h).min(0.6);
            let grow = (y1 - y0) * f / (1.0 - f);
            match self.legend {
                SeriesLabelPosition::LowerLeft
                | SeriesLabelPosition::LowerMiddle
                | SeriesLabelPosition::LowerRight => y0 -= grow,
                _ => y1 += grow,
            }
        }
        let mut svg = String::new();
        {
            let err = |e: &dyn std::fmt::Display| anyhow!("cannot draw the figure: {e}");
            let root = SVGBackend::with_string(&mut svg, self.size).into_drawing_area();
            root.fill(&WHITE).map_err(|e| err(&e))?;
            let (head, body) = root.split_vertically(top_px);
            head.draw(&Text::new(
                self.title.clone(),
                (15, 12),
                ("sans-serif", TITLE_PX).into_font(),
            ))
            .map_err(|e| err(&e))?;
            for (k, line) in self.caption.iter().enumerate() {
                let y = 12 + TITLE_PX as i32 + 8 + k as i32 * (CAPTION_PX as i32 + 6);
                head.draw(&Text::new(
                    line.clone(),
                    (15, y),
                    ("sans-serif", CAPTION_PX)
                        .into_font()
                        .color(&RGBColor(60, 60, 60)),
                ))
                .map_err(|e| err(&e))?;
            }
            let mut chart = ChartBuilder::on(&body)
                .margin(15)
                .x_label_area_size(x_area)
                .y_label_area_size(90)
                .build_cartesian_2d(x0..x1, y0..y1)
                .map_err(|e| err(&e))?;
            chart
                .configure_mesh()
                .x_desc(&self.x_label)
                .y_desc(&self.y_label)
                .label_style(("sans-serif", TICK_PX))
                .axis_desc_style(("sans-serif", AXIS_PX))
                .light_line_style(RGBColor(235, 235, 235))
                .draw()
                .map_err(|e| err(&e))?;
            for (k, s) in self.series.iter().enumerate() {
                let color = PALETTE[k % PALETTE.len()];
                let pts = self.drawn(s);
                let xy: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.1)).collect();
                let line = matches!(
                    s.style,
                    Style::Line | Style::LineAndPoints | Style::Ranges(_)
                );
                let marks = matches!(
                    s.style,
                    Style::Points | Style::LineAndPoints | Style::ErrorBars(_) | Style::Ranges(_)
                );
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
                if matches!(s.style, Style::ErrorBars(_) | Style::Ranges(_)) {
                    // no bar (and no caps) where the error is zero, e.g. an exact source
                    let pts: Vec<_> = pts.iter().copied().filter(|p| p.3 > p.2).collect();
                    chart
                        .draw_series(pts.iter().map(|&(x, _, lo, hi)| {
                            PathElement::new(vec![(x, lo), (x, hi)], color.stroke_width(2))
                        }))
                        .map_err(|e| err(&e))?;
                    // caps 12 px wide at both ends
                    chart
                        .draw_series(pts.iter().flat_map(|&(x, _, lo, hi)| {
                            [lo, hi].map(|y| {
                                EmptyElement::at((x, y))
                                    + PathElement::new(vec![(-6, 0), (6, 0)], color.stroke_width(2))
                            })
                        }))
                        .map_err(|e| err(&e))?;
                }
                let anno = if matches!(s.style, Style::Crosses) {
                    chart
                        .draw_series(xy.iter().map(|&p| Cross::new(p, 7, color.stroke_width(3))))
                        .map_err(|e| err(&e))?
                } else if marks {
                    chart
                        .draw_series(xy.iter().map(|&p| Circle::new(p, 5, color.filled())))
                        .map_err(|e| err(&e))?
                } else {
                    // A zero-length series only to attach the legend entry.
                    chart
                        .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
                        .map_err(|e| err(&e))?
                };
                let dashed = matches!(s.style, Style::Dashed);
                anno.label(s.label.clone()).legend(move |(x, y)| {
                    let pts = if dashed {
                        vec![(x, y), (x + 9, y)]
                    } else {
                        vec![(x, y), (x + 22, y)]
                    };
                    PathElement::new(pts, color.stroke_width(4))
                });
            }
            if !self.series.is_empty() {
                chart
                    .configure_series_labels()
                    .label_font(("sans-serif", LEGEND_PX))
                    .background_style(WHITE.mix(0.9))
                    .border_style(BLACK)
                    .position(self.legend.clone())
                    .draw()
                    .map_err(|e| err(&e))?;
            }
            root.present().map_err(|e| err(&e))?;
        }
        Ok(svg)
    }

    /// Render to `path` (SVG) atomically, with the plotted data next to it (the same name,
    /// `.csv`) and a PDF (`.pdf`) when rsvg-convert is installed. Returns the paths written.
    pub fn write_all(&self, path: &Path) -> Result<Vec<PathBuf>> {
        let svg = self.to_svg()?;
        write_atomic(path, svg.as_bytes())?;
        let csv = path.with_extension("csv");
        write_atomic(&csv, self.to_csv().as_bytes())?;
        let mut written = vec![path.to_path_buf(), csv];
        let pdf = path.with_extension("pdf");
        if svg_to_pdf(path, &pdf)? {
            written.push(pdf);
        }
        Ok(written)
    }

    /// [`Figure::write_all`], for callers that do not list the files.
    pub fn write(&self, path: &Path) -> Result<()> {
        self.write_all(path).map(|_| ())
    }
}

/// Convert the SVG at `svg` to a PDF at `pdf` (atomically) with rsvg-convert; Ok(false) when
/// rsvg-convert is not installed.
fn svg_to_pdf(svg: &Path, pdf: &Path) -> Result<bool> {
    let dir = match pdf.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tmp = tempfile::Builder::new()
        .suffix(".pdf")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    let run = Command::new("rsvg-convert")
        .args(["-f", "pdf", "-o"])
        .arg(tmp.path())
        .arg(svg)
        .output();
    match run {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(anyhow!("cannot run rsvg-convert: {e}")),
        Ok(o) if !o.status.success() => Err(anyhow!(
            "rsvg-convert could not convert {}: {}",
            svg.display(),
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Ok(_) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))
                    .with_context(|| format!("cannot write {}", pdf.display()))?;
            }
            tmp.persist(pdf)
                .map_err(|e| e.error)
                .with_context(|| format!("cannot write {}", pdf.display()))?;
            Ok(true)
        }
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
        // The CSV holds every finite point with its bar; a label with a comma is quoted.
        let csv = Figure::new("t", "x", "y")
            .with(Series::error_bars(
                "a, b",
                vec![(1.0, 2.0), (f64::NAN, 0.0)],
                vec![0.5, 1.0],
            ))
            .with(Series::ranges("r", vec![(3.0, 4.0)], vec![(3.5, 6.0)]))
            .to_csv();
        assert_eq!(
            csv,
            "series,x,y,y_low,y_high\n\"a, b\",1.0,2.0,1.5,2.5\nr,3.0,4.0,3.5,6.0\n"
        );
        // Clipping holds the drawn values (not the CSV) in the range.
        let fig = Figure::new("t", "x", "y")
            .clip_y(-1.0, 1.0)
            .with(Series::crosses("c", vec![(0.0, 50.0), (1.0, -0.5)]));
        assert_eq!(fig.drawn(&fig.series[0])[0].1, 1.0);
        assert!(fig.to_csv().contains(",50.0,"));
        // Every text is at least 14 px.
        for part in svg.split("font-size=\"").skip(1) {
            let px: f64 = part[..part.find('"').unwrap()].parse().unwrap();
            assert!(px >= 14.0, "font size {px}");
        }
        // An empty figure still renders.
        assert!(Figure::new("empty", "x", "y").to_svg().is_ok());
    }
}
