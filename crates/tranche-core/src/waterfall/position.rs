//! Where the trust stands between two payment dates: everything the period loop carries
//! from one period to the next. A run starts from one (the cut-off's is all zeros) and can
//! stop at a payment date and hand back the one it reached, so that a run resumed from it
//! pays exactly what the uninterrupted run pays.

/// What one bond carries between payment dates.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BondCarry {
    pub balance: f64,
    /// Unpaid Interest Shortfall Amount.
    pub unpaid_interest: f64,
    /// Basis Risk Shortfall Carryforward.
    pub basis_risk: f64,
    /// Allocated Realized Loss Amount not yet reimbursed.
    pub allocated_loss: f64,
}

/// The trust after `period` payment dates (0: at closing).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Position {
    /// Payment dates already made.
    pub period: u32,
    /// The Cut-off Date Balance the OC target, the loss triggers and the call measure
    /// against; `0` at closing means "the pool's first beginning balance".
    pub cut_off: f64,
    /// Per bond, in the deal's order.
    pub bonds: Vec<BondCarry>,
    /// Servicing, master servicing, trustee and MI fees owed and not paid.
    pub fees_unpaid: f64,
    /// Net Derivative Fees owed and not paid.
    pub net_derivative_fees_unpaid: f64,
    pub cumulative_loss: f64,
    /// Defaulted balance awaiting liquidation after the last payment date.
    pub pending_default: f64,
    /// Per trigger: the first period it failed, if it has.
    pub first_failed: Vec<Option<u32>>,
    /// Per trigger: failing on the last payment date (what the ledger showed).
    pub failing: Vec<bool>,
    /// The first period the clean-up call could be exercised, if it has come.
    pub call_period: Option<u32>,
    /// Per derivative contract: terminated, it pays nothing more.
    pub terminated: Vec<bool>,
    /// Pool balance (performing + awaiting liquidation) after the last payment date.
    pub pool_balance: f64,
}

/// How a run that was asked to stop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// It reached the period asked for.
    Reached,
    /// The clean-up call was exercised in this period.
    Called(u32),
    /// The bonds were paid off (or the pool ran out) in this period.
    Ended(u32),
}
