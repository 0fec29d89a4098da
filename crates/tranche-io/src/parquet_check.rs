//! Checks every page header of a Parquet file before the Parquet crate reads a page.
//!
//! The crate sizes buffers from page headers: it decompresses into a buffer of the header's
//! uncompressed size, and fills a dictionary with as many default values as the dictionary
//! page claims. A corrupt header of a few bytes can so make it allocate gigabytes (found
//! by the `tape_parquet` fuzz target). This module walks each column chunk's pages with
//! its own bounded Thrift reader and rejects a header whose sizes cannot be true of the
//! bytes it describes, or that exceed [`MAX_PAGE_BYTES`], before anything is allocated.

use parquet::basic::{Compression, Type};
use parquet::file::metadata::{ColumnChunkMetaData, ParquetMetaData};
use parquet::file::reader::ChunkReader;

/// Largest page (uncompressed) a tape may hold. Writers cut pages at about 1 MiB by
/// default (parquet-rs, pyarrow, parquet-mr); 64 MiB leaves room for unusual writers
/// while keeping one corrupt header from reserving gigabytes.
pub const MAX_PAGE_BYTES: i64 = 64 << 20;

/// Snappy expands at most 64 bytes from a 3-byte copy element, so a page cannot
/// decompress to more than about 21.4 times its compressed size.
const SNAPPY_MAX_RATIO: i64 = 22;

/// Bytes of a page read at once to find its header (more only if the header needs it).
const HEADER_WINDOW: u64 = 64 << 10;

/// Nesting allowed in a page header (the real format nests three levels).
const MAX_DEPTH: u32 = 16;

/// Checks that the file's footer (its metadata) is well-formed Thrift before the Parquet
/// crate decodes it: the crate skips a list of booleans as if each took no bytes, so a
/// corrupt list claiming two billion of them (or lists of such lists) keeps it busy for
/// seconds to hours (found by the `tape_parquet` fuzz target). Every element takes at
/// least one byte, so this walk is linear in the footer's size. A file without the
/// plain `PAR1` footer is left to the crate's own error.
pub fn check_footer<R: ChunkReader>(source: &R) -> Result<(), String> {
    let len = source.len();
    if len < 12 {
        return Ok(());
    }
    let Ok(tail) = source.get_bytes(len - 8, 8) else {
        return Ok(());
    };
    let (Some(meta_len), Some(magic)) = (tail.get(..4), tail.get(4..)) else {
        return Ok(());
    };
    let meta_len = u64::from(u32::from_le_bytes([
        meta_len[0],
        meta_len[1],
        meta_len[2],
        meta_len[3],
    ]));
    if magic != b"PAR1" || meta_len + 8 > len {
        return Ok(());
    }
    let Ok(meta) = usize::try_from(meta_len) else {
        return Ok(());
    };
    let bytes = source
        .get_bytes(len - 8 - meta_len, meta)
        .map_err(|e| e.to_string())?;
    let mut c = Compact {
        buf: bytes.as_ref(),
        pos: 0,
    };
    match c.skip(T_STRUCT, true, 0) {
        Ok(()) => Ok(()),
        Err(Bad::Short) => Err("the file metadata runs past its end".into()),
        Err(Bad::Invalid(m)) => Err(format!("unreadable file metadata: {m}")),
    }
}

/// A problem found: the column it is in and what is wrong.
#[derive(Debug)]
pub struct PageProblem {
    pub column: String,
    pub message: String,
}

/// Checks the column chunks and page headers of every row group.
pub fn check_pages<R: ChunkReader>(source: &R, meta: &ParquetMetaData) -> Result<(), PageProblem> {
    let file_len = source.len();
    for (g, rg) in meta.row_groups().iter().enumerate() {
        for col in rg.columns() {
            let problem = |message: String| PageProblem {
                column: col.column_path().string(),
                message: format!("row group {}: {message}", g + 1),
            };
            check_chunk(source, file_len, rg.num_rows(), col).map_err(problem)?;
        }
    }
    Ok(())
}

fn check_chunk<R: ChunkReader>(
    source: &R,
    file_len: u64,
    num_rows: i64,
    col: &ColumnChunkMetaData,
) -> Result<(), String> {
    let start = col
        .dictionary_page_offset()
        .unwrap_or_else(|| col.data_page_offset());
    let len = col.compressed_size();
    let in_file = start >= 0
        && len >= 0
        && start
            .checked_add(len)
            .is_some_and(|e| u64::try_from(e).is_ok_and(|e| e <= file_len));
    if !in_file {
        return Err(format!(
            "the column chunk claims bytes {start} to {} of a file of {file_len} bytes",
            start.saturating_add(len)
        ));
    }
    if num_rows < 0 || col.num_values() < 0 {
        return Err(format!(
            "negative counts in the metadata ({num_rows} rows, {} values)",
            col.num_values()
        ));
    }
    let min_width = match col.column_type() {
        Type::BOOLEAN => 0,
        Type::INT32 | Type::FLOAT | Type::BYTE_ARRAY => 4,
        Type::INT64 | Type::DOUBLE => 8,
        Type::INT96 => 12,
        Type::FIXED_LEN_BYTE_ARRAY => {
            let w = col.column_descr().type_length();
            if w < 1 {
                return Err(format!(
                    "a fixed-length column with values of {w} bytes; expected at least 1"
                ));
            }
            i64::from(w)
        }
    };
    let codec = col.compression();
    let mut pos = start as u64;
    let mut remaining = len as u64;
    while remaining > 0 {
        let (header_len, h) = read_header(source, pos, remaining)
            .map_err(|e| format!("unreadable page header at byte {pos}: {e}"))?;
        remaining -= header_len;
        let at = pos;
        pos += header_len;
        if h.compressed < 0 || h.compressed as u64 > remaining {
            return Err(format!(
                "the page at byte {at} claims {} bytes, but the column chunk has {remaining} left",
                h.compressed
            ));
        }
        if h.uncompressed < 0 {
            return Err(format!(
                "the page at byte {at} claims a negative uncompressed size ({})",
                h.uncompressed
            ));
        }
        let decompresses = codec != Compression::UNCOMPRESSED && h.compressed_body;
        if decompresses {
            if i64::from(h.uncompressed) > MAX_PAGE_BYTES {
                return Err(format!(
                    "the page at byte {at} claims {} uncompressed, above the limit of {} per page",
                    size(i64::from(h.uncompressed)),
                    size(MAX_PAGE_BYTES)
                ));
            }
            if codec == Compression::SNAPPY
                && i64::from(h.uncompressed) > SNAPPY_MAX_RATIO * i64::from(h.compressed) + 32
            {
                return Err(format!(
                    "the page at byte {at} claims {} uncompressed from {} compressed, more \
                     than Snappy can expand",
                    size(i64::from(h.uncompressed)),
                    size(i64::from(h.compressed))
                ));
            }
        }
        // The bytes the page's values are decoded from.
        let body = if decompresses {
            i64::from(h.uncompressed)
        } else {
            i64::from(h.compressed)
        };
        match h.kind {
            Kind::Dictionary(n) => {
                let n = i64::from(n);
                let fits = if min_width == 0 {
                    n <= body.saturating_mul(8)
                } else {
                    n.saturating_mul(min_width) <= body
                };
                if n < 0 || !fits {
                    return Err(format!(
                        "the dictionary page at byte {at} claims {n} values but holds {body} bytes"
                    ));
                }
            }
            Kind::Data(n) => {
                // A flat schema has one value (or null) per row.
                if n < 0 || i64::from(n) > num_rows {
                    return Err(format!(
                        "the data page at byte {at} claims {n} values in a row group of \
                         {num_rows} rows"
                    ));
                }
            }
            Kind::Other => {}
        }
        remaining -= h.compressed as u64;
        pos += h.compressed as u64;
    }
    Ok(())
}

/// A byte count for messages ("4 GiB", "70 KiB", "312 bytes").
fn size(n: i64) -> String {
    const UNITS: [(&str, i64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, k) in UNITS {
        if n >= k {
            let v = n as f64 / k as f64;
            return if v >= 10.0 {
                format!("{v:.0} {unit}")
            } else {
                format!("{v:.1} {unit}")
            };
        }
    }
    format!("{n} bytes")
}

#[derive(Debug)]
enum Kind {
    Dictionary(i32),
    Data(i32),
    Other,
}

#[derive(Debug)]
struct Header {
    uncompressed: i32,
    compressed: i32,
    /// False for a v2 data page stored uncompressed.
    compressed_body: bool,
    kind: Kind,
}

/// Reads the page header at `pos` (the chunk has `remaining` bytes from there): its length
/// in bytes and the fields that size buffers.
fn read_header<R: ChunkReader>(
    source: &R,
    pos: u64,
    remaining: u64,
) -> Result<(u64, Header), String> {
    let mut window = HEADER_WINDOW.min(remaining);
    loop {
        let bytes = source
            .get_bytes(pos, usize::try_from(window).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
        let mut c = Compact {
            buf: bytes.as_ref(),
            pos: 0,
        };
        match parse_header(&mut c) {
            Ok(h) => return Ok((c.pos as u64, h)),
            Err(Bad::Short) if window < remaining => window = (window * 16).min(remaining),
            Err(Bad::Short) => return Err("it runs past the end of the column chunk".into()),
            Err(Bad::Invalid(m)) => return Err(m),
        }
    }
}

#[derive(Debug)]
enum Bad {
    /// The bytes end inside the header.
    Short,
    Invalid(String),
}

fn invalid(m: impl Into<String>) -> Bad {
    Bad::Invalid(m.into())
}

/// Thrift compact protocol, only as much as a page header needs, every length checked
/// against the bytes at hand.
struct Compact<'a> {
    buf: &'a [u8],
    pos: usize,
}

// Compact protocol type codes.
const T_STOP: u8 = 0;
const T_TRUE: u8 = 1;
const T_FALSE: u8 = 2;
const T_BYTE: u8 = 3;
const T_I16: u8 = 4;
const T_I32: u8 = 5;
const T_I64: u8 = 6;
const T_DOUBLE: u8 = 7;
const T_BINARY: u8 = 8;
const T_LIST: u8 = 9;
const T_SET: u8 = 10;
const T_MAP: u8 = 11;
const T_STRUCT: u8 = 12;
const T_UUID: u8 = 13;

impl Compact<'_> {
    fn byte(&mut self) -> Result<u8, Bad> {
        let b = *self.buf.get(self.pos).ok_or(Bad::Short)?;
        self.pos += 1;
        Ok(b)
    }

    fn advance(&mut self, n: u64) -> Result<(), Bad> {
        let left = (self.buf.len() - self.pos) as u64;
        if n > left {
            return Err(Bad::Short);
        }
        self.pos += n as usize;
        Ok(())
    }

    fn varint(&mut self) -> Result<u64, Bad> {
        let mut v = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            if shift == 63 && b > 1 {
                return Err(invalid("a number longer than 64 bits"));
            }
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(invalid("a number longer than 64 bits"))
    }

    fn zigzag(&mut self) -> Result<i64, Bad> {
        let v = self.varint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    fn i32(&mut self) -> Result<i32, Bad> {
        let v = self.zigzag()?;
        i32::try_from(v).map_err(|_| invalid(format!("{v} does not fit a 32-bit field")))
    }

    /// The next field's id and type, or `None` at the end of the struct.
    fn field(&mut self, last: &mut i16) -> Result<Option<(i16, u8)>, Bad> {
        let b = self.byte()?;
        let ty = b & 0x0f;
        if ty == T_STOP {
            return Ok(None);
        }
        let delta = i16::from(b >> 4);
        let id = if delta != 0 {
            last.checked_add(delta)
                .ok_or_else(|| invalid("a field id out of range"))?
        } else {
            i16::try_from(self.zigzag()?).map_err(|_| invalid("a field id out of range"))?
        };
        *last = id;
        Ok(Some((id, ty)))
    }

    /// Skips a value of type `ty`; `in_field` tells a boolean field (value in its type
    /// code) from a boolean list element (one byte).
    fn skip(&mut self, ty: u8, in_field: bool, depth: u32) -> Result<(), Bad> {
        if depth > MAX_DEPTH {
            return Err(invalid("nested too deeply"));
        }
        match ty {
            T_TRUE | T_FALSE if in_field => Ok(()),
            T_TRUE | T_FALSE | T_BYTE => self.advance(1),
            T_I16 | T_I32 | T_I64 => self.varint().map(|_| ()),
            T_DOUBLE => self.advance(8),
            T_UUID => self.advance(16),
            T_BINARY => {
                let n = self.varint()?;
                self.advance(n)
            }
            T_LIST | T_SET => {
                let b = self.byte()?;
                let n = match u64::from(b >> 4) {
                    15 => self.varint()?,
                    n => n,
                };
                // Every element takes at least one byte.
                if n > (self.buf.len() - self.pos) as u64 {
                    return Err(Bad::Short);
                }
                for _ in 0..n {
                    self.skip(b & 0x0f, false, depth + 1)?;
                }
                Ok(())
            }
            T_MAP => {
                let n = self.varint()?;
                if n == 0 {
                    return Ok(());
                }
                if n > (self.buf.len() - self.pos) as u64 {
                    return Err(Bad::Short);
                }
                let kv = self.byte()?;
                for _ in 0..n {
                    self.skip(kv >> 4, false, depth + 1)?;
                    self.skip(kv & 0x0f, false, depth + 1)?;
                }
                Ok(())
            }
            T_STRUCT => {
                let mut last = 0;
                while let Some((_, t)) = self.field(&mut last)? {
                    self.skip(t, true, depth + 1)?;
                }
                Ok(())
            }
            other => Err(invalid(format!("unknown Thrift type {other}"))),
        }
    }
}

/// Sets a field once: a repeated field could be read differently by another reader.
fn once<T>(slot: &mut Option<T>, v: T, id: i16) -> Result<(), Bad> {
    if slot.replace(v).is_some() {
        return Err(invalid(format!("field {id} appears twice")));
    }
    Ok(())
}

fn want(ty: u8, expected: u8, id: i16) -> Result<(), Bad> {
    if ty != expected {
        return Err(invalid(format!("field {id} has Thrift type {ty}")));
    }
    Ok(())
}

/// `PageHeader` (parquet.thrift): 1 type, 2 uncompressed_page_size, 3 compressed_page_size,
/// 5 data_page_header, 7 dictionary_page_header, 8 data_page_header_v2.
fn parse_header(c: &mut Compact<'_>) -> Result<Header, Bad> {
    let (mut ty, mut unc, mut comp) = (None, None, None);
    let mut kind = None;
    let mut compressed_body = true;
    let mut last = 0;
    while let Some((id, t)) = c.field(&mut last)? {
        match id {
            1..=3 => {
                want(t, T_I32, id)?;
                let v = c.i32()?;
                let slot = match id {
                    1 => &mut ty,
                    2 => &mut unc,
                    _ => &mut comp,
                };
                once(slot, v, id)?;
            }
            5 | 7 | 8 => {
                want(t, T_STRUCT, id)?;
                let (n, v2_compressed) = parse_sub_header(c, id)?;
                let k = if id == 7 {
                    Kind::Dictionary(n)
                } else {
                    Kind::Data(n)
                };
                if id == 8 {
                    compressed_body = v2_compressed;
                }
                once(&mut kind, k, id)?;
            }
            _ => c.skip(t, true, 1)?,
        }
    }
    let (Some(_), Some(uncompressed), Some(compressed)) = (ty, unc, comp) else {
        return Err(invalid("a page header without its type or sizes"));
    };
    Ok(Header {
        uncompressed,
        compressed,
        compressed_body,
        kind: kind.unwrap_or(Kind::Other),
    })
}

/// `DataPageHeader`, `DictionaryPageHeader`, `DataPageHeaderV2`: field 1 is `num_values`;
/// field 7 of v2 is `is_compressed` (absent means compressed).
fn parse_sub_header(c: &mut Compact<'_>, parent: i16) -> Result<(i32, bool), Bad> {
    let mut n = None;
    let mut compressed = None;
    let mut last = 0;
    while let Some((id, t)) = c.field(&mut last)? {
        match (id, parent) {
            (1, _) => {
                want(t, T_I32, id)?;
                let v = c.i32()?;
                once(&mut n, v, id)?;
            }
            (7, 8) => {
                if t != T_TRUE && t != T_FALSE {
                    return Err(invalid(format!("field {id} has Thrift type {t}")));
                }
                once(&mut compressed, t == T_TRUE, id)?;
            }
            _ => c.skip(t, true, 2)?,
        }
    }
    let n = n.ok_or_else(|| invalid(format!("page header field {parent} without num_values")))?;
    Ok((n, compressed.unwrap_or(true)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A compact-protocol page header with the given fields.
    fn header(kind_field: u8, unc: i32, comp: i32, n: i32) -> Vec<u8> {
        fn zz(v: i32) -> Vec<u8> {
            let mut u = ((v << 1) ^ (v >> 31)) as u32;
            let mut out = Vec::new();
            loop {
                if u < 0x80 {
                    out.push(u as u8);
                    return out;
                }
                out.push((u as u8 & 0x7f) | 0x80);
                u >>= 7;
            }
        }
        let mut b = vec![0x15];
        b.extend(zz(0));
        b.push(0x15);
        b.extend(zz(unc));
        b.push(0x15);
        b.extend(zz(comp));
        b.push(((kind_field - 3) << 4) | T_STRUCT);
        b.push(0x15);
        b.extend(zz(n));
        b.push(0); // end of sub-header
        b.push(0); // end of header
        b
    }

    #[test]
    fn reads_sizes_and_value_counts() {
        let b = header(7, 1000, 400, 25);
        let mut c = Compact { buf: &b, pos: 0 };
        let h = parse_header(&mut c).unwrap();
        assert_eq!(c.pos, b.len());
        assert_eq!((h.uncompressed, h.compressed), (1000, 400));
        assert!(matches!(h.kind, Kind::Dictionary(25)));
        let b = header(5, 7, 7, 2);
        let h = parse_header(&mut Compact { buf: &b, pos: 0 }).unwrap();
        assert!(matches!(h.kind, Kind::Data(2)));
    }

    #[test]
    fn truncated_or_repeated_fields_are_rejected() {
        let b = header(5, 7, 7, 2);
        for cut in 0..b.len() {
            let r = parse_header(&mut Compact {
                buf: &b[..cut],
                pos: 0,
            });
            assert!(matches!(r, Err(Bad::Short)), "cut at {cut}");
        }
        let mut twice = vec![0x15, 0x02, 0x15, 0x02, 0x05, 0x02];
        twice.push(0);
        assert!(matches!(
            parse_header(&mut Compact {
                buf: &twice,
                pos: 0
            }),
            Err(Bad::Invalid(_))
        ));
    }

    #[test]
    fn a_list_of_booleans_takes_a_byte_each() {
        // struct { 1: list<bool> of 3 } then stop: 0x19 = field 1, list; 0x31 = 3 x bool.
        let ok = [0x19, 0x31, 1, 2, 1, 0];
        let mut c = Compact { buf: &ok, pos: 0 };
        assert!(c.skip(T_STRUCT, true, 0).is_ok());
        assert_eq!(c.pos, ok.len());
        // A list claiming two billion booleans in a few bytes ends at once.
        let huge = [0x19, 0xF1, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 1, 0];
        let mut c = Compact { buf: &huge, pos: 0 };
        assert!(matches!(c.skip(T_STRUCT, true, 0), Err(Bad::Short)));
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size(312), "312 bytes");
        assert_eq!(size(70 << 10), "70 KiB");
        assert_eq!(size(i64::from(i32::MAX)), "2.0 GiB");
    }
}
