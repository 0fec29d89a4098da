//! The output guard: what a command may write. Every command that writes files names its
//! inputs (every file it read) and asks [`Outputs`] for each output path; the answer is an
//! [`OutFile`] or [`OutDir`], the only way to write one, or an error naming the flag, the
//! path and the reason. The rules (see `docs/outputs.md`):
//!
//! - an output never resolves (links followed) to an input, to a directory holding one, or
//!   into a directory read whole as input;
//! - a file output replaces only a file that is empty or an earlier output of the same
//!   kind (it begins with the output's [`Signature`]), never a directory;
//! - a directory output replaces only a directory that is empty or marked as tranche's
//!   ([`crate::atomic::MARKER`]), never a file;
//! - the checks are made before the command works and again just before it writes;
//!   writing is atomic ([`crate::atomic`]).

mod resolve;

use crate::atomic::{is_empty_dir, is_tranche_dir, write_atomic, write_dir_atomic};
use crate::IoError;
use resolve::{resolve, Chain, Unresolved};
use std::io::Read;
use std::path::{Path, PathBuf};

/// A file or directory a command reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    path: PathBuf,
    /// What it is, with its article, for messages: "the loan tape".
    role: &'static str,
    /// Read whole (every file in it): nothing may be written into it.
    whole_dir: bool,
}

impl Input {
    pub fn file(path: impl Into<PathBuf>, role: &'static str) -> Input {
        Input {
            path: path.into(),
            role,
            whole_dir: false,
        }
    }

    /// A directory whose every file is read.
    pub fn dir(path: impl Into<PathBuf>, role: &'static str) -> Input {
        Input {
            path: path.into(),
            role,
            whole_dir: true,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// How every output of one kind begins, whatever its rows (a CSV header line, a Markdown
/// title, the start of a JSON record): the mark by which a later run knows a file as an
/// earlier output it may replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature(pub String);

struct Known {
    input: Input,
    chain: Chain,
}

struct Taken {
    flag: String,
    shown: PathBuf,
    /// Resolved; its identities are taken afresh at each check (a file written since has
    /// a new one, and its old one may be reused).
    path: PathBuf,
}

/// The guard of one run: its inputs, and the outputs granted so far.
pub struct Outputs {
    inputs: Vec<Known>,
    taken: Vec<Taken>,
}

/// A file output, checked: write it with [`OutFile::write`].
#[derive(Debug)]
pub struct OutFile {
    flag: String,
    shown: PathBuf,
    path: PathBuf,
    signature: Signature,
}

/// A directory output, checked: write it with [`OutDir::write`].
#[derive(Debug)]
pub struct OutDir {
    flag: String,
    shown: PathBuf,
    path: PathBuf,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    File,
    Dir,
}

fn refuse(flag: &str, shown: &Path, reason: String) -> IoError {
    IoError::Output {
        flag: flag.to_string(),
        path: shown.to_path_buf(),
        reason,
    }
}

impl Outputs {
    /// The guard for a run that read `inputs`.
    pub fn new(inputs: &[Input]) -> Outputs {
        let inputs = inputs
            .iter()
            .map(|i| Known {
                chain: Chain::of(&resolve(&i.path).unwrap_or_else(|_| absolute(&i.path))),
                input: i.clone(),
            })
            .collect();
        Outputs {
            inputs,
            taken: Vec::new(),
        }
    }

    /// The file output `path` given with `flag`, whose outputs begin with `signature`.
    pub fn file(
        &mut self,
        flag: &str,
        path: &Path,
        signature: Signature,
    ) -> Result<OutFile, IoError> {
        let resolved = self.claim(flag, path, Kind::File)?;
        let out = OutFile {
            flag: flag.to_string(),
            shown: path.to_path_buf(),
            path: resolved,
            signature,
        };
        out.check_existing()?;
        Ok(out)
    }

    /// The directory output `path` given with `flag`.
    pub fn dir(&mut self, flag: &str, path: &Path) -> Result<OutDir, IoError> {
        let resolved = self.claim(flag, path, Kind::Dir)?;
        let out = OutDir {
            flag: flag.to_string(),
            shown: path.to_path_buf(),
            path: resolved,
        };
        out.check_existing(&out.path)?;
        Ok(out)
    }

    /// Resolves `path` and checks it against the inputs and the outputs granted before.
    fn claim(&mut self, flag: &str, path: &Path, kind: Kind) -> Result<PathBuf, IoError> {
        let no = |reason: String| refuse(flag, path, reason);
        if path.as_os_str().is_empty() {
            return Err(no("expected a path".into()));
        }
        let resolved = resolve(path).map_err(|e| match e {
            Unresolved::Dangling { to } => no(format!(
                "is a broken symbolic link (to {}); refusing to write through it",
                to.display()
            )),
            Unresolved::NotADir(a) => no(format!("{} is not a directory", a.display())),
            Unresolved::Io(e) => IoError::io(path, e),
        })?;
        let chain = Chain::of(&resolved);
        for k in &self.inputs {
            let (role, shown) = (k.input.role, k.input.path.display());
            if chain.is(&k.chain) {
                let what = if kind == Kind::Dir && k.input.whole_dir {
                    "replace"
                } else {
                    "write over"
                };
                return Err(no(format!(
                    "refusing to {what} {role} {shown}, an input of this run"
                )));
            }
            if chain.holds(&k.chain) {
                return Err(no(format!(
                    "refusing to write over a directory that holds {role} {shown}, an input \
                     of this run"
                )));
            }
            if k.input.whole_dir && k.chain.holds(&chain) {
                return Err(no(format!(
                    "refusing to write into {role} {shown}: this run reads every file in it"
                )));
            }
        }
        for t in &self.taken {
            let other = Chain::of(&t.path);
            if chain.is(&other) || chain.holds(&other) || other.holds(&chain) {
                return Err(no(format!(
                    "overlaps {} {}, another output of this run",
                    t.flag,
                    t.shown.display()
                )));
            }
        }
        self.taken.push(Taken {
            flag: flag.to_string(),
            shown: path.to_path_buf(),
            path: resolved.clone(),
        });
        Ok(resolved)
    }
}

/// `p` made absolute by name alone (for an input that vanished since it was read).
fn absolute(p: &Path) -> PathBuf {
    std::env::current_dir()
        .map(|d| d.join(p))
        .unwrap_or_else(|_| p.to_path_buf())
}

/// A few of the names in `dir`, for a message.
fn some_names(dir: &Path) -> String {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let more = names.len() > 3;
    names.truncate(3);
    let mut s = names.join(", ");
    if more {
        s.push_str(", ...");
    }
    s
}

impl OutFile {
    /// The path as the user gave it.
    pub fn shown(&self) -> &Path {
        &self.shown
    }

    /// Writes `bytes` atomically, after checking again that what is there may be replaced.
    pub fn write(&self, bytes: &[u8]) -> Result<(), IoError> {
        self.check_existing()?;
        write_atomic(&self.path, bytes)
    }

    fn check_existing(&self) -> Result<(), IoError> {
        let no = |reason: &str| Err(refuse(&self.flag, &self.shown, reason.to_string()));
        let meta = match std::fs::symlink_metadata(&self.path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(IoError::io(&self.shown, e)),
        };
        if meta.is_dir() {
            return no("refusing to replace a directory with a file");
        }
        if !meta.is_file() {
            return no("refusing to replace something that is not a regular file");
        }
        if meta.len() == 0 || begins_with(&self.path, &self.signature) {
            return Ok(());
        }
        no(
            "refusing to replace a file that does not begin like this output (only an \
             earlier output of the same command and format is replaced); remove it or \
             choose another name",
        )
    }
}

fn begins_with(path: &Path, sig: &Signature) -> bool {
    let want = sig.0.as_bytes();
    let mut head = vec![0u8; want.len()];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| head == want)
}

impl OutDir {
    /// The path as the user gave it.
    pub fn shown(&self) -> &Path {
        &self.shown
    }

    /// Builds the directory with `fill` (which writes into a fresh directory) and puts it
    /// in place whole, after checking again that what is there may be replaced.
    pub fn write<E: From<IoError>>(
        &self,
        fill: impl FnOnce(&Path) -> Result<(), E>,
    ) -> Result<(), E> {
        write_dir_atomic(&self.path, &|dest| self.check_existing(dest), fill)
    }

    fn check_existing(&self, dest: &Path) -> Result<(), IoError> {
        let no = |reason: String| Err(refuse(&self.flag, &self.shown, reason));
        let meta = match std::fs::symlink_metadata(dest) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(IoError::io(&self.shown, e)),
        };
        if meta.is_file() {
            return no("refusing to replace a file with a directory".into());
        }
        if !meta.is_dir() {
            return no("refusing to replace something that is not a directory".into());
        }
        if is_empty_dir(dest) || is_tranche_dir(dest) {
            return Ok(());
        }
        no(format!(
            "refusing to replace a directory that is not a tranche output (it holds {}); \
             remove it or choose another name",
            some_names(dest)
        ))
    }
}

#[cfg(test)]
mod tests;
