//! Strat table output: Markdown, CSV (one file per table, shaped like a term sheet's
//! tables), JSON and (feature `xlsx`) XLSX. Shapes are documented in `docs/strats.md`.
//! Markdown and XLSX go through the generic [`crate::render::Table`].
//!
//! Presentation formats print each column with the decimals a term sheet uses; JSON
//! carries full precision. Rates are printed in percent.

mod figures;
mod tables_file;

pub use figures::{summary_figures, Figure};
pub use tables_file::{parse_tables_file, read_tables_file, TablesFile};

use crate::atomic::write_atomic;
use crate::render::{markdown, Cell, Table};
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

fn row_type(r: &StratRow) -> &'static str {
    match r.row_type {
        RowType::Data => "data",
        RowType::Total => "total",
    }
}

fn csv_bytes(header: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>, IoError> {
    let r = crate::records::Records {
        columns: header.to_vec(),
        rows: rows.to_vec(),
        right: Vec::new(),
    };
    Ok(r.csv().into_bytes())
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

/// A strat table as a generic report table (typed cells: `$` balances, plain rates).
pub fn render_table(t: &StratTable) -> Table {
    let headers: Vec<&str> = t.columns.iter().map(|c| c.header()).collect();
    let mut out = Table::new(t.title.clone(), &headers).with_id(&t.file_stem);
    out.notes = t.notes.clone();
    for r in &t.rows {
        let cells: Vec<Cell> = t
            .columns
            .iter()
            .map(|c| match c {
                Column::Description => Cell::text(r.description.clone()),
                Column::Loans => Cell::Int(i64::try_from(r.measures.loans).unwrap_or(i64::MAX)),
                _ => match column_value(r, *c) {
                    Some(v) if c.is_currency() => Cell::money(v, c.decimals() as u8),
                    Some(v) => Cell::decimal(v, c.decimals() as u8),
                    None => Cell::Empty,
                },
            })
            .collect();
        match r.row_type {
            RowType::Data => out.push(cells),
            RowType::Total => out.push_total(cells),
        }
    }
    out
}

/// The pool summary as generic tables: the figures, then each short distribution.
pub fn render_summary(s: &PoolSummary) -> Vec<Table> {
    let mut fig = Table::new("Summary of Loans", &["Figure", "Value", "Range"]).with_id("summary");
    for f in summary_figures(s) {
        let label = match f.section {
            Some(sec) => format!("{sec}: {}", f.label),
            None => f.label.to_string(),
        };
        let value = match (f.value, f.unit) {
            (None, _) => Cell::Empty,
            (Some(v), "USD") => Cell::money(v, f.decimals as u8),
            (Some(v), "percent") => Cell::percent(v, f.decimals as u8),
            (Some(v), "count") => Cell::Int(v as i64),
            (Some(v), _) => Cell::decimal(v, f.decimals as u8),
        };
        fig.push(vec![
            Cell::text(label),
            value,
            Cell::text(f.display_range()),
        ]);
    }
    let mut out = vec![fig];
    for t in &s.top {
        let mut tt = Table::new(t.title.clone(), &["", "% of pool"])
            .with_id(&format!("summary {}", t.title));
        for x in &t.rows {
            tt.push(vec![Cell::text(x.label.clone()), Cell::percent(x.pct, 2)]);
        }
        out.push(tt);
    }
    out
}

/// Every table of the report, summary first, as generic tables.
pub fn render_all(r: &StratsReport) -> Vec<Table> {
    let mut out = render_summary(&r.summary);
    out.extend(r.tables.iter().map(render_table));
    out
}

/// The report as Markdown: the summary, its short distributions, then every table.
pub fn report_markdown(r: &StratsReport) -> String {
    let mut out = String::from("# Collateral stratification\n");
    for t in render_all(r) {
        out.push('\n');
        out.push_str(&markdown(&t));
    }
    out
}

/// The workbook: summary sheets, then one sheet per table (feature `xlsx`).
#[cfg(feature = "xlsx")]
pub fn write_xlsx(path: &Path, r: &StratsReport) -> Result<(), IoError> {
    let tables = render_all(r);
    let refs: Vec<&Table> = tables.iter().collect();
    crate::render::xlsx::write_xlsx(path, &refs)
}

#[cfg(test)]
mod tests;
