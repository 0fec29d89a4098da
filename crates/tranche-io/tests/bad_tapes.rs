#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Every malformed tape in `tests/bad_tapes/` and the exact message it gives.

use std::path::PathBuf;
use tranche_io::tape::read_tape;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/bad_tapes")
}

/// The error text with the directory stripped, so messages start at the file name.
fn message(name: &str) -> String {
    let path = dir().join(name);
    let e = read_tape(&path).expect_err(name);
    e.to_string().replace(&format!("{}/", dir().display()), "")
}

const CASES: &[(&str, &str)] = &[
    ("arm_missing_margin.csv", "arm_missing_margin.csv: row 1, field `margin_pct`: expected a percent rate between -100 and 100, got an empty cell"),
    ("bad_amort_type.csv", "bad_amort_type.csv: row 1, field `amort_type`: expected `fixed` or `arm`, got `balloon`"),
    ("bad_date.csv", "bad_date.csv: row 1, field `orig_date`: expected a calendar date YYYY-MM-DD, got `2004-02-30`"),
    ("cap_below_rate.csv", "cap_below_rate.csv: row 1, field `life_cap_pct`: lifetime cap 5% is below the current rate 5.5%"),
    ("duplicate_column.csv", "duplicate_column.csv: field `balance`: column appears twice in the header"),
    ("duplicate_id.csv", "duplicate_id.csv: row 2, field `loan_id`: duplicate loan_id `L2` (first seen in row 1)"),
    ("empty.csv", "empty.csv: the loan tape is empty; expected a header row and at least one data row"),
    ("empty_loan_id.csv", "empty_loan_id.csv: row 1, field `loan_id`: expected a loan id, got an empty cell"),
    ("floor_above_cap.csv", "floor_above_cap.csv: row 1, field `life_floor_pct`: lifetime floor 12% is above the lifetime cap 11.5%"),
    ("fractional_term.csv", "fractional_term.csv: row 1, field `rem_term`: expected a whole number between 0 and 10000, got `359.5`"),
    ("header_only.csv", "header_only.csv: the loan tape has a header but no data rows"),
    ("inf_balance.csv", "inf_balance.csv: row 1, field `balance`: expected a finite number, got `inf`"),
    ("missing_balance_column.csv", "missing_balance_column.csv: field `balance`: missing required column; the header has: loan_id, gross_rate_pct, orig_term, rem_term, amort_type"),
    ("nan_rate.csv", "nan_rate.csv: row 1, field `gross_rate_pct`: expected a finite number, got `NaN`"),
    ("negative_balance.csv", "negative_balance.csv: row 1, field `balance`: expected a balance >= 0, got -100"),
    ("non_number_balance.csv", "non_number_balance.csv: row 1, field `balance`: expected a number, got `12a4`"),
    ("rem_over_orig.csv", "rem_over_orig.csv: row 1, field `rem_term`: remaining term 361 exceeds the original term 360"),
    ("several_errors.csv", "several_errors.csv: row 1, field `balance`: expected a balance >= 0, got -1\n\
several_errors.csv: row 1, field `gross_rate_pct`: expected a number, got `abc`\n\
several_errors.csv: row 2, field `index`: unknown index `FOO`; expected one of LIBOR1M, LIBOR6M, LIBOR12M, CMT1Y\n\
several_errors.csv: row 2, field `orig_date`: expected a calendar date YYYY-MM-DD, got `2003-13-01`"),
    ("unknown_index.csv", "unknown_index.csv: row 1, field `index`: unknown index `PRIME`; expected one of LIBOR1M, LIBOR6M, LIBOR12M, CMT1Y"),
    ("whitespace_only.csv", "whitespace_only.csv: the loan tape is empty; expected a header row and at least one data row"),
    ("wrong_cell_count.csv", "wrong_cell_count.csv: row 1: expected 17 cells as in the header, found 18"),
    ("zero_reset_freq.csv", "zero_reset_freq.csv: row 1, field `reset_freq_months`: expected at least 1 month between rate changes, got 0"),
];

#[test]
fn each_bad_tape_gives_its_exact_message() {
    let mut failures = Vec::new();
    for (name, want) in CASES {
        let got = message(name);
        if got != *want {
            failures.push(format!("{name}:\n  want: {want:?}\n  got:  {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_file_in_the_suite_is_checked() {
    let mut names: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.starts_with("ok_"))
        .collect();
    names.sort();
    let listed: Vec<&str> = CASES.iter().map(|c| c.0).collect();
    assert_eq!(names, listed);
}

#[test]
fn bom_and_crlf_are_handled() {
    let loans = read_tape(dir().join("ok_bom_crlf.csv")).unwrap().loans;
    assert_eq!(loans.len(), 2);
    assert_eq!(loans[0].loan_id, "L1");
    assert_eq!(loans[1].loan_id, "L2");
    let arm = loans[0].arm.as_ref().unwrap();
    assert!((arm.life_cap - 0.115).abs() < 1e-15);
    assert!((loans[0].gross_rate - 0.055).abs() < 1e-15);
    assert_eq!(
        loans[0].orig_date,
        chrono::NaiveDate::from_ymd_opt(2003, 11, 15)
    );
}

#[test]
fn missing_file_names_the_path() {
    let e = read_tape(dir().join("no_such_file.csv"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("no_such_file.csv"), "{e}");
}

#[cfg(not(feature = "parquet"))]
#[test]
fn parquet_without_the_feature_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.parquet");
    std::fs::write(&p, b"PAR1").unwrap();
    let e = read_tape(&p).unwrap_err().to_string();
    assert!(e.contains("`parquet` feature"), "{e}");
}
