//! Time of the exact tables (all 462 6-point entries) of six inputs for every named activation,
//! in d = 1 and d = 3 (the default inputs, on the diagonal of R^3: the cost depends on the rank
//! of the inputs, not on d), with the largest quadrature error of the sixth moments relative
//! to the largest sixth moment; then every activation (or those in `ZOO_GENERAL`) on six
//! points in general position in R^3 (rank 3: four latent directions with the bias), with a
//! normal and with a uniform hidden bias. `cargo run --release -p nnqft-integrate --example
//! zoo_timing`; the numbers of a run are in bench/RESULTS.md.
use nnqft_core::{Arch, BiasDist, InputSet, Network};
use nnqft_integrate::exact_tables;
use std::time::Instant;

fn main() {
    let d3 = InputSet::new(vec![
        vec![0.3, -0.8, 0.5],
        vec![1.0, 0.2, -0.4],
        vec![-0.6, 0.7, 0.9],
        vec![0.1, 0.1, -1.0],
        vec![-0.9, -0.3, 0.2],
        vec![0.5, 0.9, 0.6],
    ])
    .unwrap();
    println!("activation      d  seconds   max rel error of M6");
    for arch in Arch::named() {
        for d in [1usize, 3] {
            let net = Network::paper_in(arch, d).unwrap();
            let xs = InputSet::paper(arch, d).unwrap();
            let t = Instant::now();
            let tables = exact_tables(&net, 5, &xs).unwrap();
            let secs = t.elapsed().as_secs_f64();
            println!(
                "{:<15} {d}  {secs:7.3}   {:.1e}",
                arch.name(),
                worst(&tables)
            );
        }
    }
    // Six points in general position in R^3: rank 3, four latent directions with a normal
    // bias (three and the uniform coordinate with a uniform one). `ZOO_GENERAL` picks
    // activations (comma separated; default all).
    let names = std::env::var("ZOO_GENERAL").unwrap_or_default();
    let archs: Vec<Arch> = if names.is_empty() {
        Arch::named()
    } else {
        names
            .split(',')
            .map(|n| n.parse().expect("an activation name"))
            .collect()
    };
    println!("\nsix points in general position in d = 3");
    println!("activation      bias     seconds   max rel error of M6");
    for arch in archs {
        // ReLU-type activations default to sb = 0 (three latent directions): also sb = 1.
        let mut nets: Vec<(Network, &str)> = [BiasDist::Normal, BiasDist::Uniform]
            .into_iter()
            .map(|b| {
                let name = if b == BiasDist::Normal {
                    "normal"
                } else {
                    "uniform"
                };
                (Network::paper_in(arch, 3).unwrap().with_bias(b), name)
            })
            .collect();
        if arch.default_sigma_b() == 0.0 {
            nets.insert(
                1,
                (
                    Network::new(arch, arch.default_sigma_w(), 1.0, 3).unwrap(),
                    "sb=1",
                ),
            );
        }
        for (net, bias) in nets {
            let t = Instant::now();
            match exact_tables(&net, 5, &d3) {
                Ok(tables) => println!(
                    "{:<15} {bias:<8} {:7.3}   {:.1e}",
                    arch.name(),
                    t.elapsed().as_secs_f64(),
                    worst(&tables)
                ),
                Err(e) => println!("{:<15} {bias:<8} refused: {e}", arch.name()),
            }
        }
    }
}

/// The largest quadrature error of the sixth moments over the largest sixth moment.
fn worst(tables: &nnqft_integrate::ExactTables) -> f64 {
    let (mut err, mut scale): (f64, f64) = (0.0, 0.0);
    for t in nnqft_core::multisets(6, 6) {
        let e = tables.moments.estimate(&t);
        err = err.max(e.error);
        scale = scale.max(e.value.abs());
    }
    err / scale
}
