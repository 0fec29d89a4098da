#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Surveillance through the files, property-tested: over random deals, tapes, scenarios and
//! stopping dates k, a run stopped at k whose state and current tape are written to disk
//! (`tranche_io::state`, `tranche_io::tape_write`), read back as a user's would be, and
//! resumed, pays what the uninterrupted run pays from k on, bit for bit. Fixed seed and
//! bounded case counts.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use tranche_core::collateral::LoanPool;
use tranche_core::deal::{Deal, Threshold, Trigger, TriggerKind, YearMonth};
use tranche_core::runner::{DealModel, RunOutput};
use tranche_core::scenario::{DefaultRate, Defaults, Prepay, RateBase, Scenario, Speed};
use tranche_core::surveillance::current_loans;
use tranche_core::tape::Loan;
use tranche_core::testkit::{self, ArmSpec, DealSpec, LoanSpec};
use tranche_core::waterfall::Horizon;

#[derive(Debug, Clone)]
struct Case {
    loans: Vec<Loan>,
    deal: Deal,
    scenario: Scenario,
    stop: f64,
}

fn case() -> impl Strategy<Value = Case> {
    let loan = (
        (10_000.0f64..800_000.0, 0.02f64..0.11, 12u32..=240, 0u32..36),
        (prop_oneof![Just(0u32), 12u32..=60], 0.0f64..0.006),
        prop::option::of((0u8..4, 0.01f64..0.05, 0u32..36, 0u32..4)),
    );
    (
        prop::collection::vec(loan, 1..7),
        (
            prop::collection::vec(0.05f64..1.0, 1..=3),
            0.6f64..0.99,
            0.5f64..10.0,
            any::<bool>(),
        ),
        (
            0.0f64..40.0,
            0.0f64..15.0,
            0.0f64..=100.0,
            0u32..10,
            0.5f64..9.0,
        ),
        (any::<bool>(), 0.05f64..2.0, any::<bool>()),
        0.0f64..1.0,
    )
        .prop_map(
            |(specs, (bonds, total, oc, sequential), sc, (trig, loss, maturity), stop)| {
                let loans: Vec<Loan> = specs
                    .iter()
                    .enumerate()
                    .map(|(i, ((bal, rate, rem, age), (io, svc), arm))| {
                        let spec = LoanSpec {
                            balance: (bal * 100.0).round() / 100.0,
                            rate: *rate,
                            rem_term: *rem,
                            age: *age,
                            io_months: *io,
                            servicing_fee: *svc,
                            arm: arm.map(|(index, margin, mtr, _)| ArmSpec {
                                index,
                                margin,
                                months_to_reset: mtr,
                                reset_freq: 6,
                                periodic_cap: 0.01,
                                life_cap_above: 0.05,
                            }),
                        };
                        let mut l = testkit::loan(&format!("L{i}"), &spec);
                        if let (Some(a), Some((_, _, _, lb))) = (l.arm.as_mut(), arm) {
                            a.lookback_months = *lb;
                        }
                        l
                    })
                    .collect();
                let pool: f64 = loans.iter().map(|l| l.balance).sum();
                let w: f64 = bonds.iter().sum();
                let spec = DealSpec {
                    bond_fractions: bonds.iter().map(|b| b / w * total).collect(),
                    margins_pct: bonds.iter().map(|b| 0.2 + b).collect(),
                    oc_target_pct: oc,
                    call_pct: 10.0,
                    sequential,
                    fixed_cap_pct: 11.0,
                    master_servicing_fee_pct: 0.03,
                    swap: None,
                };
                let mut deal: Deal = toml::from_str(&testkit::deal_toml(&spec, pool)).unwrap();
                if trig {
                    deal.triggers = vec![Trigger {
                        name: "loss".into(),
                        kind: TriggerKind::CumulativeLoss,
                        thresholds: vec![Threshold {
                            from: YearMonth {
                                year: 2024,
                                month: 2,
                            },
                            pct: loss,
                        }],
                        sticky: true,
                    }];
                }
                let (cpr, cdr, sev, lag, ix) = sc;
                let mut scenario = Scenario {
                    prepay: Prepay::all(Speed::Cpr { pct: cpr }),
                    defaults: Defaults {
                        rate: DefaultRate::Cdr { pct: cdr },
                        severity_pct: sev,
                        lag_months: lag,
                    },
                    horizon: if maturity {
                        Horizon::Maturity
                    } else {
                        Horizon::Call
                    },
                    ..Scenario::default()
                };
                scenario.rates.base = RateBase::Flat { pct: ix };
                Case {
                    loans,
                    deal,
                    scenario,
                    stop,
                }
            },
        )
}

fn model(deal: &Deal, loans: &[Loan], payments: &[Option<f64>]) -> DealModel {
    let mut pool = LoanPool::from_loans(loans).unwrap();
    if payments.iter().any(Option::is_some) {
        pool.set_level_payments(payments).unwrap();
    }
    DealModel::new(deal.clone(), pool, None).unwrap()
}

fn same_from(full: &RunOutput, part: &RunOutput, k: usize) -> Result<(), TestCaseError> {
    prop_assert_eq!(&full.run.periods[k..], &part.run.periods[..]);
    prop_assert_eq!(
        &full.run.collateral.periods[k..],
        &part.run.collateral.periods[..]
    );
    for (a, b) in full.run.bonds.iter().zip(&part.run.bonds) {
        prop_assert_eq!(&a.periods[k..], &b.periods[..], "bond {}", a.name);
    }
    prop_assert_eq!(&full.ledger.periods[k..], &part.ledger.periods[..]);
    Ok(())
}

#[test]
fn a_run_resumed_from_its_written_files_is_the_run_uninterrupted() {
    let dir = tempfile::tempdir().unwrap();
    let resumed = std::cell::Cell::new(0);
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: 120,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &[31u8; 32]),
    );
    runner
        .run(&case(), |c| {
            prop_assume!(c.deal.validate().is_empty());
            let m = model(&c.deal, &c.loans, &[]);
            let full = m.run(&c.scenario).unwrap();
            let n = full.run.periods.len();
            prop_assume!(n >= 2);
            let k = 1 + ((n - 1) as f64 * c.stop) as usize % (n - 1);
            let month = YearMonth::of(c.deal.unadjusted_payment_date(k as u32));
            let reached = m.run_until(&c.scenario, month).unwrap();
            let (tape, pays) = current_loans(&c.loans, &reached.loans, reached.months);

            let state_path = dir.path().join("state.json");
            let tape_path = dir.path().join("current.csv");
            std::fs::write(
                &state_path,
                tranche_io::state::state_json(&reached.state).unwrap(),
            )
            .unwrap();
            std::fs::write(
                &tape_path,
                tranche_io::tape_write::current_tape_csv_bytes(&tape, &pays).unwrap(),
            )
            .unwrap();

            let state = tranche_io::state::read_state(&state_path).unwrap();
            prop_assert_eq!(&state.state, &reached.state);
            let read = tranche_io::tape::read_tape(&tape_path).unwrap();
            prop_assert_eq!(&read.loans, &tape);
            let payments = if read.level_payments.is_empty() {
                vec![None; read.loans.len()]
            } else {
                read.level_payments.clone()
            };
            prop_assert_eq!(&payments, &pays);
            let at = state
                .place(model(&c.deal, &read.loans, &read.level_payments))
                .unwrap();
            same_from(&full, &at.run(&c.scenario).unwrap(), k)?;
            resumed.set(resumed.get() + 1);
            Ok(())
        })
        .unwrap();
    assert!(resumed.get() > 60, "only {} resumed runs", resumed.get());
}
