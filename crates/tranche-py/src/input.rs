//! Scenario tables from Python: any Arrow-exporting object (pyarrow, polars, pandas,
//! DuckDB, arro3, ...), a dict of lists (scalars broadcast), or a list of dicts.

use crate::errors::input;
use arrow_array::builder::{Float64Builder, Int64Builder, ListBuilder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use pyo3_arrow::input::AnyRecordBatch;
use std::sync::Arc;

#[derive(Clone)]
enum Cell {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
    /// A vector (`cpr_vector`, `cdr_vector`).
    List(Vec<f64>),
}

fn cell(v: &Bound<'_, PyAny>, col: &str) -> PyResult<Cell> {
    if v.is_none() {
        Ok(Cell::Null)
    } else if v.is_instance_of::<PyBool>() {
        Err(input(format!(
            "scenario table: column `{col}`: got a boolean; expected a number or a string"
        )))
    } else if v.is_instance_of::<PyString>() {
        Ok(Cell::Text(v.extract()?))
    } else if v.is_instance_of::<PyInt>() {
        Ok(Cell::Int(v.extract()?))
    } else if v.is_instance_of::<PyFloat>() {
        Ok(Cell::Float(v.extract()?))
    } else if is_sequence(v) {
        Ok(Cell::List(crate::keywords::numbers(
            &format!("scenario table: column `{col}`"),
            v,
        )?))
    } else if let Ok(i) = v.extract::<i64>() {
        Ok(Cell::Int(i)) // numpy integers
    } else if let Ok(f) = v.extract::<f64>() {
        Ok(Cell::Float(f)) // numpy floats, decimals
    } else {
        Err(input(format!(
            "scenario table: column `{col}`: got {}; expected a number or a string",
            v.repr().map(|r| r.to_string()).unwrap_or_default()
        )))
    }
}

fn column(col: &str, cells: Vec<Cell>) -> PyResult<ArrayRef> {
    let (mut text, mut float, mut int, mut list) = (false, false, false, false);
    for c in &cells {
        match c {
            Cell::Text(_) => text = true,
            Cell::Float(_) => float = true,
            Cell::Int(_) => int = true,
            Cell::List(_) => list = true,
            Cell::Null => {}
        }
    }
    if [text, float || int, list].iter().filter(|x| **x).count() > 1 {
        return Err(input(format!(
            "scenario table: column `{col}` mixes {}",
            if list && text {
                "lists and strings"
            } else if list {
                "lists and numbers"
            } else {
                "strings and numbers"
            }
        )));
    }
    Ok(if list {
        let mut b = ListBuilder::new(Float64Builder::new());
        for c in cells {
            match c {
                Cell::List(v) => b.append_value(v.into_iter().map(Some)),
                _ => b.append_null(),
            }
        }
        Arc::new(b.finish())
    } else if text {
        let mut b = StringBuilder::new();
        for c in cells {
            match c {
                Cell::Text(s) => b.append_value(s),
                _ => b.append_null(),
            }
        }
        Arc::new(b.finish())
    } else if float || !int {
        let mut b = Float64Builder::new();
        for c in cells {
            match c {
                Cell::Float(f) => b.append_value(f),
                Cell::Int(i) => b.append_value(i as f64),
                _ => b.append_null(),
            }
        }
        Arc::new(b.finish())
    } else {
        let mut b = Int64Builder::new();
        for c in cells {
            match c {
                Cell::Int(i) => b.append_value(i),
                _ => b.append_null(),
            }
        }
        Arc::new(b.finish())
    })
}

fn is_sequence(v: &Bound<'_, PyAny>) -> bool {
    !v.is_instance_of::<PyString>() && !v.is_none() && v.try_iter().is_ok()
}

fn dict_to_batch(d: &Bound<'_, PyDict>) -> PyResult<RecordBatch> {
    // Length of the list columns; scalars repeat to that length (1 if all are scalars).
    let mut n: Option<(usize, String)> = None;
    for (k, v) in d.iter() {
        if is_sequence(&v) {
            let len = v.len()?;
            let name: String = k.str()?.to_string();
            match &n {
                Some((m, other)) if *m != len => {
                    return Err(input(format!(
                        "scenario table: column `{name}` has {len} values but `{other}` has {m}"
                    )))
                }
                None => n = Some((len, name)),
                _ => {}
            }
        }
    }
    let rows = n.map(|(m, _)| m).unwrap_or(1);
    let mut cols: Vec<(String, ArrayRef)> = Vec::new();
    for (k, v) in d.iter() {
        let name: String = k.str()?.to_string();
        let cells = if is_sequence(&v) {
            v.try_iter()?
                .map(|x| cell(&x?, &name))
                .collect::<PyResult<Vec<_>>>()?
        } else {
            vec![cell(&v, &name)?; rows]
        };
        cols.push((name.clone(), column(&name, cells)?));
    }
    if cols.is_empty() {
        return Err(input("scenario table: no columns"));
    }
    RecordBatch::try_from_iter(cols).map_err(|e| input(format!("scenario table: {e}")))
}

fn rows_to_batch(rows: &Bound<'_, PyAny>) -> PyResult<RecordBatch> {
    // Columns in first-seen order; a key missing from a row is null there.
    let py = rows.py();
    let items: Vec<Bound<'_, PyAny>> = rows.try_iter()?.collect::<PyResult<_>>()?;
    let mut names: Vec<String> = Vec::new();
    for (i, r) in items.iter().enumerate() {
        let r = r
            .cast::<PyDict>()
            .map_err(|_| PyTypeError::new_err(format!("scenarios: row {i} is not a dict")))?;
        for k in r.keys() {
            let k: String = k.str()?.to_string();
            if !names.contains(&k) {
                names.push(k);
            }
        }
    }
    let cols = PyDict::new(py);
    for name in &names {
        let vals = PyList::empty(py);
        for r in &items {
            let v = r
                .get_item(name)
                .ok()
                .unwrap_or_else(|| py.None().into_bound(py));
            vals.append(v)?;
        }
        cols.set_item(name, vals)?;
    }
    dict_to_batch(&cols)
}

/// The scenario batches of any supported Python object.
pub fn scenario_batches(obj: &Bound<'_, PyAny>) -> PyResult<Vec<RecordBatch>> {
    if let Ok(d) = obj.cast::<PyDict>() {
        return Ok(vec![dict_to_batch(d)?]);
    }
    if obj.hasattr("__arrow_c_stream__")? || obj.hasattr("__arrow_c_array__")? {
        let any: AnyRecordBatch = obj.extract()?;
        let reader = any.into_reader()?;
        return reader
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| input(format!("scenario table: {e}")));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        return Ok(vec![rows_to_batch(obj)?]);
    }
    Err(PyTypeError::new_err(format!(
        "scenarios: got {}; expected an Arrow table (pyarrow, polars, pandas, ...), a dict of lists or a list of dicts",
        obj.get_type().name()?
    )))
}
