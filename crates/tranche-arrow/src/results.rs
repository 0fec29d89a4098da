//! The result table: one row per (scenario, bond), the scenario repeated so each row
//! stands alone (a Spark executor's output can be filtered or joined without the input).
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `scenario_id`, `deal` | int64, string | as in the scenario table |
//! | the core's fields but the quotes (`dm_bps`, `yield_pct`, `spread_bps`: see below), `horizon`, `shock_index`, `rates`, `curves`, `fixed_prepay`, `arm_prepay`, `settlement` | as in the scenario table | the scenario as run: the deal's pricing assumption filled in (`speed_pct` 100, `cdr_pct` 0, ...); a field the scenario does not use is null (`cpr_pct` under a pricing speed); `rates` is `pricing`, `deal_curves`, `curves`, `flat` or `path` |
//! | `bond` | string | bond (class) name |
//! | `wal_years`, `dm_bps`, `yield_pct`, `mod_duration` | float64, null when none | as `tranche run --summary` |
//! | `first_principal`, `last_principal` | string `YYYY-MM`, null when no principal | as `tranche run --summary` |
//! | `first_principal_period`, `last_principal_period` | int32 | 1-based payment periods of those months |
//! | `first_principal_date`, `last_principal_date` | date32 | their payment dates |
//! | `principal_paid`, `writedown`, `unpaid_principal`, `principal_loss_pct` | float64 | as `tranche run --summary` (`writedown` net of reimbursements) |
//! | `collateral_loss`, `collateral_loss_pct` | float64 | realized pool losses over the run: currency, percent of the cut-off balance |
//! | `price` (among the inputs) | float64 | the clean price the bond's figures are at: the quote's, or solved from a DM, yield or spread quote |
//! | `accrued_pct`, `factor`, `spread_bps`, `yield_monthly_pct`, `spread_duration`, `eff_duration`, `eff_convexity` | float64, null when none | as `tranche run --summary` (effective figures only where the call asks for them) |
//! | `first_loss_period`, `first_loss_date` | int32, date32 | first period the class loses principal; null when none |
//! | `settlement_date` | date32 | settlement date of the analytics |
//! | `quote` | string | the quote the figures are solved from as `field=value` (`price=100`, `dm_bps=60`) |
//!
//! Every figure is the core's [`BondSummary`] / [`RunSummary`], unrounded.

use crate::scenarios::{column_names, field_type, ScenarioRow};
use crate::RunError;
use arrow_array::builder::{
    Date32Builder, Float64Builder, Int32Builder, Int64Builder, ListBuilder, StringBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use chrono::NaiveDate;
use std::sync::Arc;
use tranche_core::scenario::inputs::speed_spec;
use tranche_core::scenario::{DefaultRate, RateBase, Scenario, Speed};
use tranche_core::summary::{BondSummary, RunSummary};

/// The summary columns after the inputs, with their types.
const SUMMARY: [(&str, DataType); 28] = [
    ("bond", DataType::Utf8),
    ("wal_years", DataType::Float64),
    ("dm_bps", DataType::Float64),
    ("yield_pct", DataType::Float64),
    ("mod_duration", DataType::Float64),
    ("first_principal", DataType::Utf8),
    ("last_principal", DataType::Utf8),
    ("first_principal_period", DataType::Int32),
    ("last_principal_period", DataType::Int32),
    ("first_principal_date", DataType::Date32),
    ("last_principal_date", DataType::Date32),
    ("principal_paid", DataType::Float64),
    ("writedown", DataType::Float64),
    ("unpaid_principal", DataType::Float64),
    ("principal_loss_pct", DataType::Float64),
    ("collateral_loss", DataType::Float64),
    ("collateral_loss_pct", DataType::Float64),
    ("accrued_pct", DataType::Float64),
    ("factor", DataType::Float64),
    ("spread_bps", DataType::Float64),
    ("yield_monthly_pct", DataType::Float64),
    ("spread_duration", DataType::Float64),
    ("eff_duration", DataType::Float64),
    ("eff_convexity", DataType::Float64),
    ("first_loss_period", DataType::Int32),
    ("first_loss_date", DataType::Date32),
    ("settlement_date", DataType::Date32),
    ("quote", DataType::Utf8),
];

/// Scenario fields not echoed as inputs: the quotes, which the summary columns of the
/// same names give (solved, or the quote itself).
const QUOTES: [&str; 3] = ["dm_bps", "yield_pct", "spread_bps"];

pub fn result_schema() -> SchemaRef {
    let mut fields = Vec::new();
    for n in column_names().into_iter().filter(|n| !QUOTES.contains(n)) {
        let (t, null) = match n {
            "scenario_id" => (DataType::Int64, false),
            "deal" | "horizon" | "rates" => (DataType::Utf8, false),
            "shock_index" | "curves" | "fixed_prepay" | "arm_prepay" | "settlement" => {
                (DataType::Utf8, true)
            }
            n => (field_type(n), true),
        };
        fields.push(Field::new(n, t, null));
    }
    for (n, t) in SUMMARY {
        let null = !matches!(
            n,
            "bond"
                | "principal_paid"
                | "writedown"
                | "unpaid_principal"
                | "principal_loss_pct"
                | "collateral_loss"
                | "collateral_loss_pct"
                | "quote"
        );
        fields.push(Field::new(n, t, null));
    }
    Arc::new(Schema::new(fields))
}

/// The value of field `name` in `s`, as the scenario table would give it; `None` when the
/// scenario does not use the field.
fn number(s: &Scenario, name: &str) -> Option<f64> {
    let one_speed = (s.prepay.arm == s.prepay.fixed).then_some(&s.prepay.arm);
    let shock = s.rates.shocks.first();
    match (name, one_speed, &s.defaults.rate) {
        ("speed_pct", Some(Speed::Pricing { pct }), _)
        | ("cpr_pct", Some(Speed::Cpr { pct }), _)
        | ("psa_pct", Some(Speed::Psa { pct }), _)
        | ("cdr_pct", _, DefaultRate::Cdr { pct })
        | ("sda_pct", _, DefaultRate::Sda { pct }) => Some(*pct),
        ("severity_pct", ..) => Some(s.defaults.severity_pct),
        ("lag_months", ..) => Some(f64::from(s.defaults.lag_months)),
        ("price", ..) => Some(s.price),
        ("index_rate_pct", ..) => match s.rates.base {
            RateBase::Flat { pct } => Some(pct),
            _ => None,
        },
        ("shock_bps", ..) => Some(shock.map_or(0.0, |x| x.bps)),
        ("shock_from", ..) => Some(shock.map_or(1.0, |x| f64::from(x.from_period))),
        ("dlq_pct", ..) => match s.delinquency_pct.as_deref() {
            Some([one]) => Some(*one),
            _ => None,
        },
        _ => None,
    }
}

fn vector<'a>(s: &'a Scenario, name: &str) -> Option<&'a [f64]> {
    match (name, &s.prepay.arm, &s.defaults.rate) {
        ("cpr_vector", Speed::Vector { cpr_pct }, _) if s.prepay.arm == s.prepay.fixed => {
            Some(cpr_pct)
        }
        ("cdr_vector", _, DefaultRate::Vector { cdr_pct }) => Some(cdr_pct),
        ("dlq_vector", ..) => s.delinquency_pct.as_deref().filter(|v| v.len() > 1),
        _ => None,
    }
}

fn text(r: &ScenarioRow, name: &str) -> Option<String> {
    let s = &r.scenario;
    match name {
        "deal" => Some(r.deal.clone()),
        "horizon" => Some(s.horizon.name()),
        "shock_index" => s.rates.shocks.first().and_then(|x| x.index.clone()),
        "curves" => r.curves_file.clone(),
        "settlement" => s.settlement.map(|d| d.to_string()),
        // Per-type speeds are echoed only where the types differ (else the common
        // speed's column holds it).
        "fixed_prepay" if s.prepay.arm != s.prepay.fixed => Some(speed_spec(&s.prepay.fixed)),
        "arm_prepay" if s.prepay.arm != s.prepay.fixed => Some(speed_spec(&s.prepay.arm)),
        "rates" => Some(
            match s.rates.base {
                RateBase::Pricing => "pricing",
                RateBase::DealCurves => "deal_curves",
                RateBase::Curves { .. } => "curves",
                RateBase::Flat { .. } => "flat",
                RateBase::Path { .. } => "path",
            }
            .to_string(),
        ),
        _ => None,
    }
}

fn days(d: NaiveDate) -> i32 {
    NaiveDate::from_ymd_opt(1970, 1, 1).map_or(0, |e| (d - e).num_days() as i32)
}

/// One column over every (row, bond) pair.
fn column(
    name: &str,
    t: &DataType,
    pairs: &[(&ScenarioRow, &RunSummary, &BondSummary)],
) -> ArrayRef {
    let window = |b: &BondSummary| b.window;
    match t {
        DataType::Utf8 => {
            let mut c = StringBuilder::new();
            for (r, _, b) in pairs {
                c.append_option(match name {
                    "bond" => Some(b.bond.clone()),
                    "first_principal" => {
                        window(b).map(|w| tranche_core::dates::yyyy_mm(w.first_date))
                    }
                    "last_principal" => {
                        window(b).map(|w| tranche_core::dates::yyyy_mm(w.last_date))
                    }
                    "quote" => {
                        let q = r.scenario.quote();
                        Some(format!("{}={}", q.field(), q.value()))
                    }
                    n => text(r, n),
                });
            }
            Arc::new(c.finish())
        }
        DataType::Int64 => {
            let mut c = Int64Builder::new();
            for (r, _, _) in pairs {
                c.append_option(match name {
                    "scenario_id" => Some(r.scenario_id),
                    n => number(&r.scenario, n).map(|v| v as i64),
                });
            }
            Arc::new(c.finish())
        }
        DataType::Int32 => {
            let mut c = Int32Builder::new();
            for (_, _, b) in pairs {
                c.append_option(match name {
                    "first_loss_period" => b.first_loss_period.map(|p| p as i32),
                    "first_principal_period" => window(b).map(|w| w.first_period as i32),
                    _ => window(b).map(|w| w.last_period as i32),
                });
            }
            Arc::new(c.finish())
        }
        DataType::Date32 => {
            let mut c = Date32Builder::new();
            for (_, s, b) in pairs {
                c.append_option(match name {
                    "first_loss_date" => b.first_loss_date.map(days),
                    "settlement_date" => s.settlement.map(days),
                    "first_principal_date" => window(b).map(|w| days(w.first_date)),
                    _ => window(b).map(|w| days(w.last_date)),
                });
            }
            Arc::new(c.finish())
        }
        DataType::List(_) => {
            let mut c = ListBuilder::new(Float64Builder::new());
            for (r, _, _) in pairs {
                c.append_option(vector(&r.scenario, name).map(|v| v.iter().map(|x| Some(*x))));
            }
            Arc::new(c.finish())
        }
        _ => {
            let mut c = Float64Builder::new();
            for (r, s, b) in pairs {
                c.append_option(match name {
                    "wal_years" => b.wal_years,
                    "dm_bps" => b.dm_bps,
                    "yield_pct" => b.yield_pct,
                    "mod_duration" => b.mod_duration,
                    "principal_paid" => Some(b.principal_paid),
                    "writedown" => Some(b.writedown - b.reimbursed),
                    "unpaid_principal" => Some(b.unpaid_principal),
                    "principal_loss_pct" => Some(b.principal_loss_pct),
                    "collateral_loss" => Some(s.pool_loss),
                    "collateral_loss_pct" => Some(s.pool_loss_pct),
                    "accrued_pct" => b.accrued_pct,
                    "factor" => b.factor,
                    "spread_bps" => b.spread_bps,
                    "yield_monthly_pct" => b.yield_monthly_pct,
                    "spread_duration" => b.spread_duration,
                    "eff_duration" => b.eff_duration,
                    "eff_convexity" => b.eff_convexity,
                    // The price the bond's figures are at: the quote's, or solved from it.
                    "price" => b.price.or_else(|| number(&r.scenario, "price")),
                    n => number(&r.scenario, n),
                });
            }
            Arc::new(c.finish())
        }
    }
}

/// Lays out `summaries[i]` (the run of `rows[i]`) as rows of [`result_schema`].
pub fn build_results(
    rows: &[ScenarioRow],
    summaries: &[RunSummary],
) -> Result<RecordBatch, RunError> {
    if rows.len() != summaries.len() {
        return Err(RunError::Internal(format!(
            "{} scenarios but {} results",
            rows.len(),
            summaries.len()
        )));
    }
    let pairs: Vec<_> = rows
        .iter()
        .zip(summaries)
        .flat_map(|(r, s)| s.bonds.iter().map(move |b| (r, s, b)))
        .collect();
    let schema = result_schema();
    let cols = schema
        .fields()
        .iter()
        .map(|f| column(f.name(), f.data_type(), &pairs))
        .collect();
    Ok(RecordBatch::try_new(schema, cols)?)
}
