//! What each bond is owed within a period and carries between periods.

use super::CapBinding;

/// Per-bond amounts owed in the current period.
#[derive(Debug, Clone, Default)]
pub(super) struct Owed {
    pub coupon: f64,
    pub binding: CapBinding,
    pub interest_due: f64,
    /// Current interest not yet paid.
    pub interest_rem: f64,
    /// Unpaid Interest Shortfall Amount from prior periods (with interest), not yet paid.
    pub uis_rem: f64,
    /// Basis Risk Amount (current + carried with interest) not yet paid.
    pub br_rem: f64,
    pub interest_paid: f64,
    pub br_paid: f64,
    pub principal_paid: f64,
    pub reimbursed: f64,
}

/// Per-bond state carried between periods.
#[derive(Debug, Clone, Default)]
pub(super) struct Carry {
    pub balance: f64,
    /// Unpaid Interest Shortfall Amount.
    pub uis: f64,
    /// Basis Risk Shortfall Carryforward.
    pub brc: f64,
    /// Allocated Realized Loss Amount not yet reimbursed.
    pub arla: f64,
}
