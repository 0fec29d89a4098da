//! The second bundled deal, Impac CMB Trust Series 2003-12 (a mixed pool: 3,835 ARMs and
//! 116 fixed-rate loans): its Computational Materials written by `tranche report`, a tape
//! that contradicts the deal's fee rules refused, and `tranche strats` on its bundled tape
//! against every one of the 20 published tables, the ARM-only ones included, with the reference deal's tolerances
//! (strats_reference.rs): pool count and balance as printed; in every table each published
//! bucket present with its exact loan count and its balance share within 0.05 percentage
//! points, no extra bucket, the totals row's count; GROSS WAC, NET WAC, REMG. TERM within
//! 0.02 and WA MTR equal after rounding in the product, coupon, months-to-roll, margin and
//! maximum-rate tables; each table's note. A published figure the tape cannot meet must be
//! explained by one of the source's own inconsistencies listed in the fixture manifest
//! (`source_issues`); the test fails on anything else, and on an explanation it no longer
//! needs.
//!
//! Prints the per-table fit (`cargo test -p tranche-cli --test impac_2003_12 --
//! --nocapture`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::published::{ours, read_published, PubRow, MEASURES};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const STRICT: [&str; 5] = [
    "01_description",
    "05_current_gross_coupon",
    "16_range_of_months_to_roll",
    "17_range_of_margin",
    "18_range_of_maximum_rates",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A difference from the published table, and the source issue (by kind and the table's
/// title) that explains it, if one is accepted for it.
struct Miss {
    what: String,
    detail: String,
    explained_by: Option<(&'static str, &'static str)>,
}

/// The source's own inconsistencies (fixture manifest `source_issues`), as (kind, detail).
fn source_issues(manifest: &Value) -> Vec<(String, String)> {
    manifest["source_issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap().to_string(),
                i["detail"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn bundled_tape_reproduces_the_published_strats() {
    let deal = root().join("deals/impac-cmb-2003-12");
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
    let fixtures = root().join("tests/fixtures/impac-cmb-2003-12");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures.join("manifest.json")).unwrap())
            .unwrap();
    let issues = source_issues(&manifest);
    let ours_tables: BTreeMap<String, &Value> = report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["file_stem"].as_str().unwrap().to_string(), t))
        .collect();

    let mut misses: Vec<Miss> = Vec::new();
    let mut miss = |what: String, detail: String| {
        misses.push(Miss {
            what,
            detail,
            explained_by: None,
        })
    };
    println!(
        "\n{:<52} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}",
        "table (max |ours - published| per measure)",
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
    let mut notes_checked = Vec::new();
    for spec in manifest["strat_tables"].as_array().unwrap() {
        let file = spec["file"].as_str().unwrap();
        let stem = file
            .trim_start_matches("strat/")
            .trim_end_matches(".csv")
            .to_string();
        let published = read_published(&fixtures.join(file));
        let t = ours_tables
            .get(&stem)
            .unwrap_or_else(|| panic!("{stem}: missing from the output"));
        let rows: Vec<&Value> = t["rows"].as_array().unwrap().iter().collect();
        let our_data: BTreeMap<&str, &Value> = rows
            .iter()
            .filter(|r| r["row_type"] == "data")
            .map(|r| (r["description"].as_str().unwrap(), *r))
            .collect();
        let pub_data: Vec<&PubRow> = published.iter().filter(|r| r.row_type == "data").collect();
        let mut max_dev: BTreeMap<&str, f64> = MEASURES.iter().map(|m| (*m, 0.0)).collect();
        for p in &pub_data {
            let Some(o) = our_data.get(p.label.as_str()) else {
                miss(format!("{stem}: `{}`", p.label), "bucket missing".into());
                continue;
            };
            for m in MEASURES {
                if let (Some(Some(pv)), Some(ov)) = (p.values.get(m), ours(o, m)) {
                    let e = max_dev.get_mut(m).unwrap();
                    *e = e.max((ov - pv).abs());
                }
            }
            let count = o["loans"].as_u64().unwrap();
            let pub_count = p.values["# OF LOANS"].unwrap() as u64;
            if count != pub_count {
                miss(
                    format!("{stem} `{}`: loans", p.label),
                    format!("{count}, published {pub_count}"),
                );
            }
            let dpct = (ours(o, "% OF TOTAL").unwrap() - p.values["% OF TOTAL"].unwrap()).abs();
            if dpct > 0.05 + 1e-9 {
                miss(
                    format!("{stem} `{}`: share", p.label),
                    format!("off by {dpct:.3} pp (> 0.05)"),
                );
            }
            if STRICT.contains(&stem.as_str()) {
                for m in ["GROSS WAC", "NET WAC", "REMG. TERM", "WA MTR"] {
                    let Some(Some(pv)) = p.values.get(m) else {
                        continue;
                    };
                    let mut ov = ours(o, m).unwrap();
                    if m == "WA MTR" {
                        ov = ov.round();
                    }
                    if (ov - pv).abs() > 0.02 + 1e-9 {
                        miss(
                            format!("{stem} `{}`: {m}", p.label),
                            format!("{ov:.4}, published {pv} (> 0.02)"),
                        );
                    }
                }
            }
        }
        for k in our_data.keys() {
            if !pub_data.iter().any(|p| p.label == *k) {
                miss(format!("{stem}: extra `{k}`"), "not published".into());
            }
        }
        let pub_total = published.iter().find(|r| r.row_type == "total").unwrap();
        let our_total = rows.iter().find(|r| r["row_type"] == "total").unwrap();
        let (tc, pc) = (
            our_total["loans"].as_u64().unwrap(),
            pub_total.values["# OF LOANS"].unwrap() as u64,
        );
        if tc != pc {
            miss(
                format!("{stem} totals: loans"),
                format!("{tc}, published {pc}"),
            );
        }
        let ours_notes: Vec<&str> = t["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        let pub_notes: Vec<&str> = spec["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        notes_checked.push(stem.clone());
        if ours_notes != pub_notes {
            miss(
                format!("{stem}: notes"),
                format!("{ours_notes:?}, published {pub_notes:?}"),
            );
        }
        let d = |m: &str| max_dev[m];
        println!(
            "{:<52} {:>6.0} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>6.2} {:>6.2} {:>6.1} {:>6.2} {:>6.2}",
            stem,
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
    assert_eq!(notes_checked.len(), 20, "every published table compared");

    // The pool as printed: 3,951 loans; $1,000,000,139 (the term sheet's own ARM and fixed
    // balances sum to $1,000,000,138: manifest `term_sheet_rounding`).
    let ps: Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures.join("pool_summary.json")).unwrap())
            .unwrap();
    let n = report["summary"]["loans"].as_u64().unwrap();
    let bal = report["summary"]["balance"].as_f64().unwrap();
    let want_bal = ps["figures_by_key"]["total_outstanding_balance"]
        .as_f64()
        .unwrap();
    if n != ps["figures_by_key"]["total_number_of_loans"]
        .as_u64()
        .unwrap()
    {
        miss("pool: loans".into(), format!("{n}"));
    }
    if (bal - want_bal).abs() >= 0.5 {
        miss(
            "pool: balance".into(),
            format!("{bal:.2}, published {want_bal}"),
        );
    }
    println!("\nsummary figure (ours vs published)");
    for f in report["summary"]["figures"].as_array().unwrap() {
        let key = f["key"].as_str().unwrap();
        if let (Some(o), Some(p)) = (f["value"].as_f64(), ps["figures_by_key"][key].as_f64()) {
            println!("  {key:<52} {o:>16.4} {p:>16.4} {:>10.4}", o - p);
        }
    }

    // The source's own inconsistencies that explain a difference.
    let explanations: [(&str, &str, &str); 1] = [(
        // The term sheet prints no "(Excludes 116 Fixed Rate Mortgages)" note over this
        // ARM-only table though its totals are the ARM loans'; tranche prints it.
        "19_next_interest_adjustment_date: notes",
        "strat_subset_unlabelled",
        "Next Interest Adjustment Date",
    )];
    let mut used = vec![false; explanations.len()];
    for m in &mut misses {
        for (k, (what, kind, title)) in explanations.iter().enumerate() {
            let listed = issues
                .iter()
                .any(|(ik, id)| ik == kind && id.starts_with(title));
            assert!(
                listed,
                "explanation `{kind}` for {title} not in the manifest"
            );
            if m.what == *what {
                m.explained_by = Some((kind, title));
                used[k] = true;
            }
        }
    }
    for m in misses.iter().filter(|m| m.explained_by.is_some()) {
        let (kind, title) = m.explained_by.unwrap();
        println!(
            "explained: {}: {} (source issue `{kind}`: {title})",
            m.what, m.detail
        );
    }
    let unexplained: Vec<String> = misses
        .iter()
        .filter(|m| m.explained_by.is_none())
        .map(|m| format!("{}: {}", m.what, m.detail))
        .collect();
    assert!(
        unexplained.is_empty(),
        "{} difference(s) from the published strats:\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
    let stale: Vec<&str> = explanations
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(e, _)| e.0)
        .collect();
    assert!(stale.is_empty(), "explanations no longer needed: {stale:?}");
}

fn tranche() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tranche"))
}

fn csv_rows(path: &Path) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    (h, r.records().map(|x| x.unwrap()).collect())
}

/// The whole report: the term-sheet summary of the six classes (the term sheet's balances;
/// a call window shorter than the maturity window), a Price/DM report per class and
/// horizon at the five speeds, the Available Funds Rate schedule, the collateral tables
/// with the ARM-only ones saying what they leave out.
#[test]
fn report_writes_the_computational_materials() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("impac-cmb-2003-12");
    let o = tranche()
        .arg("report")
        .arg(root().join("deals/impac-cmb-2003-12"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in ["report.md", "report.html", "report.xlsx", "report.json"] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let (h, rows) = csv_rows(&out.join("tables/summary.csv"));
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let classes = [
        ("A-1", "861000000"),
        ("A-2", "33000000"),
        ("M-1", "35000000"),
        ("M-2", "46500000"),
        ("M-3", "17000000"),
        ("M-4", "7500000"),
    ];
    for (class, bal) in classes {
        let r = rows.iter().find(|r| &r[0] == class).unwrap();
        assert_eq!(&r[col("Approximate Bond Balance")], bal);
        let wal_call: f64 = r[col("WAL to Call (yrs)")].parse().unwrap();
        let wal_mat: f64 = r[col("WAL to Maturity (yrs)")].parse().unwrap();
        assert!(
            wal_call > 1.0 && wal_call <= wal_mat && wal_mat < 10.0,
            "{class}"
        );
        let last = |w: &str| -> u32 { w.rsplit(' ').next().unwrap().parse().unwrap() };
        assert!(
            last(&r[col("Payment Window to Call (mos)")])
                < last(&r[col("Payment Window to Maturity (mos)")]),
            "{class}"
        );
        for horizon in ["call", "maturity"] {
            let f = format!(
                "tables/price-dm-{}-{horizon}.csv",
                class.to_ascii_lowercase()
            );
            let (h, _) = csv_rows(&out.join(f));
            assert_eq!(h.len(), 6, "{class} {horizon}: five speeds");
        }
    }
    let (_, afr) = csv_rows(&out.join("tables/available-funds-rate.csv"));
    assert!(afr.len() >= 12, "{} AFR periods", afr.len());
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert_eq!(md.matches("(Excludes 116 Fixed Rate Mortgages)").count(), 4);
    assert!(md.contains("$1,450,000.01 - $1,500,000.00"));
}

/// `tranche strats` refuses a tape whose servicing fees contradict the deal's rules (here
/// the fixed-rate loans charged the ARM rate), naming the deal file and the field.
#[test]
fn strats_refuses_a_tape_that_breaks_the_deal_fee_rules() {
    let dir = tempfile::tempdir().unwrap();
    let src = root().join("deals/impac-cmb-2003-12");
    let deal = std::fs::read_to_string(src.join("deal.toml")).unwrap();
    assert!(deal.contains("servicing_fee_pct = { arm = 0.375, fixed = 0.25 }"));
    std::fs::write(
        dir.path().join("deal.toml"),
        deal.replace("fixed = 0.25", "fixed = 0.375"),
    )
    .unwrap();
    std::fs::copy(src.join("tape.csv"), dir.path().join("tape.csv")).unwrap();
    let o = tranche()
        .args(["strats", dir.path().to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("deal.toml: field `collateral.servicing_fee_pct.fixed`")
            && err.contains("116 of the tape's 116"),
        "{err}"
    );
    assert!(o.stdout.is_empty());
}
