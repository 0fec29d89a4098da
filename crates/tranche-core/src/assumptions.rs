//! Projection assumptions: prepayment and default curves, severity, timing, rates.
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

impl PrepayCurve {
    /// True when the curve is read by loan age (PSA, ramps), false when by period.
    pub fn by_age(&self) -> bool {
        matches!(self, PrepayCurve::Psa { .. } | PrepayCurve::Ramp { .. })
    }

    /// The curve with its annual rates multiplied by `m` (a speed of `m` × 100%).
    pub fn scaled(&self, m: f64) -> Self {
        match self {
            PrepayCurve::Cpr { cpr } => PrepayCurve::Cpr { cpr: cpr * m },
            PrepayCurve::Smm { smm } => PrepayCurve::Smm { smm: smm * m },
            PrepayCurve::Psa { pct } => PrepayCurve::Psa { pct: pct * m },
            PrepayCurve::Ramp { start, end, months } => PrepayCurve::Ramp {
                start: start * m,
                end: end * m,
                months: *months,
            },
            PrepayCurve::Vector { cpr } => PrepayCurve::Vector {
                cpr: cpr.iter().map(|c| c * m).collect(),
            },
        }
    }

    /// The highest annual rate the curve reaches (PSA's is 6% CPR at 100%); for an SMM
    /// curve, its monthly rate.
    pub fn peak_cpr(&self) -> f64 {
        match self {
            PrepayCurve::Cpr { cpr } => *cpr,
            PrepayCurve::Smm { smm } => *smm,
            PrepayCurve::Psa { pct } => 0.06 * pct / 100.0,
            PrepayCurve::Ramp { start, end, .. } => start.max(*end),
            PrepayCurve::Vector { cpr } => cpr.iter().copied().fold(0.0, f64::max),
        }
    }

    /// Monthly rate (SMM) for loan-age month `month` (1 = first payment) in projection
    /// `period` (1-based), with the speed `multiplier` applied to the annual rate
    /// (to the SMM itself for an SMM curve).
    pub fn smm_at(&self, month: u32, period: u32, multiplier: f64) -> f64 {
        let m = multiplier.max(0.0);
        match self {
            PrepayCurve::Smm { smm } => (smm * m).clamp(0.0, 1.0),
            PrepayCurve::Cpr { cpr } => cpr_to_smm(cpr * m),
            PrepayCurve::Psa { pct } => cpr_to_smm(psa_cpr(month) * pct / 100.0 * m),
            PrepayCurve::Ramp { start, end, months } => {
                cpr_to_smm(ramp_cpr(*start, *end, *months, month) * m)
            }
            PrepayCurve::Vector { cpr } => cpr_to_smm(vector_at(cpr, period) * m),
        }
    }
}

/// CPR of 100% PSA in loan-age month `month`: 0.2% × month up to 6% at month 30.
pub fn psa_cpr(month: u32) -> f64 {
    0.06 * f64::from(month.clamp(1, 30)) / 30.0
}

/// Linear ramp: `start` in month 1, `end` in month `months`, flat after (and `start`
/// before month 1).
pub fn ramp_cpr(start: f64, end: f64, months: u32, month: u32) -> f64 {
    if months <= 1 || month >= months {
        return end;
    }
    let m = month.max(1);
    start + (end - start) * f64::from(m - 1) / f64::from(months - 1)
}

/// CDR of 100% SDA in loan-age month `month` (BMA SF §C).
pub fn sda_cdr(month: u32) -> f64 {
    let m = f64::from(month.max(1));
    if m <= 30.0 {
        0.0002 * m
    } else if m <= 60.0 {
        0.006
    } else if m <= 120.0 {
        0.006 - 0.000095 * (m - 60.0)
    } else {
        0.0003
    }
}

/// 1-based `period` of a vector; the last value holds, an empty vector is 0.
fn vector_at(v: &[f64], period: u32) -> f64 {
    match v.len() {
        0 => 0.0,
        n => v[(period.max(1) as usize - 1).min(n - 1)],
    }
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

impl DefaultCurve {
    /// True when the curve is read by loan age (SDA), false when by period.
    pub fn by_age(&self) -> bool {
        matches!(self, DefaultCurve::Sda { .. })
    }

    /// True when the curve never produces a default.
    pub fn is_zero(&self) -> bool {
        match self {
            DefaultCurve::Cdr { cdr } => *cdr <= 0.0,
            DefaultCurve::Sda { pct } => *pct <= 0.0,
            DefaultCurve::Vector { cdr } => cdr.iter().all(|c| *c <= 0.0),
        }
    }

    /// Monthly default rate (MDR = 1 − (1 − CDR)^(1/12)) for loan-age `month` in `period`.
    pub fn mdr_at(&self, month: u32, period: u32) -> f64 {
        match self {
            DefaultCurve::Cdr { cdr } => cpr_to_smm(*cdr),
            DefaultCurve::Sda { pct } => cpr_to_smm(sda_cdr(month) * pct / 100.0),
            DefaultCurve::Vector { cdr } => cpr_to_smm(vector_at(cdr, period)),
        }
    }
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
pub struct Assumptions {
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
    /// Balance 60 days or more delinquent (foreclosure and REO included) by period, as a
    /// decimal of the pool balance: what delinquency triggers measure. `None`: the
    /// defaults awaiting liquidation.
    #[serde(default)]
    pub delinquency: Option<Vec<f64>>,
}

impl Assumptions {
    /// The 60+ day delinquent balance of projected period `period` (1-based) with the
    /// pool at `pool` (performing and awaiting liquidation) of which `pending` awaits
    /// liquidation.
    pub fn delinquent(&self, period: u32, pool: f64, pending: f64) -> f64 {
        match &self.delinquency {
            Some(v) => vector_at(v, period) * pool,
            None => pending,
        }
    }
}

/// `v` as read from its period `n + 1` on (its last value when shorter).
fn from_period(v: &[f64], n: usize) -> Vec<f64> {
    match v.len() {
        0 => Vec::new(),
        len if len > n => v[n..].to_vec(),
        len => vec![v[len - 1]],
    }
}

impl PrepayCurve {
    fn after(&self, n: usize) -> Self {
        match self {
            PrepayCurve::Vector { cpr } => PrepayCurve::Vector {
                cpr: from_period(cpr, n),
            },
            other => other.clone(),
        }
    }
}

impl Assumptions {
    /// The assumptions as a projection starting `n` periods later reads them: vectors and
    /// rate paths from their period `n + 1` on (curves by loan age need no shift: the
    /// loans are `n` months older).
    pub fn after(&self, n: u32) -> Assumptions {
        let n = n as usize;
        let mut a = self.clone();
        a.prepay.arm = self.prepay.arm.after(n);
        a.prepay.fixed = self.prepay.fixed.after(n);
        if let DefaultCurve::Vector { cdr } = &self.default {
            a.default = DefaultCurve::Vector {
                cdr: from_period(cdr, n),
            };
        }
        for (_, path) in &mut a.rates.paths {
            path.values = from_period(&path.values, n);
        }
        if let Some(v) = &self.delinquency {
            a.delinquency = Some(from_period(v, n));
        }
        a
    }
}
