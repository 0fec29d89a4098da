//! Atomic output: a file or a whole directory is built under a temporary name beside its
//! target, synced, then renamed into place. A reader (or a run killed mid-way) sees the old
//! output or the complete new one, never a part.
//!
//! Temporary names are `.{name}.tranche-tmp-{pid}-{n}` (and, where a directory cannot be
//! exchanged in one step, `.{name}.tranche-old-{pid}-{n}`). A later run clears such
//! leftovers of a dead process, and only those that are tranche's own: files by their
//! name, directories by their name and the [`MARKER`] they hold (or by being empty).
//!
//! Which paths a command may write is decided by [`crate::outputs`]; these functions only
//! write.

use crate::IoError;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// The file that marks a directory as written by tranche (a report, a strats directory):
/// such a directory may be replaced whole by a later run.
pub const MARKER: &str = ".tranche-output";

/// What the marker's first line starts with; the version follows it.
const MARKER_KIND: &str = "tranche-output ";

const MARKER_TEXT: &str = "tranche-output 1\n\
This directory was written by tranche. The next run writing here replaces it whole:\n\
keep nothing of your own in it.\n";

/// True when `dir` holds tranche's marker: a regular file whose first line names the
/// marker format (whatever its version).
pub fn is_tranche_dir(dir: &Path) -> bool {
    let m = dir.join(MARKER);
    if !std::fs::symlink_metadata(&m).is_ok_and(|meta| meta.is_file()) {
        return false;
    }
    let mut head = [0u8; MARKER_KIND.len()];
    std::fs::File::open(&m)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| head == MARKER_KIND.as_bytes())
}

/// True when `dir` is a directory with nothing in it.
pub fn is_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none())
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn name_of(path: &Path) -> Result<String, IoError> {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| {
            IoError::io(
                path,
                std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"),
            )
        })
}

/// A name no other writer in this process or any other uses at the same time.
fn temp_name(name: &str, kind: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!(".{name}.tranche-{kind}-{}-{n}", std::process::id())
}

/// Makes a rename in `dir` durable (best effort: not every system syncs directories).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Writes `bytes` to `path` atomically: a new temporary file beside it, synced, renamed
/// over `path`. Missing parent directories are created.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), IoError> {
    let dir = parent_of(path);
    std::fs::create_dir_all(&dir).map_err(|e| IoError::io(&dir, e))?;
    let name = name_of(path)?;
    remove_stale(&dir, &name, path);
    let tmp = dir.join(temp_name(&name, "tmp"));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(IoError::io(path, e));
    }
    sync_dir(&dir);
    Ok(())
}

/// Builds a whole directory atomically. `fill` writes into a fresh temporary directory
/// beside `dest` that already holds the [`MARKER`]; only when it succeeds does the new tree
/// take `dest`'s name. When `fill` fails the temporary directory is removed and `dest` is
/// left as it was.
///
/// Just before the swap, `may_replace(dest)` must accept what is there (it is called only
/// when `dest` exists). An empty `dest` is replaced by a plain rename; a marked one is
/// exchanged with the new tree in one step where the OS can (Linux), else moved aside
/// first, so a run killed between the two renames leaves it to be put back. Either way
/// the previous tree, once out of the way, is tranche's own and is removed.
pub(crate) fn write_dir_atomic<E: From<IoError>>(
    dest: &Path,
    may_replace: &dyn Fn(&Path) -> Result<(), IoError>,
    fill: impl FnOnce(&Path) -> Result<(), E>,
) -> Result<(), E> {
    let parent = parent_of(dest);
    std::fs::create_dir_all(&parent).map_err(|e| IoError::io(&parent, e))?;
    let name = name_of(dest)?;
    remove_stale(&parent, &name, dest);
    let tmp = parent.join(temp_name(&name, "tmp"));
    std::fs::create_dir(&tmp).map_err(|e| IoError::io(&tmp, e))?;
    // The marker first: whatever a killed run leaves is recognizably tranche's.
    let filled = write_marker(&tmp)
        .map_err(E::from)
        .and_then(|()| fill(&tmp));
    if let Err(e) = filled {
        remove_owned_tree(&tmp);
        return Err(e);
    }
    if let Err(e) = swap_in(&tmp, dest, &parent, &name, may_replace) {
        remove_owned_tree(&tmp);
        return Err(e.into());
    }
    sync_dir(&parent);
    Ok(())
}

fn write_marker(dir: &Path) -> Result<(), IoError> {
    let p = dir.join(MARKER);
    let mut f = std::fs::File::create(&p).map_err(|e| IoError::io(&p, e))?;
    f.write_all(MARKER_TEXT.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| IoError::io(&p, e))
}

/// True for the error of renaming a directory onto a non-empty one.
fn is_not_empty(e: &std::io::Error) -> bool {
    matches!(e.kind(), std::io::ErrorKind::AlreadyExists)
        || e.raw_os_error().is_some_and(|c| c == 39 || c == 66) // ENOTEMPTY: Linux, BSD/macOS
}

/// Puts the finished tree `tmp` at `dest`. Another writer may take `dest` at any moment, so
/// what is there is looked at again after a rename that found it changed.
fn swap_in(
    tmp: &Path,
    dest: &Path,
    parent: &Path,
    name: &str,
    may_replace: &dyn Fn(&Path) -> Result<(), IoError>,
) -> Result<(), IoError> {
    for _ in 0..16 {
        match std::fs::symlink_metadata(dest) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                match std::fs::rename(tmp, dest) {
                    Ok(()) => return Ok(()),
                    Err(e) if is_not_empty(&e) => continue,
                    Err(e) => return Err(IoError::io(dest, e)),
                }
            }
            Err(e) => return Err(IoError::io(dest, e)),
            Ok(_) => {}
        }
        may_replace(dest)?;
        if is_empty_dir(dest) {
            // POSIX renames a directory onto an empty one: nothing of the old is left over.
            match std::fs::rename(tmp, dest) {
                Ok(()) => return Ok(()),
                Err(e) if is_not_empty(&e) => continue,
                Err(e) => return Err(IoError::io(dest, e)),
            }
        }
        // A previous tranche tree: the new one takes its name, it takes the temporary one.
        if exchange(tmp, dest).is_ok() {
            if is_tranche_dir(tmp) || is_empty_dir(tmp) {
                remove_owned_tree(tmp);
                return Ok(());
            }
            // Someone else's directory took `dest` since the check: give it its name back
            // and look again.
            exchange(tmp, dest).map_err(|e| IoError::io(dest, e))?;
            continue;
        }
        let old = parent.join(temp_name(name, "old"));
        match std::fs::rename(dest, &old) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(IoError::io(dest, e)),
        }
        if !(is_tranche_dir(&old) || is_empty_dir(&old)) {
            // Not what was checked: put it back and look again.
            std::fs::rename(&old, dest).map_err(|e| IoError::io(dest, e))?;
            continue;
        }
        if let Err(e) = std::fs::rename(tmp, dest) {
            // Put the previous output back.
            let _ = std::fs::rename(&old, dest);
            if is_not_empty(&e) {
                continue;
            }
            return Err(IoError::io(dest, e));
        }
        remove_owned_tree(&old);
        return Ok(());
    }
    Err(IoError::io(
        dest,
        std::io::Error::other("other writers kept replacing it; try again"),
    ))
}

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

/// Removes a tree tranche made (it holds the marker, or nothing). The marker goes last,
/// so a removal cut short still leaves the rest recognizable for the next run.
fn remove_owned_tree(dir: &Path) {
    if !(is_tranche_dir(dir) || is_empty_dir(dir)) {
        return;
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_name() == MARKER {
                continue;
            }
            let p = e.path();
            let _ = match e.file_type() {
                Ok(t) if t.is_dir() => std::fs::remove_dir_all(&p),
                _ => std::fs::remove_file(&p),
            };
        }
    }
    let _ = std::fs::remove_file(dir.join(MARKER));
    let _ = std::fs::remove_dir(dir);
}

/// The process id in a temporary name `.{name}.tranche-{kind}-{pid}-{n}`, if it is one.
fn owner_pid(entry: &str, name: &str, kind: &str) -> Option<u32> {
    let rest = entry.strip_prefix(&format!(".{name}.tranche-{kind}-"))?;
    let (pid, n) = rest.split_once('-')?;
    n.parse::<u32>().ok()?;
    pid.parse().ok()
}

fn process_alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    // Without /proc (not Linux) nothing is known: treat every owner as alive.
    !proc.is_dir() || proc.join(pid.to_string()).exists()
}

/// Clears what a killed earlier run left beside `dest`: its temporary files and trees are
/// removed, and a previous output it had moved aside (`tranche-old`) is put back if `dest`
/// is missing. Entries of a live process, and directories that are not tranche's own, are
/// left alone.
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
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_file() {
                let _ = std::fs::remove_file(&path);
            } else if meta.is_dir() {
                let missing = std::fs::symlink_metadata(dest).is_err();
                if kind == "old" && missing && std::fs::rename(&path, dest).is_ok() {
                    continue;
                }
                remove_owned_tree(&path);
            }
        }
    }
}

#[cfg(test)]
mod tests;
