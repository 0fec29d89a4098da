#!/usr/bin/env bash
# The Python stage of the test suite (scripts/test.sh runs it after the Rust tests).
# A venv under the repo (.venv, gitignored) with the test tools from PyPI; the package is
# built from source by `pip install ./python` (maturin, release profile); then pytest,
# which starts Spark in local mode on loopback (Java 17 at the default `java`).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
lap=$start
# Seconds since the previous phase, so a slow stage shows where its time goes.
phase() { local now; now=$(date +%s); echo "   ($(( now - lap )) s)"; lap=$now; echo "== python: $1"; }
echo "== python: venv and tools"
PY="${PYTHON:-python3}"
"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ needed for the Python stage")'
VENV="${TRANCHE_VENV:-.venv}"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
VENV="$(cd "$VENV" && pwd)"
"$VENV/bin/python" -m pip install -q --upgrade pip
# pandas < 3: PySpark 4.x does not yet support pandas 3 fully (it warns).
"$VENV/bin/python" -m pip install -q maturin pytest pyarrow polars "pandas<3" pyspark matplotlib
phase "lint the extension crate (outside the cargo workspace)"
cargo fmt --manifest-path crates/tranche-py/Cargo.toml -- --check
PYO3_PYTHON="$VENV/bin/python" cargo clippy --manifest-path crates/tranche-py/Cargo.toml --all-targets -- -D warnings
phase "pip install ./python"
"$VENV/bin/python" -m pip install -q --force-reinstall --no-deps ./python
phase "pytest"
# The CLI the tests compare against (scripts/test.sh has built it already).
if [ -z "${TRANCHE_BIN:-}" ]; then
    cargo build -q -p tranche-cli
    TRANCHE_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/tranche"
fi
export TRANCHE_BIN
set +e
# From the repo root: the source tree python/tranche (no extension in it) must not shadow
# the installed package, neither here nor in Spark's Python workers (which import from
# their working directory).
"$VENV/bin/python" -P -m pytest -q -p no:cacheprovider python/tests
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
    echo "pytest collected no tests: failing" >&2
    exit 1
elif [ "$rc" -ne 0 ]; then
    echo "pytest failed (exit $rc)" >&2
    exit "$rc"
fi
phase "example (Price/DM table and bond balance chart)"
"$VENV/bin/python" examples/python/price_table.py --out "${TMPDIR:-/tmp}/tranche-python-example"
phase "done"
echo "== python stage took $(( $(date +%s) - start )) s"
