//! Basis Risk Amounts: interest at the lesser of index + margin and the fixed cap, less
//! interest at the Bond Interest Rate (the Basis Risk Shortfall Amount), plus amounts
//! carried forward with interest at the Bond Interest Rate. Paid first from the Derivative
//! Contracts' receipts, then from Excess Cash Flow, as the deal's steps say.

use super::state::Owed;

pub(super) fn basis_risk_owed(o: &Owed) -> f64 {
    o.br_rem
}

pub(super) fn pay_basis_risk(o: &mut Owed, pay: f64) {
    o.br_rem -= pay;
    o.br_paid += pay;
}
