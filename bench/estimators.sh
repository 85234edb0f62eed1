#!/usr/bin/env bash
# The conditional estimator against the direct one (docs/conventions.md section 8), with the
# release binary:
#  1. speed: nets per second of `nnqft sample` at width 1000 (erf, relu, gauss; npt 2,4,6;
#     2 threads), REPS repetitions each, medians;
#  2. resolution: Erf-net and ReLU-net at N = 1000 with the conditional estimator, NETS
#     networks in 10 experiments on 2 threads: wall time, the relative standard error of m_4
#     (mean over entries of stderr(G4)/G_GP, over m_4) and of the connected 6-point function
#     (mean stderr over mean |kappa6|).
#
#   bench/estimators.sh                    # REPS=5, NETS=400000
#   SKIP_BUILD=1 CARGO_TARGET_DIR=... bench/estimators.sh
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-5}
NETS=${NETS:-400000}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
[ -n "${SKIP_BUILD:-}" ] || cargo build --release -q -p nnqft
NNQFT=$CARGO_TARGET_DIR/release/nnqft
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "speed at width 1000, npt 2,4,6, 60000 nets, 2 threads: nets per wall second and per"
echo "CPU second (user + system; robust on a shared machine), medians of $REPS"
printf "%-6s %12s %12s %8s %14s %14s %8s\n" arch direct conditional ratio "direct/cpu-s" "cond./cpu-s" ratio
TIMES=$(mktemp)
trap 'rm -f "$TIMES"' EXIT
for arch in erf relu gauss; do
  declare -A wall=() cpu=()
  for est in direct conditional; do
    ws=(); cs=()
    for rep in $(seq "$REPS"); do
      /usr/bin/time -f "%e %U %S" -o "$TIMES" "$NNQFT" sample --arch "$arch" --width 1000 \
        --nets 60000 --threads 2 --seed "$rep" --estimator "$est" --json --quiet > /dev/null 2>&1
      read -r e u s < "$TIMES"
      ws+=("$(python3 -c "print(60000 / $e)")")
      cs+=("$(python3 -c "print(60000 / ($u + $s))")")
    done
    wall[$est]=$(printf "%s\n" "${ws[@]}" | median)
    cpu[$est]=$(printf "%s\n" "${cs[@]}" | median)
  done
  printf "%-6s %12.4g %12.4g %8.2f %14.4g %14.4g %8.2f\n" "$arch" "${wall[direct]}" \
    "${wall[conditional]}" "$(python3 -c "print(${wall[conditional]} / ${wall[direct]})")" \
    "${cpu[direct]}" "${cpu[conditional]}" "$(python3 -c "print(${cpu[conditional]} / ${cpu[direct]})")"
done

echo
echo "resolution at N = 1000, conditional, $NETS nets in 10 experiments, 2 threads"
for arch in erf relu; do
  out=$(mktemp)
  /usr/bin/time -f "%e %U %S" -o "$TIMES" "$NNQFT" sample --arch "$arch" --width 1000 \
    --nets "$NETS" --threads 2 --json --quiet > "$out"
  read -r e u s < "$TIMES"
  python3 - "$out" "$arch" "$e" "$(python3 -c "print($u + $s)")" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
g4 = m["correlators"]["4"]
m4 = sum(abs(e["mean"] - e["gp"]) / e["gp"] for e in g4) / len(g4)
se4 = sum(e["stderr"] / e["gp"] for e in g4) / len(g4)
c6 = m["connected"]["6"]
a6 = sum(abs(e["mean"]) for e in c6) / len(c6)
se6 = sum(e["stderr"] for e in c6) / len(c6)
print(f"{sys.argv[2]:5} wall {float(sys.argv[3]):6.2f} s, cpu {float(sys.argv[4]):6.2f} s   m_4 = {m4:.4e} rel. stderr {se4 / m4:.3f}"
      f"   mean|kappa6| = {a6:.4e} rel. stderr {se6 / a6:.3f}")
PY
  rm -f "$out"
done
