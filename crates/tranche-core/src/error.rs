//! Typed errors of the engine. Front ends render them with file/row/field context.

use std::fmt;

/// Where in an input a problem sits. Front ends add the file name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// 1-based data row (tape) or line (deal file), if known.
    pub row: Option<usize>,
    /// Column or field name (e.g. `gross_rate`, `bonds[2].margin_pct`).
    pub field: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.row, &self.field) {
            (Some(r), Some(c)) => write!(f, "row {r}, field `{c}`"),
            (Some(r), None) => write!(f, "row {r}"),
            (None, Some(c)) => write!(f, "field `{c}`"),
            (None, None) => Ok(()),
        }
    }
}

/// One invalid value: where, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub location: Location,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location == Location::default() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.location, self.message)
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that breaks a documented rule (bad value, inconsistent fields).
    #[error("invalid input: {0}")]
    Invalid(FieldError),
    /// Several invalid values collected at once (e.g. every bad row of a tape).
    #[error("{} invalid value(s); first: {}", .0.len(), .0.first().map(|e| e.to_string()).unwrap_or_default())]
    InvalidMany(Vec<FieldError>),
    /// A deal or scenario that cannot be run (e.g. exceeds the period limit).
    #[error("cannot run: {0}")]
    Unrunnable(String),
    /// A numerical procedure that did not converge (root finder, fitter).
    #[error("no solution: {0}")]
    NoSolution(String),
}

impl Error {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid(FieldError {
            location: Location {
                row: None,
                field: Some(field.into()),
            },
            message: message.into(),
        })
    }
}

pub type Result<T> = std::result::Result<T, Error>;
