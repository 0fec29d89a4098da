//! The engine behind [`DealRunner`]: a [`Deal`], its [`LoanPool`] and the waterfall.

use super::{afr_from_run, ClassInfo, DealRunner, RunSpec};
use crate::assumptions::DefaultCurve;
use crate::collateral::LoanPool;
use crate::deal::Deal;
use crate::tape::RateIndex;
use crate::waterfall::{run_deal, run_deal_with_ledger, DealRun};
use crate::{Error, Result};
use chrono::NaiveDate;

/// A deal and its pool, ready to run any [`RunSpec`].
#[derive(Debug, Clone, Copy)]
pub struct DealContext<'a> {
    pub deal: &'a Deal,
    pub pool: &'a LoanPool,
}

impl<'a> DealContext<'a> {
    pub fn new(deal: &'a Deal, pool: &'a LoanPool) -> Self {
        DealContext { deal, pool }
    }

    /// The classes as the term-sheet summary lists them (type from the coupon).
    pub fn classes(&self) -> Vec<ClassInfo> {
        self.deal
            .bonds
            .iter()
            .map(|b| ClassInfo {
                name: b.name.clone(),
                balance: b.balance,
                tranche_type: if b.index().is_some() {
                    "Floating Rate".into()
                } else {
                    "Fixed Rate".into()
                },
            })
            .collect()
    }

    /// Cash the derivative contracts pay the trust in each period of `run` (negative: paid
    /// by the trust), under the spec's rates. A notional limited to the bond balance is
    /// scaled down to it.
    pub fn derivative_cash(&self, spec: &RunSpec, run: &DealRun) -> Result<Vec<f64>> {
        let mut out = Vec::with_capacity(run.periods.len());
        for p in &run.periods {
            let bonds: f64 = run
                .bonds
                .iter()
                .filter_map(|b| b.periods.iter().find(|bp| bp.period == p.period))
                .map(|bp| bp.begin_balance)
                .sum();
            let limited: f64 = self
                .deal
                .derivatives
                .iter()
                .filter(|d| d.limited_to_bond_balance)
                .map(|d| d.notional_at(p.payment_date))
                .sum();
            let scale = if limited > bonds && limited > 0.0 {
                bonds / limited
            } else {
                1.0
            };
            let mut cash = 0.0;
            for d in &self.deal.derivatives {
                let idx = RateIndex::parse(&d.index);
                let rate = spec.rates.rate(&idx, p.period as usize).ok_or_else(|| {
                    Error::invalid(
                        "rates",
                        format!("no path for index {idx} of derivative {}", d.name),
                    )
                })?;
                let n = d.notional_at(p.payment_date)
                    * if d.limited_to_bond_balance {
                        scale
                    } else {
                        1.0
                    };
                cash += d.payoff_rate(rate) * n * f64::from(p.accrual_days) / 360.0;
            }
            out.push(cash);
        }
        Ok(out)
    }
}

impl DealContext<'_> {
    fn scenario(&self, spec: &RunSpec) -> crate::assumptions::Scenario {
        self.deal.scenario(
            spec.speed_pct,
            DefaultCurve::Cdr { cdr: spec.cdr },
            spec.severity,
            spec.lag,
            spec.rates.clone(),
        )
    }
}

impl DealRunner for DealContext<'_> {
    fn settlement(&self) -> NaiveDate {
        self.deal.dates.settlement
    }

    fn run(&self, spec: &RunSpec) -> Result<DealRun> {
        run_deal(self.deal, self.pool, &self.scenario(spec), spec.horizon)
    }

    /// Without the spec, derivatives are assumed to follow the bonds' index.
    fn available_funds_rates(&self, run: &DealRun) -> Result<Vec<f64>> {
        let mut rates = crate::rates::RateCurves::default();
        let path = crate::rates::RatePath {
            values: run.periods.iter().map(|p| p.bond_index_rate).collect(),
        };
        for d in &self.deal.derivatives {
            rates.set(RateIndex::parse(&d.index), path.clone());
        }
        let spec = RunSpec::pricing(100.0, rates, run.horizon);
        Ok(afr_from_run(run, &self.derivative_cash(&spec, run)?))
    }

    /// The waterfall's own "Available Rate" (net interest plus net derivative flows over
    /// the bonds, × 360 / days) from the trust ledger of the same run.
    fn available_funds_rates_for(&self, spec: &RunSpec, run: &DealRun) -> Result<Vec<f64>> {
        let (again, ledger) =
            run_deal_with_ledger(self.deal, self.pool, &self.scenario(spec), spec.horizon)?;
        if again.periods.len() != run.periods.len() {
            return Err(Error::Unrunnable(
                "the ledger run differs from the run it should describe".into(),
            ));
        }
        Ok(ledger.periods.iter().map(|p| p.available_rate).collect())
    }
}
