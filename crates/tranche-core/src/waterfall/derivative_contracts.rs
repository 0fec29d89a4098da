//! The Derivative Contracts: what each contract pays the trust, or the trust pays it, for
//! the bonds' interest accrual period (actual/360), on its notional in force.

use super::compiled::CompiledDeal;
use super::rate;
use crate::rates::RateCurves;
use crate::Result;
use chrono::NaiveDate;

/// Payments of one period: received by the trust, and owed by it (Net Derivative Fees).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct DerivativeFlows {
    pub receipts: f64,
    pub owed: f64,
}

/// The contracts' net payments for the period ending `date` (period `t`, `days` long).
/// A notional limited to the bond balance is capped at `bonds_begin`; a contract marked in
/// `terminated` pays nothing.
#[allow(clippy::too_many_arguments)]
pub(super) fn derivative_flows(
    c: &CompiledDeal,
    rates: &RateCurves,
    t: usize,
    date: NaiveDate,
    days: f64,
    bonds_begin: f64,
    terminated: &[bool],
) -> Result<DerivativeFlows> {
    let mut f = DerivativeFlows::default();
    for (k, (d, idx)) in c
        .deal
        .derivatives
        .iter()
        .zip(&c.derivative_index)
        .enumerate()
    {
        if terminated.get(k).copied().unwrap_or(false) {
            continue;
        }
        let mut notional = d.notional_at(date);
        if d.limited_to_bond_balance {
            notional = notional.min(bonds_begin);
        }
        if notional <= 0.0 {
            continue;
        }
        let amt = notional * d.payoff_rate(rate(rates, idx, t)?) * days / 360.0;
        if amt >= 0.0 {
            f.receipts += amt;
        } else {
            f.owed -= amt;
        }
    }
    Ok(f)
}
