//! Rough timings of the exact correlators and tables (see bench/integrate for the comparisons).
use nnqft_core::{Arch, InputSet, Network};
use nnqft_integrate::{OneNeuronMoments, exact_tables};
use std::time::Instant;

fn main() {
    for arch in [Arch::Gauss, Arch::Relu, Arch::Erf] {
        let net = Network::paper(arch);
        let xs = InputSet::paper(arch, 1).unwrap();
        for k in [2, 4, 6] {
            let t = Instant::now();
            let _ = OneNeuronMoments::numeric(&net, &xs, k);
            println!("{arch} numeric k<={k}: {:?}", t.elapsed());
        }
        let t = Instant::now();
        let _ = exact_tables(&net, 5, &xs).unwrap();
        println!("{arch} exact tables: {:?}", t.elapsed());
    }
}
