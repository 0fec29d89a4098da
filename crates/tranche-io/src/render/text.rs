//! Plain-text renderers of a [`Table`]: Markdown (for people), CSV and JSON (for machines).

use super::table::{Cell, RowKind, Table};
use crate::IoError;
use serde_json::{json, Value};

/// A Markdown block: `### title`, the notes, then a pipe table. Numeric columns are
/// right-aligned; total rows are bold.
pub fn markdown(t: &Table) -> String {
    let mut s = format!("### {}\n\n", md_escape(&t.title));
    for n in &t.notes {
        s.push_str(&md_escape(n));
        s.push_str("  \n");
    }
    if !t.notes.is_empty() {
        s.push('\n');
    }
    let ncol = t.columns.len();
    s.push('|');
    for c in &t.columns {
        s.push_str(&format!(" {} |", md_escape(c)));
    }
    s.push_str("\n|");
    for col in 0..ncol {
        s.push_str(if t.is_numeric_column(col) {
            "---:|"
        } else {
            ":---|"
        });
    }
    s.push('\n');
    for r in 0..t.rows.len() {
        s.push('|');
        for col in 0..ncol {
            let text = md_escape(&t.cell(r, col).display());
            if t.kind(r) == RowKind::Total && !text.is_empty() {
                s.push_str(&format!(" **{text}** |"));
            } else {
                s.push_str(&format!(" {text} |"));
            }
        }
        s.push('\n');
    }
    s
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// CSV: a header of column names, then one line per row (totals included) with plain
/// numbers (no `$`, `%` or thousands separators; months as `YYYY-MM`).
pub fn csv(t: &Table) -> Result<String, IoError> {
    let mut r = crate::records::Records::new(
        &t.columns.iter().map(String::as_str).collect::<Vec<_>>(),
        false,
    );
    for row in 0..t.rows.len() {
        r.push(
            (0..t.columns.len())
                .map(|c| t.cell(row, c).plain())
                .collect(),
        );
    }
    Ok(r.csv())
}

/// JSON: `{id, title, notes, columns, rows: [{kind, cells}]}`; numbers as JSON numbers
/// (percent units for percents), months as `"YYYY-MM"`, empty cells as `null`.
pub fn json(t: &Table) -> Value {
    let rows: Vec<Value> = (0..t.rows.len())
        .map(|r| {
            let cells: Vec<Value> = (0..t.columns.len())
                .map(|c| cell_json(t.cell(r, c)))
                .collect();
            json!({ "kind": t.kind(r), "cells": cells })
        })
        .collect();
    json!({
        "id": t.id,
        "title": t.title,
        "notes": t.notes,
        "columns": t.columns,
        "rows": rows,
    })
}

fn cell_json(c: &Cell) -> Value {
    match c {
        Cell::Empty => Value::Null,
        Cell::Text(s) => Value::String(s.clone()),
        Cell::Int(i) => json!(i),
        Cell::Money { value, .. } | Cell::Decimal { value, .. } | Cell::Percent { value, .. } => {
            serde_json::Number::from_f64(*value).map_or(Value::Null, Value::Number)
        }
        Cell::Month(_) => Value::String(c.plain()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn sample() -> Table {
        let mut t = Table::new("Top States", &["State", "Balance", "% of Total", "First"])
            .with_note("As of the cut-off | date");
        let d = NaiveDate::from_ymd_opt(2004, 2, 25).unwrap();
        t.push(vec![
            Cell::text("CA"),
            Cell::money(633_700_000.0, 0),
            Cell::percent(63.37, 2),
            Cell::Month(d),
        ]);
        t.push(vec![
            Cell::text("FL"),
            Cell::money(79_600_000.5, 0),
            Cell::percent(7.96, 2),
        ]);
        t.push_total(vec![
            Cell::Empty,
            Cell::money(713_300_000.5, 0),
            Cell::percent(71.33, 2),
            Cell::Empty,
        ]);
        t
    }

    #[test]
    fn markdown_golden() {
        let want = "### Top States\n\n\
As of the cut-off \\| date  \n\n\
| State | Balance | % of Total | First |\n\
|:---|---:|---:|:---|\n\
| CA | $633,700,000 | 63.37% | Feb04 |\n\
| FL | $79,600,000 | 7.96% |  |\n\
|  | **$713,300,000** | **71.33%** |  |\n";
        assert_eq!(markdown(&sample()), want);
    }

    #[test]
    fn csv_golden() {
        let want = "State,Balance,% of Total,First\n\
CA,633700000,63.37,2004-02\n\
FL,79600000,7.96,\n\
,713300000,71.33,\n";
        // 79,600,000.5 rounds half-to-even in formatting; the CSV shows what Markdown shows.
        assert_eq!(csv(&sample()).unwrap(), want);
    }

    #[test]
    fn json_golden() {
        let v = json(&sample());
        assert_eq!(v["id"], "top-states");
        assert_eq!(v["rows"][0]["kind"], "data");
        assert_eq!(v["rows"][0]["cells"][1], 633_700_000.0);
        assert_eq!(v["rows"][0]["cells"][3], "2004-02");
        assert_eq!(v["rows"][1]["cells"][3], Value::Null);
        assert_eq!(v["rows"][2]["kind"], "total");
        assert_eq!(v["columns"][2], "% of Total");
    }
}
