//! The generic report table: typed cells, so each renderer can format a figure its own way
//! (`$1,234` in Markdown/HTML, `1234` in CSV, a number with a number format in XLSX).

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// One cell. Money, decimals and percents carry their display precision.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Cell {
    Empty,
    Text(String),
    Int(i64),
    /// A currency amount, shown with `$` and thousands separators.
    Money {
        value: f64,
        decimals: u8,
    },
    /// A plain number (WAL, duration, DM in bps, remaining term, ...).
    Decimal {
        value: f64,
        decimals: u8,
    },
    /// A percentage in percent units (`5.776` is 5.776%).
    Percent {
        value: f64,
        decimals: u8,
    },
    /// A calendar month (shown `Feb04` as in dealers' tables; `2004-02` in CSV/JSON).
    Month(NaiveDate),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }
    pub fn money(value: f64, decimals: u8) -> Cell {
        Cell::Money { value, decimals }
    }
    pub fn decimal(value: f64, decimals: u8) -> Cell {
        Cell::Decimal { value, decimals }
    }
    /// `value` in percent units.
    pub fn percent(value: f64, decimals: u8) -> Cell {
        Cell::Percent { value, decimals }
    }
    /// A number or, when absent (e.g. FICO unknown), an empty cell.
    pub fn opt_decimal(value: Option<f64>, decimals: u8) -> Cell {
        value.map_or(Cell::Empty, |v| Cell::decimal(v, decimals))
    }

    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            Cell::Int(_) | Cell::Money { .. } | Cell::Decimal { .. } | Cell::Percent { .. }
        )
    }

    /// The figure as a person reads it: `$1,000,000`, `5.776%`, `2.13`, `Feb04`.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => group_int(&i.to_string()),
            Cell::Money { value, decimals } => {
                let s = group_fixed(*value, *decimals);
                match s.strip_prefix('-') {
                    Some(rest) => format!("-${rest}"),
                    None => format!("${s}"),
                }
            }
            Cell::Decimal { value, decimals } => fixed(*value, *decimals),
            Cell::Percent { value, decimals } => format!("{}%", fixed(*value, *decimals)),
            Cell::Month(d) => format!("{}{:02}", month_abbr(d.month()), d.year().rem_euclid(100)),
        }
    }

    /// The figure for machines: no `$`, no `%`, no thousands separators; months `YYYY-MM`.
    pub fn plain(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Money { value, decimals }
            | Cell::Decimal { value, decimals }
            | Cell::Percent { value, decimals } => fixed(*value, *decimals),
            Cell::Month(d) => format!("{:04}-{:02}", d.year(), d.month()),
        }
    }
}

/// Whether a row holds data or a total line (printed bold by dealers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    #[default]
    Data,
    Total,
}

/// A titled table. `rows[i]` has kind `row_kinds[i]`; use [`Table::push`] /
/// [`Table::push_total`] to keep the two in step. Renderers tolerate ragged rows
/// (missing cells render empty) so a malformed table never aborts a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Stable machine name: CSV file name, worksheet name, HTML id.
    pub id: String,
    pub title: String,
    /// Lines printed under the title (settlement date, class balance, footnotes).
    pub notes: Vec<String>,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub row_kinds: Vec<RowKind>,
}

impl Table {
    /// A table whose id is the slug of its title.
    pub fn new(title: impl Into<String>, columns: &[&str]) -> Table {
        let title = title.into();
        Table {
            id: slug(&title),
            title,
            notes: Vec::new(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
            row_kinds: Vec::new(),
        }
    }

    pub fn with_id(mut self, id: &str) -> Table {
        self.id = slug(id);
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Table {
        self.notes.push(note.into());
        self
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
        self.row_kinds.push(RowKind::Data);
    }

    pub fn push_total(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
        self.row_kinds.push(RowKind::Total);
    }

    pub fn kind(&self, row: usize) -> RowKind {
        self.row_kinds.get(row).copied().unwrap_or_default()
    }

    /// Cell `col` of `row`, `Empty` when the row is short.
    pub fn cell(&self, row: usize, col: usize) -> &Cell {
        const EMPTY: Cell = Cell::Empty;
        self.rows
            .get(row)
            .and_then(|r| r.get(col))
            .unwrap_or(&EMPTY)
    }

    /// A column is right-aligned when every non-empty cell in it is a number.
    pub fn is_numeric_column(&self, col: usize) -> bool {
        let mut any = false;
        for r in 0..self.rows.len() {
            match self.cell(r, col) {
                Cell::Empty => {}
                c if c.is_numeric() => any = true,
                _ => return false,
            }
        }
        any
    }
}

/// Lower-case ASCII words joined by `-` (`"Class A-1: To Call"` → `class-a-1-to-call`).
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for ch in s.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("table");
    }
    out
}

fn month_abbr(m: u32) -> &'static str {
    const M: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    M.get((m as usize).wrapping_sub(1))
        .copied()
        .unwrap_or("???")
}

/// Fixed decimals; `-0.00` prints as `0.00`; non-finite values print empty-safe text.
fn fixed(v: f64, decimals: u8) -> String {
    if !v.is_finite() {
        return if v.is_nan() {
            "NaN".into()
        } else if v > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let s = format!("{:.*}", decimals as usize, v);
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

fn group_fixed(v: f64, decimals: u8) -> String {
    let s = fixed(v, decimals);
    let (int, frac) = match s.find('.') {
        Some(i) => (&s[..i], &s[i..]),
        None => (s.as_str(), ""),
    };
    format!("{}{}", group_int(int), frac)
}

/// Thousands separators on an integer string with an optional leading `-`.
fn group_int(s: &str) -> String {
    let (sign, digits) = match s.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", s),
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return s.to_string();
    }
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    format!("{sign}{out}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_plain() {
        let d = NaiveDate::from_ymd_opt(2004, 2, 25).unwrap();
        let cases = [
            (Cell::Int(3951), "3,951", "3951"),
            (
                Cell::money(1_000_000_040.0, 0),
                "$1,000,000,040",
                "1000000040",
            ),
            (Cell::money(-1234.5, 2), "-$1,234.50", "-1234.50"),
            (Cell::money(999.0, 0), "$999", "999"),
            (Cell::decimal(2.125, 2), "2.12", "2.12"),
            (Cell::decimal(-0.001, 2), "0.00", "0.00"),
            (Cell::percent(63.371, 2), "63.37%", "63.37"),
            (Cell::Month(d), "Feb04", "2004-02"),
            (Cell::text("CA"), "CA", "CA"),
            (Cell::Empty, "", ""),
        ];
        for (c, disp, plain) in cases {
            assert_eq!(c.display(), disp, "{c:?}");
            assert_eq!(c.plain(), plain, "{c:?}");
        }
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Class A-1: To Call"), "class-a-1-to-call");
        assert_eq!(slug("  % of Total  "), "of-total");
        assert_eq!(slug("!!"), "table");
    }

    #[test]
    fn numeric_columns_and_ragged_rows() {
        let mut t = Table::new("T", &["a", "b"]);
        t.push(vec![Cell::text("x"), Cell::Int(1)]);
        t.push(vec![Cell::text("y")]);
        t.push_total(vec![Cell::Empty, Cell::Int(1)]);
        assert!(!t.is_numeric_column(0));
        assert!(t.is_numeric_column(1));
        assert_eq!(t.cell(1, 1), &Cell::Empty);
        assert_eq!(t.kind(2), RowKind::Total);
        assert_eq!(t.kind(9), RowKind::Data);
    }
}
