//! Print the largest single-network share of the sum of squared products, max p^2 / sum p^2,
//! per order (max and median over entries): the quantity behind the error-trust warning.
//! `cargo run --release -p nnqft-ensemble --example dominance -- erf 5 100000`
use nnqft_core::{Arch, InputSet, Network};
use nnqft_ensemble::{Plan, Settings, run_all};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let arch: Arch = a.get(1).map_or("gauss", |s| s).parse().unwrap();
    let width: usize = a.get(2).map_or(Ok(1000), |s| s.parse()).unwrap();
    let nets: u64 = a.get(3).map_or(Ok(20000), |s| s.parse()).unwrap();
    let net = Network::paper(arch);
    let xs = InputSet::paper(arch, 1).unwrap();
    let s = Settings::new(net, xs, width, &[2, 4, 6]).unwrap();
    let plan = Plan::new(s, nets, 10, 1).unwrap();
    let p = run_all(&plan, None, &|_| {}).unwrap();
    let mut slot = 0;
    for &n in plan.settings().npt() {
        let mut shares = vec![];
        for _ in 0..plan.settings().entries(n) {
            let mut q = nnqft_ensemble::ExactSum::new();
            let mut mx = 0.0f64;
            for e in &p.experiments {
                q.merge(&e.sumsq[slot]);
                mx = mx.max(e.max_abs[slot]);
            }
            shares.push(mx * mx / q.value());
            slot += 1;
        }
        shares.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "{arch} N={width} nets={nets} n={n}: share max {:.3} median {:.3} min {:.3}",
            shares[shares.len() - 1],
            shares[shares.len() / 2],
            shares[0]
        );
    }
}
