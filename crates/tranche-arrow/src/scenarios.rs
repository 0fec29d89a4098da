//! The scenario table: one row per (deal, scenario), each row one core [`Scenario`].
//!
//! | column | type | default | meaning |
//! |---|---|---|---|
//! | `deal` | string | the caller's default deal | deal id or path of a deal directory / deal file |
//! | `scenario_id` | integer | the row number (0-based, across the whole table) | carried to every result row |
//! | every name of the core's `FIELDS` | number (`cpr_vector`, `cdr_vector`, `dlq_vector`: list of numbers) | the deal's pricing assumption | see `tranche_core::scenario::FIELDS` |
//! | `horizon` | string | `call` | `call`, `maturity` or `call:YYYY-MM` |
//! | `shock_index` | string | every index | the index `shock_bps` shifts |
//! | `rates` | string | `pricing` | `pricing` (the deal's pricing rates) or `deal_curves` (its curves.csv) |
//! | `curves` | string | none | path of a forward curves file, in place of `rates` |
//!
//! A cell sets its field as the command-line flag of the same name does; a null cell
//! leaves the deal's pricing assumption. At most one prepayment column (`speed_pct`,
//! `cpr_pct`, `psa_pct`, `cpr_vector`), one default column (`cdr_pct`, `sda_pct`,
//! `cdr_vector`) and one rate column (`index_rate_pct`, `rates`, `curves`) may be set in
//! a row. Older names still read: `speed`, `cpr`, `psa`, `cdr`, `sda`, `severity`, `sev`,
//! `lag`, `index_rate`, `libor`, `shock`, `shock_start`, `shock_start_period` and `to`.
//! Names match case-insensitively; integer and float columns of any width are accepted.
//! Unknown columns are an error (a misspelt `sevrity` must not silently run at 0%
//! severity). Every mistake is told as `scenario table: row R, column `c`: ` and the core's
//! message.

use crate::RunError;
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use std::collections::HashMap;
use std::sync::Arc;
use tranche_core::rates::RateCurves;
use tranche_core::scenario::inputs::{ScenarioInputs, Spelling};
use tranche_core::scenario::{Scenario, FIELDS};

/// One row of a scenario table: its id, its deal and the scenario it asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioRow {
    pub scenario_id: i64,
    pub deal: String,
    pub scenario: Scenario,
    /// The curves file the rates came from, as given (repeated in the results).
    pub curves_file: Option<String>,
}

impl ScenarioRow {
    /// The deal's pricing assumption for `deal`.
    pub fn new(deal: impl Into<String>) -> Self {
        ScenarioRow {
            scenario_id: 0,
            deal: deal.into(),
            scenario: Scenario::default(),
            curves_file: None,
        }
    }
}

/// Older names of columns, still read.
const ALIASES: &[(&str, &[&str])] = &[
    ("deal", &["deal_id", "deal_path"]),
    ("scenario_id", &["id"]),
    ("speed_pct", &["speed"]),
    ("cpr_pct", &["cpr"]),
    ("psa_pct", &["psa"]),
    ("cdr_pct", &["cdr"]),
    ("sda_pct", &["sda"]),
    ("severity_pct", &["severity", "sev"]),
    ("lag_months", &["lag"]),
    ("index_rate_pct", &["index_rate", "libor"]),
    ("shock_bps", &["shock"]),
    ("shock_from", &["shock_start", "shock_start_period"]),
    ("horizon", &["to"]),
    ("dm_bps", &["dm"]),
    ("spread_bps", &["spread"]),
    ("settlement", &["settle"]),
];

/// The string columns besides `deal`.
const TEXT: [&str; 7] = [
    "horizon",
    "shock_index",
    "rates",
    "curves",
    "fixed_prepay",
    "arm_prepay",
    "settlement",
];

fn is_vector(name: &str) -> bool {
    name.ends_with("_vector")
}

/// Every column name in schema order: `deal`, `scenario_id`, the core's fields, then
/// [`TEXT`].
pub fn column_names() -> Vec<&'static str> {
    let mut v = vec!["deal", "scenario_id"];
    v.extend(FIELDS.iter().map(|f| f.name));
    v.extend(TEXT);
    v
}

/// The Arrow type of a field's column: whole numbers as Int64, vectors as lists.
pub fn field_type(name: &str) -> DataType {
    if is_vector(name) {
        DataType::List(Arc::new(Field::new("item", DataType::Float64, true)))
    } else if FIELDS.iter().any(|f| f.name == name && f.whole) {
        DataType::Int64
    } else {
        DataType::Float64
    }
}

/// The canonical schema of a scenario table (every column nullable: null = default).
pub fn scenario_schema() -> SchemaRef {
    let fields: Vec<Field> = column_names()
        .into_iter()
        .map(|n| {
            let t = match n {
                "scenario_id" => DataType::Int64,
                "deal" => DataType::Utf8,
                n if TEXT.contains(&n) => DataType::Utf8,
                n => field_type(n),
            };
            Field::new(n, t, true)
        })
        .collect();
    Arc::new(Schema::new(fields))
}

/// The column a core error about `field` is told against.
pub fn column_of(field: &str) -> &str {
    match field {
        "call_date" => "horizon",
        "index" => "shock_index",
        f => f,
    }
}

/// The canonical name of a column named `name`, if it is one.
fn canonical(name: &str) -> Option<&'static str> {
    let name = name.to_ascii_lowercase();
    column_names().into_iter().find(|c| {
        *c == name
            || ALIASES
                .iter()
                .any(|(k, a)| k == c && a.contains(&name.as_str()))
    })
}

/// Each present column's canonical name and index, rejecting unknown and duplicate columns.
fn locate(schema: &Schema) -> Result<HashMap<&'static str, usize>, RunError> {
    let mut found: HashMap<&'static str, usize> = HashMap::new();
    for (i, f) in schema.fields().iter().enumerate() {
        let Some(c) = canonical(f.name()) else {
            return Err(RunError::input(format!(
                "scenario table: unknown column `{}`; expected some of: {}",
                f.name(),
                column_names().join(", ")
            )));
        };
        if let Some(j) = found.insert(c, i) {
            return Err(RunError::input(format!(
                "scenario table: column `{c}` given twice (as `{}` and `{}`)",
                schema.field(j).name(),
                f.name()
            )));
        }
    }
    Ok(found)
}

fn bad_type(col: &str, dt: &DataType, expected: &str) -> RunError {
    RunError::input(format!(
        "scenario table: column `{col}` has type {dt}; expected {expected}"
    ))
}

/// Reads a numeric column of any integer/float width as `f64` (nulls as `None`).
fn numbers(a: &dyn Array, col: &str) -> Result<Vec<Option<f64>>, RunError> {
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

/// A list column's cells: each null, or a list of (possibly null) numbers.
type Lists = Vec<Option<Vec<Option<f64>>>>;

/// Reads a list-of-numbers column (List or LargeList of any numeric type).
fn vectors(a: &ArrayRef, col: &str) -> Result<Lists, RunError> {
    let items = |v: Option<ArrayRef>| v.map(|v| numbers(v.as_ref(), col)).transpose();
    match a.data_type() {
        DataType::List(_) => a.as_list::<i32>().iter().map(items).collect(),
        DataType::LargeList(_) => a.as_list::<i64>().iter().map(items).collect(),
        DataType::Null => Ok(vec![None; a.len()]),
        dt => Err(bad_type(col, dt, "a list of numbers")),
    }
}

/// Reads a string column (Utf8, LargeUtf8 or Utf8View).
fn strings(a: &ArrayRef, col: &str) -> Result<Vec<Option<String>>, RunError> {
    let own = |v: Option<&str>| v.map(str::to_owned);
    Ok(match a.data_type() {
        DataType::Utf8 => a.as_string::<i32>().iter().map(own).collect(),
        DataType::LargeUtf8 => a.as_string::<i64>().iter().map(own).collect(),
        DataType::Utf8View => a.as_string_view().iter().map(own).collect(),
        DataType::Null => vec![None; a.len()],
        dt => return Err(bad_type(col, dt, "a string")),
    })
}

/// `scenario table: row R, column `c``: the start of every message about a cell.
pub fn cell(row: usize, col: &str) -> String {
    format!("scenario table: row {row}, {}", column(col))
}

fn column(input: &str) -> String {
    format!("column `{}`", column_of(input))
}

/// How messages about a row's cells name them.
pub fn row_spelling(row: usize) -> Spelling<'static> {
    Spelling {
        prefix: format!("scenario table: row {row}, "),
        name: &column,
    }
}

/// The columns of a batch, read.
struct Columns {
    nums: Vec<(&'static str, Vec<Option<f64>>)>,
    vecs: Vec<(&'static str, Lists)>,
    text: HashMap<&'static str, Vec<Option<String>>>,
}

fn read_columns(batch: &RecordBatch) -> Result<Columns, RunError> {
    let at = locate(batch.schema_ref())?;
    let mut c = Columns {
        nums: Vec::new(),
        vecs: Vec::new(),
        text: HashMap::new(),
    };
    for name in column_names() {
        let Some(i) = at.get(name) else { continue };
        let a = batch.column(*i);
        if name == "deal" || TEXT.contains(&name) {
            c.text.insert(name, strings(a, name)?);
        } else if is_vector(name) {
            c.vecs.push((name, vectors(a, name)?));
        } else {
            c.nums.push((name, numbers(a.as_ref(), name)?));
        }
    }
    Ok(c)
}

/// Reads and validates every row of `batch`. `first_row` numbers rows across batches
/// (for default ids and messages); `default_deal` fills a missing/null `deal`. A curves
/// file named by several rows is read once.
pub fn read_scenarios(
    batch: &RecordBatch,
    first_row: usize,
    default_deal: Option<&str>,
) -> Result<Vec<ScenarioRow>, RunError> {
    let cols = read_columns(batch)?;
    let text = |name: &str, r: usize| {
        cols.text
            .get(name)
            .and_then(|v| v[r].clone())
            .filter(|s| !s.trim().is_empty())
    };
    let mut curves: HashMap<String, RateCurves> = HashMap::new();
    let mut out = Vec::with_capacity(batch.num_rows());
    for r in 0..batch.num_rows() {
        let row = first_row + r;
        let deal = match text("deal", r).as_deref().or(default_deal) {
            Some(d) => d.to_owned(),
            None => {
                return Err(RunError::input(format!(
                    "{}: missing; expected a deal id or path",
                    cell(row, "deal")
                )))
            }
        };
        let mut inputs = ScenarioInputs::default();
        let mut scenario_id = row as i64;
        for (name, vals) in &cols.nums {
            match (*name, vals[r]) {
                (_, None) => {}
                ("scenario_id", Some(v)) if v.is_finite() && v.fract() == 0.0 => {
                    scenario_id = v as i64
                }
                ("scenario_id", Some(v)) => {
                    return Err(RunError::input(format!(
                        "{}: expected a whole number, found {v}",
                        cell(row, "scenario_id")
                    )))
                }
                (name, Some(v)) => inputs.numbers.push((name, v)),
            }
        }
        for (name, vals) in &cols.vecs {
            let Some(v) = &vals[r] else { continue };
            let v = v
                .iter()
                .enumerate()
                .map(|(k, x)| {
                    x.ok_or_else(|| {
                        RunError::input(format!(
                            "{}: period {} is null; expected a number",
                            cell(row, name),
                            k + 1
                        ))
                    })
                })
                .collect::<Result<Vec<f64>, _>>()?;
            match *name {
                "cpr_vector" => inputs.cpr_vector = Some(v),
                "dlq_vector" => inputs.dlq_vector = Some(v),
                _ => inputs.cdr_vector = Some(v),
            }
        }
        inputs.horizon = text("horizon", r);
        inputs.rates = text("rates", r);
        inputs.shock_index = text("shock_index", r);
        inputs.fixed_prepay = text("fixed_prepay", r);
        inputs.arm_prepay = text("arm_prepay", r);
        inputs.settlement = text("settlement", r);
        let curves_file = text("curves", r);
        if let Some(p) = &curves_file {
            if !curves.contains_key(p) {
                let c = tranche_io::curves::read_curves(p)
                    .map_err(|e| RunError::from(e).context(&cell(row, "curves")))?;
                curves.insert(p.clone(), c);
            }
            inputs.curves = curves.get(p).cloned();
        }
        let scenario = inputs.apply(Scenario::default(), &row_spelling(row))?;
        out.push(ScenarioRow {
            scenario_id,
            deal,
            scenario,
            curves_file,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use arrow_array::builder::{Float64Builder, ListBuilder};
    use arrow_array::{Float32Array, Int32Array, LargeStringArray, StringArray};
    use tranche_core::scenario::{DefaultRate, Prepay, RateBase, Speed};
    use tranche_core::waterfall::Horizon;

    fn batch(cols: Vec<(&str, ArrayRef)>) -> RecordBatch {
        RecordBatch::try_from_iter(cols).unwrap()
    }

    fn err(cols: Vec<(&str, ArrayRef)>) -> String {
        read_scenarios(&batch(cols), 0, Some("d"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn every_core_field_is_a_column() {
        let s = scenario_schema();
        for f in FIELDS {
            assert!(s.field_with_name(f.name).is_ok(), "{}", f.name);
        }
        assert_eq!(
            s.field_with_name("lag_months").unwrap().data_type(),
            &DataType::Int64
        );
        assert_eq!(s.fields().len(), column_names().len());
    }

    #[test]
    fn defaults_and_old_names() {
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
                "shock_start_period",
                Arc::new(Int32Array::from(vec![None, Some(3)])) as ArrayRef,
            ),
            (
                "to",
                Arc::new(LargeStringArray::from(vec!["to_maturity", "CALL"])) as ArrayRef,
            ),
        ]);
        let s = read_scenarios(&b, 10, Some("deals/x")).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(
            s[0].scenario.prepay,
            Prepay::all(Speed::Pricing { pct: 50.0 })
        );
        assert_eq!(s[1].scenario.prepay, Scenario::default().prepay);
        assert_eq!(s[0].scenario.defaults.rate, DefaultRate::Cdr { pct: 2.5 });
        assert_eq!(s[0].scenario.horizon, Horizon::Maturity);
        assert_eq!(s[1].scenario.horizon, Horizon::Call);
        assert_eq!(s[1].scenario.rates.shocks[0].from_period, 3);
        assert_eq!((s[0].scenario_id, s[1].scenario_id), (10, 11));
        assert_eq!(s[1].deal, "deals/x");
        assert_eq!(s[1].scenario.price, 100.0);
    }

    #[test]
    fn vectors_rates_and_call_dates() {
        let mut l = ListBuilder::new(Float64Builder::new());
        l.append_value([Some(4.0), Some(6.0)]);
        l.append_null();
        let b = batch(vec![
            ("cpr_vector", Arc::new(l.finish()) as ArrayRef),
            (
                "rates",
                Arc::new(StringArray::from(vec![Some("deal_curves"), None])) as ArrayRef,
            ),
            (
                "horizon",
                Arc::new(StringArray::from(vec!["call:2008-06", "maturity"])) as ArrayRef,
            ),
        ]);
        let s = read_scenarios(&b, 0, Some("d")).unwrap();
        assert_eq!(
            s[0].scenario.prepay,
            Prepay::all(Speed::Vector {
                cpr_pct: vec![4.0, 6.0]
            })
        );
        assert_eq!(s[0].scenario.rates.base, RateBase::DealCurves);
        assert_eq!(s[1].scenario.rates.base, RateBase::Pricing);
        assert_eq!(s[0].scenario.horizon.name(), "call:2008-06");
    }

    #[test]
    fn unknown_and_doubled_columns_are_named() {
        let e = err(vec![(
            "sevrity",
            Arc::new(Float32Array::from(vec![40.0])) as ArrayRef,
        )]);
        assert!(e.contains("unknown column `sevrity`"), "{e}");
        let e = err(vec![
            ("cdr", Arc::new(Float32Array::from(vec![1.0])) as ArrayRef),
            (
                "CDR_pct",
                Arc::new(Float32Array::from(vec![1.0])) as ArrayRef,
            ),
        ]);
        assert!(
            e.contains("column `cdr_pct` given twice (as `cdr` and `CDR_pct`)"),
            "{e}"
        );
    }

    #[test]
    fn bad_values_give_the_core_message_under_row_and_column() {
        let e = err(vec![(
            "cdr_pct",
            Arc::new(Float32Array::from(vec![1.0, -3.0])) as ArrayRef,
        )]);
        assert_eq!(
            e,
            "scenario table: row 1, column `cdr_pct`: expected percent CDR from 0 to 100, found -3"
        );
        let e = err(vec![(
            "horizon",
            Arc::new(StringArray::from(vec!["forever"])) as ArrayRef,
        )]);
        assert_eq!(
            e,
            "scenario table: row 0, column `horizon`: expected `call`, `maturity` or `call:YYYY-MM`, found `forever`"
        );
        let e = err(vec![(
            "lag",
            Arc::new(Float32Array::from(vec![2.5])) as ArrayRef,
        )]);
        assert_eq!(
            e,
            "scenario table: row 0, column `lag_months`: expected a whole number of months, found 2.5"
        );
        let e = err(vec![(
            "speed",
            Arc::new(StringArray::from(vec!["fast"])) as ArrayRef,
        )]);
        assert!(e.contains("expected a number"), "{e}");
        let e = err(vec![
            (
                "speed_pct",
                Arc::new(Float32Array::from(vec![100.0])) as ArrayRef,
            ),
            (
                "cpr_pct",
                Arc::new(Float32Array::from(vec![6.0])) as ArrayRef,
            ),
        ]);
        assert_eq!(e, "scenario table: row 0, column `cpr_pct`: sets the prepayment speed, as column `speed_pct` does; give one of them");
        let e = err(vec![(
            "curves",
            Arc::new(StringArray::from(vec!["no/such/curves.csv"])) as ArrayRef,
        )]);
        assert!(
            e.starts_with("scenario table: row 0, column `curves`: "),
            "{e}"
        );
        assert!(e.contains("no/such/curves.csv"), "{e}");
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
