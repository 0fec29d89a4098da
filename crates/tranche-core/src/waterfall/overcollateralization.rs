//! Overcollateralization (OC = pool balance − bond balance) and its target: zero through
//! `zero_through`, then a share of the Cut-off Date Balance; from the stepdown date, unless
//! a blocking trigger fails, the lesser of that and a share of the current pool balance,
//! floored at a share of the Cut-off Date Balance. Excess Cash Flow pays principal up to the
//! OC deficiency ("OC build").

use super::compiled::CompiledDeal;
use crate::deal::YearMonth;
use chrono::NaiveDate;

/// The OC target on payment date `date`, with the pool at `pool_end` after collections.
pub(super) fn oc_target(
    c: &CompiledDeal,
    date: NaiveDate,
    cut_off: f64,
    pool_end: f64,
    failing: &[bool],
) -> f64 {
    let o = &c.deal.overcollateralization;
    let ym = YearMonth::of(date);
    if o.zero_through.is_some_and(|z| ym <= z) {
        return 0.0;
    }
    let initial = o.target_pct_of_cut_off / 100.0 * cut_off;
    match &o.stepdown {
        Some(s) if ym >= s.on_or_after => {
            if c.stepdown_blocked_by.iter().any(|&t| failing[t]) {
                initial
            } else {
                let stepped = s.target_pct_of_current / 100.0 * pool_end;
                initial
                    .min(stepped)
                    .max(s.floor_pct_of_cut_off / 100.0 * cut_off)
            }
        }
        _ => initial,
    }
}

/// Principal Excess Cash Flow pays to restore OC to its target.
pub(super) fn oc_deficiency(target: f64, pool_end: f64, bonds_outstanding: f64) -> f64 {
    (target - (pool_end - bonds_outstanding)).max(0.0)
}
