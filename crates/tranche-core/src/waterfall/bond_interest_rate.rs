//! The Bond Interest Rate: "the least of (a) one-month LIBOR plus the margin for such
//! Class, (b) the Available Funds Rate, and (c) a fixed cap"; after the first clean-up call
//! date, if the call is not exercised, the margin steps up. What the cap holds back is the
//! period's Basis Risk Shortfall Amount (see `basis_risk`).

use super::state::{Carry, Owed};
use super::CapBinding;
use crate::deal::{Bond, DayCount, InterestRules};

/// What `bond` is owed this period at its Bond Interest Rate, with the shortfalls it
/// carries in grown at that rate where the deal says they bear interest.
pub(super) fn bond_interest(
    bond: &Bond,
    index_rate: f64,
    stepped_up: bool,
    afr: f64,
    days: f64,
    carry: &Carry,
    rules: &InterestRules,
) -> Owed {
    let base = bond.base_coupon(index_rate, stepped_up);
    let capped_fixed = bond.fixed_cap_pct.map_or(base, |k| base.min(k / 100.0));
    // The AFR is an act/360 rate; a 30/360 bond sees it scaled to its 30-day month.
    let (yf, afr_b) = match bond.day_count() {
        DayCount::Act360 => (days / 360.0, afr),
        DayCount::Thirty360 => (30.0 / 360.0, afr * days / 30.0),
    };
    let coupon = if bond.afr_cap {
        capped_fixed.min(afr_b)
    } else {
        capped_fixed
    };
    let binding = if coupon < base - 1e-15 {
        if bond.afr_cap && afr_b < capped_fixed {
            CapBinding::Afr
        } else {
            CapBinding::Fixed
        }
    } else {
        CapBinding::None
    };
    let coupon = coupon.max(0.0);
    let due = carry.balance * coupon * yf;
    let basis_risk_now = (carry.balance * (capped_fixed - coupon) * yf).max(0.0);
    let grow = |x: f64, on: bool| if on { x * (1.0 + coupon * yf) } else { x };
    Owed {
        coupon,
        binding,
        interest_due: due,
        interest_rem: due,
        uis_rem: grow(carry.uis, rules.unpaid_interest_bears_interest),
        br_rem: grow(carry.brc, rules.basis_risk_bears_interest) + basis_risk_now,
        ..Owed::default()
    }
}
