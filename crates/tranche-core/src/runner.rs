//! The one runner: (deal, pool, scenario) → bond cash flows, the trust's ledger and every
//! bond's analytics. The command-line tool, the table builders, the grid, the Arrow entry
//! point and Python all run deals through [`DealModel::run`].

use crate::collateral::{LoanPool, PoolCashflows, ProjectionOptions};
use crate::deal::Deal;
use crate::rates::RateCurves;
use crate::scenario::{resolve, Resolved, Scenario};
use crate::summary::{summarize_run_at, RunSummary};
use crate::waterfall::{run_with_ledger, DealRun, Ledger, MAX_PERIODS};
use crate::{Error, Result};

/// A deal, its pool and its forward curves, checked once and ready to run any scenario.
#[derive(Debug, Clone)]
pub struct DealModel {
    pub deal: Deal,
    pub pool: LoanPool,
    /// The deal's forward curves (its directory's `curves.csv`), when it has some.
    pub curves: Option<RateCurves>,
}

/// Everything one run produced.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutput {
    pub run: DealRun,
    pub ledger: Ledger,
    pub summary: RunSummary,
}

impl DealModel {
    /// Checks the deal once; a deal that breaks a rule is an error here, not at each run.
    pub fn new(deal: Deal, pool: LoanPool, curves: Option<RateCurves>) -> Result<Self> {
        deal.check()?;
        if pool.is_empty() {
            return Err(Error::invalid("tape", "the pool has no loans"));
        }
        Ok(DealModel { deal, pool, curves })
    }

    /// The scenario resolved against this deal.
    pub fn resolve(&self, scenario: &Scenario) -> Result<Resolved> {
        resolve(&self.deal, self.curves.as_ref(), scenario)
    }

    /// The pool's cash flows under a resolved scenario.
    pub fn project(&self, r: &Resolved, per_loan: bool) -> Result<PoolCashflows> {
        let opts = ProjectionOptions {
            per_loan,
            max_periods: MAX_PERIODS as u32,
        };
        self.pool
            .project(&r.assumptions, &self.deal.pool_fees(), &opts)
    }

    /// Runs the deal under `scenario`.
    pub fn run(&self, scenario: &Scenario) -> Result<RunOutput> {
        let r = self.resolve(scenario)?;
        let cf = self.project(&r, false)?;
        let (run, ledger) = run_with_ledger(&self.deal, &cf, &r.assumptions.rates, r.horizon)?;
        let summary = summarize_run_at(&run, r.price, &r.pricing, &self.deal.bonds)?;
        Ok(RunOutput {
            run,
            ledger,
            summary,
        })
    }
}
