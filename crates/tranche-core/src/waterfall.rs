//! The waterfall: pool cash → fees → bonds → certificates, period by period.
//!
//! Output types here are the interface to analytics and reports; a [`DealRun`] carries
//! every date and rate that analytics needs, so pricing never re-reads the deal.

use crate::collateral::PoolCashflows;
use crate::deal::YearMonth;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Run to the clean-up call (pool sold at par, bonds retired) or to maturity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Horizon {
    /// To the deal's clean-up call, exercised on the first date it may be.
    Call,
    Maturity,
    /// The call exercised on the payment date in this month, whether or not the deal's
    /// call is exercisable then; coupons step up after the deal's own first call date.
    CallOn(YearMonth),
}

impl Horizon {
    /// `call`, `maturity` or `call:YYYY-MM`: the one spelling every front end uses.
    pub fn name(&self) -> String {
        match self {
            Horizon::Call => "call".into(),
            Horizon::Maturity => "maturity".into(),
            Horizon::CallOn(m) => format!("call:{m}"),
        }
    }

    /// Reads [`Horizon::name`]'s spellings (also `to_call`, `to_maturity`, any case).
    pub fn parse(s: &str) -> crate::Result<Self> {
        let t = s.trim().to_ascii_lowercase();
        match t.as_str() {
            "call" | "to_call" | "to call" => return Ok(Horizon::Call),
            "maturity" | "to_maturity" | "to maturity" => return Ok(Horizon::Maturity),
            _ => {}
        }
        t.strip_prefix("call:")
            .and_then(YearMonth::parse)
            .map(Horizon::CallOn)
            .ok_or_else(|| {
                crate::Error::invalid(
                    "horizon",
                    format!("expected `call`, `maturity` or `call:YYYY-MM`, found `{s}`"),
                )
            })
    }
}

/// Which limit set a bond's coupon in a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CapBinding {
    #[default]
    None,
    /// The Available Funds Rate.
    Afr,
    /// The fixed cap (e.g. 11.50%).
    Fixed,
}

/// Dates and rates of one payment period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PeriodInfo {
    pub period: u32,
    /// Business-day-adjusted payment date.
    pub payment_date: NaiveDate,
    /// First day of the interest accrual period (prior payment date, or closing).
    pub accrual_start: NaiveDate,
    /// Actual days in the accrual period.
    pub accrual_days: u32,
    /// The bonds' index rate for the period (decimal).
    pub bond_index_rate: f64,
    /// The Available Funds Rate as the term sheet's schedule shows it: net interest plus
    /// net derivative flows over the bonds' balance, × 360 / days (decimal per annum).
    pub available_rate: f64,
}

/// One bond in one period. Amounts in currency; rates decimal.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct BondPeriod {
    pub period: u32,
    pub begin_balance: f64,
    /// Coupon paid on: least of index + margin, the AFR and the fixed cap.
    pub coupon: f64,
    pub cap_binding: CapBinding,
    pub interest_due: f64,
    pub interest_paid: f64,
    /// Unpaid Interest Shortfall Amount outstanding after this period.
    pub interest_shortfall: f64,
    /// Basis Risk Amount paid this period (from derivatives or excess cash).
    pub basis_risk_paid: f64,
    /// Basis Risk Amount carried forward after this period.
    pub basis_risk_carryforward: f64,
    pub principal_paid: f64,
    pub writedown: f64,
    pub reimbursement: f64,
    pub end_balance: f64,
}

/// A bond's whole projected life.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BondFlows {
    pub name: String,
    pub original_balance: f64,
    /// Initial (pre-step-up) margin, decimal; 0 for fixed-rate bonds.
    pub margin: f64,
    pub periods: Vec<BondPeriod>,
}

impl BondFlows {
    /// Principal still outstanding when the run ended (the pool gone, the call exercised
    /// or the last period reached): never repaid, so a loss like a write-down.
    pub fn unpaid_principal(&self) -> f64 {
        self.periods
            .last()
            .map_or(self.original_balance, |p| p.end_balance)
    }

    /// Principal written down, less write-downs later reimbursed.
    pub fn net_writedown(&self) -> f64 {
        self.periods
            .iter()
            .map(|p| p.writedown - p.reimbursement)
            .sum()
    }

    /// Principal lost: write-downs not reimbursed plus principal never repaid.
    pub fn principal_loss(&self) -> f64 {
        self.net_writedown() + self.unpaid_principal()
    }
}

/// Everything one deal run produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealRun {
    pub horizon: Horizon,
    pub settlement: NaiveDate,
    pub periods: Vec<PeriodInfo>,
    pub collateral: PoolCashflows,
    pub bonds: Vec<BondFlows>,
    /// The period in which the clean-up call was exercised (call runs only).
    pub call_period: Option<u32>,
}

// The priority of payments, one module per rule of the term sheet (docs/architecture.md).
mod available_funds;
mod available_funds_rate;
mod basis_risk;
mod bond_interest_rate;
mod clean_up_call;
pub mod compiled;
mod derivative_contracts;
mod engine;
mod interest_distribution;
pub mod ledger;
mod overcollateralization;
mod position;
mod principal_distribution_amount;
mod priority_of_payments;
mod realized_losses;
mod state;
#[cfg(test)]
mod tests;
mod triggers;

pub use compiled::{CompiledDeal, MAX_PERIODS};
pub use engine::{run_compiled, run_from, run_with_ledger};
pub use ledger::{Ledger, LedgerPeriod, StepEntry, TriggerState};
pub use position::{BondCarry, Position, Stop};

/// Amounts below this are zero (a thousandth of a cent).
const EPS: f64 = 1e-5;

/// The rate of `index` in 1-based `period`; an index without a path is an error.
fn rate(rates: &RateCurves, index: &crate::tape::RateIndex, period: usize) -> crate::Result<f64> {
    rates.rate(index, period).ok_or_else(|| {
        crate::Error::Unrunnable(format!(
            "no rate path for index {index}: give it in the curves or the flat rates"
        ))
    })
}

use crate::deal::Deal;
use crate::rates::RateCurves;

/// Runs `deal`'s priority of payments over the pool's cash flows under `rates`.
pub fn run(
    deal: &Deal,
    pool: &PoolCashflows,
    rates: &RateCurves,
    horizon: Horizon,
) -> crate::Result<DealRun> {
    run_with_ledger(deal, pool, rates, horizon).map(|(r, _)| r)
}
