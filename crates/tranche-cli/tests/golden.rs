//! Golden files: every command's output on the reference deal, byte for byte.
//!
//! The files under `tests/golden/impac-cmb-2004-1/` were written by the commands below.
//! A change that moves any of them must be deliberate: rerun with `BLESS=1` and explain
//! the diff in the commit that changes them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

const DEAL: &str = "deals/impac-cmb-2004-1";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn golden_dir() -> PathBuf {
    root().join("tests/golden/impac-cmb-2004-1")
}

fn tranche(args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_tranche"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "tranche {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Compares `got` with the golden file `name` (or rewrites it under `BLESS=1`); returns a
/// description of the mismatch.
fn check(name: &str, got: &[u8]) -> Option<String> {
    let path = golden_dir().join(name);
    if std::env::var_os("BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got).unwrap();
        return None;
    }
    let want = std::fs::read(&path).unwrap_or_default();
    if want == got {
        return None;
    }
    let (w, g) = (String::from_utf8_lossy(&want), String::from_utf8_lossy(got));
    let line = w
        .lines()
        .zip(g.lines())
        .position(|(a, b)| a != b)
        .unwrap_or(w.lines().count().min(g.lines().count()));
    Some(format!(
        "{name}: differs from the golden file at line {}:\n  want: {}\n  got:  {}",
        line + 1,
        w.lines().nth(line).unwrap_or("<end>"),
        g.lines().nth(line).unwrap_or("<end>")
    ))
}

/// The command lines whose standard output is kept, by golden file name.
const COMMANDS: &[(&str, &[&str])] = &[
    ("price-table.csv", &["price-table", DEAL]),
    ("afr.csv", &["afr", DEAL]),
    ("run-call.csv", &["run", DEAL]),
    (
        "run-maturity-losses.csv",
        &[
            "run",
            DEAL,
            "--to",
            "maturity",
            "--cdr",
            "30",
            "--severity",
            "60",
            "--lag",
            "6",
        ],
    ),
    (
        "ledger-maturity-losses.csv",
        &[
            "run",
            DEAL,
            "--to",
            "maturity",
            "--cdr",
            "5",
            "--severity",
            "40",
            "--lag",
            "12",
            "--ledger",
        ],
    ),
    (
        "collateral.csv",
        &[
            "collateral",
            DEAL,
            "--speed",
            "100",
            "--cdr",
            "2",
            "--severity",
            "35",
            "--lag",
            "6",
        ],
    ),
    ("strats.md", &["strats", DEAL]),
    (
        "grid.csv",
        &[
            "grid",
            DEAL,
            "--speeds",
            "50,100",
            "--cdr",
            "0,5",
            "--severity",
            "40",
            "--shocks",
            "0,100",
        ],
    ),
];

#[test]
fn command_outputs_match_their_golden_files() {
    let failures: Vec<String> = COMMANDS
        .iter()
        .filter_map(|(name, args)| check(name, &tranche(args)))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn report_tables_match_their_golden_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report");
    tranche(&["report", DEAL, "--out", out.to_str().unwrap()]);
    let mut names: Vec<String> = std::fs::read_dir(out.join("tables"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() > 20, "{names:?}");
    let mut failures = Vec::new();
    for n in &names {
        let got = std::fs::read(out.join("tables").join(n)).unwrap();
        failures.extend(check(&format!("report/tables/{n}"), &got));
    }
    failures.extend(check(
        "report/report.md",
        &std::fs::read(out.join("report.md")).unwrap(),
    ));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
