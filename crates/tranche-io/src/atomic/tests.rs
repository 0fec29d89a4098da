use super::*;

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The check a command's guard makes: only an empty or a marked directory is replaced.
fn owned_only(dest: &Path) -> Result<(), IoError> {
    if is_tranche_dir(dest) || is_empty_dir(dest) {
        Ok(())
    } else {
        Err(IoError::io(dest, std::io::Error::other("not ours")))
    }
}

fn write_dir(dest: &Path, fill: impl FnOnce(&Path) -> Result<(), IoError>) -> Result<(), IoError> {
    write_dir_atomic::<IoError>(dest, &owned_only, fill)
}

#[test]
fn replaces_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.csv");
    write_atomic(&p, b"old").unwrap();
    write_atomic(&p, b"new content").unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"new content");
    assert_eq!(names(dir.path()), ["a.csv"]);
}

#[test]
fn dir_is_created_then_replaced_whole() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    write_dir(&out, |d| {
        write_atomic(&d.join("a.csv"), b"1")?;
        write_atomic(&d.join("stale.csv"), b"x")
    })
    .unwrap();
    assert_eq!(names(&out), [MARKER, "a.csv", "stale.csv"]);
    assert!(is_tranche_dir(&out));
    write_dir(&out, |d| write_atomic(&d.join("a.csv"), b"2")).unwrap();
    // The new run's files only: nothing of the old directory is left behind.
    assert_eq!(names(&out), [MARKER, "a.csv"]);
    assert_eq!(std::fs::read(out.join("a.csv")).unwrap(), b"2");
    assert_eq!(names(root.path()), ["out"]);
}

#[test]
fn an_empty_dir_is_replaced_and_a_foreign_one_kept() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    std::fs::create_dir(&out).unwrap();
    write_dir(&out, |d| write_atomic(&d.join("a.csv"), b"1")).unwrap();
    assert_eq!(names(&out), [MARKER, "a.csv"]);
    assert_eq!(names(root.path()), ["out"]);

    let mine = root.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("notes.txt"), "keep").unwrap();
    let r = write_dir(&mine, |d| write_atomic(&d.join("a.csv"), b"1"));
    assert!(r.is_err());
    assert_eq!(names(&mine), ["notes.txt"]);
    assert_eq!(names(root.path()), ["mine", "out"]);
}

#[test]
fn a_marker_must_be_a_file_with_the_format_line() {
    let root = tempfile::tempdir().unwrap();
    let d = root.path();
    assert!(!is_tranche_dir(d));
    std::fs::write(d.join(MARKER), "something else\n").unwrap();
    assert!(!is_tranche_dir(d));
    std::fs::write(d.join(MARKER), "tranche-output 7\nlater format\n").unwrap();
    assert!(is_tranche_dir(d));
    std::fs::remove_file(d.join(MARKER)).unwrap();
    std::fs::create_dir(d.join(MARKER)).unwrap();
    assert!(!is_tranche_dir(d));
}

#[test]
fn a_dir_put_in_place_during_the_swap_is_not_taken() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    write_dir(&out, |d| write_atomic(&d.join("a.csv"), b"1")).unwrap();
    // Between the check and the swap, a user's directory replaces the earlier output.
    let calls = std::cell::Cell::new(0);
    let racing = |dest: &Path| -> Result<(), IoError> {
        calls.set(calls.get() + 1);
        if calls.get() == 1 {
            std::fs::remove_dir_all(dest).unwrap();
            std::fs::create_dir(dest).unwrap();
            std::fs::write(dest.join("mine.txt"), "keep").unwrap();
            return Ok(());
        }
        owned_only(dest)
    };
    let r = write_dir_atomic::<IoError>(&out, &racing, |d| write_atomic(&d.join("a.csv"), b"2"));
    assert!(r.is_err());
    assert!(calls.get() >= 2);
    assert_eq!(names(&out), ["mine.txt"]);
    assert_eq!(names(root.path()), ["out"]);
}

#[test]
fn existing_dir_survives_a_failed_run() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    write_dir(&out, |d| write_atomic(&d.join("a.csv"), b"good")).unwrap();
    let r = write_dir(&out, |d| {
        write_atomic(&d.join("a.csv"), b"half")?;
        Err(IoError::io(d, std::io::Error::other("boom")))
    });
    assert!(r.is_err());
    assert_eq!(std::fs::read(out.join("a.csv")).unwrap(), b"good");
    assert_eq!(names(&out), [MARKER, "a.csv"]);
    // No temporary directory is left beside it.
    assert_eq!(names(root.path()), ["out"]);
}

#[test]
fn leftovers_of_a_killed_run_are_cleared_and_nothing_else() {
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    let out = r.join("out");
    // A pid above any kernel's pid_max: its owner is surely gone.
    let dead = 4_000_000_000u32;
    // A half-built tree (marker first), and one killed right after its mkdir.
    let half = r.join(format!(".out.tranche-tmp-{dead}-0"));
    std::fs::create_dir(&half).unwrap();
    write_marker(&half).unwrap();
    std::fs::write(half.join("x"), "partial").unwrap();
    std::fs::create_dir(r.join(format!(".out.tranche-tmp-{dead}-1"))).unwrap();
    // The previous output moved aside by a run killed before its new tree took the name.
    let old = r.join(format!(".out.tranche-old-{dead}-2"));
    std::fs::create_dir(&old).unwrap();
    write_marker(&old).unwrap();
    std::fs::write(old.join("a.csv"), "previous").unwrap();
    std::fs::write(r.join(format!(".f.csv.tranche-tmp-{dead}-3")), "partial").unwrap();
    // Not tranche's: an unmarked directory under a tranche-like name, another program's
    // temporary names, someone's hidden file.
    let foreign = r.join(format!(".out.tranche-tmp-{dead}-4"));
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("mine.txt"), "keep").unwrap();
    std::fs::write(r.join(format!(".out.tmp-{dead}")), "keep").unwrap();
    std::fs::write(r.join(".keep"), "").unwrap();
    let res = write_dir(&out, |_| {
        // The previous output is back in place before the new one is built.
        assert_eq!(
            std::fs::read_to_string(out.join("a.csv")).unwrap(),
            "previous"
        );
        Err(IoError::input(&out, Vec::new()))
    });
    assert!(res.is_err());
    write_atomic(&r.join("f.csv"), b"new").unwrap();
    let foreign_name = format!(".out.tranche-tmp-{dead}-4");
    let other_tmp = format!(".out.tmp-{dead}");
    let mut want = vec![".keep", &foreign_name, &other_tmp, "f.csv", "out"];
    want.sort();
    assert_eq!(names(r), want);
    assert_eq!(names(&foreign), ["mine.txt"]);
    assert_eq!(
        std::fs::read_to_string(out.join("a.csv")).unwrap(),
        "previous"
    );
}

#[test]
fn a_removal_cut_short_stays_recognizable() {
    let root = tempfile::tempdir().unwrap();
    let t = root.path().join("t");
    std::fs::create_dir_all(t.join("sub")).unwrap();
    write_marker(&t).unwrap();
    std::fs::write(t.join("sub/a"), "1").unwrap();
    remove_owned_tree(&t);
    assert!(!t.exists());
    // Unmarked and not empty: left alone.
    std::fs::create_dir(&t).unwrap();
    std::fs::write(t.join("a"), "1").unwrap();
    remove_owned_tree(&t);
    assert_eq!(names(&t), ["a"]);
}

#[test]
fn threads_writing_one_file_leave_one_whole_version() {
    let root = tempfile::tempdir().unwrap();
    let p = root.path().join("a.csv");
    let versions: Vec<Vec<u8>> = (0..8u8).map(|k| vec![b'a' + k; 200_000]).collect();
    std::thread::scope(|s| {
        for v in &versions {
            let p = &p;
            s.spawn(move || {
                for _ in 0..5 {
                    write_atomic(p, v).unwrap();
                }
            });
        }
    });
    let got = std::fs::read(&p).unwrap();
    assert!(versions.contains(&got));
    assert_eq!(names(root.path()), ["a.csv"]);
}
