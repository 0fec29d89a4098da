//! The strats workbook: a `Summary` sheet, then one sheet per table. Numbers are stored
//! as numbers with the term sheet's number formats.

use super::{column_value, summary_figures, StratsReport};
use crate::IoError;
use rust_xlsxwriter::{Format, FormatBorder, Workbook, Worksheet, XlsxError};
use std::collections::HashSet;
use std::path::Path;
use tranche_core::strats::{Column, RowType};

fn err(path: &Path, e: XlsxError) -> IoError {
    IoError::io(path, std::io::Error::other(e.to_string()))
}

/// At most 31 characters, none of `[]:*?/\'`, unique in the workbook.
fn sheet_name(stem: &str, used: &mut HashSet<String>) -> String {
    let clean: String = stem
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\' | '\''))
        .collect();
    let mut n = 1;
    loop {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!("~{n}")
        };
        let name: String = clean.chars().take(31 - suffix.len()).collect::<String>() + &suffix;
        if used.insert(name.to_lowercase()) {
            return name;
        }
        n += 1;
    }
}

fn num_format(c: Column) -> String {
    let d = c.decimals();
    let frac = if d == 0 {
        String::new()
    } else {
        format!(".{}", "0".repeat(d))
    };
    if c.is_currency() {
        format!("$#,##0{frac}")
    } else if c == Column::Loans {
        "#,##0".into()
    } else {
        format!("0{frac}")
    }
}

fn summary_sheet(ws: &mut Worksheet, r: &StratsReport) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    ws.set_name("Summary")?;
    ws.write_string_with_format(0, 0, "Summary of Loans", &bold)?;
    for (i, h) in ["Figure", "Value", "Range"].iter().enumerate() {
        ws.write_string_with_format(2, i as u16, *h, &bold)?;
    }
    let mut row = 3;
    for f in summary_figures(&r.summary) {
        let label = match f.section {
            Some(s) => format!("{s}: {}", f.label),
            None => f.label.to_string(),
        };
        ws.write_string(row, 0, &label)?;
        ws.write_string(row, 1, f.display_value())?;
        ws.write_string(row, 2, f.display_range())?;
        row += 1;
    }
    for t in &r.summary.top {
        row += 1;
        ws.write_string_with_format(row, 0, &t.title, &bold)?;
        row += 1;
        let pct = Format::new().set_num_format("0.00");
        for x in &t.rows {
            ws.write_string(row, 0, &x.label)?;
            ws.write_number_with_format(row, 1, x.pct, &pct)?;
            row += 1;
        }
    }
    ws.autofit();
    Ok(())
}

fn table_sheet(
    ws: &mut Worksheet,
    t: &tranche_core::strats::StratTable,
    name: String,
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    let bold = Format::new().set_bold();
    ws.write_string_with_format(0, 0, &t.title, &bold)?;
    let mut row = 1;
    for n in &t.notes {
        ws.write_string(row, 0, n)?;
        row += 1;
    }
    row += 1;
    let head = Format::new()
        .set_bold()
        .set_border_bottom(FormatBorder::Thin);
    for (c, col) in t.columns.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, col.header(), &head)?;
    }
    row += 1;
    for r in &t.rows {
        let total = r.row_type == RowType::Total;
        for (c, col) in t.columns.iter().enumerate() {
            let mut f = Format::new();
            if total {
                f = f.set_bold().set_border_top(FormatBorder::Thin);
            }
            let cc = c as u16;
            match col {
                Column::Description => {
                    ws.write_string_with_format(row, cc, &r.description, &f)?;
                }
                _ => match column_value(r, *col) {
                    Some(v) => {
                        ws.write_number_with_format(
                            row,
                            cc,
                            v,
                            &f.set_num_format(num_format(*col)),
                        )?;
                    }
                    None => {
                        ws.write_blank(row, cc, &f)?;
                    }
                },
            }
        }
        row += 1;
    }
    ws.autofit();
    Ok(())
}

/// The workbook as bytes (`path` only names the file in errors).
pub fn workbook_bytes(r: &StratsReport, path: &Path) -> Result<Vec<u8>, IoError> {
    let mut wb = Workbook::new();
    summary_sheet(wb.add_worksheet(), r).map_err(|e| err(path, e))?;
    let mut used: HashSet<String> = ["summary".to_string()].into_iter().collect();
    for t in &r.tables {
        let name = sheet_name(&t.file_stem, &mut used);
        table_sheet(wb.add_worksheet(), t, name).map_err(|e| err(path, e))?;
    }
    wb.save_to_buffer().map_err(|e| err(path, e))
}

/// Writes the workbook atomically.
pub fn write_xlsx(path: &Path, r: &StratsReport) -> Result<(), IoError> {
    let bytes = workbook_bytes(r, path)?;
    crate::atomic::write_atomic(path, &bytes)
}
