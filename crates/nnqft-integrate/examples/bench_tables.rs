//! Timings for bench/integrate/compare.sh: the ReLU quartic-vertex table (126 tuples x 21
//! cutoffs), TNL for the 126 Erf tuples of nonlocal_table.py, and the exact correlators of
//! six inputs. Prints one JSON object (medians over repeats, seconds) and the values the
//! script compares with the scipy baselines.

use nnqft_core::{Arch, InputSet, Network};
use nnqft_integrate::{Cutoff, Weight, exact_tables, tnl_table, vertex_table};
use std::time::Instant;

fn median_secs(reps: usize, mut f: impl FnMut()) -> f64 {
    let mut t: Vec<f64> = (0..reps)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[reps / 2]
}

fn main() {
    let cutoffs: Vec<Cutoff> = [
        7.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 70.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0,
        7000.0, 10000.0, 20000.0, 40000.0, 60000.0, 80000.0, 100000.0,
    ]
    .iter()
    .map(|&l| Cutoff::finite(l).unwrap())
    .collect();
    let relu = Network::paper(Arch::Relu);
    let xs = InputSet::paper(Arch::Relu, 1).unwrap();
    let mut table = None;
    let lambda_secs = median_secs(21, || {
        table = Some(vertex_table(&relu, &xs, 4, &cutoffs, Weight::One).unwrap())
    });
    let table = table.unwrap();
    let mut worst: f64 = 0.0;
    for (k, c) in cutoffs.iter().enumerate() {
        let Some(l) = c.length() else { unreachable!() };
        for (t, tu) in table.tuples.iter().enumerate() {
            let prod: f64 = tu.iter().map(|&i| xs.point(i)[0]).product();
            let exact = prod * l.powi(5) / 80.0;
            worst = worst.max((table.values[k][t].value / exact - 1.0).abs());
        }
    }
    let erf = Network::paper(Arch::Erf);
    let test = InputSet::new(
        [0.2, 0.4, 0.6, 0.8, 1.0, 1.2]
            .iter()
            .map(|v| vec![0.01 * v])
            .collect(),
    )
    .unwrap();
    let mut tnl = Vec::new();
    let tnl_secs = median_secs(11, || {
        tnl = tnl_table(&erf, &test, Cutoff::finite(100.0).unwrap()).unwrap()
    });
    let exact: Vec<(String, f64)> = Arch::PAPER
        .iter()
        .map(|&a| {
            let net = Network::paper(a);
            let xs = InputSet::paper(a, 1).unwrap();
            let s = median_secs(5, || {
                exact_tables(&net, 5, &xs).unwrap();
            });
            (a.name().to_string(), s)
        })
        .collect();
    let first6: Vec<f64> = tnl.iter().take(6).map(|e| e.value).collect();
    let tnl_err = tnl
        .iter()
        .map(|e| e.error / e.value.abs())
        .fold(0.0f64, f64::max);
    println!(
        "{{\"lambda_table_seconds\": {lambda_secs:e}, \"lambda_worst_relative_error\": {worst:e}, \
         \"tnl126_seconds\": {tnl_secs:e}, \"tnl_first6\": {first6:?}, \"tnl_max_relative_error_estimate\": {tnl_err:e}, \
         \"exact_tables_seconds\": {{{}}}}}",
        exact
            .iter()
            .map(|(a, s)| format!("\"{a}\": {s:e}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
}
