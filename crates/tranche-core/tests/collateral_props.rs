#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Property tests of the collateral projection over random tapes and assumptions.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use tranche_core::assumptions::{
    DefaultCurve, PrepayAssumption, PrepayCurve, PrepayTiming, Scenario,
};
use tranche_core::collateral::{LoanPool, PoolCashflows, PoolFees, ProjectionOptions};
use tranche_core::rates::{RateCurves, RatePath};
use tranche_core::tape::{AmortType, ArmTerms, Loan, RateIndex};

fn loan_strategy() -> impl Strategy<Value = Loan> {
    (
        (1_000.0f64..1_000_000.0, 0.0f64..0.12, 1u32..=360, 0u32..60),
        (any::<bool>(), 0u32..=120, 0.0f64..0.005, 0.0f64..0.01),
        (0.0f64..0.06, 0u32..60, 1u32..=12, any::<bool>()),
        (
            0.0f64..0.05,
            0.0f64..0.03,
            0.05f64..0.2,
            0.0f64..0.05,
            0u32..3,
            0u32..4,
        ),
    )
        .prop_map(
            |((bal, rate, rem, age), (arm, io, svc, mi), (margin, mtr, freq, pend), caps)| {
                let (ic, pc, lc, fl, rnd, lb) = caps;
                let index = [
                    RateIndex::Libor1M,
                    RateIndex::Libor6M,
                    RateIndex::Libor12M,
                    RateIndex::Cmt1Y,
                ][(mtr % 4) as usize]
                    .clone();
                Loan {
                    loan_id: String::new(),
                    balance: bal,
                    gross_rate: rate,
                    orig_term: rem + age,
                    rem_term: rem,
                    age,
                    amort: if arm {
                        AmortType::Arm
                    } else {
                        AmortType::Fixed
                    },
                    io_months: io.min(rem + age),
                    servicing_fee: svc,
                    mi_fee: mi,
                    arm: arm.then(|| ArmTerms {
                        index,
                        margin,
                        months_to_reset: mtr,
                        reset_freq: freq,
                        first_reset_pending: pend,
                        initial_cap: ic,
                        periodic_cap: pc,
                        life_cap: lc,
                        life_floor: fl.min(lc),
                        rounding: [0.0, 0.00125, 0.0025][rnd as usize],
                        lookback_months: lb,
                    }),
                    product: String::new(),
                    state: "CA".into(),
                    property_type: String::new(),
                    occupancy: String::new(),
                    purpose: String::new(),
                    doc_type: String::new(),
                    fico: None,
                    orig_ltv: 80.0,
                    dti: None,
                    prepay_penalty_months: 0,
                    prepay_penalty_type: String::new(),
                    orig_date: None,
                    lien: 1,
                    delinquency: String::new(),
                }
            },
        )
}

fn curve_strategy() -> impl Strategy<Value = PrepayCurve> {
    prop_oneof![
        (0.0f64..0.6).prop_map(|cpr| PrepayCurve::Cpr { cpr }),
        (0.0f64..0.05).prop_map(|smm| PrepayCurve::Smm { smm }),
        (0.0f64..500.0).prop_map(|pct| PrepayCurve::Psa { pct }),
        (0.0f64..0.1, 0.0f64..0.5, 1u32..36).prop_map(|(start, end, months)| PrepayCurve::Ramp {
            start,
            end,
            months
        }),
        prop::collection::vec(0.0f64..0.5, 1..40).prop_map(|cpr| PrepayCurve::Vector { cpr }),
    ]
}

fn default_strategy() -> impl Strategy<Value = DefaultCurve> {
    prop_oneof![
        (0.0f64..0.2).prop_map(|cdr| DefaultCurve::Cdr { cdr }),
        (0.0f64..1000.0).prop_map(|pct| DefaultCurve::Sda { pct }),
        prop::collection::vec(0.0f64..0.2, 1..40).prop_map(|cdr| DefaultCurve::Vector { cdr }),
    ]
}

fn scenario_strategy() -> impl Strategy<Value = Scenario> {
    (
        // Multipliers keep every curve at or below 100% CPR (0.6 × 1.6); above is an error.
        (curve_strategy(), curve_strategy(), 0.0f64..1.6),
        default_strategy(),
        (0.0f64..1.0, 0u32..12, any::<bool>(), 0.0f64..=1.0),
        prop::collection::vec(0.0f64..0.12, 1..60),
    )
        .prop_map(|((arm, fixed, mult), default, (sev, lag, adv, f1), path)| {
            let mut rates = RateCurves::flat_all(0.03);
            rates.set(RateIndex::Libor6M, RatePath { values: path });
            Scenario {
                prepay: PrepayAssumption {
                    arm,
                    fixed,
                    multiplier: mult,
                },
                default,
                severity: sev,
                recovery_lag: lag,
                advancing: adv,
                timing: PrepayTiming {
                    first_period_fraction: f1,
                },
                rates,
            }
        })
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new_with_rng(
        Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7u8; 32]),
    )
}

fn project(loans: &[Loan], s: &Scenario) -> PoolCashflows {
    let fees = PoolFees {
        master_servicing: 0.0003,
        trustee: 0.00005,
    };
    LoanPool::from_loans(loans)
        .unwrap()
        .project(s, &fees, &ProjectionOptions::default())
        .unwrap()
}

fn close(a: f64, b: f64, scale: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + scale)
}

#[test]
fn balances_reconcile_and_stay_non_negative() {
    let strat = (
        prop::collection::vec(loan_strategy(), 1..40),
        scenario_strategy(),
    );
    runner(64)
        .run(&strat, |(loans, s)| {
            let cf = project(&loans, &s);
            let scale: f64 = loans.iter().map(|l| l.balance).sum();
            let mut prev_end = scale;
            for p in &cf.periods {
                prop_assert!(close(p.begin_balance, prev_end, scale));
                let out = p.scheduled_principal + p.prepaid_principal + p.defaulted_principal;
                prop_assert!(close(p.begin_balance - p.end_balance, out, scale));
                for v in [
                    p.begin_balance,
                    p.end_balance,
                    p.scheduled_principal,
                    p.prepaid_principal,
                    p.defaulted_principal,
                    p.recoveries,
                    p.realized_loss,
                    p.gross_interest,
                    p.pending_default_balance + 1e-6 * scale,
                ] {
                    prop_assert!(v >= -1e-9 * scale && v.is_finite(), "{v} in {p:?}");
                }
                prev_end = p.end_balance;
            }
            // Every defaulted dollar is liquidated: recovered or lost.
            let def: f64 = cf.periods.iter().map(|p| p.defaulted_principal).sum();
            let liq: f64 = cf
                .periods
                .iter()
                .map(|p| p.recoveries + p.realized_loss)
                .sum();
            prop_assert!(close(def, liq, scale));
            prop_assert!(cf
                .periods
                .last()
                .map_or(true, |p| p.end_balance.abs() < 1e-6 * (1.0 + scale)));
            Ok(())
        })
        .unwrap();
}

#[test]
fn zero_cpr_pays_off_by_last_maturity() {
    let strat = prop::collection::vec(loan_strategy(), 1..40);
    runner(64)
        .run(&strat, |loans| {
            let s = Scenario {
                prepay: PrepayAssumption {
                    arm: PrepayCurve::Cpr { cpr: 0.0 },
                    fixed: PrepayCurve::Cpr { cpr: 0.0 },
                    multiplier: 1.0,
                },
                default: DefaultCurve::Cdr { cdr: 0.0 },
                severity: 0.0,
                recovery_lag: 0,
                advancing: false,
                timing: PrepayTiming::default(),
                rates: RateCurves::flat_all(0.04),
            };
            let cf = project(&loans, &s);
            let last = loans.iter().map(|l| l.rem_term).max().unwrap() as usize;
            prop_assert_eq!(cf.periods.len(), last);
            let total: f64 = loans.iter().map(|l| l.balance).sum();
            let paid: f64 = cf.periods.iter().map(|p| p.scheduled_principal).sum();
            prop_assert!(close(paid, total, total));
            prop_assert!(cf.periods[last - 1].end_balance.abs() < 1e-6 * (1.0 + total));
            Ok(())
        })
        .unwrap();
}

fn assert_same(a: &PoolCashflows, b: &PoolCashflows, scale: f64) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.periods.len(), b.periods.len());
    for (x, y) in a.periods.iter().zip(&b.periods) {
        for (u, v) in [
            (x.begin_balance, y.begin_balance),
            (x.scheduled_principal, y.scheduled_principal),
            (x.prepaid_principal, y.prepaid_principal),
            (x.defaulted_principal, y.defaulted_principal),
            (x.recoveries, y.recoveries),
            (x.realized_loss, y.realized_loss),
            (x.gross_interest, y.gross_interest),
            (x.net_interest, y.net_interest),
            (x.end_balance, y.end_balance),
            (x.pending_default_balance, y.pending_default_balance),
        ] {
            prop_assert!(close(u, v, scale), "{u} vs {v}");
        }
    }
    Ok(())
}

#[test]
fn loan_order_does_not_matter() {
    let strat = (
        prop::collection::vec(loan_strategy(), 2..40),
        scenario_strategy(),
        any::<u64>(),
    );
    runner(48)
        .run(&strat, |(loans, s, seed)| {
            let mut shuffled = loans.clone();
            // A deterministic permutation from the seed.
            let n = shuffled.len();
            let mut x = seed | 1;
            for i in (1..n).rev() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                shuffled.swap(i, (x % (i as u64 + 1)) as usize);
            }
            let scale: f64 = loans.iter().map(|l| l.balance).sum();
            assert_same(&project(&loans, &s), &project(&shuffled, &s), scale)
        })
        .unwrap();
}

#[test]
fn split_pool_projects_to_sum_of_halves() {
    let strat = (
        prop::collection::vec(loan_strategy(), 2..40),
        scenario_strategy(),
    );
    runner(48)
        .run(&strat, |(loans, s)| {
            let mid = loans.len() / 2;
            let whole = project(&loans, &s);
            let a = project(&loans[..mid], &s);
            let b = project(&loans[mid..], &s);
            let scale: f64 = loans.iter().map(|l| l.balance).sum();
            let n = whole.periods.len();
            let get = |cf: &PoolCashflows, t: usize| cf.periods.get(t).copied().unwrap_or_default();
            let mut sum = whole.clone();
            for t in 0..n {
                let (x, y) = (get(&a, t), get(&b, t));
                let p = &mut sum.periods[t];
                p.begin_balance = x.begin_balance + y.begin_balance;
                p.scheduled_principal = x.scheduled_principal + y.scheduled_principal;
                p.prepaid_principal = x.prepaid_principal + y.prepaid_principal;
                p.defaulted_principal = x.defaulted_principal + y.defaulted_principal;
                p.recoveries = x.recoveries + y.recoveries;
                p.realized_loss = x.realized_loss + y.realized_loss;
                p.gross_interest = x.gross_interest + y.gross_interest;
                p.net_interest = x.net_interest + y.net_interest;
                p.end_balance = x.end_balance + y.end_balance;
                p.pending_default_balance = x.pending_default_balance + y.pending_default_balance;
            }
            assert_same(&whole, &sum, scale)
        })
        .unwrap();
}

#[test]
fn one_and_many_threads_are_bit_identical() {
    let strat = (
        prop::collection::vec(loan_strategy(), 600..1500),
        scenario_strategy(),
    );
    runner(6)
        .run(&strat, |(loans, s)| {
            let go = |threads: usize| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap()
                    .install(|| project(&loans, &s))
            };
            prop_assert_eq!(go(1), go(3));
            Ok(())
        })
        .unwrap();
}
