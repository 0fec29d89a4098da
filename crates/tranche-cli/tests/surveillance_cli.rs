#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Surveillance from the outside, on the reference deal: a run stopped at a payment date
//! writes its state and current tape; a run from them pays, period for period and bit for
//! bit (JSON numbers are shortest round-trip), what the uninterrupted run pays.

mod common;

use common::cli::tranche;
use serde_json::Value;

const DEAL: &str = "deals/impac-cmb-2004-1";

fn json(args: &[&str]) -> Value {
    let (code, out, err) = tranche(args);
    assert_eq!(code, 0, "tranche {args:?}: {err}");
    serde_json::from_str(&out).unwrap()
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    v[key].as_array().unwrap()
}

/// The bond run `part` is `full` from its period `k + 1` on.
fn same_from(full: &Value, part: &Value, k: usize, what: &str) {
    assert_eq!(
        &arr(full, "periods")[k..],
        &arr(part, "periods")[..],
        "{what}"
    );
    assert_eq!(
        &arr(&full["collateral"], "periods")[k..],
        &arr(&part["collateral"], "periods")[..],
        "{what}"
    );
    for (a, b) in arr(full, "bonds").iter().zip(arr(part, "bonds")) {
        assert_eq!(
            &arr(a, "periods")[k..],
            &arr(b, "periods")[..],
            "{what} bond {}",
            a["name"]
        );
    }
    assert_eq!(full["call_period"], part["call_period"], "{what}");
}

fn with<'a>(base: &[&'a str], more: &[&'a str]) -> Vec<&'a str> {
    base.iter().chain(more).copied().collect()
}

/// `tranche run DEAL SCENARIO --until MONTH --write-state STATE --write-tape TAPE`, which
/// must succeed.
fn write_state(deal: &str, scenario: &[&str], month: &str, state: &str, tape: &str) {
    let (code, _, err) = tranche(&with(
        &with(&["run", deal], scenario),
        &[
            "--until",
            month,
            "--write-state",
            state,
            "--write-tape",
            tape,
        ],
    ));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_run_resumed_from_its_written_state_and_tape_is_the_uninterrupted_run() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let scenarios: [&[&str]; 3] = [
        &["--speed", "100"],
        &[
            "--speed",
            "150",
            "--cdr",
            "3",
            "--severity",
            "40",
            "--lag",
            "6",
        ],
        &[
            "--libor",
            "3",
            "--cpr",
            "20",
            "--cdr",
            "1",
            "--severity",
            "50",
            "--lag",
            "3",
        ],
    ];
    for (n, sc) in scenarios.iter().enumerate() {
        let run = with(&["run", DEAL, "--format", "json"], sc);
        let full = json(&run);
        let ledger = json(&with(&run, &["--ledger"]));
        for (k, month) in [
            (1, "2004-02"),
            (6, "2004-07"),
            (12, "2005-01"),
            (26, "2006-03"),
        ] {
            let what = format!("scenario {n} as of {month}");
            let (state, tape) = (p(&format!("s{n}-{k}.json")), p(&format!("t{n}-{k}.csv")));
            let stopped = json(&with(
                &run,
                &[
                    "--until",
                    month,
                    "--write-state",
                    &state,
                    "--write-tape",
                    &tape,
                ],
            ));
            // The stopped run is the full run's beginning.
            assert_eq!(&arr(&full, "periods")[..k], &arr(&stopped, "periods")[..]);
            let from = ["--as-of", month, "--state", &state, "--tape", &tape];
            same_from(&full, &json(&with(&run, &from)), k, &what);
            let resumed_ledger = json(&with(&with(&run, &from), &["--ledger"]));
            assert_eq!(
                &arr(&ledger, "periods")[k..],
                &arr(&resumed_ledger, "periods")[..],
                "{what} ledger"
            );
        }
        // Stopped again from a resumed run, and resumed from there.
        let (s2, t2) = (p(&format!("s{n}-b.json")), p(&format!("t{n}-b.csv")));
        let from = [
            "--as-of",
            "2005-01",
            "--state",
            &p(&format!("s{n}-12.json")),
            "--tape",
            &p(&format!("t{n}-12.csv")),
        ];
        json(&with(
            &with(&run, &from),
            &[
                "--until",
                "2006-03",
                "--write-state",
                &s2,
                "--write-tape",
                &t2,
            ],
        ));
        let again = ["--as-of", "2006-03", "--state", &s2, "--tape", &t2];
        same_from(&full, &json(&with(&run, &again)), 26, "twice");
        // The same state and tape however they were reached.
        assert_eq!(
            std::fs::read(&s2).unwrap(),
            std::fs::read(p(&format!("s{n}-26.json"))).unwrap()
        );
        assert_eq!(
            std::fs::read(&t2).unwrap(),
            std::fs::read(p(&format!("t{n}-26.csv"))).unwrap()
        );
    }
}

#[test]
fn as_of_analytics_settle_on_the_as_of_payment_date() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("s.json");
    let tape = dir.path().join("t.csv");
    let (state, tape) = (state.to_str().unwrap(), tape.to_str().unwrap());
    write_state(DEAL, &[], "2005-01", state, tape);
    let s: Value = serde_json::from_str(&std::fs::read_to_string(state).unwrap()).unwrap();
    let a1 = arr(&s, "bonds")
        .iter()
        .find(|b| b["name"] == "A-1")
        .unwrap()["balance"]
        .as_f64()
        .unwrap();
    let from = ["--as-of", "2005-01", "--state", state, "--tape", tape];
    let summary = json(&with(
        &["run", DEAL, "--summary", "--format", "json"],
        &from,
    ));
    assert_eq!(summary["settlement"], "2005-01-25");
    let b = &arr(&summary, "bonds")[0];
    assert_eq!(b["bond"], "A-1");
    // The factor is the state's balance over the original; at par the DM is the margin.
    assert!(
        (b["factor"].as_f64().unwrap() - a1 / 869_000_000.0).abs() < 1e-12,
        "{b}"
    );
    assert!((b["dm_bps"].as_f64().unwrap() - 34.0).abs() < 1e-6, "{b}");
    // A settlement before the as-of payment date is refused.
    let (code, _, err) = tranche(&with(&["run", DEAL, "--settle", "2004-06-01"], &from));
    assert_eq!(code, 2);
    assert!(
        err.contains("--settle: expected a date on or after the as-of payment date (2005-01-25)"),
        "{err}"
    );
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

fn num(s: &str) -> f64 {
    s.parse().unwrap()
}

/// The reference deal as of January 2005, from a state tranche wrote: the AFR schedule is
/// the cut-off schedule's from period 13 on; the price table and a grid cell are the
/// runs from that date.
#[test]
fn the_reference_deal_as_of_2005_01() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("s.json");
    let tape = dir.path().join("t.csv");
    let (state, tape) = (state.to_str().unwrap(), tape.to_str().unwrap());
    let rates = ["--libor", "2"];
    write_state(DEAL, &rates, "2005-01", state, tape);
    let from = ["--as-of", "2005-01", "--state", state, "--tape", tape];
    let ok = |args: &[&str]| {
        let (code, out, err) = tranche(args);
        assert_eq!(code, 0, "tranche {args:?}: {err}");
        csv_rows(&out)
    };

    // AFR: the unshocked schedule does not depend on where the run started.
    let full = ok(&with(&["afr", DEAL], &rates));
    let asof = ok(&with(&with(&["afr", DEAL], &rates), &from));
    assert_eq!(asof[0], full[0]);
    assert_eq!(asof[1][..2], ["13", "2005-02-25"]);
    assert_eq!(asof.len() - 1, full.len() - 13);
    for (a, f) in asof[1..].iter().zip(&full[13..]) {
        assert_eq!(a[..3], f[..3], "AFR row {a:?}");
    }

    // Price table: each row is the run from that date at its speed and horizon.
    let table = ok(&with(
        &with(&["price-table", DEAL, "--speeds", "100,150"], &rates),
        &from,
    ));
    assert_eq!(
        table[0].join(","),
        "class,horizon,speed_pct,dm_bps,wal_years,mod_duration,first_principal,last_principal"
    );
    assert_eq!(table.len(), 1 + 6 * 2 * 2);
    for row in &table[1..] {
        let run = ok(&with(
            &with(
                &[
                    "run",
                    DEAL,
                    "--summary",
                    "--speed",
                    &row[2],
                    "--to",
                    &row[1],
                ],
                &rates,
            ),
            &from,
        ));
        let b = run.iter().find(|r| r[0] == row[0]).unwrap();
        // run --summary: bond,wal_years,dm_bps,yield_pct,mod_duration,first,last,...
        assert!((num(&row[3]) - num(&b[2])).abs() < 1e-4, "{row:?} {b:?}");
        assert!((num(&row[4]) - num(&b[1])).abs() < 1e-6, "{row:?} {b:?}");
        assert!((num(&row[5]) - num(&b[4])).abs() < 1e-6, "{row:?} {b:?}");
        assert_eq!(row[6..8], b[5..7], "{row:?}");
        assert_eq!(row[6], "2005-02");
    }

    // A grid from that date (to maturity, 12-month lag): its cell is the run from it.
    let grid = ok(&with(
        &with(
            &[
                "grid",
                DEAL,
                "--speeds",
                "150",
                "--cdr",
                "3",
                "--severity",
                "40",
                "--price",
                "100",
            ],
            &rates,
        ),
        &from,
    ));
    let run = ok(&with(
        &with(
            &[
                "run",
                DEAL,
                "--summary",
                "--speed",
                "150",
                "--cdr",
                "3",
                "--severity",
                "40",
                "--lag",
                "12",
                "--to",
                "maturity",
            ],
            &rates,
        ),
        &from,
    ));
    let g = &grid[1];
    let b = run.iter().find(|r| r[0] == g[5]).unwrap();
    let col = |name: &str| grid[0].iter().position(|c| c == name).unwrap();
    assert!(
        (num(&g[col("wal_years")]) - num(&b[1])).abs() < 1e-6,
        "{g:?} {b:?}"
    );
    assert!(
        (num(&g[col("dm_bps")]) - num(&b[2])).abs() < 1e-4,
        "{g:?} {b:?}"
    );

    // A breakeven from that date (to maturity): M-4 loses at the CDR found, not 0.01%
    // below it.
    let be = ok(&with(
        &with(
            &[
                "breakeven",
                DEAL,
                "--class",
                "M-4",
                "--speeds",
                "100",
                "--severity",
                "40",
                "--lag",
                "6",
            ],
            &rates,
        ),
        &from,
    ));
    let cdr = num(&be[1][5]);
    assert!(cdr > 0.0, "{be:?}");
    let loss_at = |cdr: f64| {
        let cdr = format!("{cdr:.2}");
        let run = ok(&with(
            &with(
                &[
                    "run",
                    DEAL,
                    "--summary",
                    "--speed",
                    "100",
                    "--cdr",
                    &cdr,
                    "--severity",
                    "40",
                    "--lag",
                    "6",
                    "--to",
                    "maturity",
                ],
                &rates,
            ),
            &from,
        ));
        num(&run.iter().find(|r| r[0] == "M-4").unwrap()[10])
    };
    assert!(loss_at(cdr) > 0.0, "{be:?}");
    assert_eq!(loss_at(cdr - 0.01), 0.0, "{be:?}");
}

/// From an as-of date, write-downs carried in count in a bond's summary: the net
/// write-down a run from the date reports is the uninterrupted run's.
#[test]
fn carried_write_downs_count_in_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("s.json");
    let tape = dir.path().join("t.csv");
    let (state, tape) = (state.to_str().unwrap(), tape.to_str().unwrap());
    let toy = "tests/bad_inputs/_base/toy";
    let sc = [
        "--cdr",
        "5",
        "--severity",
        "40",
        "--lag",
        "3",
        "--to",
        "maturity",
    ];
    write_state(toy, &sc, "2024-07", state, tape);
    let s: Value = serde_json::from_str(&std::fs::read_to_string(state).unwrap()).unwrap();
    let carried = arr(&s, "bonds")[1]["allocated_realized_loss"]
        .as_f64()
        .unwrap();
    assert!(carried > 0.0, "{s}");
    let summary = |more: &[&str]| {
        json(&with(
            &with(&["run", toy, "--summary", "--format", "json"], &sc),
            more,
        ))
    };
    let full = summary(&[]);
    let asof = summary(&["--as-of", "2024-07", "--state", state, "--tape", tape]);
    let net = |v: &Value| {
        let b = &arr(v, "bonds")[1];
        assert_eq!(b["bond"], "B");
        (
            b["writedown"].as_f64().unwrap() - b["reimbursed"].as_f64().unwrap(),
            b["principal_loss_pct"].as_f64().unwrap(),
        )
    };
    let ((fw, fp), (aw, ap)) = (net(&full), net(&asof));
    assert!((fw - aw).abs() < 1e-6, "{fw} {aw}");
    assert!((fp - ap).abs() < 1e-9, "{fp} {ap}");
    assert!(aw >= 0.0, "{aw}");
}

/// A report table of `report.json` by its id.
fn report_table<'a>(report: &'a Value, id: &str) -> &'a Value {
    arr(report, "tables")
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no table {id}"))
}

/// The cells of a report table's rows.
fn cells(t: &Value) -> Vec<Vec<Value>> {
    arr(t, "rows")
        .iter()
        .map(|r| r["cells"].as_array().unwrap().clone())
        .collect()
}

/// The must-show: the reference deal as of January 2005, from a state and current tape
/// tranche wrote. The report from there prints the as-of commands' figures bit for bit:
/// each Price/DM block is `price-table --as-of`, the AFR schedule is `afr --as-of`, the
/// bonds' balances are the state's; its collateral tables are the current tape's.
#[test]
fn the_report_as_of_2005_01_is_the_as_of_commands() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("s.json");
    let tape = dir.path().join("t.csv");
    let out = dir.path().join("report");
    let (state, tape) = (state.to_str().unwrap(), tape.to_str().unwrap());
    write_state(
        DEAL,
        &["--cdr", "2", "--severity", "40", "--lag", "6"],
        "2005-01",
        state,
        tape,
    );
    let from = ["--as-of", "2005-01", "--state", state, "--tape", tape];
    let (code, _, err) = tranche(&with(
        &["report", DEAL, "--out", out.to_str().unwrap()],
        &from,
    ));
    assert_eq!(code, 0, "{err}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert!(
        report["title"]
            .as_str()
            .unwrap()
            .ends_with("Computational Materials as of the January 2005 Payment Date"),
        "{}",
        report["title"]
    );
    assert!(
        arr(&report, "subtitle")
            .iter()
            .any(|s| s == "Settlement: 01/25/05 (the as-of payment date, flat)"),
        "{}",
        report["subtitle"]
    );

    // The bonds as they stand: the state's balances and write-downs, exactly.
    let s: Value = serde_json::from_str(&std::fs::read_to_string(state).unwrap()).unwrap();
    let bonds = cells(report_table(&report, "bonds-as-of"));
    let summary = cells(report_table(&report, "summary"));
    for (k, b) in arr(&s, "bonds").iter().enumerate() {
        let row = bonds.iter().find(|r| r[0] == b["name"]).unwrap();
        assert_eq!(row[2], b["balance"], "{row:?}");
        assert_eq!(row[4], b["allocated_realized_loss"], "{row:?}");
        let factor = b["balance"].as_f64().unwrap() / row[1].as_f64().unwrap();
        assert_eq!(row[3].as_f64().unwrap(), factor, "{row:?}");
        assert_eq!(summary[k][0], b["name"]);
        assert_eq!(summary[k][1], b["balance"], "{:?}", summary[k]);
    }

    // Each Price/DM block is the price table from that date, bit for bit.
    let table = json(&with(&["price-table", DEAL, "--format", "json"], &from));
    let rows = table.as_array().unwrap();
    assert_eq!(rows.len(), 6 * 2 * 5);
    for r in rows {
        let class = r["class"].as_str().unwrap().to_lowercase();
        let block = report_table(
            &report,
            &format!("price-dm-{class}-{}", r["horizon"].as_str().unwrap()),
        );
        let col = block["columns"]
            .as_array()
            .unwrap()
            .iter()
            .position(|c| *c == format!("{:.2}%", r["speed_pct"].as_f64().unwrap()))
            .unwrap();
        let c = cells(block);
        let at = |line: usize| c[line][col].clone();
        assert_eq!(at(0), r["dm_bps"], "{r}");
        assert_eq!(at(1), r["wal_years"], "{r}");
        assert_eq!(at(2), r["mod_duration"], "{r}");
        assert_eq!(at(3), r["first_principal"], "{r}");
        assert_eq!(at(4), r["last_principal"], "{r}");
    }

    // The AFR schedule is `afr --as-of`, bit for bit.
    let afr = json(&with(&["afr", DEAL, "--format", "json"], &from));
    let sched = cells(report_table(&report, "available-funds-rate"));
    assert_eq!(sched.len(), afr.as_array().unwrap().len());
    for (row, a) in sched.iter().zip(afr.as_array().unwrap()) {
        assert_eq!(row[0], a["period"]);
        assert_eq!(row[1], a["payment_date"]);
        assert_eq!(row[2], a["afr_pct"]);
        assert_eq!(row[3], a["afr_shocked_pct"]);
    }
    assert_eq!(sched[0][0], 13);

    // The strats are the current tape's loans outstanding.
    let text = std::fs::read_to_string(tape).unwrap();
    let outstanding = csv_rows(&text)[1..]
        .iter()
        .filter(|r| {
            num(&r[csv_rows(&text)[0]
                .iter()
                .position(|c| c == "balance")
                .unwrap()])
                > 0.0
        })
        .count();
    let pool = cells(report_table(&report, "collateral-summary"));
    assert_eq!(pool[0][1], outstanding, "{:?}", pool[0]);
    let notes = report_table(&report, "collateral-summary")["notes"].to_string();
    assert!(notes.contains("paid off, balance 0, left out"), "{notes}");

    // The report's settlement is the as-of run's.
    let run = json(&with(
        &["run", DEAL, "--summary", "--format", "json"],
        &from,
    ));
    assert_eq!(run["settlement"], "2005-01-25");
}

/// `collateral --as-of`: the pool's projection after the as-of date is the uninterrupted
/// projection's from the next period on, period numbers and dates included.
#[test]
fn the_collateral_as_of_2005_01_is_the_projection_from_period_13() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("s.json");
    let tape = dir.path().join("t.csv");
    let per_loan = dir.path().join("loans.csv");
    let (state, tape) = (state.to_str().unwrap(), tape.to_str().unwrap());
    let sc = [
        "--cdr",
        "3",
        "--severity",
        "40",
        "--lag",
        "6",
        "--libor",
        "2",
    ];
    write_state(DEAL, &sc, "2005-01", state, tape);
    let full = json(&with(&["collateral", DEAL, "--format", "json"], &sc));
    let asof = json(&with(
        &with(&["collateral", DEAL, "--format", "json"], &sc),
        &[
            "--as-of",
            "2005-01",
            "--state",
            state,
            "--tape",
            tape,
            "--per-loan",
            per_loan.to_str().unwrap(),
        ],
    ));
    let (full, asof) = (full.as_array().unwrap(), asof.as_array().unwrap());
    assert_eq!(asof[0]["period"], 13);
    assert_eq!(asof[0]["date"], "2005-02-25");
    assert_eq!(&full[12..], &asof[..]);
    let loans = std::fs::read_to_string(&per_loan).unwrap();
    let second = loans.lines().nth(1).unwrap();
    assert!(second.contains(",13,2005-02-25,"), "{second}");
}

/// Actuals equal to the model's own pool figures, written by `--write-actuals`, give the
/// model's run bit for bit: from the cut-off, and from a state with actuals after it.
/// Actuals with one more loss move the bonds; what the model projects after them starts
/// from the balance they report.
#[test]
fn actuals_equal_to_the_models_own_figures_reproduce_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let sc: &[&str] = &[
        "--speed",
        "150",
        "--cdr",
        "3",
        "--severity",
        "40",
        "--lag",
        "6",
        "--to",
        "maturity",
    ];
    let full = json(&with(&["run", DEAL, "--format", "json"], sc));
    let (actuals, state, tape) = (p("actuals.csv"), p("state.json"), p("tape.csv"));
    let (code, _, err) = tranche(&with(
        &[
            "run",
            DEAL,
            "--until",
            "2005-01",
            "--write-actuals",
            &actuals,
        ],
        sc,
    ));
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&actuals).unwrap();
    assert_eq!(text.lines().count(), 1 + 12, "twelve payment dates");
    let with_actuals = json(&with(
        &["run", DEAL, "--format", "json", "--actuals", &actuals],
        sc,
    ));
    same_from(&full, &with_actuals, 0, "from the cut-off with actuals");

    // From a state as of 2004-06, with the model's figures for 2004-07 to 2005-01.
    write_state(DEAL, sc, "2004-06", &state, &tape);
    let later: Vec<&str> = text.lines().skip(6).collect();
    let part = p("later.csv");
    std::fs::write(
        &part,
        format!("{}\n{}\n", text.lines().next().unwrap(), later.join("\n")),
    )
    .unwrap();
    let from_state = json(&with(
        &[
            "run",
            DEAL,
            "--format",
            "json",
            "--as-of",
            "2004-06",
            "--state",
            &state,
            "--tape",
            &tape,
            "--actuals",
            &part,
        ],
        sc,
    ));
    same_from(&full, &from_state, 5, "from a state with actuals");

    // One more loss reported in 2004-03: $1,000,000 liquidated at 40% severity.
    let mut rows: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let col = |name: &str| rows[0].iter().position(|c| c == name).unwrap();
    let (dp, eb, rc, rl) = (
        col("defaulted_principal"),
        col("end_balance"),
        col("recoveries"),
        col("realized_loss"),
    );
    let bump = |v: &str, by: f64| (v.parse::<f64>().unwrap() + by).to_string();
    let r = &mut rows[2];
    r[dp] = bump(&r[dp], 1e6);
    r[eb] = bump(&r[eb], -1e6);
    r[rc] = bump(&r[rc], 6e5);
    r[rl] = bump(&r[rl], 4e5);
    let short: Vec<String> = rows[..3].iter().map(|r| r.join(",")).collect();
    let lossy = p("lossy.csv");
    std::fs::write(&lossy, short.join("\n") + "\n").unwrap();
    let moved = json(&with(
        &["run", DEAL, "--format", "json", "--actuals", &lossy],
        sc,
    ));
    let pool =
        |v: &Value, t: usize, k: &str| arr(&v["collateral"], "periods")[t][k].as_f64().unwrap();
    assert_eq!(
        pool(&moved, 1, "realized_loss"),
        pool(&full, 1, "realized_loss") + 4e5
    );
    assert!(
        (pool(&moved, 2, "begin_balance") - (pool(&full, 2, "begin_balance") - 1e6)).abs() < 1e-6
    );
    // The period's bonds: the first period is untouched, the second differs.
    let bond = |v: &Value, t: usize| arr(&arr(v, "bonds")[0], "periods")[t].clone();
    assert_eq!(bond(&moved, 0), bond(&full, 0));
    assert_ne!(bond(&moved, 1), bond(&full, 1));
}

/// Without a current tape: the remittance actuals from the cut-off, priced on a later
/// settlement date, value the bonds as the run from that date's state and tape does.
#[test]
fn actuals_from_the_cut_off_price_as_the_state_does() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let (actuals, state, tape) = (p("a.csv"), p("s.json"), p("t.csv"));
    let sc: &[&str] = &[
        "--speed",
        "150",
        "--cdr",
        "2",
        "--severity",
        "35",
        "--lag",
        "4",
    ];
    let (code, _, err) = tranche(&with(
        &[
            "run",
            DEAL,
            "--until",
            "2005-01",
            "--write-actuals",
            &actuals,
            "--write-state",
            &state,
            "--write-tape",
            &tape,
        ],
        sc,
    ));
    assert_eq!(code, 0, "{err}");
    let summary = |more: &[&str]| {
        let v = json(&with(
            &with(&["run", DEAL, "--summary", "--format", "json"], sc),
            more,
        ));
        arr(&v, "bonds").clone()
    };
    let a = summary(&["--actuals", &actuals, "--settle", "2005-01-25"]);
    let b = summary(&[
        "--as-of",
        "2005-01",
        "--state",
        &state,
        "--tape",
        &tape,
        "--settle",
        "2005-01-25",
    ]);
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        for k in [
            "wal_years",
            "dm_bps",
            "yield_pct",
            "mod_duration",
            "factor",
            "accrued_pct",
            "spread_bps",
            "spread_duration",
        ] {
            assert!(x[k].is_number(), "{k}");
            assert_eq!(x[k], y[k], "{} {k}", x["bond"]);
        }
    }
}
