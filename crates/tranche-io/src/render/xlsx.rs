//! XLSX workbook: one worksheet per table, numbers stored as numbers with number formats
//! (percents as fractions with a `0.00%` format, months as dates shown `mmmyy`).

use super::table::{Cell, RowKind, Table};
use crate::IoError;
use rust_xlsxwriter::{ExcelDateTime, Format, FormatBorder, Workbook, XlsxError};
use std::collections::HashSet;
use std::path::Path;

fn err(path: &Path, e: XlsxError) -> IoError {
    IoError::io(path, std::io::Error::other(e.to_string()))
}

/// Excel's sheet-name rules: at most 31 characters, none of `[]:*?/\`, unique
/// (case-insensitively) in the workbook.
pub fn sheet_name(id: &str, used: &mut HashSet<String>) -> String {
    let clean: String = id
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\' | '\''))
        .collect();
    let clean = if clean.is_empty() {
        "sheet".to_string()
    } else {
        clean
    };
    let mut n = 1;
    loop {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!("-{n}")
        };
        let keep = 31usize.saturating_sub(suffix.len());
        let name: String = clean.chars().take(keep).collect::<String>() + &suffix;
        if used.insert(name.to_lowercase()) {
            return name;
        }
        n += 1;
    }
}

fn number_format(c: &Cell) -> Option<String> {
    let dec = |d: u8| {
        if d == 0 {
            String::new()
        } else {
            format!(".{}", "0".repeat(d as usize))
        }
    };
    match c {
        Cell::Int(_) => Some("#,##0".into()),
        Cell::Money { decimals, .. } => Some(format!("$#,##0{}", dec(*decimals))),
        Cell::Decimal { decimals, .. } => Some(format!("0{}", dec(*decimals))),
        Cell::Percent { decimals, .. } => Some(format!("0{}%", dec(*decimals))),
        Cell::Month(_) => Some("mmmyy".into()),
        Cell::Empty | Cell::Text(_) => None,
    }
}

/// The workbook as bytes (`path` only names the file in errors).
pub fn workbook_bytes(tables: &[&Table], path: &Path) -> Result<Vec<u8>, IoError> {
    let mut wb = Workbook::new();
    let mut used = HashSet::new();
    let title_fmt = Format::new().set_bold().set_font_size(13);
    let head_fmt = Format::new()
        .set_bold()
        .set_border_bottom(FormatBorder::Thin)
        .set_text_wrap();
    for t in tables {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&t.id, &mut used))
            .map_err(|e| err(path, e))?;
        ws.write_string_with_format(0, 0, &t.title, &title_fmt)
            .map_err(|e| err(path, e))?;
        let mut row: u32 = 1;
        for n in &t.notes {
            ws.write_string(row, 0, n).map_err(|e| err(path, e))?;
            row += 1;
        }
        row += 1;
        for (c, name) in t.columns.iter().enumerate() {
            ws.write_string_with_format(row, c as u16, name, &head_fmt)
                .map_err(|e| err(path, e))?;
        }
        row += 1;
        for r in 0..t.rows.len() {
            let total = t.kind(r) == RowKind::Total;
            for c in 0..t.columns.len() {
                let cell = t.cell(r, c);
                let mut fmt = Format::new();
                if let Some(nf) = number_format(cell) {
                    fmt = fmt.set_num_format(nf);
                }
                if total {
                    fmt = fmt.set_bold().set_border_top(FormatBorder::Thin);
                }
                let col = c as u16;
                let res = match cell {
                    Cell::Empty => ws.write_blank(row, col, &fmt).map(|_| ()),
                    Cell::Text(s) => ws.write_string_with_format(row, col, s, &fmt).map(|_| ()),
                    Cell::Int(i) => ws
                        .write_number_with_format(row, col, *i as f64, &fmt)
                        .map(|_| ()),
                    Cell::Money { value, .. } | Cell::Decimal { value, .. } => ws
                        .write_number_with_format(row, col, *value, &fmt)
                        .map(|_| ()),
                    Cell::Percent { value, .. } => ws
                        .write_number_with_format(row, col, *value / 100.0, &fmt)
                        .map(|_| ()),
                    Cell::Month(d) => {
                        use chrono::Datelike;
                        let dt = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, 1)
                            .map_err(|e| err(path, e))?;
                        ws.write_datetime_with_format(row, col, &dt, &fmt)
                            .map(|_| ())
                    }
                };
                res.map_err(|e| err(path, e))?;
            }
            row += 1;
        }
        ws.autofit();
    }
    if tables.is_empty() {
        wb.add_worksheet();
    }
    wb.save_to_buffer().map_err(|e| err(path, e))
}

/// Writes the workbook atomically.
pub fn write_xlsx(path: &Path, tables: &[&Table]) -> Result<(), IoError> {
    let bytes = workbook_bytes(tables, path)?;
    crate::atomic::write_atomic(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut used = HashSet::new();
        let long = "a".repeat(40);
        let a = sheet_name(&long, &mut used);
        let b = sheet_name(&long, &mut used);
        assert_eq!(a.len(), 31);
        assert_eq!(b.len(), 31);
        assert!(b.ends_with("-2"));
        assert_eq!(sheet_name("x/y?", &mut used), "xy");
    }

    fn part(bytes: &[u8], name: &str) -> String {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut f = z.by_name(name).unwrap();
        let mut s = String::new();
        std::io::Read::read_to_string(&mut f, &mut s).unwrap();
        s
    }

    #[test]
    fn numbers_are_numbers_with_formats() {
        let mut t = Table::new("Class A-1: To Call", &["Speed", "WAL", "Balance", "First"])
            .with_id("price-dm-a-1-call")
            .with_note("Settlement: 01/29/04");
        t.push(vec![
            Cell::percent(80.0, 2),
            Cell::decimal(2.72, 2),
            Cell::money(869_000_000.0, 0),
            Cell::Month(chrono::NaiveDate::from_ymd_opt(2004, 2, 25).unwrap()),
        ]);
        let bytes = workbook_bytes(&[&t], Path::new("r.xlsx")).unwrap();
        let wb = part(&bytes, "xl/workbook.xml");
        assert!(wb.contains("name=\"price-dm-a-1-call\""), "{wb}");
        let styles = part(&bytes, "xl/styles.xml");
        for nf in ["0.00%", "$#,##0", "mmmyy"] {
            assert!(
                styles.contains(&format!("formatCode=\"{nf}\"")),
                "{nf}: {styles}"
            );
        }
        let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
        // Percent as a fraction, money and WAL as plain numbers, the month as a date serial
        // (2004-02-01 is day 38018 of Excel's 1900 system).
        for v in [
            "<v>0.8</v>",
            "<v>2.72</v>",
            "<v>869000000</v>",
            "<v>38018</v>",
        ] {
            assert!(sheet.contains(v), "{v}: {sheet}");
        }
    }

    #[test]
    fn workbook_is_a_zip_with_one_sheet_per_table() {
        let mut t = Table::new("Price", &["Speed", "WAL", "First"]);
        t.push(vec![
            Cell::percent(100.0, 2),
            Cell::decimal(2.13, 2),
            Cell::Month(chrono::NaiveDate::from_ymd_opt(2004, 2, 1).unwrap()),
        ]);
        t.push_total(vec![Cell::text("Total"), Cell::money(1.0, 0), Cell::Empty]);
        let u = Table::new("Price", &["x"]);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.xlsx");
        write_xlsx(&p, &[&t, &u]).unwrap();
        let bytes = std::fs::read(&p).unwrap();
        assert_eq!(&bytes[..2], b"PK");
        // Sheet names live in the (compressed) workbook part; two sheets were written.
        let s = String::from_utf8_lossy(&bytes);
        assert!(s.contains("xl/worksheets/sheet2.xml"));
        assert!(!s.contains("xl/worksheets/sheet3.xml"));
    }
}
