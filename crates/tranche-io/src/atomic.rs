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
    let tmp = fresh_dir(&parent, &format!(".{name}.tmp"))?;
    if let Err(e) = fill(&tmp) {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    let swap = || -> Result<(), IoError> {
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
}
