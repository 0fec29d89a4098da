//! The clean-up call ("Optional Termination"): the first payment date on which the pool
//! balance after that date's collections is at or below the stated share of the Cut-off
//! Date Balance, or the payment date in the stated month, whichever comes first.

use super::compiled::CompiledDeal;
use super::EPS;
use crate::collateral::PoolCashflows;

/// First period in which the clean-up call may be exercised, the pool's flows starting
/// after period `start`. The pool balance includes defaulted loans not yet liquidated.
pub(super) fn first_call_period(
    c: &CompiledDeal,
    pool: &PoolCashflows,
    cut_off: f64,
    start: usize,
) -> Option<u32> {
    let call = &c.deal.clean_up_call;
    pool.periods.iter().enumerate().find_map(|(i, p)| {
        let end = p.end_balance + p.pending_default_balance;
        let by_balance = call
            .pool_pct_of_cut_off
            .is_some_and(|pct| end <= pct / 100.0 * cut_off + EPS);
        let by_date = call.date.is_some_and(|m| {
            c.dates
                .get(start + i)
                .is_some_and(|d| d.unadjusted_month >= m)
        });
        (by_balance || by_date).then_some((start + i) as u32 + 1)
    })
}
