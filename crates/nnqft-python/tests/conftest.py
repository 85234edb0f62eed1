"""Shared helpers: the built `nnqft` binary (for same-bits and same-message comparisons)."""

import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]


def _binary():
    path = os.environ.get("NNQFT_BIN", str(ROOT / "target" / "release" / "nnqft"))
    return path if os.path.exists(path) else None


@pytest.fixture(scope="session")
def cli():
    """Run the binary: cli.json(args) -> parsed --json output; cli.error(args) -> the one
    error line without its "error: " prefix."""
    path = _binary()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("no nnqft binary (cargo build --release -p nnqft, or set NNQFT_BIN)")
        pytest.skip("no nnqft binary (cargo build --release -p nnqft, or set NNQFT_BIN)")

    class Cli:
        @staticmethod
        def run(args):
            return subprocess.run([path, *args], capture_output=True, text=True, check=False)

        @staticmethod
        def json(args):
            out = Cli.run([*args, "--json", "--quiet"])
            assert out.returncode == 0, out.stderr
            return json.loads(out.stdout)

        @staticmethod
        def error(args):
            out = Cli.run([*args, "--quiet"])
            assert out.returncode != 0, out.stdout
            lines = out.stderr.strip().splitlines()
            assert len(lines) == 1, out.stderr
            assert lines[0].startswith("error: "), lines[0]
            return lines[0][len("error: "):]

    return Cli
