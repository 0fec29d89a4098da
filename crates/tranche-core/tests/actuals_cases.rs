#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Actuals, by hand: a deal with OC at its target and a sequential senior; in period 2
//! the actuals report one more liquidated loan than the model. What the waterfall must do
//! with the loss follows from the term sheet's rules (Principal Distribution Amount, OC
//! build from Excess Cash Flow, write-down of the subordinate bond) and is worked out
//! below from the base run's own figures.

use tranche_core::collateral::LoanPool;
use tranche_core::deal::{Deal, YearMonth};
use tranche_core::runner::{DealModel, RunOutput};
use tranche_core::scenario::{DefaultRate, Defaults, Prepay, RateBase, Scenario, Speed};
use tranche_core::surveillance::{ActualPeriod, Actuals};
use tranche_core::testkit::{self, DealSpec};
use tranche_core::waterfall::Horizon;

fn model() -> DealModel {
    let loans = testkit::small_loans();
    let total: f64 = loans.iter().map(|l| l.balance).sum();
    let spec = DealSpec {
        // 99.5% bonds: OC starts at its 0.5% target.
        bond_fractions: vec![0.90, 0.095],
        margins_pct: vec![0.34, 1.20],
        oc_target_pct: 0.5,
        call_pct: 10.0,
        sequential: true,
        fixed_cap_pct: 11.5,
        master_servicing_fee_pct: 0.03,
        swap: None,
    };
    let deal: Deal = toml::from_str(&testkit::deal_toml(&spec, total)).unwrap();
    DealModel::new(deal, LoanPool::from_loans(&loans).unwrap(), None).unwrap()
}

fn scenario() -> Scenario {
    let mut s = Scenario {
        prepay: Prepay::all(Speed::Cpr { pct: 10.0 }),
        defaults: Defaults {
            rate: DefaultRate::Cdr { pct: 0.0 },
            severity_pct: 0.0,
            lag_months: 0,
        },
        horizon: Horizon::Maturity,
        ..Scenario::default()
    };
    s.rates.base = RateBase::Flat { pct: 1.0 };
    s
}

/// The base run's pool flows for periods 1 and 2 as actuals, with a loan of `defaulted`
/// liquidated in period 2 at `severity`.
fn with_loss(m: &DealModel, base: &RunOutput, defaulted: f64, severity: f64) -> Actuals {
    let mut periods: Vec<ActualPeriod> = base.run.collateral.periods[..2]
        .iter()
        .map(|p| {
            let month = YearMonth::of(m.deal.unadjusted_payment_date(p.period));
            ActualPeriod::from_model(month, p)
        })
        .collect();
    let p2 = &mut periods[1].pool;
    p2.defaulted_principal += defaulted;
    p2.end_balance -= defaulted;
    p2.recoveries += defaulted * (1.0 - severity);
    p2.realized_loss += defaulted * severity;
    Actuals { periods }
}

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() < 1e-6, "{what}: {a} vs {b}");
}

/// Period `t` (1-based) of bond `b`: (interest, principal, write-down).
fn bond(out: &RunOutput, b: usize, t: usize) -> (f64, f64, f64) {
    let p = &out.run.bonds[b].periods[t - 1];
    (p.interest_paid, p.principal_paid, p.writedown)
}

fn residual(out: &RunOutput, t: usize) -> f64 {
    out.ledger.periods[t - 1].residual
}

#[test]
fn a_loss_within_excess_spread_is_paid_down_from_it() {
    let m = model();
    let s = scenario();
    let base = m.run(&s).unwrap();
    // Excess Cash Flow of period 2 in the base run: it all goes to the residual (OC is
    // at target and nothing is owed).
    let excess = residual(&base, 2);
    assert!(excess > 5_000.0, "excess spread {excess}");
    let (d, sev) = (8_000.0, 0.5);
    let loss = d * sev;
    let out = m
        .clone()
        .with_actuals(with_loss(&m, &base, d, sev))
        .unwrap()
        .run(&s)
        .unwrap();
    let (ai0, ap0, _) = bond(&base, 0, 2);
    let (ai, ap, aw) = bond(&out, 0, 2);
    // Interest accrues on the balances at the start of the period: unchanged.
    close(ai, ai0, "A interest");
    // A (sequential) gets the recovery with the principal collected, and Excess Cash Flow
    // restores OC by the loss: together the defaulted balance.
    close(ap, ap0 + d, "A principal");
    close(aw, 0.0, "A write-down");
    let (_, mp, mw) = bond(&out, 1, 2);
    close(mp, bond(&base, 1, 2).1, "M principal");
    close(mw, 0.0, "M write-down");
    close(residual(&out, 2), excess - loss, "residual");
    // Cumulative loss carried on.
    close(
        out.run.collateral.periods[1].realized_loss,
        loss,
        "pool loss",
    );
}

#[test]
fn a_loss_beyond_excess_spread_and_oc_writes_down_the_subordinate() {
    let m = model();
    let s = scenario();
    let base = m.run(&s).unwrap();
    let excess = residual(&base, 2);
    let pool_begin = base.run.collateral.periods[1].begin_balance;
    let bonds_begin: f64 = base
        .run
        .bonds
        .iter()
        .map(|b| b.periods[1].begin_balance)
        .sum();
    let oc = pool_begin - bonds_begin;
    let (d, sev) = (200_000.0, 0.4);
    let loss = d * sev;
    assert!(
        loss > excess + oc,
        "the loss must exceed excess spread and OC"
    );
    let out = m
        .clone()
        .with_actuals(with_loss(&m, &base, d, sev))
        .unwrap()
        .run(&s)
        .unwrap();
    let (_, ap0, _) = bond(&base, 0, 2);
    let (_, ap, _) = bond(&out, 0, 2);
    // The recovery and all of Excess Cash Flow go to A; nothing is left for the residual.
    close(ap, ap0 + d * (1.0 - sev) + excess, "A principal");
    close(residual(&out, 2), 0.0, "residual");
    // What OC and Excess Cash Flow cannot absorb writes M down, to bonds = pool.
    let (_, _, mw) = bond(&out, 1, 2);
    close(mw, loss - excess - oc, "M write-down");
    let pool_end = out.run.collateral.periods[1].end_balance;
    let bonds_end: f64 = out.run.bonds.iter().map(|b| b.periods[1].end_balance).sum();
    close(bonds_end, pool_end, "bonds = pool after the write-down");
    // After the actuals the model carries on from the reported balance.
    close(
        out.run.collateral.periods[2].begin_balance,
        pool_end,
        "period 3 starts from the actual balance",
    );
}

/// A delinquency trigger measures the scenario's 60+ day delinquency in projected periods
/// and the reported one in actual periods.
#[test]
fn delinquency_triggers_measure_the_assumed_and_the_reported_delinquency() {
    use tranche_core::deal::{Threshold, Trigger, TriggerKind};
    let mut m = model();
    let mut deal = m.deal.clone();
    deal.triggers = vec![Trigger {
        name: "dlq".into(),
        kind: TriggerKind::Delinquency,
        thresholds: vec![Threshold {
            from: YearMonth {
                year: 2024,
                month: 2,
            },
            pct: 10.0,
        }],
        sticky: false,
    }];
    m = DealModel::new(deal, m.pool.clone(), None).unwrap();
    let value = |out: &RunOutput, t: usize| {
        let s = &out.ledger.periods[t - 1].triggers[0];
        (s.value, s.failing)
    };
    let mut s = scenario();
    // No assumption: the defaults awaiting liquidation (none here).
    let base = m.run(&s).unwrap();
    assert_eq!(value(&base, 1), (0.0, false));
    // 5% then 15% from period 3.
    s.delinquency_pct = Some(vec![5.0, 5.0, 15.0]);
    let out = m.run(&s).unwrap();
    let (v1, f1) = value(&out, 1);
    assert!((v1 - 0.05).abs() < 1e-12 && !f1, "{v1}");
    let (v3, f3) = value(&out, 3);
    assert!((v3 - 0.15).abs() < 1e-12 && f3, "{v3}");
    assert!(value(&out, 40).1, "the last value holds");
    // Actuals for periods 1-2 report 12% 60+ (of which 2% in foreclosure) in period 2.
    let mut a = with_loss(&m, &base, 0.0, 0.0);
    let pool = a.periods[1].pool.end_balance + a.periods[1].pool.pending_default_balance;
    a.periods[1].delinquent_60 = 0.06 * pool;
    a.periods[1].delinquent_90_plus = 0.04 * pool;
    a.periods[1].foreclosure = 0.02 * pool;
    a.periods[1].delinquent_30 = 0.5 * pool;
    let out = m.clone().with_actuals(a).unwrap().run(&s).unwrap();
    let (v2, f2) = value(&out, 2);
    assert!((v2 - 0.12).abs() < 1e-12 && f2, "{v2}");
    // Period 1 reports none; period 3 is the model's again.
    assert_eq!(value(&out, 1), (0.0, false));
    assert!((value(&out, 3).0 - 0.15).abs() < 1e-12);
}
