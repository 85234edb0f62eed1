//! `sample` (Monte Carlo, in a worker thread with the GIL released; progress and Ctrl-C
//! handled on the calling thread every 100 ms) and `merge` (shard files into one measurement).

use crate::args::{family_and_inputs, value_error};
use crate::exact::measurement_dict;
use nnqft_ensemble::shard::{Combiner, ShardError, ShardFile};
use nnqft_ensemble::{EnsembleError, Estimator, Measurement, Plan, Sampled, Settings};
use pyo3::exceptions::PyKeyboardInterrupt;
use pyo3::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// `e` as the command line words it: the settings that caused it named in front.
fn ensemble_error(e: EnsembleError) -> anyhow::Error {
    let flags: Vec<String> = e.settings().iter().map(|s| format!("--{s}")).collect();
    if flags.is_empty() {
        e.into()
    } else {
        anyhow::anyhow!("{}: {e}", flags.join("/"))
    }
}

/// Sample an ensemble of networks and measure its n-point functions: the dict of
/// `nnqft sample --json` (same seed, same bits) plus dense arrays.
#[pyfunction]
#[pyo3(signature = (arch, width, nets, *, experiments=10, seed=1, npt=vec![2, 4, 6],
    estimator="conditional", threads=None, progress=None, inputs=None, sigma_w=None,
    sigma_b=None, d_in=1, bias_dist="normal", depth=1))]
#[allow(clippy::too_many_arguments)]
pub fn sample<'py>(
    py: Python<'py>,
    arch: &str,
    width: usize,
    nets: u64,
    experiments: usize,
    seed: u64,
    npt: Vec<usize>,
    estimator: &str,
    threads: Option<usize>,
    progress: Option<&Bound<'py, PyAny>>,
    inputs: Option<&Bound<'py, PyAny>>,
    sigma_w: Option<f64>,
    sigma_b: Option<f64>,
    d_in: usize,
    bias_dist: &str,
    depth: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let (net, xs) = family_and_inputs(arch, sigma_w, sigma_b, d_in, inputs, bias_dist, depth)?;
    if threads == Some(0) {
        return Err(value_error(anyhow::anyhow!("--threads must be at least 1")));
    }
    let est: Estimator = estimator.parse().map_err(|e| {
        value_error(anyhow::anyhow!(
            "invalid value '{estimator}' for 'estimator': {e}"
        ))
    })?;
    let settings = Settings::new(net, xs, width, &npt)
        .and_then(|s| s.with_estimator(est))
        .map_err(|e| value_error(ensemble_error(e)))?;
    let plan =
        Plan::new(settings, nets, experiments, seed).map_err(|e| value_error(ensemble_error(e)))?;
    let m = run(py, &plan, threads, progress)?;
    measurement_dict(
        py,
        &m,
        &Sampled {
            measurement: &m,
            estimator: est,
        },
    )
}

/// Report `done` of `total` blocks to `progress`: a callable gets (done, total); an object
/// with an `update` method (a tqdm bar) gets the blocks finished since the last report.
fn report(progress: &Bound<'_, PyAny>, done: u64, last: u64, total: u64) -> PyResult<()> {
    if progress.hasattr("update")? {
        if done > last {
            progress.call_method1("update", (done - last,))?;
        }
        Ok(())
    } else {
        progress.call1((done, total)).map(|_| ())
    }
}

/// Run `plan` on a worker thread; this thread waits with the GIL released and, every 100 ms,
/// takes it to check for signals (Ctrl-C cancels the run and raises KeyboardInterrupt) and
/// to report progress.
fn run(
    py: Python<'_>,
    plan: &Plan,
    threads: Option<usize>,
    progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<Measurement> {
    let cancel = AtomicBool::new(false);
    let done = AtomicU64::new(0);
    let total = plan.block_count();
    std::thread::scope(|s| {
        let worker = s.spawn(|| {
            nnqft_ensemble::sample_until(
                plan,
                threads,
                &|k| {
                    done.fetch_add(k, Ordering::Relaxed);
                },
                &cancel,
            )
        });
        let mut last = 0;
        loop {
            let finished = py.allow_threads(|| {
                let until = Instant::now() + Duration::from_millis(100);
                while !worker.is_finished() && Instant::now() < until {
                    std::thread::sleep(Duration::from_millis(2));
                }
                worker.is_finished()
            });
            let step = py.check_signals().and_then(|()| match progress {
                Some(p) => {
                    let now = done.load(Ordering::Relaxed);
                    let r = report(p, now, last, total);
                    last = now;
                    r
                }
                None => Ok(()),
            });
            if let Err(e) = step {
                cancel.store(true, Ordering::Relaxed);
                let _ = py.allow_threads(|| worker.join());
                return Err(e);
            }
            if finished {
                break;
            }
        }
        match py.allow_threads(|| worker.join()) {
            Ok(Ok(m)) => Ok(m),
            Ok(Err(EnsembleError::Cancelled)) => Err(PyKeyboardInterrupt::new_err("")),
            Ok(Err(e)) => Err(value_error(ensemble_error(e))),
            Err(_) => Err(pyo3::exceptions::PyRuntimeError::new_err(
                "the sampling thread panicked",
            )),
        }
    })
}

/// One shard file, with the command line's wording of its errors.
fn read_shard(path: &str) -> anyhow::Result<ShardFile> {
    use anyhow::Context;
    let text = std::fs::read(path).with_context(|| format!("cannot read {path}"))?;
    ShardFile::from_json(&text)
        .map_err(|e| match e {
            ShardError::NotShardFile => anyhow::anyhow!(
                "not an nnqft shard file (write one with `nnqft sample --shard I/S --out FILE`)"
            ),
            e => e.into(),
        })
        .with_context(|| path.to_string())
}

/// Combine the shard files of one `nnqft sample --shard I/S` run into the measurement of the
/// whole run (the dict of `nnqft merge --json`, identical to the one-shot sample).
#[pyfunction]
pub fn merge<'py>(py: Python<'py>, files: Vec<std::path::PathBuf>) -> PyResult<Bound<'py, PyAny>> {
    let result = py.allow_threads(|| -> anyhow::Result<(Measurement, Estimator)> {
        if files.is_empty() {
            anyhow::bail!("no shard files given");
        }
        let mut combiner = Combiner::new();
        for path in &files {
            let path = path.display().to_string();
            combiner.add(&path, read_shard(&path)?)?;
        }
        let partial = combiner.into_complete()?;
        let m = nnqft_ensemble::finish(&partial)?;
        Ok((m, partial.plan.settings().estimator()))
    });
    let (m, est) = result.map_err(value_error)?;
    measurement_dict(
        py,
        &m,
        &Sampled {
            measurement: &m,
            estimator: est,
        },
    )
}
