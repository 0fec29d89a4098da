//! Interest distribution: current interest at the Bond Interest Rate, then Unpaid Interest
//! Shortfall Amounts (with interest on them when the deal says so), each paid from the
//! step's source in the step's order. Whatever current interest is not paid is carried as
//! an Unpaid Interest Shortfall Amount.

use super::state::Owed;

/// What the `interest` step owes a bond.
pub(super) fn interest_owed(o: &Owed) -> f64 {
    o.interest_rem
}

pub(super) fn pay_interest(o: &mut Owed, pay: f64) {
    o.interest_rem -= pay;
    o.interest_paid += pay;
}

/// What the `unpaid_interest` step owes a bond: shortfalls from prior periods, then any
/// current interest still unpaid.
pub(super) fn unpaid_interest_owed(o: &Owed) -> f64 {
    o.uis_rem + o.interest_rem
}

pub(super) fn pay_unpaid_interest(o: &mut Owed, pay: f64) {
    let prior = pay.min(o.uis_rem);
    o.uis_rem -= prior;
    o.interest_rem -= pay - prior;
    o.interest_paid += pay;
}
