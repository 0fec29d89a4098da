//! The loan tape: one row per loan (or rep line). Rates are decimals per annum.
//!
//! `Loan` is the row form readers produce and strats read; the projection turns a
//! slice of loans into struct-of-arrays once (see [`crate::collateral`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

mod check;
pub mod schema;
pub use check::{check_loan, fmt_pct, LoanFinding, LoanRule, LoanWarnings, RuleTally};

/// A rate index that drives ARM resets or floating coupons.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RateIndex {
    Libor1M,
    Libor6M,
    Libor12M,
    Cmt1Y,
    /// A user-named index (e.g. `SOFR30A`); must be declared where it is used.
    Named(String),
}

impl RateIndex {
    /// Parses the tape/deal spelling. Accepts the canonical names (`LIBOR1M`, `LIBOR6M`,
    /// `LIBOR12M`, `CMT1Y`) and common aliases (`1M LIBOR`, `LIB6M`, `1Y CMT`, ...).
    /// Anything else is `Named(upper-case)`: callers decide whether it is declared.
    pub fn parse(s: &str) -> RateIndex {
        let k: String = s
            .trim()
            .to_ascii_uppercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        match k.as_str() {
            "LIBOR1M" | "1MLIBOR" | "LIB1M" | "USD1ML" | "LIBOR01M" => RateIndex::Libor1M,
            "LIBOR6M" | "6MLIBOR" | "LIB6M" | "USD6ML" | "LIBOR06M" => RateIndex::Libor6M,
            "LIBOR12M" | "12MLIBOR" | "LIB12M" | "LIBOR1Y" | "1YLIBOR" | "USD12ML" => {
                RateIndex::Libor12M
            }
            "CMT1Y" | "1YCMT" | "CMT12M" | "1YRCMT" | "H15T1Y" => RateIndex::Cmt1Y,
            _ => RateIndex::Named(k),
        }
    }

    /// Canonical spelling used in files and reports.
    pub fn name(&self) -> &str {
        match self {
            RateIndex::Libor1M => "LIBOR1M",
            RateIndex::Libor6M => "LIBOR6M",
            RateIndex::Libor12M => "LIBOR12M",
            RateIndex::Cmt1Y => "CMT1Y",
            RateIndex::Named(n) => n,
        }
    }

    pub fn is_builtin(&self) -> bool {
        !matches!(self, RateIndex::Named(_))
    }
}

impl std::fmt::Display for RateIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmortType {
    Fixed,
    Arm,
}

/// Adjustable-rate terms. All rates decimal per annum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmTerms {
    pub index: RateIndex,
    /// Gross margin over the index.
    pub margin: f64,
    /// Months from the cut-off date to the next rate change. The current rate applies to
    /// projection periods `1..=months_to_reset`; the new rate from period `months_to_reset + 1`.
    pub months_to_reset: u32,
    /// Months between rate changes after the first.
    pub reset_freq: u32,
    /// True when the next rate change is the loan's first (the initial cap applies).
    pub first_reset_pending: bool,
    /// Cap on the first rate change (decimal, e.g. 0.03).
    pub initial_cap: f64,
    /// Cap on each later rate change.
    pub periodic_cap: f64,
    /// Lifetime maximum rate.
    pub life_cap: f64,
    /// Lifetime minimum rate.
    pub life_floor: f64,
    /// Rounding increment of the fully indexed rate (e.g. 0.00125 for 1/8%); 0 = none.
    pub rounding: f64,
    /// Months before the change date at which the index is observed.
    pub lookback_months: u32,
}

/// One loan (or rep line) of the tape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Loan {
    pub loan_id: String,
    /// Current (cut-off) scheduled principal balance.
    pub balance: f64,
    /// Current gross coupon, decimal.
    pub gross_rate: f64,
    pub orig_term: u32,
    pub rem_term: u32,
    /// Months since first payment (orig_term − rem_term for a loan paid as scheduled).
    pub age: u32,
    pub amort: AmortType,
    /// Interest-only months from origination (0 = amortizing from the start).
    pub io_months: u32,
    /// Servicing fee rate, decimal.
    pub servicing_fee: f64,
    /// Lender-paid / borrower MI premium rate paid by the trust, decimal.
    pub mi_fee: f64,
    pub arm: Option<ArmTerms>,
    // Descriptive fields (stratification only).
    /// Product description as a term sheet prints it (e.g. `2/28 LIB6M`).
    pub product: String,
    pub state: String,
    pub property_type: String,
    pub occupancy: String,
    pub purpose: String,
    pub doc_type: String,
    pub fico: Option<u32>,
    /// Original LTV in percent (e.g. 79.5).
    pub orig_ltv: f64,
    /// Debt-to-income in percent, if known.
    pub dti: Option<f64>,
    /// Prepayment penalty term in months (0 = none).
    pub prepay_penalty_months: u32,
    /// `hard`, `soft` or empty when there is no penalty.
    pub prepay_penalty_type: String,
    pub orig_date: Option<NaiveDate>,
    /// 1 = first lien, 2 = second.
    pub lien: u8,
    /// Delinquency status text (e.g. `Current`).
    pub delinquency: String,
}

impl Loan {
    /// Months of interest-only payments left at the cut-off date.
    pub fn io_remaining(&self) -> u32 {
        self.io_months.saturating_sub(self.age)
    }

    /// Months from cut-off to the next rate change, if an ARM.
    pub fn months_to_roll(&self) -> Option<u32> {
        self.arm.as_ref().map(|a| a.months_to_reset)
    }
}
