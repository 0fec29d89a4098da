//! The trust side of a run: per period, the cash in, each step's payment, OC, the
//! Available Funds Rate, trigger states, derivative flows and the residual.

use crate::deal::{Source, StepKind};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One trigger in one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TriggerState {
    pub name: String,
    /// The measured value (decimal, e.g. cumulative loss / cut-off balance).
    pub value: f64,
    /// Threshold in force (decimal), if any.
    pub threshold: Option<f64>,
    pub failing: bool,
}

/// One step of the priority of payments in one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepEntry {
    /// 0-based position in the deal's waterfall.
    pub index: usize,
    pub label: String,
    pub step: StepKind,
    pub source: Source,
    /// False when the step's `when` condition did not hold.
    pub ran: bool,
    /// What the step would pay with unlimited funds.
    pub due: f64,
    pub paid: f64,
    /// What is left of the step's source afterwards.
    pub remaining: f64,
}

/// The trust's accounts for one payment date. Amounts in currency; rates decimal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerPeriod {
    pub period: u32,
    pub payment_date: NaiveDate,
    pub accrual_days: u32,
    /// Pool balance (performing + defaulted awaiting liquidation) at the start.
    pub pool_begin_balance: f64,
    /// Pool balance after the period's collections and losses (0 after a call).
    pub pool_end_balance: f64,
    pub gross_interest: f64,
    /// Servicing, master servicing, trustee and MI fees accrued this period.
    pub fees: f64,
    /// Fees paid (this period's and arrears), from interest then principal collected.
    pub fees_paid: f64,
    /// Fees owed and not paid after this period (carried to the next).
    pub fees_unpaid: f64,
    pub net_interest: f64,
    /// Scheduled, prepaid, recovered and advanced principal.
    pub principal_collected: f64,
    /// Pool sold at par on the clean-up call.
    pub call_proceeds: f64,
    pub derivative_receipts: f64,
    /// Net payments by the trust to derivative counterparties (Net Derivative Fees) paid.
    pub net_derivative_fees: f64,
    /// Net Derivative Fees owed and not paid after this period (carried to the next).
    pub net_derivative_fees_unpaid: f64,
    /// Interest + principal funds after fees and Net Derivative Fees (excludes derivative
    /// receipts); never negative.
    pub available_funds: f64,
    pub realized_loss: f64,
    pub net_mortgage_rate: f64,
    /// The Available Funds Rate on the act/360 basis, as the deal defines it.
    pub afr: f64,
    /// Net interest plus net derivative flows over the bonds, × 360 / days: the rate the
    /// term sheet's "Available Rate" schedule prints (it includes derivative proceeds).
    pub available_rate: f64,
    pub bonds_begin_balance: f64,
    pub bonds_end_balance: f64,
    pub oc_target: f64,
    /// OC after the period's collections, before any principal is paid to the bonds.
    pub oc_before: f64,
    /// OC after all payments and write-downs.
    pub oc_actual: f64,
    pub triggers: Vec<TriggerState>,
    pub steps: Vec<StepEntry>,
    /// The Principal Distribution Amount (principal collected less any OC release).
    pub principal_distribution_amount: f64,
    /// OC released to Excess Cash Flow.
    pub oc_release: f64,
    pub writedowns: f64,
    /// Bonds in excess of the pool that no bond in the write-down order could absorb.
    /// After the last period it equals the bonds' unpaid principal.
    pub unabsorbed_loss: f64,
    /// To the certificates.
    pub residual: f64,
    /// Coupons carry step-up margins this period.
    pub stepped_up: bool,
    /// The clean-up call was exercised on this date.
    pub called: bool,
}

impl LedgerPeriod {
    /// All cash that came into the trust this period (before fees).
    pub fn cash_in(&self) -> f64 {
        self.gross_interest
            + self.principal_collected
            + self.call_proceeds
            + self.derivative_receipts
    }

    /// All cash paid out this period: fees, Net Derivative Fees, every step that paid the
    /// bonds, and the residual to the certificates. Equals [`cash_in`](Self::cash_in).
    pub fn cash_out(&self) -> f64 {
        let to_bonds: f64 = self
            .steps
            .iter()
            .filter(|s| s.step != StepKind::Residual)
            .map(|s| s.paid)
            .sum();
        self.fees_paid + self.net_derivative_fees + to_bonds + self.residual
    }
}

/// Every period's trust accounts.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Ledger {
    pub periods: Vec<LedgerPeriod>,
}
