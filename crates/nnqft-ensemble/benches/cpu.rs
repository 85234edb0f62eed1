//! Nets per CPU-second of the whole sampler and of its floor, one thread, for erf, relu and
//! gauss at widths 10, 100 and 1000 (paper inputs, npt 2,4,6). CPU time (user + system, from
//! /proc/self/stat) does not depend on how busy the machine is, unlike wall-clock time.
//! `cargo bench -p nnqft-ensemble --bench cpu [-- ARCH WIDTH]`

use nnqft_core::{Arch, InputSet, Network};
use nnqft_ensemble::{Plan, Settings, run_all, run_floor};
use std::hint::black_box;

/// CPU seconds (user + system) used by this process so far (Linux; clock ticks of 1/100 s).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    let after = &stat[stat.rfind(')').expect("comm") + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap();
    ticks / 100.0
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let archs: Vec<Arch> = match args.first() {
        Some(a) => vec![a.parse().expect("architecture")],
        None => Arch::PAPER.to_vec(),
    };
    let widths: Vec<usize> = match args.get(1) {
        Some(w) => vec![w.parse().expect("width")],
        None => vec![10, 100, 1000],
    };
    println!("arch   width   nets/cpu-s (full)   nets/cpu-s (floor)");
    for &arch in &archs {
        for &width in &widths {
            let nets: u64 = match width {
                w if w <= 10 => 4_000_000,
                w if w <= 100 => 800_000,
                _ => 80_000,
            };
            let net = Network::paper(arch);
            let xs = InputSet::paper(arch, 1).unwrap();
            let s = Settings::new(net, xs, width, &[2, 4, 6]).unwrap();
            let plan = Plan::new(s, nets, 10, 1).unwrap();
            let t0 = cpu_seconds();
            black_box(run_all(&plan, Some(1), &|_| {}).unwrap());
            let t1 = cpu_seconds();
            black_box(run_floor(&plan, Some(1)).unwrap());
            let t2 = cpu_seconds();
            println!(
                "{:6} {:5} {:>19.4e} {:>20.4e}",
                arch.name(),
                width,
                nets as f64 / (t1 - t0),
                nets as f64 / (t2 - t1)
            );
        }
    }
}
