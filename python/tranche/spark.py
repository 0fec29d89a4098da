"""Scenario tables on Spark.

:func:`run_scenarios` sends a table of explicit scenarios (one row each) to the executors
with ``mapInArrow``; each executor imports :mod:`tranche` and runs its Arrow batches
through the same entry point as :func:`tranche.run_scenarios`, so every row equals the
single-machine result.

Executors need the ``tranche`` wheel installed (see ``docs/python.md``) and the deal
files: by default :func:`run_scenarios` ships each deal directory with
``SparkContext.addFile`` so executors read their own copy.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Iterator, Mapping, Sequence

from . import _tranche

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["run_scenarios", "result_spark_schema"]

# Deal directories already shipped with addFile, per SparkContext (addFile of the same
# name twice is an error on some Spark versions).
_shipped: dict[int, set[str]] = {}


def result_spark_schema():
    """The Spark schema (``StructType``) of a result table."""
    import pyarrow as pa
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(pa.schema(_tranche.result_schema()))


def _deal_ids(deals: Mapping[str, str | os.PathLike] | Sequence[str | os.PathLike] | str) -> dict[str, str]:
    """Deal id -> absolute path. A list's ids are the directory names."""
    if isinstance(deals, (str, os.PathLike)):
        deals = [deals]
    if isinstance(deals, Mapping):
        items = [(str(k), os.fspath(v)) for k, v in deals.items()]
    else:
        items = []
        for d in deals:
            p = os.fspath(d)
            items.append((os.path.basename(os.path.normpath(p)), p))
    ids: dict[str, str] = {}
    for k, p in items:
        ap = os.path.abspath(p)
        if not os.path.exists(ap):
            raise _tranche_input_error(f"deal `{k}`: cannot open {p}: no such file or directory")
        if k in ids and ids[k] != ap:
            raise _tranche_input_error(f"deal id `{k}` names two deals: {ids[k]} and {ap}")
        ids[k] = ap
    if not ids:
        raise _tranche_input_error("deals: expected at least one deal")
    return ids


def _tranche_input_error(msg: str) -> Exception:
    from ._errors import InputError

    return InputError(msg)


def _ship(spark: "SparkSession", ids: dict[str, str]) -> dict[str, str]:
    """Adds each deal directory to the job's files; returns id -> name under SparkFiles."""
    sc = spark.sparkContext
    done = _shipped.setdefault(id(sc), set())
    names: dict[str, str] = {}
    seen: dict[str, str] = {}
    for k, p in ids.items():
        name = os.path.basename(os.path.normpath(p))
        if name in seen and seen[name] != p:
            raise _tranche_input_error(
                f"deals {seen[name]} and {p} have the same directory name `{name}`; "
                "rename one, or pass ship=False and put both on a shared filesystem"
            )
        seen[name] = p
        if p not in done:
            sc.addFile(p, recursive=os.path.isdir(p))
            done.add(p)
        names[k] = name
    return names


def _to_spark(spark: "SparkSession", scenarios: Any) -> "DataFrame":
    """A Spark DataFrame of the scenarios, with a ``scenario_id`` column."""
    from pyspark.sql import DataFrame
    from pyspark.sql import functions as F

    if isinstance(scenarios, DataFrame):
        cols = [c.lower() for c in scenarios.columns]
        if "scenario_id" in cols or "id" in cols:
            return scenarios
        # Unique, not consecutive: pass your own ids to join results back to inputs.
        return scenarios.withColumn("scenario_id", F.monotonically_increasing_id())
    import pyarrow as pa

    if isinstance(scenarios, Mapping):
        table = pa.table({k: (v if isinstance(v, (list, tuple)) else [v]) for k, v in scenarios.items()})
    elif isinstance(scenarios, (list, tuple)):
        # Every key of every row, in first-seen order (from_pylist reads the first row's
        # keys only and would drop the others' columns in silence).
        keys = list(dict.fromkeys(k for row in scenarios for k in row))
        table = pa.table({k: [row.get(k) for row in scenarios] for k in keys})
    else:
        table = pa.table(scenarios)
    names = [n.lower() for n in table.column_names]
    if "scenario_id" not in names and "id" not in names:
        # Same default ids as tranche.run_scenarios: the row number.
        table = table.append_column("scenario_id", pa.array(range(table.num_rows), pa.int64()))
    if int(spark.version.split(".")[0]) >= 4:
        return spark.createDataFrame(table)  # keeps list columns (cpr_vector) as arrays
    return spark.createDataFrame(table.to_pandas())


def run_scenarios(
    spark: "SparkSession",
    deals: Mapping[str, str | os.PathLike] | Sequence[str | os.PathLike] | str,
    scenarios: Any,
    *,
    ship: bool = True,
    threads_per_task: int | None = None,
    partitions: int | None = None,
) -> "DataFrame":
    """Runs a table of explicit scenarios on Spark, one row each (nothing is crossed);
    one result row per (scenario, bond).

    Args:
        spark: the active ``SparkSession``.
        deals: deal directories, as a list (ids are the directory names), a single path,
            or a dict of id -> path. The scenario table's ``deal`` column names these
            ids; without a ``deal`` column, there must be exactly one deal.
        scenarios: a Spark DataFrame, or anything :func:`tranche.run_scenarios` accepts (an
            Arrow table, pandas/polars DataFrame, dict of lists, list of dicts). Columns
            as in :func:`tranche.scenario_schema`. Rows without ``scenario_id`` get one:
            the row number for local tables, a unique (not consecutive) id for Spark
            DataFrames.
        ship: copy each deal directory to the executors with ``SparkContext.addFile``.
            With ``ship=False`` the paths must be readable on every executor (a shared
            filesystem).
        threads_per_task: engine threads per Spark task; default ``spark.task.cpus``.
        partitions: repartition the scenarios first (default: keep Spark's).

    Returns:
        A lazy Spark DataFrame with the schema :func:`result_spark_schema`.
    """
    ids = _deal_ids(deals)
    df = _to_spark(spark, scenarios)
    if partitions is not None:
        df = df.repartition(partitions)
    default_deal = next(iter(ids)) if len(ids) == 1 else None
    shipped = _ship(spark, ids) if ship else None
    if threads_per_task is None:
        threads_per_task = int(spark.conf.get("spark.task.cpus", "1") or 1)
    threads = max(1, threads_per_task)
    schema = result_spark_schema()

    def run_partition(batches: Iterator["pa.RecordBatch"]) -> Iterator["pa.RecordBatch"]:
        # Runs on the executors.
        import pyarrow as pa

        import tranche

        paths = dict(ids)
        if shipped is not None:
            from pyspark import SparkFiles

            for k, name in shipped.items():
                local = SparkFiles.get(name)
                if os.path.exists(local):
                    paths[k] = local
        for batch in batches:
            if batch.num_rows == 0:
                continue
            out = tranche.run_scenarios(batch, paths, threads=threads, default_deal=default_deal)
            yield from pa.table(out).to_batches()

    return df.mapInArrow(run_partition, schema)
