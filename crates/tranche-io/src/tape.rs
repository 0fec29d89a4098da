//! Loan tape reader: CSV, and Parquet behind the `parquet` feature, with the columns of
//! `docs/loan-tape.md`. Files hold percent (`_pct` columns); loans hold decimals.
//!
//! Every problem found is reported (up to [`crate::table::MAX_ERRORS`]), each naming the
//! file, the data row (1-based, the header is not counted), the column and what was
//! expected.

use crate::table::{
    cell_error, file_error, more_errors, read_lines, BadRow, Block, CsvBlocks, CsvRows, RowError,
    RowSource,
};
use crate::IoError;
use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tranche_core::collateral::LoanPool;
use tranche_core::error::FieldError;
use tranche_core::tape::{
    check_loan, AmortType, ArmTerms, Loan, LoanRule, LoanWarnings, RateIndex,
};

/// Reader options.
#[derive(Debug, Clone, Default)]
pub struct TapeOptions {
    /// Index names accepted besides the built-in ones (LIBOR1M, LIBOR6M, LIBOR12M, CMT1Y),
    /// e.g. the user-named columns of the curve file.
    pub extra_indices: Vec<String>,
    /// Cut-off date: needed only to turn a `next_reset_date` column into months to reset.
    pub cutoff: Option<NaiveDate>,
    /// Loans that break a warning rule (`docs/validation.md`) are errors, not warnings.
    pub strict: bool,
}

/// The warnings of one tape read: each rule's count and first loan.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TapeWarnings {
    pub path: PathBuf,
    pub loans: LoanWarnings,
}

impl TapeWarnings {
    pub fn is_empty(&self) -> bool {
        self.loans.is_empty()
    }

    /// One line per broken rule, starting with the file: what a front end prints once.
    pub fn lines(&self) -> Vec<String> {
        self.loans
            .lines()
            .into_iter()
            .map(|l| format!("{}: {l}", self.path.display()))
            .collect()
    }
}

/// A tape as read: its loans (a list, or laid out as a pool) and the warnings counted.
#[derive(Debug, Clone)]
pub struct Tape<T> {
    pub loans: T,
    /// A current tape's `level_payment` of each loan, in order (empty for a pool, which
    /// holds them itself).
    pub level_payments: Vec<Option<f64>>,
    pub warnings: TapeWarnings,
}

/// Reads a tape (`.parquet` → Parquet, anything else → CSV) with the built-in indices.
pub fn read_tape(path: impl AsRef<Path>) -> Result<Tape<Vec<Loan>>, IoError> {
    read_tape_with(path, &TapeOptions::default())
}

/// Reads a tape with options (declared indices, cut-off date, strictness).
pub fn read_tape_with(
    path: impl AsRef<Path>,
    opts: &TapeOptions,
) -> Result<Tape<Vec<Loan>>, IoError> {
    let path = path.as_ref();
    if is_parquet(path) {
        build_loans(path, open_parquet(path)?.as_mut(), opts, |_| Ok(()))
    } else {
        build_loans_csv(path, opts, CSV_SIZES, |_| Ok(()))
    }
}

/// Reads a Parquet tape held in memory (`path` only names it in messages).
#[cfg(feature = "parquet")]
pub fn read_tape_parquet_bytes(
    path: &Path,
    data: Vec<u8>,
    opts: &TapeOptions,
) -> Result<Tape<Vec<Loan>>, IoError> {
    let mut rows = crate::parquet_table::ParquetRows::from_bytes(path, "loan tape", data)?;
    build_loans(path, &mut rows, opts, |_| Ok(()))
}

/// Loans laid out per chunk when a tape is read straight into a pool.
pub const POOL_CHUNK: usize = 65_536;

/// Reads a tape straight into a [`LoanPool`]: rows (CSV lines, Parquet rows) are validated
/// one at a time and laid out in chunks of [`POOL_CHUNK`] loans, so memory holds the pool's
/// arrays and one chunk of [`Loan`]s, never the whole tape as loans or as text.
pub fn read_tape_pool(
    path: impl AsRef<Path>,
    opts: &TapeOptions,
) -> Result<Tape<LoanPool>, IoError> {
    read_tape_pool_in(path.as_ref(), opts, POOL_CHUNK)
}

fn read_tape_pool_in(
    path: &Path,
    opts: &TapeOptions,
    chunk: usize,
) -> Result<Tape<LoanPool>, IoError> {
    let mut pool = LoanPool::default();
    let laid_out = |loans: &[Loan], payments: &[Option<f64>]| {
        let mut p = LoanPool::from_loans(loans)?;
        if payments.iter().any(Option::is_some) {
            p.set_level_payments(payments)?;
        }
        Ok::<_, IoError>(p)
    };
    let drain = |b: &mut Builder| {
        if b.loans.len() >= chunk && b.errors.is_empty() {
            pool.append(laid_out(&b.loans, &b.payments)?);
            b.loans.clear();
            b.payments.clear();
        }
        Ok(())
    };
    let rest = if is_parquet(path) {
        build_loans(path, open_parquet(path)?.as_mut(), opts, drain)?
    } else {
        build_loans_csv(path, opts, CSV_SIZES, drain)?
    };
    if !rest.loans.is_empty() {
        pool.append(laid_out(&rest.loans, &rest.level_payments)?);
    }
    Ok(Tape {
        loans: pool,
        level_payments: Vec::new(),
        warnings: rest.warnings,
    })
}

/// True for a tape read as Parquet (`.parquet`, `.pq`); anything else is CSV.
pub fn is_parquet(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet") || e.eq_ignore_ascii_case("pq"))
}

#[cfg(feature = "parquet")]
fn open_parquet(path: &Path) -> Result<Box<dyn RowSource>, IoError> {
    Ok(Box::new(crate::parquet_table::ParquetRows::open(
        path,
        "loan tape",
    )?))
}

#[cfg(not(feature = "parquet"))]
fn open_parquet(path: &Path) -> Result<Box<dyn RowSource>, IoError> {
    Err(IoError::input(
        path,
        vec![file_error(
            None,
            "Parquet tapes need tranche built with the `parquet` feature; \
             convert the tape to CSV or rebuild with `--features parquet`",
        )],
    ))
}

/// Largest balance one tape row may hold (a rep line can aggregate many loans); anything
/// above is a typo or a unit error, not a mortgage.
pub const MAX_BALANCE: f64 = 1e10;

/// Reads a CSV tape from any byte stream (`path` only names it in messages), one row at a
/// time: memory grows with the loans kept, not with the file.
pub fn read_tape_csv_from<R: std::io::Read>(
    path: &Path,
    reader: R,
    opts: &TapeOptions,
) -> Result<Tape<Vec<Loan>>, IoError> {
    let mut src = CsvRows::new(path, "loan tape", reader)?;
    build_loans(path, &mut src, opts, |_| Ok(()))
}

/// Reads every row into a [`Builder`], calling `after_row` after each (to drain loans
/// already built), and returns the loans left at the end with the tape's warnings.
/// Rows parsed side by side: enough to keep every core busy, few enough that a batch's
/// copies of its rows stay small.
const PARSE_BATCH: usize = 2048;

fn build_loans<S: RowSource + ?Sized>(
    path: &Path,
    src: &mut S,
    opts: &TapeOptions,
    mut after_row: impl FnMut(&mut Builder) -> Result<(), IoError>,
) -> Result<Tape<Vec<Loan>>, IoError> {
    let mut b = Builder::new(column_map(path, src.headers())?);
    drain_rows(&mut b, src, opts, &mut after_row)?;
    b.finish(path, src.rows_read())
}

/// Reads the rows left in `src` into `b`, a batch at a time.
fn drain_rows<S: RowSource + ?Sized>(
    b: &mut Builder,
    src: &mut S,
    opts: &TapeOptions,
    after_row: &mut impl FnMut(&mut Builder) -> Result<(), IoError>,
) -> Result<(), IoError> {
    let mut batch: Vec<(usize, Result<csv::StringRecord, RowError>)> =
        Vec::with_capacity(PARSE_BATCH);
    let mut fatal = false;
    while !fatal {
        batch.clear();
        while batch.len() < PARSE_BATCH {
            let Some((row, r)) = src.next_row() else {
                break;
            };
            let r = r.cloned();
            fatal = matches!(r, Err(RowError::Fatal(_)));
            batch.push((row, r));
            if fatal {
                break;
            }
        }
        if batch.is_empty() {
            break;
        }
        // Each row parsed and checked on its own, in parallel; what needs the rows before
        // it (duplicate ids, the error cap, the kept loans) follows in row order.
        let parsed: Vec<Option<ParsedRow>> = batch
            .par_iter()
            .map(|(row, r)| r.as_ref().ok().map(|cells| b.parse(*row, cells, opts)))
            .collect();
        for ((row, r), p) in batch.drain(..).zip(parsed) {
            match (r, p) {
                (Ok(_), Some(p)) => b.absorb(row, p),
                (Err(RowError::Row(e)), _) | (Err(RowError::Fatal(e)), _) => b.error(e),
                (Ok(_), None) => {}
            }
            after_row(b)?;
        }
    }
    Ok(())
}

/// Bytes of a block read as one piece: a few hundred rows, enough to keep the cores busy
/// on a small tape.
const PIECE_BYTES: usize = 1 << 16;

/// The block and piece sizes a CSV tape is read with.
const CSV_SIZES: (usize, usize) = (crate::table::BLOCK_BYTES, PIECE_BYTES);

/// A piece of a block read on its own: each data row parsed and checked, or what is wrong
/// with it (its row number given in order, later), and the lines the piece spans.
struct Piece {
    rows: Vec<Result<ParsedRow, BadRow>>,
    lines: u64,
}

/// Reads a CSV tape file: the header as any table, then the data lines in blocks, each cut
/// into pieces at line breaks that are read and checked in parallel; what needs the rows
/// before it (row numbers, duplicate ids, the error cap, the kept loans) follows in row
/// order, so loans and messages are those of a read in order. A tape with a `"` is read
/// in order from the block holding it on (a quoted cell may hold a line break).
fn build_loans_csv(
    path: &Path,
    opts: &TapeOptions,
    (block, piece): (usize, usize),
    mut after_row: impl FnMut(&mut Builder) -> Result<(), IoError> + Send,
) -> Result<Tape<Vec<Loan>>, IoError> {
    let src = CsvRows::open(path, WHAT)?;
    let mut b = Builder::new(column_map(path, src.headers())?);
    let cols = b.cols.clone();
    let headers = src.headers().to_vec();
    let io = |e| IoError::io(path, e);
    let (mut blocks, lines) = src.into_blocks(block).map_err(io)?;
    let mut at = (0usize, lines);
    let mut next = read_block(&mut blocks, &cols, &headers, opts, piece).map_err(io)?;
    loop {
        match next {
            None => return b.finish(path, at.0),
            Some(Next::Quoted) => {
                let (rows, lines) = at;
                let mut rest = CsvRows::resume(WHAT, blocks.into_rest(), headers, rows, lines);
                drain_rows(&mut b, &mut rest, opts, &mut after_row)?;
                return b.finish(path, rest.rows_read());
            }
            Some(Next::Pieces(pieces)) => {
                // The next block is read while this one's rows are taken in order.
                let (done, n) = rayon::join(
                    || merge(&mut b, pieces, &mut at, &headers, &mut after_row),
                    || read_block(&mut blocks, &cols, &headers, opts, piece),
                );
                if done? {
                    return b.finish(path, at.0);
                }
                next = n.map_err(io)?;
            }
        }
    }
}

const WHAT: &str = "loan tape";

/// The next block of a CSV tape, read.
enum Next {
    Pieces(Vec<Piece>),
    /// The rest is read in order.
    Quoted,
}

/// Reads and checks the next block, its pieces in parallel (`None` at the end).
fn read_block(
    blocks: &mut CsvBlocks,
    cols: &Columns,
    headers: &[String],
    opts: &TapeOptions,
    piece: usize,
) -> std::io::Result<Option<Next>> {
    let bytes = match blocks.next_block()? {
        Block::End => return Ok(None),
        Block::Quoted => return Ok(Some(Next::Quoted)),
        Block::Lines(bytes) => bytes,
    };
    let pieces = cut_at_lines(&bytes, piece)
        .par_iter()
        .map(|bytes| {
            let mut rows = Vec::new();
            let lines = read_lines(bytes, headers, |r| {
                rows.push(r.map(|cells| parse_cells(cols, 0, cells, opts)));
                true
            });
            Piece { rows, lines }
        })
        .collect();
    Ok(Some(Next::Pieces(pieces)))
}

/// Takes a block's rows in row order; `at` is the rows and lines read before it. True
/// once the read must end (a cell that is not UTF-8).
fn merge(
    b: &mut Builder,
    pieces: Vec<Piece>,
    at: &mut (usize, u64),
    headers: &[String],
    after_row: &mut impl FnMut(&mut Builder) -> Result<(), IoError>,
) -> Result<bool, IoError> {
    for piece in pieces {
        for r in piece.rows {
            at.0 += 1;
            let row = at.0;
            match r {
                Ok(p) => b.absorb(row, p),
                Err(e) => match e.at(row, at.1, headers, WHAT) {
                    RowError::Row(e) => b.error(e),
                    RowError::Fatal(e) => {
                        b.error(e);
                        after_row(b)?;
                        return Ok(true);
                    }
                },
            }
            after_row(b)?;
        }
        at.1 += piece.lines;
    }
    Ok(false)
}

/// `bytes` (whole lines, no quoted cell) cut after the first line break at or past every
/// `size` bytes.
fn cut_at_lines(bytes: &[u8], size: usize) -> Vec<&[u8]> {
    let mut out = Vec::with_capacity(bytes.len() / size + 1);
    let mut rest = bytes;
    let size = size.max(1);
    while !rest.is_empty() {
        let end = match rest
            .get(size..)
            .and_then(|t| t.iter().position(|b| *b == b'\n'))
        {
            Some(i) => size + i + 1,
            None => rest.len(),
        };
        let (piece, tail) = rest.split_at(end);
        out.push(piece);
        rest = tail;
    }
    out
}

/// One row parsed on its own: its loan if every field parsed, its errors, and the warning
/// rules it breaks.
struct ParsedRow {
    loan: Option<Loan>,
    /// Its `level_payment` (current tapes).
    payment: Option<f64>,
    errors: Vec<FieldError>,
    warnings: Vec<tranche_core::tape::LoanFinding>,
}

/// A column of the tape schema ([`tranche_core::tape::schema::COLUMNS`]) by its position
/// there, resolved while compiling (see [`c!`]): a row's cell is then found by indexing,
/// never by hashing or comparing its name.
#[derive(Debug, Clone, Copy)]
struct Col(usize);

impl Col {
    fn name(self) -> &'static str {
        SCHEMA[self.0].name
    }
}

use tranche_core::tape::schema::COLUMNS as SCHEMA;

/// The schema position of a column name; a name the schema lacks fails the build.
const fn col_of(name: &str) -> Col {
    let want = name.as_bytes();
    let mut i = 0;
    while i < SCHEMA.len() {
        let have = SCHEMA[i].name.as_bytes();
        if have.len() == want.len() {
            let mut k = 0;
            while k < have.len() && have[k] == want[k] {
                k += 1;
            }
            if k == have.len() {
                return Col(i);
            }
        }
        i += 1;
    }
    assert!(i < SCHEMA.len(), "not a column of the tape schema");
    Col(i)
}

/// A tape column by name, checked and resolved at compile time.
macro_rules! c {
    ($name:literal) => {{
        const C: Col = col_of($name);
        C
    }};
}

/// Where each schema column sits in a file's header (`None`: the file lacks it), by schema
/// position: resolved once per file.
#[derive(Debug, Clone)]
struct Columns(Vec<Option<usize>>);

impl Columns {
    fn get(&self, c: Col) -> Option<usize> {
        self.0.get(c.0).copied().flatten()
    }
}

/// Typed access to one row's cells, collecting errors.
struct Row<'a> {
    row: usize,
    cells: &'a csv::StringRecord,
    cols: &'a Columns,
    errors: &'a mut Vec<FieldError>,
}

impl Row<'_> {
    fn raw(&self, col: Col) -> &str {
        self.cols
            .get(col)
            .and_then(|i| self.cells.get(i))
            .map(str::trim)
            .unwrap_or("")
    }

    fn err(&mut self, col: &str, msg: impl Into<String>) {
        self.errors.push(cell_error(self.row, col, msg));
    }

    /// A number, or `None` if empty. Errors on text, NaN and infinities.
    fn num_opt(&mut self, col: Col) -> Option<f64> {
        let s = self.raw(col);
        if s.is_empty() {
            return None;
        }
        match parse_num(s) {
            Ok(v) => Some(v),
            Err(msg) => {
                self.err(col.name(), msg);
                None
            }
        }
    }

    fn num_req(&mut self, col: Col, what: &str) -> Option<f64> {
        if self.raw(col).is_empty() {
            self.err(col.name(), format!("expected {what}, got an empty cell"));
            return None;
        }
        self.num_opt(col)
    }

    /// A percent rate in `[lo, hi]`, returned as the decimal it denotes, rounded once
    /// (`5.375` is the double nearest 0.05375, not 5.375 / 100 rounded twice): so a rate
    /// written with [`crate::tape_write`]'s exact percent reads back bit for bit.
    fn pct(&mut self, col: Col, required: bool, lo: f64, hi: f64) -> Option<f64> {
        let s = self.raw(col);
        if s.is_empty() {
            if required {
                self.err(
                    col.name(),
                    format!("expected a percent rate between {lo} and {hi}, got an empty cell"),
                );
            }
            return None;
        }
        let v = match parse_num(s) {
            Ok(v) => v,
            Err(msg) => {
                self.err(col.name(), msg);
                return None;
            }
        };
        if v < lo || v > hi {
            self.err(
                col.name(),
                format!("expected a percent rate between {lo} and {hi}, got {v}"),
            );
            return None;
        }
        Some(percent_to_decimal(s).unwrap_or(v / 100.0))
    }

    /// A whole number of months >= 0, or `None` if empty.
    fn int_opt(&mut self, col: Col) -> Option<u32> {
        let s = self.raw(col);
        if s.is_empty() {
            return None;
        }
        // The usual case, a plain whole number, without going through a float.
        if let Ok(v) = s.parse::<u32>() {
            if v <= 10_000 {
                return Some(v);
            }
        }
        let v = match s.parse::<f64>() {
            Ok(v) => v,
            Err(_) => {
                let msg = format!("expected a whole number, got `{s}`");
                self.err(col.name(), msg);
                return None;
            }
        };
        if !v.is_finite() || v < 0.0 || v.fract() != 0.0 || v > 10_000.0 {
            let msg = format!("expected a whole number between 0 and 10000, got `{s}`");
            self.err(col.name(), msg);
            return None;
        }
        Some(v as u32)
    }

    fn int_req(&mut self, col: Col) -> Option<u32> {
        if self.raw(col).is_empty() {
            self.err(col.name(), "expected a whole number, got an empty cell");
            return None;
        }
        self.int_opt(col)
    }

    fn date_opt(&mut self, col: Col) -> Option<NaiveDate> {
        let s = self.raw(col);
        if s.is_empty() {
            return None;
        }
        match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                let msg = format!("expected a calendar date YYYY-MM-DD, got `{s}`");
                self.err(col.name(), msg);
                None
            }
        }
    }

    fn text(&self, col: Col) -> String {
        self.raw(col).to_string()
    }
}

/// A number cell (not empty) as a finite double, or the message saying what is wrong.
fn parse_num(s: &str) -> Result<f64, String> {
    // Thousands separators and dollar signs are rare: strip them only when present.
    let parsed = if s.contains([',', '$']) {
        let cleaned: String = s.chars().filter(|c| *c != ',' && *c != '$').collect();
        cleaned.parse::<f64>()
    } else {
        s.parse::<f64>()
    };
    match parsed {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!("expected a finite number, got `{s}`")),
        Err(_) => Err(format!("expected a number, got `{s}`")),
    }
}

/// The decimal a percent text denotes, rounded once: the text's exponent lowered by two.
pub fn percent_to_decimal(text: &str) -> Option<f64> {
    use std::io::Write;
    let t = text.trim();
    if t.contains([',', '$']) {
        return None;
    }
    // The shifted text is built on the stack: a cell longer than the buffer (never a rate
    // a tape writes) takes the allocating way.
    let mut buf = [0u8; 64];
    let mut w = &mut buf[..];
    let wrote = match t.find(['e', 'E']) {
        Some(i) => {
            let exp: i32 = t[i + 1..].parse().ok()?;
            write!(w, "{}e{}", &t[..i], exp.checked_sub(2)?)
        }
        None => write!(w, "{t}e-2"),
    };
    let left = w.len();
    let shifted = match wrote {
        Ok(()) => std::str::from_utf8(&buf[..buf.len() - left])
            .ok()?
            .parse::<f64>(),
        Err(_) => match t.find(['e', 'E']) {
            Some(i) => {
                let exp: i32 = t[i + 1..].parse().ok()?;
                format!("{}e{}", &t[..i], exp.checked_sub(2)?).parse::<f64>()
            }
            None => format!("{t}e-2").parse::<f64>(),
        },
    };
    shifted.ok().filter(|v| v.is_finite())
}

fn column_map(path: &Path, headers: &[String]) -> Result<Columns, IoError> {
    let cols = Columns(
        SCHEMA
            .iter()
            .map(|c| {
                headers
                    .iter()
                    .position(|h| h.trim().eq_ignore_ascii_case(c.name))
            })
            .collect(),
    );
    let present = |name: &str| {
        SCHEMA
            .iter()
            .zip(&cols.0)
            .any(|(c, at)| c.name == name && at.is_some())
    };
    let missing: Vec<FieldError> = tranche_core::tape::schema::required()
        .filter(|c| !present(c))
        .map(|c| {
            file_error(
                Some(c),
                format!(
                    "missing required column; the header has: {}",
                    headers.join(", ")
                ),
            )
        })
        .collect();
    if !missing.is_empty() {
        return Err(IoError::input(path, missing));
    }
    Ok(cols)
}

fn known_index(ix: &RateIndex, extra: &[String]) -> bool {
    ix.is_builtin() || extra.iter().any(|e| RateIndex::parse(e) == *ix)
}

/// Loans validated so far, the errors found (the first MAX_ERRORS, then a count) and the
/// warnings counted.
struct Builder {
    cols: Columns,
    errors: Vec<FieldError>,
    warnings: LoanWarnings,
    loans: Vec<Loan>,
    /// Each kept loan's `level_payment`.
    payments: Vec<Option<f64>>,
    seen: HashMap<String, usize>,
    dropped: usize,
}

impl Builder {
    fn new(cols: Columns) -> Self {
        Builder {
            cols,
            errors: Vec::new(),
            warnings: LoanWarnings::default(),
            loans: Vec::new(),
            payments: Vec::new(),
            seen: HashMap::new(),
            dropped: 0,
        }
    }

    /// Parses and checks one row on its own (no other row needed).
    fn parse(&self, row: usize, cells: &csv::StringRecord, opts: &TapeOptions) -> ParsedRow {
        parse_cells(&self.cols, row, cells, opts)
    }

    /// Takes a parsed row in row order: its errors and warnings, the duplicate-id check,
    /// the loan kept while the read has not failed.
    fn absorb(&mut self, row: usize, p: ParsedRow) {
        let ParsedRow {
            loan,
            payment,
            errors,
            warnings,
        } = p;
        // Every error of a parsed row is about that row (a row read apart from the rows
        // before it is parsed before its number is known).
        self.errors.extend(errors.into_iter().map(|mut e| {
            e.location.row = Some(row);
            e
        }));
        if let Some(loan) = loan {
            for f in &warnings {
                self.warnings.add(row, &loan.loan_id, f);
            }
            if let Some(first) = self.seen.get(&loan.loan_id) {
                self.errors.push(cell_error(
                    row,
                    "loan_id",
                    format!(
                        "duplicate loan_id `{}` (first seen in row {first})",
                        loan.loan_id
                    ),
                ));
            } else {
                self.seen.insert(loan.loan_id.clone(), row);
                // Once the read has failed, later loans are only checked, not kept.
                if self.errors.is_empty() {
                    self.loans.push(loan);
                    self.payments.push(payment);
                }
            }
        }
        self.cap();
    }

    fn error(&mut self, e: FieldError) {
        self.errors.push(e);
        self.cap();
    }

    fn cap(&mut self) {
        if self.errors.len() > crate::table::MAX_ERRORS {
            self.dropped += self.errors.len() - crate::table::MAX_ERRORS;
            self.errors.truncate(crate::table::MAX_ERRORS);
        }
    }

    fn finish(mut self, path: &Path, rows: usize) -> Result<Tape<Vec<Loan>>, IoError> {
        if !self.errors.is_empty() {
            if self.dropped > 0 {
                self.errors.push(more_errors(self.dropped));
            }
            return Err(IoError::input(path, self.errors));
        }
        if rows == 0 {
            return Err(IoError::input(
                path,
                vec![file_error(
                    None,
                    "the loan tape has a header but no data rows",
                )],
            ));
        }
        self.loans.shrink_to_fit();
        let level_payments = if self.payments.iter().any(Option::is_some) {
            self.payments
        } else {
            Vec::new()
        };
        Ok(Tape {
            loans: self.loans,
            level_payments,
            warnings: TapeWarnings {
                path: path.to_path_buf(),
                loans: self.warnings,
            },
        })
    }
}

/// Parses and checks one row on its own (no other row needed).
fn parse_cells(
    cols: &Columns,
    row: usize,
    cells: &csv::StringRecord,
    opts: &TapeOptions,
) -> ParsedRow {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut r = Row {
        row,
        cells,
        cols,
        errors: &mut errors,
    };
    let payment = r.num_opt(c!("level_payment"));
    if payment.is_some_and(|v| v < 0.0) {
        r.err(
            "level_payment",
            format!(
                "expected a payment >= 0, got {}",
                r.raw(c!("level_payment"))
            ),
        );
    }
    let loan = parse_row(&mut r, opts);
    if let Some(loan) = &loan {
        let io_left = loan.io_remaining().min(loan.rem_term);
        if payment.is_some() && io_left > 0 {
            r.err(
                "level_payment",
                format!(
                    "the loan has {io_left} interest-only months left; a level payment \
                     is given only once it amortizes (leave the cell empty)"
                ),
            );
        }
        // The loan's fields against one another, once every field has parsed.
        for f in check_loan(loan) {
            if f.rule.is_warning() && !opts.strict {
                warnings.push(f);
            } else {
                let col = rule_column(&r, f.rule);
                r.err(col, f.message);
            }
        }
    }
    ParsedRow {
        loan,
        payment,
        errors,
        warnings,
    }
}

/// The column a broken rule names: its own, or `next_reset_date` when the months to the
/// reset came from that column.
fn rule_column(r: &Row<'_>, rule: LoanRule) -> &'static str {
    if rule == LoanRule::ResetAfterMaturity && r.raw(c!("months_to_reset")).is_empty() {
        "next_reset_date"
    } else {
        rule.column()
    }
}

fn parse_row(r: &mut Row<'_>, opts: &TapeOptions) -> Option<Loan> {
    let before = r.errors.len();
    let loan_id = r.text(c!("loan_id"));
    if loan_id.is_empty() {
        r.err("loan_id", "expected a loan id, got an empty cell");
    }
    let balance = r.num_req(c!("balance"), "a balance in currency units");
    if let Some(b) = balance {
        if b < 0.0 {
            r.err("balance", format!("expected a balance >= 0, got {b}"));
        } else if b > MAX_BALANCE {
            r.err(
                "balance",
                format!(
                    "expected a balance of at most 10,000,000,000 (a loan or rep line), got {}",
                    r.raw(c!("balance"))
                ),
            );
        }
    }
    let rate = r.pct(c!("gross_rate_pct"), true, 0.0, 100.0);
    let orig_term = r.int_req(c!("orig_term"));
    if orig_term == Some(0) {
        r.err(
            "orig_term",
            "expected an original term of at least 1 month, got 0",
        );
    }
    let rem_term = r.int_req(c!("rem_term"));
    // A paid-off loan of a current tape keeps its row, with nothing left to pay.
    if rem_term == Some(0) && balance != Some(0.0) {
        r.err("rem_term", "expected at least 1 month remaining, got 0");
    }
    let age = match r.int_opt(c!("age")) {
        Some(a) => Some(a),
        None => match (orig_term, rem_term) {
            (Some(o), Some(m)) => Some(o.saturating_sub(m)),
            _ => None,
        },
    };
    let amort_raw = r.text(c!("amort_type"));
    let amort = match amort_raw.to_ascii_lowercase().as_str() {
        "fixed" | "frm" => Some(AmortType::Fixed),
        "arm" | "adjustable" => Some(AmortType::Arm),
        _ => {
            r.err(
                "amort_type",
                format!("expected `fixed` or `arm`, got `{amort_raw}`"),
            );
            None
        }
    };
    let io_months = r.int_opt(c!("io_months")).unwrap_or(0);
    let servicing_fee = r
        .pct(c!("servicing_fee_pct"), false, 0.0, 100.0)
        .unwrap_or(0.0);
    let mi_fee = r.pct(c!("mi_fee_pct"), false, 0.0, 100.0).unwrap_or(0.0);
    let arm = if amort == Some(AmortType::Arm) {
        parse_arm(r, opts, age)
    } else {
        None
    };
    let fico = r.int_opt(c!("fico"));
    let orig_ltv = r
        .num_opt(c!("orig_ltv_pct"))
        .or_else(|| r.num_opt(c!("ltv_pct")))
        .unwrap_or(0.0);
    if !(0.0..=200.0).contains(&orig_ltv) {
        r.err(
            "orig_ltv_pct",
            format!("expected a percent between 0 and 200, got {orig_ltv}"),
        );
    }
    let dti = r.num_opt(c!("dti_pct"));
    let prepay_penalty_months = r.int_opt(c!("prepay_penalty_months")).unwrap_or(0);
    let ppt = r.text(c!("prepay_penalty_type")).to_ascii_lowercase();
    if !matches!(ppt.as_str(), "" | "hard" | "soft" | "none") {
        r.err(
            "prepay_penalty_type",
            format!("expected `hard`, `soft` or empty, got `{ppt}`"),
        );
    }
    let orig_date = r.date_opt(c!("orig_date"));
    let lien = match r.int_opt(c!("lien")) {
        None => 1,
        Some(l @ (1 | 2)) => l as u8,
        Some(l) => {
            r.err("lien", format!("expected 1 or 2, got {l}"));
            1
        }
    };
    if r.errors.len() > before {
        return None;
    }
    Some(Loan {
        loan_id,
        balance: balance?,
        gross_rate: rate?,
        orig_term: orig_term?,
        rem_term: rem_term?,
        age: age?,
        amort: amort?,
        io_months,
        servicing_fee,
        mi_fee,
        arm,
        product: r.text(c!("product")),
        state: r.text(c!("state")),
        property_type: r.text(c!("property_type")),
        occupancy: r.text(c!("occupancy")),
        purpose: r.text(c!("purpose")),
        doc_type: r.text(c!("doc_type")),
        fico,
        orig_ltv,
        dti,
        prepay_penalty_months,
        prepay_penalty_type: if ppt == "none" { String::new() } else { ppt },
        orig_date,
        lien,
        delinquency: r.text(c!("delinquency")),
    })
}

fn months_between(from: NaiveDate, to: NaiveDate) -> i64 {
    i64::from(to.year() - from.year()) * 12 + i64::from(to.month()) - i64::from(from.month())
}

fn parse_arm(r: &mut Row<'_>, opts: &TapeOptions, age: Option<u32>) -> Option<ArmTerms> {
    let index_raw = r.text(c!("index"));
    let index = if index_raw.is_empty() {
        r.err(
            "index",
            "expected the rate index of this ARM, got an empty cell",
        );
        None
    } else {
        let ix = RateIndex::parse(&index_raw);
        if known_index(&ix, &opts.extra_indices) {
            Some(ix)
        } else {
            let mut names = vec!["LIBOR1M", "LIBOR6M", "LIBOR12M", "CMT1Y"];
            names.extend(opts.extra_indices.iter().map(String::as_str));
            r.err(
                "index",
                format!(
                    "unknown index `{index_raw}`; expected one of {}",
                    names.join(", ")
                ),
            );
            None
        }
    };
    let margin = r.pct(c!("margin_pct"), true, -100.0, 100.0);
    let months_to_reset = if !r.raw(c!("months_to_reset")).is_empty() {
        r.int_opt(c!("months_to_reset"))
    } else if !r.raw(c!("next_reset_date")).is_empty() {
        let d = r.date_opt(c!("next_reset_date"))?;
        match opts.cutoff {
            Some(c) if months_between(c, d) >= 0 => Some(months_between(c, d) as u32),
            Some(c) => {
                r.err(
                    "next_reset_date",
                    format!("expected a date on or after the cut-off date {c}, got {d}"),
                );
                None
            }
            None => {
                r.err(
                    "next_reset_date",
                    "a next reset date needs the deal's cut-off date; give months_to_reset instead",
                );
                None
            }
        }
    } else {
        r.err(
            "months_to_reset",
            "expected the months to the next rate change (or a next_reset_date), got an empty cell",
        );
        None
    };
    let first_reset_months = r.int_opt(c!("first_reset_months"));
    let reset_freq = r.int_req(c!("reset_freq_months"));
    if reset_freq == Some(0) {
        r.err(
            "reset_freq_months",
            "expected at least 1 month between rate changes, got 0",
        );
    }
    let initial_cap = r.pct(c!("initial_cap_pct"), true, 0.0, 100.0);
    let periodic_cap = r.pct(c!("periodic_cap_pct"), true, 0.0, 100.0);
    let life_cap = r.pct(c!("life_cap_pct"), true, 0.0, 100.0);
    let life_floor = r.pct(c!("life_floor_pct"), true, 0.0, 100.0);
    let rounding = r.pct(c!("rounding_pct"), false, 0.0, 1.0).unwrap_or(0.0);
    let lookback_months = r.int_opt(c!("lookback_months")).unwrap_or(0);
    let mtr = months_to_reset?;
    let first_reset_pending = match (first_reset_months, age) {
        (Some(f), Some(a)) => a + mtr <= f,
        _ => true,
    };
    Some(ArmTerms {
        index: index?,
        margin: margin?,
        months_to_reset: mtr,
        reset_freq: reset_freq?,
        first_reset_pending,
        initial_cap: initial_cap?,
        periodic_cap: periodic_cap?,
        life_cap: life_cap?,
        life_floor: life_floor?,
        rounding,
        lookback_months,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "loan_id,balance,gross_rate_pct,orig_term,rem_term,age,amort_type,io_months,servicing_fee_pct,mi_fee_pct,index,margin_pct,months_to_reset,first_reset_months,reset_freq_months,initial_cap_pct,periodic_cap_pct,life_cap_pct,life_floor_pct,rounding_pct,lookback_months,product,state,fico,orig_ltv_pct,orig_date,lien";

    fn write(dir: &tempfile::TempDir, name: &str, body: &str) -> std::path::PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p
    }

    #[test]
    fn reads_fixed_and_arm_rows() {
        let dir = tempfile::tempdir().unwrap();
        let body = format!(
            "{HEADER}\n\
             1,\"250,000.00\",5.875,360,358,2,arm,0,0.375,0,LIB6M,3.25,22,24,6,3,1,11.875,3.25,0.125,1,2/28 LIB6M,CA,700,80,2003-11-15,1\n\
             2,100000,6.5,360,360,,fixed,120,0.5,0.1,,,,,,,,,,,,30Y FIX,NV,,95,,\n"
        );
        let p = write(&dir, "t.csv", &body);
        let loans = read_tape(&p).unwrap().loans;
        assert_eq!(loans.len(), 2);
        let a = &loans[0];
        assert_eq!(a.balance, 250_000.0);
        assert!((a.gross_rate - 0.05875).abs() < 1e-15);
        let t = a.arm.as_ref().unwrap();
        assert_eq!(t.index, RateIndex::Libor6M);
        assert!((t.margin - 0.0325).abs() < 1e-15);
        assert_eq!(t.months_to_reset, 22);
        assert!(t.first_reset_pending); // 2 + 22 <= 24
        assert!((t.rounding - 0.00125).abs() < 1e-15);
        assert_eq!(t.lookback_months, 1);
        assert_eq!(a.fico, Some(700));
        let b = &loans[1];
        assert_eq!(b.age, 0);
        assert!(b.arm.is_none());
        assert_eq!(b.io_months, 120);
        assert_eq!(b.fico, None);
        assert_eq!(b.lien, 1);
    }

    #[test]
    fn next_reset_date_needs_cutoff() {
        let dir = tempfile::tempdir().unwrap();
        let body = "loan_id,balance,gross_rate_pct,orig_term,rem_term,amort_type,index,margin_pct,next_reset_date,reset_freq_months,initial_cap_pct,periodic_cap_pct,life_cap_pct,life_floor_pct\n\
                    a,1000,5,360,359,arm,LIBOR6M,3,2004-06-01,6,3,1,11,3\n";
        let p = write(&dir, "t.csv", body);
        assert!(read_tape(&p).is_err());
        let opts = TapeOptions {
            cutoff: NaiveDate::from_ymd_opt(2004, 1, 1),
            ..Default::default()
        };
        let loans = read_tape_with(&p, &opts).unwrap().loans;
        assert_eq!(loans[0].arm.as_ref().unwrap().months_to_reset, 5);
    }

    #[test]
    fn declared_index_is_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let body = "loan_id,balance,gross_rate_pct,orig_term,rem_term,amort_type,index,margin_pct,months_to_reset,reset_freq_months,initial_cap_pct,periodic_cap_pct,life_cap_pct,life_floor_pct\n\
                    a,1000,5,360,359,arm,SOFR30A,3,5,6,3,1,11,3\n";
        let p = write(&dir, "t.csv", body);
        let e = read_tape(&p).unwrap_err().to_string();
        assert!(e.contains("unknown index `SOFR30A`"), "{e}");
        let opts = TapeOptions {
            extra_indices: vec!["SOFR30A".into()],
            ..Default::default()
        };
        let loans = read_tape_with(&p, &opts).unwrap().loans;
        assert_eq!(
            loans[0].arm.as_ref().unwrap().index,
            RateIndex::Named("SOFR30A".into())
        );
    }

    #[test]
    fn error_list_is_capped() {
        let dir = tempfile::tempdir().unwrap();
        let mut body =
            String::from("loan_id,balance,gross_rate_pct,orig_term,rem_term,amort_type\n");
        for k in 0..80 {
            body.push_str(&format!("{k},x,5,360,360,fixed\n"));
        }
        let p = write(&dir, "t.csv", &body);
        match read_tape(&p).unwrap_err() {
            IoError::Input { errors, .. } => {
                assert_eq!(errors.len(), 51);
                assert!(errors[50].message.contains("more error(s) not shown"));
            }
            e => panic!("{e}"),
        }
    }

    /// Loans breaking a warning rule are kept and counted once per rule, in chunked pool
    /// reads too; strict, each is an error naming its row.
    #[test]
    fn warnings_are_counted_per_rule_and_strict_refuses_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut body = String::from(
            "loan_id,balance,gross_rate_pct,orig_term,rem_term,age,amort_type,index,margin_pct,months_to_reset,reset_freq_months,initial_cap_pct,periodic_cap_pct,life_cap_pct,life_floor_pct\n",
        );
        // Rows 1 and 3: rates below their floors; row 4: age + term beyond the term.
        body.push_str("a,1000,2,360,359,1,arm,LIBOR6M,3,5,6,3,1,11,3\n");
        body.push_str("b,1000,5,360,359,1,arm,LIBOR6M,3,5,6,3,1,11,3\n");
        body.push_str("c,1000,2.5,360,359,1,arm,LIBOR6M,3,5,6,3,1,11,3\n");
        body.push_str("d,1000,5,360,350,12,fixed,,,,,,,,\n");
        let p = write(&dir, "t.csv", &body);
        let want = vec![
            format!("{}: row 1, field `life_floor_pct`: the current rate 2% is below the lifetime floor 3% (loan `a`, the first of 2 loans); the rate holds until the next rate change, which applies the floor", p.display()),
            format!("{}: row 4, field `age`: age 12 + remaining term 350 = 362 months exceeds the original term 360 (loan `d`); projected over its remaining term, with its age as given", p.display()),
        ];
        let tape = read_tape(&p).unwrap();
        assert_eq!(tape.loans.len(), 4);
        assert_eq!(tape.warnings.lines(), want);
        for chunk in [1, 2, 10] {
            let pool = read_tape_pool_in(&p, &TapeOptions::default(), chunk).unwrap();
            assert_eq!(pool.loans.len(), 4);
            assert_eq!(pool.warnings.lines(), want, "chunk {chunk}");
        }
        let strict = TapeOptions {
            strict: true,
            ..Default::default()
        };
        let e = read_tape_with(&p, &strict).unwrap_err().to_string();
        let rows: Vec<&str> = e.lines().collect();
        assert_eq!(rows.len(), 3, "{e}");
        assert!(rows[0].ends_with("t.csv: row 1, field `life_floor_pct`: the current rate 2% is below the lifetime floor 3%"), "{e}");
        assert!(rows[1].contains("row 3, field `life_floor_pct`"), "{e}");
        assert!(rows[2].contains("row 4, field `age`"), "{e}");
        assert!(read_tape_pool_in(&p, &strict, 1).is_err());
    }

    #[test]
    fn a_reset_after_maturity_names_the_column_it_came_from() {
        let dir = tempfile::tempdir().unwrap();
        let body = "loan_id,balance,gross_rate_pct,orig_term,rem_term,amort_type,index,margin_pct,next_reset_date,reset_freq_months,initial_cap_pct,periodic_cap_pct,life_cap_pct,life_floor_pct\n\
                    a,1000,5,360,12,arm,LIBOR6M,3,2006-01-01,6,3,1,11,3\n";
        let p = write(&dir, "t.csv", body);
        let opts = TapeOptions {
            cutoff: NaiveDate::from_ymd_opt(2004, 1, 1),
            ..Default::default()
        };
        let e = read_tape_with(&p, &opts).unwrap_err().to_string();
        assert!(e.ends_with("t.csv: row 1, field `next_reset_date`: the next rate change, 24 months after the cut-off, comes after the loan's last payment in month 12"), "{e}");
    }

    fn described(r: Result<Tape<Vec<Loan>>, IoError>) -> String {
        match r {
            Ok(t) => format!(
                "{:?}\n{:?}\n{:?}",
                t.loans,
                t.level_payments,
                t.warnings.lines()
            ),
            Err(e) => format!("error: {e}"),
        }
    }

    /// Read in blocks cut into pieces of any size, a tape gives what a read in order
    /// gives: the loans, the warnings, every message with its row and line.
    #[test]
    fn a_tape_read_in_blocks_is_the_tape_read_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let head = "loan_id,balance,gross_rate_pct,orig_term,rem_term,amort_type,product";
        let rows = |n: usize| -> String {
            (0..n)
                .map(|k| format!("l{k},{},5,360,359,fixed,P{k}\n", 1000 + k))
                .collect()
        };
        let mut bodies: Vec<Vec<u8>> = vec![
            format!("{head}\n{}", rows(40)).into(),
            // A byte-order mark, CRLF, blank lines and lines of spaces, no last line end.
            format!(
                "\u{feff}\r\n{head}\r\n\r\n{}  \r\n\r\nz,5,5,360,359,fixed,Z",
                rows(30).replace('\n', "\r\n")
            )
            .into(),
            // Bad cells, a short row, a duplicate id, a rule broken.
            format!(
                "{head}\n{}x1,abc,5,360,359,fixed,P\nx2,1,5\nl3,1,5,360,359,fixed,P\n{}x4,1,5,360,370,fixed,P\n",
                rows(20),
                rows(5)
            )
            .into(),
            // A quoted cell with a line break and one with a comma, late in the file.
            format!(
                "{head}\n{}q1,\"1,000\",5,360,359,fixed,\"two\nlines\"\n{}",
                rows(25),
                rows(10).replace('l', "m")
            )
            .into(),
            // An unclosed quote.
            format!("{head}\n{}q1,1000,5,360,359,fixed,\"open\n{}", rows(12), rows(3)).into(),
            // Lines ended by a lone CR.
            format!("{head}\r{}", rows(15).replace('\n', "\r")).into(),
            // More errors than are listed.
            format!("{head}\n{}", "y,x,5,360,360,fixed,P\n".repeat(70)).into(),
        ];
        // A cell that is not UTF-8, late in the file, after blank lines.
        let mut latin1 = format!("{head}\n{}\n\n", rows(33)).into_bytes();
        latin1.extend(b"b1,1000,5,360,359,fixed,Caf\xe9\n");
        latin1.extend(rows(4).into_bytes());
        bodies.push(latin1);
        for (k, body) in bodies.iter().enumerate() {
            let p = dir.path().join(format!("t{k}.csv"));
            std::fs::write(&p, body).unwrap();
            for strict in [false, true] {
                let opts = TapeOptions {
                    strict,
                    ..Default::default()
                };
                let file = std::fs::File::open(&p).unwrap();
                let want = described(read_tape_csv_from(&p, file, &opts));
                for sizes in [(1, 1), (7, 3), (64, 16), (200, 50), (333, 1000), CSV_SIZES] {
                    let got = described(build_loans_csv(&p, &opts, sizes, |_| Ok(())));
                    assert_eq!(got, want, "body {k}, sizes {sizes:?}");
                }
            }
        }
    }

    #[test]
    fn pool_read_in_chunks_is_the_pool_of_all_loans() {
        let dir = tempfile::tempdir().unwrap();
        let mut body = String::from(
            "loan_id,balance,gross_rate_pct,orig_term,rem_term,amort_type,index,margin_pct,months_to_reset,reset_freq_months,initial_cap_pct,periodic_cap_pct,life_cap_pct,life_floor_pct\n",
        );
        for k in 0..10 {
            // Indices appear in a different order than the built-in list.
            let ix = ["CMT1Y", "LIBOR6M", "LIBOR1M"][k % 3];
            if k % 4 == 0 {
                body.push_str(&format!("f{k},{},5,360,350,fixed,,,,,,,,\n", 1000 + k));
            } else {
                body.push_str(&format!(
                    "a{k},{},5,360,359,arm,{ix},3,5,6,3,1,11,3\n",
                    1000 + k
                ));
            }
        }
        let p = write(&dir, "t.csv", &body);
        let all = LoanPool::from_loans(&read_tape(&p).unwrap().loans).unwrap();
        for chunk in [1, 3, 4, 10, 11] {
            let got = read_tape_pool_in(&p, &TapeOptions::default(), chunk)
                .unwrap()
                .loans;
            assert_eq!(format!("{got:?}"), format!("{all:?}"), "chunk {chunk}");
        }
        // Errors anywhere still fail the whole read.
        let bad = write(&dir, "b.csv", &body.replace("a9,1009", "a9,x"));
        let e = read_tape_pool_in(&bad, &TapeOptions::default(), 3).unwrap_err();
        assert!(e.to_string().contains("row 10, field `balance`"), "{e}");
    }
}

#[cfg(test)]
mod exact_tests {
    use super::percent_to_decimal;
    use crate::tape_write::exact_pct;

    /// Every rate a current tape writes reads back as the same double.
    #[test]
    fn exact_percent_round_trips() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut vals = vec![
            0.0,
            0.05375,
            0.05375 + 1e-17,
            1e-9,
            0.12345678901234567,
            1.0,
        ];
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            vals.push((x >> 11) as f64 / (1u64 << 53) as f64 * 0.3);
        }
        for v in vals {
            let text = exact_pct(v);
            assert_eq!(percent_to_decimal(&text), Some(v), "{v} written as {text}");
        }
        assert_eq!(exact_pct(0.05375), "5.375");
        assert_eq!(exact_pct(1e-9), "0.0000001");
    }
}
