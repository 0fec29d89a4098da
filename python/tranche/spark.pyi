"""Scenario grids on Spark (see :func:`run_grid`)."""

import os
from typing import Any, Mapping, Sequence

def result_spark_schema() -> Any:
    """The Spark ``StructType`` of a grid's result table."""

def run_grid(
    spark: Any,
    deals: Mapping[str, str | os.PathLike[str]] | Sequence[str | os.PathLike[str]] | str,
    scenarios: Any,
    *,
    ship: bool = True,
    threads_per_task: int | None = None,
    partitions: int | None = None,
) -> Any:
    """Runs a grid of scenarios on Spark with ``mapInArrow``; returns a Spark DataFrame
    with one row per (scenario, bond), each equal to :func:`tranche.run_grid`'s row."""
