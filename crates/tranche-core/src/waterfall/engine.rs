//! The period loop, read as the priority of payments: funds in, fees and Net Derivative
//! Fees, the Available Funds Rate and the Bond Interest Rates, triggers, the Principal
//! Distribution Amount, the deal's steps in order, then realized losses. Each rule lives in
//! the module named for it; everything deal-specific comes from the [`CompiledDeal`].

use super::available_funds::{available_funds, SeniorArrears};
use super::available_funds_rate::available_funds_rate;
use super::bond_interest_rate::bond_interest;
use super::clean_up_call::first_call_period;
use super::compiled::{CompiledDeal, MAX_PERIODS};
use super::derivative_contracts::derivative_flows;
use super::ledger::{Ledger, LedgerPeriod, StepEntry};
use super::overcollateralization::oc_target;
use super::position::{BondCarry, Position, Stop};
use super::principal_distribution_amount::principal_distribution_amount;
use super::priority_of_payments::{pay_step, PrincipalContext, Scratch};
use super::rate;
use super::realized_losses::allocate_realized_losses;
use super::state::{Carry, Owed};
use super::triggers::{evaluate, Measures};
use super::{BondFlows, BondPeriod, DealRun, Horizon, PeriodInfo, EPS};
use crate::collateral::PoolCashflows;
use crate::deal::Deal;
use crate::rates::RateCurves;
use crate::{Error, Result};

/// Runs the deal's waterfall over the pool's cash flows (the deal compiled for this run).
pub fn run_with_ledger(
    deal: &Deal,
    pool: &PoolCashflows,
    rates: &RateCurves,
    horizon: Horizon,
) -> Result<(DealRun, Ledger)> {
    let c = CompiledDeal::new(deal)?;
    run_compiled(&c, pool, rates, horizon, true)
}

/// Runs a compiled deal's waterfall; the ledger is filled only when `with_ledger`.
pub fn run_compiled(
    c: &CompiledDeal,
    pool: &PoolCashflows,
    rates: &RateCurves,
    horizon: Horizon,
    with_ledger: bool,
) -> Result<(DealRun, Ledger)> {
    run_from(c, pool, rates, horizon, with_ledger, None, None).map(|(r, l, _)| (r, l))
}

/// Runs a compiled deal's waterfall from `start` (closing when `None`) over the pool's
/// flows of the periods after it, and stops after period `until` if asked. Returns where
/// the trust then stands, and how the run ended. Rate paths are read from the first period
/// run on (their period 1 is the period after `start`).
pub fn run_from(
    c: &CompiledDeal,
    pool: &PoolCashflows,
    rates: &RateCurves,
    horizon: Horizon,
    with_ledger: bool,
    start: Option<&Position>,
    until: Option<u32>,
) -> Result<(DealRun, Ledger, (Position, Stop))> {
    let deal = &c.deal;
    let n = pool.periods.len();
    let k0 = start.map_or(0, |s| s.period as usize);
    if n == 0 {
        return Err(Error::Unrunnable("the pool has no cash flows".into()));
    }
    if n + k0 > MAX_PERIODS {
        return Err(Error::Unrunnable(format!(
            "the pool's cash flows have {} periods; the waterfall runs at most {MAX_PERIODS}",
            n + k0
        )));
    }
    let nb = deal.bonds.len();
    let nt = deal.triggers.len();
    let cut_off = match start {
        Some(s) if s.cut_off > 0.0 => s.cut_off,
        _ => pool.periods[0].begin_balance,
    };
    // The call's first date: already come (the start says so) or still ahead.
    let call_t = start
        .and_then(|s| s.call_period)
        .or_else(|| first_call_period(c, pool, cut_off, k0));
    // A call due before the start (and not exercised) is exercised on the first date run.
    let call_on = call_t.map(|t| t.max(k0 as u32 + 1));

    let mut carry: Vec<Carry> = match start {
        Some(s) => s
            .bonds
            .iter()
            .map(|b| Carry {
                balance: b.balance,
                uis: b.unpaid_interest,
                brc: b.basis_risk,
                arla: b.allocated_loss,
            })
            .collect(),
        None => deal
            .bonds
            .iter()
            .map(|b| Carry {
                balance: b.balance,
                ..Carry::default()
            })
            .collect(),
    };
    if carry.len() != nb {
        return Err(Error::Unrunnable(format!(
            "the start position has {} bonds; the deal has {nb}",
            carry.len()
        )));
    }
    let mut flows: Vec<BondFlows> = deal
        .bonds
        .iter()
        .map(|b| BondFlows {
            name: b.name.clone(),
            original_balance: b.balance,
            margin: b.margin(),
            periods: Vec::with_capacity(n),
        })
        .collect();
    let mut infos = Vec::with_capacity(n);
    let mut ledger = Ledger::default();
    let mut first_failed: Vec<Option<u32>> = match start {
        Some(s) if s.first_failed.len() == nt => s.first_failed.clone(),
        _ => vec![None; nt],
    };
    // A sticky trigger that has failed stays failed.
    let mut sticky: Vec<bool> = deal
        .triggers
        .iter()
        .zip(&first_failed)
        .map(|(tr, f)| tr.sticky && f.is_some())
        .collect();
    let mut failing = match start {
        Some(s) if s.failing.len() == nt => s.failing.clone(),
        _ => vec![false; nt],
    };
    let terminated: Vec<bool> = start.map(|s| s.terminated.clone()).unwrap_or_default();
    let mut owed: Vec<Owed> = vec![Owed::default(); nb];
    let mut writedown = vec![0.0; nb];
    let mut scratch = Scratch::default();
    let mut arrears = SeniorArrears {
        fees: start.map_or(0.0, |s| s.fees_unpaid),
        net_derivative_fees: start.map_or(0.0, |s| s.net_derivative_fees_unpaid),
    };
    let mut cum_loss = start.map_or(0.0, |s| s.cumulative_loss);
    let mut prev_pending = start.map_or(0.0, |s| s.pending_default);
    let mut pool_balance = start.map_or(cut_off, |s| s.pool_balance);
    let mut called = None;
    let mut stop = Stop::Reached;

    for (i, p) in pool.periods.iter().enumerate() {
        let t = (k0 + i) as u32 + 1;
        if until.is_some_and(|u| t > u) {
            break;
        }
        let dates = &c.dates[k0 + i];
        let date = dates.payment_date;
        let days = f64::from(dates.days);
        let stepped = horizon != Horizon::Call && call_t.is_some_and(|k| t > k);
        let is_call = match horizon {
            Horizon::Call => call_on == Some(t),
            Horizon::Maturity => false,
            Horizon::CallOn(m) => dates.unadjusted_month == m,
        };

        let pool_begin = p.begin_balance + prev_pending;
        let pool_end_collected = p.end_balance + p.pending_default_balance;
        prev_pending = p.pending_default_balance;
        let bonds_begin: f64 = carry.iter().map(|c| c.balance).sum();

        // The Derivative Contracts for this accrual period.
        let d = derivative_flows(c, rates, i + 1, date, days, bonds_begin, &terminated)?;

        // Available funds: fees, then Net Derivative Fees, from interest then principal.
        let call_proceeds = if is_call { pool_end_collected } else { 0.0 };
        let (mut funds, senior) = available_funds(
            p,
            p.principal_cash() + call_proceeds,
            d.receipts,
            d.owed,
            &mut arrears,
        );
        let available = funds.interest + funds.principal;
        let pool_end = if is_call { 0.0 } else { pool_end_collected };

        // The Available Funds Rate and each bond's Bond Interest Rate.
        let fr = available_funds_rate(
            deal.interest.afr_basis,
            p,
            pool_begin,
            bonds_begin,
            days,
            d.owed,
            d.receipts,
            funds.interest,
        );
        for (b, bond) in deal.bonds.iter().enumerate() {
            let idx_rate = match &c.bond_index[b] {
                Some(ix) => rate(rates, ix, i + 1)?,
                None => 0.0,
            };
            owed[b] = bond_interest(
                bond,
                idx_rate,
                stepped,
                fr.afr,
                days,
                &carry[b],
                &deal.interest,
            );
        }

        // Triggers.
        cum_loss += p.realized_loss;
        let mut trig_states = with_ledger.then(|| Vec::with_capacity(deal.triggers.len()));
        evaluate(
            c,
            date,
            &Measures {
                cum_loss,
                cut_off,
                delinquent: p.delinquent_60_plus,
                pool_end: pool_end_collected,
            },
            &mut sticky,
            &mut failing,
            trig_states.as_mut(),
        );
        for (f, now) in first_failed.iter_mut().zip(&failing) {
            if *now && f.is_none() {
                *f = Some(t);
            }
        }

        // OC and the Principal Distribution Amount.
        let target = if is_call {
            0.0
        } else {
            oc_target(c, date, cut_off, pool_end, &failing)
        };
        let pda = principal_distribution_amount(
            p.principal_cash() + call_proceeds,
            pool_end,
            bonds_begin,
            target,
        );
        let mut principal = PrincipalContext {
            pda_left: pda.amount,
            target,
            pool_end,
        };

        // The deal's steps, in order.
        let mut steps = with_ledger.then(|| Vec::with_capacity(deal.waterfall.len()));
        let mut residual = 0.0;
        for (si, s) in deal.waterfall.iter().enumerate() {
            let ran = c.step_when[si].holds(&failing);
            let (due, paid) = if ran {
                pay_step(
                    s.step,
                    s.source,
                    s.allocation,
                    &c.step_bonds[si],
                    &mut funds,
                    &mut owed,
                    &mut carry,
                    &mut principal,
                    &mut scratch,
                )
            } else {
                (0.0, 0.0)
            };
            if ran && s.step == crate::deal::StepKind::Residual {
                residual += paid;
            }
            if let Some(v) = steps.as_mut() {
                v.push(StepEntry {
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
        }
        // Whatever no step took belongs to the certificates.
        residual += funds.interest + funds.principal + funds.derivative;

        // Realized losses: bonds in excess of the pool, written down in the deal's order.
        let unabsorbed = allocate_realized_losses(c, &mut carry, pool_end, &mut writedown);

        // Record.
        let bonds_end: f64 = carry.iter().map(|c| c.balance).sum();
        for b in 0..nb {
            let o = &owed[b];
            let cb = &mut carry[b];
            let begin = cb.balance + writedown[b] + o.principal_paid;
            cb.uis = o.uis_rem + o.interest_rem;
            cb.brc = o.br_rem;
            if cb.uis < EPS {
                cb.uis = 0.0;
            }
            if cb.brc < EPS {
                cb.brc = 0.0;
            }
            flows[b].periods.push(BondPeriod {
                period: t,
                begin_balance: begin,
                coupon: o.coupon,
                cap_binding: o.binding,
                interest_due: o.interest_due,
                interest_paid: o.interest_paid,
                interest_shortfall: cb.uis,
                basis_risk_paid: o.br_paid,
                basis_risk_carryforward: cb.brc,
                principal_paid: o.principal_paid,
                writedown: writedown[b],
                reimbursement: o.reimbursed,
                end_balance: cb.balance,
            });
        }
        infos.push(PeriodInfo {
            period: t,
            payment_date: date,
            accrual_start: dates.accrual_start,
            accrual_days: dates.days,
            bond_index_rate: rate(rates, &c.pricing_index, i + 1).unwrap_or(0.0),
            available_rate: fr.available_rate,
        });
        if let (Some(steps), Some(triggers)) = (steps, trig_states) {
            ledger.periods.push(LedgerPeriod {
                period: t,
                payment_date: date,
                accrual_days: dates.days,
                pool_begin_balance: pool_begin,
                pool_end_balance: pool_end,
                gross_interest: p.gross_interest,
                fees: p.gross_interest - p.net_interest,
                fees_paid: senior.fees_paid,
                fees_unpaid: arrears.fees,
                net_interest: p.net_interest,
                principal_collected: p.principal_cash(),
                call_proceeds,
                derivative_receipts: d.receipts,
                net_derivative_fees: senior.net_derivative_fees_paid,
                net_derivative_fees_unpaid: arrears.net_derivative_fees,
                available_funds: available,
                realized_loss: p.realized_loss,
                net_mortgage_rate: fr.net_mortgage_rate,
                afr: fr.afr,
                available_rate: fr.available_rate,
                bonds_begin_balance: bonds_begin,
                bonds_end_balance: bonds_end,
                oc_target: target,
                oc_before: pda.oc_before,
                oc_actual: pool_end - bonds_end,
                triggers,
                steps,
                principal_distribution_amount: pda.amount,
                oc_release: pda.release,
                writedowns: writedown.iter().sum(),
                unabsorbed_loss: unabsorbed,
                residual,
                stepped_up: stepped,
                called: is_call,
            });
        }
        pool_balance = pool_end;
        if is_call {
            called = Some(t);
            stop = Stop::Called(t);
            break;
        }
        if bonds_end <= EPS {
            stop = Stop::Ended(t);
            break;
        }
    }
    let last = k0 as u32 + infos.len() as u32;
    if let (Some(u), Stop::Reached) = (until, stop) {
        if last < u {
            stop = Stop::Ended(last);
        }
    }
    let position = Position {
        period: last,
        cut_off,
        bonds: carry
            .iter()
            .map(|c| BondCarry {
                balance: c.balance,
                unpaid_interest: c.uis,
                basis_risk: c.brc,
                allocated_loss: c.arla,
            })
            .collect(),
        fees_unpaid: arrears.fees,
        net_derivative_fees_unpaid: arrears.net_derivative_fees,
        cumulative_loss: cum_loss,
        pending_default: prev_pending,
        first_failed,
        failing,
        call_period: call_t.filter(|&t| t <= last),
        terminated: if terminated.is_empty() {
            vec![false; deal.derivatives.len()]
        } else {
            terminated
        },
        pool_balance,
    };

    let collateral = PoolCashflows {
        periods: pool.periods[..infos.len()].to_vec(),
        loans: Vec::new(),
    };
    Ok((
        DealRun {
            horizon,
            // A run from a payment date after closing settles on that date.
            settlement: match k0 {
                0 => deal.dates.settlement,
                k => c.dates[k - 1].payment_date,
            },
            periods: infos,
            collateral,
            bonds: flows,
            call_period: called,
        },
        ledger,
        (position, stop),
    ))
}
