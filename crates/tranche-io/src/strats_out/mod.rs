//! Strat table output: Markdown, CSV (one file per table, shaped like a term sheet's
//! tables), JSON and (feature `xlsx`) XLSX. Shapes are documented in `docs/strats.md`.
//!
//! Presentation formats print each column with the decimals a term sheet uses; JSON
//! carries full precision. Rates are printed in percent.

mod figures;
mod tables_file;
#[cfg(feature = "xlsx")]
mod xlsx;

pub use figures::{summary_figures, Figure};
pub use tables_file::{parse_tables_file, read_tables_file, TablesFile};
#[cfg(feature = "xlsx")]
pub use xlsx::{workbook_bytes, write_xlsx};

use crate::atomic::write_atomic;
use crate::IoError;
use serde_json::{json, Map, Value};
use std::path::Path;
use tranche_core::strats::{format_number, Column, PoolSummary, RowType, StratRow, StratTable};

/// Everything `tranche strats` writes.
#[derive(Debug, Clone)]
pub struct StratsReport {
    pub summary: PoolSummary,
    pub tables: Vec<StratTable>,
    /// Deal-level fees used for the net coupon, percent.
    pub master_servicing_pct: f64,
    pub trustee_pct: f64,
    pub cutoff_date: Option<chrono::NaiveDate>,
}

/// True for columns holding rates (decimals in the engine, percent in files).
fn is_rate(c: Column) -> bool {
    matches!(
        c,
        Column::MinWac
            | Column::MaxWac
            | Column::GrossWac
            | Column::NetWac
            | Column::Margin
            | Column::MaxRate
    )
}

/// The value of a numeric column in file units (rates in percent).
pub fn column_value(row: &StratRow, c: Column) -> Option<f64> {
    let v = row.measures.get(c)?;
    Some(if is_rate(c) { v * 100.0 } else { v })
}

/// The JSON field name of a column.
pub fn json_key(c: Column) -> &'static str {
    match c {
        Column::Description => "description",
        Column::WaMtr => "wa_mtr",
        Column::CurrentBalance => "current_balance",
        Column::Loans => "loans",
        Column::PctOfTotal => "pct_of_total",
        Column::AverageBalance => "average_balance",
        Column::MinWac => "min_wac_pct",
        Column::MaxWac => "max_wac_pct",
        Column::GrossWac => "gross_wac_pct",
        Column::NetWac => "net_wac_pct",
        Column::RemTerm => "remg_term",
        Column::Age => "age",
        Column::Fico => "fico",
        Column::OrigLtv => "orig_ltv_pct",
        Column::OrigTerm => "orig_term",
        Column::Margin => "margin_pct",
        Column::MaxRate => "max_rate_pct",
        Column::Dti => "dti_pct",
    }
}

/// A cell as plain text: no `$`, no thousands separators, the column's decimals.
fn plain_cell(row: &StratRow, c: Column) -> String {
    match c {
        Column::Description => row.description.clone(),
        _ => column_value(row, c)
            .map(|v| format_number(v, c.decimals() as u32, false))
            .unwrap_or_default(),
    }
}

/// A cell as a reader sees it: balances with `$` and separators, counts with separators.
fn display_cell(row: &StratRow, c: Column) -> String {
    match c {
        Column::Description => row.description.clone(),
        Column::Loans => format_number(row.measures.loans as f64, 0, true)
            .trim_start_matches('$')
            .to_string(),
        _ => column_value(row, c)
            .map(|v| format_number(v, c.decimals() as u32, c.is_currency()))
            .unwrap_or_default(),
    }
}

fn row_type(r: &StratRow) -> &'static str {
    match r.row_type {
        RowType::Data => "data",
        RowType::Total => "total",
    }
}

fn csv_bytes(header: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>, IoError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| IoError::io("<csv>", std::io::Error::other(e.to_string()));
    w.write_record(header).map_err(io)?;
    for r in rows {
        w.write_record(r).map_err(io)?;
    }
    w.into_inner()
        .map_err(|e| IoError::io("<csv>", std::io::Error::other(e.to_string())))
}

/// One table as CSV: the table's columns, then `ROW_TYPE` (`data` | `total`).
pub fn table_csv(t: &StratTable) -> Result<Vec<u8>, IoError> {
    let mut header: Vec<String> = t.columns.iter().map(|c| c.header().to_string()).collect();
    header.push("ROW_TYPE".into());
    let rows: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| {
            let mut cells: Vec<String> = t.columns.iter().map(|c| plain_cell(r, *c)).collect();
            cells.push(row_type(r).into());
            cells
        })
        .collect();
    csv_bytes(&header, &rows)
}

/// The summary figures as CSV: `section,label,value,range_min,range_max,unit`.
pub fn summary_csv(s: &PoolSummary) -> Result<Vec<u8>, IoError> {
    let header: Vec<String> = [
        "section",
        "label",
        "value",
        "range_min",
        "range_max",
        "unit",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let rows: Vec<Vec<String>> = summary_figures(s)
        .iter()
        .map(|f| {
            let n = |v: f64| format_number(v, f.decimals, false);
            vec![
                f.section.unwrap_or("").to_string(),
                f.label.to_string(),
                f.value.map(n).unwrap_or_default(),
                f.range.map(|r| n(r.0)).unwrap_or_default(),
                f.range.map(|r| n(r.1)).unwrap_or_default(),
                f.unit.to_string(),
            ]
        })
        .collect();
    csv_bytes(&header, &rows)
}

/// The short distributions beside the summary as CSV: `table,label,pct`.
pub fn summary_top_csv(s: &PoolSummary) -> Result<Vec<u8>, IoError> {
    let header = vec!["table".to_string(), "label".into(), "pct".into()];
    let rows: Vec<Vec<String>> = s
        .top
        .iter()
        .flat_map(|t| {
            t.rows.iter().map(|r| {
                vec![
                    t.title.clone(),
                    r.label.clone(),
                    format_number(r.pct, 2, false),
                ]
            })
        })
        .collect();
    csv_bytes(&header, &rows)
}

/// Writes `summary.csv`, `summary_top.csv` and `<file_stem>.csv` per table into `dir`,
/// each atomically. Returns the paths written.
pub fn write_csv_dir(dir: &Path, r: &StratsReport) -> Result<Vec<std::path::PathBuf>, IoError> {
    let mut files = vec![
        (dir.join("summary.csv"), summary_csv(&r.summary)?),
        (dir.join("summary_top.csv"), summary_top_csv(&r.summary)?),
    ];
    for t in &r.tables {
        files.push((dir.join(format!("{}.csv", t.file_stem)), table_csv(t)?));
    }
    // Render everything first so a failure leaves no partial set behind.
    for (p, b) in &files {
        write_atomic(p, b)?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

fn num(v: Option<f64>) -> Value {
    v.and_then(serde_json::Number::from_f64)
        .map_or(Value::Null, Value::Number)
}

fn table_json(t: &StratTable) -> Value {
    let rows: Vec<Value> = t
        .rows
        .iter()
        .map(|r| {
            let mut m = Map::new();
            m.insert("row_type".into(), json!(row_type(r)));
            for c in &t.columns {
                let v = match c {
                    Column::Description => json!(r.description),
                    Column::Loans => json!(r.measures.loans),
                    _ => num(column_value(r, *c)),
                };
                m.insert(json_key(*c).into(), v);
            }
            Value::Object(m)
        })
        .collect();
    json!({
        "file_stem": t.file_stem,
        "title": t.title,
        "notes": t.notes,
        "columns": t.columns.iter().map(|c| c.header()).collect::<Vec<_>>(),
        "keys": t.columns.iter().map(|c| json_key(*c)).collect::<Vec<_>>(),
        "rows": rows,
    })
}

/// The whole report as one JSON document (full precision; see `docs/strats.md`).
pub fn report_json(r: &StratsReport) -> Value {
    let figures: Vec<Value> = summary_figures(&r.summary)
        .iter()
        .map(|f| {
            json!({
                "section": f.section,
                "label": f.label,
                "key": f.key,
                "value": num(f.value),
                "unit": f.unit,
                "range_min": num(f.range.map(|x| x.0)),
                "range_max": num(f.range.map(|x| x.1)),
            })
        })
        .collect();
    let top: Map<String, Value> = r
        .summary
        .top
        .iter()
        .map(|t| {
            let rows: Vec<Value> = t
                .rows
                .iter()
                .map(|x| json!({"label": x.label, "pct": x.pct}))
                .collect();
            (t.title.clone(), Value::Array(rows))
        })
        .collect();
    json!({
        "fees": {
            "master_servicing_pct": r.master_servicing_pct,
            "trustee_pct": r.trustee_pct,
        },
        "cutoff_date": r.cutoff_date.map(|d| d.format("%Y-%m-%d").to_string()),
        "summary": {
            "loans": r.summary.loans,
            "balance": r.summary.balance,
            "figures": figures,
            "top_tables": top,
        },
        "tables": r.tables.iter().map(table_json).collect::<Vec<_>>(),
    })
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}

fn md_table(out: &mut String, header: &[String], rows: &[(Vec<String>, bool)], numeric: &[bool]) {
    out.push_str(&format!("| {} |\n", header.join(" | ")));
    let align: Vec<&str> = numeric
        .iter()
        .map(|n| if *n { "---:" } else { "---" })
        .collect();
    out.push_str(&format!("|{}|\n", align.join("|")));
    for (cells, bold) in rows {
        let cells: Vec<String> = cells
            .iter()
            .map(|c| {
                let c = md_escape(c);
                if *bold && !c.is_empty() {
                    format!("**{c}**")
                } else {
                    c
                }
            })
            .collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
}

/// The report as Markdown: the summary, its short distributions, then every table.
pub fn report_markdown(r: &StratsReport) -> String {
    let s = &r.summary;
    let mut out = String::from("# Collateral stratification\n\n## Summary of Loans\n\n");
    let rows: Vec<(Vec<String>, bool)> = summary_figures(s)
        .iter()
        .map(|f| {
            let label = match f.section {
                Some(sec) => format!("{sec}: {}", f.label),
                None => f.label.to_string(),
            };
            (vec![label, f.display_value(), f.display_range()], false)
        })
        .collect();
    md_table(
        &mut out,
        &["Figure".into(), "Value".into(), "Range".into()],
        &rows,
        &[false, true, true],
    );
    for t in &s.top {
        out.push_str(&format!("\n**{}**\n\n", md_escape(&t.title)));
        let rows: Vec<(Vec<String>, bool)> = t
            .rows
            .iter()
            .map(|x| (vec![x.label.clone(), format!("{:.2}%", x.pct)], false))
            .collect();
        md_table(&mut out, &["".into(), "%".into()], &rows, &[false, true]);
    }
    for t in &r.tables {
        out.push_str(&format!("\n## {}\n\n", md_escape(&t.title)));
        for n in &t.notes {
            out.push_str(&format!("*{}*\n\n", md_escape(n)));
        }
        let header: Vec<String> = t.columns.iter().map(|c| c.header().to_string()).collect();
        let numeric: Vec<bool> = t
            .columns
            .iter()
            .map(|c| *c != Column::Description)
            .collect();
        let rows: Vec<(Vec<String>, bool)> = t
            .rows
            .iter()
            .map(|row| {
                (
                    t.columns.iter().map(|c| display_cell(row, *c)).collect(),
                    row.row_type == RowType::Total,
                )
            })
            .collect();
        md_table(&mut out, &header, &rows, &numeric);
    }
    out
}

#[cfg(test)]
mod tests;
