#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Surveillance, property-tested: over random deals, tapes, scenarios and many stopping
//! dates k, running to the end equals running to k, taking the state and the current tape
//! there, and resuming from k under the same assumptions (their vectors and paths read from
//! period k + 1), bit for bit; and a run whose first periods are given as actuals equal to
//! the model's own pool flows is the model's run, bit for bit. Fixed seed and bounded case
//! counts.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use tranche_core::collateral::LoanPool;
use tranche_core::deal::{Deal, OcStepdown, Threshold, Trigger, TriggerKind, YearMonth};
use tranche_core::runner::{DealModel, Reached, RunOutput};
use tranche_core::scenario::{DefaultRate, Defaults, Prepay, RateBase, Scenario, Shock, Speed};
use tranche_core::surveillance::{current_loans, ActualPeriod, Actuals};
use tranche_core::tape::Loan;
use tranche_core::testkit::{self, ArmSpec, DealSpec, LoanSpec};
use tranche_core::waterfall::Horizon;

fn loan_spec() -> impl Strategy<Value = (LoanSpec, u32)> {
    (
        (10_000.0f64..800_000.0, 0.02f64..0.11, 12u32..=240, 0u32..36),
        (prop_oneof![Just(0u32), 12u32..=60], 0.0f64..0.006),
        prop::option::of((
            0u8..4,
            0.01f64..0.05,
            0u32..36,
            prop_oneof![Just(1u32), Just(6), Just(12)],
            0.005f64..0.02,
            0.0f64..0.07,
        )),
        0u32..4,
    )
        .prop_map(
            |((balance, rate, rem_term, age), (io, svc), arm, lookback)| {
                (
                    LoanSpec {
                        balance: (balance * 100.0).round() / 100.0,
                        rate,
                        rem_term,
                        age,
                        io_months: io,
                        servicing_fee: svc,
                        arm: arm.map(|(index, margin, mtr, freq, pc, above)| ArmSpec {
                            index,
                            margin,
                            months_to_reset: mtr,
                            reset_freq: freq,
                            periodic_cap: pc,
                            life_cap_above: above,
                        }),
                    },
                    lookback,
                )
            },
        )
}

fn deal_spec() -> impl Strategy<Value = DealSpec> {
    (
        prop::collection::vec((0.05f64..1.0, 0.1f64..2.0), 1..=3),
        0.6f64..0.99,
        (0.5f64..15.0, 0.0f64..5.0, any::<bool>(), 6.0f64..14.0),
        prop::option::of((0.0f64..1.0, 0.0f64..8.0, any::<bool>())),
    )
        .prop_map(|(bonds, total, (call, oc, sequential, cap), swap)| {
            let w: f64 = bonds.iter().map(|b| b.0).sum();
            DealSpec {
                bond_fractions: bonds.iter().map(|b| b.0 / w * total).collect(),
                margins_pct: bonds.iter().map(|b| b.1).collect(),
                oc_target_pct: oc,
                call_pct: call,
                sequential,
                fixed_cap_pct: cap,
                master_servicing_fee_pct: 0.03,
                swap,
            }
        })
}

/// A value or a vector of values by period.
fn by_period(lo: f64, hi: f64) -> impl Strategy<Value = Vec<f64>> {
    prop_oneof![
        (lo..hi).prop_map(|v| vec![v]),
        prop::collection::vec(lo..hi, 2..40),
    ]
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        (
            by_period(0.0, 40.0),
            prop_oneof![Just(None), (50.0f64..200.0).prop_map(Some)],
        ),
        (by_period(0.0, 15.0), 0.0f64..=100.0, 0u32..10),
        (
            by_period(0.5, 9.0),
            prop::option::of((-300.0f64..300.0, 1u32..30)),
        ),
        (any::<bool>(), 0u8..3),
    )
        .prop_map(
            |((cpr, psa), (cdr, sev, lag), (ix, shock), (sda, horizon))| {
                let prepay = match (psa, cpr.len()) {
                    (Some(pct), _) => Speed::Psa { pct },
                    (None, 1) => Speed::Cpr { pct: cpr[0] },
                    (None, _) => Speed::Vector { cpr_pct: cpr },
                };
                let rate = match (sda, cdr.len()) {
                    (true, _) => DefaultRate::Sda { pct: cdr[0] * 20.0 },
                    (false, 1) => DefaultRate::Cdr { pct: cdr[0] },
                    (false, _) => DefaultRate::Vector { cdr_pct: cdr },
                };
                let mut s = Scenario {
                    prepay: Prepay::all(prepay),
                    defaults: Defaults {
                        rate,
                        severity_pct: sev,
                        lag_months: lag,
                    },
                    horizon: match horizon {
                        0 => Horizon::Call,
                        1 => Horizon::Maturity,
                        _ => Horizon::CallOn(YearMonth {
                            year: 2030,
                            month: 6,
                        }),
                    },
                    ..Scenario::default()
                };
                s.rates.base = if ix.len() == 1 {
                    RateBase::Flat { pct: ix[0] }
                } else {
                    RateBase::Path { pct: ix }
                };
                if let Some((bps, from)) = shock {
                    s.rates.shocks.push(Shock {
                        bps,
                        from_period: from,
                        index: None,
                    });
                }
                s
            },
        )
}

/// The scenario as a run from period `k` reads it: every vector, path and shock from
/// period `k + 1` on.
fn shifted(s: &Scenario, k: usize) -> Scenario {
    let drop = |v: &[f64]| {
        if v.len() > k {
            v[k..].to_vec()
        } else {
            vec![*v.last().unwrap()]
        }
    };
    let mut out = s.clone();
    for sp in [&mut out.prepay.arm, &mut out.prepay.fixed] {
        if let Speed::Vector { cpr_pct } = sp {
            *cpr_pct = drop(cpr_pct);
        }
    }
    if let DefaultRate::Vector { cdr_pct } = &mut out.defaults.rate {
        *cdr_pct = drop(cdr_pct);
    }
    if let RateBase::Path { pct } = &mut out.rates.base {
        *pct = drop(pct);
    }
    for sh in &mut out.rates.shocks {
        sh.from_period = sh.from_period.saturating_sub(k as u32).max(1);
    }
    out
}

#[derive(Debug, Clone)]
struct Case {
    loans: Vec<Loan>,
    deal: Deal,
    scenario: Scenario,
    /// Where to stop, as fractions of the run's length.
    stops: Vec<f64>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(loan_spec(), 1..8),
        deal_spec(),
        scenario(),
        (0.05f64..3.0, 0.5f64..1.0, any::<bool>()),
        prop::collection::vec(0.0f64..1.0, 1..4),
    )
        .prop_map(
            |(specs, spec, scenario, (loss_pct, fraction, triggers), stops)| {
                let loans: Vec<Loan> = specs
                    .iter()
                    .enumerate()
                    .map(|(i, (s, lookback))| {
                        let mut l = testkit::loan(&format!("L{i}"), s);
                        if let Some(a) = l.arm.as_mut() {
                            a.lookback_months = *lookback;
                        }
                        l
                    })
                    .collect();
                let total: f64 = loans.iter().map(|l| l.balance).sum();
                let mut deal: Deal = toml::from_str(&testkit::deal_toml(&spec, total)).unwrap();
                deal.pricing.first_period_prepay_fraction = fraction;
                if triggers {
                    let from = YearMonth {
                        year: 2024,
                        month: 2,
                    };
                    deal.triggers = vec![
                        Trigger {
                            name: "loss".into(),
                            kind: TriggerKind::CumulativeLoss,
                            thresholds: vec![Threshold {
                                from,
                                pct: loss_pct,
                            }],
                            sticky: true,
                        },
                        Trigger {
                            name: "dlq".into(),
                            kind: TriggerKind::Delinquency,
                            thresholds: vec![Threshold { from, pct: 2.0 }],
                            sticky: false,
                        },
                    ];
                    let oc = deal.overcollateralization.target_pct_of_cut_off;
                    deal.overcollateralization.stepdown = Some(OcStepdown {
                        on_or_after: YearMonth {
                            year: 2025,
                            month: 2,
                        },
                        target_pct_of_current: oc * 2.0,
                        floor_pct_of_cut_off: oc / 2.0,
                        blocked_by: vec!["loss".into(), "dlq".into()],
                    });
                }
                Case {
                    loans,
                    deal,
                    scenario,
                    stops,
                }
            },
        )
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new_with_rng(
        Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &[29u8; 32]),
    )
}

fn model(deal: &Deal, loans: &[Loan], payments: Option<&[Option<f64>]>) -> DealModel {
    let mut pool = LoanPool::from_loans(loans).unwrap();
    if let Some(p) = payments {
        pool.set_level_payments(p).unwrap();
    }
    DealModel::new(deal.clone(), pool, None).unwrap()
}

/// The stopping period for fraction `s` of a run of `n >= 2` periods: 1..n-1.
fn stop(n: usize, s: f64) -> usize {
    1 + ((n - 1) as f64 * s) as usize % (n - 1)
}

/// The model at the state a run stopped at (`reached`, from a model of `loans`): its state
/// and the current tape of its loans. Returns the model and that tape.
fn placed_at(deal: &Deal, loans: &[Loan], reached: &Reached) -> (DealModel, Vec<Loan>) {
    let (tape, pays) = current_loans(loans, &reached.loans, reached.months);
    let at = model(deal, &tape, Some(&pays)).at(&reached.state).unwrap();
    (at, tape)
}

fn month(deal: &Deal, t: usize) -> YearMonth {
    YearMonth::of(deal.unadjusted_payment_date(t as u32))
}

/// Periods `from..` of `full` against all of `part`, field by field, bit for bit.
fn same_from(full: &RunOutput, part: &RunOutput, from: usize) -> Result<(), TestCaseError> {
    let (f, p) = (&full.run, &part.run);
    prop_assert_eq!(&f.periods[from..], &p.periods[..]);
    prop_assert_eq!(&f.collateral.periods[from..], &p.collateral.periods[..]);
    prop_assert_eq!(f.bonds.len(), p.bonds.len());
    for (a, b) in f.bonds.iter().zip(&p.bonds) {
        prop_assert_eq!(&a.periods[from..], &b.periods[..], "bond {}", a.name);
    }
    prop_assert_eq!(&full.ledger.periods[from..], &part.ledger.periods[..]);
    prop_assert_eq!(f.call_period, p.call_period);
    Ok(())
}

#[test]
fn a_run_stopped_and_resumed_is_the_run_uninterrupted() {
    let resumed = std::cell::Cell::new(0);
    runner(160)
        .run(&case(), |c| {
            prop_assume!(c.deal.validate().is_empty());
            let m = model(&c.deal, &c.loans, None);
            let full = m.run(&c.scenario).unwrap();
            let n = full.run.periods.len();
            prop_assume!(n >= 2);
            for s in &c.stops {
                let k = stop(n, *s);
                let reached = m.run_until(&c.scenario, month(&c.deal, k)).unwrap();
                // The stopped run is the full run's beginning.
                prop_assert_eq!(&reached.output.run.periods[..], &full.run.periods[..k]);
                prop_assert_eq!(
                    &reached.output.ledger.periods[..],
                    &full.ledger.periods[..k]
                );
                prop_assert_eq!(reached.state.as_of, month(&c.deal, k));
                let (at, tape) = placed_at(&c.deal, &c.loans, &reached);
                let later = shifted(&c.scenario, k);
                let out = at.run(&later).unwrap();
                same_from(&full, &out, k)?;
                resumed.set(resumed.get() + 1);
                // And again from a later date, starting from the resumed model.
                if k + 1 < n {
                    let k2 = k + 1 + (n - k - 1) / 2;
                    let again = at.run_until(&later, month(&c.deal, k2)).unwrap();
                    let (at2, _) = placed_at(&c.deal, &tape, &again);
                    same_from(&full, &at2.run(&shifted(&c.scenario, k2)).unwrap(), k2)?;
                }
            }
            Ok(())
        })
        .unwrap();
    assert!(resumed.get() > 100, "only {} resumed runs", resumed.get());
}

/// The pool flows of `out` for periods `from + 1..=to` (1-based), as actuals.
fn actuals_of(deal: &Deal, out: &RunOutput, from: usize, to: usize) -> Actuals {
    Actuals {
        periods: out.run.collateral.periods[from..to]
            .iter()
            .map(|p| ActualPeriod::from_model(month(deal, p.period as usize), p))
            .collect(),
    }
}

#[test]
fn actuals_equal_to_the_models_own_flows_reproduce_its_run() {
    let checked = std::cell::Cell::new(0);
    runner(120)
        .run(&case(), |c| {
            prop_assume!(c.deal.validate().is_empty());
            let m = model(&c.deal, &c.loans, None);
            let full = m.run(&c.scenario).unwrap();
            let n = full.run.periods.len();
            prop_assume!(n >= 2);
            for s in &c.stops {
                let k = stop(n, *s);
                // From the cut-off: actuals for periods 1..=k.
                let with = model(&c.deal, &c.loans, None)
                    .with_actuals(actuals_of(&c.deal, &full, 0, k))
                    .unwrap();
                same_from(&full, &with.run(&c.scenario).unwrap(), 0)?;
                // Stopped inside or after the actuals, the state is the model's.
                let t = 1 + (k + n / 2) % (n - 1);
                let a = m.run_until(&c.scenario, month(&c.deal, t)).unwrap();
                let b = with.run_until(&c.scenario, month(&c.deal, t)).unwrap();
                prop_assert_eq!(&a.state, &b.state);
                prop_assert_eq!(&a.loans, &b.loans);
                // From a state at j < k: actuals for periods j+1..=k.
                let j = k / 2;
                if j >= 1 {
                    let reached = m.run_until(&c.scenario, month(&c.deal, j)).unwrap();
                    let at = placed_at(&c.deal, &c.loans, &reached)
                        .0
                        .with_actuals(actuals_of(&c.deal, &full, j, k))
                        .unwrap();
                    same_from(&full, &at.run(&shifted(&c.scenario, j)).unwrap(), j)?;
                }
                checked.set(checked.get() + 1);
            }
            Ok(())
        })
        .unwrap();
    assert!(
        checked.get() > 80,
        "only {} runs with actuals",
        checked.get()
    );
}

#[test]
fn an_aged_pool_is_the_pool_of_the_aged_tape() {
    runner(60)
        .run(&case(), |c| {
            prop_assume!(c.deal.validate().is_empty());
            let m = model(&c.deal, &c.loans, None);
            let full = m.run(&c.scenario).unwrap();
            let n = full.run.periods.len();
            prop_assume!(n >= 2);
            let k = stop(n, c.stops[0]);
            let reached = m.run_until(&c.scenario, month(&c.deal, k)).unwrap();
            let (tape, pays) = current_loans(&c.loans, &reached.loans, reached.months);
            let mut expected = LoanPool::from_loans(&tape).unwrap();
            expected.set_level_payments(&pays).unwrap();
            let aged = m.pool.aged(&reached.loans, reached.months).unwrap();
            prop_assert_eq!(aged, expected);
            Ok(())
        })
        .unwrap();
}
