#!/usr/bin/env python3
"""End-to-end benchmarks of the `tranche` binary as whole processes.

    cargo build --release -p tranche-cli
    python3 scripts/bench.py [--bin target/release/tranche] [--repeat 15] [--only NAME]

Each benchmark runs a command `--repeat` times (after one untimed warm-up) and prints the
median wall-clock time and the median CPU time of the process (user + system, all its
threads), with the load average before and after: on a shared machine wall time shows
the contention, CPU time the work. Benchmarks:

- `price-table`: the reference deal's 60-cell Price/DM table (loan-level, 3,951 loans).
- `collateral-100k`: `tranche collateral` on a 100,000-loan tape (scripts/big_tape.sh)
  at 30% CPR and 6-month LIBOR 1.2%, reading the tape included; also loan-periods/s.
- `grid-10k-1`, `grid-10k-2`: a 10,000-scenario grid on the reference deal (25 speeds x
  20 CDRs x 20 severities, to maturity) on 1 and on 2 worker threads; also scenarios/s.

Nothing here asserts a time: the numbers go into the README with the command.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEAL = os.path.join(ROOT, "deals", "impac-cmb-2004-1")


def timed(cmd, repeat, env=None):
    """Median wall and CPU seconds of `cmd` over `repeat` runs after a warm-up."""
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True, env=env)
    walls, cpus = [], []
    for _ in range(repeat):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True, env=env)
        t1 = time.perf_counter()
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        walls.append(t1 - t0)
        cpus.append((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
    return statistics.median(walls), statistics.median(cpus)


def grid_args(threads):
    speeds = ",".join(str(10 * k) for k in range(1, 26))  # 10..250
    cdrs = ",".join(f"{0.5 * k:g}" for k in range(20))  # 0..9.5
    sevs = ",".join(str(5 * k) for k in range(1, 21))  # 5..100
    return ["grid", DEAL, "--speeds", speeds, "--cdr", cdrs, "--severity", sevs,
            "--to", "maturity", "--threads", str(threads)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "tranche"))
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--only", action="append", help="run only this benchmark (repeatable)")
    a = ap.parse_args()
    if not os.access(a.bin, os.X_OK):
        sys.exit(f"{a.bin}: not found; build it with `cargo build --release -p tranche-cli`")
    tmp = tempfile.mkdtemp(prefix="tranche-bench-")
    tape = os.path.join(tmp, "big100k.csv")
    benches = [
        ("price-table", [a.bin, "price-table", DEAL], a.repeat, None),
        ("collateral-100k", [a.bin, "collateral", tape, "--cpr", "30", "--index-rate", "1.2"],
         max(3, a.repeat // 3), None),
        ("grid-10k-1", [a.bin, *grid_args(1)], 3, 10_000),
        ("grid-10k-2", [a.bin, *grid_args(2)], 3, 10_000),
    ]
    try:
        print(f"load average at start: {os.getloadavg()[0]:.2f}")
        print("| benchmark | runs | median wall s | median CPU s | throughput |")
        print("|---|---:|---:|---:|---|")
        for name, cmd, repeat, scenarios in benches:
            if a.only and name not in a.only:
                continue
            if name == "collateral-100k" and not os.path.exists(tape):
                subprocess.run(["sh", os.path.join(ROOT, "scripts", "big_tape.sh"), tape,
                                "100000"], check=True)
            wall, cpu = timed(cmd, repeat)
            if scenarios:
                rate = f"{scenarios / wall:,.0f} scenarios/s wall, {scenarios / cpu:,.0f} per CPU-s"
            elif name == "collateral-100k":
                lp = loan_periods(a.bin, tape)
                rate = f"{lp / wall / 1e6:,.1f} M loan-periods/s wall ({lp:,} loan-periods)"
            else:
                rate = ""
            print(f"| `{name}` | {repeat} | {wall:.3f} | {cpu:.3f} | {rate} |", flush=True)
        print(f"load average at end: {os.getloadavg()[0]:.2f}")
    finally:
        if os.path.exists(tape):
            os.remove(tape)
        os.rmdir(tmp)


def loan_periods(bin, tape):
    """Loan-periods as the issue counts them: loans times the projection's periods."""
    out = subprocess.run([bin, "collateral", tape, "--cpr", "30", "--index-rate", "1.2",
                          "--format", "json"], capture_output=True, text=True,
                         check=True).stdout
    return 100_000 * len(json.loads(out))


if __name__ == "__main__":
    main()
