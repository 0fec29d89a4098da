//! `tranche strats` on the bundled reference tape against every published strat table.
//!
//! Tolerances: pool loan count and balance exact (to the dollar); in every table, every
//! published bucket present with its exact loan count and its balance share within 0.05
//! percentage points, and no extra bucket; GROSS WAC, NET WAC, REMG. TERM within 0.02
//! and WA MTR (printed as a whole number) equal after rounding, for the product,
//! coupon, months-to-roll, margin and maximum-rate tables.
//!
//! Prints a per-table fit summary (the largest deviation of each measure); run with
//! `cargo test -p tranche-cli --test strats_reference -- --nocapture` to see it.
//! Skipped (with a message) only while the bundled tape does not exist.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::published::{ours, read_published, PubRow, MEASURES};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

const STRICT_MEASURES: [&str; 5] = [
    "01_description",
    "05_current_gross_coupon",
    "16_range_of_months_to_roll",
    "17_range_of_margin",
    "18_range_of_maximum_rates",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn bundled_tape_reproduces_the_published_strats() {
    let deal = root().join("deals/impac-cmb-2004-1");
    if !deal.join("tape.csv").exists() {
        eprintln!(
            "SKIPPED: deals/impac-cmb-2004-1/tape.csv does not exist yet; this comparison \
             runs (strictly) as soon as the bundled tape is there"
        );
        return;
    }
    let out = Command::new(env!("CARGO_BIN_EXE_tranche"))
        .args(["strats", deal.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "tranche strats failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let fixtures = root().join("tests/fixtures/impac-cmb-2004-1");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures.join("manifest.json")).unwrap())
            .unwrap();

    let mut failures: Vec<(String, String)> = Vec::new();
    let ours_tables: BTreeMap<String, &Value> = report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["file_stem"].as_str().unwrap().to_string(), t))
        .collect();

    println!(
        "\n{:<52} {:>4} {:>4} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}",
        "table (max |ours - published| per measure)",
        "miss",
        "xtra",
        "loans",
        "%tot",
        "minW",
        "maxW",
        "gross",
        "net",
        "remg",
        "age",
        "fico",
        "ltv",
        "mtr"
    );
    for spec in manifest["strat_tables"].as_array().unwrap() {
        let file = spec["file"].as_str().unwrap();
        let stem = file
            .trim_start_matches("strat/")
            .trim_end_matches(".csv")
            .to_string();
        let published = read_published(&fixtures.join(file));
        let Some(t) = ours_tables.get(&stem) else {
            failures.push((format!("{stem}: table"), "missing from the output".into()));
            continue;
        };
        let rows: Vec<&Value> = t["rows"].as_array().unwrap().iter().collect();
        let our_data: BTreeMap<&str, &Value> = rows
            .iter()
            .filter(|r| r["row_type"] == "data")
            .map(|r| (r["description"].as_str().unwrap(), *r))
            .collect();
        let pub_data: Vec<&PubRow> = published.iter().filter(|r| r.row_type == "data").collect();
        let mut max_dev: BTreeMap<&str, f64> = MEASURES.iter().map(|m| (*m, 0.0)).collect();
        let mut missing = 0;
        for p in &pub_data {
            let Some(o) = our_data.get(p.label.as_str()) else {
                missing += 1;
                failures.push((
                    format!("{stem}: missing `{}`", p.label),
                    "published bucket not in the output".into(),
                ));
                continue;
            };
            for m in MEASURES {
                let (Some(Some(pv)), Some(ov)) = (p.values.get(m), ours(o, m)) else {
                    continue;
                };
                let dev = (ov - pv).abs();
                let e = max_dev.get_mut(m).unwrap();
                *e = e.max(dev);
            }
            let count = |r: &Value| r["loans"].as_u64().unwrap();
            let pub_count = p.values["# OF LOANS"].unwrap() as u64;
            if count(o) != pub_count {
                failures.push((
                    format!("{stem} `{}`: loans", p.label),
                    format!("{} loans, published {pub_count}", count(o)),
                ));
            }
            let dpct = (ours(o, "% OF TOTAL").unwrap() - p.values["% OF TOTAL"].unwrap()).abs();
            if dpct > 0.05 + 1e-9 {
                failures.push((
                    format!("{stem} `{}`: share", p.label),
                    format!("balance share off by {dpct:.3} pp (> 0.05)"),
                ));
            }
            if STRICT_MEASURES.contains(&stem.as_str()) {
                for m in ["GROSS WAC", "NET WAC", "REMG. TERM", "WA MTR"] {
                    let Some(Some(pv)) = p.values.get(m) else {
                        continue;
                    };
                    let Some(mut ov) = ours(o, m) else {
                        failures.push((format!("{stem} `{}`: {m}", p.label), "missing".into()));
                        continue;
                    };
                    if m == "WA MTR" {
                        ov = ov.round();
                    }
                    if (ov - pv).abs() > 0.02 + 1e-9 {
                        failures.push((
                            format!("{stem} `{}`: {m}", p.label),
                            format!("{ov:.4}, published {pv} (> 0.02)"),
                        ));
                    }
                }
            }
        }
        let extra: Vec<&str> = our_data
            .keys()
            .filter(|k| !pub_data.iter().any(|p| p.label == **k))
            .copied()
            .collect();
        for k in &extra {
            failures.push((
                format!("{stem}: extra `{k}`"),
                "not in the published table".into(),
            ));
        }
        // Totals row: count exact, and the DESCRIPTION (weighted-average labels) printed.
        let pub_total = published.iter().find(|r| r.row_type == "total").unwrap();
        let our_total = rows.iter().find(|r| r["row_type"] == "total").unwrap();
        let tc = our_total["loans"].as_u64().unwrap();
        let pc = pub_total.values["# OF LOANS"].unwrap() as u64;
        if tc != pc {
            failures.push((
                format!("{stem} totals: loans"),
                format!("{tc}, published {pc}"),
            ));
        }
        let ol = our_total["description"].as_str().unwrap();
        if ol != pub_total.label {
            println!(
                "  note: {stem} totals label `{ol}`, published `{}`",
                pub_total.label
            );
        }
        if let Some(notes) = spec["notes"].as_array() {
            let ours_notes: Vec<&str> = t["notes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_str().unwrap())
                .collect();
            let pub_notes: Vec<&str> = notes.iter().map(|n| n.as_str().unwrap()).collect();
            if ours_notes != pub_notes {
                failures.push((
                    format!("{stem}: notes"),
                    format!("{ours_notes:?}, published {pub_notes:?}"),
                ));
            }
        }
        let d = |m: &str| max_dev[m];
        println!(
            "{:<52} {:>4} {:>4} {:>6.0} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>6.2} {:>6.2} {:>6.1} {:>6.2} {:>6.2}",
            stem,
            missing,
            extra.len(),
            d("# OF LOANS"),
            d("% OF TOTAL"),
            d("MIN WAC"),
            d("MAX WAC"),
            d("GROSS WAC"),
            d("NET WAC"),
            d("REMG. TERM"),
            d("AGE"),
            d("FICO"),
            d("ORIG LTV"),
            d("WA MTR")
        );
    }

    // The pool: count and balance exact.
    let ps: Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures.join("pool_summary.json")).unwrap())
            .unwrap();
    let want_n = ps["figures_by_key"]["total_number_of_loans"]
        .as_u64()
        .unwrap();
    let want_bal = ps["figures_by_key"]["total_outstanding_balance"]
        .as_f64()
        .unwrap();
    let n = report["summary"]["loans"].as_u64().unwrap();
    let bal = report["summary"]["balance"].as_f64().unwrap();
    if n != want_n {
        failures.push(("pool: loans".into(), format!("{n}, published {want_n}")));
    }
    if (bal - want_bal).abs() >= 0.5 {
        failures.push((
            "pool: balance".into(),
            format!("{bal:.2}, published {want_bal}"),
        ));
    }
    // The summary figures, for the record.
    println!("\nsummary figure (ours vs published)");
    for f in report["summary"]["figures"].as_array().unwrap() {
        let key = f["key"].as_str().unwrap();
        if let (Some(o), Some(p)) = (f["value"].as_f64(), ps["figures_by_key"][key].as_f64()) {
            println!("  {key:<52} {o:>16.4} {p:>16.4} {:>10.4}", o - p);
        }
    }

    assert!(
        failures.is_empty(),
        "{} difference(s) from the published strats:\n{}",
        failures.len(),
        failures
            .iter()
            .map(|(k, d)| format!("{k}: {d}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
