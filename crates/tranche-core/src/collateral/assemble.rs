//! Pool totals from the summed accumulators: liquidations `lag` months after default,
//! interest advanced on loans awaiting liquidation, fees.

use super::project::*;
use super::start::{Cohort, PoolStart};
use super::*;
use crate::assumptions::Assumptions;

/// The defaults of period `per` as the liquidations and the advances read them.
fn cohort(acc: &[[f64; ACC_FIELDS]], per: usize, k0: u32) -> Cohort {
    let a = &acc[per];
    Cohort {
        period: k0 + per as u32,
        balance: a[A_DEF],
        interest: a[A_D_RATE] / 12.0,
        servicing_fee: a[A_D_SVC] / 12.0,
        mi_fee: a[A_D_MI] / 12.0,
    }
}

/// Pool totals from the summed accumulators: liquidations `lag` months after default,
/// interest advanced on loans awaiting liquidation, fees. The defaults still awaiting
/// liquidation at `start` come first; returned with the pipeline after the last period
/// (the balance awaiting liquidation, and its cohorts).
pub(super) fn assemble(
    acc: &[[f64; ACC_FIELDS]],
    np: usize,
    s: &Assumptions,
    fees: &PoolFees,
    start: &PoolStart,
) -> (Vec<PoolPeriod>, (f64, Vec<Cohort>)) {
    let lag = s.recovery_lag as usize;
    let k0 = start.period;
    // A cohort from before the start liquidates `lag` periods after its default, or in the
    // first period when that date has passed.
    let due = |c: &Cohort| (c.period as usize + lag).saturating_sub(k0 as usize).max(1);
    // Defaults of period `r` (from the start; 0 and below: before it).
    let before = |r: isize| {
        start
            .cohorts
            .iter()
            .find(|c| c.period as isize == k0 as isize + r)
    };
    let mut out = Vec::with_capacity(np);
    let mut pending = start.pending;
    for (per, a) in acc.iter().enumerate().take(np + 1).skip(1) {
        let begin = a[A_BEGIN];
        let defaulted = a[A_DEF];
        let liquidated = if per > lag {
            acc[per - lag][A_DEF]
        } else {
            start
                .cohorts
                .iter()
                .filter(|c| due(c) == per)
                .fold(0.0, |x, c| x + c.balance)
        };
        pending += defaulted - liquidated;
        if pending.abs() < 1e-9 {
            pending = 0.0;
        }
        let recoveries = (1.0 - s.severity) * liquidated;
        let realized_loss = liquidated - recoveries;
        // Loans defaulted in months per-lag+1 ..= per are still awaiting liquidation.
        let (adv_int, adv_svc, adv_mi) = if s.advancing && lag > 0 {
            let from = per as isize + 1 - lag as isize;
            (from..=per as isize)
                .filter_map(|r| {
                    if r >= 1 {
                        Some(cohort(acc, r as usize, k0))
                    } else {
                        before(r).copied()
                    }
                })
                .fold((0.0, 0.0, 0.0), |(x, y, z), c| {
                    (x + c.interest, y + c.servicing_fee, z + c.mi_fee)
                })
        } else {
            (0.0, 0.0, 0.0)
        };
        let gross_interest = (a[A_B_RATE] - a[A_D_RATE]) / 12.0 + adv_int;
        let servicing_fee = (a[A_B_SVC] - a[A_D_SVC]) / 12.0 + adv_svc;
        let mi_fee = (a[A_B_MI] - a[A_D_MI]) / 12.0 + adv_mi;
        let master_servicing_fee = begin * fees.master_servicing / 12.0;
        let trustee_fee = begin * fees.trustee / 12.0;
        let net_interest =
            gross_interest - servicing_fee - mi_fee - master_servicing_fee - trustee_fee;
        let end_balance = begin - a[A_SCHED] - a[A_PREPAID] - defaulted;
        let (wac, net_wac) = if begin > 0.0 {
            let wac = a[A_B_RATE] / begin;
            (
                wac,
                wac - (a[A_B_SVC] + a[A_B_MI]) / begin - fees.master_servicing - fees.trustee,
            )
        } else {
            (0.0, 0.0)
        };
        let end_balance = end_balance.max(0.0);
        out.push(PoolPeriod {
            period: per as u32,
            begin_balance: begin,
            scheduled_principal: a[A_SCHED],
            prepaid_principal: a[A_PREPAID],
            defaulted_principal: defaulted,
            recoveries,
            realized_loss,
            advanced_principal: 0.0,
            gross_interest,
            servicing_fee,
            master_servicing_fee,
            trustee_fee,
            mi_fee,
            net_interest,
            end_balance,
            pending_default_balance: pending,
            delinquent_60_plus: s.delinquent(per as u32, end_balance + pending, pending),
            wac,
            net_wac,
        });
    }
    // Still awaiting liquidation after the last period: defaults of the last `lag`
    // periods, and earlier ones not yet due.
    let mut left: Vec<Cohort> = start
        .cohorts
        .iter()
        .filter(|c| due(c) > np)
        .copied()
        .collect();
    left.extend(
        (np.saturating_add(1).saturating_sub(lag).max(1)..=np)
            .filter(|_| lag > 0)
            .map(|r| cohort(acc, r, k0))
            .filter(|c| c.balance != 0.0),
    );
    (out, (pending, left))
}
