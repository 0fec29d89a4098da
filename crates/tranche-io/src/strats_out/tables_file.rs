//! User strat tables from a TOML or JSON file (shape in `docs/strats.md`).

use crate::IoError;
use serde::Deserialize;
use std::path::Path;
use tranche_core::error::{FieldError, Location};
use tranche_core::strats::{default_tables, StratTableDef};

/// A tables file: whether to keep the default set, and the user's tables (appended).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TablesFile {
    #[serde(default = "yes")]
    pub defaults: bool,
    #[serde(default, rename = "table", alias = "tables")]
    pub tables: Vec<StratTableDef>,
}

fn yes() -> bool {
    true
}

impl TablesFile {
    /// The table set: the defaults (unless `defaults = false`) then the file's tables.
    pub fn resolve(self) -> Vec<StratTableDef> {
        let mut out = if self.defaults {
            default_tables()
        } else {
            Vec::new()
        };
        out.extend(self.tables);
        out
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Parses a tables file's text; `json` selects JSON, else TOML. Checks every table.
pub fn parse_tables_file(text: &str, json: bool, path: &Path) -> Result<TablesFile, IoError> {
    let parsed: Result<TablesFile, FieldError> = if json {
        serde_json::from_str(text).map_err(|e| FieldError {
            location: Location {
                row: Some(e.line()),
                field: None,
            },
            message: e.to_string(),
        })
    } else {
        toml::from_str(text).map_err(|e| FieldError {
            location: Location {
                row: e.span().map(|s| line_of(text, s.start)),
                field: None,
            },
            message: e.message().to_string(),
        })
    };
    let file = parsed.map_err(|e| IoError::input(path, vec![e]))?;
    if !file.defaults && file.tables.is_empty() {
        return Err(IoError::input(
            path,
            vec![FieldError {
                location: Location {
                    row: None,
                    field: Some("table".into()),
                },
                message: "expected at least one [[table]] when `defaults = false`".into(),
            }],
        ));
    }
    let errors: Vec<FieldError> = file
        .tables
        .iter()
        .filter_map(|t| t.validate().err())
        .map(|e| match e {
            tranche_core::Error::Invalid(f) => f,
            other => FieldError {
                location: Location::default(),
                message: other.to_string(),
            },
        })
        .collect();
    if errors.is_empty() {
        Ok(file)
    } else {
        Err(IoError::input(path, errors))
    }
}

/// Reads a tables file (`.json` is JSON, anything else TOML) and returns the table set.
pub fn read_tables_file(path: &Path) -> Result<Vec<StratTableDef>, IoError> {
    let text = std::fs::read_to_string(path).map_err(|e| IoError::io(path, e))?;
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    Ok(parse_tables_file(&text, json, path)?.resolve())
}
