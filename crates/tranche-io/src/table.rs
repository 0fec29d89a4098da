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
    pub rows: Vec<Vec<String>>,
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

/// Reads a CSV file into a [`RawTable`]. `what` names the content for messages
/// ("loan tape", "curve file").
pub fn read_csv(path: &Path, what: &str) -> Result<RawTable, IoError> {
    let bytes = std::fs::read(path).map_err(|e| IoError::io(path, e))?;
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t,
        Err(e) => {
            return Err(IoError::input(
                path,
                vec![file_error(
                    None,
                    format!(
                    "the {what} is not UTF-8 text (invalid byte at offset {}); expected a CSV file",
                    e.valid_up_to()
                ),
                )],
            ))
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(IoError::input(
            path,
            vec![file_error(
                None,
                format!("the {what} is empty; expected a header row and at least one data row"),
            )],
        ));
    }
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
        Err(e) => {
            return Err(IoError::input(
                path,
                vec![file_error(None, format!("unreadable header row: {e}"))],
            ))
        }
    };
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
    let mut rows = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let row = i + 1;
        match rec {
            Ok(r) => {
                // Fully blank lines are skipped by the CSV reader; a row of empty cells is data.
                if r.len() != headers.len() {
                    errors.push(row_error(
                        row,
                        format!(
                            "expected {} cells as in the header, found {}",
                            headers.len(),
                            r.len()
                        ),
                    ));
                    continue;
                }
                rows.push(r.iter().map(str::to_string).collect());
            }
            Err(e) => errors.push(row_error(row, format!("unreadable row: {e}"))),
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
    Ok(RawTable { headers, rows })
}
