"""Scenario tables on Spark (see :func:`run_scenarios`)."""

import os
from typing import Any, Mapping, Sequence

def result_spark_schema() -> Any:
    """The Spark ``StructType`` of a result table."""

def run_scenarios(
    spark: Any,
    deals: Mapping[str, str | os.PathLike[str]] | Sequence[str | os.PathLike[str]] | str,
    scenarios: Any,
    *,
    ship: bool = True,
    threads_per_task: int | None = None,
    partitions: int | None = None,
) -> Any:
    """Runs a table of explicit scenarios (one row each) on Spark with ``mapInArrow``;
    returns a Spark DataFrame with one row per (scenario, bond), each equal to
    :func:`tranche.run_scenarios`'s row."""
