//! An action error in a front end's words: the refusal of an ill-conditioned K names the two
//! nearly indistinguishable inputs by their values, and the limit by the front end's name for
//! it (`--max-condition` on the command line, `max_condition` in Python).

use super::ActionError;
use nnqft_core::{InputSet, number};

/// The one-line message for `e`: for [`ActionError::IllConditioned`] the inputs' values from
/// `xs` and `limit_name` for the limit; any other error its own message.
pub fn explain(e: &ActionError, xs: &InputSet, limit_name: &str) -> String {
    match e {
        ActionError::IllConditioned {
            condition,
            limit,
            inputs: (i, j),
            correlation,
        } if *i < xs.len() && *j < xs.len() => format!(
            "K is {} on these inputs (condition number {condition:.3e} > {limit_name} {limit:.1e}): inputs {} and {} are nearly indistinguishable to the network (correlation {correlation:.12}); spread the inputs apart or drop one",
            if condition.is_finite() {
                "ill-conditioned"
            } else {
                "singular"
            },
            point(xs.point(*i)),
            point(xs.point(*j))
        ),
        other => other.to_string(),
    }
}

/// An input as "[0.5]" or "[0.5, -1]".
fn point(p: &[f64]) -> String {
    let xs: Vec<String> = p.iter().map(|&x| number(x)).collect();
    format!("[{}]", xs.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use nnqft_core::Arch;

    #[test]
    fn names_the_inputs_by_value_and_the_limit_by_the_callers_name() {
        let xs = InputSet::parse("0.2,0.2000001,1", Arch::Relu, Some(1)).unwrap();
        let e = ActionError::IllConditioned {
            condition: 3e13,
            limit: 1e12,
            inputs: (0, 1),
            correlation: 0.9999999999999,
        };
        let m = explain(&e, &xs, "max_condition");
        assert!(
            m.contains("> max_condition 1.0e12") && m.contains("inputs [0.2] and [0.2000001]"),
            "{m}"
        );
        assert!(explain(&ActionError::Order(3), &xs, "--max-condition").contains("order 3"));
    }
}
