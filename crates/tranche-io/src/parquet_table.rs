//! Parquet → [`RawTable`]: each value rendered as the text a CSV cell would hold, so both
//! formats go through the same validation. Flat schemas only (one value per column).

use crate::table::{file_error, RawTable};
use crate::IoError;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use std::path::Path;

fn cell(f: &Field) -> Result<String, String> {
    Ok(match f {
        Field::Null => String::new(),
        Field::Bool(b) => b.to_string(),
        Field::Byte(v) => v.to_string(),
        Field::Short(v) => v.to_string(),
        Field::Int(v) => v.to_string(),
        Field::Long(v) => v.to_string(),
        Field::UByte(v) => v.to_string(),
        Field::UShort(v) => v.to_string(),
        Field::UInt(v) => v.to_string(),
        Field::ULong(v) => v.to_string(),
        Field::Float(v) => v.to_string(),
        Field::Double(v) => v.to_string(),
        Field::Str(s) => s.clone(),
        Field::Date(days) => chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
            .and_then(|e| e.checked_add_signed(chrono::Duration::days(i64::from(*days))))
            .map(|d| d.format("%Y-%m-%d").to_string())
            .ok_or_else(|| format!("date {days} days from 1970-01-01 is out of range"))?,
        other => other.to_string(),
    })
}

/// Reads every row of a Parquet file as text cells.
pub fn read_parquet(path: &Path, what: &str) -> Result<RawTable, IoError> {
    let data = std::fs::read(path).map_err(|e| IoError::io(path, e))?;
    read_parquet_bytes(path, what, data)
}

/// Reads a Parquet file held in memory; `path` only names it in messages.
pub fn read_parquet_bytes(path: &Path, what: &str, data: Vec<u8>) -> Result<RawTable, IoError> {
    read_parquet_from(path, what, Strict(bytes::Bytes::from(data)))
}

/// The file's bytes, read through readers that fail after reading past the end a few
/// times. A corrupt page header can make the Parquet crate skip a field "element by
/// element" far beyond the end of the file, one empty read each, for minutes (found by the
/// `tape_parquet` fuzz target); an error ends that at once.
struct Strict(bytes::Bytes);

/// Empty reads tolerated before reading past the end is an error.
const EOF_READS: u32 = 64;

impl parquet::file::reader::Length for Strict {
    fn len(&self) -> u64 {
        self.0.len() as u64
    }
}

impl parquet::file::reader::ChunkReader for Strict {
    type T = StrictRead;

    fn get_read(&self, start: u64) -> parquet::errors::Result<StrictRead> {
        Ok(StrictRead {
            inner: self.0.get_read(start)?,
            eof_reads: 0,
        })
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
        self.0.get_bytes(start, length)
    }
}

struct StrictRead {
    inner: bytes::buf::Reader<bytes::Bytes>,
    eof_reads: u32,
}

impl std::io::Read for StrictRead {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            self.eof_reads += 1;
            if self.eof_reads > EOF_READS {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "a page header runs past the end of the file",
                ));
            }
        }
        Ok(n)
    }
}

fn read_parquet_from<R: parquet::file::reader::ChunkReader + 'static>(
    path: &Path,
    what: &str,
    source: R,
) -> Result<RawTable, IoError> {
    // The Parquet reader asserts on some corrupt metadata instead of returning an error.
    crate::guard::contain(|| read_parquet_unguarded(path, what, source)).unwrap_or_else(|m| {
        Err(IoError::input(
            path,
            vec![file_error(
                None,
                format!("not a readable Parquet {what} (corrupt file: {m})"),
            )],
        ))
    })
}

fn read_parquet_unguarded<R: parquet::file::reader::ChunkReader + 'static>(
    path: &Path,
    what: &str,
    source: R,
) -> Result<RawTable, IoError> {
    let bad = |msg: String| IoError::input(path, vec![file_error(None, msg)]);
    let reader = SerializedFileReader::new(source)
        .map_err(|e| bad(format!("not a readable Parquet {what}: {e}")))?;
    let headers: Vec<String> = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .root_schema()
        .get_fields()
        .iter()
        .map(|f| f.name().to_string())
        .collect();
    let mut rows = Vec::new();
    let iter = reader
        .get_row_iter(None)
        .map_err(|e| bad(format!("unreadable Parquet {what}: {e}")))?;
    for (i, row) in iter.enumerate() {
        let row = row.map_err(|e| bad(format!("row {}: unreadable: {e}", i + 1)))?;
        let mut cells = vec![String::new(); headers.len()];
        for (name, f) in row.get_column_iter() {
            if let Some(k) = headers.iter().position(|h| h == name) {
                cells[k] = cell(f).map_err(|m| {
                    IoError::input(path, vec![crate::table::cell_error(i + 1, name, m)])
                })?;
            }
        }
        rows.push(csv::StringRecord::from(cells));
    }
    if headers.is_empty() {
        return Err(bad(format!("the Parquet {what} has no columns")));
    }
    if rows.is_empty() {
        return Err(bad(format!("the {what} has a header but no data rows")));
    }
    Ok(RawTable { headers, rows })
}
