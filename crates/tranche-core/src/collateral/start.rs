//! Where a projection starts and where it stops: at the cut-off, or after some periods
//! with the defaults still awaiting liquidation and the index rates already observed.
//! A projection stopped after period `k` and one started from what it handed back give,
//! for the periods after `k`, the same pool flows bit for bit.

use crate::tape::RateIndex;

/// Defaults of one period still awaiting liquidation: what the liquidation and the
/// servicer's advances need of them. Monthly amounts are kept as the projection summed
/// them, so a resumed projection adds the same numbers.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Cohort {
    /// The period (counted from the first payment date) the loans defaulted in.
    pub period: u32,
    pub balance: f64,
    /// Interest at the loans' gross rates on `balance`, one month's.
    pub interest: f64,
    /// Servicing fee on `balance`, one month's.
    pub servicing_fee: f64,
    /// MI fee on `balance`, one month's.
    pub mi_fee: f64,
}

/// Where a projection starts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PoolStart {
    /// Payment periods already made (0: the cut-off).
    pub period: u32,
    /// Defaulted balance awaiting liquidation.
    pub pending: f64,
    /// The defaults awaiting liquidation by period of default, oldest first. A cohort
    /// whose liquidation date has passed is liquidated in the first period projected.
    pub cohorts: Vec<Cohort>,
    /// Index rates observed up to the start, per index: the last value is the start
    /// period's, the one before the period before, and so on. ARMs whose look-back reaches
    /// before the start reset on these; without them, on the first projected rate.
    pub fixings: Vec<(RateIndex, Vec<f64>)>,
}

/// One loan where a stopped projection left it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LoanEnd {
    /// Performing balance.
    pub balance: f64,
    /// Gross coupon in force.
    pub rate: f64,
    /// Level payment of the surviving balance, once amortizing.
    pub level_payment: Option<f64>,
}

/// Where a stopped projection left the pool.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PoolEnd {
    /// What a projection resumed from here starts from.
    pub start: PoolStart,
    /// Every loan, in pool order.
    pub loans: Vec<LoanEnd>,
}

/// An ARM's first rate change after `months` more months: the projection changes the
/// rate in periods `first`, `first + freq`, ... (`first` = months to the reset + 1), and the
/// next of those after `months` is the aged loan's new `first`. Also whether the first
/// change has passed. One rule for an aged tape row and an aged pool.
pub fn next_reset(first: u32, freq: u32, months: u32) -> (u32, bool) {
    let freq = freq.max(1);
    if first > months {
        (first, false)
    } else {
        (first + (months - first) / freq * freq + freq, true)
    }
}
