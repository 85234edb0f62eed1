//! Caption lines shared by the figures: the network's settings as a reader needs them to
//! reproduce the figure.

use nnqft_core::{InputSet, Network};

/// "sigma_w = 1, sigma_b = 0, d = 1, paper inputs" for a figure's caption, with the hidden-bias
/// distribution and the depth when they are not the defaults, and the inputs listed when they
/// are not the architecture's paper inputs ("inputs -1, 0.5, 2"; "12 inputs" when the list
/// would run past 60 characters).
pub fn network(net: &Network, inputs: &InputSet) -> String {
    let paper =
        InputSet::paper(net.arch(), net.d_in()).is_ok_and(|p| p.points() == inputs.points());
    let inputs = if paper {
        "paper inputs".to_string()
    } else {
        let pts: Vec<String> = inputs
            .points()
            .iter()
            .map(|p| {
                let xs: Vec<String> = p.iter().map(|&x| nnqft_integrate::number(x)).collect();
                if xs.len() == 1 {
                    xs[0].clone()
                } else {
                    format!("({})", xs.join(", "))
                }
            })
            .collect();
        let list = pts.join(", ");
        if list.len() > 60 {
            format!("{} inputs", pts.len())
        } else {
            format!("inputs {list}")
        }
    };
    let mut line = format!(
        "sigma_w = {}, sigma_b = {}, d = {}",
        nnqft_integrate::number(net.sigma_w()),
        nnqft_integrate::number(net.sigma_b()),
        net.d_in()
    );
    if !net.bias().is_normal() {
        line += &format!(", {} hidden bias", net.bias());
    }
    if net.depth() != 1 {
        line += &format!(", depth {}", net.depth());
    }
    format!("{line}, {inputs}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use nnqft_core::Arch;

    #[test]
    fn names_paper_inputs_and_lists_others() {
        let net = Network::paper(Arch::Relu);
        let paper = InputSet::paper(Arch::Relu, 1).unwrap();
        assert_eq!(
            network(&net, &paper),
            "sigma_w = 1, sigma_b = 0, d = 1, paper inputs"
        );
        let mine = InputSet::parse("-1,0.5,1e-7", Arch::Relu, Some(1)).unwrap();
        assert_eq!(
            network(&net, &mine),
            "sigma_w = 1, sigma_b = 0, d = 1, inputs -1, 0.5, 1e-7"
        );
    }
}
