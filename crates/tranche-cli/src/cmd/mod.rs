//! One module per subcommand.

pub mod afr;
pub mod as_of;
pub mod breakeven;
pub mod collateral;
pub mod grid;
pub mod pool_from_strats;
pub mod price_table;
pub mod report;
pub mod report_deal;
pub mod run;
pub mod scenario;
pub mod schema;
#[cfg(feature = "serve")]
pub mod serve;
pub mod strats;
mod tables_common;
mod typed_table;
mod workers;

/// `--strict`, on every command that loads a loan tape.
#[derive(clap::Args, Clone, Copy, Debug)]
pub struct TapeCheck {
    /// Refuse tape loans that break a warning rule (docs/validation.md) instead of
    /// counting them; they are then errors, with exit code 2.
    #[arg(long)]
    pub strict: bool,
}

/// Prints a tape's warnings on standard error, one line per broken rule.
pub fn print_warnings(w: &tranche_io::tape::TapeWarnings) {
    for line in w.lines() {
        eprintln!("warning: {line}; --strict refuses these loans");
    }
}

/// An engine error about a scenario value told as an error about the command-line flag
/// that set it (`prepay.multiplier` → `--speed`), so the message names what the user
/// typed. `flags` pairs the engine's field names with flags; other errors pass through.
pub fn flag_error(e: tranche_core::Error, flags: &[(&str, &str)]) -> crate::Failure {
    if let tranche_core::Error::Invalid(fe) = &e {
        let field = fe.location.field.as_deref();
        if let Some((_, flag)) = flags.iter().find(|(name, _)| Some(*name) == field) {
            return crate::Failure::Input(format!("{flag}: {}", fe.message));
        }
    }
    crate::Failure::from(e)
}

/// [`flag_error`] for an engine error met while reading or gathering (`IoError::Core`).
pub fn flag_io_error(e: tranche_io::IoError, flags: &[(&str, &str)]) -> crate::Failure {
    match e {
        tranche_io::IoError::Core(c) => flag_error(c, flags),
        other => crate::Failure::from(other),
    }
}
