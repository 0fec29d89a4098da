//! Realized losses that OC and Excess Cash Flow do not absorb: bonds in excess of the pool
//! are written down in the deal's order (the Allocated Realized Loss Amounts), later
//! reimbursed from Excess Cash Flow without restoring the balance. What no bond in the
//! order can take stays outstanding and, when the run ends, is principal never repaid.

use super::compiled::CompiledDeal;
use super::state::Carry;
use super::EPS;

/// Writes the bonds down to the pool's balance in the deal's order; `writedown[b]` gets
/// each bond's amount. Returns the excess no listed bond could absorb.
pub(super) fn allocate_realized_losses(
    c: &CompiledDeal,
    carry: &mut [Carry],
    pool_end: f64,
    writedown: &mut [f64],
) -> f64 {
    writedown.iter_mut().for_each(|w| *w = 0.0);
    let bonds: f64 = carry.iter().map(|c| c.balance).sum();
    let mut excess = bonds - pool_end;
    if excess > EPS {
        for &b in &c.writedown_order {
            let w = excess.min(carry[b].balance);
            carry[b].balance -= w;
            carry[b].arla += w;
            writedown[b] = w;
            excess -= w;
            if excess <= EPS {
                break;
            }
        }
    }
    excess.max(0.0)
}

/// What the `loss_reimbursement` step owes a bond: its Allocated Realized Loss Amount.
pub(super) fn reimbursement_owed(c: &Carry) -> f64 {
    c.arla
}

pub(super) fn reimburse(c: &mut Carry, o: &mut super::state::Owed, pay: f64) {
    c.arla -= pay;
    o.reimbursed += pay;
}
