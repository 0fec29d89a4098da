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
        tranche.run_scenarios({"speed": [100], "sevrity": [40]}, default_deal="x")


def test_out_of_range_value_names_row_and_column():
    t = pa.table({"deal": ["x", "x", "x"], "cdr_pct": [1.0, 2.0, 101.0]})
    with pytest.raises(tranche.InputError, match=r"^scenario table: row 2, column `cdr_pct`: expected percent CDR from 0 to 100, found 101$"):
        tranche.run_scenarios(t)


def test_bad_horizon_and_lag():
    with pytest.raises(tranche.InputError, match=r"column `horizon`: expected `call`, `maturity` or `call:YYYY-MM`, found `forever`"):
        tranche.run_scenarios({"deal": "x", "horizon": ["forever"]})
    with pytest.raises(tranche.InputError, match=r"column `lag_months`: expected a whole number of months, found 2.5"):
        tranche.run_scenarios({"deal": "x", "lag": [2.5]})


def test_wrong_types():
    with pytest.raises(tranche.InputError, match="mixes strings and numbers"):
        tranche.run_scenarios({"deal": "x", "speed": [100, "fast"]})
    with pytest.raises(tranche.InputError, match="has type"):
        tranche.run_scenarios(pa.table({"deal": ["x"], "speed_pct": ["fast"]}))
    with pytest.raises(tranche.InputError, match="has 2 values but `speed` has 3"):
        tranche.run_scenarios({"deal": "x", "speed": [1, 2, 3], "cdr": [1, 2]})
    with pytest.raises(TypeError, match="expected an Arrow table"):
        tranche.run_scenarios(42)


def test_missing_deal():
    with pytest.raises(tranche.InputError, match=r"row 0, column `deal`: missing"):
        tranche.run_scenarios({"speed": [100]})
    with pytest.raises(tranche.InputError, match=r"row 0, column `deal`: deal `no/such/deal`: cannot open"):
        tranche.run_scenarios({"deal": ["no/such/deal"]})


def test_vectors_and_groups_in_a_table():
    with pytest.raises(tranche.InputError, match=r"^scenario table: row 1, column `cpr_vector`: period 3: expected percent CPR from 0 to 100, found 101$"):
        tranche.run_scenarios([{"deal": "x"}, {"deal": "x", "cpr_vector": [1, 2, 101]}])
    with pytest.raises(tranche.InputError, match=r"column `cdr_vector` mixes lists and numbers"):
        tranche.run_scenarios({"deal": "x", "cdr_vector": [[1, 2], 3]})
    with pytest.raises(tranche.InputError, match=r"column `sda_pct`: sets the default rate, as column `cdr_pct` does"):
        tranche.run_scenarios({"deal": "x", "cdr": [1], "sda": [100]})
    with pytest.raises(tranche.InputError, match=r"column `rates`: expected `pricing` or `deal_curves`, found `forward`"):
        tranche.run_scenarios({"deal": "x", "rates": ["forward"]})


def test_delinquency_assumption_keywords_and_columns():
    with pytest.raises(tranche.InputError, match=r"^scenario table: row 0, column `dlq_pct`: expected percent of the pool balance from 0 to 100, found 120$"):
        tranche.run_scenarios({"deal": ["x"], "dlq_pct": [120.0]})
    with pytest.raises(tranche.InputError, match=r"column `dlq_(pct|vector)`: sets the delinquency, as column `dlq_(pct|vector)` does"):
        tranche.run_scenarios({"deal": "x", "dlq_pct": [5.0], "dlq_vector": [[1.0, 2.0]]})
    with pytest.raises(tranche.InputError, match=r"column `dlq_vector`: period 2: expected percent of the pool balance from 0 to 100, found -1"):
        tranche.run_scenarios([{"deal": "x", "dlq_vector": [1, -1]}])
