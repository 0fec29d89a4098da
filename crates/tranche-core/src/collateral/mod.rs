//! Collateral projection: loan-level, monthly, to the last maturity.
//!
//! Within a month: defaults first, then the scheduled payment on surviving loans, then
//! voluntary prepayment on what is left (BMA SF-C). The tape is turned into
//! struct-of-arrays once ([`LoanPool`]); the projection does not allocate per period.

mod assemble;
mod kernel;
mod pool;
mod project;
mod resets;
mod start;

pub use pool::LoanPool;
pub use project::RateEvents;
pub use resets::{level_payment, reset_rate};
pub use start::{next_reset, Cohort, LoanEnd, PoolEnd, PoolStart};

use serde::{Deserialize, Serialize};

/// Deal-level fee rates charged on the pool balance (decimal per annum).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct PoolFees {
    pub master_servicing: f64,
    pub trustee: f64,
}

/// Pool totals for one monthly period. Interest and fees are cash for the period.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct PoolPeriod {
    /// 1-based period after the cut-off date.
    pub period: u32,
    /// Performing balance at the start of the period.
    pub begin_balance: f64,
    pub scheduled_principal: f64,
    pub prepaid_principal: f64,
    /// Balance that defaulted this period (leaves the performing balance).
    pub defaulted_principal: f64,
    /// Liquidation proceeds received this period (from defaults `lag` months ago).
    pub recoveries: f64,
    /// Defaulted balance less recoveries, realized at liquidation.
    pub realized_loss: f64,
    /// Principal advanced by the servicer on defaulted, not yet liquidated loans.
    pub advanced_principal: f64,
    /// Gross interest collected (plus advanced, when advancing is on).
    pub gross_interest: f64,
    pub servicing_fee: f64,
    pub master_servicing_fee: f64,
    pub trustee_fee: f64,
    pub mi_fee: f64,
    /// Gross interest less the four fees above.
    pub net_interest: f64,
    /// Performing balance at the end of the period.
    pub end_balance: f64,
    /// Defaulted balance awaiting liquidation at the end of the period.
    pub pending_default_balance: f64,
    /// Balance 60 days or more delinquent at the end of the period, foreclosure and REO
    /// included: what a delinquency trigger measures. The model counts the defaults
    /// awaiting liquidation; actuals report it (docs/surveillance.md).
    #[serde(default)]
    pub delinquent_60_plus: f64,
    /// Balance-weighted gross coupon on the beginning balance (decimal).
    pub wac: f64,
    /// `wac` less servicing, master servicing, trustee and MI fee rates (decimal).
    pub net_wac: f64,
}

impl PoolPeriod {
    /// Principal cash received: scheduled + prepaid + recoveries (+ advances).
    pub fn principal_cash(&self) -> f64 {
        self.scheduled_principal
            + self.prepaid_principal
            + self.recoveries
            + self.advanced_principal
    }
}

/// Per-loan output of one period (only when asked for).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct LoanPeriod {
    pub loan: u32,
    pub period: u32,
    pub begin_balance: f64,
    pub rate: f64,
    pub scheduled_principal: f64,
    pub prepaid_principal: f64,
    pub defaulted_principal: f64,
    pub interest: f64,
    pub end_balance: f64,
}

/// The pool's monthly cash flows.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PoolCashflows {
    pub periods: Vec<PoolPeriod>,
    /// Filled only when [`ProjectionOptions::per_loan`] is set.
    pub loans: Vec<LoanPeriod>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProjectionOptions {
    pub per_loan: bool,
    /// Hard limit on periods; a longer projection is an error, not a silent cut.
    pub max_periods: u32,
}

impl Default for ProjectionOptions {
    fn default() -> Self {
        ProjectionOptions {
            per_loan: false,
            max_periods: 720,
        }
    }
}

/// Loans per work unit. Fixed, so that the partition (and the order in which chunk
/// results are summed) never depends on the number of threads: results are bit-identical
/// with 1 or many threads.
pub const CHUNK_LOANS: usize = 512;

/// Marker in [`LoanPool::index_id`] for a fixed-rate loan.
pub const NO_INDEX: u16 = u16::MAX;

#[cfg(test)]
mod tests;
