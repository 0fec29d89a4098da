"""Reproduces the reference deal's Price/DM table from Python and plots bond balances.

    python examples/python/price_table.py --out out/python-example

Computes the Price/DM report (DM at par, WAL, modified duration, principal window at 0,
80, 100, 150 and 180% of the pricing speed, to call and to maturity) with
``Deal.price_table`` - the same computation as ``tranche price-table`` - and sets every
cell beside the term sheet's published figure. A cell agrees when its DM is within 1 bp,
WAL within 0.02 years, duration within 0.03 (the published figures are rounded for print)
and its first and last principal months are the same. Exits 1 if any cell disagrees.
Then saves a chart of every bond's balance at 100% of the pricing speed, to call.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402

import tranche  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SPEEDS = [0.0, 80.0, 100.0, 150.0, 180.0]
TOL = {"dm": 1.0, "wal": 0.02, "mdur": 0.03}


def published(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return [
            {
                "class": r["class"],
                "horizon": "call" if r["horizon"] == "to_call" else "maturity",
                "speed_pct": float(r["speed_pct_of_pricing"]),
                "pub_dm": float(r["dm_at_par_bps"]),
                "pub_wal": float(r["wal_yrs"]),
                "pub_mdur": float(r["mdur_yrs"]),
                "pub_first": r["first_prin_pay"],
                "pub_last": r["last_prin_pay"],
            }
            for r in csv.DictReader(f)
        ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--deal", default=str(REPO / "deals" / "impac-cmb-2004-1"))
    ap.add_argument("--published", default=str(REPO / "tests" / "fixtures" / "impac-cmb-2004-1" / "dm_tables.csv"))
    ap.add_argument("--out", default=str(REPO / "out" / "python-example"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    deal = tranche.Deal.load(args.deal)
    table = pl.DataFrame(deal.price_table(price=100, speeds=SPEEDS))
    pub = pl.DataFrame(published(Path(args.published)))
    cmp = pub.join(table, on=["class", "horizon", "speed_pct"], how="left").with_columns(
        ok=(
            ((pl.col("dm_bps") - pl.col("pub_dm")).abs() <= TOL["dm"])
            & ((pl.col("wal_years") - pl.col("pub_wal")).abs() <= TOL["wal"])
            & ((pl.col("mod_duration") - pl.col("pub_mdur")).abs() <= TOL["mdur"])
            & (pl.col("first_principal") == pl.col("pub_first"))
            & (pl.col("last_principal") == pl.col("pub_last"))
        ).fill_null(False)
    )
    show = cmp.select(
        "class", "horizon", "speed_pct",
        "pub_dm", pl.col("dm_bps").round(2).alias("dm"),
        "pub_wal", pl.col("wal_years").round(3).alias("wal"),
        "pub_mdur", pl.col("mod_duration").round(3).alias("mdur"),
        "pub_first", pl.col("first_principal").alias("first"),
        "pub_last", pl.col("last_principal").alias("last"),
        "ok",
    )
    with pl.Config(tbl_rows=200, tbl_cols=20, tbl_width_chars=220):
        print(show)
    table.write_csv(out / "price_table.csv")
    show.write_csv(out / "price_table_vs_published.csv")
    bad = cmp.filter(~pl.col("ok")).height
    print(f"{cmp.height - bad} of {cmp.height} published cells reproduced")

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
    print(f"wrote {out / 'price_table.csv'}, {out / 'price_table_vs_published.csv'} and {out / 'bond_balances.png'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
