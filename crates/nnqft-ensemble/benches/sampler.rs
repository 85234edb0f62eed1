//! Criterion benchmarks of the sampler: whole runs (nets per second per architecture and
//! width, all cores), its floor (draws and activations only), and the vectorizable erf (scalar
//! two-piece form and the slice form the sampler uses). Nets per CPU-second: `benches/cpu.rs`.
//! `cargo bench -p nnqft-ensemble`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nnqft_core::{Arch, InputSet, Network};
use nnqft_ensemble::{Plan, Settings, fastmath, run_all, run_floor};
use std::hint::black_box;

fn plan(arch: Arch, width: usize, nets: u64) -> Plan {
    let net = Network::paper(arch);
    let xs = InputSet::paper(arch, 1).unwrap();
    let s = Settings::new(net, xs, width, &[2, 4, 6]).unwrap();
    Plan::new(s, nets, 10, 1).unwrap()
}

fn sampler(c: &mut Criterion) {
    let mut g = c.benchmark_group("sample");
    g.sample_size(10);
    for arch in Arch::PAPER {
        for (width, nets) in [(10usize, 200_000u64), (1000, 4_000)] {
            let p = plan(arch, width, nets);
            g.throughput(Throughput::Elements(nets));
            g.bench_with_input(BenchmarkId::new(arch.name(), width), &p, |b, p| {
                b.iter(|| black_box(run_all(p, None, &|_| {}).unwrap()))
            });
            g.bench_with_input(
                BenchmarkId::new(format!("{}-floor", arch.name()), width),
                &p,
                |b, p| b.iter(|| black_box(run_floor(p, None).unwrap())),
            );
        }
    }
    g.finish();
}

fn erf(c: &mut Criterion) {
    let coeffs = *fastmath::erf_coeffs();
    let xs: Vec<f64> = (0..6000).map(|i| (i as f64 - 3000.0) / 1000.0).collect();
    let mut out = vec![0.0; xs.len()];
    let mut g = c.benchmark_group("erf");
    g.throughput(Throughput::Elements(xs.len() as u64));
    g.bench_function("fastmath", |b| {
        b.iter(|| {
            for (o, &x) in out.iter_mut().zip(&xs) {
                *o = fastmath::erf(x, &coeffs);
            }
            black_box(&out);
        })
    });
    g.bench_function("fastmath-slice", |b| {
        b.iter(|| {
            out.copy_from_slice(&xs);
            fastmath::erf_slice(&mut out, &coeffs);
            black_box(&out);
        })
    });
    g.bench_function("libm", |b| {
        b.iter(|| {
            for (o, &x) in out.iter_mut().zip(&xs) {
                *o = libm::erf(x);
            }
            black_box(&out);
        })
    });
    g.finish();
}

criterion_group!(benches, sampler, erf);
criterion_main!(benches);
