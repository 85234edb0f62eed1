#!/usr/bin/env bash
# The test command (README line 2). Installs what the tests need when it can (Debian packages
# as root: LaTeX for the diagram-drawing test, OpenMPI for the MPI test), then runs every test
# and every example. Tests whose tool is missing and cannot be installed say so and skip,
# except under CI=true, where they fail.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
# lualatex alone is not enough: the diagram drawings need TikZ-Feynman (texlive-pictures).
if ! command -v lualatex >/dev/null 2>&1 || ! kpsewhich tikz-feynman.sty >/dev/null 2>&1; then
  need+=(texlive-latex-base texlive-pictures texlive-luatex)
fi
command -v mpirun >/dev/null 2>&1 || need+=(openmpi-bin libopenmpi-dev libclang-dev)
# Figures are also written as PDF (and checked as PNG) with rsvg-convert; DejaVu for its text.
command -v rsvg-convert >/dev/null 2>&1 || need+=(librsvg2-bin fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "scripts/test.sh: installing ${need[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "scripts/test.sh: not root, so not installing ${need[*]}; the tests that need them skip" >&2
  fi
fi

cargo test --workspace --all-targets
cargo test --workspace --doc
# The examples (examples/ at the repository root), each a few seconds.
for ex in g4_expansion exact_vs_sampled relu_rg_slope cos_net; do cargo run -q -p nnqft --example "$ex"; done
bash scripts/mpi-test.sh
bash scripts/python-test.sh  # the Python package (fresh venv, pytest, the notebook)
