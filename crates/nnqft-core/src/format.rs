//! Numbers for people: the one place that decides how a float reads in text output and in
//! messages (never hundreds of digits, never "-0").

/// `x` for people: the shortest decimal that reads back as `x`, in scientific notation
/// ("1e-300", "1.5e20") when it is below 1e-4 or at least 1e15 in size, else plain ("0.25",
/// "100"); zero of either sign is "0"; "inf", "-inf", "NaN" as they are.
pub fn number(x: f64) -> String {
    let a = x.abs();
    if x == 0.0 {
        "0".into()
    } else if x.is_finite() && !(1e-4..1e15).contains(&a) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// `x` in scientific notation with `digits` digits after the point ("-1.25e-3" for 3 digits
/// reads "-1.250e-3"), for table columns; a value that rounds to zero has no minus sign.
pub fn sci(x: f64, digits: usize) -> String {
    let s = format!("{x:.digits$e}");
    let mantissa = s.split('e').next().unwrap_or("");
    if s.starts_with('-') && mantissa.chars().all(|c| matches!(c, '-' | '0' | '.')) {
        s[1..].to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_short_and_read_back() {
        for (x, text) in [
            (1e-300, "1e-300"),
            (1e300, "1e300"),
            (0.25, "0.25"),
            (100.0, "100"),
            (0.0, "0"),
            (-0.0, "0"),
            (-1.5e20, "-1.5e20"),
            (1e-4, "0.0001"),
            (-6.25e-11, "-6.25e-11"),
        ] {
            assert_eq!(number(x), text);
            assert_eq!(number(x).parse::<f64>().unwrap(), x);
        }
    }

    #[test]
    fn scientific_columns_have_no_negative_zero() {
        assert_eq!(sci(-0.0, 2), "0.00e0");
        assert_eq!(sci(-1e-300, 2), "-1.00e-300");
        assert_eq!(sci(-1.25e-3, 3), "-1.250e-3");
        assert_eq!(sci(0.0, 14), "0.00000000000000e0");
    }
}
