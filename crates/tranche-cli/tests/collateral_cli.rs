#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `tranche collateral` end to end: output columns, formats, per-loan file, exit codes.

use std::process::Command;

const TAPE: &str = "loan_id,balance,gross_rate_pct,orig_term,rem_term,age,amort_type,index,margin_pct,months_to_reset,reset_freq_months,initial_cap_pct,periodic_cap_pct,life_cap_pct,life_floor_pct,servicing_fee_pct\n\
A,100000,6.0,360,360,0,fixed,,,,,,,,,0.25\n\
B,200000,5.0,360,358,2,arm,LIBOR6M,3.5,4,6,3,1,11,3,0.375\n";

fn tranche(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tranche"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn tape_with_cpr_prints_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let tape = dir.path().join("tape.csv");
    std::fs::write(&tape, TAPE).unwrap();
    let per_loan = dir.path().join("loans.csv");
    let out = tranche(&[
        "collateral",
        tape.to_str().unwrap(),
        "--cpr",
        "0",
        "--index-rate",
        "2",
        "--first-payment",
        "2004-02-25",
        "--per-loan",
        per_loan.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "period,date,begin_balance,scheduled_principal,prepaid_principal,defaulted_principal,recoveries,realized_loss,gross_interest,net_interest,end_balance,wac,net_wac"
    );
    let first: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(first[0], "1");
    assert_eq!(first[1], "2004-02-25");
    assert_eq!(first[2], "300000.00");
    // Interest: 100,000 × 6% / 12 + 200,000 × 5% / 12.
    assert_eq!(first[8], "1333.33");
    // WAC 5.333333%, net of 0.25% and 0.375% servicing (weighted 0.333333%).
    assert_eq!(first[11], "5.333333");
    assert_eq!(first[12], "5.000000");
    assert_eq!(text.lines().count(), 1 + 360);
    let loans = std::fs::read_to_string(&per_loan).unwrap();
    assert!(loans.starts_with("loan_id,period,date,begin_balance,rate_pct,"));
    assert_eq!(loans.lines().count(), 1 + 360 + 358);
    // B resets in period 5 to 2% + 3.5% = 5.5%.
    let b4 = loans.lines().find(|l| l.starts_with("B,4,")).unwrap();
    assert!(b4.contains(",5.000000,"), "{b4}");
    let b5 = loans.lines().find(|l| l.starts_with("B,5,")).unwrap();
    assert!(b5.contains(",5.500000,"), "{b5}");

    let md = tranche(&[
        "collateral",
        tape.to_str().unwrap(),
        "--cpr",
        "10",
        "--index-rate",
        "2",
        "--format",
        "md",
    ]);
    assert!(md.status.success());
    assert!(String::from_utf8(md.stdout)
        .unwrap()
        .starts_with("| period | date | begin_balance |"));
    let js = tranche(&[
        "collateral",
        tape.to_str().unwrap(),
        "--cpr",
        "10",
        "--index-rate",
        "2",
        "--format",
        "json",
    ]);
    assert!(js.status.success());
    let v: serde_json::Value = serde_json::from_slice(&js.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 360);
    assert_eq!(v[0]["begin_balance"], 300000.0);
}

#[test]
fn bad_input_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let tape = dir.path().join("tape.csv");
    std::fs::write(&tape, TAPE).unwrap();
    let no_cpr = tranche(&["collateral", tape.to_str().unwrap()]);
    assert_eq!(no_cpr.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_cpr.stderr).contains("needs --cpr"));
    let no_rates = tranche(&["collateral", tape.to_str().unwrap(), "--cpr", "10"]);
    assert_eq!(no_rates.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_rates.stderr).contains("--index-rate"));
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, TAPE.replace("100000", "-1")).unwrap();
    let out = tranche(&[
        "collateral",
        bad.to_str().unwrap(),
        "--cpr",
        "10",
        "--index-rate",
        "2",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.csv: row 1, field `balance`: expected a balance >= 0, got -1"),
        "{err}"
    );
    let missing = tranche(&["collateral", "no-such-tape.csv", "--cpr", "10"]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn deal_directory_uses_the_deal_speed_fees_and_dates() {
    let dir = tempfile::tempdir().unwrap();
    let deal = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../deals/impac-cmb-2004-1/deal.toml"
    ))
    .unwrap();
    std::fs::write(dir.path().join("deal.toml"), deal).unwrap();
    // Two ARMs totalling the deal's Cut-off Date Balance.
    std::fs::write(
        dir.path().join("tape.csv"),
        "loan_id,balance,gross_rate_pct,orig_term,rem_term,age,amort_type,index,margin_pct,months_to_reset,reset_freq_months,initial_cap_pct,periodic_cap_pct,life_cap_pct,life_floor_pct,servicing_fee_pct\n\
         A,600000040,6.0,360,360,0,arm,LIBOR6M,3.5,24,6,3,1,12,3.5,0.375\n\
         B,400000000,5.0,360,360,0,arm,LIBOR6M,3.0,6,6,3,1,11,3,0.375\n",
    )
    .unwrap();
    let out = tranche(&["collateral", dir.path().to_str().unwrap(), "--speed", "100"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let first: Vec<&str> = text.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(first[1], "2004-02-25");
    assert_eq!(first[2], "1000000040.00");
    // Net WAC = 5.6% − 0.375% servicing − 0.03% master servicing − 0.0043% trustee.
    assert_eq!(first[12], "5.190700");
    // 100% of the pricing speed = 30% CPR: from period 2 (period 1 may be a partial month),
    // SMM 2.9286% of the balance after scheduled principal.
    let second: Vec<&str> = text.lines().nth(2).unwrap().split(',').collect();
    let begin: f64 = second[2].parse().unwrap();
    let sched: f64 = second[3].parse().unwrap();
    let prepaid: f64 = second[4].parse().unwrap();
    let smm = 1.0 - 0.7f64.powf(1.0 / 12.0);
    assert!((prepaid - smm * (begin - sched)).abs() < 0.05, "{prepaid}");
    // 2004-04-25 is a Sunday: period 3 pays on Monday the 26th.
    let third: Vec<&str> = text.lines().nth(3).unwrap().split(',').collect();
    assert_eq!(third[1], "2004-04-26");
    // Half the speed prepays less.
    let half = tranche(&["collateral", dir.path().to_str().unwrap(), "--speed", "50"]);
    let text = String::from_utf8(half.stdout).unwrap();
    let p: f64 = text
        .lines()
        .nth(2)
        .unwrap()
        .split(',')
        .nth(4)
        .unwrap()
        .parse()
        .unwrap();
    assert!(p < prepaid * 0.55 && p > prepaid * 0.45, "{p}");
}
