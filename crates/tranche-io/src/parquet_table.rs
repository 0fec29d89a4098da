//! Parquet rows as text cells, one row at a time: each value rendered as the text a CSV
//! cell would hold, so both formats go through the same validation. Flat schemas only
//! (one value per column).
//!
//! The file is never trusted: page headers are checked before the Parquet crate reads
//! them ([`crate::parquet_check`]), reads past the end of the file fail, and the crate's
//! assertions on corrupt input are contained ([`crate::guard`]); each becomes an input
//! error naming the file.

use crate::table::{cell_error, file_error, RowError, RowSource};
use crate::IoError;
use parquet::file::reader::{ChunkReader, FileReader, SerializedFileReader};
use parquet::record::reader::RowIter;
use parquet::record::Field;
use std::path::Path;
use std::sync::Arc;

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

/// A Parquet table read one row at a time (the Parquet crate decodes a column chunk's
/// pages as the rows need them), so a large file never sits in memory as rows.
pub struct ParquetRows {
    headers: Vec<String>,
    /// `None` once the file cannot be read further.
    iter: Option<RowIter<'static>>,
    rec: csv::StringRecord,
    row: usize,
}

impl ParquetRows {
    /// Opens a Parquet file. `what` names the content for messages ("loan tape").
    pub fn open(path: &Path, what: &str) -> Result<Self, IoError> {
        let file = crate::table::open_input(path, what, "a Parquet file")?;
        Self::new(path, what, file)
    }

    /// Reads a Parquet file held in memory; `path` only names it in messages.
    pub fn from_bytes(path: &Path, what: &str, data: Vec<u8>) -> Result<Self, IoError> {
        Self::new(path, what, bytes::Bytes::from(data))
    }

    fn new<R: ChunkReader + 'static>(path: &Path, what: &str, source: R) -> Result<Self, IoError> {
        let corrupt = |m: String| {
            IoError::input(
                path,
                vec![file_error(
                    None,
                    format!("not a readable Parquet {what} (corrupt file: {m})"),
                )],
            )
        };
        crate::guard::contain(|| Self::new_unguarded(path, what, source))
            .unwrap_or_else(|m| Err(corrupt(m)))
    }

    fn new_unguarded<R: ChunkReader + 'static>(
        path: &Path,
        what: &str,
        source: R,
    ) -> Result<Self, IoError> {
        let bad = |msg: String| IoError::input(path, vec![file_error(None, msg)]);
        crate::parquet_check::check_footer(&source)
            .map_err(|m| bad(format!("not a readable Parquet {what}: {m}")))?;
        let source = Arc::new(source);
        let reader = SerializedFileReader::new(Strict(Arc::clone(&source)))
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
        if headers.is_empty() {
            return Err(bad(format!("the Parquet {what} has no columns")));
        }
        crate::parquet_check::check_pages(source.as_ref(), reader.metadata()).map_err(|p| {
            IoError::input(
                path,
                vec![file_error(
                    Some(&p.column),
                    format!("corrupt Parquet {what}: {}", p.message),
                )],
            )
        })?;
        let iter = RowIter::from_file_into(Box::new(reader));
        Ok(ParquetRows {
            rec: csv::StringRecord::new(),
            headers,
            iter: Some(iter),
            row: 0,
        })
    }
}

impl RowSource for ParquetRows {
    fn headers(&self) -> &[String] {
        &self.headers
    }

    fn rows_read(&self) -> usize {
        self.row
    }

    /// A corrupt page ends the read (`RowError::Fatal`).
    fn next_row(&mut self) -> Option<(usize, Result<&csv::StringRecord, RowError>)> {
        let iter = self.iter.as_mut()?;
        let next = crate::guard::contain(|| iter.next());
        let row = self.row + 1;
        let fatal = |msg: String| Some((row, Err(RowError::Fatal(file_error(None, msg)))));
        let record = match next {
            Ok(None) => {
                self.iter = None;
                return None;
            }
            Ok(Some(r)) => r,
            Err(m) => Err(parquet::errors::ParquetError::General(format!(
                "corrupt file: {m}"
            ))),
        };
        self.row = row;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                self.iter = None;
                return fatal(format!("row {row}: unreadable: {e}"));
            }
        };
        let mut cells = vec![String::new(); self.headers.len()];
        for (name, f) in record.get_column_iter() {
            if let Some(k) = self.headers.iter().position(|h| h == name) {
                match cell(f) {
                    Ok(s) => cells[k] = s,
                    Err(m) => return Some((row, Err(RowError::Row(cell_error(row, name, m))))),
                }
            }
        }
        self.rec = csv::StringRecord::from(cells);
        Some((row, Ok(&self.rec)))
    }
}

/// The file's bytes, read through readers that fail after reading past the end a few
/// times. A corrupt page header can make the Parquet crate skip a field "element by
/// element" far beyond the end of the file, one empty read each, for minutes (found by the
/// `tape_parquet` fuzz target); an error ends that at once.
struct Strict<R>(Arc<R>);

/// Empty reads tolerated before reading past the end is an error.
const EOF_READS: u32 = 64;

impl<R: ChunkReader> parquet::file::reader::Length for Strict<R> {
    fn len(&self) -> u64 {
        self.0.len()
    }
}

impl<R: ChunkReader> ChunkReader for Strict<R> {
    type T = StrictRead<R::T>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        Ok(StrictRead {
            inner: self.0.get_read(start)?,
            eof_reads: 0,
        })
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
        self.0.get_bytes(start, length)
    }
}

struct StrictRead<T> {
    inner: T,
    eof_reads: u32,
}

impl<T: std::io::Read> std::io::Read for StrictRead<T> {
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

/// Writes a CSV table as a Parquet file with the same column names, every column as
/// optional UTF-8 text (an empty cell becomes a null), `rows_per_group` rows per row
/// group. Reads the CSV one row at a time; the Parquet file is built in memory and
/// written atomically. Returns the number of rows. (Used to make large Parquet tapes for
/// measuring and for tests; the tape reader accepts text cells in any column.)
pub fn csv_to_parquet(
    csv_path: &Path,
    out: &Path,
    rows_per_group: usize,
    props: parquet::file::properties::WriterProperties,
) -> Result<usize, IoError> {
    use parquet::basic::{ConvertedType, Repetition, Type as Physical};
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::types::Type;

    let fail = |e: parquet::errors::ParquetError| {
        IoError::input(
            out,
            vec![file_error(None, format!("cannot write Parquet: {e}"))],
        )
    };
    let mut src = crate::table::CsvRows::open(csv_path, "table")?;
    let headers = src.headers().to_vec();
    let fields = headers
        .iter()
        .map(|h| {
            Type::primitive_type_builder(h, Physical::BYTE_ARRAY)
                .with_repetition(Repetition::OPTIONAL)
                .with_converted_type(ConvertedType::UTF8)
                .build()
                .map(Arc::new)
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(fail)?;
    let schema = Type::group_type_builder("table")
        .with_fields(fields)
        .build()
        .map_err(fail)?;
    let mut w =
        SerializedFileWriter::new(Vec::new(), Arc::new(schema), Arc::new(props)).map_err(fail)?;
    let rows_per_group = rows_per_group.max(1);
    let mut columns: Vec<Vec<Option<String>>> = vec![Vec::new(); headers.len()];
    let mut total = 0;
    while let Some((_, r)) = src.next_row() {
        let cells = match r {
            Ok(c) => c,
            Err(RowError::Row(e) | RowError::Fatal(e)) => {
                return Err(IoError::input(csv_path, vec![e]))
            }
        };
        for (k, col) in columns.iter_mut().enumerate() {
            let c = cells.get(k).unwrap_or("");
            col.push((!c.is_empty()).then(|| c.to_string()));
        }
        total += 1;
        if total % rows_per_group == 0 {
            write_group(&mut w, &mut columns).map_err(fail)?;
        }
    }
    if columns.first().is_some_and(|c| !c.is_empty()) {
        write_group(&mut w, &mut columns).map_err(fail)?;
    }
    let bytes = w.into_inner().map_err(fail)?;
    crate::atomic::write_atomic(out, &bytes)?;
    Ok(total)
}

/// Writes the buffered cells as one row group and empties the buffers.
fn write_group(
    w: &mut parquet::file::writer::SerializedFileWriter<Vec<u8>>,
    columns: &mut [Vec<Option<String>>],
) -> parquet::errors::Result<()> {
    use parquet::data_type::{ByteArray, ByteArrayType};
    let mut rg = w.next_row_group()?;
    let mut k = 0;
    while let Some(mut col) = rg.next_column()? {
        let cells = columns.get_mut(k).map(std::mem::take).unwrap_or_default();
        let defs: Vec<i16> = cells.iter().map(|c| i16::from(c.is_some())).collect();
        let values: Vec<ByteArray> = cells
            .into_iter()
            .flatten()
            .map(|s| ByteArray::from(s.into_bytes()))
            .collect();
        col.typed::<ByteArrayType>()
            .write_batch(&values, Some(&defs), None)?;
        col.close()?;
        k += 1;
    }
    rg.close()?;
    Ok(())
}
