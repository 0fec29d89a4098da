"""Bad inputs raise the documented exceptions with messages naming what is wrong.

These checks run before any deal is loaded, so they pin down the scenario-table contract.
"""

import pyarrow as pa
import pytest

import tranche


def test_exception_hierarchy():
    assert issubclass(tranche.InputError, tranche.TrancheError)
    assert issubclass(tranche.InputError, ValueError)
    assert issubclass(tranche.EngineError, tranche.TrancheError)
    assert issubclass(tranche.InternalError, tranche.TrancheError)


def test_schemas_export_through_arrow_capsules():
    s = pa.schema(tranche.scenario_schema())
    assert s.names[:3] == ["deal", "scenario_id", "speed_pct"]
    r = pa.schema(tranche.result_schema())
    for col in ["scenario_id", "bond", "dm_bps", "wal_years", "mod_duration",
                "first_principal_period", "last_principal_period", "collateral_loss"]:
        assert col in r.names
    assert r.field("first_principal_date").type == pa.date32()
    assert tranche.result_schema().names == r.names


def test_unknown_column_is_named():
    with pytest.raises(tranche.InputError, match=r"unknown column `sevrity`"):
        tranche.run_grid({"speed": [100], "sevrity": [40]}, default_deal="x")


def test_out_of_range_value_names_row_and_column():
    t = pa.table({"deal": ["x", "x", "x"], "cdr_pct": [1.0, 2.0, 101.0]})
    with pytest.raises(tranche.InputError, match=r"row 2, column `cdr_pct`: 101 is out of range"):
        tranche.run_grid(t)


def test_bad_horizon_and_lag():
    with pytest.raises(tranche.InputError, match=r"`forever`; expected `call` or `maturity`"):
        tranche.run_grid({"deal": "x", "horizon": ["forever"]})
    with pytest.raises(tranche.InputError, match=r"column `lag_months`: 2.5 is not a whole number"):
        tranche.run_grid({"deal": "x", "lag": [2.5]})


def test_wrong_types():
    with pytest.raises(tranche.InputError, match="mixes strings and numbers"):
        tranche.run_grid({"deal": "x", "speed": [100, "fast"]})
    with pytest.raises(tranche.InputError, match="has type"):
        tranche.run_grid(pa.table({"deal": ["x"], "speed_pct": ["fast"]}))
    with pytest.raises(tranche.InputError, match="has 2 values but `speed` has 3"):
        tranche.run_grid({"deal": "x", "speed": [1, 2, 3], "cdr": [1, 2]})
    with pytest.raises(TypeError, match="expected an Arrow table"):
        tranche.run_grid(42)


def test_missing_deal():
    with pytest.raises(tranche.InputError, match=r"row 0, column `deal`: missing"):
        tranche.run_grid({"speed": [100]})
    with pytest.raises(tranche.InputError, match=r"deal `no/such/deal`: cannot open"):
        tranche.run_grid({"deal": ["no/such/deal"]})
