//! Atomic file output: write a temporary file beside the target, fsync, rename.
//! A reader (or a run killed mid-way) sees the old file or the complete new one.

use crate::IoError;
use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), IoError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| IoError::io(&dir, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    remove_stale(&dir, &name, path);
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(IoError::io(path, e));
    }
    Ok(())
}

/// Builds a whole directory atomically: `fill` writes into a fresh temporary directory
/// beside `dest`; only when it succeeds is an existing `dest` replaced (moved aside, the
/// new one renamed in, the old one removed). When `fill` fails the temporary directory
/// is removed and `dest` is left as it was.
///
/// POSIX cannot rename a directory over a non-empty one, so between the two renames
/// `dest` is briefly absent; it is never half-written.
pub fn write_dir_atomic<E: From<IoError>>(
    dest: &Path,
    fill: impl FnOnce(&Path) -> Result<(), E>,
) -> Result<(), E> {
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| IoError::io(&parent, e))?;
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| {
            IoError::io(
                dest,
                std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a directory name"),
            )
        })?;
    remove_stale(&parent, &name, dest);
    let tmp = fresh_dir(&parent, &format!(".{name}.tmp"))?;
    if let Err(e) = fill(&tmp) {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    let swap = || -> Result<(), IoError> {
        // One atomic step where the OS can: the new tree takes the old one's name and the
        // old tree takes the temporary name, so `dest` is never missing.
        if dest.exists() && exchange(&tmp, dest).is_ok() {
            let _ = std::fs::remove_dir_all(&tmp);
            return Ok(());
        }
        if dest.exists() {
            let old = fresh_dir(&parent, &format!(".{name}.old"))?;
            // `old` is an empty placeholder: renaming onto an empty directory is allowed.
            std::fs::rename(dest, &old).map_err(|e| IoError::io(dest, e))?;
            if let Err(e) = std::fs::rename(&tmp, dest) {
                // Put the previous output back.
                let _ = std::fs::rename(&old, dest);
                return Err(IoError::io(dest, e));
            }
            let _ = std::fs::remove_dir_all(&old);
        } else {
            std::fs::rename(&tmp, dest).map_err(|e| IoError::io(dest, e))?;
        }
        Ok(())
    };
    if let Err(e) = swap() {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e.into());
    }
    Ok(())
}

/// Creates a new, empty, uniquely named directory `<parent>/<prefix>-<pid>-<n>`.
/// Swaps two paths atomically (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let ca = std::ffi::CString::new(a.as_os_str().as_bytes())?;
    let cb = std::ffi::CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both pointers are valid NUL-terminated strings for the duration of the call.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// The process id in a temporary name `.{name}.{kind}-{pid}[-{n}]`, if it is one.
fn owner_pid(entry: &str, name: &str, kind: &str) -> Option<u32> {
    let rest = entry.strip_prefix(&format!(".{name}.{kind}-"))?;
    rest.split('-').next()?.parse().ok()
}

fn process_alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    // Without /proc (not Linux) nothing is known: treat every owner as alive.
    !proc.is_dir() || proc.join(pid.to_string()).exists()
}

/// Clears what a killed earlier run left beside `dest`: its temporary copies (files or
/// trees) are removed, and a previous output it had moved aside (`.{name}.old-*`, only
/// on systems without an atomic exchange) is put back if `dest` is missing.
fn remove_stale(parent: &Path, name: &str, dest: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let me = std::process::id();
    for e in entries.flatten() {
        let entry = e.file_name().to_string_lossy().into_owned();
        let path = e.path();
        for kind in ["tmp", "old"] {
            let Some(pid) = owner_pid(&entry, name, kind) else {
                continue;
            };
            if pid == me || process_alive(pid) {
                continue;
            }
            if kind == "old" && !dest.exists() && std::fs::rename(&path, dest).is_ok() {
                continue;
            }
            let _ = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
        }
    }
}

fn fresh_dir(parent: &Path, prefix: &str) -> Result<std::path::PathBuf, IoError> {
    let pid = std::process::id();
    let mut n: u32 = 0;
    loop {
        let p = parent.join(format!("{prefix}-{pid}-{n}"));
        match std::fs::create_dir(&p) {
            Ok(()) => return Ok(p),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 10_000 => n += 1,
            Err(e) => return Err(IoError::io(&p, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        write_atomic(&p, b"old").unwrap();
        write_atomic(&p, b"new content").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"new content");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
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
    fn dir_is_created_then_replaced_whole() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        write_dir_atomic::<IoError>(&out, |d| {
            write_atomic(&d.join("a.csv"), b"1")?;
            write_atomic(&d.join("stale.csv"), b"x")
        })
        .unwrap();
        assert_eq!(names(&out), ["a.csv", "stale.csv"]);
        write_dir_atomic::<IoError>(&out, |d| write_atomic(&d.join("a.csv"), b"2")).unwrap();
        // The new run's files only: nothing of the old directory is left behind.
        assert_eq!(names(&out), ["a.csv"]);
        assert_eq!(std::fs::read(out.join("a.csv")).unwrap(), b"2");
        assert_eq!(names(root.path()), ["out"]);
    }

    #[test]
    fn existing_dir_survives_a_failed_run() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        write_dir_atomic::<IoError>(&out, |d| write_atomic(&d.join("a.csv"), b"good")).unwrap();
        let r = write_dir_atomic::<IoError>(&out, |d| {
            write_atomic(&d.join("a.csv"), b"half")?;
            Err(IoError::io(d, std::io::Error::other("boom")))
        });
        assert!(r.is_err());
        assert_eq!(std::fs::read(out.join("a.csv")).unwrap(), b"good");
        assert_eq!(names(&out), ["a.csv"]);
        // No temporary directory is left beside it.
        assert_eq!(names(root.path()), ["out"]);
    }

    #[test]
    fn leftovers_of_a_killed_run_are_cleared() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        // A pid above any kernel's pid_max: its owner is surely gone.
        let dead = 4_000_000_000u32;
        std::fs::create_dir(root.path().join(format!(".out.tmp-{dead}-0"))).unwrap();
        std::fs::write(root.path().join(format!(".out.tmp-{dead}-0/x")), "partial").unwrap();
        // The previous output moved aside by a run killed before its new tree took the name.
        let old = root.path().join(format!(".out.old-{dead}-0"));
        std::fs::create_dir(&old).unwrap();
        std::fs::write(old.join("a.csv"), "previous").unwrap();
        std::fs::write(root.path().join(format!(".f.csv.tmp-{dead}")), "partial").unwrap();
        // Someone else's hidden file is left alone.
        std::fs::write(root.path().join(".keep"), "").unwrap();
        let r = write_dir_atomic::<IoError>(&out, |_| {
            // The previous output is back in place before the new one is built.
            assert_eq!(
                std::fs::read_to_string(out.join("a.csv")).unwrap(),
                "previous"
            );
            Err(IoError::input(&out, Vec::new()))
        });
        assert!(r.is_err());
        write_atomic(&root.path().join("f.csv"), b"new").unwrap();
        assert_eq!(names(root.path()), [".keep", "f.csv", "out"]);
        assert_eq!(
            std::fs::read_to_string(out.join("a.csv")).unwrap(),
            "previous"
        );
    }
}
