"""One scenario, the same numbers everywhere.

For each scenario below (flat rates, the deal's curves, a curves file, a shock from period
2, CDR and SDA defaults with severity and lag, CPR and CDR vectors, speeds by loan type, a
DM quote settling after closing, to call, to maturity and to a call month), the same figures come out of

- ``tranche run --format json`` and ``Deal.run(...).bonds``: every bond cash flow, bit for bit;
- ``tranche run --summary --format json`` and ``Deal.run(...).summary``: every figure;
- the matching cell of ``tranche grid --format json`` and of ``Deal.grid``;
- the matching cell of ``tranche price-table --format json`` and of ``Deal.price_table``;
- a row of a scenario table through ``Deal.run_scenarios`` and, in Spark ``local[2]``,
  through ``tranche.spark.run_scenarios``.
"""

import json
import subprocess

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import tranche

FLOWS = [
    "begin_balance", "interest_due", "interest_paid", "interest_shortfall", "basis_risk_paid",
    "basis_risk_carryforward", "principal_paid", "writedown", "reimbursement", "end_balance",
]
CURVES = "CURVES"  # stands for the curves file the fixture writes
# The keyword of each axis field.
AXIS_KEYWORD = {"speed_pct": "speed", "cdr_pct": "cdr", "severity_pct": "severity", "shock_bps": "shock_bps"}


@pytest.fixture(scope="module")
def curves_file(deal_dir, tmp_path_factory):
    """The deal's curves with every level +0.75%: rates that are neither flat nor its own."""
    lines = (deal_dir / "curves.csv").read_text().splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        out.append(",".join([cells[0]] + [f"{float(c) + 0.75:.6f}" if c else c for c in cells[1:]]))
    p = tmp_path_factory.mktemp("curves") / "curves-up.csv"
    p.write_text("\n".join(out) + "\n")
    return p


# (id, keywords, the grid's axis: (field, values, the CLI's list flag))
SCENARIOS = [
    ("flat", dict(libor=2.5, speed=150, to="maturity"), ("speed_pct", [150.0, 200.0], "--speeds")),
    ("deal-curves", dict(deal_curves=True, speed=100), ("cdr_pct", [0.0, 3.0], "--cdr")),
    ("curves-shock-from-2", dict(curves=CURVES, shock_bps=200, shock_from=2, speed=120, to="maturity"),
     ("shock_bps", [200.0, -100.0], "--shocks")),
    ("cdr-severity-lag", dict(cdr=4, severity=45, lag=6, to="maturity", price=99.5),
     ("severity_pct", [45.0, 60.0], "--severity")),
    ("sda", dict(sda=250, severity=40, lag=12, speed=80, deal_curves=True),
     ("speed_pct", [80.0, 140.0], "--speeds")),
    ("cpr-vector-call-month", dict(cpr_vector=[2, 4, 6, 8, 10, 12, 15], cdr=1, severity=30, to="call:2009-06"),
     ("cdr_pct", [1.0, 2.5], "--cdr")),
    ("psa-one-index-shocked", dict(psa=150, shock_bps=-50, shock_index="LIBOR1M", to="maturity"),
     ("severity_pct", [0.0, 35.0], "--severity")),
    ("cdr-vector-level", dict(cdr_vector=[0.5, 1, 2, 3], severity=50, lag=3, libor=1.5),
     ("speed_pct", [100.0, 60.0], "--speeds")),
    ("index-level", dict(index_rates={"LIBOR6M": 1.75}, cdr=2, severity=40, to="maturity"),
     ("cdr_pct", [2.0, 5.0], "--cdr")),
    ("per-type-speeds-dm-settle", dict(fixed_prepay="cpr:12", arm_prepay="ramp:4,25,12", dm=60,
                                       settle="2004-03-10", to="call:2009-06"),
     ("cdr_pct", [0.0, 2.0], "--cdr")),
]
IDS = [s[0] for s in SCENARIOS]
# Columns a run's summary and a grid or scenario-table row need not share: the id, and
# the effective figures, which a run gives and grids and tables leave out (three runs each).
NOT_IN_TABLES = ["scenario_id", "eff_duration", "eff_convexity"]


def resolve(kw, curves_file):
    return {k: (str(curves_file) if v == CURVES else v) for k, v in kw.items()}


def flags(kw):
    """The command line of the keywords."""
    out = []
    for k, v in kw.items():
        if k == "deal_curves":
            out.append("--deal-curves")
        elif k == "index_rates":
            for ix, pct in v.items():
                out += ["--index-rate", f"{ix}={pct!r}"]
        elif isinstance(v, list):
            out += [f"--{k.replace('_', '-')}", ",".join(repr(float(x)) for x in v)]
        else:
            out += [f"--{k.replace('_', '-')}", str(v)]
    return out


def cli_json(bin, *args):
    out = subprocess.run([str(bin), *map(str, args)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def same(a, b):
    """Equal to the bit (None as null)."""
    return a is None and b is None or (a is not None and b is not None and a == b)


@pytest.fixture(scope="module")
def runs(deal, curves_file):
    return {sid: deal.run(**resolve(kw, curves_file)) for sid, kw, _ in SCENARIOS}


@pytest.mark.parametrize("sid, kw, axis", SCENARIOS, ids=IDS)
def test_run_flows_and_summary_equal_cli(tranche_bin, deal, deal_dir, curves_file, runs, sid, kw, axis):
    kw = resolve(kw, curves_file)
    want = cli_json(tranche_bin, "run", deal_dir, "--format", "json", *flags(kw))
    got = pa.table(runs[sid].bonds).to_pylist()
    rows = [(b["name"], p) for b in want["bonds"] for p in b["periods"]]
    assert len(got) == len(rows) > 0
    for g, (name, p) in zip(got, rows):
        assert g["bond"] == name and g["period"] == p["period"]
        for f in FLOWS:
            assert g[f] == p[f], (name, p["period"], f)
        assert g["coupon_pct"] == p["coupon"] * 100.0

    want = cli_json(tranche_bin, "run", deal_dir, "--summary", "--format", "json", *flags(kw))
    got = pa.table(runs[sid].summary).to_pylist()
    assert [g["bond"] for g in got] == [b["bond"] for b in want["bonds"]] == deal.bonds
    for g, w in zip(got, want["bonds"]):
        for f in ("wal_years", "dm_bps", "yield_pct", "mod_duration", "eff_duration", "eff_convexity",
                  "spread_duration", "accrued_pct", "factor", "first_loss_period"):
            assert same(g[f], w[f]), (w["bond"], f, g[f], w[f])
        for f in ("principal_paid", "unpaid_principal", "principal_loss_pct"):
            assert g[f] == w[f], (w["bond"], f)
        assert g["writedown"] == w["writedown"] - w["reimbursed"]
        win = w["window"]
        if win is None:
            assert g["first_principal"] is None and g["last_principal_period"] is None
        else:
            assert (g["first_principal_period"], g["last_principal_period"]) == (win["first_period"], win["last_period"])
            assert g["first_principal_date"].isoformat() == win["first_date"]
            assert g["last_principal"] == win["last_date"][:7]
        assert g["collateral_loss"] == want["pool_loss"]
        assert g["collateral_loss_pct"] == want["pool_loss_pct"]
        # The price each bond's figures are at: the quote's, or solved from it.
        assert g["price"] == (want["price"] if w["price"] is None else w["price"])
    # The scenario went where it was meant to.
    assert got[0]["horizon"] == kw.get("to", "call")
    assert got[0]["rates"] == ("deal_curves" if "deal_curves" in kw else "curves" if "curves" in kw
                               else "flat" if "libor" in kw else "pricing")


@pytest.mark.parametrize("sid, kw, axis", SCENARIOS, ids=IDS)
def test_grid_cells_equal_cli_grid_and_the_run(tranche_bin, deal, deal_dir, curves_file, runs, sid, kw, axis):
    kw = resolve(kw, curves_file)
    field, values, flag = axis
    key = AXIS_KEYWORD[field]
    base = {k: v for k, v in kw.items() if k != key}
    got = pa.table(deal.grid({field: values}, **base)).to_pylist()

    # `tranche grid` crosses every list it is given and fills the rest from its own
    # defaults (lag 12, to maturity, default axes): give it every value explicitly.
    cli = flags(base) + [flag, ",".join(repr(v) for v in values)]
    given = set(base) | {key}
    cli += ["--lag", kw.get("lag", 0)] if "lag" not in given else []
    cli += ["--to", kw.get("to", "call")] if "to" not in given else []
    cli += ["--severity", 0] if "severity" not in given else []
    if not given & {"speed", "cpr", "psa", "cpr_vector", "fixed_prepay", "arm_prepay"}:
        cli += ["--speed", 100]
    if not given & {"cdr", "sda", "cdr_vector"}:
        cli += ["--cdr", 0]
    want = cli_json(tranche_bin, "grid", deal_dir, "--format", "json", *cli)

    nb = len(deal.bonds)
    assert len(got) == len(want) == len(values) * nb
    assert [g["scenario_id"] for g in got] == [k for k in range(len(values)) for _ in range(nb)]
    for g, w in zip(got, want):
        assert g[field] == w[field]
        assert g["bond"] == w["class"]
        assert g["collateral_loss_pct"] == w["pool_loss_pct"]
        for f in ("dm_bps", "wal_years", "mod_duration", "unpaid_principal", "principal_loss_pct"):
            assert same(g[f], w[f]), (sid, g[field], g["bond"], f)
    # The cell of the scenario itself is its run, column for column (but the id).
    cell = pa.table(deal.grid({field: values}, **base)).slice(0, nb).drop_columns(NOT_IN_TABLES)
    run = pa.table(runs[sid].summary).drop_columns(NOT_IN_TABLES)
    assert cell.equals(run), (cell.to_pylist()[0], run.to_pylist()[0])


PRICED = [s for s in SCENARIOS if s[1].get("to", "call") in ("call", "maturity")
          and not set(s[1]) & {"cpr", "psa", "cpr_vector"}]


@pytest.mark.parametrize("sid, kw, axis", PRICED, ids=[s[0] for s in PRICED])
def test_price_table_cell_equals_cli_and_the_run(tranche_bin, deal, deal_dir, curves_file, runs, sid, kw, axis):
    kw = resolve(kw, curves_file)
    speed = float(kw.get("speed", 100))
    speeds = [speed, 175.0]
    rest = {k: v for k, v in kw.items() if k not in ("speed", "to")}
    got = pa.table(deal.price_table(speeds=speeds, **rest)).to_pylist()
    want = cli_json(tranche_bin, "price-table", deal_dir, "--format", "json",
                    "--speeds", ",".join(map(repr, speeds)), *flags(rest))
    assert len(got) == len(want) == 2 * len(speeds) * len(deal.bonds)
    for g, w in zip(got, want):
        assert (g["class"], g["horizon"], g["speed_pct"]) == (w["class"], w["horizon"], w["speed_pct"])
        for f in ("dm_bps", "wal_years", "mod_duration"):
            assert same(g[f], w[f]), (g["class"], g["horizon"], g["speed_pct"], f)
        assert (g["first_principal"] or "") == w["first_principal"]
    horizon = kw.get("to", "call")
    run = {r["bond"]: r for r in pa.table(runs[sid].summary).to_pylist()}
    cells = [g for g in got if g["horizon"] == horizon and g["speed_pct"] == speed]
    assert len(cells) == len(deal.bonds)
    for g in cells:
        r = run[g["class"]]
        for f in ("dm_bps", "wal_years", "mod_duration"):
            assert same(g[f], r[f]), (g["class"], f)
        assert g["first_principal"] == r["first_principal"] and g["last_principal"] == r["last_principal"]


def table_row(sid, kw, curves_file):
    """The keywords as a scenario-table row; None when a table cannot say them."""
    if "index_rates" in kw:
        return None
    names = {"speed": "speed_pct", "cpr": "cpr_pct", "psa": "psa_pct", "cdr": "cdr_pct", "sda": "sda_pct",
             "severity": "severity_pct", "lag": "lag_months", "libor": "index_rate_pct", "to": "horizon"}
    row = {"scenario_id": IDS.index(sid)}
    for k, v in resolve(kw, curves_file).items():
        if k == "deal_curves":
            row["rates"] = "deal_curves"
        elif isinstance(v, list):
            row[k] = [float(x) for x in v]
        else:
            row[names.get(k, k)] = v
    return row


def test_scenario_table_rows_equal_the_runs(deal, curves_file, runs):
    rows = [r for sid, kw, _ in SCENARIOS if (r := table_row(sid, kw, curves_file))]
    assert len(rows) >= 7
    got = pa.table(deal.run_scenarios(rows))
    for r in rows:
        sid = IDS[r["scenario_id"]]
        mine = got.filter(pc.equal(got["scenario_id"], r["scenario_id"])).drop_columns(NOT_IN_TABLES)
        run = pa.table(runs[sid].summary).drop_columns(NOT_IN_TABLES)
        assert mine.equals(run), sid


def test_spark_rows_equal_the_runs(spark, deal, deal_dir, curves_file, runs):
    import tranche.spark

    rows = [r for sid, kw, _ in SCENARIOS if (r := table_row(sid, kw, curves_file))]
    sdf = tranche.spark.run_scenarios(spark, {"impac": str(deal_dir)},
                                      [dict(r, deal="impac") for r in rows], partitions=2)
    assert sdf.schema == tranche.spark.result_spark_schema()
    got = sdf.toArrow() if hasattr(sdf, "toArrow") else pa.Table.from_pandas(sdf.toPandas(), preserve_index=False)
    assert got.num_rows == len(rows) * len(deal.bonds)
    for r in rows:
        sid = IDS[r["scenario_id"]]
        mine = sorted(
            (x for x in got.to_pylist() if x["scenario_id"] == r["scenario_id"]),
            key=lambda x: deal.bonds.index(x["bond"]),
        )
        want = pa.table(runs[sid].summary).to_pylist()
        assert len(mine) == len(want)
        for m, w in zip(mine, want):
            for col, v in w.items():
                if col in ("deal", *NOT_IN_TABLES):
                    continue
                assert same(m[col], v) or m[col] == v, (sid, m["bond"], col, m[col], v)
