#!/usr/bin/env bash
# Speed of `nnqft sample --depth 3` against the deep baseline (../shared/baseline/deep_npt.py,
# numpy and JAX modes: every n x n weight matrix drawn, batched matrix products).
#
# Usage: bench/deep.sh            # NETS=20000 WIDTH=1000 DEPTH=3; erf, six paper inputs, npt 2,4,6
# Prints nets per second of nnqft (direct and conditional estimators) and of each baseline mode
# that can run here (the baseline needs python3 with numpy and scipy; JAX mode needs jax).
set -euo pipefail
cd "$(dirname "$0")/.."
NETS=${NETS:-20000}
WIDTH=${WIDTH:-1000}
DEPTH=${DEPTH:-3}
BASE=${BASE:-../shared/baseline/deep_npt.py}
cargo build --release -q -p nnqft
bin=target/release/nnqft
rate() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.1f}')" "$@"; }
for est in direct conditional; do
  start=$(date +%s.%N)
  "$bin" sample --arch erf --depth "$DEPTH" --width "$WIDTH" --npt 2,4,6 --estimator "$est" \
    --nets "$NETS" --quiet > /dev/null
  end=$(date +%s.%N)
  secs=$(python3 -c "print($end - $start)")
  echo "nnqft $est: $NETS nets in ${secs}s = $(rate "$NETS" "$secs") nets/s"
done
cargo run --release -q -p nnqft-ensemble --example deep_floor 4000
if [ -f "$BASE" ] && python3 -c 'import numpy, scipy' 2>/dev/null; then
  for mode in numpy jax; do
    if [ "$mode" = jax ] && ! python3 -c 'import jax' 2>/dev/null; then
      echo "baseline jax: jax not installed"; continue
    fi
    python3 "$BASE" --arch erf --width "$WIDTH" --depth "$DEPTH" --nets 100 --mode "$mode" \
      --npt 2,4,6 | tail -1 | sed "s/^/baseline $mode: /"
  done
else
  echo "baseline: needs $BASE and python3 with numpy and scipy (pip install numpy scipy)"
fi
