//! The one runner: (deal, pool, scenario) → bond cash flows, the trust's ledger and every
//! bond's analytics. The command-line tool, the table builders, the grid, the Arrow entry
//! point and Python all run deals through [`DealModel::run`].

use crate::collateral::{
    LoanEnd, LoanPool, PoolCashflows, PoolStart, ProjectionOptions, RateEvents,
};
use crate::deal::{Deal, YearMonth};
use crate::rates::RateCurves;
use crate::scenario::{resolve, Resolved, Scenario};
use crate::summary::{summarize_run_at, RunSummary};
use crate::surveillance::{period_of, rescale, state_at, Actuals, DealState};
use crate::waterfall::{
    run_compiled, run_from, CompiledDeal, DealRun, Horizon, Ledger, Position, Stop, MAX_PERIODS,
};
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
    /// Where runs start when not at the cut-off (see [`DealModel::at`]).
    start: Option<Start>,
    /// The pool's actual figures for the first periods run (see
    /// [`DealModel::with_actuals`]).
    actuals: Option<Actuals>,
}

/// A deal state as the projection and the waterfall start from it.
#[derive(Debug, Clone)]
struct Start {
    as_of: YearMonth,
    pool: PoolStart,
    position: Position,
}

/// Where a run stopped at a payment date left the deal (see [`DealModel::run_until`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Reached {
    /// The run up to and including that payment date.
    pub output: RunOutput,
    /// The deal after it.
    pub state: DealState,
    /// Every loan after it, in pool order (see [`crate::surveillance::current_loans`]).
    pub loans: Vec<LoanEnd>,
    /// Months from the run's start (the cut-off or the model's as-of date).
    pub months: u32,
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
            start: None,
            actuals: None,
        })
    }

    /// The model run from `state` rather than from the cut-off: the deal as it stood after
    /// the distribution on a payment date, its pool (this model's) the current tape of that
    /// date. Every run then projects the periods after it; vectors, curves and shocks are
    /// read from their period 1 on, the first period after the as-of date. A state that
    /// contradicts the deal or the tape is an error naming its field.
    pub fn at(mut self, state: &DealState) -> Result<Self> {
        if self.actuals.is_some() {
            return Err(Error::invalid(
                "actuals",
                "set the state before the actuals: they follow its as-of date",
            ));
        }
        let (pool, position) = state.start(&self.deal, &self.pool)?;
        self.start = Some(Start {
            as_of: state.as_of,
            pool,
            position,
        });
        Ok(self)
    }

    /// The model with the pool's actual figures (a trustee's remittance reports) for the
    /// payment dates right after where runs start: they take the collateral model's place
    /// for those periods, and the model takes over after the last, its loans scaled to the
    /// balances reported then ([`rescale`]). Set after [`DealModel::at`]. Figures that
    /// contradict themselves or the start are an error naming row and column.
    pub fn with_actuals(mut self, actuals: Actuals) -> Result<Self> {
        let (first, begin, awaiting) = match &self.start {
            Some(s) => (s.as_of.next(), self.pool.total_balance(), s.pool.pending),
            None => (
                YearMonth::of(self.deal.dates.first_payment),
                self.pool.total_balance(),
                0.0,
            ),
        };
        let errs = actuals.check(first, begin, awaiting);
        if !errs.is_empty() {
            return Err(Error::InvalidMany(errs));
        }
        self.actuals = Some(actuals);
        Ok(self)
    }

    /// The as-of month runs start after, when not the cut-off.
    pub fn as_of(&self) -> Option<YearMonth> {
        self.start.as_ref().map(|s| s.as_of)
    }

    /// Where runs start from an as-of date: the trust after that payment date (each bond's
    /// balance and carries, in the deal's order); `None` from the cut-off.
    pub fn position(&self) -> Option<&Position> {
        self.start.as_ref().map(|s| &s.position)
    }

    /// The scenario resolved against this deal. From an as-of date, bonds settle on its
    /// payment date unless the scenario says a later date.
    pub fn resolve(&self, scenario: &Scenario) -> Result<Resolved> {
        let mut r = resolve(&self.deal, self.curves.as_ref(), scenario)?;
        if let Some(s) = &self.start {
            let paid = self.deal.payment_date(s.position.period);
            match scenario.settlement {
                None => {
                    r.pricing.settlement = paid;
                    r.pricing.settles_flat = true;
                }
                Some(d) if d < paid => {
                    return Err(Error::invalid(
                        "settlement",
                        format!(
                            "expected a date on or after the as-of payment date ({paid}), \
                             found {d}"
                        ),
                    ))
                }
                Some(_) => {}
            }
        }
        if let (Some(s), Horizon::CallOn(m)) = (&self.start, r.horizon) {
            if m <= s.as_of {
                return Err(Error::invalid(
                    "call_date",
                    format!(
                        "expected a month after the as-of date ({}), found {m}",
                        s.as_of
                    ),
                ));
            }
        }
        Ok(r)
    }

    fn options(per_loan: bool) -> ProjectionOptions {
        ProjectionOptions {
            per_loan,
            max_periods: MAX_PERIODS as u32,
        }
    }

    fn pool_start(&self) -> PoolStart {
        self.start
            .as_ref()
            .map(|s| s.pool.clone())
            .unwrap_or_default()
    }

    /// The pool's cash flows under a resolved scenario.
    pub fn project(&self, r: &Resolved, per_loan: bool) -> Result<PoolCashflows> {
        self.project_with(r, per_loan, None)
    }

    fn project_with(
        &self,
        r: &Resolved,
        per_loan: bool,
        events: Option<&RateEvents>,
    ) -> Result<PoolCashflows> {
        if self.actuals.is_some() {
            return Ok(self.collateral(r, per_loan, None)?.0);
        }
        self.pool.project_from(
            &r.assumptions,
            &self.deal.pool_fees(),
            &Self::options(per_loan),
            &self.pool_start(),
            events,
        )
    }

    /// The pool's flows from the start, through `through` periods if given (with where the
    /// pool then stands): the actuals for their periods, then the model.
    fn collateral(
        &self,
        r: &Resolved,
        per_loan: bool,
        through: Option<u32>,
    ) -> Result<(PoolCashflows, crate::collateral::PoolEnd)> {
        let fees = self.deal.pool_fees();
        let opts = Self::options(per_loan);
        let start = self.pool_start();
        let Some(actuals) = &self.actuals else {
            return match through {
                Some(t) => self
                    .pool
                    .project_through(&r.assumptions, &fees, &opts, &start, t),
                None => Ok((
                    self.pool
                        .project_from(&r.assumptions, &fees, &opts, &start, None)?,
                    Default::default(),
                )),
            };
        };
        if per_loan {
            return Err(Error::invalid(
                "per_loan",
                "loan-level flows are not known for the periods the actuals cover",
            ));
        }
        let n = actuals.periods.len() as u32;
        let m = through.map_or(n, |t| t.min(n));
        let (_, mut end) = self
            .pool
            .project_through(&r.assumptions, &fees, &opts, &start, m)?;
        let k0 = start.period;
        let used = &actuals.periods[..m as usize];
        let last = &used[used.len() - 1];
        if end.start.period < k0 + m {
            // The model's pool ran out early: nothing left to scale, so the actuals must
            // leave nothing either.
            end.start.period = k0 + m;
        }
        rescale(&mut end, last, k0 + m)?;
        let mut cf = PoolCashflows {
            periods: used
                .iter()
                .zip(k0 + 1..)
                .map(|(a, t)| a.pool_period(t))
                .collect(),
            loans: Vec::new(),
        };
        if through.is_some_and(|t| t <= n) {
            return Ok((cf, end));
        }
        let pool = self.pool.aged(&end.loans, m)?;
        let later = r.assumptions.after(m);
        let (rest, end) = match through {
            Some(t) => pool.project_through(&later, &fees, &opts, &end.start, t - m)?,
            None => (
                pool.project_from(&later, &fees, &opts, &end.start, None)?,
                Default::default(),
            ),
        };
        cf.periods.extend(rest.periods);
        Ok((cf, end))
    }

    /// Runs the deal under `scenario` through the payment date in month `until` and returns
    /// where that leaves it: the state and every loan after that date. A run that ends
    /// before (the call exercised, the bonds or the pool paid off) is an error.
    pub fn run_until(&self, scenario: &Scenario, until: YearMonth) -> Result<Reached> {
        let r = self.resolve(scenario)?;
        let from = self.start.as_ref().map_or(0, |s| s.position.period);
        let t = period_of(&self.deal, until)
            .filter(|t| *t > from)
            .ok_or_else(|| {
                let after = self.as_of().map_or_else(
                    || {
                        format!(
                            "the first payment date ({})",
                            YearMonth::of(self.deal.dates.first_payment)
                        )
                    },
                    |m| format!("the month after the as-of date {m}"),
                );
                Error::invalid(
                    "until",
                    format!("expected a payment month from {after} on, found {until}"),
                )
            })?;
        let (cf, pool_end) = self.collateral(&r, false, Some(t - from))?;
        let start = self.start.as_ref().map(|s| &s.position);
        let (run, ledger, (position, stop)) = run_from(
            &self.compiled,
            &cf,
            &r.assumptions.rates,
            r.horizon,
            true,
            start,
            Some(t),
        )?;
        let month = |p: u32| YearMonth::of(self.deal.unadjusted_payment_date(p));
        match stop {
            Stop::Reached => {}
            Stop::Called(p) => {
                return Err(Error::Unrunnable(format!(
                    "the clean-up call is exercised in {}, before {until}; run to maturity \
                     (--to maturity) to reach {until}",
                    month(p)
                )))
            }
            Stop::Ended(p) => {
                return Err(Error::Unrunnable(format!(
                    "the run ends in {} (the bonds or the pool paid off), before {until}",
                    month(p)
                )))
            }
        }
        let summary = self.summarize(&run, &r)?;
        Ok(Reached {
            state: state_at(&self.deal, &position, &pool_end),
            loans: pool_end.loans,
            months: t - from,
            output: RunOutput {
                run,
                ledger,
                summary,
            },
        })
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
                self.project_with(r, false, shared)
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
        let (run, ledger) = match &self.start {
            None => run_compiled(
                &self.compiled,
                cf,
                &r.assumptions.rates,
                r.horizon,
                opts.ledger,
            )?,
            Some(s) => {
                let (run, ledger, _) = run_from(
                    &self.compiled,
                    cf,
                    &r.assumptions.rates,
                    r.horizon,
                    opts.ledger,
                    Some(&s.position),
                    None,
                )?;
                (run, ledger)
            }
        };
        let summary = self.summarize(&run, r)?;
        Ok(RunOutput {
            run,
            ledger,
            summary,
        })
    }

    /// The run's analytics; pool losses as a percent of the Cut-off Date Balance also when
    /// the run starts after the cut-off.
    /// From an as-of date, a bond's write-downs not reimbursed by then count in its
    /// write-downs and principal loss: a reimbursement after the date offsets them, and a
    /// breakeven sees the loss the bond ends with.
    fn summarize(&self, run: &DealRun, r: &Resolved) -> Result<RunSummary> {
        let mut summary = summarize_run_at(run, r.price, &r.pricing, &self.deal.bonds)?;
        if let Some(s) = &self.start {
            summary.pool_loss_pct = 100.0 * summary.pool_loss / s.position.cut_off;
            for (b, (bond, carry)) in summary
                .bonds
                .iter_mut()
                .zip(self.deal.bonds.iter().zip(&s.position.bonds))
            {
                if carry.allocated_loss > 0.0 && b.bond == bond.name {
                    b.writedown += carry.allocated_loss;
                    if b.original_balance > 0.0 {
                        b.principal_loss_pct = 100.0
                            * (b.writedown - b.reimbursed + b.unpaid_principal)
                            / b.original_balance;
                    }
                }
            }
        }
        Ok(summary)
    }
}
