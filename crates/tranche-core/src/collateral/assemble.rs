//! Pool totals from the summed accumulators: liquidations `lag` months after default,
//! interest advanced on loans awaiting liquidation, fees.

use super::project::*;
use super::*;
use crate::assumptions::Assumptions;

/// Pool totals from the summed accumulators: liquidations `lag` months after default,
/// interest advanced on loans awaiting liquidation, fees.
pub(super) fn assemble(
    acc: &[[f64; ACC_FIELDS]],
    np: usize,
    s: &Assumptions,
    fees: &PoolFees,
) -> Vec<PoolPeriod> {
    let lag = s.recovery_lag as usize;
    let mut out = Vec::with_capacity(np);
    let mut pending = 0.0;
    for (per, a) in acc.iter().enumerate().take(np + 1).skip(1) {
        let begin = a[A_BEGIN];
        let defaulted = a[A_DEF];
        let liquidated = if per > lag {
            acc[per - lag][A_DEF]
        } else {
            0.0
        };
        pending += defaulted - liquidated;
        if pending.abs() < 1e-9 {
            pending = 0.0;
        }
        let recoveries = (1.0 - s.severity) * liquidated;
        let realized_loss = liquidated - recoveries;
        // Loans defaulted in months per-lag+1 ..= per are still awaiting liquidation.
        let (adv_int, adv_svc, adv_mi) = if s.advancing && lag > 0 {
            let from = (per + 1).saturating_sub(lag).max(1);
            (from..=per).fold((0.0, 0.0, 0.0), |(x, y, z), k| {
                (
                    x + acc[k][A_D_RATE] / 12.0,
                    y + acc[k][A_D_SVC] / 12.0,
                    z + acc[k][A_D_MI] / 12.0,
                )
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
            end_balance: end_balance.max(0.0),
            pending_default_balance: pending,
            wac,
            net_wac,
        });
    }
    out
}
