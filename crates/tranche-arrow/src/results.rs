//! The result table: one row per (scenario, bond), the scenario's inputs repeated so each
//! row stands alone (a Spark executor's output can be filtered or joined without the input).
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `scenario_id` … `price` | as in the scenario table | the resolved inputs |
//! | `bond` | string | bond (class) name |
//! | `dm_bps` | float64, null if the bond pays nothing | discount margin at `price`, basis points |
//! | `wal_years` | float64, null if no principal | weighted average life |
//! | `mod_duration` | float64, null if the bond pays nothing | modified duration, years |
//! | `first_principal_period`, `last_principal_period` | int32, null if no principal | 1-based payment periods |
//! | `first_principal_date`, `last_principal_date` | date32 | payment dates of those periods |
//! | `bond_writedown` | float64 | principal written down (Allocated Realized Loss Amount) less reimbursements |
//! | `unpaid_principal` | float64 | principal never repaid when the run ended (the pool gone or the call exercised) |
//! | `principal_loss_pct` | float64 | `bond_writedown + unpaid_principal`, percent of the original balance |
//! | `collateral_loss` | float64 | realized collateral losses over the run (currency) |
//! | `collateral_loss_pct` | float64 | the same, percent of the cut-off pool balance |

use crate::scenarios::GridScenario;
use crate::GridError;
use arrow_array::builder::{
    Date32Builder, Float64Builder, Int32Builder, Int64Builder, StringBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use chrono::NaiveDate;
use std::sync::Arc;

/// One bond's analytics in one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct BondResult {
    pub bond: String,
    pub dm_bps: Option<f64>,
    pub wal_years: Option<f64>,
    pub mod_duration: Option<f64>,
    pub first_principal_period: Option<u32>,
    pub last_principal_period: Option<u32>,
    pub first_principal_date: Option<NaiveDate>,
    pub last_principal_date: Option<NaiveDate>,
    pub bond_writedown: f64,
    pub unpaid_principal: f64,
    pub principal_loss_pct: f64,
}

/// Everything one scenario produced.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioResult {
    pub bonds: Vec<BondResult>,
    pub collateral_loss: f64,
    pub collateral_loss_pct: f64,
}

pub fn result_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("scenario_id", DataType::Int64, false),
        Field::new("deal", DataType::Utf8, false),
        Field::new("speed_pct", DataType::Float64, false),
        Field::new("cdr_pct", DataType::Float64, false),
        Field::new("severity_pct", DataType::Float64, false),
        Field::new("lag_months", DataType::Int32, false),
        Field::new("shock_bps", DataType::Float64, false),
        Field::new("shock_start_period", DataType::Int32, false),
        Field::new("horizon", DataType::Utf8, false),
        Field::new("price", DataType::Float64, false),
        Field::new("bond", DataType::Utf8, false),
        Field::new("dm_bps", DataType::Float64, true),
        Field::new("wal_years", DataType::Float64, true),
        Field::new("mod_duration", DataType::Float64, true),
        Field::new("first_principal_period", DataType::Int32, true),
        Field::new("last_principal_period", DataType::Int32, true),
        Field::new("first_principal_date", DataType::Date32, true),
        Field::new("last_principal_date", DataType::Date32, true),
        Field::new("bond_writedown", DataType::Float64, false),
        Field::new("unpaid_principal", DataType::Float64, false),
        Field::new("principal_loss_pct", DataType::Float64, false),
        Field::new("collateral_loss", DataType::Float64, false),
        Field::new("collateral_loss_pct", DataType::Float64, false),
    ]))
}

fn days(d: Option<NaiveDate>) -> Option<i32> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    d.map(|d| (d - epoch).num_days() as i32)
}

/// Lays out `results[i]` (the result of `scenarios[i]`) as rows of [`result_schema`].
pub fn build_results(
    scenarios: &[GridScenario],
    results: &[ScenarioResult],
) -> Result<RecordBatch, GridError> {
    if scenarios.len() != results.len() {
        return Err(GridError::Internal(format!(
            "{} scenarios but {} results",
            scenarios.len(),
            results.len()
        )));
    }
    let rows: usize = results.iter().map(|r| r.bonds.len()).sum();
    let mut id = Int64Builder::with_capacity(rows);
    let mut deal = StringBuilder::with_capacity(rows, rows * 16);
    let f = |n| Float64Builder::with_capacity(n);
    let (mut speed, mut cdr, mut sev, mut shock, mut price) =
        (f(rows), f(rows), f(rows), f(rows), f(rows));
    let (mut dm, mut wal, mut dur, mut wd, mut loss, mut loss_pct) =
        (f(rows), f(rows), f(rows), f(rows), f(rows), f(rows));
    let (mut unpaid, mut prin_loss) = (f(rows), f(rows));
    let i = |n| Int32Builder::with_capacity(n);
    let (mut lag, mut start, mut first, mut last) = (i(rows), i(rows), i(rows), i(rows));
    let mut horizon = StringBuilder::with_capacity(rows, rows * 8);
    let mut bond = StringBuilder::with_capacity(rows, rows * 4);
    let mut first_d = Date32Builder::with_capacity(rows);
    let mut last_d = Date32Builder::with_capacity(rows);

    for (s, r) in scenarios.iter().zip(results) {
        for b in &r.bonds {
            id.append_value(s.scenario_id);
            deal.append_value(&s.deal);
            speed.append_value(s.speed_pct);
            cdr.append_value(s.cdr_pct);
            sev.append_value(s.severity_pct);
            lag.append_value(s.lag_months as i32);
            shock.append_value(s.shock_bps);
            start.append_value(s.shock_start_period as i32);
            horizon.append_value(s.horizon.name());
            price.append_value(s.price);
            bond.append_value(&b.bond);
            dm.append_option(b.dm_bps);
            wal.append_option(b.wal_years);
            dur.append_option(b.mod_duration);
            first.append_option(b.first_principal_period.map(|p| p as i32));
            last.append_option(b.last_principal_period.map(|p| p as i32));
            first_d.append_option(days(b.first_principal_date));
            last_d.append_option(days(b.last_principal_date));
            wd.append_value(b.bond_writedown);
            unpaid.append_value(b.unpaid_principal);
            prin_loss.append_value(b.principal_loss_pct);
            loss.append_value(r.collateral_loss);
            loss_pct.append_value(r.collateral_loss_pct);
        }
    }
    let cols: Vec<ArrayRef> = vec![
        Arc::new(id.finish()),
        Arc::new(deal.finish()),
        Arc::new(speed.finish()),
        Arc::new(cdr.finish()),
        Arc::new(sev.finish()),
        Arc::new(lag.finish()),
        Arc::new(shock.finish()),
        Arc::new(start.finish()),
        Arc::new(horizon.finish()),
        Arc::new(price.finish()),
        Arc::new(bond.finish()),
        Arc::new(dm.finish()),
        Arc::new(wal.finish()),
        Arc::new(dur.finish()),
        Arc::new(first.finish()),
        Arc::new(last.finish()),
        Arc::new(first_d.finish()),
        Arc::new(last_d.finish()),
        Arc::new(wd.finish()),
        Arc::new(unpaid.finish()),
        Arc::new(prin_loss.finish()),
        Arc::new(loss.finish()),
        Arc::new(loss_pct.finish()),
    ];
    Ok(RecordBatch::try_new(result_schema(), cols)?)
}
