"""Throughput of a scenario table (a grid's cells laid out as rows): scenarios per second
on one core, on every local core, and through Spark local mode. Prints medians over --repeat timed runs (after one warm-up).

    python python/benches/grid_bench.py --scenarios 2000 --repeat 5

Run it on an otherwise idle machine; the numbers are the machine's, not the engine's.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from pathlib import Path

import pyarrow as pa

import tranche
import tranche.spark

REPO = Path(__file__).resolve().parents[2]


def grid(n: int) -> pa.Table:
    combos = itertools.cycle(
        itertools.product(
            [0.0, 25.0, 50.0, 75.0, 100.0, 125.0, 150.0, 175.0, 200.0, 250.0],
            [0.0, 1.0, 2.0, 4.0, 6.0],
            [30.0, 45.0],
            [0, 6, 12],
            [-100.0, 0.0, 100.0, 200.0],
            ["call", "maturity"],
        )
    )
    rows = list(itertools.islice(combos, n))
    c = list(zip(*rows))
    return pa.table(
        {
            "scenario_id": pa.array(range(n), pa.int64()),
            "deal": ["ref"] * n,
            "speed_pct": c[0],
            "cdr_pct": c[1],
            "severity_pct": c[2],
            "lag_months": pa.array(c[3], pa.int64()),
            "shock_bps": c[4],
            "horizon": c[5],
        }
    )


def load() -> str:
    """The machine's 1/5/15-minute load averages (as `uptime` prints them)."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(f, repeat: int) -> tuple[float, float]:
    """Median wall seconds and median CPU seconds of this process (the engine's threads;
    not Spark's workers, which are other processes)."""
    f()  # warm-up: loads the deal, starts Spark workers
    times, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        f()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(times), statistics.median(cpu)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--deal", default=str(REPO / "deals" / "impac-cmb-2004-1"))
    ap.add_argument("--scenarios", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-spark", action="store_true")
    args = ap.parse_args()

    deals = {"ref": args.deal}
    g = grid(args.scenarios)
    n = g.num_rows
    cores = os.cpu_count() or 1
    results = []
    print(f"load average at start: {load()}", flush=True)

    t1 = timed(lambda: tranche.run_scenarios(g, deals, threads=1), args.repeat)
    results.append(("one core (threads=1)", t1))
    print(f"one core done; load average: {load()}", flush=True)
    tn = timed(lambda: tranche.run_scenarios(g, deals), args.repeat)
    results.append((f"all local cores ({cores})", tn))
    print(f"all cores done; load average: {load()}", flush=True)

    if not args.no_spark:
        from pyspark.sql import SparkSession

        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        spark = (
            SparkSession.builder.master("local[*]")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.host", "127.0.0.1")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        sdf_in = spark.createDataFrame(g.to_pandas()).repartition(cores).cache()
        sdf_in.count()

        def spark_run():
            out = tranche.spark.run_scenarios(spark, deals, sdf_in)
            out.write.format("noop").mode("overwrite").save()

        ts = timed(spark_run, args.repeat)
        results.append((f"Spark local[*] ({cores} cores, mapInArrow)", ts))
        spark.stop()

    print(f"load average at end: {load()}")
    print(f"scenarios: {n}, deal: {args.deal}, repeats: {args.repeat} (median)")
    print("| mode | median seconds | scenarios / second | scenarios / CPU second (this process) |")
    print("|---|---:|---:|---:|")
    for name, (t, c) in results:
        per_cpu = f"{n / c:,.0f}" if c > 0.05 * t else "n/a (work in Spark workers)"
        print(f"| {name} | {t:.3f} | {n / t:,.0f} | {per_cpu} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
