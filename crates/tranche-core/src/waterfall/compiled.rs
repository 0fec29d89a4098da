//! A deal compiled once for its runs: bond, trigger and index names resolved to positions,
//! the payment schedule laid out by period. Runs and grid cells only read it.

use crate::deal::{Condition, Deal, YearMonth, MAX_STEPS};
use crate::tape::RateIndex;
use crate::{Error, Result};
use chrono::NaiveDate;

/// Most periods a run may have (60 years of monthly payments).
pub const MAX_PERIODS: usize = 720;

/// Dates of one payment period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeriodDates {
    /// Business-day-adjusted payment date.
    pub payment_date: NaiveDate,
    /// Month of the unadjusted payment date (the clean-up call date is stated so).
    pub unadjusted_month: YearMonth,
    /// First day of the interest accrual period (prior payment date, or closing).
    pub accrual_start: NaiveDate,
    /// Actual days in the accrual period (at least 1).
    pub days: u32,
}

/// A step's trigger condition with the triggers as positions.
#[derive(Debug, Clone, PartialEq)]
pub enum When {
    Always,
    AnyFailing(Vec<usize>),
    AllPassing(Vec<usize>),
}

impl When {
    pub fn holds(&self, failing: &[bool]) -> bool {
        match self {
            When::Always => true,
            When::AnyFailing(ts) => ts.iter().any(|&t| failing[t]),
            When::AllPassing(ts) => !ts.iter().any(|&t| failing[t]),
        }
    }
}

/// The deal with every name resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledDeal {
    pub deal: Deal,
    /// Each bond's coupon index (`None` for a fixed-rate bond).
    pub bond_index: Vec<Option<RateIndex>>,
    /// The index the bonds' period index rate is reported on (the first floater's, else
    /// the pricing index).
    pub pricing_index: RateIndex,
    pub derivative_index: Vec<RateIndex>,
    /// Each step's bonds (all bonds in deal order when the step names none).
    pub step_bonds: Vec<Vec<usize>>,
    pub step_when: Vec<When>,
    /// Bonds written down, first to last.
    pub writedown_order: Vec<usize>,
    /// Triggers that block the OC stepdown while failing.
    pub stepdown_blocked_by: Vec<usize>,
    /// Dates of periods 1..=MAX_PERIODS at index `t - 1`.
    pub dates: Vec<PeriodDates>,
}

impl CompiledDeal {
    /// Checks the deal and resolves it; a deal that breaks a rule is an error here.
    pub fn new(deal: &Deal) -> Result<Self> {
        deal.check()?;
        if deal.waterfall.len() > MAX_STEPS {
            return Err(Error::Unrunnable(format!(
                "the waterfall has {} steps; at most {MAX_STEPS} are allowed",
                deal.waterfall.len()
            )));
        }
        let bond = |n: &String| deal.bond_index(n);
        let trigger = |n: &String| deal.triggers.iter().position(|t| &t.name == n);
        let bond_index: Vec<Option<RateIndex>> = deal.bonds.iter().map(|b| b.index()).collect();
        let pricing_index = bond_index
            .iter()
            .flatten()
            .next()
            .cloned()
            .unwrap_or_else(|| RateIndex::parse(&deal.pricing.index));
        let mut dates = Vec::with_capacity(MAX_PERIODS);
        for t in 1..=MAX_PERIODS as u32 {
            let payment_date = deal.payment_date(t);
            let accrual_start = if t == 1 {
                deal.dates.closing
            } else {
                dates
                    .last()
                    .map_or(deal.dates.closing, |d: &PeriodDates| d.payment_date)
            };
            dates.push(PeriodDates {
                payment_date,
                unadjusted_month: YearMonth::of(deal.unadjusted_payment_date(t)),
                accrual_start,
                days: (payment_date - accrual_start).num_days().max(1) as u32,
            });
        }
        Ok(CompiledDeal {
            bond_index,
            pricing_index,
            derivative_index: deal
                .derivatives
                .iter()
                .map(|d| RateIndex::parse(&d.index))
                .collect(),
            step_bonds: deal
                .waterfall
                .iter()
                .map(|s| {
                    if s.bonds.is_empty() {
                        (0..deal.bonds.len()).collect()
                    } else {
                        s.bonds.iter().filter_map(bond).collect()
                    }
                })
                .collect(),
            step_when: deal
                .waterfall
                .iter()
                .map(|s| match &s.when {
                    None => When::Always,
                    Some(Condition::AnyFailing(ns)) => {
                        When::AnyFailing(ns.iter().filter_map(trigger).collect())
                    }
                    Some(Condition::AllPassing(ns)) => {
                        When::AllPassing(ns.iter().filter_map(trigger).collect())
                    }
                })
                .collect(),
            writedown_order: deal
                .realized_losses
                .writedown_order
                .iter()
                .filter_map(bond)
                .collect(),
            stepdown_blocked_by: deal
                .overcollateralization
                .stepdown
                .as_ref()
                .map(|s| s.blocked_by.iter().filter_map(trigger).collect())
                .unwrap_or_default(),
            dates,
            deal: deal.clone(),
        })
    }
}
