"""Price/DM report, Available Funds Rate schedule and strats: the same rows as the
`tranche price-table`, `tranche afr` and `tranche strats` commands' CSV for the same
inputs, and the commands' messages for bad input."""

import csv
import io
import json
import subprocess

import pyarrow as pa
import pytest

import tranche

PRICE_COLUMNS = [
    "class", "horizon", "speed_pct", "dm_bps", "wal_years", "mod_duration",
    "first_principal", "last_principal",
]
AFR_COLUMNS = ["period", "payment_date", "afr_pct", "afr_shocked_pct"]


def cli(bin, *args):
    return subprocess.run([str(bin), *map(str, args)], capture_output=True, text=True)


def cli_csv(bin, *args):
    out = cli(bin, *args, "--format", "csv")
    assert out.returncode == 0, out.stderr
    return list(csv.DictReader(io.StringIO(out.stdout)))


def fmt6(v):
    """The commands print figures with 6 decimals; empty for none."""
    return "" if v is None else f"{v:.6f}"


@pytest.mark.parametrize(
    "kw, args",
    [
        (dict(), []),
        (dict(price=99.5, speeds=[50, 100, 200]), ["--price", 99.5, "--speeds", "50,100,200"]),
        (dict(speeds=[0, 100], libor=2.25), ["--speeds", "0,100", "--libor", 2.25]),
    ],
)
def test_price_table_equals_cli(tranche_bin, deal, deal_dir, kw, args):
    want = cli_csv(tranche_bin, "price-table", deal_dir, *args)
    got = pa.table(deal.price_table(**kw))
    assert got.column_names == PRICE_COLUMNS
    rows = got.to_pylist()
    assert len(rows) == len(want) == 2 * len(kw.get("speeds", [0, 80, 100, 150, 180])) * len(deal.bonds)
    for g, w in zip(rows, want):
        assert g["class"] == w["class"] and g["horizon"] == w["horizon"]
        assert g["speed_pct"] == float(w["speed_pct"])
        for f in ("dm_bps", "wal_years", "mod_duration"):
            assert fmt6(g[f]) == w[f], (g["class"], g["horizon"], g["speed_pct"], f)
        for f in ("first_principal", "last_principal"):
            assert (g[f] or "") == w[f]


@pytest.mark.parametrize(
    "kw, args",
    [
        (dict(), []),
        (dict(shock_bps=300, shock_from=5, speed=150, to="maturity"),
         ["--shock-bps", 300, "--shock-from", 5, "--speed", 150, "--to-maturity"]),
    ],
)
def test_afr_equals_cli(tranche_bin, deal, deal_dir, kw, args):
    want = cli_csv(tranche_bin, "afr", deal_dir, *args)
    got = pa.table(deal.afr(**kw))
    assert got.column_names == AFR_COLUMNS
    rows = got.to_pylist()
    assert len(rows) == len(want) > 0
    for g, w in zip(rows, want):
        assert str(g["period"]) == w["period"]
        assert g["payment_date"].isoformat() == w["payment_date"]
        assert fmt6(g["afr_pct"]) == w["afr_pct"]
        assert fmt6(g["afr_shocked_pct"]) == w["afr_shocked_pct"]


def test_afr_with_curves_file_equals_cli(tranche_bin, deal, deal_dir, tmp_path):
    # The deal's curves, every level +0.5%: a different schedule, the same in both.
    lines = (deal_dir / "curves.csv").read_text().splitlines()
    header = lines[0].split(",")
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        out.append(",".join([cells[0]] + [f"{float(c) + 0.5:.6f}" if c else c for c in cells[1:]]))
    curves = tmp_path / "curves-up.csv"
    curves.write_text("\n".join(out) + "\n")
    assert header[0] == "period"
    want = cli_csv(tranche_bin, "afr", deal_dir, "--curves", curves)
    got = pa.table(deal.afr(curves=curves)).to_pylist()
    base = pa.table(deal.afr()).to_pylist()
    assert [fmt6(g["afr_pct"]) for g in got] == [w["afr_pct"] for w in want]
    assert [g["afr_pct"] for g in got] != [b["afr_pct"] for b in base]


def test_tables_export_to_polars_and_pandas(deal):
    pl = pytest.importorskip("polars")
    pt = deal.price_table(speeds=[100])
    assert pl.DataFrame(pt).columns == PRICE_COLUMNS
    assert list(pt.to_pandas().columns) == PRICE_COLUMNS
    assert pl.DataFrame(deal.afr()).columns == AFR_COLUMNS


def test_strats_equal_cli_json(tranche_bin, deal, deal_dir):
    out = cli(tranche_bin, "strats", deal_dir, "--format", "json")
    assert out.returncode == 0, out.stderr
    want = {t["file_stem"]: t for t in json.loads(out.stdout)["tables"]}
    got = {name: pa.table(t) for name, t in deal.strats().items()}
    assert got.keys() == want.keys() and len(got) >= 5
    for name, w in want.items():
        rows = got[name].to_pylist()
        assert len(rows) == len(w["rows"]), name
        for g, wr in zip(rows, w["rows"]):
            for key, v in wr.items():
                assert g[key] == v, (name, g["description"], key)


def cli_message(stderr):
    """The CLI's message with its options spelled as Python arguments."""
    msg = stderr.strip().removeprefix("error: ")
    for opt in ("price", "speeds", "libor", "shock-bps", "shock-from", "speed"):
        msg = msg.replace(f"--{opt}:", f"{opt.replace('-', '_')}:")
    return msg


@pytest.mark.parametrize(
    "call, args",
    [
        (lambda d: d.price_table(price=0), ["price-table", "--price", 0]),
        (lambda d: d.price_table(price=-3), ["price-table", "--price=-3"]),
        (lambda d: d.price_table(libor=150), ["price-table", "--libor", 150]),
        (lambda d: d.afr(shock_bps=20000), ["afr", "--shock-bps", 20000]),
        (lambda d: d.afr(shock_from=0), ["afr", "--shock-from", 0]),
        (lambda d: d.afr(speed=-1), ["afr", "--speed=-1"]),
    ],
)
def test_bad_table_arguments_raise_cli_message(tranche_bin, deal, deal_dir, call, args):
    out = cli(tranche_bin, args[0], deal_dir, *args[1:])
    assert out.returncode == 2, out.stderr
    with pytest.raises(tranche.InputError) as e:
        call(deal)
    assert str(e.value) == cli_message(out.stderr)


def test_afr_missing_curves_file_raises_cli_message(tranche_bin, deal, deal_dir, tmp_path):
    missing = tmp_path / "nope.csv"
    out = cli(tranche_bin, "afr", deal_dir, "--curves", missing)
    assert out.returncode == 2
    with pytest.raises(tranche.InputError) as e:
        deal.afr(curves=missing)
    assert str(e.value) == cli_message(out.stderr)


def test_table_keywords_are_the_run_keywords(deal):
    with pytest.raises(tranche.InputError, match="^cpr: the table's columns are speeds"):
        deal.price_table(cpr=6)
    with pytest.raises(tranche.InputError, match="^to: the table shows both horizons"):
        deal.price_table(to="call")
    # Defaults and curves reach the table: losses lower the subordinate's DM... or WAL.
    base = pa.table(deal.price_table(speeds=[100])).to_pylist()
    hit = pa.table(deal.price_table(speeds=[100], cdr=8, severity=50, deal_curves=True)).to_pylist()
    assert [b["wal_years"] for b in base] != [h["wal_years"] for h in hit]


def test_empty_speeds_raise_input_error(deal):
    with pytest.raises(tranche.InputError, match="^speeds: need at least one speed$"):
        deal.price_table(speeds=[])
    with pytest.raises(tranche.InputError, match="speeds"):
        deal.price_table(speeds=[-10])


@pytest.mark.parametrize(
    "call",
    [
        # Many speeds, so the one call lasts long enough to tell (a few tenths of a second).
        lambda d: d.price_table(speeds=[float(s) for s in range(0, 250, 2)]),
        lambda d: d.grid({"speed_pct": [float(s) for s in range(50, 250, 2)]}, threads=1),
    ],
)
def test_engine_releases_the_gil(deal, call):
    """While the engine runs in one thread, Python code keeps running in another: the
    longest pause the main thread sees is a small part of the engine call."""
    import threading
    import time

    done = threading.Event()
    span = {}

    def work():
        t0 = time.perf_counter()
        call(deal)
        span["s"] = time.perf_counter() - t0
        done.set()

    t = threading.Thread(target=work)
    last = time.perf_counter()
    worst = 0.0
    ticks = 0
    t.start()
    while not done.is_set():
        now = time.perf_counter()
        worst = max(worst, now - last)
        last = now
        ticks += 1
        time.sleep(0.001)
    t.join()
    assert span["s"] > 0.05, "engine call too short to tell"
    assert ticks > 10
    assert worst < 0.5 * span["s"], (worst, span["s"])
