//! The period loop: funds in, coupons and caps, triggers, the deal's steps in order,
//! write-downs. Everything deal-specific comes from [`Deal`].

use super::available_funds::{available_funds, SeniorArrears};
use super::ledger::{Ledger, LedgerPeriod, StepEntry, TriggerState};
use super::{BondFlows, BondPeriod, CapBinding, DealRun, Horizon, PeriodInfo};
use crate::collateral::PoolCashflows;
use crate::deal::{
    AfrBasis, Allocation, Condition, DayCount, Deal, Step, StepKind, TriggerKind, YearMonth,
    MAX_STEPS,
};
use crate::rates::RateCurves;
use crate::tape::RateIndex;
use crate::{Error, Result};
use chrono::NaiveDate;

/// Most periods a run may have (60 years of monthly payments).
pub const MAX_PERIODS: usize = 720;

/// Amounts below this are zero (a thousandth of a cent).
const EPS: f64 = 1e-5;

/// Per-bond amounts owed in the current period.
#[derive(Debug, Clone, Default)]
struct Owed {
    coupon: f64,
    binding: CapBinding,
    interest_due: f64,
    /// Current interest not yet paid.
    interest_rem: f64,
    /// Unpaid Interest Shortfall Amount from prior periods (with interest), not yet paid.
    uis_rem: f64,
    /// Basis Risk Amount (current + carried with interest) not yet paid.
    br_rem: f64,
    interest_paid: f64,
    br_paid: f64,
    principal_paid: f64,
    reimbursed: f64,
}

/// Per-bond state carried between periods.
#[derive(Debug, Clone, Default)]
struct Carry {
    balance: f64,
    uis: f64,
    brc: f64,
    arla: f64,
}

/// Splits `amount` over `needs`: sequentially in order, or pro rata to the needs.
fn allocate(amount: f64, needs: &[f64], alloc: Allocation) -> Vec<f64> {
    let total: f64 = needs.iter().sum();
    if amount >= total {
        return needs.to_vec();
    }
    match alloc {
        Allocation::Sequential => {
            let mut left = amount;
            needs
                .iter()
                .map(|n| {
                    let p = n.min(left).max(0.0);
                    left -= p;
                    p
                })
                .collect()
        }
        Allocation::ProRata => needs
            .iter()
            .map(|n| if total > 0.0 { amount * n / total } else { 0.0 })
            .collect(),
    }
}

fn rate(rates: &RateCurves, index: &RateIndex, period: usize) -> Result<f64> {
    rates.rate(index, period).ok_or_else(|| {
        Error::Unrunnable(format!(
            "no rate path for index {index}: give it in the curves or the flat rates"
        ))
    })
}

/// First period in which the clean-up call may be exercised: the pool balance after that
/// date's collections is at or below the threshold, or the payment date is in the call month.
fn call_period(deal: &Deal, pool: &PoolCashflows, cut_off: f64) -> Option<u32> {
    let c = &deal.clean_up_call;
    pool.periods.iter().enumerate().find_map(|(i, p)| {
        let t = i as u32 + 1;
        let end = p.end_balance + p.pending_default_balance;
        let by_balance = c
            .pool_pct_of_cut_off
            .is_some_and(|pct| end <= pct / 100.0 * cut_off + EPS);
        let by_date = c
            .date
            .is_some_and(|m| YearMonth::of(deal.unadjusted_payment_date(t)) >= m);
        (by_balance || by_date).then_some(t)
    })
}

fn oc_target(deal: &Deal, date: NaiveDate, cut_off: f64, pool_end: f64, failing: &[bool]) -> f64 {
    let o = &deal.overcollateralization;
    let ym = YearMonth::of(date);
    if o.zero_through.is_some_and(|z| ym <= z) {
        return 0.0;
    }
    let initial = o.target_pct_of_cut_off / 100.0 * cut_off;
    match &o.stepdown {
        Some(s) if ym >= s.on_or_after => {
            let blocked = s.blocked_by.iter().any(|n| {
                deal.triggers
                    .iter()
                    .position(|t| &t.name == n)
                    .is_some_and(|i| failing[i])
            });
            if blocked {
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

fn condition_holds(deal: &Deal, c: &Option<Condition>, failing: &[bool]) -> bool {
    let is_failing = |n: &String| {
        deal.triggers
            .iter()
            .position(|t| &t.name == n)
            .is_some_and(|i| failing[i])
    };
    match c {
        None => true,
        Some(Condition::AnyFailing(ns)) => ns.iter().any(is_failing),
        Some(Condition::AllPassing(ns)) => !ns.iter().any(is_failing),
    }
}

fn step_bonds(deal: &Deal, s: &Step) -> Vec<usize> {
    if s.bonds.is_empty() {
        (0..deal.bonds.len()).collect()
    } else {
        s.bonds.iter().filter_map(|n| deal.bond_index(n)).collect()
    }
}

/// Runs the deal's waterfall over the pool's cash flows.
pub fn run_with_ledger(
    deal: &Deal,
    pool: &PoolCashflows,
    rates: &RateCurves,
    horizon: Horizon,
) -> Result<(DealRun, Ledger)> {
    deal.check()?;
    if deal.waterfall.len() > MAX_STEPS {
        return Err(Error::Unrunnable(format!(
            "the waterfall has {} steps; at most {MAX_STEPS} are allowed",
            deal.waterfall.len()
        )));
    }
    let n = pool.periods.len();
    if n == 0 {
        return Err(Error::Unrunnable("the pool has no cash flows".into()));
    }
    if n > MAX_PERIODS {
        return Err(Error::Unrunnable(format!(
            "the pool's cash flows have {n} periods; the waterfall runs at most {MAX_PERIODS}"
        )));
    }
    let cut_off = pool.periods[0].begin_balance;
    let call_t = call_period(deal, pool, cut_off);
    let nb = deal.bonds.len();
    let bond_idx: Vec<Option<RateIndex>> = deal.bonds.iter().map(|b| b.index()).collect();
    let pricing_index = bond_idx
        .iter()
        .flatten()
        .next()
        .cloned()
        .unwrap_or_else(|| RateIndex::parse(&deal.pricing.index));
    let deriv_idx: Vec<RateIndex> = deal
        .derivatives
        .iter()
        .map(|d| RateIndex::parse(&d.index))
        .collect();

    let mut carry: Vec<Carry> = deal
        .bonds
        .iter()
        .map(|b| Carry {
            balance: b.balance,
            ..Carry::default()
        })
        .collect();
    let mut flows: Vec<BondFlows> = deal
        .bonds
        .iter()
        .map(|b| BondFlows {
            name: b.name.clone(),
            original_balance: b.balance,
            margin: b.margin(),
            periods: Vec::new(),
        })
        .collect();
    let mut infos = Vec::new();
    let mut ledger = Ledger::default();
    let mut failing_sticky = vec![false; deal.triggers.len()];
    let mut cum_loss = 0.0;
    let mut prev_pending = 0.0;
    let mut called = None;
    let mut arrears = SeniorArrears::default();

    for (i, p) in pool.periods.iter().enumerate() {
        let t = i as u32 + 1;
        let date = deal.payment_date(t);
        let start = if t == 1 {
            deal.dates.closing
        } else {
            deal.payment_date(t - 1)
        };
        let days = (date - start).num_days().max(1) as u32;
        let dayf = f64::from(days);
        let stepped = horizon != Horizon::Call && call_t.is_some_and(|c| t > c);
        let is_call = match horizon {
            Horizon::Call => call_t == Some(t),
            Horizon::Maturity => false,
            Horizon::CallOn(m) => YearMonth::of(deal.unadjusted_payment_date(t)) == m,
        };

        let pool_begin = p.begin_balance + prev_pending;
        let pool_end_collected = p.end_balance + p.pending_default_balance;
        prev_pending = p.pending_default_balance;
        let bonds_begin: f64 = carry.iter().map(|c| c.balance).sum();

        // Derivative contracts for this accrual period.
        let (mut d_in, mut d_out) = (0.0, 0.0);
        for (d, idx) in deal.derivatives.iter().zip(&deriv_idx) {
            let mut notional = d.notional_at(date);
            if d.limited_to_bond_balance {
                notional = notional.min(bonds_begin);
            }
            if notional <= 0.0 {
                continue;
            }
            let amt = notional * d.payoff_rate(rate(rates, idx, t as usize)?) * dayf / 360.0;
            if amt >= 0.0 {
                d_in += amt;
            } else {
                d_out -= amt;
            }
        }

        // Funds: fees, then Net Derivative Fees, from interest then principal.
        let call_proceeds = if is_call { pool_end_collected } else { 0.0 };
        let (mut funds, senior) = available_funds(
            p,
            p.principal_cash() + call_proceeds,
            d_in,
            d_out,
            &mut arrears,
        );
        let ndf_paid = senior.net_derivative_fees_paid;
        let available_funds = funds.interest + funds.principal;
        let pool_end = if is_call { 0.0 } else { pool_end_collected };

        // Net Mortgage Rate and Available Funds Rate (act/360 basis).
        let nmr = if pool_begin > 0.0 {
            p.net_wac - d_out * 12.0 / pool_begin
        } else {
            0.0
        };
        let afr = if bonds_begin > EPS {
            match deal.interest.afr_basis {
                AfrBasis::NetMortgageRate => nmr * pool_begin / bonds_begin * 30.0 / dayf,
                AfrBasis::NetInterestCollected => funds.interest / bonds_begin * 360.0 / dayf,
            }
        } else {
            f64::INFINITY
        };
        let available_rate = if bonds_begin > EPS {
            (p.net_interest - d_out + d_in) / bonds_begin * 360.0 / dayf
        } else {
            0.0
        };

        // Coupons, caps, amounts owed.
        let mut owed: Vec<Owed> = Vec::with_capacity(nb);
        for (b, (bond, c)) in deal.bonds.iter().zip(&carry).enumerate() {
            let idx_rate = match &bond_idx[b] {
                Some(ix) => rate(rates, ix, t as usize)?,
                None => 0.0,
            };
            let base = bond.base_coupon(idx_rate, stepped);
            let capped_fixed = bond.fixed_cap_pct.map_or(base, |k| base.min(k / 100.0));
            let (yf, afr_b) = match bond.day_count() {
                DayCount::Act360 => (dayf / 360.0, afr),
                DayCount::Thirty360 => (30.0 / 360.0, afr * dayf / 30.0),
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
            let due = c.balance * coupon * yf;
            let br_now = (c.balance * (capped_fixed - coupon) * yf).max(0.0);
            let grow = |x: f64, on: bool| if on { x * (1.0 + coupon * yf) } else { x };
            owed.push(Owed {
                coupon,
                binding,
                interest_due: due,
                interest_rem: due,
                uis_rem: grow(c.uis, deal.interest.unpaid_interest_bears_interest),
                br_rem: grow(c.brc, deal.interest.basis_risk_bears_interest) + br_now,
                ..Owed::default()
            });
        }

        // Triggers.
        cum_loss += p.realized_loss;
        let mut failing = vec![false; deal.triggers.len()];
        let mut trig_states = Vec::with_capacity(deal.triggers.len());
        for (k, tr) in deal.triggers.iter().enumerate() {
            let value = match tr.kind {
                TriggerKind::CumulativeLoss => {
                    if cut_off > 0.0 {
                        cum_loss / cut_off
                    } else {
                        0.0
                    }
                }
                TriggerKind::Delinquency => {
                    if pool_end_collected > 0.0 {
                        p.pending_default_balance / pool_end_collected
                    } else {
                        0.0
                    }
                }
            };
            let threshold = tr.threshold_at(date);
            let mut f = threshold.is_some_and(|th| value > th + 1e-12);
            if tr.sticky {
                f |= failing_sticky[k];
                failing_sticky[k] = f;
            }
            failing[k] = f;
            trig_states.push(TriggerState {
                name: tr.name.clone(),
                value,
                threshold,
                failing: f,
            });
        }

        // OC and the Principal Distribution Amount.
        let target = if is_call {
            0.0
        } else {
            oc_target(deal, date, cut_off, pool_end, &failing)
        };
        let remittance = p.principal_cash() + call_proceeds;
        let oc_before = pool_end - (bonds_begin - remittance);
        let release = (oc_before - target).max(0.0).min(remittance);
        let pda = (remittance - release).min(bonds_begin).max(0.0);
        let mut pda_left = pda;

        // The deal's steps.
        let mut steps = Vec::with_capacity(deal.waterfall.len());
        let mut residual = 0.0;
        for (si, s) in deal.waterfall.iter().enumerate() {
            let ran = condition_holds(deal, &s.when, &failing);
            let members = step_bonds(deal, s);
            let mut due = 0.0;
            let mut paid = 0.0;
            if ran {
                let principal_first =
                    matches!(s.step, StepKind::PrincipalDistribution | StepKind::OcBuild);
                match s.step {
                    StepKind::Interest
                    | StepKind::UnpaidInterest
                    | StepKind::BasisRisk
                    | StepKind::LossReimbursement => {
                        let needs: Vec<f64> = members
                            .iter()
                            .map(|&b| match s.step {
                                StepKind::Interest => owed[b].interest_rem,
                                StepKind::UnpaidInterest => owed[b].uis_rem + owed[b].interest_rem,
                                StepKind::BasisRisk => owed[b].br_rem,
                                _ => carry[b].arla,
                            })
                            .collect();
                        due = needs.iter().sum();
                        let got = funds.draw(s.source, due, principal_first);
                        for (&b, pay) in members.iter().zip(allocate(got, &needs, s.allocation)) {
                            let o = &mut owed[b];
                            match s.step {
                                StepKind::Interest => {
                                    o.interest_rem -= pay;
                                    o.interest_paid += pay;
                                }
                                StepKind::UnpaidInterest => {
                                    let prior = pay.min(o.uis_rem);
                                    o.uis_rem -= prior;
                                    o.interest_rem -= pay - prior;
                                    o.interest_paid += pay;
                                }
                                StepKind::BasisRisk => {
                                    o.br_rem -= pay;
                                    o.br_paid += pay;
                                }
                                _ => {
                                    carry[b].arla -= pay;
                                    o.reimbursed += pay;
                                }
                            }
                            paid += pay;
                        }
                    }
                    StepKind::PrincipalDistribution | StepKind::OcBuild => {
                        let outstanding: f64 = carry.iter().map(|c| c.balance).sum();
                        due = if s.step == StepKind::PrincipalDistribution {
                            pda_left
                        } else {
                            (target - (pool_end - outstanding)).max(0.0)
                        };
                        let needs: Vec<f64> = members.iter().map(|&b| carry[b].balance).collect();
                        let want = due.min(needs.iter().sum());
                        let got = funds.draw(s.source, want, principal_first);
                        for (&b, pay) in members.iter().zip(allocate(got, &needs, s.allocation)) {
                            carry[b].balance -= pay;
                            if carry[b].balance < EPS {
                                carry[b].balance = 0.0;
                            }
                            owed[b].principal_paid += pay;
                            paid += pay;
                        }
                        if s.step == StepKind::PrincipalDistribution {
                            pda_left -= paid;
                        }
                    }
                    StepKind::Residual => {
                        due = funds.available(s.source);
                        paid = funds.draw(s.source, due, false);
                        residual += paid;
                    }
                }
            }
            steps.push(StepEntry {
                index: si,
                label: s.label.clone(),
                step: s.step,
                source: s.source,
                ran,
                due,
                paid,
                remaining: funds.available(s.source),
            });
        }
        // Whatever no step took belongs to the certificates.
        residual += funds.interest + funds.principal + funds.derivative;

        // Write-downs: bonds in excess of the pool, in the deal's order.
        let bonds_after: f64 = carry.iter().map(|c| c.balance).sum();
        let mut excess = bonds_after - pool_end;
        let mut writedown = vec![0.0; nb];
        if excess > EPS {
            for name in &deal.realized_losses.writedown_order {
                let Some(b) = deal.bond_index(name) else {
                    continue;
                };
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
        let unabsorbed = excess.max(0.0);

        // Record.
        let bonds_end: f64 = carry.iter().map(|c| c.balance).sum();
        for b in 0..nb {
            let o = &owed[b];
            let c = &mut carry[b];
            let begin = c.balance + writedown[b] + o.principal_paid;
            c.uis = o.uis_rem + o.interest_rem;
            c.brc = o.br_rem;
            if c.uis < EPS {
                c.uis = 0.0;
            }
            if c.brc < EPS {
                c.brc = 0.0;
            }
            flows[b].periods.push(BondPeriod {
                period: t,
                begin_balance: begin,
                coupon: o.coupon,
                cap_binding: o.binding,
                interest_due: o.interest_due,
                interest_paid: o.interest_paid,
                interest_shortfall: c.uis,
                basis_risk_paid: o.br_paid,
                basis_risk_carryforward: c.brc,
                principal_paid: o.principal_paid,
                writedown: writedown[b],
                reimbursement: o.reimbursed,
                end_balance: c.balance,
            });
        }
        let bond_index_rate = rate(rates, &pricing_index, t as usize).unwrap_or(0.0);
        infos.push(PeriodInfo {
            period: t,
            payment_date: date,
            accrual_start: start,
            accrual_days: days,
            bond_index_rate,
            available_rate,
        });
        ledger.periods.push(LedgerPeriod {
            period: t,
            payment_date: date,
            accrual_days: days,
            pool_begin_balance: pool_begin,
            pool_end_balance: pool_end,
            gross_interest: p.gross_interest,
            fees: p.gross_interest - p.net_interest,
            fees_paid: senior.fees_paid,
            fees_unpaid: arrears.fees,
            net_interest: p.net_interest,
            principal_collected: p.principal_cash(),
            call_proceeds,
            derivative_receipts: d_in,
            net_derivative_fees: ndf_paid,
            net_derivative_fees_unpaid: arrears.net_derivative_fees,
            available_funds,
            realized_loss: p.realized_loss,
            net_mortgage_rate: nmr,
            afr,
            available_rate,
            bonds_begin_balance: bonds_begin,
            bonds_end_balance: bonds_end,
            oc_target: target,
            oc_before,
            oc_actual: pool_end - bonds_end,
            triggers: trig_states,
            steps,
            principal_distribution_amount: pda,
            oc_release: release,
            writedowns: writedown.iter().sum(),
            unabsorbed_loss: unabsorbed,
            residual,
            stepped_up: stepped,
            called: is_call,
        });
        if is_call {
            called = Some(t);
            break;
        }
        if bonds_end <= EPS {
            break;
        }
    }

    let collateral = PoolCashflows {
        periods: pool.periods[..infos.len()].to_vec(),
        loans: Vec::new(),
    };
    Ok((
        DealRun {
            horizon,
            settlement: deal.dates.settlement,
            periods: infos,
            collateral,
            bonds: flows,
            call_period: called,
        },
        ledger,
    ))
}
