//! `tranche strats` end to end on a small tape: formats, flags, and bad input (exit 2).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

const HEADER: &str = "loan_id,balance,gross_rate_pct,orig_term,rem_term,age,amort_type,io_months,servicing_fee_pct,mi_fee_pct,index,margin_pct,months_to_reset,first_reset_months,reset_freq_months,initial_cap_pct,periodic_cap_pct,life_cap_pct,life_floor_pct,rounding_pct,lookback_months,product,state,property_type,occupancy,purpose,doc_type,fico,orig_ltv_pct,dti_pct,prepay_penalty_months,prepay_penalty_type,orig_date,lien,delinquency";

/// Two 2/28s (100k at 5%, 300k at 6% with a 0.5% MI premium) and a 5/25 (100k at 4.5%).
fn write_tape(dir: &Path) -> std::path::PathBuf {
    let rows = [
        "1,100000,5.0,360,358,2,arm,0,0.375,0,LIBOR6M,3.0,22,24,6,3,1,11,3,0.125,1,2/28 LIB6M,CA,SFR,OWNER OCC,PUR,FULL,700,80,40,24,hard,,1,Current",
        "2,300000,6.0,360,360,0,arm,0,0.375,0.5,LIBOR6M,5.0,24,24,6,3,1,12,5,0.125,1,2/28 LIB6M,FL,PUD,OWNER OCC,REFI,REDUCED,,90,,0,,,1,Current",
        "3,100000,4.5,360,357,3,arm,0,0.375,0,LIBOR6M,2.5,57,60,6,5,1,9.5,2.5,0.125,1,5/25 LIB6M,CA,SFR,INV HM,PUR,FULL,780,60,20,36,soft,,1,Current",
    ];
    let p = dir.join("tape.csv");
    std::fs::write(&p, format!("{HEADER}\n{}\n", rows.join("\n"))).unwrap();
    p
}

fn tranche(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tranche"))
        .arg("strats")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn json_from_a_tape_with_fee_flags() {
    let dir = tempfile::tempdir().unwrap();
    let tape = write_tape(dir.path());
    let out = tranche(&[
        tape.to_str().unwrap(),
        "--format",
        "json",
        "--master-servicing-pct",
        "0.03",
        "--trustee-pct",
        "0.0043",
        "--cutoff-date",
        "2004-01-01",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tables"].as_array().unwrap().len(), 20);
    let total = v["tables"][0]["rows"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    // Gross (100·5 + 300·6 + 100·4.5) / 500 = 5.5; net = 5.5 − 0.375 − 0.03 − 0.0043
    // − 300/500·0.5 = 4.7907.
    assert!((total["gross_wac_pct"].as_f64().unwrap() - 5.5).abs() < 1e-9);
    assert!((total["net_wac_pct"].as_f64().unwrap() - 4.7907).abs() < 1e-9);
    // Next adjustment months from 01/04: +22 → 11/05, +24 → 01/06, +57 → 10/08.
    let dates: Vec<&str> = v["tables"][18]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["description"].as_str().unwrap())
        .collect();
    assert_eq!(dates[..3], ["11/05", "01/06", "10/08"]);
}

#[test]
fn csv_directory_and_missing_cutoff() {
    let dir = tempfile::tempdir().unwrap();
    let tape = write_tape(dir.path());
    let out_dir = dir.path().join("out");
    let out = tranche(&[
        tape.to_str().unwrap(),
        "--format",
        "csv",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Without a cut-off date the next-adjustment table is left out, with a note.
    assert!(String::from_utf8_lossy(&out.stderr).contains("Next Interest Adjustment Date"));
    // Two summary files, 19 tables and tranche's marker.
    let n = std::fs::read_dir(&out_dir).unwrap().count();
    assert_eq!(n, 2 + 19 + 1);
    assert!(out_dir.join(".tranche-output").is_file());
    let fico = std::fs::read_to_string(out_dir.join("11_collateral_grouped_by_fico.csv")).unwrap();
    assert!(fico
        .lines()
        .nth(1)
        .unwrap()
        .starts_with("Unknown,300000,1,60.00,"));
}

#[test]
fn markdown_and_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let tape = write_tape(dir.path());
    let out = tranche(&[tape.to_str().unwrap(), "--format", "md"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("### Range of Current Balance"));
    if cfg!(feature = "xlsx") {
        let out_dir = dir.path().join("x");
        let out = tranche(&[
            tape.to_str().unwrap(),
            "--format",
            "xlsx",
            "--out",
            out_dir.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            &std::fs::read(out_dir.join("strats.xlsx")).unwrap()[..2],
            b"PK"
        );
    }
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let tape = write_tape(dir.path());
    let t = tape.to_str().unwrap();
    // csv without --out
    let out = tranche(&[t, "--format", "csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--out"));
    // a tables file with decreasing edges
    let tables = dir.path().join("t.toml");
    std::fs::write(
        &tables,
        "[[table]]\nfile_stem = \"x\"\ntitle = \"X\"\nkey = \"fico\"\nbuckets = { kind = \"ranges\", edges = [700, 600] }\n",
    )
    .unwrap();
    let out = tranche(&[t, "--tables", tables.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("t.toml") && err.contains("edges"), "{err}");
    // a fee outside [0, 100)
    let out = tranche(&[t, "--trustee-pct=150"]);
    assert_eq!(out.status.code(), Some(2));
    // a missing input
    let out = tranche(&[dir.path().join("none.csv").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    // nothing was written next to the tape
    assert!(!dir.path().join("strats.md").exists());
}
