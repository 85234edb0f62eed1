"""The cost of the Python package against the Rust it calls (issue 17's targets):

1. nnqft.exact for six inputs (the paper's) against the library call timed in Rust:
   overhead ratio = Python seconds per call / Rust seconds per call (target < 2).
2. nnqft.sample nets per second against the `nnqft sample` binary with the same settings
   (target >= 95%); both on all cores, the binary's time from its own wall clock.

Run after scripts/python-test.sh (which builds both):
    target/pyenv/bin/python bench/python_overhead.py [path/to/nnqft]
"""

import subprocess
import sys
import time

import nnqft
from nnqft import _nnqft

binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/nnqft"


def best(f, reps):
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


print("1. nnqft.exact, six inputs (paper), npt 2,4,6")
for arch, width in [("erf", 5), ("relu", 20), ("gauss", 100)]:
    py = best(lambda: nnqft.exact(arch, width), 30)
    rust = min(_nnqft._rust_exact_seconds(arch, width, 10) for _ in range(3))
    print(f"   {arch:5} N={width:<4} python {py * 1e3:8.3f} ms  rust {rust * 1e3:8.3f} ms"
          f"  ratio {py / rust:5.2f}")

print("2. nnqft.sample against the binary (erf, N = 50, npt 2,4,6, 2,048,000 nets)")
args = dict(arch="erf", width=50, nets=2_048_000, experiments=10, seed=1)
flags = ["sample", "--arch", "erf", "--width", "50", "--nets", "2048000", "--experiments",
         "10", "--seed", "1", "--quiet", "--json"]
for est in ["conditional", "direct"]:
    py = best(lambda: nnqft.sample(**args, estimator=est), 3)
    cli = best(lambda: subprocess.run([binary, *flags, "--estimator", est], check=True,
                                      capture_output=True), 3)
    n = args["nets"]
    print(f"   {est:11} python {n / py:12.0f} nets/s  cli {n / cli:12.0f} nets/s"
          f"  python/cli {cli / py:6.1%}")
