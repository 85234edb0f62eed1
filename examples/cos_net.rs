//! The cos-net (docs/conventions.md section 10): phi = cos with the hidden bias uniform on
//! [-pi, pi]. Its kernel depends on the inputs only through x - x', and so do its exact
//! finite-width 4- and 6-point cumulants: shifting every input by the same vector changes
//! nothing (to rounding). This program checks that in d = 2 at width 5, and compares with a
//! user-defined activation (a closure) that is not translation invariant.
//!
//! Run: `cargo run --release --example cos_net`

use nnqft_core::{Arch, BiasDist, InputSet, Network};
use nnqft_integrate::exact_tables;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let points = [[0.3, -0.2], [1.1, 0.5], [-0.7, 0.9], [0.0, -1.0]];
    let shift = [2.5, -7.0];
    let original = InputSet::new(points.iter().map(|p| p.to_vec()).collect())?;
    let moved = InputSet::new(
        points
            .iter()
            .map(|p| vec![p[0] + shift[0], p[1] + shift[1]])
            .collect(),
    )?;
    let cos_net = Network::new(Arch::Cos, 1.0, 0.5, 2)?.with_bias(BiasDist::Uniform);
    let shifted_kernel_test = |net: &Network| -> Result<[f64; 3], Box<dyn std::error::Error>> {
        let (a, b) = (
            exact_tables(net, 5, &original)?,
            exact_tables(net, 5, &moved)?,
        );
        let worst = |x: &nnqft_core::CorrelatorTable, y: &nnqft_core::CorrelatorTable| {
            let scale = x.entries().iter().fold(0.0f64, |m, e| m.max(e.mean.abs()));
            x.entries()
                .iter()
                .zip(y.entries())
                .fold(0.0f64, |m, (p, q)| m.max((p.mean - q.mean).abs() / scale))
        };
        Ok([
            worst(&a.g2, &b.g2),
            worst(&a.kappa4, &b.kappa4),
            worst(&a.kappa6, &b.kappa6),
        ])
    };
    let cos = shifted_kernel_test(&cos_net)?;
    println!("cos-net, every input shifted by {shift:?}: largest relative change");
    println!(
        "  K {:.1e}   kappa4 {:.1e}   kappa6 {:.1e}",
        cos[0], cos[1], cos[2]
    );
    let k = cos_net.kernel(&points[0], &points[1]);
    let d2 = (points[0][0] - points[1][0]).powi(2) + (points[0][1] - points[1][1]).powi(2);
    println!(
        "  K(x1, x2) = {k:.15} = sb^2 + (sW^2/2) exp(-|x1 - x2|^2 / 4) = {:.15}",
        0.25 + 0.5 * (-d2 / 4.0).exp()
    );
    assert!(
        cos.iter().all(|&c| c < 1e-12),
        "the cos-net is translation invariant"
    );

    // A user-defined activation from a closure: the same machinery, no invariance.
    let swish2 = Arch::from_fn("swish-2", |z| z / (1.0 + (-2.0 * z).exp()));
    let user = Network::new(swish2, 1.0, 0.5, 2)?;
    let u = shifted_kernel_test(&user)?;
    println!(
        "user activation swish-2 (normal bias), same shift: K changes by {:.1e}",
        u[0]
    );
    assert!(u[0] > 1e-3);
    Ok(())
}
