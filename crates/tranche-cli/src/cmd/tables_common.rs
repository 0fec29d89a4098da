//! What the table commands share: loading a deal and its pool, list options, output.

use crate::Failure;
use std::path::Path;
use tranche_core::collateral::LoanPool;
use tranche_core::deal::Deal;
use tranche_io::outputs::{Input, OutFile, Outputs};
use tranche_io::tables_out::{self, TableFormat, TableKind};

pub struct Loaded {
    pub deal: Deal,
    pub pool: LoanPool,
    pub curves: Option<tranche_core::rates::RateCurves>,
    /// Every file read, for the output guard.
    pub inputs: Vec<Input>,
}

pub fn load(path: &Path) -> Result<Loaded, Failure> {
    let loaded = tranche_io::deal::load_deal_pool(path)?;
    Ok(Loaded {
        deal: loaded.deal,
        pool: loaded.pool,
        curves: loaded.curves,
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
    match out {
        None => Ok(None),
        Some(p) => Ok(Some(Outputs::new(inputs).file(
            "--out",
            p,
            tables_out::signature(kind, format),
        )?)),
    }
}

/// A comma-separated list of numbers.
pub fn parse_list(option: &str, s: &str) -> Result<Vec<f64>, Failure> {
    let v: Result<Vec<f64>, _> = s
        .split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(|x| {
            x.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    format!("{option}: expected numbers separated by commas, found `{x}`")
                })
        })
        .collect();
    match v {
        Ok(v) if !v.is_empty() => Ok(v),
        Ok(_) => Err(Failure::Input(format!(
            "{option}: needs at least one value"
        ))),
        Err(e) => Err(Failure::Input(e)),
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
