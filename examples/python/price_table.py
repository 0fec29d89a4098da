"""Reproduces the reference deal's Price/DM table from Python and plots bond balances.

    python examples/python/price_table.py --out out/example

Runs the published speeds (0, 80, 100, 150, 180% of pricing) to call and to maturity as
one scenario grid, prints DM at par, WAL, modified duration and the principal window next
to the published figures, and saves a chart of every bond's balance at 100% to call.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402

import tranche  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SPEEDS = [0.0, 80.0, 100.0, 150.0, 180.0]


def published(path: Path) -> dict:
    """(bond, horizon, speed) -> published row of the term sheet's table."""
    out = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            h = "call" if r["horizon"] == "to_call" else "maturity"
            out[(r["class"], h, float(r["speed_pct_of_pricing"]))] = r
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--deal", default=str(REPO / "deals" / "impac-cmb-2004-1"))
    ap.add_argument("--published", default=str(REPO / "tests" / "fixtures" / "impac-cmb-2004-1" / "dm_tables.csv"))
    ap.add_argument("--out", default=str(REPO / "out" / "python-example"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    deal = tranche.Deal.load(args.deal)
    scenarios = {
        "speed_pct": [s for _ in range(2) for s in SPEEDS],
        "horizon": ["call"] * len(SPEEDS) + ["maturity"] * len(SPEEDS),
        "price": 100.0,
    }
    res = pl.DataFrame(deal.grid(scenarios))
    table = res.select(
        "bond",
        "horizon",
        "speed_pct",
        pl.col("dm_bps").round(0).alias("dm_bps"),
        pl.col("wal_years").round(2).alias("wal"),
        pl.col("mod_duration").round(2).alias("mdur"),
        pl.col("first_principal_date").dt.strftime("%Y-%m").alias("first"),
        pl.col("last_principal_date").dt.strftime("%Y-%m").alias("last"),
    )
    pub = published(Path(args.published))
    rows = []
    for r in table.iter_rows(named=True):
        p = pub.get((r["bond"], r["horizon"], r["speed_pct"]))
        rows.append(
            {
                **r,
                "pub_dm": int(p["dm_at_par_bps"]) if p else None,
                "pub_wal": float(p["wal_yrs"]) if p else None,
                "pub_mdur": float(p["mdur_yrs"]) if p else None,
                "pub_window": f'{p["first_prin_pay"]} - {p["last_prin_pay"]}' if p else None,
            }
        )
    cmp = pl.DataFrame(rows)
    with pl.Config(tbl_rows=200, tbl_cols=20, tbl_width_chars=200):
        print(cmp)
    cmp.write_csv(out / "price_table.csv")

    run = deal.run(speed=100, to="call")
    bonds = pl.DataFrame(run.bonds)
    fig, ax = plt.subplots(figsize=(9, 5))
    for name in deal.bonds:
        b = bonds.filter(pl.col("bond") == name)
        ax.plot(b["payment_date"].to_list(), (b["end_balance"] / 1e6).to_list(), label=name)
    ax.set_title(f"{deal.name}: bond balances at 100% of pricing speed, to call")
    ax.set_ylabel("balance ($ millions)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "bond_balances.png", dpi=120)
    print(f"wrote {out / 'price_table.csv'} and {out / 'bond_balances.png'}")


if __name__ == "__main__":
    main()
