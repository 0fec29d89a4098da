//! Engine errors as Python exceptions. The classes live in `tranche._errors` (pure Python,
//! so `InputError` can also be a `ValueError`); messages are the CLI's, word for word.

use pyo3::prelude::*;
use pyo3::types::PyType;
use tranche_arrow::RunError;

fn raise(py: Python<'_>, class: &str, msg: String) -> PyErr {
    let cls = py
        .import("tranche._errors")
        .and_then(|m| m.getattr(class))
        .and_then(|c| c.cast_into::<PyType>().map_err(PyErr::from));
    match cls {
        Ok(c) => PyErr::from_type(c, msg),
        Err(e) => e,
    }
}

pub fn to_py(e: RunError) -> PyErr {
    Python::attach(|py| match e {
        RunError::Input(m) => raise(py, "InputError", m),
        RunError::Engine(m) => raise(py, "EngineError", m),
        RunError::Internal(m) => raise(py, "InternalError", m),
    })
}

pub fn input(msg: impl Into<String>) -> PyErr {
    to_py(RunError::Input(msg.into()))
}
