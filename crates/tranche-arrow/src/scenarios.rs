//! The scenario table: one row per (deal, scenario).
//!
//! | column | type | default | meaning |
//! |---|---|---|---|
//! | `deal` | string | the caller's default deal | deal id or path of a deal directory / deal file |
//! | `scenario_id` | integer | the row number (0-based, across the whole table) | carried to every result row |
//! | `speed_pct` | number | 100 | prepayment speed, percent of the deal's pricing speed |
//! | `cdr_pct` | number | 0 | constant default rate, percent per annum |
//! | `severity_pct` | number | 0 | loss severity on defaulted balance, percent |
//! | `lag_months` | integer | 0 | months from default to liquidation |
//! | `shock_bps` | number | 0 | parallel shift of every index curve, basis points |
//! | `shock_start_period` | integer | 1 | first period (1-based) the shift applies to |
//! | `horizon` | string | `call` | `call` (to the clean-up call) or `maturity` |
//! | `price` | number | 100 | price (percent of par) the discount margin is solved at |
//!
//! Short aliases are accepted (`speed`, `cdr`, `severity`, `lag`, `shock`, `shock_start`,
//! `to`); column names are matched case-insensitively; integer and float columns of any
//! width are accepted; a null cell takes the column's default. Unknown columns are an
//! error (a misspelt `sevrity` must not silently run at 0% severity).

use crate::GridError;
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use std::sync::Arc;
use tranche_core::waterfall::Horizon;

/// One scenario, resolved to engine-ready values (percent as in the files).
#[derive(Debug, Clone, PartialEq)]
pub struct GridScenario {
    pub scenario_id: i64,
    pub deal: String,
    pub speed_pct: f64,
    pub cdr_pct: f64,
    pub severity_pct: f64,
    pub lag_months: u32,
    pub shock_bps: f64,
    pub shock_start_period: u32,
    pub horizon: Horizon,
    pub price: f64,
}

impl GridScenario {
    /// The default scenario of `deal` (pricing speed, no losses, no shock, to call, at par).
    pub fn new(deal: impl Into<String>) -> Self {
        GridScenario {
            scenario_id: 0,
            deal: deal.into(),
            speed_pct: 100.0,
            cdr_pct: 0.0,
            severity_pct: 0.0,
            lag_months: 0,
            shock_bps: 0.0,
            shock_start_period: 1,
            horizon: Horizon::Call,
            price: 100.0,
        }
    }
}

impl GridScenario {
    /// The core scenario of this row: the deal's pricing rates, then the row's numbers.
    pub fn to_scenario(&self) -> Result<tranche_core::scenario::Scenario, GridError> {
        let mut s = tranche_core::scenario::Scenario::default();
        for (name, v) in [
            ("speed_pct", self.speed_pct),
            ("cdr_pct", self.cdr_pct),
            ("severity_pct", self.severity_pct),
            ("lag_months", f64::from(self.lag_months)),
            ("shock_bps", self.shock_bps),
            ("shock_from", f64::from(self.shock_start_period)),
            ("price", self.price),
        ] {
            s.set(name, v).map_err(crate::engine::core_error)?;
        }
        s.horizon = self.horizon;
        Ok(s)
    }
}

/// Canonical column names with their aliases, in schema order.
const COLUMNS: &[(&str, &[&str])] = &[
    ("deal", &["deal_id", "deal_path"]),
    ("scenario_id", &["id"]),
    ("speed_pct", &["speed"]),
    ("cdr_pct", &["cdr"]),
    ("severity_pct", &["severity", "sev"]),
    ("lag_months", &["lag"]),
    ("shock_bps", &["shock"]),
    ("shock_start_period", &["shock_start"]),
    ("horizon", &["to"]),
    ("price", &[]),
];

/// The canonical schema of a scenario table (every column nullable: null = default).
pub fn scenario_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("deal", DataType::Utf8, true),
        Field::new("scenario_id", DataType::Int64, true),
        Field::new("speed_pct", DataType::Float64, true),
        Field::new("cdr_pct", DataType::Float64, true),
        Field::new("severity_pct", DataType::Float64, true),
        Field::new("lag_months", DataType::Int64, true),
        Field::new("shock_bps", DataType::Float64, true),
        Field::new("shock_start_period", DataType::Int64, true),
        Field::new("horizon", DataType::Utf8, true),
        Field::new("price", DataType::Float64, true),
    ]))
}

/// Parses `call` / `to_call` / `maturity` / `to_maturity` / `call:YYYY-MM` (any case).
pub fn parse_horizon(s: &str) -> Option<Horizon> {
    Horizon::parse(s).ok()
}

/// Maps each canonical column to its index in `schema`, rejecting unknown and duplicate columns.
fn locate(schema: &Schema) -> Result<Vec<Option<usize>>, GridError> {
    let mut found: Vec<Option<usize>> = vec![None; COLUMNS.len()];
    for (i, f) in schema.fields().iter().enumerate() {
        let name = f.name().to_ascii_lowercase();
        let slot = COLUMNS
            .iter()
            .position(|(c, aliases)| *c == name || aliases.contains(&name.as_str()));
        match slot {
            Some(k) => {
                if found[k].is_some() {
                    return Err(GridError::input(format!(
                        "scenario table: column `{}` given twice (as `{}` and `{}`)",
                        COLUMNS[k].0,
                        schema.field(found[k].unwrap_or(0)).name(),
                        f.name()
                    )));
                }
                found[k] = Some(i);
            }
            None => {
                let known: Vec<&str> = COLUMNS.iter().map(|(c, _)| *c).collect();
                return Err(GridError::input(format!(
                    "scenario table: unknown column `{}`; expected some of: {}",
                    f.name(),
                    known.join(", ")
                )));
            }
        }
    }
    Ok(found)
}

fn bad_type(col: &str, dt: &DataType, expected: &str) -> GridError {
    GridError::input(format!(
        "scenario table: column `{col}` has type {dt}; expected {expected}"
    ))
}

/// Reads a numeric column of any integer/float width as `f64` (nulls as `None`).
fn numbers(a: &ArrayRef, col: &str) -> Result<Vec<Option<f64>>, GridError> {
    macro_rules! prim {
        ($t:ty) => {
            a.as_primitive::<$t>()
                .iter()
                .map(|v| v.map(|x| x as f64))
                .collect()
        };
    }
    Ok(match a.data_type() {
        DataType::Float64 => a.as_primitive::<Float64Type>().iter().collect(),
        DataType::Float32 => prim!(Float32Type),
        DataType::Int8 => prim!(Int8Type),
        DataType::Int16 => prim!(Int16Type),
        DataType::Int32 => prim!(Int32Type),
        DataType::Int64 => prim!(Int64Type),
        DataType::UInt8 => prim!(UInt8Type),
        DataType::UInt16 => prim!(UInt16Type),
        DataType::UInt32 => prim!(UInt32Type),
        DataType::UInt64 => prim!(UInt64Type),
        DataType::Null => vec![None; a.len()],
        dt => return Err(bad_type(col, dt, "a number")),
    })
}

/// Reads a string column (Utf8, LargeUtf8 or Utf8View).
fn strings(a: &ArrayRef, col: &str) -> Result<Vec<Option<String>>, GridError> {
    Ok(match a.data_type() {
        DataType::Utf8 => a
            .as_string::<i32>()
            .iter()
            .map(|v| v.map(str::to_owned))
            .collect(),
        DataType::LargeUtf8 => a
            .as_string::<i64>()
            .iter()
            .map(|v| v.map(str::to_owned))
            .collect(),
        DataType::Utf8View => a
            .as_string_view()
            .iter()
            .map(|v| v.map(str::to_owned))
            .collect(),
        DataType::Null => vec![None; a.len()],
        dt => return Err(bad_type(col, dt, "a string")),
    })
}

fn row_err(row: usize, col: &str, msg: impl std::fmt::Display) -> GridError {
    GridError::input(format!("scenario table: row {row}, column `{col}`: {msg}"))
}

fn finite(row: usize, col: &str, v: f64, lo: f64, hi: f64) -> Result<f64, GridError> {
    if !v.is_finite() || v < lo || v > hi {
        return Err(row_err(
            row,
            col,
            format!("{v} is out of range; expected a number from {lo} to {hi}"),
        ));
    }
    Ok(v)
}

fn whole(row: usize, col: &str, v: f64, lo: u32, hi: u32) -> Result<u32, GridError> {
    let v = finite(row, col, v, lo as f64, hi as f64)?;
    if v.fract() != 0.0 {
        return Err(row_err(
            row,
            col,
            format!("{v} is not a whole number of months"),
        ));
    }
    Ok(v as u32)
}

/// Reads and validates every row of `batch`. `first_row` numbers rows across batches
/// (for default ids and messages); `default_deal` fills a missing/null `deal`.
pub fn read_scenarios(
    batch: &RecordBatch,
    first_row: usize,
    default_deal: Option<&str>,
) -> Result<Vec<GridScenario>, GridError> {
    let idx = locate(batch.schema_ref())?;
    let n = batch.num_rows();
    let col = |k: usize| idx[k].map(|i| batch.column(i));
    let num = |k: usize| -> Result<Vec<Option<f64>>, GridError> {
        match col(k) {
            Some(a) => numbers(a, COLUMNS[k].0),
            None => Ok(vec![None; n]),
        }
    };
    let text = |k: usize| -> Result<Vec<Option<String>>, GridError> {
        match col(k) {
            Some(a) => strings(a, COLUMNS[k].0),
            None => Ok(vec![None; n]),
        }
    };
    let deals = text(0)?;
    let ids = num(1)?;
    let speed = num(2)?;
    let cdr = num(3)?;
    let sev = num(4)?;
    let lag = num(5)?;
    let shock = num(6)?;
    let start = num(7)?;
    let horizon = text(8)?;
    let price = num(9)?;

    let mut out = Vec::with_capacity(n);
    for r in 0..n {
        let row = first_row + r;
        let deal = match (&deals[r], default_deal) {
            (Some(d), _) if !d.trim().is_empty() => d.clone(),
            (_, Some(d)) => d.to_owned(),
            _ => return Err(row_err(row, "deal", "missing; expected a deal id or path")),
        };
        let scenario_id = match ids[r] {
            Some(v) if v.is_finite() && v.fract() == 0.0 => v as i64,
            Some(v) => {
                return Err(row_err(
                    row,
                    "scenario_id",
                    format!("{v} is not an integer"),
                ))
            }
            None => row as i64,
        };
        let horizon = match &horizon[r] {
            None => Horizon::Call,
            Some(h) => parse_horizon(h).ok_or_else(|| {
                row_err(
                    row,
                    "horizon",
                    format!("`{h}`; expected `call` or `maturity`"),
                )
            })?,
        };
        out.push(GridScenario {
            scenario_id,
            deal,
            speed_pct: finite(row, "speed_pct", speed[r].unwrap_or(100.0), 0.0, 100_000.0)?,
            cdr_pct: finite(row, "cdr_pct", cdr[r].unwrap_or(0.0), 0.0, 100.0)?,
            severity_pct: finite(row, "severity_pct", sev[r].unwrap_or(0.0), 0.0, 100.0)?,
            lag_months: whole(row, "lag_months", lag[r].unwrap_or(0.0), 0, 360)?,
            shock_bps: finite(
                row,
                "shock_bps",
                shock[r].unwrap_or(0.0),
                -10_000.0,
                10_000.0,
            )?,
            shock_start_period: whole(row, "shock_start_period", start[r].unwrap_or(1.0), 1, 720)?,
            horizon,
            price: {
                let p = price[r].unwrap_or(100.0);
                if !(p.is_finite() && p > 0.0 && p <= 1000.0) {
                    return Err(row_err(
                        row,
                        "price",
                        format!("{p}; expected a price above 0 (percent of par)"),
                    ));
                }
                p
            },
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Float32Array, Int32Array, LargeStringArray, StringArray};

    fn batch(cols: Vec<(&str, ArrayRef)>) -> RecordBatch {
        RecordBatch::try_from_iter(cols).unwrap()
    }

    #[test]
    fn defaults_and_aliases() {
        let b = batch(vec![
            (
                "Speed",
                Arc::new(Int32Array::from(vec![Some(50), None])) as ArrayRef,
            ),
            (
                "cdr",
                Arc::new(Float32Array::from(vec![2.5, 0.0])) as ArrayRef,
            ),
            (
                "to",
                Arc::new(LargeStringArray::from(vec!["to_maturity", "CALL"])) as ArrayRef,
            ),
        ]);
        let s = read_scenarios(&b, 10, Some("deals/x")).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].speed_pct, 50.0);
        assert_eq!(s[1].speed_pct, 100.0);
        assert_eq!(s[0].cdr_pct, 2.5);
        assert_eq!(s[0].horizon, Horizon::Maturity);
        assert_eq!(s[1].horizon, Horizon::Call);
        assert_eq!(s[0].scenario_id, 10);
        assert_eq!(s[1].scenario_id, 11);
        assert_eq!(s[1].deal, "deals/x");
        assert_eq!(s[1].price, 100.0);
        assert_eq!(s[1].shock_start_period, 1);
    }

    #[test]
    fn unknown_column_is_named() {
        let b = batch(vec![(
            "sevrity",
            Arc::new(Float32Array::from(vec![40.0])) as ArrayRef,
        )]);
        let e = read_scenarios(&b, 0, Some("d")).unwrap_err().to_string();
        assert!(e.contains("unknown column `sevrity`"), "{e}");
    }

    #[test]
    fn bad_values_name_row_and_column() {
        let b = batch(vec![(
            "cdr_pct",
            Arc::new(Float32Array::from(vec![1.0, -3.0])) as ArrayRef,
        )]);
        let e = read_scenarios(&b, 0, Some("d")).unwrap_err().to_string();
        assert!(e.contains("row 1, column `cdr_pct`"), "{e}");
        let b = batch(vec![(
            "horizon",
            Arc::new(StringArray::from(vec!["forever"])) as ArrayRef,
        )]);
        let e = read_scenarios(&b, 0, Some("d")).unwrap_err().to_string();
        assert!(
            e.contains("`forever`; expected `call` or `maturity`"),
            "{e}"
        );
        let b = batch(vec![(
            "lag",
            Arc::new(Float32Array::from(vec![2.5])) as ArrayRef,
        )]);
        assert!(read_scenarios(&b, 0, Some("d")).is_err());
        let b = batch(vec![(
            "speed",
            Arc::new(StringArray::from(vec!["fast"])) as ArrayRef,
        )]);
        let e = read_scenarios(&b, 0, Some("d")).unwrap_err().to_string();
        assert!(e.contains("expected a number"), "{e}");
    }

    #[test]
    fn missing_deal_without_default_is_an_error() {
        let b = batch(vec![(
            "speed",
            Arc::new(Float32Array::from(vec![100.0])) as ArrayRef,
        )]);
        let e = read_scenarios(&b, 0, None).unwrap_err().to_string();
        assert!(e.contains("column `deal`"), "{e}");
    }
}
