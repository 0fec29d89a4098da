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
    let deal = &c.deal;
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
    let call_t = first_call_period(c, pool, cut_off);
    let nb = deal.bonds.len();

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
            periods: Vec::with_capacity(n),
        })
        .collect();
    let mut infos = Vec::with_capacity(n);
    let mut ledger = Ledger::default();
    let mut sticky = vec![false; deal.triggers.len()];
    let mut failing = vec![false; deal.triggers.len()];
    let mut owed: Vec<Owed> = vec![Owed::default(); nb];
    let mut writedown = vec![0.0; nb];
    let mut scratch = Scratch::default();
    let mut arrears = SeniorArrears::default();
    let mut cum_loss = 0.0;
    let mut prev_pending = 0.0;
    let mut called = None;

    for (i, p) in pool.periods.iter().enumerate() {
        let t = i as u32 + 1;
        let dates = &c.dates[i];
        let date = dates.payment_date;
        let days = f64::from(dates.days);
        let stepped = horizon != Horizon::Call && call_t.is_some_and(|k| t > k);
        let is_call = match horizon {
            Horizon::Call => call_t == Some(t),
            Horizon::Maturity => false,
            Horizon::CallOn(m) => dates.unadjusted_month == m,
        };

        let pool_begin = p.begin_balance + prev_pending;
        let pool_end_collected = p.end_balance + p.pending_default_balance;
        prev_pending = p.pending_default_balance;
        let bonds_begin: f64 = carry.iter().map(|c| c.balance).sum();

        // The Derivative Contracts for this accrual period.
        let d = derivative_flows(c, rates, i + 1, date, days, bonds_begin)?;

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
                pending_default: p.pending_default_balance,
                pool_end: pool_end_collected,
            },
            &mut sticky,
            &mut failing,
            trig_states.as_mut(),
        );

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
