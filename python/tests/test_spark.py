"""The Spark adapter: a table of >= 1,000 scenarios over the reference deal in Spark local
mode equals, row for row and bit for bit, the single-machine result."""

import itertools

import pyarrow as pa
import pytest

import tranche
import tranche.spark

pyspark = pytest.importorskip("pyspark")


def scenario_table() -> pa.Table:
    """1,440 explicit scenarios, laid out as a grid would cross them: speed x CDR x severity x lag x (shock, start) x horizon."""
    rows = list(
        itertools.product(
            [0.0, 25.0, 50.0, 75.0, 100.0, 125.0, 150.0, 200.0],  # speed, % of pricing
            [0.0, 2.0, 5.0],  # CDR %
            [25.0, 45.0, 60.0],  # severity %
            [0, 12],  # lag months
            [-100.0, 0.0, 200.0],  # index shock bps
            [1, 13],  # shock start period
            ["call", "maturity"],
        )
    )
    # Drop the shock-start duplicates of the zero shock (same scenario twice).
    rows = [r for r in rows if not (r[4] == 0.0 and r[5] == 13)]
    cols = list(zip(*rows))
    return pa.table(
        {
            "scenario_id": pa.array(range(len(rows)), pa.int64()),
            "deal": ["impac"] * len(rows),
            "speed_pct": cols[0],
            "cdr_pct": cols[1],
            "severity_pct": cols[2],
            "lag_months": pa.array(cols[3], pa.int64()),
            "shock_bps": cols[4],
            "shock_from": pa.array(cols[5], pa.int64()),
            "horizon": cols[6],
        }
    )


def to_arrow(sdf) -> pa.Table:
    if hasattr(sdf, "toArrow"):  # Spark >= 4
        return sdf.toArrow()
    return pa.Table.from_pandas(sdf.toPandas(), preserve_index=False)


def rows_by_key(table: pa.Table) -> dict:
    out = {}
    for r in table.to_pylist():
        key = (r["scenario_id"], r["bond"])
        assert key not in out, f"duplicate result row {key}"
        out[key] = r
    return out


def test_spark_equals_single_machine(spark, deal_dir):
    grid = scenario_table()
    assert grid.num_rows >= 1000
    deals = {"impac": str(deal_dir)}

    local = tranche.run_scenarios(grid, deals)
    sdf = tranche.spark.run_scenarios(spark, deals, grid, partitions=4)
    assert sdf.schema == tranche.spark.result_spark_schema()
    remote = to_arrow(sdf)

    want = rows_by_key(pa.table(local))
    got = rows_by_key(remote)
    assert len(want) == grid.num_rows * len(tranche.Deal.load(deal_dir).bonds)
    assert got.keys() == want.keys()
    for key, w in want.items():
        g = got[key]
        for col, v in w.items():
            gv = g[col]
            if v is None or gv is None:
                assert v is None and gv is None, (key, col, v, gv)
            else:
                assert gv == v, (key, col, v, gv)


def test_spark_single_deal_without_deal_column(spark, deal_dir):
    scen = {"speed_pct": [50.0, 100.0, 150.0], "cdr_pct": [0.0, 1.0, 3.0]}
    sdf = tranche.spark.run_scenarios(spark, [str(deal_dir)], scen)
    got = sdf.orderBy("scenario_id", "bond").toPandas()
    want = tranche.run_scenarios(scen, default_deal=str(deal_dir)).to_pandas()
    assert len(got) == len(want)
    assert sorted(got["scenario_id"].unique().tolist()) == [0, 1, 2]
    assert set(got["deal"]) == {deal_dir.name}
    for sid in range(3):
        g = got[got.scenario_id == sid].sort_values("bond")["dm_bps"].tolist()
        w = want[want.scenario_id == sid].sort_values("bond")["dm_bps"].tolist()
        assert g == w


def test_spark_bad_input_fails_the_job_with_the_message(spark, deal_dir):
    with pytest.raises(tranche.InputError, match="cannot open"):
        tranche.spark.run_scenarios(spark, {"x": "no/such/deal"}, {"speed_pct": [100.0]})
    sdf = tranche.spark.run_scenarios(spark, {"impac": str(deal_dir)}, {"deal": ["impac"], "cdr_pct": [150.0]})
    with pytest.raises(Exception, match=r"column `cdr_pct`: expected percent CDR from 0 to 100, found 150"):
        sdf.collect()
