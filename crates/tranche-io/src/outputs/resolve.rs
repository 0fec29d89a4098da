//! Where a path leads: symbolic links followed, `.` and `..` folded; a path that does not
//! exist yet is resolved through its nearest existing ancestor (the directories a writer
//! would create below it hold no links, so folding the rest by name is exact).

use std::path::{Component, Path, PathBuf};

/// Why a path cannot be resolved.
#[derive(Debug)]
pub(crate) enum Unresolved {
    /// The path is a symbolic link to nothing; `to` is where it points.
    Dangling { to: PathBuf },
    /// An existing ancestor (as typed) is not a directory.
    NotADir(PathBuf),
    /// The system could not resolve it (e.g. no permission to look).
    Io(std::io::Error),
}

/// The canonical path `p` leads to.
pub(crate) fn resolve(p: &Path) -> Result<PathBuf, Unresolved> {
    // The nearest of `p` and its ancestors that exists (as a name: a link counts).
    let mut base = p;
    while std::fs::symlink_metadata(or_dot(base)).is_err() {
        match base.parent() {
            Some(q) => base = q,
            // Every relative path has `.` above it; only an absolute one can run out.
            None => return Ok(fold(PathBuf::from("/"), p)),
        }
    }
    let here = or_dot(base);
    let canon = std::fs::canonicalize(here).map_err(|e| match std::fs::read_link(here) {
        Ok(to) => Unresolved::Dangling { to },
        Err(_) => Unresolved::Io(e),
    })?;
    let rest = p.strip_prefix(base).unwrap_or(Path::new(""));
    if rest.as_os_str().is_empty() {
        return Ok(canon);
    }
    if !canon.is_dir() {
        return Err(Unresolved::NotADir(here.to_path_buf()));
    }
    Ok(fold(canon, rest))
}

fn or_dot(p: &Path) -> &Path {
    if p.as_os_str().is_empty() {
        Path::new(".")
    } else {
        p
    }
}

fn fold(mut base: PathBuf, rest: &Path) -> PathBuf {
    for c in rest.components() {
        match c {
            Component::Normal(x) => base.push(x),
            Component::ParentDir => {
                base.pop();
            }
            Component::RootDir => base = PathBuf::from("/"),
            Component::CurDir | Component::Prefix(_) => {}
        }
    }
    base
}

/// What identifies an existing file or directory beyond its name: device and inode on
/// Unix (one file under two names, hard links, bind mounts, a case-insensitive volume).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileId(u64, u64);

pub(crate) fn file_id(p: &Path) -> Option<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(p).ok().map(|m| FileId(m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = p;
        None
    }
}

/// A resolved path and its ancestors, each with its identity when it exists.
#[derive(Debug, Clone)]
pub(crate) struct Chain(Vec<(PathBuf, Option<FileId>)>);

impl Chain {
    pub(crate) fn of(resolved: &Path) -> Chain {
        Chain(
            resolved
                .ancestors()
                .map(|a| (a.to_path_buf(), file_id(a)))
                .collect(),
        )
    }

    fn same(a: &(PathBuf, Option<FileId>), b: &(PathBuf, Option<FileId>)) -> bool {
        a.0 == b.0 || (a.1.is_some() && a.1 == b.1)
    }

    /// True when both name the same file or directory.
    pub(crate) fn is(&self, other: &Chain) -> bool {
        match (self.0.first(), other.0.first()) {
            (Some(a), Some(b)) => Chain::same(a, b),
            _ => false,
        }
    }

    /// True when `self` is a directory above `other`.
    pub(crate) fn holds(&self, other: &Chain) -> bool {
        match self.0.first() {
            Some(me) => other.0.iter().skip(1).any(|a| Chain::same(me, a)),
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_path_resolves_through_its_existing_ancestor() {
        let root = tempfile::tempdir().unwrap();
        let r = std::fs::canonicalize(root.path()).unwrap();
        std::fs::create_dir(r.join("deal")).unwrap();
        std::fs::write(r.join("deal/tape.csv"), "x").unwrap();
        assert_eq!(
            resolve(&r.join("deal/tape.csv")).unwrap(),
            r.join("deal/tape.csv")
        );
        // `..` below a directory that does not exist yet folds by name, as a writer creating
        // it would see it.
        assert_eq!(
            resolve(&r.join("new/sub/../../deal/tape.csv")).unwrap(),
            r.join("deal/tape.csv")
        );
        assert_eq!(resolve(&r.join("a/b.csv")).unwrap(), r.join("a/b.csv"));
        assert!(matches!(
            resolve(&r.join("deal/tape.csv/x.csv")),
            Err(Unresolved::NotADir(_))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_and_broken_ones_refused() {
        let root = tempfile::tempdir().unwrap();
        let r = std::fs::canonicalize(root.path()).unwrap();
        std::fs::create_dir(r.join("deal")).unwrap();
        std::fs::write(r.join("deal/tape.csv"), "x").unwrap();
        std::os::unix::fs::symlink(r.join("deal/tape.csv"), r.join("t.csv")).unwrap();
        std::os::unix::fs::symlink(r.join("deal"), r.join("d")).unwrap();
        std::os::unix::fs::symlink(r.join("gone"), r.join("broken")).unwrap();
        assert_eq!(resolve(&r.join("t.csv")).unwrap(), r.join("deal/tape.csv"));
        assert_eq!(
            resolve(&r.join("d/new.csv")).unwrap(),
            r.join("deal/new.csv")
        );
        assert!(matches!(
            resolve(&r.join("broken")),
            Err(Unresolved::Dangling { .. })
        ));
        let tape = Chain::of(&resolve(&r.join("deal/tape.csv")).unwrap());
        assert!(Chain::of(&resolve(&r.join("t.csv")).unwrap()).is(&tape));
        assert!(Chain::of(&resolve(&r.join("d")).unwrap()).holds(&tape));
        assert!(Chain::of(&r).holds(&tape));
        assert!(!tape.holds(&tape));
        // A hard link is the same file under another name.
        std::fs::hard_link(r.join("deal/tape.csv"), r.join("hard.csv")).unwrap();
        assert!(Chain::of(&r.join("hard.csv")).is(&tape));
    }
}
