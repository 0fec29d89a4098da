//! Strat tables as data: a key, its buckets, the columns to show.
//!
//! Everything here (de)serializes, so users declare their own tables in TOML or JSON
//! (see `docs/strats.md`).

use super::key::{Key, KeyValue};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One stratification table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StratTableDef {
    /// File name without extension for per-table outputs (`02_range_of_current_balance`).
    pub file_stem: String,
    pub title: String,
    pub key: Key,
    pub buckets: Buckets,
    #[serde(default = "Column::standard")]
    pub columns: Vec<Column>,
    /// Only loans passing the filter enter the table (and its % OF TOTAL).
    #[serde(default)]
    pub filter: Option<Filter>,
    /// A note printed under the title; `{excluded}` is replaced by the number of loans
    /// the filter left out.
    #[serde(default)]
    pub note: Option<String>,
    /// What the totals row shows in the DESCRIPTION column.
    #[serde(default)]
    pub total_label: TotalLabel,
}

/// How loans are grouped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Buckets {
    /// Numeric ranges between edges, plus open-ended buckets below the first and above
    /// the last edge (shown only when they hold loans).
    Ranges {
        /// Strictly increasing edges.
        edges: Vec<f64>,
        /// Which end of each range belongs to it.
        #[serde(default)]
        closed: Closed,
        /// Decimals of the labels (`2` → `20.01 - 25.00`).
        #[serde(default)]
        decimals: u32,
        /// Labels as currency (`$50,000.01 - $100,000.00`).
        #[serde(default)]
        currency: bool,
        /// Rows from the highest range to the lowest.
        #[serde(default)]
        descending: bool,
        /// Show ranges that hold no loan (the term sheet convention is to omit them).
        #[serde(default)]
        show_empty: bool,
        #[serde(default)]
        unknown: UnknownPos,
    },
    /// One row per distinct value.
    Categories {
        #[serde(default)]
        order: CategoryOrder,
        /// For `order = "listed"`: the values in row order; other values follow by
        /// balance, largest first.
        #[serde(default)]
        values: Vec<String>,
        /// Display label per value (`"no MI" = "> 80% LTV, no MI"`).
        #[serde(default)]
        labels: BTreeMap<String, String>,
        /// Decimals of numeric values (`0` → `24`).
        #[serde(default)]
        decimals: u32,
        #[serde(default)]
        unknown: UnknownPos,
    },
    /// One row per calendar month (`MM/YY`), in date order.
    Months {
        #[serde(default)]
        unknown: UnknownPos,
    },
}

/// `upper`: ranges are `(lo, hi]` and labelled `lo+0.01 - hi`; `lower`: `[lo, hi)`
/// labelled `lo - hi-0.001` (one unit of the last decimal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Closed {
    #[default]
    Upper,
    Lower,
}

/// Where the `Unknown` row (loans missing the key) goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownPos {
    First,
    #[default]
    Last,
}

/// Row order of a categorical table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CategoryOrder {
    /// Largest balance first (ties by label).
    #[default]
    Balance,
    Alphabetical,
    /// Numeric keys in increasing value.
    Numeric,
    /// The order of `values`; unlisted values follow by balance.
    Listed,
    /// ARMs by index name, then by the balance-weighted initial fixed-rate period (age +
    /// months to the first change while the first change is pending, else the reset
    /// frequency); then fixed-rate products by original term.
    Product,
}

/// A condition on a key: a number for numeric keys (`orig_ltv_pct > 80`), a text for text
/// keys (`amort_type == "arm"`, compared case-insensitively). Loans missing the key fail it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    pub key: Key,
    pub op: FilterOp,
    pub value: FilterValue,
}

/// What a filter compares the key with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FilterValue {
    Num(f64),
    Text(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FilterOp {
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "==")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
}

impl Filter {
    /// Whether a loan's value of the key passes; a missing value never does.
    pub fn passes(&self, v: KeyValue<'_>) -> bool {
        match (&self.value, v) {
            (FilterValue::Num(x), KeyValue::Num(v)) => match self.op {
                FilterOp::Gt => v > *x,
                FilterOp::Ge => v >= *x,
                FilterOp::Lt => v < *x,
                FilterOp::Le => v <= *x,
                FilterOp::Eq => v == *x,
                FilterOp::Ne => v != *x,
            },
            (FilterValue::Text(x), KeyValue::Text(t)) => match self.op {
                FilterOp::Eq => t.eq_ignore_ascii_case(x.trim()),
                FilterOp::Ne => !t.eq_ignore_ascii_case(x.trim()),
                _ => false,
            },
            _ => false,
        }
    }
}

/// DESCRIPTION of the totals row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TotalLabel {
    #[default]
    Blank,
    /// The balance-weighted average of the key over loans that have it, printed like the
    /// bucket labels (`3.477`, `38.20`, `03/06`).
    WeightedAverage,
}

/// A column of a strat table. Weighted averages are by current balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    Description,
    /// Weighted average months to the next rate change (ARMs).
    WaMtr,
    CurrentBalance,
    Loans,
    PctOfTotal,
    AverageBalance,
    MinWac,
    MaxWac,
    GrossWac,
    NetWac,
    RemTerm,
    Age,
    /// Weighted over loans with a known FICO.
    Fico,
    OrigLtv,
    OrigTerm,
    /// Weighted average gross margin (ARMs).
    Margin,
    /// Weighted average lifetime cap (ARMs).
    MaxRate,
    /// Weighted over loans with a known DTI.
    Dti,
}

impl Column {
    /// The term sheet's columns.
    pub fn standard() -> Vec<Column> {
        use Column::*;
        vec![
            Description,
            CurrentBalance,
            Loans,
            PctOfTotal,
            AverageBalance,
            MinWac,
            MaxWac,
            GrossWac,
            NetWac,
            RemTerm,
            Age,
            Fico,
            OrigLtv,
        ]
    }

    pub fn header(self) -> &'static str {
        match self {
            Column::Description => "DESCRIPTION",
            Column::WaMtr => "WA MTR",
            Column::CurrentBalance => "CURRENT BALANCE",
            Column::Loans => "# OF LOANS",
            Column::PctOfTotal => "% OF TOTAL",
            Column::AverageBalance => "AVERAGE BALANCE",
            Column::MinWac => "MIN WAC",
            Column::MaxWac => "MAX WAC",
            Column::GrossWac => "GROSS WAC",
            Column::NetWac => "NET WAC",
            Column::RemTerm => "REMG. TERM",
            Column::Age => "AGE",
            Column::Fico => "FICO",
            Column::OrigLtv => "ORIG LTV",
            Column::OrigTerm => "ORIG. TERM",
            Column::Margin => "MARGIN",
            Column::MaxRate => "MAX RATE",
            Column::Dti => "DTI",
        }
    }

    /// Decimals as a term sheet prints them.
    pub fn decimals(self) -> usize {
        match self {
            Column::Description
            | Column::WaMtr
            | Column::CurrentBalance
            | Column::Loans
            | Column::AverageBalance
            | Column::Fico => 0,
            Column::OrigLtv => 1,
            Column::PctOfTotal | Column::RemTerm | Column::Age | Column::OrigTerm | Column::Dti => {
                2
            }
            Column::MinWac
            | Column::MaxWac
            | Column::GrossWac
            | Column::NetWac
            | Column::Margin
            | Column::MaxRate => 3,
        }
    }

    /// True when the value is shown with a `$` in presentation formats.
    pub fn is_currency(self) -> bool {
        matches!(self, Column::CurrentBalance | Column::AverageBalance)
    }
}

impl StratTableDef {
    /// Checks the definition; errors name the table and the field.
    pub fn validate(&self) -> Result<()> {
        let bad = |field: &str, msg: String| {
            Err(Error::invalid(
                format!("tables[{}].{field}", self.file_stem),
                msg,
            ))
        };
        if self.file_stem.is_empty()
            || !self
                .file_stem
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return bad(
                "file_stem",
                format!(
                    "expected a non-empty name of letters, digits, `_` or `-`, got {:?}",
                    self.file_stem
                ),
            );
        }
        if self.title.trim().is_empty() {
            return bad("title", "expected a title".into());
        }
        if self.columns.first() != Some(&Column::Description) {
            return bad("columns", "the first column must be `description`".into());
        }
        match &self.buckets {
            Buckets::Ranges {
                edges, decimals, ..
            } => {
                if !self.key.is_numeric() {
                    return bad(
                        "buckets",
                        format!("ranges need a numeric key; `{:?}` is not", self.key),
                    );
                }
                if edges.is_empty() || edges.iter().any(|e| !e.is_finite()) {
                    return bad("buckets.edges", "expected at least one finite edge".into());
                }
                if edges.windows(2).any(|w| w[1] <= w[0]) {
                    return bad("buckets.edges", "edges must be strictly increasing".into());
                }
                if *decimals > 6 {
                    return bad("buckets.decimals", "expected at most 6 decimals".into());
                }
            }
            Buckets::Categories { decimals, .. } => {
                if *decimals > 6 {
                    return bad("buckets.decimals", "expected at most 6 decimals".into());
                }
            }
            Buckets::Months { .. } => {
                if self.key != Key::NextAdjustmentDate {
                    return bad(
                        "buckets",
                        "month buckets need the key `next_adjustment_date`".into(),
                    );
                }
            }
        }
        if self.key == Key::NextAdjustmentDate && !matches!(self.buckets, Buckets::Months { .. }) {
            return bad(
                "buckets",
                "the key `next_adjustment_date` needs `kind = \"months\"`".into(),
            );
        }
        if let Some(f) = &self.filter {
            let numeric = f.key.is_numeric();
            if f.key.needs_cutoff() {
                return bad("filter.key", "a filter cannot use a month key".into());
            }
            match &f.value {
                FilterValue::Num(x) if numeric && x.is_finite() => {}
                FilterValue::Num(_) if numeric => {
                    return bad("filter.value", "expected a finite number".into());
                }
                FilterValue::Text(_)
                    if !f.key.is_numeric() && matches!(f.op, FilterOp::Eq | FilterOp::Ne) => {}
                FilterValue::Text(_) if !f.key.is_numeric() => {
                    return bad(
                        "filter.op",
                        "a text key compares with `==` or `!=` only".into(),
                    );
                }
                _ => {
                    return bad(
                        "filter.value",
                        format!(
                            "expected a {} for the key `{:?}`",
                            if numeric { "number" } else { "text" },
                            f.key
                        ),
                    );
                }
            }
        }
        Ok(())
    }
}
