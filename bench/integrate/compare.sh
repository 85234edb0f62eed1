#!/usr/bin/env bash
# Compare nnqft-integrate with the scipy baselines of ../../../shared/baseline (or $BASELINE):
#   lambda_table.py    ReLU quartic-vertex table, 126 tuples x 21 cutoffs (target >= 50x)
#   nonlocal_table.py  TNL for the Erf tuples, run with --tuples K (default 6) and projected
#                      to 126 (target >= 1000x)
# and print the exact-correlator timings (six inputs, all 462 6-pt entries).
# Needs python3 with numpy and scipy (pip install numpy scipy). Usage: bench/integrate/compare.sh [K]
set -euo pipefail
cd "$(dirname "$0")/../.."
BASELINE=${BASELINE:-/work/shared/baseline}
K=${1:-6}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p nnqft-integrate --example bench_tables
ours=$("$CARGO_TARGET_DIR/release/examples/bench_tables")
lam=$(python3 "$BASELINE/lambda_table.py")
tnl=$(python3 "$BASELINE/nonlocal_table.py" --tuples "$K")
python3 - "$ours" "$lam" "$tnl" <<'PY'
import json, sys
ours, lam, tnl = (json.loads(a) for a in sys.argv[1:4])
print(f"lambda table (126 x 21): scipy {lam['seconds']:.4f} s (worst rel. error {lam['worst_relative_error']:.1e}), "
      f"nnqft {ours['lambda_table_seconds']:.6f} s (worst rel. error {ours['lambda_worst_relative_error']:.1e}): "
      f"{lam['seconds'] / ours['lambda_table_seconds']:.0f}x")
print(f"TNL 126 Erf tuples: scipy {tnl['projected_seconds_126']:.1f} s (projected from {tnl['tuples']}), "
      f"nnqft {ours['tnl126_seconds']:.6f} s: {tnl['projected_seconds_126'] / ours['tnl126_seconds']:.0f}x")
diff = max(abs(a / b - 1) for a, b in zip(ours['tnl_first6'], tnl['values']))
print(f"TNL agreement on the first {len(tnl['values'])} tuples: max relative difference {diff:.1e} "
      f"(nnqft's own error estimate <= {ours['tnl_max_relative_error_estimate']:.1e})")
for a, s in ours['exact_tables_seconds'].items():
    print(f"exact correlators, six inputs (21 + 126 + 462 entries), {a}: {s:.4f} s")
PY
