#!/usr/bin/env bash
# Speed of `nnqft sample` against the numpy baseline (../shared/baseline/sample_npt.py, or
# $BASELINE), in the same run on the same machine: nets per second for erf, relu and gauss at
# widths 10, 100 and 1000 with npt 2,4,6, REPS repetitions each (medians), the sampler's
# ratio to its floor (drawing the normals and evaluating the activations alone, for the same
# nets), and the peak memory of a 10^7-net run. nnqft runs the direct estimator (products of
# the outputs, as the baseline does); bench/estimators.sh compares it with the conditional one.
#
#   bench/compare.sh            # REPS=5; needs python3 with numpy and scipy
#   REPS=7 bench/compare.sh
#   SKIP_BUILD=1 CARGO_TARGET_DIR=... bench/compare.sh   # reuse built binaries
#
# nnqft uses all cores (rayon); the numpy baseline is single-process as written. Times are
# wall-clock: on a machine shared with other jobs they are noisy, so compare in one run.
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-5}
BASELINE=${BASELINE:-../shared/baseline/sample_npt.py}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
if [ -z "${SKIP_BUILD:-}" ]; then   # SKIP_BUILD=1: use the binaries already built
  cargo build --release -q -p nnqft
  cargo build --release -q -p nnqft-ensemble --example floor
fi
NNQFT=$CARGO_TARGET_DIR/release/nnqft
FLOOR=$CARGO_TARGET_DIR/release/examples/floor
python3 -c 'import numpy, scipy' 2>/dev/null || { echo "needs numpy and scipy: pip install numpy scipy" >&2; exit 1; }
[ -f "$BASELINE" ] || { echo "baseline $BASELINE not found (set BASELINE=...)" >&2; exit 1; }

RAW=$(mktemp)
trap 'rm -f "$RAW" "$CPU"' EXIT
now() { date +%s.%N; }
CPU=$(mktemp)
cpu_of() { awk '{print $1 + $2}' "$CPU"; }   # user + system seconds of the last timed command
# CPU seconds of starting python with numpy and scipy (subtracted from the baseline's).
/usr/bin/time -f "%U %S" -o "$CPU" python3 -c 'import numpy, scipy.special'
PY_START=$(cpu_of)
rate_of() { python3 -c 'import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])["nets_per_second"])'; }

# Nets per run: about a second or more of work each.
py_nets()  { case $1 in 10) echo 100000;; 100) echo 20000;; 1000) echo 4000;; esac; }
rs_nets()  { case $1 in 10) echo 4000000;; 100) echo 800000;; 1000) echo 60000;; esac; }

for arch in erf relu gauss; do
  for width in 10 100 1000; do
    for rep in $(seq "$REPS"); do
      n=$(py_nets "$width")
      r=$(/usr/bin/time -f "%U %S" -o "$CPU" python3 "$BASELINE" --arch "$arch" --width "$width" --nets "$n" --npt 2,4,6 --seed "$rep" | rate_of)
      echo -e "$arch\t$width\tnumpy\t$r" >> "$RAW"
      echo -e "$arch\t$width\tnumpy-cpu\t$(python3 -c "print($n / max(1e-9, $(cpu_of) - $PY_START))")" >> "$RAW"
      n=$(rs_nets "$width")
      t0=$(now)
      /usr/bin/time -f "%U %S" -o "$CPU" "$NNQFT" sample --arch "$arch" --width "$width" --nets "$n" --npt 2,4,6 --seed "$rep" --estimator direct --quiet --json > /dev/null 2>&1
      t1=$(now)
      echo -e "$arch\t$width\tnnqft\t$(python3 -c "print($n / ($t1 - $t0))")" >> "$RAW"
      echo -e "$arch\t$width\tnnqft-cpu\t$(python3 -c "print($n / $(cpu_of))")" >> "$RAW"
      r=$("$FLOOR" "$arch" "$width" "$n" | rate_of)
      echo -e "$arch\t$width\tfloor\t$r" >> "$RAW"
      echo "  $arch width $width repetition $rep done" >&2
    done
  done
done

python3 - "$RAW" <<'PY'
import sys, statistics, collections
rates = collections.defaultdict(list)
for line in open(sys.argv[1]):
    arch, width, who, r = line.split("\t")
    rates[(arch, int(width), who)].append(float(r))
med = {k: statistics.median(v) for k, v in rates.items()}
best = {k: max(v) for k, v in rates.items()}
print(f"{'arch':6} {'width':>5} {'numpy nets/s':>13} {'nnqft nets/s':>13} {'ratio':>7} {'vs best':>8} {'floor nets/s':>13} {'floor/nnqft':>11} {'cpu ratio':>10}")
for arch in ["erf", "relu", "gauss"]:
    for width in [10, 100, 1000]:
        p, r, f, pc, rc = (med[(arch, width, w)] for w in ("numpy", "nnqft", "floor", "numpy-cpu", "nnqft-cpu"))
        pb = best[(arch, width, "numpy")]
        print(f"{arch:6} {width:>5} {p:>13.4g} {r:>13.4g} {r / p:>7.1f} {r / pb:>8.1f} {f:>13.4g} {f / r:>11.2f} {rc / pc:>10.1f}")
print("(medians; ratio = nnqft / numpy wall-clock nets per second; vs best = the same against")
print(" numpy's fastest repetition (its times vary up to 2x on this machine with the kernel's")
print(" page-fault work for its large temporaries); floor/nnqft = the full sampler's time over")
print(" the floor's; cpu ratio = nets per CPU-second, nnqft / numpy, which does not depend on")
print(" how much of the machine other jobs take)")
PY

echo
echo "peak memory, 10^7 nets (erf, width 10, npt 2,4,6):"
/usr/bin/time -v "$NNQFT" sample --arch erf --width 10 --nets 10000000 --estimator direct --quiet --json 2>&1 >/dev/null \
  | grep -E "Maximum resident set size|Elapsed \(wall clock\)" | sed 's/^\s*/  /'
