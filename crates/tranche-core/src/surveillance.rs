//! Surveillance: a deal run from a payment date after closing, from where it actually
//! stands rather than from its cut-off.
//!
//! A [`DealState`] is the deal after one payment date's distribution: each bond's balance
//! and carries, the trust's arrears, cumulative losses, trigger and call history, the
//! defaults awaiting liquidation and the index rates already observed. With a current tape
//! (the loans as they then stand, [`current_loans`]) it is everything a run from that date
//! needs: a run stopped at a payment date and written out, then resumed, pays what the
//! uninterrupted run pays, bit for bit (`docs/surveillance.md`).

mod actuals;
mod check;
mod convert;

pub use actuals::{rescale, ActualPeriod, Actuals, ACTUALS_COLUMNS};
pub use check::period_of;
pub use convert::{current_loans, state_at};

use crate::deal::YearMonth;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a deal-state file says it is (its `kind`).
pub const STATE_KIND: &str = "tranche deal state";
/// The state-file format this build reads and writes.
pub const STATE_FORMAT_VERSION: u32 = 1;

/// A deal after the distribution on one payment date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DealState {
    /// What the file is: `tranche deal state`.
    pub kind: String,
    /// Version of the state-file format (this build reads `1`).
    pub format_version: u32,
    /// The deal's `name`.
    pub deal: String,
    /// The payment date, by its month, after whose distribution this is the deal's state.
    pub as_of: YearMonth,
    /// The Cut-off Date Balance, which the OC target, the loss triggers and the clean-up
    /// call measure against.
    pub cut_off_balance: f64,
    pub collateral: CollateralState,
    /// Every bond of the deal (any order).
    pub bonds: Vec<BondState>,
    /// Overcollateralization: the pool balance (performing and awaiting liquidation) less
    /// the bonds' balance.
    pub overcollateralization: f64,
    /// Servicing, master servicing, trustee and MI fees owed and not yet paid.
    #[serde(default)]
    pub fees_unpaid: f64,
    /// Net Derivative Fees owed and not yet paid.
    #[serde(default)]
    pub net_derivative_fees_unpaid: f64,
    /// Triggers that have failed (a trigger not listed never has).
    #[serde(default)]
    pub triggers: Vec<TriggerStatus>,
    /// Derivative contracts (a contract not listed is in force).
    #[serde(default)]
    pub derivatives: Vec<DerivativePosition>,
    #[serde(default)]
    pub clean_up_call: CallStatus,
}

/// The pool after the payment date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CollateralState {
    /// Performing balance: the current tape's total.
    pub balance: f64,
    /// Defaulted loans awaiting liquidation.
    #[serde(default)]
    pub defaulted_balance: f64,
    /// Realized losses since the cut-off.
    #[serde(default)]
    pub cumulative_realized_loss: f64,
    /// The defaulted loans awaiting liquidation, by month of default (they add up to
    /// `defaulted_balance`). Each is liquidated the scenario's lag after its month, or on
    /// the first payment date projected if that has passed.
    #[serde(default)]
    pub awaiting_liquidation: Vec<DefaultCohort>,
    /// Index rates already observed, for ARMs whose look-back reaches before the as-of
    /// date.
    #[serde(default)]
    pub index_fixings: Vec<IndexFixings>,
}

/// Loans that defaulted in one month and await liquidation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DefaultCohort {
    /// The payment month the loans defaulted in.
    pub month: YearMonth,
    pub balance: f64,
    /// One month's interest at the loans' gross rates: what the servicer advances each
    /// month until liquidation when the deal says it advances.
    pub interest: f64,
    /// One month's servicing fee on them.
    pub servicing_fee: f64,
    /// One month's mortgage insurance fee on them.
    pub mi_fee: f64,
}

/// One index's observed rates, the as-of month's last (the one before it the previous
/// month's, and so on). Decimal per annum (0.0112 is 1.12%), so that a state tranche wrote
/// reads back bit for bit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndexFixings {
    pub index: String,
    pub rates: Vec<f64>,
}

/// One bond after the payment date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BondState {
    /// Class name, as in the deal file.
    pub name: String,
    /// Principal balance outstanding.
    pub balance: f64,
    /// Unpaid Interest Shortfall Amount.
    #[serde(default)]
    pub unpaid_interest_shortfall: f64,
    /// Basis Risk Shortfall Carryforward.
    #[serde(default)]
    pub basis_risk_carryforward: f64,
    /// Allocated Realized Loss Amount not yet reimbursed.
    #[serde(default)]
    pub allocated_realized_loss: f64,
}

/// A trigger's history and state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TriggerStatus {
    pub name: String,
    /// Failing on the as-of payment date.
    #[serde(default)]
    pub failing: bool,
    /// The first payment month it failed; a sticky trigger stays failed from then on.
    #[serde(default)]
    pub first_failed: Option<YearMonth>,
}

/// A derivative contract's position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DerivativePosition {
    pub name: String,
    /// Terminated early: it pays nothing more.
    #[serde(default)]
    pub terminated: bool,
}

/// The clean-up call's history.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CallStatus {
    /// The first payment month the call could be exercised, if it has come: coupons step
    /// up after it, and a run to the call exercises it on the first date projected.
    #[serde(default)]
    pub exercisable_since: Option<YearMonth>,
    /// Exercised: the deal has ended.
    #[serde(default)]
    pub exercised: bool,
}

impl DealState {
    /// The JSON Schema of the state file.
    pub fn json_schema() -> schemars::schema::RootSchema {
        schemars::schema_for!(DealState)
    }
}

#[cfg(test)]
mod tests;
