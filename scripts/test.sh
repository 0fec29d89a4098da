#!/usr/bin/env bash
# The whole test suite: formatting, lints, Rust tests. Fails loudly on the first error.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== every crate denies unwrap/expect/panic outside tests (clippy lints)"
# `[lints] workspace = true`, or for a crate outside the workspace its own
# `[lints.clippy]` table with `unwrap_used = "deny"`.
for manifest in crates/*/Cargo.toml; do
  awk '/^\[/{s=$0} s=="[lints]" && /^workspace *= *true/{ok=1}
       s=="[lints.clippy]" && /^unwrap_used *= *"deny"/{ok=1} END{exit !ok}' "$manifest" ||
    { echo "$manifest: no [lints] workspace = true (unwrap/expect/panic not denied)" >&2; exit 1; }
done
echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --all-features -- -D warnings
echo "== headless Chromium (the report's browser test)"
# The test opens the report's HTML page in headless Chromium. Install it when missing and
# we are root (CI runs as root on a fresh machine); under CI a missing browser fails.
if [ -z "${CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif [ -n "${CI:-}" ]; then
    echo "chromium is missing and cannot be installed here (not root, or no apt-get)" >&2
    exit 1
  else
    echo "!! chromium not found: the report's browser test will be SKIPPED (see its output)"
  fi
fi
command -v chromium >/dev/null 2>&1 && chromium --version 2>/dev/null || true
echo "== cargo test"
cargo test --workspace --all-features

# ---- Python package and Spark adapter -------------------------------------------------
# A venv under the repo (.venv, gitignored) with the test tools from PyPI; the package is
# built from source by `pip install ./python` (maturin, release profile); then pytest,
# which starts Spark in local mode on loopback (Java 17 at the default `java`).
echo "== python: venv and tools"
PY="${PYTHON:-python3}"
"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ needed for the Python stage")'
VENV="${TRANCHE_VENV:-.venv}"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q maturin pytest pyarrow polars pandas pyspark matplotlib
echo "== python: lint the extension crate (outside the cargo workspace)"
cargo fmt --manifest-path crates/tranche-py/Cargo.toml -- --check
PYO3_PYTHON="$PWD/$VENV/bin/python" cargo clippy --manifest-path crates/tranche-py/Cargo.toml --all-targets -- -D warnings
echo "== python: pip install ./python"
"$VENV/bin/python" -m pip install -q --force-reinstall --no-deps ./python
echo "== python: pytest"
cargo build -q -p tranche-cli
TRANCHE_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/tranche"
export TRANCHE_BIN
set +e
(cd python && "../$VENV/bin/python" -m pytest -q -p no:cacheprovider tests)
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
    echo "pytest collected no tests: failing" >&2
    exit 1
elif [ "$rc" -ne 0 ]; then
    echo "pytest failed (exit $rc)" >&2
    exit "$rc"
fi
