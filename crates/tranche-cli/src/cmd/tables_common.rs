//! What the table commands share: loading a deal and its pool, list options, output.

use crate::Failure;
use std::path::Path;
use tranche_core::collateral::LoanPool;
use tranche_core::deal::Deal;

pub struct Loaded {
    pub deal: Deal,
    pub pool: LoanPool,
    pub curves: Option<tranche_core::rates::RateCurves>,
}

/// Loads a deal and its pool, printing the tape's warnings (`check`: `--strict`).
pub fn load(path: &Path, check: super::TapeCheck) -> Result<Loaded, Failure> {
    let loaded = tranche_io::deal::load_deal_pool(path, check.strict)?;
    super::print_warnings(&loaded.warnings);
    Ok(Loaded {
        deal: loaded.deal,
        pool: loaded.pool,
        curves: loaded.curves,
    })
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
pub fn emit(text: &str, out: Option<&Path>) -> Result<(), Failure> {
    match out {
        Some(p) => Ok(tranche_io::atomic::write_atomic(p, text.as_bytes())?),
        None => {
            use std::io::Write;
            let mut so = std::io::stdout().lock();
            // A closed pipe (e.g. `| head`) is not an error worth a message.
            let _ = so.write_all(text.as_bytes());
            Ok(())
        }
    }
}
