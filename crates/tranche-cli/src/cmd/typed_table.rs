//! A report table (`tranche_io::render::Table`) as a command's output: CSV, JSON or
//! Markdown through the report's own renderers, on standard output or written atomically
//! to `--out` (the output guard knows an earlier output by how it begins).

use super::tables_common::{emit, out_file_signed};
use crate::Failure;
use std::path::Path;
use tranche_io::outputs::{Input, OutFile, Signature};
use tranche_io::render::{self, Table};
use tranche_io::tables_out::TableFormat;

/// The table as text.
pub fn text(t: &Table, format: TableFormat) -> Result<String, Failure> {
    Ok(match format {
        TableFormat::Csv => render::csv(t)?,
        TableFormat::Md => render::markdown(t),
        TableFormat::Json => {
            serde_json::to_string_pretty(&render::json(t))
                .map_err(|e| Failure::Internal(format!("cannot render JSON: {e}")))?
                + "\n"
        }
    })
}

/// How every output of `empty`'s kind begins: its text up to its first row (the CSV
/// header, the Markdown title, the JSON record before its rows).
pub fn signature(empty: &Table, format: TableFormat) -> Result<Signature, Failure> {
    let t = text(empty, format)?;
    let end = match format {
        TableFormat::Csv | TableFormat::Md => t.find('\n').map(|i| i + 1),
        TableFormat::Json => t.find("\n  \"rows\""),
    };
    Ok(Signature(t[..end.unwrap_or(t.len())].to_string()))
}

/// `--out FILE`, checked before any work against the run's inputs.
pub fn out_file(
    inputs: &[Input],
    out: Option<&Path>,
    empty: &Table,
    format: TableFormat,
) -> Result<Option<OutFile>, Failure> {
    out_file_signed(inputs, out, signature(empty, format)?)
}

/// Prints the table, or writes it to `out`.
pub fn write(t: &Table, format: TableFormat, out: Option<&OutFile>) -> Result<(), Failure> {
    emit(&text(t, format)?, out)
}
