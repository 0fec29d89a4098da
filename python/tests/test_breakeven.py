"""`Deal.breakeven` solves as `tranche breakeven` does: the same rows, unrounded."""

import json
import subprocess

import pyarrow as pa
import pytest

import tranche


def cli(bin, *args):
    out = subprocess.run([str(bin), *map(str, args)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return [r["cells"] for r in json.loads(out.stdout)["rows"] if r["kind"] == "data"]


def test_breakevens_equal_the_cli(tranche_bin, deal, deal_dir):
    got = pa.table(deal.breakeven(["M-3", "M-4"], targets=["first-loss", "loss-pct=5"],
                                  speeds=[50, 150], severities=[40], lags=[12], libor=1.1)).to_pylist()
    want = cli(tranche_bin, "breakeven", deal_dir, "--class", "M-3,M-4", "--target",
               "first-loss,loss-pct=5", "--speeds", "50,150", "--severity", 40, "--lag", 12,
               "--libor", 1.1, "--format", "json")
    assert len(got) == len(want) == 2 * 2 * 2
    for g, w in zip(got, want):
        assert (g["class"], g["target"], g["speed_pct"], g["severity_pct"], g["lag_months"]) == tuple(w[:5])
        assert g["over"] == "cdr"
        # JSON carries every figure unrounded: the same numbers.
        assert g["rate"] is not None and g["rate"] == w[5]
        assert g["pool_loss_pct"] == w[6]
        assert g["class_loss_pct"] == w[7]
        assert g["note"] == w[8]
    # More defaults are needed for a bigger loss, and by the senior class.
    by = {(g["class"], g["target"], g["speed_pct"]): g["rate"] for g in got}
    for c in ("M-3", "M-4"):
        for s in (50.0, 150.0):
            assert by[(c, "loss-pct=5", s)] > by[(c, "first-loss", s)]
    assert by[("M-3", "first-loss", 150.0)] > by[("M-4", "first-loss", 150.0)]


def test_bad_breakeven_arguments_are_input_errors(deal):
    with pytest.raises(tranche.InputError, match="cdr: the breakeven solves for the default rate"):
        deal.breakeven(["M-4"], cdr=3)
    with pytest.raises(tranche.InputError, match="expected first-loss, loss-pct=X"):
        deal.breakeven(["M-4"], targets=["worst"])
    with pytest.raises(tranche.InputError, match="severities: expected percent from 0 to 100, found 140"):
        deal.breakeven(["M-4"], severities=[140])
    with pytest.raises(tranche.InputError, match="cdr_vector: .* scaled only with over `default-vector-multiple`"):
        deal.breakeven(["M-4"], cdr_vector=[1, 2, 3])
    with pytest.raises(tranche.InputError, match="Z-9"):
        deal.breakeven(["Z-9"])


def test_a_default_vector_is_scaled_over_its_multiple(deal):
    rows = pa.table(deal.breakeven(["M-4"], over="default-vector-multiple", cdr_vector=[1, 2, 3, 4])).to_pylist()
    assert len(rows) == 1 and rows[0]["over"] == "default-vector-multiple"
    assert rows[0]["rate"] is not None and rows[0]["rate"] > 0
