#!/usr/bin/env bash
# Speed of `nnqft sample --depth 3` against the deep baseline (../shared/baseline/deep_npt.py,
# numpy and JAX modes: every n x n weight matrix drawn, batched matrix products), all in the
# same run, each the median of REPS runs; then nnqft's floor ratio (deep_floor example).
#
# Usage: bench/deep.sh     # NETS=20000 BASE_NETS=100 WIDTH=1000 DEPTH=3 REPS=3 ARCH=erf
#   PYTHON=python3         interpreter of the numpy mode (needs numpy and scipy)
#   JAX_PYTHON=$PYTHON     interpreter of the JAX mode (needs jax; e.g. a venv's python)
# Prints nets per second (wall) of nnqft (direct and conditional estimators) and of each
# baseline mode that can run here, and the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
NETS=${NETS:-20000}
BASE_NETS=${BASE_NETS:-100}
WIDTH=${WIDTH:-1000}
DEPTH=${DEPTH:-3}
REPS=${REPS:-3}
ARCH=${ARCH:-erf}
BASE=${BASE:-../shared/baseline/deep_npt.py}
PYTHON=${PYTHON:-python3}
JAX_PYTHON=${JAX_PYTHON:-$PYTHON}
cargo build --release -q -p nnqft
bin=target/release/nnqft
median() { python3 -c "import statistics, sys; print(statistics.median(map(float, sys.argv[1:])))" "$@"; }
declare -A RATE
for est in direct conditional; do
  rates=()
  for _ in $(seq "$REPS"); do
    start=$(date +%s.%N)
    "$bin" sample --arch "$ARCH" --depth "$DEPTH" --width "$WIDTH" --npt 2,4,6 \
      --estimator "$est" --nets "$NETS" --quiet > /dev/null
    end=$(date +%s.%N)
    rates+=("$(python3 -c "print($NETS / ($end - $start))")")
  done
  RATE[nnqft-$est]=$(median "${rates[@]}")
  echo "nnqft $est: ${rates[*]} nets/s; median ${RATE[nnqft-$est]}"
done
for mode in numpy jax; do
  py=$PYTHON
  [ "$mode" = jax ] && py=$JAX_PYTHON
  if [ ! -f "$BASE" ] || ! "$py" -c 'import numpy, scipy' 2>/dev/null; then
    echo "baseline $mode: needs $BASE and $py with numpy and scipy"; continue
  fi
  if [ "$mode" = jax ] && ! "$py" -c 'import jax' 2>/dev/null; then
    echo "baseline jax: jax not installed for $py (set JAX_PYTHON)"; continue
  fi
  rates=()
  for _ in $(seq "$REPS"); do
    line=$("$py" "$BASE" --arch "$ARCH" --width "$WIDTH" --depth "$DEPTH" --nets "$BASE_NETS" \
      --mode "$mode" --npt 2,4,6 | tail -1)
    echo "baseline $mode: $line"
    rates+=("$(python3 -c "import json, sys; print(json.loads(sys.argv[1])['nets_per_second'])" "$line")")
  done
  RATE[$mode]=$(median "${rates[@]}")
  echo "baseline $mode: median ${RATE[$mode]} nets/s"
done
for est in direct conditional; do
  for mode in numpy jax; do
    if [ -n "${RATE[$mode]:-}" ]; then
      echo "nnqft $est / baseline $mode: $(python3 -c "print(f'{${RATE[nnqft-$est]} / ${RATE[$mode]}:.0f}x')")"
    fi
  done
done
cargo run --release -q -p nnqft-ensemble --example deep_floor 4000
