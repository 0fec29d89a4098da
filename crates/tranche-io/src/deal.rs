//! Deal files: `deals/<name>/deal.toml` (+ the tape it names, + optional `curves.csv`).
//!
//! Every problem in a deal file is reported with the file, line and column, the field path
//! and what was expected, followed by the offending line with carets under it.

mod locate;

use crate::outputs::Input;
use crate::IoError;
use std::fmt;
use std::path::{Path, PathBuf};
use tranche_core::collateral::LoanPool;
use tranche_core::deal::Deal;
use tranche_core::error::FieldError;
use tranche_core::rates::RateCurves;
use tranche_core::tape::Loan;

use crate::tape::TapeWarnings;

pub use locate::{line_col, snippet};

/// A deal with everything its directory holds.
#[derive(Debug, Clone)]
pub struct LoadedDeal {
    /// The directory holding the deal file (paths in the deal are relative to it).
    pub dir: PathBuf,
    pub deal: Deal,
    pub loans: Vec<Loan>,
    /// `curves.csv` of the deal directory, when present.
    pub curves: Option<RateCurves>,
    /// The files the deal is made of (deal file, tape, curves), for the output guard.
    pub inputs: Vec<Input>,
    /// Loans of the tape that break a warning rule, counted per rule.
    pub warnings: TapeWarnings,
}

/// One problem in a deal file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// 1-based line and column (characters).
    pub line: usize,
    pub column: usize,
    /// Field path, e.g. `bonds[2].coupon.margin_pct`, when known.
    pub field: Option<String>,
    pub message: String,
    /// The line with carets under the offending text.
    pub snippet: String,
}

/// Every problem found in one deal file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DealFileError {
    pub path: PathBuf,
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for DealFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}:{}:{}: ", self.path.display(), d.line, d.column)?;
            if let Some(field) = &d.field {
                write!(f, "{field}: ")?;
            }
            write!(f, "{}\n{}", d.message, d.snippet)?;
        }
        Ok(())
    }
}

impl std::error::Error for DealFileError {}

fn diag_at(
    src: &str,
    span: std::ops::Range<usize>,
    field: Option<String>,
    msg: String,
) -> Diagnostic {
    let (line, column) = line_col(src, span.start);
    Diagnostic {
        line,
        column,
        field,
        message: msg,
        snippet: snippet(src, &span),
    }
}

/// Rewrites serde's wording where it would puzzle a deal-file author.
fn explain(msg: &str) -> String {
    let msg = msg.trim_end();
    if msg.contains("expected a formatted date string")
        || msg.contains("input contains invalid characters") && msg.contains("date")
    {
        return "expected a date written as a quoted string, e.g. \"2004-01-29\"".into();
    }
    // chrono's wording for a well-formed date that is not on the calendar (2004-02-30).
    if msg.contains("input is out of range") {
        return "expected a date that exists on the calendar (YYYY-MM-DD); \
                this day is past the end of its month"
            .into();
    }
    msg.replace("expected u32", "expected a whole number")
        .replace("expected f64", "expected a number")
}

/// Parses and validates deal-file text. `path` only labels the errors.
pub fn parse_deal(path: &Path, src: &str) -> Result<Deal, IoError> {
    let fail = |diagnostics| {
        IoError::DealFile(Box::new(DealFileError {
            path: path.to_path_buf(),
            diagnostics,
        }))
    };
    if src.trim().is_empty() {
        return Err(fail(vec![diag_at(
            src,
            0..0,
            None,
            "the deal file is empty; expected a TOML deal file (see docs/deal-file.md)".into(),
        )]));
    }
    let doc = toml_edit::ImDocument::parse(src.to_string()).ok();
    let deal: Deal = match toml::from_str(src) {
        Ok(d) => d,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let field = doc.as_ref().and_then(|d| locate::path_at(d, span.start));
            let msg = if doc.is_none() {
                format!("TOML syntax error: {}", e.message().trim_end())
            } else {
                explain(e.message())
            };
            return Err(fail(vec![diag_at(src, span, field, msg)]));
        }
    };
    let errs = deal.validate();
    if !errs.is_empty() {
        return Err(fail(field_diagnostics(src, doc.as_ref(), &errs)));
    }
    Ok(deal)
}

fn field_diagnostics(
    src: &str,
    doc: Option<&toml_edit::ImDocument<String>>,
    errs: &[FieldError],
) -> Vec<Diagnostic> {
    errs.iter()
        .map(|e| {
            let field = e.location.field.clone();
            let span = field
                .as_deref()
                .and_then(|f| doc.and_then(|d| locate::span_of_path(d, f)))
                .unwrap_or(0..0);
            diag_at(src, span, field, e.message.clone())
        })
        .collect()
}

/// The deal file of `path`: `path` itself if a file, else `path/deal.toml`.
pub fn deal_file(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join("deal.toml")
    } else {
        path.to_path_buf()
    }
}

/// The text of a deal file, with clear messages for a missing path and for UTF-16 or
/// other non-UTF-8 text.
fn read_deal_text(file: &Path) -> Result<String, IoError> {
    let bad = |msg: String| IoError::input(file, vec![crate::table::file_error(None, msg)]);
    let bytes = std::fs::read(file).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            bad("no such file; expected a deal directory holding deal.toml, or a deal file".into())
        } else {
            IoError::io(file, e)
        }
    })?;
    if let Some(msg) = crate::table::sniff_encoding(&bytes, "deal file") {
        return Err(bad(msg));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() + 1;
        bad(format!(
            "the deal file is not UTF-8 text (line {line}); expected UTF-8 (re-save it as UTF-8)"
        ))
    })
}

/// Loads a deal directory (or a deal file): the deal, its tape (as a list of loans, for
/// strats) and its curves. To project, [`load_deal_pool`] needs far less memory.
/// `strict`: tape loans that break a warning rule are errors.
pub fn load_deal(path: impl AsRef<Path>, strict: bool) -> Result<LoadedDeal, IoError> {
    let d = open_deal(path.as_ref())?;
    // A deal whose tape is not there (yet) loads without loans; runs then fail with a
    // "no loans" error naming the tape.
    let tape = if d.tape.is_file() {
        crate::tape::read_tape_with(&d.tape, &d.tape_options(strict))?
    } else {
        d.no_tape(Vec::new())
    };
    let loans = tape.loans;
    if !loans.is_empty() {
        d.check_balance(loans.iter().map(|l| l.balance).sum())?;
    }
    let curves = d.curves(
        loans
            .iter()
            .filter_map(|l| l.arm.as_ref().map(|a| &a.index)),
    )?;
    Ok(LoadedDeal {
        inputs: d.inputs(),
        dir: d.dir,
        deal: d.deal,
        loans,
        curves,
        warnings: tape.warnings,
    })
}

/// A deal with its tape laid out as a [`LoanPool`].
#[derive(Debug, Clone)]
pub struct PooledDeal {
    pub dir: PathBuf,
    pub deal: Deal,
    /// Empty when the deal's tape does not exist.
    pub pool: LoanPool,
    pub curves: Option<RateCurves>,
    /// The files the deal is made of (deal file, tape, curves), for the output guard.
    pub inputs: Vec<Input>,
    /// Loans of the tape that break a warning rule, counted per rule.
    pub warnings: TapeWarnings,
}

/// Loads a deal directory (or a deal file) with its tape read straight into a pool in
/// chunks ([`crate::tape::read_tape_pool`]): the tape is never held whole as loans, so a
/// deal of millions of loans loads in the memory of its pool. Same checks and errors as
/// [`load_deal`].
pub fn load_deal_pool(path: impl AsRef<Path>, strict: bool) -> Result<PooledDeal, IoError> {
    let d = open_deal(path.as_ref())?;
    let tape = if d.tape.is_file() {
        crate::tape::read_tape_pool(&d.tape, &d.tape_options(strict))?
    } else {
        d.no_tape(LoanPool::default())
    };
    let pool = tape.loans;
    if !pool.is_empty() {
        d.check_balance(pool.total_balance())?;
    }
    let curves = d.curves(pool.indices.iter())?;
    Ok(PooledDeal {
        inputs: d.inputs(),
        dir: d.dir,
        deal: d.deal,
        pool,
        curves,
        warnings: tape.warnings,
    })
}

/// A deal with the tape of its loans as they stand after a payment date (a current tape,
/// `current`), or its own cut-off tape: the loans and their level payments (for a run from
/// a deal state), and every file read. `months_from`: the date a current tape's
/// `next_reset_date` column counts months from. The cut-off balances are not checked
/// against a current tape (the deal state is, when the model is placed at it).
pub fn load_deal_current(
    path: impl AsRef<Path>,
    strict: bool,
    current: Option<&Path>,
    months_from: Option<chrono::NaiveDate>,
) -> Result<(LoadedDeal, Vec<Option<f64>>), IoError> {
    let Some(tape_path) = current else {
        return Ok((load_deal(path, strict)?, Vec::new()));
    };
    let d = open_deal(path.as_ref())?;
    let mut opts = d.tape_options(strict);
    opts.cutoff = months_from.or(opts.cutoff);
    let tape = crate::tape::read_tape_with(tape_path, &opts)?;
    let curves = d.curves(
        tape.loans
            .iter()
            .filter_map(|l| l.arm.as_ref().map(|a| &a.index)),
    )?;
    let mut inputs = d.inputs();
    inputs.push(Input::file(tape_path, "the current tape"));
    Ok((
        LoadedDeal {
            inputs,
            dir: d.dir,
            deal: d.deal,
            loans: tape.loans,
            curves,
            warnings: tape.warnings,
        },
        tape.level_payments,
    ))
}

/// A parsed deal file, before its tape and curves are read.
struct OpenDeal {
    file: PathBuf,
    dir: PathBuf,
    src: String,
    deal: Deal,
    tape: PathBuf,
}

fn open_deal(path: &Path) -> Result<OpenDeal, IoError> {
    let file = deal_file(path);
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let src = read_deal_text(&file)?;
    let deal = parse_deal(&file, &src)?;
    let tape = dir.join(&deal.collateral.tape);
    Ok(OpenDeal {
        file,
        dir,
        src,
        deal,
        tape,
    })
}

impl OpenDeal {
    /// The deal file, its tape and its curves file. The tape and `curves.csv` count even
    /// when absent: a file written there would become part of the deal.
    fn inputs(&self) -> Vec<Input> {
        vec![
            Input::file(&self.file, "the deal file"),
            Input::file(&self.tape, "the loan tape"),
            Input::file(self.curves_path(), "the forward curves"),
        ]
    }

    fn curves_path(&self) -> PathBuf {
        self.dir.join("curves.csv")
    }

    fn tape_options(&self, strict: bool) -> crate::tape::TapeOptions {
        crate::tape::TapeOptions {
            extra_indices: self.deal.collateral.indices.clone(),
            cutoff: Some(self.deal.dates.cut_off),
            strict,
        }
    }

    /// What a deal whose tape is missing loads: no loans, no warnings.
    fn no_tape<T>(&self, loans: T) -> crate::tape::Tape<T> {
        crate::tape::Tape {
            loans,
            level_payments: Vec::new(),
            warnings: TapeWarnings {
                path: self.tape.clone(),
                ..TapeWarnings::default()
            },
        }
    }

    /// The deal's stated balances against the tape's total.
    fn check_balance(&self, total: f64) -> Result<(), IoError> {
        let errs = self.deal.validate_against_pool(total);
        if errs.is_empty() {
            return Ok(());
        }
        let doc = toml_edit::ImDocument::parse(self.src.clone()).ok();
        Err(IoError::DealFile(Box::new(DealFileError {
            path: self.file.clone(),
            diagnostics: field_diagnostics(&self.src, doc.as_ref(), &errs),
        })))
    }

    /// The deal's `curves.csv`, if any, checked to cover the indices the tape uses.
    fn curves<'a>(
        &self,
        used: impl Iterator<Item = &'a tranche_core::tape::RateIndex>,
    ) -> Result<Option<RateCurves>, IoError> {
        let curves_path = self.curves_path();
        if !curves_path.is_file() {
            return Ok(None);
        }
        let c = crate::curves::read_curves(&curves_path)?;
        crate::curves::check_covers(&curves_path, &c, used)?;
        Ok(Some(c))
    }
}
