//! The bad-input suite: the built `tranche` binary run on every case of `tests/bad_inputs/`,
//! each checked for its exact message and exit code, and for leaving no output behind.
//!
//! A case is a directory holding:
//! - `args`: the command line after `tranche`, split on whitespace;
//! - `edits` (optional): lines `file<TAB>old<TAB>new` (`\n` and `\t` escaped) applied to the
//!   work directory before the run; `old` must occur in the file;
//! - any other file, copied into the work directory at the same relative path;
//! - `expected`: `exit: <code>` on the first line, then the exact standard error. Code 2
//!   (bad input) for nearly every case; code 0 for a tape whose loans only warn: the
//!   command runs (its output on standard output) and prints the warnings;
//! - `feature` (optional): the cargo feature the case needs (`parquet`); the case is
//!   skipped in a build without it.
//!
//! The work directory starts as a copy of `tests/bad_inputs/_base/toy` under `deal/` (a
//! small valid deal with its tape and curves); the command runs there, so messages name
//! relative paths. `BLESS=1 cargo test -p tranche-cli --test bad_inputs` rewrites the
//! `expected` files from the current output (review the diff before committing).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/bad_inputs")
}

fn copy_tree(from: &Path, to: &Path, skip: &[&str]) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if skip.contains(&name.as_str()) {
            continue;
        }
        let dest = to.join(&name);
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &dest, &[]);
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// Every file under `dir` with its content, to check a failed run wrote nothing.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
                out.insert(rel, std::fs::read(e.path()).unwrap());
            }
        }
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("\\n", "\n").replace("\\t", "\t")
}

fn apply_edits(case: &Path, work: &Path) {
    let Ok(text) = std::fs::read_to_string(case.join("edits")) else {
        return;
    };
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let parts: Vec<&str> = line.split('\t').collect();
        assert_eq!(parts.len(), 3, "{}: bad edit line {line:?}", case.display());
        let file = work.join(parts[0]);
        let body = std::fs::read_to_string(&file).unwrap();
        let (old, new) = (unescape(parts[1]), unescape(parts[2]));
        assert!(
            body.contains(&old),
            "{}: `{old}` not found in {}",
            case.display(),
            parts[0]
        );
        std::fs::write(&file, body.replacen(&old, &new, 1)).unwrap();
    }
}

struct Outcome {
    code: Option<i32>,
    stderr: String,
    stdout_empty: bool,
}

fn run_case(case: &Path) -> (Outcome, bool) {
    let work = tempfile::tempdir().unwrap();
    copy_tree(
        &suite_dir().join("_base/toy"),
        &work.path().join("deal"),
        &[],
    );
    copy_tree(case, work.path(), &["args", "edits", "expected", "feature"]);
    apply_edits(case, work.path());
    let args = std::fs::read_to_string(case.join("args")).unwrap();
    let before = snapshot(work.path());
    let out = Command::new(env!("CARGO_BIN_EXE_tranche"))
        .args(args.split_whitespace())
        .current_dir(work.path())
        .env_remove("RUST_BACKTRACE")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let untouched = snapshot(work.path()) == before;
    (
        Outcome {
            code: out.status.code(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            stdout_empty: out.stdout.is_empty(),
        },
        untouched,
    )
}

fn render(o: &Outcome) -> String {
    let code = o.code.map_or("signal".to_string(), |c| c.to_string());
    format!("exit: {code}\n{}", o.stderr)
}

/// False for a case that needs a cargo feature this build lacks.
fn feature_built(case: &Path) -> bool {
    match std::fs::read_to_string(case.join("feature")) {
        Err(_) => true,
        Ok(f) => match f.trim() {
            "parquet" => cfg!(feature = "parquet"),
            other => panic!("{}: unknown feature `{other}`", case.display()),
        },
    }
}

#[test]
fn every_bad_input_fails_with_its_exact_message() {
    let bless = std::env::var_os("BLESS").is_some();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(suite_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && !p.file_name().unwrap().to_string_lossy().starts_with('_'))
        .collect();
    cases.sort();
    assert!(cases.len() >= 60, "only {} cases", cases.len());
    cases.retain(|c| feature_built(c));
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let (out, untouched) = run_case(case);
        let got = render(&out);
        if bless {
            std::fs::write(case.join("expected"), &got).unwrap();
        }
        let want = std::fs::read_to_string(case.join("expected")).unwrap_or_default();
        if got != want {
            failures.push(format!("{name}:\n--- expected\n{want}--- got\n{got}"));
        }
        // Bad input: exit 2 (never 1, a bug, nor a crash), nothing on stdout, nothing written.
        // A warning case: exit 0, its output on stdout only.
        let warns = want.starts_with("exit: 0\n");
        if warns {
            if out.code != Some(0) || out.stdout_empty {
                failures.push(format!(
                    "{name}: exit {:?} or no output, expected a run",
                    out.code
                ));
            }
        } else if out.code != Some(2) {
            failures.push(format!("{name}: exit {:?}, expected 2", out.code));
        }
        if !untouched || !(warns || out.stdout_empty) {
            failures.push(format!("{name}: wrote output or changed files"));
        }
        if out.stderr.contains("panicked") || out.stderr.contains("internal error") {
            failures.push(format!(
                "{name}: a bug, not an input error:\n{}",
                out.stderr
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// The base deal of the suite is valid: each case fails because of its own change only.
#[test]
fn base_deal_runs() {
    let work = tempfile::tempdir().unwrap();
    copy_tree(
        &suite_dir().join("_base/toy"),
        &work.path().join("deal"),
        &[],
    );
    let out = Command::new(env!("CARGO_BIN_EXE_tranche"))
        .args(["collateral", "deal"])
        .current_dir(work.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.stdout.is_empty());
}
