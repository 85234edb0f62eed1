//! Deep-network sampler against its floor (the same normals and activations, without the
//! mixing, the layer kernels or the moments), one thread: `cargo run --release -p
//! nnqft-ensemble --example deep_floor [NETS]` (bench/deep.sh runs it).

use nnqft_core::{Arch, InputSet, Network};
use nnqft_ensemble::{Plan, Settings, run_all, run_floor};
use std::time::Instant;

fn main() {
    let nets: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(4000);
    let net = Network::paper(Arch::Erf).with_depth(3).expect("depth 3");
    let xs = InputSet::paper(Arch::Erf, 1).expect("inputs");
    let settings = Settings::new(net, xs, 1000, &[2, 4, 6]).expect("settings");
    let plan = Plan::new(settings, nets, 10, 1).expect("plan");
    let t = Instant::now();
    std::hint::black_box(run_floor(&plan, Some(1)).expect("floor"));
    let floor = t.elapsed().as_secs_f64();
    let t = Instant::now();
    std::hint::black_box(run_all(&plan, Some(1), &|_| {}).expect("run"));
    let full = t.elapsed().as_secs_f64();
    println!(
        "depth 3, width 1000, 6 inputs, npt 2,4,6, one thread: full {:.0} nets/s, floor {:.0} nets/s, ratio {:.2}",
        nets as f64 / full,
        nets as f64 / floor,
        full / floor
    );
}
