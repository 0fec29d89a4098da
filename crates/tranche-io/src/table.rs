//! A text table read from CSV (or Parquet) before typing: header names and raw cells.
//! Handles a UTF-8 byte-order mark and CRLF line ends; reports empty files and rows with
//! the wrong number of cells.

use crate::IoError;
use std::path::Path;
use tranche_core::error::{FieldError, Location};

/// Most errors one read reports; more are summarized in one last line.
pub const MAX_ERRORS: usize = 50;

/// Raw cells by data row (1-based row numbers are `index + 1`; the header is not a row).
#[derive(Debug, Clone, Default)]
pub struct RawTable {
    pub headers: Vec<String>,
    pub rows: Vec<csv::StringRecord>,
}

impl RawTable {
    /// Position of a column, by exact (trimmed, case-insensitive) name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    }
}

/// An error at a data row and column.
pub fn cell_error(row: usize, field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        location: Location {
            row: Some(row),
            field: Some(field.to_string()),
        },
        message: message.into(),
    }
}

/// An error about a whole data row.
pub fn row_error(row: usize, message: impl Into<String>) -> FieldError {
    FieldError {
        location: Location {
            row: Some(row),
            field: None,
        },
        message: message.into(),
    }
}

/// An error about the file as a whole (no row).
pub fn file_error(field: Option<&str>, message: impl Into<String>) -> FieldError {
    FieldError {
        location: Location {
            row: None,
            field: field.map(str::to_string),
        },
        message: message.into(),
    }
}

/// The last line of a capped error list.
pub fn more_errors(more: usize) -> FieldError {
    file_error(
        None,
        format!("{more} more error(s) not shown (only the first {MAX_ERRORS} are listed)"),
    )
}

/// Caps an error list at [`MAX_ERRORS`], noting how many were left out.
pub fn capped(mut errors: Vec<FieldError>) -> Vec<FieldError> {
    if errors.len() > MAX_ERRORS {
        let more = errors.len() - MAX_ERRORS;
        errors.truncate(MAX_ERRORS);
        errors.push(more_errors(more));
    }
    errors
}

/// Text encodings recognized only to be rejected with a clear message (UTF-16 with or
/// without a byte-order mark), from the first bytes of a file.
pub fn sniff_encoding(head: &[u8], what: &str) -> Option<String> {
    let utf16 = |order: &str| {
        format!("the {what} is UTF-16 text ({order}); expected UTF-8 (re-save it as UTF-8)")
    };
    let head = &head[..head.len().min(4096)];
    if head.starts_with(&[0xFF, 0xFE]) {
        return Some(utf16("little-endian, with a byte-order mark"));
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Some(utf16("big-endian, with a byte-order mark"));
    }
    // UTF-16 without a mark: ASCII text with a zero byte before (BE) or after (LE) each
    // character.
    let pairs = head.len() / 2;
    if pairs >= 4 {
        let even_zero = head
            .chunks_exact(2)
            .filter(|c| c[0] == 0 && c[1] != 0)
            .count();
        let odd_zero = head
            .chunks_exact(2)
            .filter(|c| c[1] == 0 && c[0] != 0)
            .count();
        if even_zero * 10 >= pairs * 9 {
            return Some(utf16("big-endian, without a byte-order mark"));
        }
        if odd_zero * 10 >= pairs * 9 {
            return Some(utf16("little-endian, without a byte-order mark"));
        }
    }
    None
}

/// The separator a one-column header was probably written with (`;`, tab or `|`).
fn wrong_delimiter(headers: &[String]) -> Option<(&'static str, char)> {
    let [h] = headers else { return None };
    [
        ("a semicolon", ';'),
        ("a tab", '\t'),
        ("a vertical bar", '|'),
    ]
    .into_iter()
    .find(|(_, c)| h.contains(*c))
}

fn not_utf8(what: &str, e: &csv::Error) -> String {
    let at = e
        .position()
        .map(|p| format!(" (line {})", p.line()))
        .unwrap_or_default();
    format!("the {what} is not UTF-8 text{at}; expected a UTF-8 CSV file (re-save it as UTF-8)")
}

/// Opens an input file; a missing path or a directory is an input error that says what
/// was expected (`what`, e.g. "loan tape"; `kind`, e.g. "a CSV file").
pub fn open_input(path: &Path, what: &str, kind: &str) -> Result<std::fs::File, IoError> {
    let file = std::fs::File::open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            IoError::input(
                path,
                vec![file_error(
                    None,
                    format!("no such file; expected a {what} ({kind})"),
                )],
            )
        } else {
            IoError::io(path, e)
        }
    })?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(IoError::input(
            path,
            vec![file_error(
                None,
                format!("is a directory; expected a {what} ({kind})"),
            )],
        ));
    }
    Ok(file)
}

/// A CSV table read one data row at a time, so a large file never sits in memory whole.
/// Checks the encoding (UTF-16 and other non-UTF-8 text are rejected with a clear
/// message), strips a UTF-8 byte-order mark, handles CRLF, and checks the header.
pub struct CsvRows<R: std::io::Read> {
    rdr: csv::Reader<std::io::BufReader<R>>,
    headers: Vec<String>,
    rec: csv::StringRecord,
    row: usize,
    what: String,
    /// Bytes of the stream before the CSV text (a byte-order mark).
    skipped: u64,
    /// Lines of the file before the stream's first byte (a reader resumed mid-file).
    line_base: u64,
}

impl CsvRows<std::fs::File> {
    /// Opens a CSV file. `what` names the content for messages ("loan tape").
    pub fn open(path: &Path, what: &str) -> Result<Self, IoError> {
        let file = open_input(path, what, "a CSV file")?;
        Self::new(path, what, file)
    }
}

impl<R: std::io::Read> CsvRows<R> {
    /// Reads the header of a CSV stream; `path` only names it in messages.
    pub fn new(path: &Path, what: &str, reader: R) -> Result<Self, IoError> {
        use std::io::BufRead;
        let bad = |msg: String| IoError::input(path, vec![file_error(None, msg)]);
        let mut buf = std::io::BufReader::with_capacity(1 << 16, reader);
        let head = buf.fill_buf().map_err(|e| IoError::io(path, e))?;
        if let Some(msg) = sniff_encoding(head, what) {
            return Err(bad(msg));
        }
        let skipped = if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
            buf.consume(3);
            3
        } else {
            0
        };
        let mut rdr = csv_reader(buf);
        let mut rec = csv::StringRecord::new();
        let empty = || {
            bad(format!(
                "the {what} is empty; expected a header row and at least one data row"
            ))
        };
        // The header is the first line that is not blank.
        let headers: Vec<String> = loop {
            match rdr.read_record(&mut rec) {
                Ok(false) => return Err(empty()),
                Ok(true) if rec.iter().all(str::is_empty) => continue,
                Ok(true) => break rec.iter().map(str::to_string).collect(),
                Err(e) if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) => {
                    return Err(bad(not_utf8(what, &e)))
                }
                Err(e) => return Err(bad(format!("unreadable header row: {e}"))),
            }
        };
        if let Some((name, c)) = wrong_delimiter(&headers) {
            return Err(bad(format!(
                "the header is a single column with {name} (`{}`) between names: \
                 cells are separated by {name}; expected a comma-separated file \
                 (`loan_id,balance,...`)",
                c.escape_default()
            )));
        }
        let mut errors = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            if h.is_empty() {
                errors.push(file_error(
                    None,
                    format!("header column {} has no name", i + 1),
                ));
            } else if headers[..i].iter().any(|x| x.eq_ignore_ascii_case(h)) {
                errors.push(file_error(Some(h), "column appears twice in the header"));
            }
        }
        if !errors.is_empty() {
            return Err(IoError::input(path, capped(errors)));
        }
        Ok(CsvRows {
            rdr,
            headers,
            rec,
            row: 0,
            what: what.to_string(),
            skipped,
            line_base: 0,
        })
    }

    /// Reads on from a record boundary mid-file: the header and the `rows` data rows
    /// before it already read, `line_base` lines of the file before `reader`'s first byte.
    pub fn resume(
        what: &str,
        reader: R,
        headers: Vec<String>,
        rows: usize,
        line_base: u64,
    ) -> Self {
        CsvRows {
            rdr: csv_reader(std::io::BufReader::with_capacity(1 << 16, reader)),
            headers,
            rec: csv::StringRecord::new(),
            row: rows,
            what: what.to_string(),
            skipped: 0,
            line_base,
        }
    }

    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Data rows read so far (the header is not a row).
    pub fn rows_read(&self) -> usize {
        self.row
    }

    /// The next data row: `None` at the end, else its 1-based number and its cells, or an
    /// error about the row. An encoding error ends the read (`Err` with `fatal` set).
    #[allow(clippy::type_complexity)]
    pub fn next_row(&mut self) -> Option<(usize, Result<&csv::StringRecord, RowError>)> {
        loop {
            let read = self.rdr.read_record(&mut self.rec);
            match record_step(read, &self.rec, &self.headers) {
                Step::End => return None,
                Step::Blank => continue,
                Step::Row(r) => {
                    self.row += 1;
                    let row = self.row;
                    return Some(match r {
                        Ok(()) => (row, Ok(&self.rec)),
                        Err(e) => (
                            row,
                            Err(e.at(row, self.line_base, &self.headers, &self.what)),
                        ),
                    });
                }
            }
        }
    }
}

/// A CSV reader as every table is read with: no header handling (the caller's), rows of any
/// length (checked against the header by the caller), cells trimmed.
fn csv_reader<R: std::io::Read>(r: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(r)
}

impl CsvRows<std::fs::File> {
    /// The file after its header, to read in blocks of whole lines ([`CsvBlocks`]), and the
    /// lines of the file before the first block.
    /// `block` is the bytes read at a time ([`BLOCK_BYTES`]).
    pub fn into_blocks(self, block: usize) -> std::io::Result<(CsvBlocks, u64)> {
        use std::io::Seek;
        let pos = self.rdr.position().clone();
        let mut file = self.rdr.into_inner().into_inner();
        file.seek(std::io::SeekFrom::Start(self.skipped + pos.byte()))?;
        let blocks = CsvBlocks {
            file,
            buf: Vec::new(),
            eof: false,
            block: block.max(1),
        };
        Ok((blocks, pos.line().saturating_sub(1)))
    }
}

/// Bytes read at a time by [`CsvBlocks`].
pub const BLOCK_BYTES: usize = 1 << 20;

/// The data lines of a CSV file after its header, in blocks of whole lines starting at a
/// record boundary. A block without a `"` holds no quoted cell, so each of its line breaks
/// ends a record: it can be cut at any line break and its pieces read apart (in
/// parallel), giving the records a sequential read gives, in order. A block with a `"` (or
/// a line longer than a block) is not cut: the rest of the file is then read in order
/// ([`CsvBlocks::into_rest`]).
pub struct CsvBlocks {
    file: std::fs::File,
    /// Bytes read and not yet handed out; `buf[0]` starts a record.
    buf: Vec<u8>,
    eof: bool,
    block: usize,
}

/// The next part of a file read in blocks.
pub enum Block {
    /// Whole lines with no `"` among them.
    Lines(Vec<u8>),
    /// A `"` comes next (or a line without an end within a block): read the rest of the
    /// file in order.
    Quoted,
    End,
}

impl CsvBlocks {
    pub fn next_block(&mut self) -> std::io::Result<Block> {
        use std::io::Read;
        if !self.eof && self.buf.len() < self.block {
            let want = self.block - self.buf.len();
            let got = (&mut self.file)
                .take(want as u64)
                .read_to_end(&mut self.buf)?;
            self.eof = got < want;
        }
        if self.buf.is_empty() {
            return Ok(Block::End);
        }
        let cut = if self.eof {
            self.buf.len()
        } else {
            match self.buf.iter().rposition(|b| *b == b'\n') {
                Some(i) => i + 1,
                None => return Ok(Block::Quoted),
            }
        };
        if self.buf[..cut].contains(&b'"') {
            return Ok(Block::Quoted);
        }
        let tail = self.buf[cut..].to_vec();
        let mut block = std::mem::replace(&mut self.buf, tail);
        block.truncate(cut);
        Ok(Block::Lines(block))
    }

    /// The bytes not yet handed out, then the rest of the file.
    pub fn into_rest(self) -> std::io::Chain<std::io::Cursor<Vec<u8>>, std::fs::File> {
        use std::io::Read;
        std::io::Cursor::new(self.buf).chain(self.file)
    }
}

/// Reads the records of whole lines (a [`Block::Lines`] or a piece of one cut at a line
/// break) with the reader every table is read with, handing each data row to `each`
/// (blank lines skipped) until it returns `false` or a cell is not UTF-8. Returns the
/// lines (`\n`) read: all of them, unless stopped early.
pub(crate) fn read_lines(
    bytes: &[u8],
    headers: &[String],
    mut each: impl FnMut(Result<&csv::StringRecord, BadRow>) -> bool,
) -> u64 {
    let mut rdr = csv_reader(bytes);
    let mut rec = csv::StringRecord::new();
    loop {
        let read = rdr.read_record(&mut rec);
        match record_step(read, &rec, headers) {
            Step::End => break,
            Step::Blank => continue,
            Step::Row(Ok(())) => {
                if !each(Ok(&rec)) {
                    break;
                }
            }
            Step::Row(Err(e)) => {
                let fatal = matches!(e, BadRow::Utf8 { .. });
                if !each(Err(e)) || fatal {
                    break;
                }
            }
        }
    }
    rdr.position().line().saturating_sub(1)
}

/// What one read of a record gave.
pub(crate) enum Step {
    End,
    /// A blank line (or a line of only spaces): not data.
    Blank,
    /// A data row: good, or what is wrong with it.
    Row(Result<(), BadRow>),
}

/// What is wrong with a data row, before its row number is known.
#[derive(Debug)]
pub(crate) enum BadRow {
    /// The row is bad; later rows can still be read.
    Row(String),
    /// A cell is not UTF-8 (the read ends): the cell's column and the record's line in
    /// the stream read.
    Utf8 { field: usize, line: u64 },
}

impl BadRow {
    /// The error, at data row `row`, in a stream starting after `line_base` lines.
    pub(crate) fn at(self, row: usize, line_base: u64, headers: &[String], what: &str) -> RowError {
        match self {
            BadRow::Row(msg) => RowError::Row(row_error(row, msg)),
            BadRow::Utf8 { field, line } => {
                let line = line + line_base;
                let msg = format!(
                    "the cell is not UTF-8 text (line {line} of the file); \
                     expected UTF-8 (re-save the {what} as UTF-8)"
                );
                RowError::Fatal(match headers.get(field) {
                    Some(h) => cell_error(row, h, msg),
                    None => row_error(row, msg),
                })
            }
        }
    }
}

/// Classifies one `read_record` result against the header.
pub(crate) fn record_step(
    read: csv::Result<bool>,
    rec: &csv::StringRecord,
    headers: &[String],
) -> Step {
    match read {
        Ok(false) => Step::End,
        Ok(true) if rec.len() == 1 && rec.iter().all(str::is_empty) => Step::Blank,
        Ok(true) if rec.len() != headers.len() => {
            let open_quote = rec.iter().any(|c| c.contains('\n'));
            let msg = if open_quote {
                format!(
                    "a quoted cell runs over several lines (a `\"` is not closed?); \
                     expected {} cells as in the header, found {}",
                    headers.len(),
                    rec.len()
                )
            } else {
                format!(
                    "expected {} cells as in the header, found {}",
                    headers.len(),
                    rec.len()
                )
            };
            Step::Row(Err(BadRow::Row(msg)))
        }
        Ok(true) => Step::Row(Ok(())),
        Err(e) => Step::Row(Err(match e.kind() {
            csv::ErrorKind::Utf8 { err, .. } => BadRow::Utf8 {
                field: err.field(),
                line: e.position().map(|p| p.line()).unwrap_or(0),
            },
            _ => BadRow::Row(format!("unreadable row: {e}")),
        })),
    }
}

/// A table read one data row at a time (a CSV file, a Parquet file).
pub trait RowSource {
    fn headers(&self) -> &[String];

    /// Data rows read so far (a header is not a row).
    fn rows_read(&self) -> usize;

    /// The next data row: `None` at the end, else its 1-based number and its cells, or an
    /// error about the row (`RowError::Fatal` ends the read).
    #[allow(clippy::type_complexity)]
    fn next_row(&mut self) -> Option<(usize, Result<&csv::StringRecord, RowError>)>;
}

impl<R: std::io::Read> RowSource for CsvRows<R> {
    fn headers(&self) -> &[String] {
        CsvRows::headers(self)
    }

    fn rows_read(&self) -> usize {
        CsvRows::rows_read(self)
    }

    fn next_row(&mut self) -> Option<(usize, Result<&csv::StringRecord, RowError>)> {
        CsvRows::next_row(self)
    }
}

/// A problem with one data row.
#[derive(Debug)]
pub enum RowError {
    /// The row is bad; later rows can still be read.
    Row(FieldError),
    /// The file cannot be read further (e.g. it is not UTF-8).
    Fatal(FieldError),
}

/// Reads every row of a CSV stream into a [`RawTable`] (small files: curves).
pub fn read_csv_from<R: std::io::Read>(
    path: &Path,
    what: &str,
    reader: R,
) -> Result<RawTable, IoError> {
    collect_rows(path, what, CsvRows::new(path, what, reader)?)
}

/// Reads a whole CSV file into a [`RawTable`] (small files: curves). `what` names the
/// content for messages ("loan tape", "curve file").
pub fn read_csv(path: &Path, what: &str) -> Result<RawTable, IoError> {
    collect_rows(path, what, CsvRows::open(path, what)?)
}

fn collect_rows<R: std::io::Read>(
    path: &Path,
    what: &str,
    mut src: CsvRows<R>,
) -> Result<RawTable, IoError> {
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    while let Some((_, r)) = src.next_row() {
        match r {
            Ok(rec) => rows.push(rec.clone()),
            Err(RowError::Row(e)) => errors.push(e),
            Err(RowError::Fatal(e)) => {
                errors.push(e);
                break;
            }
        }
    }
    if !errors.is_empty() {
        return Err(IoError::input(path, capped(errors)));
    }
    if rows.is_empty() {
        return Err(IoError::input(
            path,
            vec![file_error(
                None,
                format!("the {what} has a header but no data rows"),
            )],
        ));
    }
    Ok(RawTable {
        headers: src.headers,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err_of(bytes: &[u8]) -> String {
        read_csv_from(Path::new("t.csv"), "loan tape", bytes)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn utf16_is_named_with_or_without_a_mark() {
        let text = "loan_id,balance\n1,2\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let mut le_bom = vec![0xFF, 0xFE];
        le_bom.extend(&le);
        assert!(err_of(&le_bom).contains("UTF-16 text (little-endian, with a byte-order mark)"));
        assert!(err_of(&le).contains("UTF-16 text (little-endian, without a byte-order mark)"));
        assert!(err_of(&be).contains("UTF-16 text (big-endian, without a byte-order mark)"));
    }

    #[test]
    fn wrong_delimiter_is_named() {
        let e = err_of(b"loan_id;balance\n1;2\n");
        assert!(
            e.contains("separated by a semicolon; expected a comma-separated file"),
            "{e}"
        );
        let e = err_of(b"loan_id|balance\n1|2\n");
        assert!(e.contains("separated by a vertical bar"), "{e}");
    }

    #[test]
    fn bom_crlf_and_blank_lines_are_accepted() {
        let t = read_csv_from(
            Path::new("t.csv"),
            "curve file",
            &b"\xEF\xBB\xBF\r\nperiod,A\r\n1,2\r\n   \r\n2,3\r\n"[..],
        )
        .unwrap();
        assert_eq!(t.headers, vec!["period", "A"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(&t.rows[1][1], "3");
    }

    #[test]
    fn bad_utf8_names_row_and_column() {
        let e = err_of(b"a,b\n1,2\n3,\xE9t\xE9\n");
        assert_eq!(
            e,
            "t.csv: row 2, field `b`: the cell is not UTF-8 text (line 3 of the file); \
             expected UTF-8 (re-save the loan tape as UTF-8)"
        );
    }
}
