//! Scenario assumptions: prepayment and default curves, severity, timing, rates.
//!
//! Curves return annual rates (CPR/CDR as decimals) by loan age and projection period;
//! [`cpr_to_smm`] converts to the monthly rate applied to balances.

use crate::rates::RateCurves;
use serde::{Deserialize, Serialize};

/// SMM = 1 − (1 − CPR)^(1/12)  (BMA Standard Formulas SF-B).
#[inline]
pub fn cpr_to_smm(cpr: f64) -> f64 {
    1.0 - (1.0 - cpr.clamp(0.0, 1.0)).powf(1.0 / 12.0)
}

/// CPR = 1 − (1 − SMM)^12.
#[inline]
pub fn smm_to_cpr(smm: f64) -> f64 {
    1.0 - (1.0 - smm.clamp(0.0, 1.0)).powi(12)
}

/// A prepayment curve (voluntary), before the speed multiplier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PrepayCurve {
    /// Constant annual rate, decimal (0.30 = 30% CPR).
    Cpr { cpr: f64 },
    /// Constant monthly rate, decimal.
    Smm { smm: f64 },
    /// PSA at `pct` percent (100 = 0.2% CPR month 1 rising 0.2%/month to 6% at month 30).
    Psa { pct: f64 },
    /// Linear ramp by loan age: `start` CPR in month 1 to `end` CPR in month `months`, flat after.
    Ramp { start: f64, end: f64, months: u32 },
    /// CPR by projection period (1-based); the last value holds.
    Vector { cpr: Vec<f64> },
}

/// A default curve, before any multiplier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DefaultCurve {
    /// Constant annual default rate, decimal.
    Cdr { cdr: f64 },
    /// SDA at `pct` percent (100 = 0.02% CDR month 1 … 0.6% at 30 … 0.03% at 120).
    Sda { pct: f64 },
    /// CDR by projection period (1-based); the last value holds.
    Vector { cdr: Vec<f64> },
}

/// Which loans a prepayment curve applies to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrepayAssumption {
    pub arm: PrepayCurve,
    pub fixed: PrepayCurve,
    /// Percent of the curves ("% of pricing speed"), 1.0 = 100%.
    pub multiplier: f64,
}

/// How much of a month's prepayments fall in the first period after the cut-off.
/// A cut-off on the 1st with a mid-month prepayment period (15th to 14th) passes about
/// half a month of prepayments in period 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PrepayTiming {
    /// Fraction (0..=1) of the period-1 SMM applied in period 1.
    pub first_period_fraction: f64,
}

impl Default for PrepayTiming {
    fn default() -> Self {
        PrepayTiming {
            first_period_fraction: 1.0,
        }
    }
}

/// Everything a projection needs besides the tape and the deal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    pub prepay: PrepayAssumption,
    pub default: DefaultCurve,
    /// Loss severity on defaulted balance, decimal.
    pub severity: f64,
    /// Months from default to liquidation (recovery and realized loss).
    pub recovery_lag: u32,
    /// Servicer advances delinquent interest and principal on defaulted loans until liquidation.
    pub advancing: bool,
    pub timing: PrepayTiming,
    pub rates: RateCurves,
}
