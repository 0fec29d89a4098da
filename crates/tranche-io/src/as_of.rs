//! A deal loaded where it stood after a payment date: its deal state and current tape of
//! that date, checked against each other and the deal (`docs/surveillance.md`). The
//! command line's `--as-of` and Python's `as_of=` load through here, so both check and
//! word everything alike, each under its own name for the month.

use crate::deal::load_deal_current;
use crate::outputs::Input;
use crate::state::read_state;
use crate::tape::TapeWarnings;
use crate::IoError;
use std::path::Path;
use tranche_core::collateral::LoanPool;
use tranche_core::deal::YearMonth;
use tranche_core::runner::DealModel;
use tranche_core::tape::Loan;

/// Where a deal stands after a payment date: the month, the deal state as of it and the
/// current tape; `name` is the front end's name of the month's input (`--as-of`, `as_of`).
#[derive(Debug, Clone, Copy)]
pub struct AsOf<'a> {
    pub name: &'a str,
    pub month: &'a str,
    pub state: &'a Path,
    pub tape: &'a Path,
}

/// A deal placed at a deal state.
pub struct Placed {
    pub model: DealModel,
    /// Every file read (deal file, curves, current tape, state), for the output guard.
    pub inputs: Vec<Input>,
    /// The current tape's loans, paid-off rows included (pool order).
    pub loans: Vec<Loan>,
    pub warnings: TapeWarnings,
}

/// A month input's value, `YYYY-MM`.
pub fn month(name: &str, raw: &str) -> Result<YearMonth, IoError> {
    YearMonth::parse(raw.trim())
        .ok_or_else(|| IoError::Inputs(format!("{name}: expected a month YYYY-MM, found `{raw}`")))
}

/// The deal at `path` placed at `at`: the state must be as of the month, the current
/// tape's total its performing balance; every run then projects the periods after it.
pub fn load_at(path: &Path, strict: bool, at: &AsOf<'_>) -> Result<Placed, IoError> {
    let m = month(at.name, at.month)?;
    let sf = read_state(at.state)?;
    if sf.state.as_of != m {
        return Err(IoError::Inputs(format!(
            "{} {m}: the deal state {} is as of {}; expected a state as of {m}",
            at.name,
            sf.path.display(),
            sf.state.as_of
        )));
    }
    // A current tape's `next_reset_date` counts from the as-of month as a cut-off tape's
    // counts from the cut-off.
    let from = chrono::NaiveDate::from_ymd_opt(m.year, m.month, 1);
    let (ld, payments) = load_deal_current(path, strict, Some(at.tape), from)?;
    let on_tape = |e: tranche_core::Error| IoError::Inputs(format!("{}: {e}", at.tape.display()));
    let mut pool = LoanPool::from_loans(&ld.loans).map_err(on_tape)?;
    if payments.iter().any(Option::is_some) {
        pool.set_level_payments(&payments).map_err(on_tape)?;
    }
    let model = DealModel::new(ld.deal, pool, ld.curves)
        .map_err(|e| IoError::Inputs(format!("{}: {e}", path.display())))?;
    let model = sf.place(model)?;
    let mut inputs = ld.inputs;
    inputs.push(Input::file(&sf.path, "the deal state"));
    Ok(Placed {
        model,
        inputs,
        loans: ld.loans,
        warnings: ld.warnings,
    })
}
