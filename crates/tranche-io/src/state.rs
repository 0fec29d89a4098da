//! Deal-state files: the JSON form of [`DealState`] (`docs/deal-state.schema.json`, see
//! `docs/surveillance.md`). Every problem is reported as the deal file's are: the file,
//! line and column, the field path and what was expected, with the line quoted. Numbers
//! are written as the shortest decimal that reads back as the same double, and read back
//! exactly, so a state tranche wrote resumes a run bit for bit.

mod locate;

use crate::deal::{line_col, snippet, DealFileError, Diagnostic};
use crate::outputs::Signature;
use crate::IoError;
use std::path::{Path, PathBuf};
use tranche_core::error::FieldError;
use tranche_core::runner::DealModel;
use tranche_core::surveillance::{DealState, STATE_KIND};

/// A deal-state file as read: its path and text (for messages) and the state.
#[derive(Debug, Clone)]
pub struct StateFile {
    pub path: PathBuf,
    src: String,
    pub state: DealState,
}

/// How every state file tranche writes begins.
pub fn state_signature() -> Signature {
    Signature(format!("{{\n  \"kind\": \"{STATE_KIND}\",\n"))
}

/// The state as the file tranche writes.
pub fn state_json(state: &DealState) -> Result<Vec<u8>, IoError> {
    serde_json::to_string_pretty(state)
        .map(|s| (s + "\n").into_bytes())
        .map_err(|e| IoError::io("deal state", std::io::Error::other(e.to_string())))
}

fn diagnostic(
    src: &str,
    at: std::ops::Range<usize>,
    field: Option<String>,
    msg: String,
) -> Diagnostic {
    let (line, column) = line_col(src, at.start);
    Diagnostic {
        line,
        column,
        field,
        message: msg,
        snippet: snippet(src, &at),
    }
}

fn fail(path: &Path, diagnostics: Vec<Diagnostic>) -> IoError {
    IoError::DealFile(Box::new(DealFileError {
        path: path.to_path_buf(),
        diagnostics,
    }))
}

/// Byte offset of a 1-based line and column.
fn offset(src: &str, line: usize, column: usize) -> usize {
    let start: usize = src
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column.saturating_sub(1)).min(src.len())
}

/// serde's wording told as a state-file author reads it.
fn explain(msg: &str) -> String {
    let msg = match msg.rfind(" at line ") {
        Some(i) => &msg[..i],
        None => msg,
    };
    msg.replace("expected u32", "expected a whole number")
        .replace("expected f64", "expected a number")
        .replace("expected a boolean", "expected true or false")
}

/// Reads a deal-state file: JSON that parses into a [`DealState`]. What it says is checked
/// against the deal by [`StateFile::place`].
pub fn read_state(path: &Path) -> Result<StateFile, IoError> {
    let bytes = std::fs::read(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            IoError::input(
                path,
                vec![crate::table::file_error(
                    None,
                    "no such file; expected a deal-state file (JSON)",
                )],
            )
        } else {
            IoError::io(path, e)
        }
    })?;
    let bad = |msg: String| IoError::input(path, vec![crate::table::file_error(None, msg)]);
    if let Some(msg) = crate::table::sniff_encoding(&bytes, "deal-state file") {
        return Err(bad(msg));
    }
    let src = String::from_utf8(bytes)
        .map_err(|_| bad("the deal-state file is not UTF-8 text; expected UTF-8 JSON".into()))?;
    let src = src.strip_prefix('\u{feff}').unwrap_or(&src).to_string();
    if src.trim().is_empty() {
        return Err(fail(
            path,
            vec![diagnostic(
                &src,
                0..0,
                None,
                "the deal-state file is empty; expected a JSON deal state \
                 (docs/deal-state.schema.json)"
                    .into(),
            )],
        ));
    }
    match serde_json::from_str::<DealState>(&src) {
        Ok(state) => Ok(StateFile {
            path: path.to_path_buf(),
            src,
            state,
        }),
        Err(e) => {
            let at = offset(&src, e.line(), e.column());
            let field = locate::path_at(&src, at.saturating_sub(1));
            let msg = if e.is_syntax() || e.is_eof() {
                format!("JSON syntax error: {}", explain(&e.to_string()))
            } else {
                explain(&e.to_string())
            };
            Err(fail(path, vec![diagnostic(&src, at..at, field, msg)]))
        }
    }
}

impl StateFile {
    /// The model placed at this state: checked against the model's deal and its pool (the
    /// current tape), each problem told at its place in the file.
    pub fn place(&self, model: DealModel) -> Result<DealModel, IoError> {
        model.at(&self.state).map_err(|e| match e {
            tranche_core::Error::Invalid(fe) => self.located(&[fe]),
            tranche_core::Error::InvalidMany(v) => self.located(&v),
            other => IoError::Core(other),
        })
    }

    fn located(&self, errs: &[FieldError]) -> IoError {
        fail(
            &self.path,
            errs.iter()
                .map(|e| {
                    let field = e.location.field.clone();
                    let at = field
                        .as_deref()
                        .and_then(|f| locate::span_of(&self.src, f))
                        .unwrap_or(0..0);
                    diagnostic(&self.src, at, field, e.message.clone())
                })
                .collect(),
        )
    }
}
