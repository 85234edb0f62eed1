#!/usr/bin/env bash
# The MPI test: `mpirun -np P nnqft sample --mpi` must write and print exactly the bytes of the
# one-process `nnqft sample` with the same seed (P = 2, and P = 3, which does not divide the
# blocks). Builds nnqft with the `mpi` feature in its own target dir (target/mpi), so the
# default build is untouched. Without mpirun it skips with a note, except under CI, where it fails.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v mpirun >/dev/null 2>&1; then
  if [ -n "${CI:-}" ]; then
    echo "scripts/mpi-test.sh: mpirun not found (apt-get install openmpi-bin libopenmpi-dev libclang-dev)" >&2
    exit 1
  fi
  echo "scripts/mpi-test.sh: mpirun not found; skipping the MPI test (install openmpi-bin libopenmpi-dev libclang-dev)" >&2
  exit 0
fi

export CARGO_TARGET_DIR="${MPI_TARGET_DIR:-$PWD/target/mpi}"
cargo build --release -p nnqft --features mpi
bin="$CARGO_TARGET_DIR/release/nnqft"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# 7500 nets in 3 experiments: 9 blocks of 1024, 1024 and 452 nets.
args=(sample --arch erf --width 7 --nets 7500 --experiments 3 --seed 7 --quiet)
"$bin" "${args[@]}" --out "$tmp/one.json" --json >"$tmp/one.out"
passed=0
for np in 2 3; do
  mpirun --allow-run-as-root --oversubscribe -np "$np" \
    "$bin" "${args[@]}" --mpi --out "$tmp/mpi$np.json" --json >"$tmp/mpi$np.out"
  cmp "$tmp/one.json" "$tmp/mpi$np.json"   # the file rank 0 wrote
  cmp "$tmp/one.out" "$tmp/mpi$np.out"     # stdout: rank 0's JSON alone
  passed=$((passed + 1))
done
echo "mpi: $passed passed, 0 failed"
