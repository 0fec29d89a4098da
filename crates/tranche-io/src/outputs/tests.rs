use super::*;

fn sig() -> Signature {
    Signature("a,b\n".into())
}

fn reason(e: IoError) -> String {
    match e {
        IoError::Output { reason, .. } => reason,
        other => panic!("not an output refusal: {other}"),
    }
}

struct Deal {
    _root: tempfile::TempDir,
    r: PathBuf,
    inputs: Vec<Input>,
}

fn deal() -> Deal {
    let root = tempfile::tempdir().unwrap();
    let r = root.path().to_path_buf();
    std::fs::create_dir(r.join("deal")).unwrap();
    std::fs::write(r.join("deal/deal.toml"), "x").unwrap();
    std::fs::write(r.join("deal/tape.csv"), "y").unwrap();
    std::fs::create_dir(r.join("strats")).unwrap();
    std::fs::write(r.join("strats/t.csv"), "z").unwrap();
    let inputs = vec![
        Input::file(r.join("deal/deal.toml"), "the deal file"),
        Input::file(r.join("deal/tape.csv"), "the loan tape"),
        Input::dir(r.join("strats"), "the strat-table directory"),
    ];
    Deal {
        _root: root,
        r,
        inputs,
    }
}

#[test]
fn inputs_and_what_holds_them_are_refused() {
    let d = deal();
    let mut g = Outputs::new(&d.inputs);
    let e = reason(
        g.file("--out", &d.r.join("deal/tape.csv"), sig())
            .unwrap_err(),
    );
    assert!(
        e.starts_with("refusing to write over the loan tape "),
        "{e}"
    );
    let e = reason(g.dir("--out", &d.r.join("deal")).unwrap_err());
    assert!(e.contains("a directory that holds the deal file"), "{e}");
    let e = reason(g.dir("--out", &d.r).unwrap_err());
    assert!(e.contains("a directory that holds the deal file"), "{e}");
    let e = reason(
        g.file("--out", &d.r.join("strats/new.csv"), sig())
            .unwrap_err(),
    );
    assert!(e.contains("this run reads every file in it"), "{e}");
    let e = reason(
        g.file("--out", &d.r.join("deal/../deal/./deal.toml"), sig())
            .unwrap_err(),
    );
    assert!(e.starts_with("refusing to write over the deal file"), "{e}");
    // Beside the inputs is fine; nothing is written by asking.
    let ok = g.file("--out", &d.r.join("deal/pt.csv"), sig()).unwrap();
    assert!(!d.r.join("deal/pt.csv").exists());
    ok.write(b"a,b\n1,2\n").unwrap();
    // Two outputs of one run may not overlap.
    let e = reason(
        g.file("--per-loan", &d.r.join("deal/pt.csv"), sig())
            .unwrap_err(),
    );
    assert!(e.contains("another output of this run"), "{e}");
}

#[test]
fn a_file_output_replaces_only_its_own_kind() {
    let d = deal();
    let mut g = Outputs::new(&d.inputs);
    let p = d.r.join("out.csv");
    std::fs::write(&p, "a,b\n1,2\n").unwrap();
    g.file("--out", &p, sig())
        .unwrap()
        .write(b"a,b\n3,4\n")
        .unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"a,b\n3,4\n");
    let empty = d.r.join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    g.file("--out", &empty, sig()).unwrap();
    let notes = d.r.join("notes.csv");
    std::fs::write(&notes, "x,y\n").unwrap();
    let e = reason(g.file("--out", &notes, sig()).unwrap_err());
    assert!(e.contains("does not begin like this output"), "{e}");
    let e = reason(
        g.file("--out", &d.r.join("strats/../deal/.."), sig())
            .unwrap_err(),
    );
    assert!(e.contains("a directory that holds"), "{e}");
    std::fs::create_dir(d.r.join("dir")).unwrap();
    let e = reason(g.file("--out", &d.r.join("dir"), sig()).unwrap_err());
    assert_eq!(e, "refusing to replace a directory with a file");
    // A file that turns foreign between the check and the write is still refused.
    let late = d.r.join("late.csv");
    let out = g.file("--out", &late, sig()).unwrap();
    std::fs::write(&late, "mine\n").unwrap();
    assert!(out.write(b"a,b\n").is_err());
    assert_eq!(std::fs::read(&late).unwrap(), b"mine\n");
}

#[test]
fn a_dir_output_replaces_only_an_empty_or_marked_dir() {
    let d = deal();
    let mut g = Outputs::new(&d.inputs);
    let f = d.r.join("f.txt");
    std::fs::write(&f, "x").unwrap();
    let e = reason(g.dir("--out", &f).unwrap_err());
    assert_eq!(e, "refusing to replace a file with a directory");
    let mine = d.r.join("mine");
    std::fs::create_dir(&mine).unwrap();
    for n in ["a", "b", "c", "d"] {
        std::fs::write(mine.join(n), "x").unwrap();
    }
    let e = reason(g.dir("--out", &mine).unwrap_err());
    assert_eq!(
        e,
        "refusing to replace a directory that is not a tranche output (it holds a, b, c, ...); \
         remove it or choose another name"
    );
    let out = d.r.join("out");
    std::fs::create_dir(&out).unwrap();
    let o = g.dir("--out", &out).unwrap();
    o.write::<IoError>(|t| write_atomic(&t.join("r.md"), b"1"))
        .unwrap();
    o.write::<IoError>(|t| write_atomic(&t.join("r.md"), b"2"))
        .unwrap();
    assert_eq!(std::fs::read(out.join("r.md")).unwrap(), b"2");
    // Someone's file added to the directory after the check: the swap is refused.
    std::fs::remove_file(out.join(crate::atomic::MARKER)).unwrap();
    assert!(o
        .write::<IoError>(|t| write_atomic(&t.join("r.md"), b"3"))
        .is_err());
    assert_eq!(std::fs::read(out.join("r.md")).unwrap(), b"2");
}

#[cfg(unix)]
#[test]
fn links_lead_where_they_point() {
    let d = deal();
    let mut g = Outputs::new(&d.inputs);
    std::os::unix::fs::symlink(d.r.join("deal/tape.csv"), d.r.join("t.csv")).unwrap();
    let e = reason(g.file("--out", &d.r.join("t.csv"), sig()).unwrap_err());
    assert!(e.starts_with("refusing to write over the loan tape"), "{e}");
    std::os::unix::fs::symlink(d.r.join("nowhere"), d.r.join("broken")).unwrap();
    let e = reason(g.file("--out", &d.r.join("broken"), sig()).unwrap_err());
    assert!(e.starts_with("is a broken symbolic link"), "{e}");
    // A link to an earlier output: the file it points to is replaced, the link kept.
    std::fs::write(d.r.join("real.csv"), "a,b\n1\n").unwrap();
    std::os::unix::fs::symlink(d.r.join("real.csv"), d.r.join("latest.csv")).unwrap();
    g.file("--out", &d.r.join("latest.csv"), sig())
        .unwrap()
        .write(b"a,b\n2\n")
        .unwrap();
    assert!(std::fs::symlink_metadata(d.r.join("latest.csv"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read(d.r.join("real.csv")).unwrap(), b"a,b\n2\n");
}
