"""Python results equal the `tranche` command line's for the same inputs, and bad input
gives the same message (the CLI exits with code 2)."""

import json
import subprocess

import pyarrow as pa
import pytest

import tranche

FIELDS = [
    "begin_balance", "interest_due", "interest_paid", "interest_shortfall", "basis_risk_paid",
    "basis_risk_carryforward", "principal_paid", "writedown", "reimbursement", "end_balance",
]


def cli(bin, *args):
    return subprocess.run([str(bin), *map(str, args)], capture_output=True, text=True)


@pytest.mark.parametrize(
    "kw",
    [
        dict(speed=100, to="call"),
        dict(speed=150, to="maturity", cdr=3, severity=40, lag=12),
        dict(speed=50, to="maturity", libor=2.5),
    ],
)
def test_bond_flows_equal_cli(tranche_bin, deal, deal_dir, kw):
    args = ["run", deal_dir, "--format", "json", "--speed", kw["speed"], "--to", kw["to"]]
    for k in ("cdr", "severity", "lag", "libor"):
        if k in kw:
            args += [f"--{k}", kw[k]]
    out = cli(tranche_bin, *args)
    assert out.returncode == 0, out.stderr
    want = json.loads(out.stdout)
    got = pa.table(deal.run(**kw).bonds).to_pylist()
    rows = [(b["name"], p) for b in want["bonds"] for p in b["periods"]]
    assert len(got) == len(rows)
    for g, (name, p) in zip(got, rows):
        assert g["bond"] == name and g["period"] == p["period"]
        for f in FIELDS:
            assert g[f] == p[f], (name, p["period"], f)
        assert g["coupon_pct"] == p["coupon"] * 100.0


def test_missing_deal_same_message_as_cli(tranche_bin, tmp_path):
    missing = tmp_path / "no-such-deal"
    out = cli(tranche_bin, "run", missing)
    assert out.returncode == 2
    with pytest.raises(tranche.InputError) as e:
        tranche.Deal.load(missing)
    assert out.stderr.strip() == f"error: {e.value}"


def test_bad_deal_file_same_message_as_cli(tranche_bin, deal_dir, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    for f in deal_dir.iterdir():
        (bad / f.name).write_bytes(f.read_bytes())
    toml = (bad / "deal.toml").read_text()
    (bad / "deal.toml").write_text(toml.replace("format_version = 1", "format_version = 99", 1))
    out = cli(tranche_bin, "run", bad)
    assert out.returncode == 2
    with pytest.raises(tranche.InputError) as e:
        tranche.Deal.load(bad)
    assert out.stderr.strip() == f"error: {e.value}"


def test_grid_equals_cli_grid(tranche_bin, deal, deal_dir):
    """`tranche grid` and `Deal.grid` cross the same axes in the same order, on the same
    rates (the deal's pricing assumption). Every figure, full precision."""
    speeds, cdrs, sevs, shocks = [50.0, 175.0], [0.0, 4.0], [40.0], [0.0, 150.0]
    out = cli(
        tranche_bin, "grid", deal_dir, "--format", "json", "--lag", 6, "--price", 99.75,
        "--speeds", ",".join(map(str, speeds)), "--cdr", ",".join(map(str, cdrs)),
        "--severity", ",".join(map(str, sevs)), "--shocks", ",".join(map(str, shocks)),
    )
    assert out.returncode == 0, out.stderr
    want = json.loads(out.stdout)
    got = pa.table(
        deal.grid(
            {"speed_pct": speeds, "cdr_pct": cdrs, "severity_pct": sevs, "shock_bps": shocks},
            lag=6, to="maturity", price=99.75,
        )
    ).to_pylist()
    assert len(got) == len(want) == 2 * 2 * 1 * 2 * len(deal.bonds)
    for g, w in zip(got, want):
        assert (g["speed_pct"], g["cdr_pct"], g["severity_pct"], g["shock_bps"]) == (
            w["speed_pct"], w["cdr_pct"], w["severity_pct"], w["shock_bps"])
        assert g["bond"] == w["class"]
        assert g["collateral_loss_pct"] == w["pool_loss_pct"]
        for f in ("dm_bps", "wal_years", "mod_duration", "unpaid_principal", "principal_loss_pct"):
            assert g[f] == w[f], (w, f)


@pytest.mark.parametrize("kw", [dict(speed=100, to="call"), dict(speed=120, to="maturity", cdr=4, severity=45, lag=6)])
def test_ledger_equals_cli(tranche_bin, deal, deal_dir, kw):
    args = ["run", deal_dir, "--ledger", "--format", "json", "--speed", kw["speed"], "--to", kw["to"]]
    for k in ("cdr", "severity", "lag"):
        if k in kw:
            args += [f"--{k}", kw[k]]
    out = cli(tranche_bin, *args)
    assert out.returncode == 0, out.stderr
    want = json.loads(out.stdout)["periods"]
    got = pa.table(deal.run(**kw).ledger).to_pylist()
    assert len(got) == len(want) > 0
    pct = {"net_mortgage_rate_pct": "net_mortgage_rate", "afr_pct": "afr", "available_rate_pct": "available_rate"}
    shared = [c for c in got[0] if c in want[0] or c in pct]
    assert len(shared) >= 25, shared  # nearly every ledger column has its CLI twin
    for g, w in zip(got, want):
        assert g["payment_date"].isoformat() == w["payment_date"]
        for col, v in g.items():
            if col in pct:
                assert v == w[pct[col]] * 100.0, (g["period"], col)
            elif col in w and col != "payment_date":
                assert v == w[col], (g["period"], col)
