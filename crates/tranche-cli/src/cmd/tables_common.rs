//! What the table commands share: loading a deal and its pool, list options, output.

use crate::Failure;
use std::path::Path;
use tranche_core::runner::DealModel;
use tranche_io::outputs::{Input, OutFile, Outputs, Signature};
use tranche_io::tables_out::{self, TableFormat, TableKind};

/// A deal ready to run, and every file it was read from.
pub struct Loaded {
    pub model: DealModel,
    /// Every file read, for the output guard.
    pub inputs: Vec<Input>,
}

/// Loads a deal directory (or deal file) with its pool and forward curves, checked once;
/// prints the tape's warnings (`check`: `--strict` makes them errors).
pub fn load(path: &Path, check: super::TapeCheck) -> Result<Loaded, Failure> {
    let loaded = tranche_io::deal::load_deal_pool(path, check.strict)?;
    super::print_warnings(&loaded.warnings);
    if loaded.pool.is_empty() {
        let tape = loaded.dir.join(&loaded.deal.collateral.tape);
        let what = if !tape.exists() {
            "does not exist; expected the CSV or Parquet file named by collateral.tape"
        } else if tape.is_dir() {
            "is a directory; expected the CSV or Parquet file named by collateral.tape"
        } else {
            "has no loans"
        };
        return Err(Failure::Input(format!(
            "{}: the deal's tape `{}` {what}",
            path.display(),
            tape.display()
        )));
    }
    Ok(Loaded {
        model: DealModel::new(loaded.deal, loaded.pool, loaded.curves)?,
        inputs: loaded.inputs,
    })
}

/// The `--out FILE` of a table command, checked against the run's inputs (see
/// `tranche_io::outputs`) before any work is done.
pub fn out_file(
    inputs: &[Input],
    out: Option<&Path>,
    kind: TableKind,
    format: TableFormat,
) -> Result<Option<OutFile>, Failure> {
    out_file_signed(inputs, out, tables_out::signature(kind, format))
}

/// `--out FILE` of outputs that begin with `signature`.
pub fn out_file_signed(
    inputs: &[Input],
    out: Option<&Path>,
    signature: Signature,
) -> Result<Option<OutFile>, Failure> {
    match out {
        None => Ok(None),
        Some(p) => Ok(Some(Outputs::new(inputs).file("--out", p, signature)?)),
    }
}

/// Prints `text`, or writes it atomically to `out`.
pub fn emit(text: &str, out: Option<&OutFile>) -> Result<(), Failure> {
    match out {
        Some(f) => Ok(f.write(text.as_bytes())?),
        None => {
            use std::io::Write;
            let mut so = std::io::stdout().lock();
            // A closed pipe (e.g. `| head`) is not an error worth a message.
            let _ = so.write_all(text.as_bytes());
            Ok(())
        }
    }
}
