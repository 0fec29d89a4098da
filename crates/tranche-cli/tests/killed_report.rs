//! A `tranche report` killed with SIGKILL at many points of its run leaves the output
//! directory either as the previous complete report or as the new complete one — never a
//! partial tree — and nothing visible beside it; the next run clears hidden leftovers.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

fn deal() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deals/impac-cmb-2004-1")
}

fn report(out: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tranche"));
    c.arg("report")
        .arg(deal())
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// A zip archive that was written to its end: its last bytes hold the end-of-central-
/// directory record (a truncated file does not).
fn complete_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
        && bytes
            .windows(4)
            .rev()
            .take(64 * 1024)
            .any(|w| w == b"PK\x05\x06")
}

/// Every file under `dir` by relative path. The workbook carries the time of writing (its
/// size can vary by a byte), so it is checked to be a complete zip; every other file is
/// compared byte for byte.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
                continue;
            }
            let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
            let bytes = std::fs::read(e.path()).unwrap();
            let key = if rel.ends_with(".xlsx") {
                assert!(complete_zip(&bytes), "{rel} is not a complete workbook");
                b"complete workbook".to_vec()
            } else {
                bytes
            };
            out.insert(rel, key);
        }
    }
    out
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
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
fn sigkill_leaves_the_old_or_the_new_report_whole() {
    let root = tempfile::tempdir().unwrap();
    // The complete new report, and how long a run takes on this machine now.
    let reference = root.path().join("reference");
    let t0 = Instant::now();
    assert!(report(&reference).status().unwrap().success());
    let full = t0.elapsed();
    let new = snapshot(&reference);
    assert!(new.len() > 10, "{} files", new.len());
    // The previous output: a complete report marked so it can be told from the new one.
    let previous = root.path().join("previous");
    copy_tree(&reference, &previous);
    std::fs::write(previous.join("PREVIOUS"), "the report of an earlier run").unwrap();
    let old = snapshot(&previous);
    assert_ne!(old, new, "the old and the new report must be told apart");

    let work = root.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let out = work.join("out");
    let (mut saw_old, mut saw_new) = (0, 0);
    // Kill points spread over the whole run, denser near the end where files are written
    // and the directory is swapped; the last run (`None`) is not killed, so at least one
    // run is known to finish and leave the whole new report, whatever the machine's speed.
    let fracs = [
        0.0, 0.05, 0.15, 0.3, 0.45, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.96, 0.98, 1.0, 1.02, 1.1,
    ];
    let points: Vec<Option<f64>> = fracs.iter().copied().map(Some).chain([None]).collect();
    for &point in &points {
        if out.exists() {
            std::fs::remove_dir_all(&out).unwrap();
        }
        copy_tree(&previous, &out);
        let mut child = report(&out).spawn().unwrap();
        let frac = match point {
            Some(frac) => {
                std::thread::sleep(full.mul_f64(frac));
                let _ = child.kill(); // SIGKILL; an error means the run had already finished.
                child.wait().unwrap();
                frac
            }
            None => {
                assert!(
                    child.wait().unwrap().success(),
                    "the run that is not killed"
                );
                let got = snapshot(&out);
                assert!(got == new, "a finished run must leave the whole new report");
                f64::INFINITY
            }
        };
        let got = snapshot(&out);
        if got == old {
            saw_old += 1;
        } else if got == new {
            saw_new += 1;
        } else {
            let missing: Vec<_> = new.keys().filter(|k| !got.contains_key(*k)).collect();
            panic!(
                "killed at {frac} of {full:?}: the output is neither the old nor the new \
                 report ({} files; missing {missing:?})",
                got.len()
            );
        }
        // Whatever a killed run left is hidden (a dot name), never beside the output.
        let visible: Vec<String> = names(&work)
            .into_iter()
            .filter(|n| !n.starts_with('.'))
            .collect();
        assert_eq!(visible, ["out"], "killed at {frac}");
    }
    assert!(
        saw_old + saw_new == points.len() && saw_old > 0 && saw_new > 0,
        "old {saw_old}, new {saw_new}"
    );
    // A complete run afterwards clears every leftover of the killed ones.
    assert!(report(&out).status().unwrap().success());
    assert_eq!(snapshot(&out), new);
    assert_eq!(names(&work), ["out"]);
}
