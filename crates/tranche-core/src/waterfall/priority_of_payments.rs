//! One step of the priority of payments: what it owes each of its bonds, what its source
//! can pay, and how the payment is split among them (sequentially or pro rata).

use super::available_funds::Funds;
use super::basis_risk::{basis_risk_owed, pay_basis_risk};
use super::interest_distribution::{
    interest_owed, pay_interest, pay_unpaid_interest, unpaid_interest_owed,
};
use super::overcollateralization::oc_deficiency;
use super::realized_losses::{reimburse, reimbursement_owed};
use super::state::{Carry, Owed};
use super::EPS;
use crate::deal::{Allocation, Source, StepKind};

/// Splits `amount` over `needs` into `out`: sequentially in order, or pro rata to the needs.
pub(super) fn allocate(amount: f64, needs: &[f64], alloc: Allocation, out: &mut Vec<f64>) {
    out.clear();
    let total: f64 = needs.iter().sum();
    if amount >= total {
        out.extend_from_slice(needs);
        return;
    }
    match alloc {
        Allocation::Sequential => {
            let mut left = amount;
            out.extend(needs.iter().map(|n| {
                let p = n.min(left).max(0.0);
                left -= p;
                p
            }));
        }
        Allocation::ProRata => {
            out.extend(
                needs
                    .iter()
                    .map(|n| if total > 0.0 { amount * n / total } else { 0.0 }),
            )
        }
    }
}

/// What the principal steps need besides the bonds: the Principal Distribution Amount not
/// yet paid, and the OC target against the pool after collections.
pub(super) struct PrincipalContext {
    pub pda_left: f64,
    pub target: f64,
    pub pool_end: f64,
}

/// Buffers reused by every step of every period.
#[derive(Default)]
pub(super) struct Scratch {
    needs: Vec<f64>,
    pays: Vec<f64>,
}

/// Runs one step over its `members`; returns (due, paid).
#[allow(clippy::too_many_arguments)]
pub(super) fn pay_step(
    kind: StepKind,
    source: Source,
    allocation: Allocation,
    members: &[usize],
    funds: &mut Funds,
    owed: &mut [Owed],
    carry: &mut [Carry],
    principal: &mut PrincipalContext,
    scratch: &mut Scratch,
) -> (f64, f64) {
    let principal_first = matches!(kind, StepKind::PrincipalDistribution | StepKind::OcBuild);
    let Scratch { needs, pays } = scratch;
    needs.clear();
    match kind {
        StepKind::Interest
        | StepKind::UnpaidInterest
        | StepKind::BasisRisk
        | StepKind::LossReimbursement => {
            needs.extend(members.iter().map(|&b| match kind {
                StepKind::Interest => interest_owed(&owed[b]),
                StepKind::UnpaidInterest => unpaid_interest_owed(&owed[b]),
                StepKind::BasisRisk => basis_risk_owed(&owed[b]),
                _ => reimbursement_owed(&carry[b]),
            }));
            let due: f64 = needs.iter().sum();
            let got = funds.draw(source, due, principal_first);
            allocate(got, needs, allocation, pays);
            let mut paid = 0.0;
            for (&b, &pay) in members.iter().zip(pays.iter()) {
                match kind {
                    StepKind::Interest => pay_interest(&mut owed[b], pay),
                    StepKind::UnpaidInterest => pay_unpaid_interest(&mut owed[b], pay),
                    StepKind::BasisRisk => pay_basis_risk(&mut owed[b], pay),
                    _ => reimburse(&mut carry[b], &mut owed[b], pay),
                }
                paid += pay;
            }
            (due, paid)
        }
        StepKind::PrincipalDistribution | StepKind::OcBuild => {
            let outstanding: f64 = carry.iter().map(|c| c.balance).sum();
            let due = if kind == StepKind::PrincipalDistribution {
                principal.pda_left
            } else {
                oc_deficiency(principal.target, principal.pool_end, outstanding)
            };
            needs.extend(members.iter().map(|&b| carry[b].balance));
            let want = due.min(needs.iter().sum());
            let got = funds.draw(source, want, principal_first);
            allocate(got, needs, allocation, pays);
            let mut paid = 0.0;
            for (&b, &pay) in members.iter().zip(pays.iter()) {
                carry[b].balance -= pay;
                if carry[b].balance < EPS {
                    carry[b].balance = 0.0;
                }
                owed[b].principal_paid += pay;
                paid += pay;
            }
            if kind == StepKind::PrincipalDistribution {
                principal.pda_left -= paid;
            }
            (due, paid)
        }
        StepKind::Residual => {
            let due = funds.available(source);
            (due, funds.draw(source, due, false))
        }
    }
}
