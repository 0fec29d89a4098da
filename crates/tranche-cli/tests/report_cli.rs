//! `tranche report` end to end: the reference deal's report (files, figures, the page in
//! Chromium), and failures that must leave an existing output directory untouched.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn tranche() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tranche"))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn reference_deal_report() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("impac");
    let o = tranche()
        .arg("report")
        .arg(repo().join("deals/impac-cmb-2004-1"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "exit {:?}\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    // Not a terminal: no progress bar on stderr, only the closing line.
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    for f in ["report.md", "report.html", "report.xlsx", "report.json"] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let tables = names(&out.join("tables"));
    for id in [
        "summary.csv",
        "price-dm-a-1-call.csv",
        "price-dm-m-4-maturity.csv",
        "available-funds-rate.csv",
    ] {
        assert!(tables.iter().any(|t| t == id), "{id} in {tables:?}");
    }
    assert!(
        tables
            .iter()
            .filter(|t| t.starts_with("collateral-"))
            .count()
            >= 10
    );

    // Figures the engine must reproduce: the term sheet's A-1 line (WAL to call 2.13 at the
    // pricing speed, payment window 1 - 47) within the tie-out tolerances.
    let summary = std::fs::read_to_string(out.join("tables/summary.csv")).unwrap();
    let mut rdr = csv::Reader::from_reader(summary.as_bytes());
    let head = rdr.headers().unwrap().clone();
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let a1 = rows.iter().find(|r| &r[0] == "A-1").unwrap();
    assert_eq!(&a1[col("Approximate Bond Balance")], "869000000");
    let wal: f64 = a1[col("WAL to Call (yrs)")].parse().unwrap();
    assert!((wal - 2.13).abs() <= 0.02, "A-1 WAL to call {wal}");
    assert_eq!(&a1[col("Payment Window to Call (mos)")], "1 - 47");
    let total = rows.last().unwrap();
    assert_eq!(&total[col("Approximate Bond Balance")], "1000000000");

    // The page in a browser.
    if let Some(chromium) = common::browser::find_chromium_or_skip("reference_deal_report") {
        let charts = names(&out.join("charts")).len();
        assert!(charts >= 9, "{charts} charts");
        common::browser::check_report_dir(&chromium, &out, charts);
    }
}

#[test]
fn failed_run_keeps_the_previous_output() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("report.md"), "previous report").unwrap();
    let o = tranche()
        .arg("report")
        .arg(root.path().join("no-such-deal"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("no-such-deal"));
    assert_eq!(
        std::fs::read_to_string(out.join("report.md")).unwrap(),
        "previous report"
    );
    assert_eq!(
        names(root.path()),
        ["out"],
        "nothing left beside the output"
    );
}

#[test]
fn bad_options_are_input_errors() {
    let root = tempfile::tempdir().unwrap();
    for args in [
        vec!["--price", "0"],
        vec!["--price", "abc"],
        vec!["--speeds", "100,-5"],
        vec!["--speeds", "x"],
    ] {
        let o = tranche()
            .arg("report")
            .arg(repo().join("deals/impac-cmb-2004-1"))
            .arg("--out")
            .arg(root.path().join("out"))
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(!root.path().join("out").exists(), "{args:?} wrote output");
    }
}
