//! The instruction level the hot loops run at, detected once per process and passed down.
//!
//! Every kernel is written once, as portable code with `#[inline(always)]` helpers and
//! `f64::mul_add`; [`dispatch`] runs it inside a function compiled for AVX-512 or AVX2 (with
//! FMA), so the compiler widens the same loops. The levels differ only in vector width,
//! never in the arithmetic: every level gives the same bits (fused multiply-adds are exact
//! on all of them: hardware FMA, or a correctly rounded software fma on the portable level).

use std::sync::OnceLock;

/// A code path of the hot loops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SimdLevel {
    /// AVX-512F with FMA (x86_64).
    Avx512,
    /// AVX2 with FMA (x86_64).
    Avx2,
    /// Whatever the target's baseline is.
    Portable,
}

impl SimdLevel {
    /// The best level this CPU supports, detected on first use.
    pub(crate) fn detect() -> SimdLevel {
        static LEVEL: OnceLock<SimdLevel> = OnceLock::new();
        *LEVEL.get_or_init(|| {
            #[cfg(target_arch = "x86_64")]
            {
                if std::is_x86_feature_detected!("fma") {
                    if std::is_x86_feature_detected!("avx512f") {
                        return SimdLevel::Avx512;
                    }
                    if std::is_x86_feature_detected!("avx2") {
                        return SimdLevel::Avx2;
                    }
                }
            }
            SimdLevel::Portable
        })
    }

    /// Every level this CPU can run (for tests that compare the paths bit for bit).
    #[cfg(test)]
    pub(crate) fn available() -> Vec<SimdLevel> {
        let best = SimdLevel::detect();
        [SimdLevel::Avx512, SimdLevel::Avx2, SimdLevel::Portable]
            .into_iter()
            .filter(|&l| match l {
                SimdLevel::Avx512 => best == SimdLevel::Avx512,
                SimdLevel::Avx2 => best != SimdLevel::Portable,
                SimdLevel::Portable => true,
            })
            .collect()
    }
}

/// A hot loop to run at an instruction level: its body is [`Kernel::run`], which
/// implementations mark `#[inline(always)]` so that it (and the `#[inline(always)]` code it
/// calls) is compiled into the level's function of [`dispatch`]. (A closure would not do: it
/// cannot be forced inline, and compiled on its own it would run at the baseline level.)
pub(crate) trait Kernel {
    type Output;
    fn run(self) -> Self::Output;
}

/// Run `kernel` compiled for `level`, which must be one this CPU supports
/// ([`SimdLevel::detect`] or a level below it).
#[inline(always)]
pub(crate) fn dispatch<K: Kernel>(level: SimdLevel, kernel: K) -> K::Output {
    match level {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: levels above Portable come from `detect`, which checked the CPU features.
        SimdLevel::Avx512 => unsafe { avx512(kernel) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        SimdLevel::Avx2 => unsafe { avx2(kernel) },
        _ => kernel.run(),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,fma")]
unsafe fn avx512<K: Kernel>(kernel: K) -> K::Output {
    kernel.run()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn avx2<K: Kernel>(kernel: K) -> K::Output {
    kernel.run()
}
