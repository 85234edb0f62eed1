#!/usr/bin/env bash
# The Python package's tests: builds `nnqft` (crates/nnqft-python) into a fresh virtual
# environment under target/pyenv, runs its pytest suite (which compares with the release
# binary, built here too) and executes the quickstart example and notebook.
set -euo pipefail
cd "$(dirname "$0")/.."

py=${PYTHON:-python3}
if ! command -v "$py" >/dev/null 2>&1; then
  echo "scripts/python-test.sh: no $py; the Python package's tests need Python >= 3.10" >&2
  exit 1
fi
env="$PWD/target/pyenv"
rm -rf "$env"
"$py" -m venv "$env"
export PATH="$env/bin:$PATH"  # the environment's maturin builds the package
"$env/bin/pip" install -q --upgrade pip
"$env/bin/pip" install -q maturin numpy pytest matplotlib nbclient nbformat ipykernel
# The binary the tests compare with (same seed, same bits; same error messages).
cargo build -q --release -p nnqft
export NNQFT_BIN="$PWD/target/release/nnqft"
# The README's install line, into the fresh environment.
"$env/bin/pip" install -q --no-build-isolation ./crates/nnqft-python
cd target  # import the installed package, not a source tree
"$env/bin/python" -m pytest -q ../crates/nnqft-python/tests
MPLBACKEND=Agg "$env/bin/python" ../examples/python/quickstart.py
"$env/bin/python" - <<'PY'
import nbformat
from nbclient import NotebookClient

nb = nbformat.read("../examples/python/quickstart.ipynb", as_version=4)
NotebookClient(nb, timeout=300, kernel_name="python3",
               resources={"metadata": {"path": "."}}).execute()
print("examples/python/quickstart.ipynb: executed without error")
PY
