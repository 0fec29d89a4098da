//! The table commands' handling of bad input: exit code 2, a message naming what was
//! wrong, nothing written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

fn tranche(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tranche"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_speeds_exit_2() {
    let (code, err) = tranche(&[
        "price-table",
        "deals/impac-cmb-2004-1",
        "--speeds",
        "0,fast",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--speeds") && err.contains("fast"), "{err}");
}

#[test]
fn bad_format_exit_2() {
    let (code, err) = tranche(&["price-table", "deals/impac-cmb-2004-1", "--format", "pdf"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("pdf"), "{err}");
}

#[test]
fn missing_deal_exit_2_and_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.csv");
    let (code, err) = tranche(&[
        "price-table",
        "no/such/deal",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no/such/deal"), "{err}");
    assert!(!out.exists());
}

#[test]
fn bad_shock_and_grid_axes_exit_2() {
    let (code, err) = tranche(&["afr", "deals/impac-cmb-2004-1", "--shock-from", "0"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--shock-from"), "{err}");
    let (code, err) = tranche(&["grid", "deals/impac-cmb-2004-1", "--cdr", ""]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--cdr"), "{err}");
}
