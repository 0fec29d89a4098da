"""The deal as of a payment date: ``Deal.load(path, as_of=..., state=..., tape=...)`` runs
from a deal state and current tape that ``tranche run --until --write-state --write-tape``
wrote, and every result is the command line's ``--as-of`` result, bit for bit: the run's
flows and summary, the price table, the AFR schedule, a grid, a scenario table and the
breakevens. Bad as-of inputs raise ``InputError`` with the command line's words."""

import json
import subprocess

import pyarrow as pa
import pytest

import tranche

FLOWS = [
    "begin_balance", "interest_due", "interest_paid", "interest_shortfall", "basis_risk_paid",
    "basis_risk_carryforward", "principal_paid", "writedown", "reimbursement", "end_balance",
]
SCENARIO = dict(speed=150, cdr=4, severity=40, lag=6, to="maturity")
FLAGS = ["--speed", "150", "--cdr", "4", "--severity", "40", "--lag", "6", "--to", "maturity"]


def tranche_cli(bin, *args):
    return subprocess.run([str(bin), *map(str, args)], capture_output=True, text=True)


def cli_json(bin, *args):
    out = tranche_cli(bin, *args)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def same(a, b):
    """Equal to the bit (None as null)."""
    return a is None and b is None or (a is not None and b is not None and a == b)


@pytest.fixture(scope="module")
def written(tranche_bin, deal_dir, tmp_path_factory):
    """The reference deal's state and current tape after the January 2005 payment date."""
    d = tmp_path_factory.mktemp("as-of")
    state, tape = d / "state-2005-01.json", d / "tape-2005-01.csv"
    out = tranche_cli(tranche_bin, "run", deal_dir, "--cdr", "2", "--severity", "35", "--lag", "6",
                      "--until", "2005-01", "--write-state", state, "--write-tape", tape)
    assert out.returncode == 0, out.stderr
    return state, tape


@pytest.fixture(scope="module")
def asof(deal_dir, written):
    state, tape = written
    return tranche.Deal.load(deal_dir, as_of="2005-01", state=state, tape=tape)


@pytest.fixture(scope="module")
def frm(written):
    state, tape = written
    return ["--as-of", "2005-01", "--state", state, "--tape", tape]


def test_the_deal_knows_its_date(deal, asof):
    assert asof.as_of == "2005-01" and deal.as_of is None
    assert asof.bonds == deal.bonds
    assert 'as_of="2005-01"' in repr(asof)


def test_run_flows_and_summary_equal_cli(tranche_bin, deal_dir, asof, frm):
    res = asof.run(**SCENARIO)
    want = cli_json(tranche_bin, "run", deal_dir, "--format", "json", *FLAGS, *frm)
    got = pa.table(res.bonds).to_pylist()
    rows = [(b["name"], p) for b in want["bonds"] for p in b["periods"]]
    assert len(got) == len(rows) > 0
    assert got[0]["period"] == 13
    for g, (name, p) in zip(got, rows):
        assert g["bond"] == name and g["period"] == p["period"]
        for f in FLOWS:
            assert g[f] == p[f], (name, p["period"], f)

    want = cli_json(tranche_bin, "run", deal_dir, "--summary", "--format", "json", *FLAGS, *frm)
    got = pa.table(res.summary).to_pylist()
    assert [g["bond"] for g in got] == [b["bond"] for b in want["bonds"]]
    for g, w in zip(got, want["bonds"]):
        for f in ("wal_years", "dm_bps", "yield_pct", "mod_duration", "eff_duration", "eff_convexity",
                  "spread_duration", "accrued_pct", "factor", "first_loss_period"):
            assert same(g[f], w[f]), (w["bond"], f, g[f], w[f])
        for f in ("principal_paid", "unpaid_principal", "principal_loss_pct"):
            assert g[f] == w[f], (w["bond"], f)
        assert g["writedown"] == w["writedown"] - w["reimbursed"]
        assert g["collateral_loss_pct"] == want["pool_loss_pct"]
        assert g["settlement_date"].isoformat() == want["settlement"] == "2005-01-25"
    assert got[0]["factor"] < 1.0

    # One row of a scenario table is the same run.
    table = pa.table(asof.run_scenarios([dict(speed_pct=150, cdr_pct=4, severity_pct=40, lag_months=6,
                                              horizon="maturity")])).to_pylist()
    for t, g in zip(table, got):
        for f in ("wal_years", "dm_bps", "mod_duration", "factor", "principal_loss_pct"):
            assert same(t[f], g[f]), (g["bond"], f)


def test_tables_grid_and_breakevens_equal_cli(tranche_bin, deal_dir, asof, frm):
    got = pa.table(asof.price_table(speeds=[100, 150])).to_pylist()
    want = cli_json(tranche_bin, "price-table", deal_dir, "--format", "json", "--speeds", "100,150", *frm)
    assert len(got) == len(want) == 2 * 2 * len(asof.bonds)
    for g, w in zip(got, want):
        assert (g["class"], g["horizon"], g["speed_pct"]) == (w["class"], w["horizon"], w["speed_pct"])
        for f in ("dm_bps", "wal_years", "mod_duration"):
            assert same(g[f], w[f]), (g["class"], g["horizon"], g["speed_pct"], f)
        assert g["first_principal"] == w["first_principal"] == "2005-02"

    got = pa.table(asof.afr()).to_pylist()
    want = cli_json(tranche_bin, "afr", deal_dir, "--format", "json", *frm)
    assert len(got) == len(want) and got[0]["period"] == 13
    for g, w in zip(got, want):
        assert g["period"] == w["period"]
        assert g["afr_pct"] == w["afr_pct"] and g["afr_shocked_pct"] == w["afr_shocked_pct"]

    got = pa.table(asof.grid({"cdr_pct": [0.0, 3.0]}, speed=100, severity=40, lag=6, to="maturity")).to_pylist()
    want = cli_json(tranche_bin, "grid", deal_dir, "--format", "json", "--speed", "100", "--cdr", "0,3",
                    "--severity", "40", "--lag", "6", "--to", "maturity", *frm)
    assert len(got) == len(want) == 2 * len(asof.bonds)
    for g, w in zip(got, want):
        assert g["cdr_pct"] == w["cdr_pct"] and g["bond"] == w["class"]
        for f in ("dm_bps", "wal_years", "mod_duration", "unpaid_principal", "principal_loss_pct"):
            assert same(g[f], w[f]), (g["cdr_pct"], g["bond"], f)

    got = pa.table(asof.breakeven(["M-4"], speeds=[100], severities=[40], lags=[6])).to_pylist()
    out = cli_json(tranche_bin, "breakeven", deal_dir, "--class", "M-4", "--speeds", "100",
                   "--severity", "40", "--lag", "6", "--format", "json", *frm)
    want = [r["cells"] for r in out["rows"] if r["kind"] == "data"]
    assert len(got) == len(want) == 1
    g, w = got[0], want[0]
    assert g["rate"] is not None and g["rate"] == w[5]
    assert g["pool_loss_pct"] == w[6] and g["class_loss_pct"] == w[7]


def stderr_of(bin, *args):
    """The command's error message, as Python words it: `--as-of` is the keyword `as_of`,
    `--settle` is `settle`."""
    out = tranche_cli(bin, *args)
    assert out.returncode == 2, out.stderr
    msg = out.stderr.rstrip("\n")
    assert msg.startswith("error: ")
    return msg[len("error: "):].replace("--as-of", "as_of").replace("--settle", "settle")


def test_bad_as_of_inputs_are_the_cli_errors(tranche_bin, deal_dir, written, tmp_path):
    state, tape = written

    def raised(**kw):
        with pytest.raises(tranche.InputError) as e:
            tranche.Deal.load(deal_dir, **kw)
        return str(e.value)

    def both(month, st, tp):
        want = stderr_of(tranche_bin, "run", deal_dir, "--as-of", month, "--state", st, "--tape", tp)
        assert raised(as_of=month, state=st, tape=tp) == want
        return want

    assert both("2005-02", state, tape).startswith("as_of 2005-02: the deal state ")
    assert both("2005-1x", state, tape) == "as_of: expected a month YYYY-MM, found `2005-1x`"
    assert "no such file" in both("2005-01", tmp_path / "nosuch.json", tape)
    # A state that contradicts the deal: file, line, column and field, quoted.
    text = state.read_text()
    bad = tmp_path / "bad-state.json"
    bad.write_text(text.replace('"name": "M-4"', '"name": "M-9"', 1))
    assert "bonds[5].name: the deal has no bond `M-9`" in both("2005-01", bad, tape)
    # A current tape with a bad value: file, row and field.
    lines = tape.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("balance")] = "-5"
    bad_tape = tmp_path / "bad-tape.csv"
    bad_tape.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n")
    assert "row 1, field `balance`" in both("2005-01", state, bad_tape)
    # The three go together.
    assert raised(as_of="2005-01") == ("as_of: needs state and tape; as_of (YYYY-MM), state (the deal "
                                       "state as of it) and tape (the current tape) go together")
    assert raised(state=state).startswith("state: needs as_of and tape;")


def test_settling_before_the_as_of_date_is_the_cli_error(tranche_bin, deal_dir, asof, frm):
    want = stderr_of(tranche_bin, "run", deal_dir, "--settle", "2004-06-01", *frm)
    with pytest.raises(tranche.InputError) as e:
        asof.run(settle="2004-06-01")
    assert str(e.value) == want
    assert want.startswith("settle: expected a date on or after the as-of payment date (2005-01-25)")


def test_actuals_are_the_cli_actuals(tranche_bin, deal_dir, frm, written, tmp_path):
    """``Deal.load(..., actuals=)`` reads and places the remittance actuals as ``--actuals``
    does: from the cut-off and from the state, the run equals the command line's, and a
    bad file is the command line's error."""
    actuals = tmp_path / "actuals.csv"
    # The state's own run (as `written` wrote it), to June 2005.
    out = tranche_cli(tranche_bin, "run", deal_dir, "--cdr", "2", "--severity", "35", "--lag", "6",
                      "--until", "2005-06", "--write-actuals", actuals)
    assert out.returncode == 0, out.stderr
    lines = actuals.read_text().splitlines()
    later = tmp_path / "later.csv"
    later.write_text("\n".join([lines[0], *lines[13:]]) + "\n")
    state, tape = written
    for deal, cli in [
        (tranche.Deal.load(deal_dir, actuals=actuals), ["--actuals", actuals]),
        (tranche.Deal.load(deal_dir, as_of="2005-01", state=state, tape=tape, actuals=later),
         [*frm, "--actuals", later]),
    ]:
        got = pa.table(deal.run(**SCENARIO).summary).to_pylist()
        want = cli_json(tranche_bin, "run", deal_dir, "--summary", "--format", "json", *FLAGS, *cli)
        for g, w in zip(got, want["bonds"]):
            for f in ("wal_years", "dm_bps", "principal_paid", "factor", "eff_duration"):
                assert same(g[f], w[f]), (w["bond"], f, g[f], w[f])
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([lines[0], lines[2]]) + "\n")
    with pytest.raises(tranche.InputError) as e:
        tranche.Deal.load(deal_dir, actuals=bad)
    cli = tranche_cli(tranche_bin, "run", deal_dir, "--actuals", bad)
    assert cli.returncode == 2
    assert str(e.value) in cli.stderr and "field `month`: expected 2004-02" in str(e.value)
