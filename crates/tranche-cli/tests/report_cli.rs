//! `tranche report`: failures leave an existing output directory untouched.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

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
