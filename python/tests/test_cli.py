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
