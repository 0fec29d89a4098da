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
echo "== headless Chromium (the report's and the deal explorer's browser tests)"
# The tests open the report's HTML page in headless Chromium and drive the deal explorer
# (`tranche serve`) through WebDriver. Install Debian's chromium and chromium-driver when
# missing and we are root (CI runs as root on a fresh machine); under CI a missing browser
# or driver fails.
missing=()
[ -z "${CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1 && missing+=(chromium)
[ -z "${CHROMEDRIVER:-}" ] && ! command -v chromedriver >/dev/null 2>&1 && missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  elif [ -n "${CI:-}" ]; then
    echo "${missing[*]} missing and cannot be installed here (not root, or no apt-get)" >&2
    exit 1
  else
    echo "!! ${missing[*]} not found: the browser tests will be SKIPPED (see their output)"
  fi
fi
command -v chromium >/dev/null 2>&1 && chromium --version 2>/dev/null || true
command -v chromedriver >/dev/null 2>&1 && chromedriver --version 2>/dev/null || true
echo "== cargo test"
cargo test --workspace --all-features


echo "== python package and Spark adapter"
# The tests compare with the CLI that `cargo test` just built (building it again with
# other features would cost minutes).
TRANCHE_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/tranche" bash scripts/test-python.sh
