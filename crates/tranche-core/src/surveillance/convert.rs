//! Between the state file and what the projection and the waterfall carry: names to the
//! deal's positions, months to payment periods; and the tape rows of loans aged to a date.

use super::check::{agrees, period_of};
use super::{
    BondState, CallStatus, CollateralState, DealState, DefaultCohort, DerivativePosition,
    IndexFixings, TriggerStatus, STATE_FORMAT_VERSION, STATE_KIND,
};
use crate::collateral::{next_reset, Cohort, LoanEnd, LoanPool, PoolEnd, PoolStart};
use crate::deal::{Deal, YearMonth};
use crate::tape::{Loan, RateIndex};
use crate::waterfall::{BondCarry, Position};
use crate::{Error, Result};

fn month(deal: &Deal, period: u32) -> YearMonth {
    YearMonth::of(deal.unadjusted_payment_date(period))
}

impl DealState {
    /// The state as the projection and the waterfall start from it, after checking it
    /// against the deal and the pool (the current tape) it comes with.
    pub fn start(&self, deal: &Deal, pool: &LoanPool) -> Result<(PoolStart, Position)> {
        let errs = self.check(deal);
        if !errs.is_empty() {
            return Err(Error::InvalidMany(errs));
        }
        if self.clean_up_call.exercised {
            return Err(Error::invalid(
                "clean_up_call.exercised",
                "the clean-up call was exercised: the deal has ended and has nothing to project",
            ));
        }
        let tape = pool.total_balance();
        if !agrees(tape, self.collateral.balance) {
            return Err(Error::invalid(
                "collateral.balance",
                format!(
                    "{} is not the current tape's total balance {tape}; expected the tape as \
                     of {}",
                    self.collateral.balance, self.as_of
                ),
            ));
        }
        let period = period_of(deal, self.as_of).unwrap_or(0);
        let at = |m: Option<YearMonth>| m.and_then(|m| period_of(deal, m));
        let pool_start = PoolStart {
            period,
            pending: self.collateral.defaulted_balance,
            cohorts: self
                .collateral
                .awaiting_liquidation
                .iter()
                .map(|c| Cohort {
                    period: period_of(deal, c.month).unwrap_or(period),
                    balance: c.balance,
                    interest: c.interest,
                    servicing_fee: c.servicing_fee,
                    mi_fee: c.mi_fee,
                })
                .collect(),
            fixings: self
                .collateral
                .index_fixings
                .iter()
                .map(|f| (RateIndex::parse(&f.index), f.rates.clone()))
                .collect(),
        };
        let trigger = |name: &str| self.triggers.iter().find(|t| t.name == name);
        let position = Position {
            period,
            cut_off: self.cut_off_balance,
            bonds: deal
                .bonds
                .iter()
                .map(|d| {
                    let b = self.bonds.iter().find(|b| b.name == d.name);
                    b.map_or(BondCarry::default(), |b| BondCarry {
                        balance: b.balance,
                        unpaid_interest: b.unpaid_interest_shortfall,
                        basis_risk: b.basis_risk_carryforward,
                        allocated_loss: b.allocated_realized_loss,
                    })
                })
                .collect(),
            fees_unpaid: self.fees_unpaid,
            net_derivative_fees_unpaid: self.net_derivative_fees_unpaid,
            cumulative_loss: self.collateral.cumulative_realized_loss,
            pending_default: self.collateral.defaulted_balance,
            first_failed: deal
                .triggers
                .iter()
                .map(|t| at(trigger(&t.name).and_then(|s| s.first_failed)))
                .collect(),
            failing: deal
                .triggers
                .iter()
                .map(|t| trigger(&t.name).is_some_and(|s| s.failing))
                .collect(),
            call_period: at(self.clean_up_call.exercisable_since),
            terminated: deal
                .derivatives
                .iter()
                .map(|d| {
                    self.derivatives
                        .iter()
                        .any(|p| p.name == d.name && p.terminated)
                })
                .collect(),
            pool_balance: self.collateral.balance + self.collateral.defaulted_balance,
        };
        Ok((pool_start, position))
    }
}

/// The state a run reached: the trust at `pos`, the pool at `pool`.
pub fn state_at(deal: &Deal, pos: &Position, pool: &PoolEnd) -> DealState {
    let balance: f64 = pool.loans.iter().map(|l| l.balance).sum();
    let defaulted = pool.start.pending;
    let bonds: f64 = pos.bonds.iter().map(|b| b.balance).sum();
    DealState {
        kind: STATE_KIND.into(),
        format_version: STATE_FORMAT_VERSION,
        deal: deal.name.clone(),
        as_of: month(deal, pos.period),
        cut_off_balance: pos.cut_off,
        collateral: CollateralState {
            balance,
            defaulted_balance: defaulted,
            cumulative_realized_loss: pos.cumulative_loss,
            awaiting_liquidation: pool
                .start
                .cohorts
                .iter()
                .map(|c| DefaultCohort {
                    month: month(deal, c.period),
                    balance: c.balance,
                    interest: c.interest,
                    servicing_fee: c.servicing_fee,
                    mi_fee: c.mi_fee,
                })
                .collect(),
            index_fixings: pool
                .start
                .fixings
                .iter()
                .map(|(ix, v)| IndexFixings {
                    index: ix.name().to_string(),
                    rates: v.clone(),
                })
                .collect(),
        },
        bonds: deal
            .bonds
            .iter()
            .zip(&pos.bonds)
            .map(|(d, b)| BondState {
                name: d.name.clone(),
                balance: b.balance,
                unpaid_interest_shortfall: b.unpaid_interest,
                basis_risk_carryforward: b.basis_risk,
                allocated_realized_loss: b.allocated_loss,
            })
            .collect(),
        overcollateralization: balance + defaulted - bonds,
        fees_unpaid: pos.fees_unpaid,
        net_derivative_fees_unpaid: pos.net_derivative_fees_unpaid,
        triggers: deal
            .triggers
            .iter()
            .zip(pos.first_failed.iter().zip(&pos.failing))
            .map(|(t, (first, failing))| TriggerStatus {
                name: t.name.clone(),
                failing: *failing,
                first_failed: first.map(|p| month(deal, p)),
            })
            .collect(),
        derivatives: deal
            .derivatives
            .iter()
            .zip(&pos.terminated)
            .map(|(d, t)| DerivativePosition {
                name: d.name.clone(),
                terminated: *t,
            })
            .collect(),
        clean_up_call: CallStatus {
            exercisable_since: pos.call_period.map(|p| month(deal, p)),
            exercised: false,
        },
    }
}

/// The tape rows of `loans` aged `months` months, with the balances, coupons and payments a
/// projection left them at (`ends`, in the same order), and each loan's level payment.
/// Paid-off loans stay on the tape with a zero balance: the pool keeps its order.
pub fn current_loans(
    loans: &[Loan],
    ends: &[LoanEnd],
    months: u32,
) -> (Vec<Loan>, Vec<Option<f64>>) {
    loans
        .iter()
        .zip(ends)
        .map(|(l, e)| {
            let mut c = l.clone();
            c.balance = e.balance;
            c.gross_rate = e.rate;
            c.rem_term = l.rem_term.saturating_sub(months);
            c.age = l.age + months;
            if let Some(a) = c.arm.as_mut() {
                let (next, passed) = next_reset(a.months_to_reset + 1, a.reset_freq, months);
                if passed {
                    a.first_reset_pending = false;
                }
                // A change after the last payment never happens: at most the term left.
                a.months_to_reset = (next - months - 1).min(c.rem_term);
            }
            if e.balance <= 0.0 {
                c.delinquency = "Paid Off".into();
            }
            (c, e.level_payment)
        })
        .unzip()
}
