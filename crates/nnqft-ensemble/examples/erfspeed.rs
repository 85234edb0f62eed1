//! Micro-benchmark of the vectorizable erf and exp (CPU time, robust to a loaded machine):
//! `cargo run --release -p nnqft-ensemble --example erfspeed`. The AVX2 and AVX-512 timings
//! run only on x86_64 CPUs that have those instructions (checked at run time).
use nnqft_ensemble::fastmath::{self, ErfCoeffs};

/// User + system CPU seconds of this process (from /proc/self/stat, 10 ms resolution).
fn cpu_seconds() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let f: Vec<&str> = s
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let t = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (t(11) + t(12)) / 100.0
}

#[inline(always)]
fn erf_loop(v: &mut [f64], c: &ErfCoeffs) {
    for z in v.iter_mut() {
        *z = fastmath::erf(*z, c) * 3.0 - 1.0;
    }
}
#[inline(always)]
fn exp_loop(v: &mut [f64]) {
    for z in v.iter_mut() {
        *z = fastmath::exp(*z) * 0.5 - 1.0;
    }
}
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn erf_avx2(v: &mut [f64], c: &ErfCoeffs) {
    erf_loop(v, c)
}
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn exp_avx2(v: &mut [f64]) {
    exp_loop(v)
}
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn erf_avx512(v: &mut [f64], c: &ErfCoeffs) {
    erf_loop(v, c)
}
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn erf_slice_avx512(v: &mut [f64], c: &ErfCoeffs) {
    fastmath::erf_slice(v, c)
}
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn exp_slice_avx512(v: &mut [f64]) {
    fastmath::exp_slice(v)
}

fn time(name: &str, mut f: impl FnMut(&mut [f64])) {
    let mut v: Vec<f64> = (0..6000).map(|i| (i as f64 - 3000.0) / 1000.0).collect();
    let reps = 20000;
    let t = cpu_seconds();
    for _ in 0..reps {
        f(&mut v);
    }
    let dt = cpu_seconds() - t;
    println!(
        "{name}: {:.2} ns/call (cpu time; {})",
        dt / (reps as f64 * 6000.0) * 1e9,
        v[17]
    );
}

fn main() {
    let c = *fastmath::erf_coeffs();
    time("erf baseline", |v| erf_loop(v, &c));
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (checked just above).
        time("erf avx2", |v| unsafe { erf_avx2(v, &c) });
    }
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx512f") {
        // SAFETY: the CPU supports AVX-512F (checked just above).
        time("erf avx512", |v| unsafe { erf_avx512(v, &c) });
        // The slices overwrite their input: restore a unit-scale spread first.
        let orig: Vec<f64> = (0..6000).map(|i| (i as f64 - 3000.0) / 1000.0).collect();
        time("erf_slice avx512 (incl. copy)", |v| {
            v.copy_from_slice(&orig);
            // SAFETY: as above.
            unsafe { erf_slice_avx512(v, &c) }
        });
        time("exp_slice avx512 (incl. copy)", |v| {
            v.copy_from_slice(&orig);
            // SAFETY: as above.
            unsafe { exp_slice_avx512(v) }
        });
    }
    time("libm erf", |v| {
        v.iter_mut().for_each(|z| *z = libm::erf(*z) * 3.0 - 1.0)
    });
    time("exp baseline", exp_loop);
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (checked just above).
        time("exp avx2", |v| unsafe { exp_avx2(v) });
    }
}
