//! Outputs never touch what they did not write. Every command that writes files, its output
//! pointed at each of its inputs, at the deal directory, at its parent, at an unrelated
//! file, at an unrelated non-empty directory and through a link to an input: exit code 2, a
//! message naming the flag, the path and the reason, and every file and link as it was.
//! Then what an output may replace (its own earlier output, an empty directory), and two
//! writers of one output at once.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
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

/// A work directory: a small deal, the other inputs the commands take, a file and a
/// directory of the user's that no command wrote, and a link to every input file.
struct Work {
    dir: tempfile::TempDir,
}

/// Input files the commands below read (relative to the work directory).
const INPUT_FILES: [&str; 7] = [
    "deal/deal.toml",
    "deal/tape.csv",
    "deal/curves.csv",
    "fwd.csv",
    "tables.toml",
    "strats/01_description.csv",
    "summary.json",
];

fn link_name(input: &str) -> String {
    format!("ln-{}", input.replace('/', "-"))
}

impl Work {
    fn new() -> Work {
        let dir = tempfile::tempdir().unwrap();
        let w = dir.path();
        copy_tree(&repo().join("tests/bad_inputs/_base/toy"), &w.join("deal"));
        std::fs::copy(w.join("deal/curves.csv"), w.join("fwd.csv")).unwrap();
        std::fs::write(
            w.join("tables.toml"),
            "[[table]]\nfile_stem = \"by_state\"\ntitle = \"By state\"\nkey = \"state\"\n\
             buckets = { kind = \"categories\", order = \"balance\" }\n",
        )
        .unwrap();
        let fixture = repo().join("tests/fixtures/impac-cmb-2004-1");
        std::fs::create_dir(w.join("strats")).unwrap();
        std::fs::copy(
            fixture.join("strat/01_description.csv"),
            w.join("strats/01_description.csv"),
        )
        .unwrap();
        std::fs::copy(fixture.join("pool_summary.json"), w.join("summary.json")).unwrap();
        std::fs::write(w.join("notes.txt"), "my notes\n").unwrap();
        std::fs::create_dir(w.join("mine")).unwrap();
        std::fs::write(w.join("mine/a.txt"), "mine\n").unwrap();
        for i in INPUT_FILES {
            std::os::unix::fs::symlink(i, w.join(link_name(i))).unwrap();
        }
        Work { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_tranche"))
            .args(args)
            .current_dir(self.path())
            .env_remove("RUST_BACKTRACE")
            .output()
            .unwrap()
    }
}

#[derive(Debug, PartialEq)]
enum Node {
    Dir,
    File(Vec<u8>),
    Link(PathBuf),
}

/// Every entry under `dir`: directories, files with their bytes, links with their target.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Node> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
            let t = e.file_type().unwrap();
            let node = if t.is_symlink() {
                Node::Link(std::fs::read_link(e.path()).unwrap())
            } else if t.is_dir() {
                stack.push(e.path());
                Node::Dir
            } else {
                Node::File(std::fs::read(e.path()).unwrap())
            };
            out.insert(rel, node);
        }
    }
    out
}

/// A writing command: its arguments (`OUT` stands for the output), the flag naming the
/// output, whether the output is a directory, and what it reads.
struct Cmd {
    args: &'static [&'static str],
    flag: &'static str,
    dir_out: bool,
    inputs: &'static [&'static str],
    /// A directory the command reads whole.
    input_dir: Option<&'static str>,
}

const DEAL: [&str; 3] = ["deal/deal.toml", "deal/tape.csv", "deal/curves.csv"];

fn commands() -> Vec<Cmd> {
    vec![
        Cmd {
            args: &["report", "deal", "--out", "OUT"],
            flag: "--out",
            dir_out: true,
            inputs: &DEAL,
            input_dir: None,
        },
        Cmd {
            args: &["price-table", "deal", "--speeds", "100", "--out", "OUT"],
            flag: "--out",
            dir_out: false,
            inputs: &DEAL,
            input_dir: None,
        },
        Cmd {
            args: &["afr", "deal", "--curves", "fwd.csv", "--out", "OUT"],
            flag: "--out",
            dir_out: false,
            inputs: &[
                "deal/deal.toml",
                "deal/tape.csv",
                "deal/curves.csv",
                "fwd.csv",
            ],
            input_dir: None,
        },
        Cmd {
            args: &[
                "grid",
                "deal",
                "--speeds",
                "100",
                "--cdr",
                "0",
                "--severity",
                "30",
                "--out",
                "OUT",
            ],
            flag: "--out",
            dir_out: false,
            inputs: &DEAL,
            input_dir: None,
        },
        Cmd {
            args: &[
                "strats",
                "deal",
                "--format",
                "csv",
                "--tables",
                "tables.toml",
                "--out",
                "OUT",
            ],
            flag: "--out",
            dir_out: true,
            inputs: &[
                "deal/deal.toml",
                "deal/tape.csv",
                "deal/curves.csv",
                "tables.toml",
            ],
            input_dir: None,
        },
        Cmd {
            args: &[
                "strats",
                "deal/tape.csv",
                "--format",
                "json",
                "--out",
                "OUT",
            ],
            flag: "--out",
            dir_out: true,
            inputs: &["deal/tape.csv"],
            input_dir: None,
        },
        Cmd {
            args: &["collateral", "deal", "--per-loan", "OUT"],
            flag: "--per-loan",
            dir_out: false,
            inputs: &DEAL,
            input_dir: None,
        },
        Cmd {
            args: &[
                "collateral",
                "deal/tape.csv",
                "--cpr",
                "5",
                "--curves",
                "fwd.csv",
                "--per-loan",
                "OUT",
            ],
            flag: "--per-loan",
            dir_out: false,
            inputs: &["deal/tape.csv", "fwd.csv"],
            input_dir: None,
        },
        Cmd {
            args: &[
                "pool-from-strats",
                "strats",
                "--summary",
                "summary.json",
                "--cutoff",
                "2004-01-01",
                "--iterations",
                "1",
                "--out",
                "OUT",
            ],
            flag: "--out",
            dir_out: false,
            inputs: &["strats/01_description.csv", "summary.json"],
            input_dir: Some("strats"),
        },
    ]
}

fn with_out<'a>(args: &[&'a str], out: &'a str) -> Vec<&'a str> {
    args.iter()
        .map(|a| if *a == "OUT" { out } else { a })
        .collect()
}

/// Where to point a command's output, and a piece of the reason it must give.
fn targets(c: &Cmd) -> Vec<(String, String)> {
    let mut t = Vec::new();
    for i in c.inputs {
        let input = match c.input_dir {
            // Inside a directory read whole: refused as a write into it.
            Some(d) if i.starts_with(&format!("{d}/")) => "this run reads every file in it".into(),
            _ => format!(" {i}, an input of this run"),
        };
        t.push((i.to_string(), input.clone()));
        t.push((link_name(i), input.clone()));
        t.push((format!("mine/../{i}"), input));
    }
    let reads_deal = c.inputs.iter().any(|i| i.starts_with("deal/"));
    if reads_deal {
        t.push((
            "deal".into(),
            "refusing to write over a directory that holds".into(),
        ));
    }
    if let Some(d) = c.input_dir {
        t.push((d.into(), format!("{d}, an input of this run")));
        t.push((
            format!("{d}/new.csv"),
            "this run reads every file in it".into(),
        ));
    }
    // The parent of every input, and the same by an absolute path below.
    t.push((
        ".".into(),
        "refusing to write over a directory that holds".into(),
    ));
    let (file, dir) = if c.dir_out {
        (
            "refusing to replace a file with a directory".to_string(),
            "refusing to replace a directory that is not a tranche output (it holds a.txt)"
                .to_string(),
        )
    } else {
        (
            "refusing to replace a file that does not begin like this output".to_string(),
            "refusing to replace a directory with a file".to_string(),
        )
    };
    t.push(("notes.txt".into(), file));
    t.push(("mine".into(), dir.clone()));
    if !reads_deal {
        t.push(("deal".into(), dir));
    }
    t
}

#[test]
fn no_command_writes_over_what_it_did_not_write() {
    let w = Work::new();
    let before = snapshot(w.path());
    let abs_parent = w.path().display().to_string();
    let mut failures = Vec::new();
    let mut runs = 0;
    for c in commands() {
        let mut ts = targets(&c);
        ts.push((
            abs_parent.clone(),
            "refusing to write over a directory that holds".into(),
        ));
        for (target, reason) in ts {
            let args = with_out(c.args, &target);
            let o = w.run(&args);
            runs += 1;
            let err = String::from_utf8_lossy(&o.stderr).into_owned();
            let head = format!("error: {} {target}: ", c.flag);
            let what = args.join(" ");
            if o.status.code() != Some(2) {
                failures.push(format!("{what}: exit {:?}\n{err}", o.status.code()));
            }
            if !(err.starts_with(&head) && err.contains(&reason) && err.lines().count() == 1) {
                failures.push(format!(
                    "{what}: expected `{head}...{reason}...`, got\n{err}"
                ));
            }
            if !o.stdout.is_empty() {
                failures.push(format!("{what}: printed to stdout"));
            }
            if snapshot(w.path()) != before {
                failures.push(format!("{what}: changed the work directory"));
                break;
            }
        }
    }
    assert!(runs > 90, "{runs} runs");
    assert!(
        failures.is_empty(),
        "{} failures:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

fn ok(o: &Output, what: &str) {
    assert!(
        o.status.success(),
        "{what}: exit {:?}\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A zip archive written to its end (its end-of-central-directory record is there).
fn complete_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
        && bytes
            .windows(4)
            .rev()
            .take(64 * 1024)
            .any(|w| w == b"PK\x05\x06")
}

/// A report directory's files; the workbook (which carries its time of writing) only
/// checked to be whole.
fn report_files(dir: &Path) -> BTreeMap<PathBuf, Node> {
    snapshot(dir)
        .into_iter()
        .map(|(k, v)| match v {
            Node::File(b) if k.extension().is_some_and(|e| e == "xlsx") => {
                assert!(complete_zip(&b), "{} is not whole", k.display());
                (k, Node::File(b"a whole workbook".to_vec()))
            }
            other => (k, other),
        })
        .collect()
}

#[test]
fn a_report_replaces_an_absent_empty_or_earlier_report() {
    let w = Work::new();
    let report = |out: &str| w.run(&["report", "deal", "--out", out]);
    ok(&report("out/r"), "absent, its parent absent too");
    let reference = report_files(&w.path().join("out/r"));
    assert!(reference.contains_key(Path::new(".tranche-output")));
    assert!(reference.contains_key(Path::new("report.html")));
    // Over the earlier report: replaced whole (a file added to it goes with it).
    std::fs::write(w.path().join("out/r/extra.txt"), "x").unwrap();
    ok(&report("out/r"), "over an earlier report");
    assert_eq!(report_files(&w.path().join("out/r")), reference);
    // Over an empty directory.
    std::fs::create_dir(w.path().join("out/empty")).unwrap();
    ok(&report("out/empty"), "over an empty directory");
    assert_eq!(report_files(&w.path().join("out/empty")), reference);
    // Through a link to an earlier report: the report is replaced, the link kept.
    std::os::unix::fs::symlink("r", w.path().join("out/latest")).unwrap();
    ok(&report("out/latest"), "through a link");
    assert!(std::fs::symlink_metadata(w.path().join("out/latest"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(report_files(&w.path().join("out/r")), reference);
    // Nothing beside them: no temporary left, no old tree kept.
    assert_eq!(names(&w.path().join("out")), ["empty", "latest", "r"]);
    // Without its marker it is no longer known as tranche's: refused, kept.
    std::fs::remove_file(w.path().join("out/r/.tranche-output")).unwrap();
    let before = snapshot(w.path());
    let o = report("out/r");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("error: --out out/r: refusing to replace a directory that is not a tranche output (it holds charts, report.html, report.json, ...)"),
        "{err}"
    );
    assert_eq!(snapshot(w.path()), before);
}

/// A directory's snapshot, or a file's bytes.
fn tree(p: &Path) -> BTreeMap<PathBuf, Node> {
    if p.is_dir() {
        snapshot(p)
    } else {
        BTreeMap::from([(PathBuf::new(), Node::File(std::fs::read(p).unwrap()))])
    }
}

#[test]
fn a_file_output_replaces_its_own_earlier_output() {
    let w = Work::new();
    let mut runs: Vec<Vec<&str>> = Vec::new();
    for cmd in [
        &["price-table", "deal", "--speeds", "100"][..],
        &["afr", "deal"][..],
        &[
            "grid",
            "deal",
            "--speeds",
            "100",
            "--cdr",
            "0",
            "--severity",
            "30",
        ][..],
    ] {
        for format in ["csv", "json", "md"] {
            let mut a = cmd.to_vec();
            a.extend(["--format", format, "--out"]);
            runs.push(a);
        }
    }
    runs.push(vec!["collateral", "deal", "--per-loan"]);
    runs.push(vec!["strats", "deal", "--format", "md", "--out"]);
    runs.push(vec!["strats", "deal", "--format", "csv", "--out"]);
    for (k, run) in runs.iter().enumerate() {
        let out = format!("out-{k}");
        let mut args = run.clone();
        args.push(&out);
        let what = args.join(" ");
        // An empty file is replaced (a file output), as is an empty directory.
        if run[0] != "strats" {
            std::fs::write(w.path().join(&out), "").unwrap();
        }
        ok(&w.run(&args), &what);
        let first = tree(&w.path().join(&out));
        ok(&w.run(&args), &format!("{what}, again"));
        assert_eq!(tree(&w.path().join(&out)), first, "{what}");
    }
    // Only the outputs and the work directory's own files: no temporary left.
    let mut want: Vec<String> = (0..runs.len()).map(|k| format!("out-{k}")).collect();
    want.extend(
        [
            "deal",
            "fwd.csv",
            "mine",
            "notes.txt",
            "strats",
            "summary.json",
            "tables.toml",
        ]
        .map(String::from),
    );
    want.extend(INPUT_FILES.map(link_name));
    want.sort();
    assert_eq!(names(w.path()), want);
    // Another command's output, or the same command's in another format, is not replaced.
    let o = w.run(&["price-table", "deal", "--format", "md", "--out", "out-0"]);
    assert_eq!(o.status.code(), Some(2), "md over csv");
    let o = w.run(&["afr", "deal", "--out", "out-0"]);
    assert_eq!(o.status.code(), Some(2), "afr over price-table");
}

#[test]
fn pool_from_strats_replaces_its_own_tape() {
    let w = Work::new();
    let args = [
        "pool-from-strats",
        "strats",
        "--summary",
        "summary.json",
        "--cutoff",
        "2004-01-01",
        "--iterations",
        "1",
        "--out",
        "fit/tape.csv",
    ];
    ok(&w.run(&args), "first fit");
    let first = std::fs::read(w.path().join("fit/tape.csv")).unwrap();
    ok(&w.run(&args), "same fit again");
    assert_eq!(std::fs::read(w.path().join("fit/tape.csv")).unwrap(), first);
    assert_eq!(names(&w.path().join("fit")), ["tape.csv"]);
}

/// Starts `n` copies of one command at once and waits for them all.
fn at_once(w: &Work, args: &[&str], n: usize) -> Vec<Output> {
    let children: Vec<_> = (0..n)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_tranche"))
                .args(args)
                .current_dir(w.path())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect()
}

#[test]
fn writers_of_one_output_at_once_leave_one_whole_result() {
    let w = Work::new();
    std::fs::create_dir(w.path().join("ref")).unwrap();
    ok(
        &w.run(&["report", "deal", "--out", "ref/r"]),
        "reference report",
    );
    let reference = report_files(&w.path().join("ref/r"));
    ok(
        &w.run(&["price-table", "deal", "--out", "ref/pt.csv"]),
        "reference table",
    );
    let table = std::fs::read(w.path().join("ref/pt.csv")).unwrap();
    std::fs::create_dir(w.path().join("out")).unwrap();
    for round in 0..4 {
        // Absent at first; then over the report the last round left.
        for o in at_once(&w, &["report", "deal", "--out", "out/r"], 3) {
            ok(&o, &format!("report, round {round}"));
        }
        assert_eq!(
            report_files(&w.path().join("out/r")),
            reference,
            "round {round}"
        );
        for o in at_once(&w, &["price-table", "deal", "--out", "out/pt.csv"], 4) {
            ok(&o, &format!("price-table, round {round}"));
        }
        assert_eq!(
            std::fs::read(w.path().join("out/pt.csv")).unwrap(),
            table,
            "round {round}"
        );
        // One result each, and no temporary beside them.
        assert_eq!(
            names(&w.path().join("out")),
            ["pt.csv", "r"],
            "round {round}"
        );
        if round == 1 {
            std::fs::remove_dir_all(w.path().join("out/r")).unwrap();
            std::fs::remove_file(w.path().join("out/pt.csv")).unwrap();
        }
    }
}
