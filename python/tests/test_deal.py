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


def test_run_summary_equals_scenario_table_row(deal):
    res = deal.run(speed=150, to="maturity", cdr=2, severity=40, lag=6, shock_bps=50, shock_from=3)
    g = deal.run_scenarios(
        {"speed_pct": [150.0], "horizon": ["maturity"], "cdr_pct": [2.0], "severity_pct": [40.0],
         "lag_months": [6], "shock_bps": [50.0], "shock_from": [3]}
    )
    # A scenario table leaves out the effective figures (three runs each); a run gives them.
    eff = ["eff_duration", "eff_convexity"]
    assert pa.table(res.summary).drop_columns(eff).equals(pa.table(g).drop_columns(eff))
    assert all(r["eff_duration"] is not None for r in pa.table(res.summary).to_pylist()
               if r["wal_years"] is not None)


def test_a_grid_crosses_its_axes_and_a_table_does_not(deal):
    axes = {"speed_pct": [50, 100, 200], "cdr_pct": [0, 2, 5]}
    grid = pa.table(deal.grid(axes, severity=40, lag=6, to="maturity"))
    nb = len(deal.bonds)
    assert grid.num_rows == 9 * nb
    cells = grid.to_pylist()[::nb]
    assert [(c["speed_pct"], c["cdr_pct"]) for c in cells] == [(s, c) for s in (50, 100, 200) for c in (0, 2, 5)]
    assert [c["scenario_id"] for c in cells] == list(range(9))
    table = pa.table(deal.run_scenarios(dict(axes, severity_pct=40.0, lag_months=6, horizon="maturity")))
    assert table.num_rows == 3 * nb
    rows = table.to_pylist()[::nb]
    assert [(r["speed_pct"], r["cdr_pct"]) for r in rows] == [(50, 0), (100, 2), (200, 5)]
    # The zipped rows are cells of the grid (ids aside).
    for k, cell in ((0, 0), (1, 4), (2, 8)):
        t = table.slice(k * nb, nb).drop_columns(["scenario_id"])
        assert t.equals(grid.slice(cell * nb, nb).drop_columns(["scenario_id"]))


def test_a_shock_axis_on_one_index(deal):
    g = pa.table(deal.grid({"shock_bps": [0, 300]}, shock_index="LIBOR6M", to="maturity")).to_pylist()
    nb = len(deal.bonds)
    assert [r["shock_bps"] for r in g[::nb]] == [0, 300]
    assert {r["shock_index"] for r in g} == {"LIBOR6M"}
    run = pa.table(deal.run(shock_bps=300, shock_index="LIBOR6M", to="maturity").summary).to_pylist()
    flat = pa.table(deal.run(to="maturity").summary).to_pylist()
    for cell, want in ((g[:nb], flat), (g[nb:], run)):
        for f in ("dm_bps", "wal_years", "mod_duration", "principal_loss_pct"):
            assert [r[f] for r in cell] == [r[f] for r in want], f


def test_losses_raise_collateral_loss(deal):
    g = pl.DataFrame(deal.grid({"cdr_pct": [0.0, 5.0]}, severity=40, lag=6, to="maturity"))
    loss = g.group_by("scenario_id").agg(pl.col("collateral_loss_pct").first()).sort("scenario_id")
    assert loss["collateral_loss_pct"][0] == 0.0
    assert loss["collateral_loss_pct"][1] > 0.0


def test_scenario_table_independent_of_threads_and_input_form(deal):
    speeds = [float(s) for s in range(0, 300, 5)]
    scen = {"speed_pct": speeds, "cdr_pct": [s / 100 for s in speeds], "severity_pct": 35.0, "horizon": "maturity"}
    one = pa.table(deal.run_scenarios(scen, threads=1))
    two = pa.table(deal.run_scenarios(scen, threads=2))
    assert one.equals(two)
    assert one.num_rows == len(speeds) * len(deal.bonds)
    full = {k: v if isinstance(v, list) else [v] * len(speeds) for k, v in scen.items()}
    assert pa.table(deal.run_scenarios(pa.table(full))).equals(one)
    assert pa.table(deal.run_scenarios(pl.DataFrame(scen))).equals(one)
    rows = [dict(speed_pct=s, cdr_pct=s / 100, severity_pct=35.0, horizon="maturity") for s in speeds]
    assert pa.table(deal.run_scenarios(rows)).equals(one)
    g1 = pa.table(deal.grid({"speed": speeds[:20], "severity": [20, 40]}, threads=1))
    g2 = pa.table(deal.grid({"speed": speeds[:20], "severity": [20, 40]}, threads=2))
    assert g1.equals(g2) and g1.num_rows == 40 * len(deal.bonds)


def test_run_scenarios_with_paths_equals_deal_run_scenarios(deal, deal_dir):
    scen = {"deal": [str(deal_dir)] * 3, "speed_pct": [50.0, 100.0, 200.0]}
    by_path = pa.table(tranche.run_scenarios(scen)).drop_columns(["deal"])
    by_deal = pa.table(deal.run_scenarios({"speed_pct": [50.0, 100.0, 200.0]})).drop_columns(["deal"])
    assert by_path.equals(by_deal)


def test_no_keywords_price_on_the_deals_pricing_assumption(deal):
    s = pa.table(deal.run().summary).to_pylist()[0]
    assert (s["speed_pct"], s["cdr_pct"], s["rates"], s["horizon"], s["price"]) == (100, 0, "pricing", "call", 100)
    assert pa.table(deal.run().summary).equals(pa.table(deal.run(speed=100, to="call", price=100).summary))


def test_libor_override_changes_coupons(deal):
    lo = pl.DataFrame(deal.run(libor=1.0).bonds)
    hi = pl.DataFrame(deal.run(libor=[1.0, 2.0, 3.0]).bonds)
    c_lo = lo.filter(pl.col("period") == 3)["coupon_pct"].to_list()
    c_hi = hi.filter(pl.col("period") == 3)["coupon_pct"].to_list()
    assert all(h > l for h, l in zip(c_hi, c_lo))


def test_bad_arguments_raise_input_error(deal):
    with pytest.raises(tranche.InputError, match=r"^speed: expected percent of the pricing speed from 0 to 10000, found -5$"):
        deal.run(speed=-5)
    with pytest.raises(tranche.InputError, match=r"^cdr: expected percent CDR from 0 to 100, found 120$"):
        deal.run(cdr=120)
    with pytest.raises(tranche.InputError, match=r"^to: expected `call`, `maturity` or `call:YYYY-MM`, found `never`$"):
        deal.run(to="never")
    with pytest.raises(tranche.InputError, match=r"^libor: expected a number, found 'high'$"):
        deal.run(libor="high")
    with pytest.raises(tranche.InputError, match=r"^cpr: sets the prepayment speed, as speed does; give one of them$"):
        deal.run(speed=100, cpr=6)
    with pytest.raises(tranche.InputError, match=r"^cdr_vector: period 2: expected percent CDR from 0 to 100, found 150$"):
        deal.run(cdr_vector=[1, 150])
    with pytest.raises(tranche.InputError, match=r"^shock_index: give the shift with shock_bps$"):
        deal.run(shock_index="LIBOR1M")
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'sevrity'"):
        deal.run(sevrity=40)
    with pytest.raises(tranche.InputError, match=r"^speed_pct: expected percent of the pricing speed"):
        deal.grid({"speed_pct": [100, -1]})
    with pytest.raises(tranche.InputError, match=r"is not a scenario field a grid can cross"):
        deal.grid({"sevrity": [1, 2]})
    with pytest.raises(tranche.InputError, match=r"^max_cells: the grid has 4 cells, more than the limit of 3$"):
        deal.grid({"speed": [1, 2], "cdr": [1, 2]}, max_cells=3)
    with pytest.raises(tranche.InputError, match=r"runs only its own deal"):
        deal.run_scenarios({"deal": ["other"], "speed_pct": [100.0]})


def test_missing_deal_raises_input_error(tmp_path):
    with pytest.raises(tranche.InputError):
        tranche.Deal.load(tmp_path / "nothing-here")
