//! The sampler's speed floor: draw the networks and evaluate their activations for the same
//! nets as `nnqft sample`, without readout or moments, and print nets per second.
//! `cargo run --release -p nnqft-ensemble --example floor -- ARCH WIDTH NETS [THREADS]`
use nnqft_core::{Arch, InputSet, Network};
use nnqft_ensemble::{Plan, Settings, run_floor};
use std::time::Instant;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 4 {
        eprintln!("usage: floor ARCH WIDTH NETS [THREADS]");
        std::process::exit(2);
    }
    let arch: Arch = a[1].parse().expect("architecture");
    let width: usize = a[2].parse().expect("width");
    let nets: u64 = a[3].parse().expect("nets");
    let threads: Option<usize> = a.get(4).map(|t| t.parse().expect("threads"));
    let net = Network::paper(arch);
    let xs = InputSet::paper(arch, 1).unwrap();
    let s = Settings::new(net, xs, width, &[2, 4, 6]).unwrap();
    let plan = Plan::new(s, nets, 10, 1).unwrap();
    let t = Instant::now();
    let check = run_floor(&plan, threads).unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{{\"arch\": \"{arch}\", \"width\": {width}, \"nets\": {nets}, \"seconds\": {secs}, \"nets_per_second\": {}, \"checksum\": {check}}}",
        nets as f64 / secs
    );
}
