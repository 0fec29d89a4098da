//! The engine behind [`DealRunner`]: a [`Deal`], its [`LoanPool`] and the waterfall.

use super::{ClassInfo, DealRunner, RunSpec};
use crate::assumptions::{DefaultCurve, Scenario};
use crate::collateral::LoanPool;
use crate::deal::{Coupon, Deal};
use crate::waterfall::{run_deal, DealRun};
use crate::Result;
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
                tranche_type: match b.coupon {
                    Coupon::Floating { .. } => "Floating Rate".into(),
                    Coupon::Fixed { .. } => "Fixed Rate".into(),
                },
            })
            .collect()
    }

    /// The collateral scenario of a spec: the deal's pricing curves scaled to the spec's
    /// speed, its defaults and its rates.
    fn scenario(&self, spec: &RunSpec) -> Scenario {
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
}

/// A [`DealContext`] that owns its deal and pool, for front ends that load a deal once
/// and keep it.
#[derive(Debug, Clone)]
pub struct DealModel {
    pub deal: Deal,
    pub pool: LoanPool,
}

impl DealModel {
    pub fn new(deal: Deal, pool: LoanPool) -> Self {
        DealModel { deal, pool }
    }

    pub fn context(&self) -> DealContext<'_> {
        DealContext::new(&self.deal, &self.pool)
    }
}

impl DealRunner for DealModel {
    fn settlement(&self) -> NaiveDate {
        self.context().settlement()
    }

    fn run(&self, spec: &RunSpec) -> Result<DealRun> {
        self.context().run(spec)
    }
}
