#!/usr/bin/env bash
# Speed of `nnqft sample` for the activations with vectorized kernels against erf's, in one
# run on the same machine: nets per second (wall clock and per CPU-second) at width 1000 with
# npt 2,4,6 on the paper's inputs, REPS repetitions each (medians), interleaved so that load
# from other jobs falls on all of them alike; the ratio erf / activation is the slowdown.
#
#   bench/activations.sh                 # REPS=5, ARCHS="erf tanh gelu cos"
#   REPS=7 ARCHS="erf tanh sigmoid silu softplus gelu sin cos abs" bench/activations.sh
#   SKIP_BUILD=1 CARGO_TARGET_DIR=... bench/activations.sh
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-5}
ARCHS=${ARCHS:-erf tanh gelu cos}
WIDTH=${WIDTH:-1000}
NETS=${NETS:-40000}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
if [ -z "${SKIP_BUILD:-}" ]; then
  cargo build --release -q -p nnqft
fi
NNQFT=$CARGO_TARGET_DIR/release/nnqft
RAW=$(mktemp)
CPU=$(mktemp)
trap 'rm -f "$RAW" "$CPU"' EXIT
now() { date +%s.%N; }
for rep in $(seq "$REPS"); do
  for arch in $ARCHS; do
    t0=$(now)
    /usr/bin/time -f "%U %S" -o "$CPU" "$NNQFT" sample --arch "$arch" --width "$WIDTH" --nets "$NETS" \
      --npt 2,4,6 --seed "$rep" --estimator direct --quiet --json > /dev/null
    t1=$(now)
    echo -e "$arch\twall\t$(python3 -c "print($NETS / ($t1 - $t0))")" >> "$RAW"
    echo -e "$arch\tcpu\t$(awk -v n="$NETS" '{print n / ($1 + $2)}' "$CPU")" >> "$RAW"
  done
  echo "  repetition $rep done ($(cut -d' ' -f1-3 /proc/loadavg) load)" >&2
done
python3 - "$RAW" "$WIDTH" <<'PY'
import sys, statistics, collections
rates = collections.defaultdict(list)
for line in open(sys.argv[1]):
    arch, kind, r = line.split("\t")
    rates[(arch, kind)].append(float(r))
archs = list(dict.fromkeys(a for a, _ in rates))
med = {k: statistics.median(v) for k, v in rates.items()}
print(f"width {sys.argv[2]}, medians over {len(rates[(archs[0], 'wall')])} repetitions")
print(f"{'arch':9} {'nets/s':>10} {'nets/cpu-s':>11} {'erf/arch wall':>14} {'erf/arch cpu':>13}")
for a in archs:
    w, c = med[(a, "wall")], med[(a, "cpu")]
    print(f"{a:9} {w:>10.4g} {c:>11.4g} {med[('erf', 'wall')] / w:>14.2f} {med[('erf', 'cpu')] / c:>13.2f}")
PY
