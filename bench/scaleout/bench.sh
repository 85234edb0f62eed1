#!/usr/bin/env bash
# Scale-out on this machine: wall time of one process against 2 shards run concurrently and
# against 1 and 2 MPI ranks (same total nets, results checked byte-identical), and the time
# to merge 100 shard files of the paper's six inputs (n = 2, 4, 6, 10 experiments).
# Usage: bench/scaleout/bench.sh  (env: NETS, WIDTH, REPS, MERGE_REPS, MPI_TARGET_DIR)
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
NETS="${NETS:-400000}"
WIDTH="${WIDTH:-100}"
REPS="${REPS:-3}"
MERGE_REPS="${MERGE_REPS:-5}"

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
cargo build --release -p nnqft -q
bin="$CARGO_TARGET_DIR/release/nnqft"
mpibin=""
if command -v mpirun >/dev/null 2>&1; then
  mpidir="${MPI_TARGET_DIR:-$root/target/mpi}"
  CARGO_TARGET_DIR="$mpidir" cargo build --release -p nnqft --features mpi -q
  mpibin="$mpidir/release/nnqft"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f\n", b - a }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Run "$@" REPS times, print the median wall time in seconds.
timed() {
  for _ in $(seq "$REPS"); do
    t0="$(now)"
    "$@" >/dev/null
    elapsed "$t0"
  done | median
}

args=(sample --arch erf --width "$WIDTH" --nets "$NETS" --experiments 10 --seed 1 --quiet)
echo "machine: $(nproc) cores; erf, width $WIDTH, $NETS nets, 10 experiments, npt 2,4,6, $REPS runs each (median)"
"$bin" "${args[@]}" --out "$work/ref.json" >/dev/null

one_t1="$(timed "$bin" "${args[@]}" --threads 1 --out "$work/a.json")"
cmp "$work/ref.json" "$work/a.json"
one_t2="$(timed "$bin" "${args[@]}" --threads 2 --out "$work/a.json")"
cmp "$work/ref.json" "$work/a.json"

two_shards() {
  "$bin" "${args[@]}" --threads 1 --shard 0/2 --out "$work/s0.json" &
  "$bin" "${args[@]}" --threads 1 --shard 1/2 --out "$work/s1.json" &
  wait
  "$bin" merge "$work/s0.json" "$work/s1.json" --out "$work/b.json" --quiet
}
shards="$(timed two_shards)"
cmp "$work/ref.json" "$work/b.json"

printf '%-46s %8s\n' "configuration" "wall s"
printf '%-46s %8s\n' "1 process, --threads 1" "$one_t1"
printf '%-46s %8s\n' "1 process, --threads 2" "$one_t2"
printf '%-46s %8s\n' "2 shards concurrently (1 thread each) + merge" "$shards"
if [ -n "$mpibin" ]; then
  mpi() {
    mpirun --allow-run-as-root --oversubscribe -np "$1" "$mpibin" "${args[@]}" --mpi \
      --out "$work/m$1.json"
  }
  mpi1="$(timed mpi 1)"
  cmp "$work/ref.json" "$work/m1.json"
  mpi2="$(timed mpi 2)"
  cmp "$work/ref.json" "$work/m2.json"
  printf '%-46s %8s\n' "mpirun -np 1 (2 threads)" "$mpi1"
  printf '%-46s %8s\n' "mpirun -np 2 (1 thread per rank)" "$mpi2"
else
  echo "(mpirun not found: MPI rows skipped)"
fi
echo "all outputs byte-identical to the one-process run"

# Merge: 100 shards of 10 x 10 blocks (1024 nets each), paper inputs, n = 2, 4, 6.
margs=(sample --arch erf --width 10 --nets 102400 --experiments 10 --seed 2 --quiet)
mkdir "$work/parts"
for i in $(seq 0 99); do
  "$bin" "${margs[@]}" --shard "$i/100" --out "$work/parts/part_$i.json" >/dev/null
done
"$bin" "${margs[@]}" --out "$work/mref.json" >/dev/null
size="$(stat -c %s "$work/parts/part_0.json")"
merge_t="$(REPS="$MERGE_REPS" timed "$bin" merge "$work"/parts/part_*.json --out "$work/merged.json")"
cmp "$work/mref.json" "$work/merged.json"
noop_t="$(REPS="$MERGE_REPS" timed "$bin" kernel --arch erf --inputs paper --json)"
# Each of those shards holds one block of one experiment; a shard holding sums in all 10
# experiments (here: all 100 combined into one file) is the largest a shard file gets.
"$bin" merge "$work"/parts/part_*.json --partial-out "$work/full.json" >/dev/null
full_size="$(stat -c %s "$work/full.json")"
full_t="$(REPS="$MERGE_REPS" timed "$bin" merge "$work/full.json" --out "$work/merged_full.json")"
cmp "$work/mref.json" "$work/merged_full.json"
echo "uptime: $(uptime)"
echo "merge of 100 shard files ($((size / 1000)) kB each, 609 entries x 10 experiments): ${merge_t} s median of $MERGE_REPS (a trivial nnqft command: ${noop_t} s); byte-identical to the one-shot run"
echo "merge of one full shard file ($((full_size / 1000)) kB, sums in all 10 experiments): ${full_t} s median of $MERGE_REPS"
