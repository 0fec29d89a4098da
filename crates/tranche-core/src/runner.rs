//! The one runner: (deal, pool, scenario) → bond cash flows, the trust's ledger and every
//! bond's analytics. The command-line tool, the table builders, the grid, the Arrow entry
//! point and Python all run deals through [`DealModel::run`].

use crate::collateral::{LoanPool, PoolCashflows, ProjectionOptions, RateEvents};
use crate::deal::Deal;
use crate::rates::RateCurves;
use crate::scenario::{resolve, Resolved, Scenario};
use crate::summary::{summarize_run_at, RunSummary};
use crate::waterfall::{run_compiled, CompiledDeal, DealRun, Ledger, MAX_PERIODS};
use crate::{Error, Result};
use rayon::prelude::*;

/// A deal, its pool and its forward curves, checked and compiled once and ready to run any
/// scenario.
#[derive(Debug, Clone)]
pub struct DealModel {
    pub deal: Deal,
    pub pool: LoanPool,
    /// The deal's forward curves (its directory's `curves.csv`), when it has some.
    pub curves: Option<RateCurves>,
    compiled: CompiledDeal,
}

/// What a run produces besides the bonds' flows and the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// The trust's ledger, every step of every period (tables and grids go without).
    pub ledger: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { ledger: true }
    }
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
        let compiled = CompiledDeal::new(&deal)?;
        if pool.is_empty() {
            return Err(Error::invalid("tape", "the pool has no loans"));
        }
        Ok(DealModel {
            deal,
            pool,
            curves,
            compiled,
        })
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

    fn project_with(&self, r: &Resolved, events: Option<&RateEvents>) -> Result<PoolCashflows> {
        let opts = ProjectionOptions {
            per_loan: false,
            max_periods: MAX_PERIODS as u32,
        };
        self.pool
            .project_with(&r.assumptions, &self.deal.pool_fees(), &opts, events)
    }

    /// Runs the deal under `scenario`, with the trust's ledger.
    pub fn run(&self, scenario: &Scenario) -> Result<RunOutput> {
        self.run_with(scenario, &RunOptions::default())
    }

    /// Runs the deal under `scenario`; the ledger is empty unless `opts.ledger`.
    pub fn run_with(&self, scenario: &Scenario, opts: &RunOptions) -> Result<RunOutput> {
        let r = self.resolve(scenario)?;
        let cf = self.project(&r, false)?;
        self.run_resolved(&r, &cf, opts)
    }

    /// Runs many scenarios in parallel, results in their order. Scenarios that differ only
    /// in horizon or price share one collateral projection (the projection does not depend
    /// on them), so a table's call and maturity columns cost one projection, not two.
    pub fn run_many(&self, scenarios: &[Scenario], opts: &RunOptions) -> Result<Vec<RunOutput>> {
        let resolved = scenarios
            .iter()
            .map(|s| self.resolve(s))
            .collect::<Result<Vec<_>>>()?;
        // Distinct projections by their assumptions (Debug prints every number exactly).
        let mut first: Vec<&Resolved> = Vec::new();
        let mut which = Vec::with_capacity(resolved.len());
        let mut seen = std::collections::HashMap::new();
        for r in &resolved {
            let k = *seen
                .entry(format!("{:?}", r.assumptions))
                .or_insert_with(|| {
                    first.push(r);
                    first.len() - 1
                });
            which.push(k);
        }
        // Projections on the same rates share the loans' rate changes.
        let mut by_rates: Vec<(&RateCurves, usize)> = Vec::new();
        for r in &first {
            match by_rates
                .iter_mut()
                .find(|(k, _)| *k == &r.assumptions.rates)
            {
                Some((_, n)) => *n += 1,
                None => by_rates.push((&r.assumptions.rates, 1)),
            }
        }
        let events = by_rates
            .iter()
            .filter(|(_, n)| *n > 1)
            .map(|(rates, _)| self.pool.rate_events(rates))
            .collect::<Result<Vec<_>>>()?;
        let flows = first
            .par_iter()
            .map(|r| {
                let shared = events.iter().find(|e| e.rates() == &r.assumptions.rates);
                self.project_with(r, shared)
            })
            .collect::<Result<Vec<_>>>()?;
        resolved
            .par_iter()
            .zip(which.par_iter())
            .map(|(r, k)| self.run_resolved(r, &flows[*k], opts))
            .collect()
    }

    /// The waterfall and the analytics over projected cash flows.
    fn run_resolved(
        &self,
        r: &Resolved,
        cf: &PoolCashflows,
        opts: &RunOptions,
    ) -> Result<RunOutput> {
        let (run, ledger) = run_compiled(
            &self.compiled,
            cf,
            &r.assumptions.rates,
            r.horizon,
            opts.ledger,
        )?;
        let summary = summarize_run_at(&run, r.price, &r.pricing, &self.deal.bonds)?;
        Ok(RunOutput {
            run,
            ledger,
            summary,
        })
    }
}
