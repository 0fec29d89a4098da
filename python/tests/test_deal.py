"""The Python API over the reference deal: runs, tables through Arrow, grids."""

import pyarrow as pa
import pytest

import tranche

pl = pytest.importorskip("polars")


def test_deal_metadata(deal, deal_dir):
    assert deal.name == deal_dir.name
    assert len(deal.bonds) >= 2
    assert "Deal(" in repr(deal)


def test_run_tables_export_to_pyarrow_polars_pandas(deal):
    res = deal.run(speed=100, to="call")
    bonds = pa.table(res.bonds)
    assert bonds.num_rows == len(res.bonds) > 0
    assert set(bonds.column("bond").to_pylist()) == set(deal.bonds)
    # polars reads the same stream; pandas goes through pyarrow.
    assert pl.DataFrame(res.bonds).to_arrow().cast(bonds.schema).equals(bonds)
    pdf = res.bonds.to_pandas()
    assert list(pdf.columns) == bonds.column_names
    assert len(pdf) == bonds.num_rows
    # __arrow_c_array__: one record batch.
    rb = pa.record_batch(res.collateral)
    assert rb.num_rows == pa.table(res.collateral).num_rows > 0
    assert res.summary.column_names == pa.schema(tranche.result_schema()).names
    assert res.call_period is not None


def test_bond_and_pool_balances_roll_forward(deal):
    res = deal.run(speed=100, to="maturity")
    b = pl.DataFrame(res.bonds)
    for name in deal.bonds:
        s = b.filter(pl.col("bond") == name).sort("period")
        begin = s["begin_balance"].to_list()
        end = s["end_balance"].to_list()
        for t in range(1, len(begin)):
            assert begin[t] == pytest.approx(end[t - 1], abs=1e-6)
    c = pl.DataFrame(res.collateral)
    lhs = c["begin_balance"] - c["scheduled_principal"] - c["prepaid_principal"] - c["defaulted_principal"]
    assert (lhs - c["end_balance"]).abs().max() < 1e-4


def test_run_summary_equals_grid_row(deal):
    res = deal.run(speed=150, to="maturity", cdr=2, severity=40, lag=6, shock_bps=50, shock_start=3)
    g = deal.grid(
        {"speed_pct": [150.0], "horizon": ["maturity"], "cdr_pct": [2.0], "severity_pct": [40.0],
         "lag_months": [6], "shock_bps": [50.0], "shock_start_period": [3]}
    )
    assert pa.table(res.summary).equals(pa.table(g))


def test_losses_raise_collateral_loss(deal):
    g = pl.DataFrame(deal.grid({"cdr_pct": [0.0, 5.0], "severity_pct": 40.0, "lag_months": 6, "horizon": "maturity"}))
    loss = g.group_by("scenario_id").agg(pl.col("collateral_loss_pct").first()).sort("scenario_id")
    assert loss["collateral_loss_pct"][0] == 0.0
    assert loss["collateral_loss_pct"][1] > 0.0


def test_grid_independent_of_threads_and_input_form(deal):
    speeds = [float(s) for s in range(0, 300, 5)]
    scen = {"speed_pct": speeds, "cdr_pct": [s / 100 for s in speeds], "severity_pct": 35.0, "horizon": "maturity"}
    one = pa.table(deal.grid(scen, threads=1))
    two = pa.table(deal.grid(scen, threads=2))
    assert one.equals(two)
    assert one.num_rows == len(speeds) * len(deal.bonds)
    assert pa.table(deal.grid(pa.table({k: v if isinstance(v, list) else [v] * len(speeds) for k, v in scen.items()}))).equals(one)
    assert pa.table(deal.grid(pl.DataFrame(scen))).equals(one)
    rows = [dict(speed_pct=s, cdr_pct=s / 100, severity_pct=35.0, horizon="maturity") for s in speeds]
    assert pa.table(deal.grid(rows)).equals(one)


def test_run_grid_with_paths_equals_deal_grid(deal, deal_dir):
    scen = {"deal": [str(deal_dir)] * 3, "speed_pct": [50.0, 100.0, 200.0]}
    by_path = pa.table(tranche.run_grid(scen)).drop_columns(["deal"])
    by_deal = pa.table(deal.grid({"speed_pct": [50.0, 100.0, 200.0]})).drop_columns(["deal"])
    assert by_path.equals(by_deal)


def test_libor_override_changes_coupons(deal):
    lo = pl.DataFrame(deal.run(libor=1.0).bonds)
    hi = pl.DataFrame(deal.run(libor=[1.0, 2.0, 3.0]).bonds)
    c_lo = lo.filter(pl.col("period") == 3)["coupon_pct"].to_list()
    c_hi = hi.filter(pl.col("period") == 3)["coupon_pct"].to_list()
    assert all(h > l for h, l in zip(c_hi, c_lo))


def test_bad_arguments_raise_input_error(deal):
    with pytest.raises(tranche.InputError, match=r"argument `speed`"):
        deal.run(speed=-5)
    with pytest.raises(tranche.InputError, match=r"argument `cdr`"):
        deal.run(cdr=120)
    with pytest.raises(tranche.InputError, match=r"`never`; expected `call` or `maturity`"):
        deal.run(to="never")
    with pytest.raises(tranche.InputError, match=r"libor"):
        deal.run(libor="high")
    with pytest.raises(tranche.InputError, match=r"runs only its own deal"):
        deal.grid({"deal": ["other"], "speed_pct": [100.0]})


def test_missing_deal_raises_input_error(tmp_path):
    with pytest.raises(tranche.InputError):
        tranche.Deal.load(tmp_path / "nothing-here")
