//! The command line before clap sees it: two rewrites that clap cannot express.
//!
//! 1. A negative number in scientific notation after an option that takes a value
//!    (`--lambda -6.25e-11`) is joined to its option (`--lambda=-6.25e-11`): clap takes
//!    `-6.25e-11` for a cluster of short flags because of the `-` of its exponent.
//! 2. `--source FILE` (a measurement written by `nnqft sample` or `nnqft exact`) supplies the
//!    architecture, scales, input dimension, width and inputs that the command line leaves out;
//!    a flag that disagrees with the file is an error naming both values.

use anyhow::{Result, bail};
use clap::Command;
use nnqft_core::{Arch, Measurement};
use std::ffi::OsString;
use std::path::Path;

/// The arguments (program name first) rewritten as described in the module documentation.
pub fn prepare(args: Vec<OsString>, root: &Command) -> Result<Vec<OsString>> {
    let Some(sub_pos) = args.iter().position(|a| {
        a.to_str()
            .is_some_and(|s| root.find_subcommand(s).is_some())
    }) else {
        return Ok(args);
    };
    let sub = root
        .find_subcommand(args[sub_pos].to_str().unwrap_or_default())
        .expect("found above");
    let args = join_negative_values(args, sub_pos, sub);
    source_defaults(args, sub)
}

/// Whether `s` starts like a negative number: `-` then a digit or a `.` then a digit.
fn looks_negative_number(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2
        && b[0] == b'-'
        && (b[1].is_ascii_digit() || (b[1] == b'.' && b.len() >= 3 && b[2].is_ascii_digit()))
}

/// Whether the long option `name` of `cmd` takes a value.
fn takes_value(cmd: &Command, name: &str) -> bool {
    cmd.get_arguments()
        .any(|a| a.get_long() == Some(name) && a.get_action().takes_values())
}

fn join_negative_values(args: Vec<OsString>, sub_pos: usize, sub: &Command) -> Vec<OsString> {
    let mut out: Vec<OsString> = Vec::with_capacity(args.len());
    let mut iter = args.into_iter().enumerate().peekable();
    while let Some((i, a)) = iter.next() {
        let joined = match (a.to_str(), iter.peek()) {
            (Some(opt), Some((_, next)))
                if i > sub_pos
                    && opt.starts_with("--")
                    && !opt.contains('=')
                    && takes_value(sub, &opt[2..])
                    && next.to_str().is_some_and(looks_negative_number) =>
            {
                Some(format!("{opt}={}", next.to_str().unwrap_or_default()))
            }
            _ => None,
        };
        match joined {
            Some(j) => {
                iter.next();
                out.push(j.into());
            }
            None => out.push(a),
        }
    }
    out
}

/// The value of the long option `name` (`--name V` or `--name=V`), if given.
fn value_of(args: &[OsString], name: &str) -> Option<String> {
    let flag = format!("--{name}");
    let prefix = format!("--{name}=");
    let mut iter = args.iter().filter_map(|a| a.to_str());
    while let Some(a) = iter.next() {
        if a == flag {
            return iter.next().map(str::to_string);
        }
        if let Some(v) = a.strip_prefix(&prefix) {
            return Some(v.to_string());
        }
    }
    None
}

/// The input points in the `--inputs` grammar: points separated by `;`, coordinates by `,`.
fn inputs_list(points: &[Vec<f64>]) -> String {
    points
        .iter()
        .map(|p| {
            p.iter()
                .map(|x| format!("{x:?}"))
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect::<Vec<_>>()
        .join(";")
}

fn source_defaults(mut args: Vec<OsString>, sub: &Command) -> Result<Vec<OsString>> {
    if !takes_value(sub, "source") {
        return Ok(args);
    }
    let Some(source) = value_of(&args, "source") else {
        return Ok(args);
    };
    let path = Path::new(source.trim());
    if matches!(source.trim(), "exact" | "sample") || !path.is_file() {
        return Ok(args);
    }
    // A file that cannot be read as a measurement is left to the command, which reports it.
    let Ok(m) = std::fs::read_to_string(path)
        .map_err(|_| ())
        .and_then(|t| serde_json::from_str::<Measurement>(&t).map_err(|_| ()))
    else {
        return Ok(args);
    };
    let file = path.display();
    // (flag, the file's value, do the two agree)
    type Same = fn(&str, &Measurement) -> bool;
    let fields: [(&str, String, Same); 5] = [
        ("arch", m.arch.name().to_string(), |v, m| {
            v.parse::<Arch>().is_ok_and(|a| a == m.arch)
        }),
        ("sigma-w", format!("{:?}", m.sigma_w), |v, m| {
            v.parse::<f64>().is_ok_and(|x| close(x, m.sigma_w))
        }),
        ("sigma-b", format!("{:?}", m.sigma_b), |v, m| {
            v.parse::<f64>().is_ok_and(|x| close(x, m.sigma_b))
        }),
        ("d-in", m.d_in.to_string(), |v, m| {
            v.parse::<usize>().is_ok_and(|d| d == m.d_in)
        }),
        ("width", m.width.to_string(), |v, m| {
            v.parse::<usize>().is_ok_and(|w| w == m.width)
        }),
    ];
    for (name, theirs, same) in fields {
        if !takes_value(sub, name) {
            continue;
        }
        match value_of(&args, name) {
            Some(ours) if !same(ours.trim(), &m) => {
                bail!("--{name} {ours} disagrees with --source {file}, which holds {name} {theirs}")
            }
            Some(_) => {}
            None => args.push(format!("--{name}={theirs}").into()),
        }
    }
    if takes_value(sub, "inputs") && value_of(&args, "inputs").is_none() {
        args.push(format!("--inputs={}", inputs_list(&m.inputs)).into());
    }
    Ok(args)
}

/// Equal up to rounding in the last digits.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_numbers() {
        assert!(looks_negative_number("-6.25e-11"));
        assert!(looks_negative_number("-.5"));
        assert!(looks_negative_number("-1"));
        assert!(!looks_negative_number("--lambda"));
        assert!(!looks_negative_number("-o"));
        assert!(!looks_negative_number("-"));
    }

    #[test]
    fn inputs_round_trip() {
        let pts = vec![vec![0.5, -1.0], vec![1e-3, 2.0]];
        let s = inputs_list(&pts);
        assert_eq!(s, "0.5,-1.0;0.001,2.0");
    }
}
