#!/bin/sh
# Writes a loan tape of N loans (default 1,000,000) to OUT by repeating the rows of the
# bundled reference tape with new loan ids. Used to measure memory and time on a large
# pool; the file is generated, never committed.
#   scripts/big_tape.sh OUT [N]
set -eu
out=${1:?usage: scripts/big_tape.sh OUT [N]}
n=${2:-1000000}
tape="$(dirname "$0")/../deals/impac-cmb-2004-1/tape.csv"
awk -F, -v OFS=, -v n="$n" '
  NR == 1 { print; next }
  { rows[++k] = substr($0, index($0, ",")) }
  END { for (i = 1; i <= n; i++) printf "B%07d%s\n", i, rows[(i - 1) % k + 1] }
  ' "$tape" > "$out"
