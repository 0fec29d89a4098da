#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `tranche run` and `tranche schema` from the outside: exit codes and messages.

use std::process::Command;

fn tranche(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tranche"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn malformed_deal_exits_2_with_line_and_column() {
    let (code, stdout, stderr) = tranche(&[
        "run",
        "crates/tranche-io/tests/bad_deals/negative_margin.toml",
    ]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr
            .contains("negative_margin.toml:33:63: bonds[1].coupon.margin_pct: expected a margin"),
        "{stderr}"
    );
    assert!(stderr.contains("^^^^^"), "{stderr}");
}

#[test]
fn bad_option_exits_2() {
    let (code, _, stderr) = tranche(&["run", "deals/impac-cmb-2004-1", "--speed=-5"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--speed"), "{stderr}");
}

#[test]
fn schema_prints_the_committed_schema() {
    let (code, stdout, _) = tranche(&["schema"]);
    assert_eq!(code, 0);
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/deal.schema.json"
    ))
    .unwrap();
    assert_eq!(stdout, committed);
}
