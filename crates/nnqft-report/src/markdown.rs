//! Markdown building blocks: tables and number formats. Every number in report.md goes
//! through one of these formats, so a reader (or the end-to-end test) can compare it with
//! the JSON to the printed precision.

/// A Markdown table from a header and rows of cells.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = format!("| {} |\n", header.join(" | "));
    s.push_str(&format!("|{}\n", "---|".repeat(header.len())));
    for r in rows {
        s.push_str(&format!("| {} |\n", r.join(" | ")));
    }
    s
}

/// Scientific notation with 4 significant digits after the point ("-1.2345e-3"); "-" when
/// the value is missing or not finite.
pub fn sci(x: f64) -> String {
    if x.is_finite() {
        unsigned_zero(format!("{x:.4e}"))
    } else {
        "-".into()
    }
}

/// Fixed notation with `digits` decimals; "-" when not finite.
pub fn fixed(x: f64, digits: usize) -> String {
    if x.is_finite() {
        unsigned_zero(format!("{x:.digits$}"))
    } else {
        "-".into()
    }
}

/// A number that rounds to zero written without a minus sign ("-0.0000" -> "0.0000").
fn unsigned_zero(s: String) -> String {
    let mantissa = s.split(['e', 'E']).next().unwrap_or("");
    if s.starts_with('-') && mantissa.chars().all(|c| matches!(c, '-' | '0' | '.')) {
        s[1..].to_string()
    } else {
        s
    }
}

/// An optional number in fixed notation.
pub fn opt_fixed(x: Option<f64>, digits: usize) -> String {
    x.map_or("-".into(), |v| fixed(v, digits))
}

/// A Markdown image link with a caption line.
pub fn figure(file: &str, caption: &str) -> String {
    format!("![{caption}]({file})\n\n*{caption}* ([{file}]({file}))\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_negative_zero() {
        assert_eq!(fixed(-1e-9, 4), "0.0000");
        assert_eq!(fixed(-0.0, 2), "0.00");
        assert_eq!(fixed(-0.5, 1), "-0.5");
        assert_eq!(sci(-0.0), "0.0000e0");
        assert_eq!(sci(-2.5e-3), "-2.5000e-3");
    }
}
