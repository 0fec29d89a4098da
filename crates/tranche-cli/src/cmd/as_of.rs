//! Surveillance flags: a run from where a deal stood after a payment date (`--as-of`,
//! `--state`, `--tape`), the pool's actual figures for the periods after it (`--actuals`),
//! and a run stopped at one whose state, pool and pool figures are written (`--until`,
//! `--write-state`, `--write-tape`, `--write-actuals`). See `docs/surveillance.md`.

use super::tables_common::{self, Loaded};
use crate::Failure;
use std::path::{Path, PathBuf};
use tranche_core::collateral::LoanPool;
use tranche_core::deal::YearMonth;
use tranche_core::runner::{DealModel, Reached};
use tranche_core::surveillance::{current_loans, ActualPeriod, Actuals};
use tranche_core::tape::Loan;
use tranche_io::outputs::{Input, OutFile, Outputs};

#[derive(clap::Args, Debug, Clone, Default)]
pub struct AsOfArgs {
    /// Run from the deal as it stood after this month's payment date (YYYY-MM): its state
    /// (--state) and its pool then (--tape); vectors and curves are read from the next
    /// period on.
    #[arg(long, value_name = "YYYY-MM", requires_all = ["state", "tape"], help_heading = "Surveillance")]
    pub as_of: Option<String>,
    /// The deal state as of --as-of (JSON, docs/deal-state.schema.json).
    #[arg(
        long,
        value_name = "FILE",
        requires = "as_of",
        help_heading = "Surveillance"
    )]
    pub state: Option<PathBuf>,
    /// The current tape: the loans as they stand after --as-of's payment date.
    #[arg(
        long,
        value_name = "FILE",
        requires = "as_of",
        help_heading = "Surveillance"
    )]
    pub tape: Option<PathBuf>,
    /// The pool's actual figures for the payment dates after the start (the cut-off, or
    /// --as-of): a CSV in the shape of a trustee's remittance report
    /// (docs/surveillance.md). They drive the waterfall for their periods; the model takes
    /// over after the last.
    #[arg(long, value_name = "FILE", help_heading = "Surveillance")]
    pub actuals: Option<PathBuf>,
}

/// `run`'s flags for a run stopped at a payment date.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct UntilArgs {
    /// Stop after this month's payment date (YYYY-MM): the run's periods up to it.
    #[arg(
        long,
        value_name = "YYYY-MM",
        conflicts_with = "eff_shift",
        help_heading = "Surveillance"
    )]
    pub until: Option<String>,
    /// Write the deal's state after --until's payment date (JSON).
    #[arg(
        long,
        value_name = "FILE",
        requires = "until",
        help_heading = "Surveillance"
    )]
    pub write_state: Option<PathBuf>,
    /// Write the pool as it stands after --until's payment date (a current tape, CSV).
    #[arg(
        long,
        value_name = "FILE",
        requires = "until",
        help_heading = "Surveillance"
    )]
    pub write_tape: Option<PathBuf>,
    /// Write the pool's figures for the periods run up to --until as actuals (CSV), as
    /// --actuals reads them.
    #[arg(
        long,
        value_name = "FILE",
        requires = "until",
        help_heading = "Surveillance"
    )]
    pub write_actuals: Option<PathBuf>,
}

/// A month flag's value.
fn month(flag: &str, raw: &str) -> Result<YearMonth, Failure> {
    Ok(tranche_io::as_of::month(flag, raw)?)
}

/// A deal ready to run, from its cut-off or from a state, with the loans of its tape when
/// a current tape is to be written from them.
pub struct AsOfLoaded {
    pub model: DealModel,
    pub inputs: Vec<Input>,
    pub loans: Vec<Loan>,
}

impl AsOfArgs {
    /// Loads the deal: from its cut-off tape, or placed at `--state` with `--tape`.
    pub fn load_model(&self, deal: &Path, check: super::TapeCheck) -> Result<Loaded, Failure> {
        let l = self.load(deal, check, false)?;
        Ok(Loaded {
            model: l.model,
            inputs: l.inputs,
        })
    }

    /// [`AsOfArgs::load_model`], keeping the loans of the tape when `loans` (to write a
    /// current tape from them).
    pub fn load(
        &self,
        deal: &Path,
        check: super::TapeCheck,
        loans: bool,
    ) -> Result<AsOfLoaded, Failure> {
        let mut l = self.load_start(deal, check, loans)?;
        if let Some(p) = &self.actuals {
            let af = tranche_io::actuals::read_actuals(p)?;
            l.model = af.place(l.model)?;
            l.inputs.push(Input::file(p, "the actuals"));
        }
        Ok(l)
    }

    /// The model from the cut-off or the state, before any actuals.
    fn load_start(
        &self,
        deal: &Path,
        check: super::TapeCheck,
        loans: bool,
    ) -> Result<AsOfLoaded, Failure> {
        if self.as_of.is_none() && !loans {
            let Loaded { model, inputs } = tables_common::load(deal, check)?;
            return Ok(AsOfLoaded {
                model,
                inputs,
                loans: Vec::new(),
            });
        }
        if let (Some(m), Some(state), Some(tape)) = (&self.as_of, &self.state, &self.tape) {
            let at = tranche_io::as_of::AsOf {
                name: "--as-of",
                month: m,
                state,
                tape,
            };
            let p = tranche_io::as_of::load_at(deal, check.strict, &at)?;
            super::print_warnings(&p.warnings);
            return Ok(AsOfLoaded {
                model: p.model,
                inputs: p.inputs,
                loans: p.loans,
            });
        }
        // From the cut-off, keeping the tape's loans (a current tape is to be written).
        let (ld, _) = tranche_io::deal::load_deal_current(deal, check.strict, None, None)?;
        super::print_warnings(&ld.warnings);
        if ld.loans.is_empty() {
            return tables_common::load(deal, check).map(|l| AsOfLoaded {
                model: l.model,
                inputs: l.inputs,
                loans: Vec::new(),
            });
        }
        let pool = LoanPool::from_loans(&ld.loans)?;
        Ok(AsOfLoaded {
            model: DealModel::new(ld.deal, pool, ld.curves)?,
            inputs: ld.inputs,
            loans: ld.loans,
        })
    }
}

impl UntilArgs {
    /// The month of `--until`, if given.
    pub fn until(&self) -> Result<Option<YearMonth>, Failure> {
        self.until
            .as_deref()
            .map(|u| month("--until", u))
            .transpose()
    }

    /// The files `--write-state` and `--write-tape` name, checked against the run's
    /// inputs before any work is done.
    pub fn outputs(&self, inputs: &[Input]) -> Result<Writes, Failure> {
        let mut guard = Outputs::new(inputs);
        let state = self
            .write_state
            .as_deref()
            .map(|p| guard.file("--write-state", p, tranche_io::state::state_signature()))
            .transpose()?;
        let tape = self
            .write_tape
            .as_deref()
            .map(|p| {
                guard.file(
                    "--write-tape",
                    p,
                    tranche_io::tape_write::current_tape_signature(),
                )
            })
            .transpose()?;
        let actuals = self
            .write_actuals
            .as_deref()
            .map(|p| {
                guard.file(
                    "--write-actuals",
                    p,
                    tranche_io::actuals::actuals_signature(),
                )
            })
            .transpose()?;
        Ok(Writes {
            state,
            tape,
            actuals,
        })
    }
}

/// The state, current tape and actuals a run stopped at a payment date writes.
pub struct Writes {
    state: Option<OutFile>,
    tape: Option<OutFile>,
    actuals: Option<OutFile>,
}

impl Writes {
    /// Writes where `reached` left the deal; `loaded` gave the loans it started from.
    pub fn write(&self, reached: &Reached, loaded: &AsOfLoaded) -> Result<(), Failure> {
        if let Some(f) = &self.state {
            f.write(&tranche_io::state::state_json(&reached.state)?)?;
        }
        if let Some(f) = &self.tape {
            let (loans, payments) = current_loans(&loaded.loans, &reached.loans, reached.months);
            f.write(&tranche_io::tape_write::current_tape_csv_bytes(
                &loans, &payments,
            )?)?;
        }
        if let Some(f) = &self.actuals {
            let deal = &loaded.model.deal;
            let periods = reached
                .output
                .run
                .collateral
                .periods
                .iter()
                .map(|p| {
                    let month = YearMonth::of(deal.unadjusted_payment_date(p.period));
                    ActualPeriod::from_model(month, p)
                })
                .collect();
            f.write(&tranche_io::actuals::actuals_csv(&Actuals { periods }))?;
        }
        Ok(())
    }
}
