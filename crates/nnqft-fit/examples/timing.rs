use nnqft_core::{Arch, InputSet, Network};
use std::time::Instant;
fn main() {
    let arch: Arch = std::env::args().nth(1).unwrap().parse().unwrap();
    let net = Network::paper(arch);
    let xs = InputSet::paper(arch, 1).unwrap();
    let t = Instant::now();
    let d = nnqft_fit::fill::exact_deviations(&net, 5, &xs, false).unwrap();
    println!("exact4 {:?}", t.elapsed());
    let t = Instant::now();
    let _ = nnqft_fit::fill::exact_deviations(&net, 5, &xs, true).unwrap();
    println!("exact6 {:?}", t.elapsed());
    for l in [100.0, 1e5] {
        let t = Instant::now();
        let v = nnqft_fit::fill::vertex_integrals(&net, &d.inputs, &[l], false).unwrap();
        println!("I4 L={l} {:?} {}", t.elapsed(), v[0].x4[0].value);
        let t = Instant::now();
        let _ = nnqft_fit::fill::vertex_integrals(&net, &d.inputs, &[l], true).unwrap();
        println!("kappa L={l} {:?}", t.elapsed());
    }
}
