//! The desk's commands on the reference deal: `breakeven`, pricing any way round in `run
//! --summary`, `price-table` and `grid` (`--dm`, `--yield`, `--spread`, `--settle`), and
//! the loss and yield table (`grid --loss-yield`); bad input exits 2 naming the flag.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::cli::tranche;

const DEAL: &str = "deals/impac-cmb-2004-1";

fn ok(args: &[&str]) -> String {
    let (code, out, err) = tranche(args);
    assert_eq!(code, 0, "tranche {}: {err}", args.join(" "));
    out
}

fn csv_rows(text: &str) -> Vec<csv::StringRecord> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap())
        .collect()
}

fn header(text: &str) -> Vec<String> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    r.headers().unwrap().iter().map(String::from).collect()
}

#[test]
fn m4_first_loss_breakeven_by_speed() {
    let out = ok(&[
        "breakeven",
        DEAL,
        "--class",
        "M-4",
        "--speeds",
        "50,100,150",
        "--severities",
        "40",
        "--lags",
        "12",
    ]);
    assert_eq!(
        header(&out),
        [
            "Class",
            "Target",
            "Speed (% of pricing)",
            "Severity (%)",
            "Lag (months)",
            "Breakeven CDR (%)",
            "Cumulative Pool Loss (%)",
            "Class Principal Loss (%)",
            "Note"
        ]
    );
    let rows = csv_rows(&out);
    assert_eq!(rows.len(), 3);
    let cdr: Vec<f64> = rows.iter().map(|r| r[5].parse().unwrap()).collect();
    // The hand bisection of the issue: 3.955 at 100% speed (3.95 no loss, 3.96 a loss).
    assert_eq!(cdr[1], 3.96, "{out}");
    // A default run at the breakeven shows the loss, one step below none.
    let loss = |cdr: &str| {
        let s = ok(&[
            "run",
            DEAL,
            "--summary",
            "--to",
            "maturity",
            "--cdr",
            cdr,
            "--severity",
            "40",
            "--lag",
            "12",
        ]);
        let m4 = csv_rows(&s).into_iter().find(|r| &r[0] == "M-4").unwrap();
        m4[10].parse::<f64>().unwrap()
    };
    assert!(loss("3.96") > 0.0001);
    assert_eq!(loss("3.95"), 0.0);
    // The defaults are 100% speed, 40% severity, 12 months: the same row.
    let default = ok(&["breakeven", DEAL, "--class", "M-4"]);
    assert_eq!(csv_rows(&default)[0], rows[1]);
}

#[test]
fn breakeven_targets_axes_and_formats() {
    let out = ok(&[
        "breakeven",
        DEAL,
        "--class",
        "M-4",
        "--target",
        "first-loss,loss-pct=10",
        "--target",
        "yield=0",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    let rate = |k: usize| rows[k]["cells"][5].as_f64().unwrap();
    assert!(rate(0) < rate(2) && rate(2) < rate(1), "{out}");
    let sda = ok(&["breakeven", DEAL, "--class", "M-4", "--over", "sda"]);
    assert_eq!(header(&sda)[5], "Breakeven SDA (%)");
    let v = ok(&[
        "breakeven",
        DEAL,
        "--class",
        "M-4",
        "--over",
        "default-vector-multiple",
        "--cdr-vector",
        "2",
        "--format",
        "md",
    ]);
    // A multiple of a flat 2% CDR vector: the CDR breakeven (3.95 no loss, 3.96 a loss)
    // over 2%, to the multiple's finer tolerance of 0.1%.
    let row = v.lines().find(|l| l.starts_with("| M-4 |")).unwrap();
    let mult: f64 = row.split('|').nth(6).unwrap().trim().parse().unwrap();
    assert!(mult * 0.02 > 3.95 && mult * 0.02 <= 3.96 + 0.002, "{v}");
}

#[test]
fn breakeven_bad_input_exits_2_naming_the_flag() {
    for (args, want) in [
        (
            vec!["--class", "Z-9"],
            "--class: no class `Z-9` in the deal",
        ),
        (
            vec!["--class", "M-4", "--target", "loss"],
            "--target: expected first-loss",
        ),
        (
            vec!["--class", "M-4", "--cdr", "5"],
            "--cdr: the breakeven solves",
        ),
        (
            vec!["--class", "M-4", "--dm", "50"],
            "--dm: yield and DM targets",
        ),
        (
            vec!["--class", "M-4", "--over", "psa"],
            "--over: expected cdr, sda",
        ),
        (
            vec!["--class", "M-4", "--over", "default-vector-multiple"],
            "--cdr-vector",
        ),
        (
            vec!["--class", "M-4", "--scan-step", "0.001"],
            "--scan-step: expected a step",
        ),
        (
            vec!["--class", "M-4", "--severities", "40,140"],
            "--severities: expected percent",
        ),
        (
            vec!["--class", "M-4", "--lags", "2.5"],
            "--lags: expected a whole number",
        ),
        (
            vec!["--class", "M-4", "--speeds", "-5"],
            "--speeds: expected percent",
        ),
        (vec!["--class", "M-4", "--threads", "0"], "--threads"),
    ] {
        let mut a = vec!["breakeven", DEAL];
        a.extend(&args);
        let (code, out, err) = tranche(&a);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
    }
}

#[test]
fn breakeven_out_file_is_replaced_only_if_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("be.csv");
    let path = p.to_str().unwrap();
    let args = ["breakeven", DEAL, "--class", "M-4", "--out", path];
    ok(&args);
    let first = std::fs::read_to_string(&p).unwrap();
    assert!(first.starts_with("Class,Target,"));
    ok(&args);
    std::fs::write(&p, "someone else's notes\n").unwrap();
    let (code, _, err) = tranche(&args);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--out") && err.contains("refusing"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&p).unwrap(),
        "someone else's notes\n"
    );
    // Never over an input: the deal's own tape (a copy of the deal, to be safe).
    let deal = dir.path().join("deal");
    std::fs::create_dir(&deal).unwrap();
    let src = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join(DEAL);
    for f in ["deal.toml", "tape.csv", "curves.csv"] {
        std::fs::copy(src.join(f), deal.join(f)).unwrap();
    }
    let tape = deal.join("tape.csv");
    let before = std::fs::read(&tape).unwrap();
    let (code, _, err) = tranche(&[
        "breakeven",
        deal.to_str().unwrap(),
        "--class",
        "M-4",
        "--out",
        tape.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--out") && err.contains("input"), "{err}");
    assert_eq!(std::fs::read(&tape).unwrap(), before);
}

#[test]
fn run_summary_prices_any_way_round() {
    let json = |extra: &[&str]| {
        let mut a = vec![
            "run",
            DEAL,
            "--summary",
            "--format",
            "json",
            "--deal-curves",
        ];
        a.extend(extra);
        let v: serde_json::Value = serde_json::from_str(&ok(&a)).unwrap();
        v["bonds"].as_array().unwrap().clone()
    };
    let settle = ["--settle", "2005-03-10"];
    let at_dm = json(&[&settle[..], &["--dm", "50"]].concat());
    for b in &at_dm {
        let price = b["price"].as_f64().unwrap();
        let y = b["yield_pct"].as_f64().unwrap();
        let s = b["spread_bps"].as_f64().unwrap();
        assert!((b["dm_bps"].as_f64().unwrap() - 50.0).abs() < 1e-8);
        // On its own forward curves the spread is the DM.
        assert!((s - 50.0).abs() < 1e-8, "{b}");
        assert!(b["accrued_pct"].as_f64().unwrap() > 0.0);
        assert!(b["factor"].as_f64().unwrap() < 1.0);
        for q in [
            ["--price", &format!("{price:.12}")],
            ["--yield", &format!("{y:.12}")],
        ] {
            let back = json(&[&settle[..], &q[..]].concat());
            let o = back.iter().find(|o| o["bond"] == b["bond"]).unwrap();
            for f in ["price", "dm_bps", "yield_pct", "spread_bps"] {
                let (a, c) = (o[f].as_f64().unwrap(), b[f].as_f64().unwrap());
                assert!((a - c).abs() < 1e-8, "{q:?} {}: {f} {a} vs {c}", b["bond"]);
            }
        }
    }
    // The CSV carries the new columns after the old ones.
    let text = ok(&["run", DEAL, "--summary"]);
    let h = header(&text);
    assert_eq!(h[10], "principal_loss_pct");
    assert_eq!(
        &h[11..],
        [
            "price",
            "accrued_pct",
            "factor",
            "spread_bps",
            "yield_monthly_pct",
            "spread_duration",
            "eff_duration",
            "eff_convexity",
            "first_loss"
        ]
    );
    let a1 = &csv_rows(&text)[0];
    // At issue, flat: par, nothing accrued, factor 1; the first coupon is fixed, so the
    // floater's effective duration is its first period (27 days / 360).
    assert_eq!(
        (&a1[11], &a1[12], &a1[13]),
        ("100.000000", "0.000000", "1.00000000")
    );
    let eff: f64 = a1[17].parse().unwrap();
    assert!((eff - 27.0 / 360.0).abs() < 0.003, "{eff}");
}

#[test]
fn pricing_flags_bad_input_exits_2() {
    for (args, want) in [
        (
            vec!["run", DEAL, "--summary", "--settle", "2003-12-01"],
            "--settle: expected a date on or after the closing date (2004-01-29)",
        ),
        (
            vec!["run", DEAL, "--summary", "--settle", "March"],
            "--settle: expected a date YYYY-MM-DD",
        ),
        (
            vec!["run", DEAL, "--summary", "--dm", "99999"],
            "--dm: expected basis points from -5000 to 50000",
        ),
        (
            vec!["run", DEAL, "--summary", "--dm", "50", "--price", "99"],
            "--price",
        ),
        (
            vec!["run", DEAL, "--summary", "--eff-shift", "0"],
            "--eff-shift: expected basis points above 0",
        ),
        (vec!["run", DEAL, "--eff-shift", "10"], "--summary"),
        (
            vec!["run", DEAL, "--summary", "--yield", "1,2"],
            "--yield: this command runs one scenario",
        ),
    ] {
        let (code, out, err) = tranche(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}");
    }
}

#[test]
fn price_table_and_grid_take_a_quote() {
    let t = ok(&["price-table", DEAL, "--dm", "75", "--speeds", "100"]);
    for r in csv_rows(&t) {
        assert_eq!(&r[3], "75.000000", "{t}");
    }
    // Two DMs are an axis of the grid; the loss and yield table shows the price each gives.
    let g = ok(&[
        "grid",
        DEAL,
        "--speeds",
        "100",
        "--cdr",
        "0,6",
        "--severity",
        "40",
        "--dm",
        "50,150",
        "--loss-yield",
    ]);
    let h = header(&g);
    assert_eq!(
        h,
        [
            "Speed (% of pricing)",
            "CDR (%)",
            "Severity (%)",
            "Shock (bp)",
            "Quoted DM (bps)",
            "Class",
            "Cumulative Pool Loss (%)",
            "Price",
            "Yield (%)",
            "DM (bps)",
            "WAL (yrs)",
            "Principal Loss (%)",
            "First Loss"
        ]
    );
    let rows = csv_rows(&g);
    assert_eq!(rows.len(), 2 * 2 * 6);
    let price = |cdr: &str, dm: &str, class: &str| -> f64 {
        rows.iter()
            .find(|r| &r[1] == cdr && &r[4] == dm && &r[5] == class)
            .unwrap()[7]
            .parse()
            .unwrap()
    };
    // A wider DM is a lower price; losses lower it more.
    assert!(price("0", "150", "M-4") < price("0", "50", "M-4"));
    assert!(price("6", "50", "M-4") < price("0", "50", "M-4") - 10.0);
    let m4_6 = rows
        .iter()
        .find(|r| &r[1] == "6" && &r[4] == "50" && &r[5] == "M-4")
        .unwrap();
    assert!(m4_6[11].parse::<f64>().unwrap() > 10.0);
    assert!(m4_6[12].starts_with("20"), "{m4_6:?}");
    // The default layout of the grid is unchanged.
    let plain = ok(&[
        "grid",
        DEAL,
        "--speeds",
        "100",
        "--cdr",
        "0",
        "--severity",
        "40",
    ]);
    assert!(plain.starts_with("speed_pct,cdr_pct,severity_pct,shock_bps,pool_loss_pct,class,"));
}
