//! One scenario, the same numbers everywhere: for several scenarios on the reference deal,
//! `run --summary`, the matching `grid` cell and the matching `price-table` cell give the
//! same figures bit for bit (JSON numbers round-trip exactly).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value;
use std::process::Command;

const DEAL: &str = "deals/impac-cmb-2004-1";

fn tranche(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_tranche"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "tranche {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// One scenario: the flags `run` takes, the grid's spelling of the same scenario, and
/// the price-table column (horizon, speed) that is the same run, if any.
struct Case {
    run: &'static [&'static str],
    grid: &'static [&'static str],
    table: Option<(&'static [&'static str], &'static str, f64)>,
}

const CASES: &[Case] = &[
    // The pricing assumption at 150%, to call.
    Case {
        run: &["--speed", "150"],
        grid: &[
            "--speeds",
            "150",
            "--cdr",
            "0",
            "--severity",
            "0",
            "--shocks",
            "0",
            "--lag",
            "0",
            "--to",
            "call",
        ],
        table: Some((&["--speeds", "150"], "call", 150.0)),
    },
    // The deal's forward curves, with defaults, to maturity.
    Case {
        run: &[
            "--deal-curves",
            "--speed",
            "80",
            "--cdr",
            "2",
            "--severity",
            "40",
            "--lag",
            "6",
            "--to",
            "maturity",
        ],
        grid: &[
            "--deal-curves",
            "--speeds",
            "80",
            "--cdr",
            "2",
            "--severity",
            "40",
            "--lag",
            "6",
            "--shocks",
            "0",
        ],
        table: Some((
            &[
                "--deal-curves",
                "--speeds",
                "80",
                "--cdr",
                "2",
                "--severity",
                "40",
                "--lag",
                "6",
            ],
            "maturity",
            80.0,
        )),
    },
    // A curves file, shocked +200 bp from period 2, to call.
    Case {
        run: &[
            "--curves",
            "deals/impac-cmb-2004-1/curves.csv",
            "--shock-bps",
            "200",
            "--shock-from",
            "2",
        ],
        grid: &[
            "--curves",
            "deals/impac-cmb-2004-1/curves.csv",
            "--speeds",
            "100",
            "--cdr",
            "0",
            "--severity",
            "0",
            "--lag",
            "0",
            "--shocks",
            "200",
            "--shock-from",
            "2",
            "--to",
            "call",
        ],
        table: Some((
            &[
                "--curves",
                "deals/impac-cmb-2004-1/curves.csv",
                "--shock-bps",
                "200",
                "--shock-from",
                "2",
                "--speeds",
                "100",
            ],
            "call",
            100.0,
        )),
    },
    // A CPR vector with CDR and severity, flat LIBOR below zero, to maturity.
    Case {
        run: &[
            "--cpr-vector",
            "5,10,20,25",
            "--cdr",
            "3",
            "--severity",
            "35",
            "--lag",
            "6",
            "--libor",
            "-0.25",
            "--to",
            "maturity",
        ],
        grid: &[
            "--cpr-vector",
            "5,10,20,25",
            "--cdr",
            "3",
            "--severity",
            "35",
            "--lag",
            "6",
            "--libor",
            "-0.25",
            "--shocks",
            "0",
        ],
        table: None,
    },
    // SDA defaults, a call on a given month.
    Case {
        run: &["--sda", "150", "--severity", "30", "--to", "call:2007-06"],
        grid: &[
            "--speeds",
            "100",
            "--sda",
            "150",
            "--severity",
            "30",
            "--lag",
            "0",
            "--shocks",
            "0",
            "--to",
            "call:2007-06",
        ],
        table: None,
    },
];

fn num(v: &Value) -> Option<f64> {
    v.as_f64()
}

#[test]
fn run_summary_grid_cell_and_price_table_cell_agree_bit_for_bit() {
    for case in CASES {
        let mut args = vec!["run", DEAL, "--summary", "--format", "json"];
        args.extend(case.run);
        let run = tranche(&args);
        let bonds = run["bonds"].as_array().unwrap();
        assert_eq!(bonds.len(), 6);

        let mut args = vec!["grid", DEAL, "--format", "json"];
        args.extend(case.grid);
        let grid = tranche(&args);
        let cells = grid.as_array().unwrap();
        assert_eq!(cells.len(), bonds.len(), "one cell: {:?}", case.grid);
        for (b, g) in bonds.iter().zip(cells) {
            assert_eq!(b["bond"], g["class"]);
            for f in [
                "wal_years",
                "dm_bps",
                "mod_duration",
                "unpaid_principal",
                "principal_loss_pct",
            ] {
                assert_eq!(num(&b[f]), num(&g[f]), "{:?} {} {f}", case.run, b["bond"]);
            }
            assert_eq!(num(&run["pool_loss_pct"]), num(&g["pool_loss_pct"]));
        }

        if let Some((flags, horizon, speed)) = case.table {
            let mut args = vec!["price-table", DEAL, "--format", "json"];
            args.extend(flags);
            let table = tranche(&args);
            for b in bonds {
                let row = table
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|r| {
                        r["class"] == b["bond"]
                            && r["horizon"] == horizon
                            && num(&r["speed_pct"]) == Some(speed)
                    })
                    .unwrap();
                for f in ["wal_years", "dm_bps", "mod_duration"] {
                    assert_eq!(num(&b[f]), num(&row[f]), "{:?} {} {f}", case.run, b["bond"]);
                }
            }
        }
    }
}

/// The deal's curves named three ways give one run, bit for bit.
#[test]
fn the_deals_curves_however_named() {
    let flows = |extra: &[&str]| {
        let mut args = vec!["run", DEAL, "--format", "json", "--to", "maturity"];
        args.extend(extra);
        tranche(&args)
    };
    let a = flows(&["--deal-curves"]);
    let b = flows(&["--curves", "deals/impac-cmb-2004-1/curves.csv"]);
    let c = flows(&[
        "--curves",
        "./deals/impac-cmb-2004-1/../impac-cmb-2004-1/curves.csv",
    ]);
    assert_eq!(a, b);
    assert_eq!(a, c);
    // ... and differ from the pricing assumption (LIBOR flat 1.10%), the default.
    assert_ne!(a, flows(&[]));
}
