//! Stratification tables declared as data and computed from a tape.
//!
//! A table is a [`StratTableDef`]: a [`Key`] (a loan field), its [`Buckets`] (ranges,
//! categories or months) and the [`Column`]s to show. [`compute_table`] makes one pass
//! over the loans, accumulating balance-weighted sums per bucket, and returns one
//! [`StratRow`] per non-empty bucket plus a totals row. [`default_tables`] is the set of
//! twenty tables a Computational Materials collateral section prints;
//! [`summarize`] computes the pool summary that precedes them.
//!
//! Net coupon of a loan = gross rate − servicing fee − MI premium (both from the tape)
//! − master servicing − trustee (both from the deal, [`NetFees`]). Rates in results are
//! decimals per annum; shares (`pct_*`) are percent.

mod accum;
mod defaults;
mod defs;
mod key;
mod label;
mod summary;

pub use defaults::default_tables;
pub use defs::{
    Buckets, CategoryOrder, Closed, Column, Filter, FilterOp, FilterValue, StratTableDef,
    TotalLabel, UnknownPos,
};
pub use key::{month_index, month_label, months_to_roll, Key, KeyValue};
pub use label::format_number;
pub use summary::{summarize, PoolSummary, Stat, TopRow, TopTable};

use crate::tape::Loan;
use crate::{Error, Result};
use accum::Acc;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Deal-level fee rates deducted from every loan's gross coupon to get its net coupon
/// (decimal per annum): master servicing and trustee. The loan-level servicing fee and
/// MI premium come from the tape.
pub type NetFees = crate::collateral::PoolFees;

/// What strats need besides the loans.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StratContext {
    pub fees: NetFees,
    /// Cut-off date; needed by tables keyed on the next adjustment date, and used to count
    /// months to roll from the loan's own cut-off date ([`months_to_roll`]).
    pub cutoff: Option<NaiveDate>,
}

/// The loan's net coupon (decimal): gross − servicing − MI premium − master servicing − trustee.
pub fn net_rate(loan: &Loan, fees: &NetFees) -> f64 {
    loan.gross_rate - loan.servicing_fee - loan.mi_fee - fees.master_servicing - fees.trustee
}

/// The figures of one row. Weighted averages are by current balance and `None` when the
/// row holds no balance with the measure known (e.g. no FICO, no ARM).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Measures {
    pub loans: u64,
    pub balance: f64,
    /// Share of the table's balance, percent.
    pub pct_of_total: f64,
    pub average_balance: f64,
    pub min_wac: Option<f64>,
    pub max_wac: Option<f64>,
    pub gross_wac: Option<f64>,
    pub net_wac: Option<f64>,
    pub rem_term: Option<f64>,
    pub orig_term: Option<f64>,
    pub age: Option<f64>,
    pub fico: Option<f64>,
    /// Percent.
    pub orig_ltv: Option<f64>,
    /// Months to the next rate change, over ARMs.
    pub wa_mtr: Option<f64>,
    pub margin: Option<f64>,
    pub max_rate: Option<f64>,
    /// Percent, over loans with a known DTI.
    pub dti: Option<f64>,
}

impl Measures {
    /// The value of a numeric column (`None` for DESCRIPTION or an undefined average).
    pub fn get(&self, c: Column) -> Option<f64> {
        match c {
            Column::Description => None,
            Column::WaMtr => self.wa_mtr,
            Column::CurrentBalance => Some(self.balance),
            Column::Loans => Some(self.loans as f64),
            Column::PctOfTotal => Some(self.pct_of_total),
            Column::AverageBalance => Some(self.average_balance),
            Column::MinWac => self.min_wac,
            Column::MaxWac => self.max_wac,
            Column::GrossWac => self.gross_wac,
            Column::NetWac => self.net_wac,
            Column::RemTerm => self.rem_term,
            Column::Age => self.age,
            Column::Fico => self.fico,
            Column::OrigLtv => self.orig_ltv,
            Column::OrigTerm => self.orig_term,
            Column::Margin => self.margin,
            Column::MaxRate => self.max_rate,
            Column::Dti => self.dti,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowType {
    Data,
    Total,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StratRow {
    pub description: String,
    pub row_type: RowType,
    pub measures: Measures,
}

/// A computed table: data rows in display order, then the totals row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StratTable {
    pub file_stem: String,
    pub title: String,
    pub notes: Vec<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<StratRow>,
}

impl StratTable {
    pub fn data_rows(&self) -> impl Iterator<Item = &StratRow> {
        self.rows.iter().filter(|r| r.row_type == RowType::Data)
    }

    pub fn total(&self) -> Option<&StratRow> {
        self.rows.iter().find(|r| r.row_type == RowType::Total)
    }
}

/// Computes every table of `defs` (one pass over the loans each).
pub fn compute_all(
    defs: &[StratTableDef],
    loans: &[Loan],
    ctx: &StratContext,
) -> Result<Vec<StratTable>> {
    let mut seen = std::collections::HashSet::new();
    for d in defs {
        if !seen.insert(d.file_stem.as_str()) {
            return Err(Error::invalid(
                format!("tables[{}].file_stem", d.file_stem),
                "two tables share this file_stem; each needs its own",
            ));
        }
    }
    defs.iter().map(|d| compute_table(d, loans, ctx)).collect()
}

/// Groups while accumulating: ranges index a vector; categories and months a map.
enum Groups<'a> {
    Ranges(Vec<Acc<'a>>),
    Text(HashMap<&'a str, Acc<'a>>),
    Num(BTreeMap<i64, Acc<'a>>),
    Months(BTreeMap<i32, Acc<'a>>),
}

/// Computes one table in a single pass over `loans`.
pub fn compute_table(
    def: &StratTableDef,
    loans: &[Loan],
    ctx: &StratContext,
) -> Result<StratTable> {
    def.validate()?;
    let cutoff = match (ctx.cutoff, def.key.needs_cutoff()) {
        (Some(d), _) => Some(d),
        (None, false) => None,
        (None, true) => {
            return Err(Error::invalid(
                "cutoff_date",
                format!(
                    "the table `{}` groups by the next adjustment date and needs the cut-off date",
                    def.title
                ),
            ))
        }
    };
    let mut groups = match &def.buckets {
        Buckets::Ranges { edges, .. } => Groups::Ranges(vec![Acc::default(); edges.len() + 1]),
        Buckets::Categories { .. } if def.key.is_numeric() => Groups::Num(BTreeMap::new()),
        Buckets::Categories { .. } => Groups::Text(HashMap::new()),
        Buckets::Months { .. } => Groups::Months(BTreeMap::new()),
    };
    let (snap, cat_scale) = match &def.buckets {
        Buckets::Ranges { decimals, .. } => (10f64.powi(-(*decimals as i32) - 4), 1.0),
        Buckets::Categories { decimals, .. } => (0.0, 10f64.powi(*decimals as i32)),
        Buckets::Months { .. } => (0.0, 1.0),
    };
    let mut total = Acc::default();
    let mut unknown = Acc::default();
    let mut excluded = 0u64;

    for loan in loans {
        let net = net_rate(loan, &ctx.fees);
        if let Some(f) = &def.filter {
            if !f.passes(f.key.value(loan, net, cutoff)) {
                excluded += 1;
                continue;
            }
        }
        let kv = def.key.value(loan, net, cutoff);
        let key_num = match kv {
            KeyValue::Num(v) => Some(v),
            KeyValue::Month(m) => Some(f64::from(m)),
            _ => None,
        };
        let mtr = months_to_roll(loan, cutoff);
        total.add(loan, net, key_num, mtr);
        let slot = match (kv, &mut groups) {
            (KeyValue::Missing, _) => &mut unknown,
            (KeyValue::Num(v), Groups::Ranges(accs)) => {
                let v = if snap > 0.0 {
                    (v / snap).round() * snap
                } else {
                    v
                };
                let edges = range_edges(&def.buckets);
                let i = match range_closed(&def.buckets) {
                    Closed::Upper => edges.partition_point(|e| *e < v),
                    Closed::Lower => edges.partition_point(|e| *e <= v),
                };
                &mut accs[i]
            }
            (KeyValue::Num(v), Groups::Num(m)) => {
                m.entry((v * cat_scale).round() as i64).or_default()
            }
            (KeyValue::Text(t), Groups::Text(m)) => m.entry(t).or_default(),
            (KeyValue::Month(mo), Groups::Months(m)) => m.entry(mo).or_default(),
            // Validation pairs keys and bucket kinds; anything else has no bucket.
            _ => &mut unknown,
        };
        slot.add(loan, net, key_num, mtr);
    }

    let mut rows: Vec<(String, Acc)> = label::ordered_rows(def, groups);
    let unknown_pos = match &def.buckets {
        Buckets::Ranges { unknown, .. }
        | Buckets::Categories { unknown, .. }
        | Buckets::Months { unknown } => *unknown,
    };
    if unknown.n > 0 {
        let row = ("Unknown".to_string(), unknown);
        match unknown_pos {
            UnknownPos::First => rows.insert(0, row),
            UnknownPos::Last => rows.push(row),
        }
    }

    let table_bal = total.bal;
    let mut out: Vec<StratRow> = rows
        .into_iter()
        .map(|(description, acc)| StratRow {
            description,
            row_type: RowType::Data,
            measures: acc.measures(table_bal),
        })
        .collect();
    out.push(StratRow {
        description: match def.total_label {
            TotalLabel::Blank => String::new(),
            TotalLabel::WeightedAverage => total
                .key_average()
                .map(|v| label::key_label(def, v))
                .unwrap_or_default(),
        },
        row_type: RowType::Total,
        measures: total.measures(table_bal),
    });
    Ok(StratTable {
        file_stem: def.file_stem.clone(),
        title: def.title.clone(),
        // A note about excluded loans says nothing when the filter excluded none.
        notes: def
            .note
            .iter()
            .filter(|n| excluded > 0 || !n.contains("{excluded}"))
            .map(|n| n.replace("{excluded}", &excluded.to_string()))
            .collect(),
        columns: def.columns.clone(),
        rows: out,
    })
}

fn range_edges(b: &Buckets) -> &[f64] {
    match b {
        Buckets::Ranges { edges, .. } => edges,
        _ => &[],
    }
}

fn range_closed(b: &Buckets) -> Closed {
    match b {
        Buckets::Ranges { closed, .. } => *closed,
        _ => Closed::Upper,
    }
}

#[cfg(test)]
mod tests;
