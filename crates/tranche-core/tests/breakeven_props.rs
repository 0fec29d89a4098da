#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Property tests of the breakeven solver over random small deals, tapes and scenarios:
//! more defaults never mean less loss for a class, or where they do (the clean-up call
//! coming sooner, a swap, the OC mechanics) the solver's answer is still the first
//! crossing and it says the loss is not monotone. Fixed seed, bounded case count.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use tranche_core::breakeven::{solve, BreakevenSpec, Over, Target};
use tranche_core::collateral::LoanPool;
use tranche_core::deal::Deal;
use tranche_core::runner::DealModel;
use tranche_core::scenario::{Prepay, RateBase, Scenario, Speed};
use tranche_core::summary::LOSS_DUST_PCT;
use tranche_core::tape::Loan;
use tranche_core::testkit::{self, ArmSpec, DealSpec, LoanSpec};
use tranche_core::waterfall::Horizon;

/// The scan of the test and of the solver: 0, 2, 4, ... % CDR.
const STEP: f64 = 2.0;
const SCAN_TOP: f64 = 40.0;

#[derive(Debug, Clone)]
struct Case {
    loans: Vec<Loan>,
    deal: Deal,
    scenario: Scenario,
    /// Which class, counted from the most junior.
    class_from_junior: usize,
}

fn case() -> impl Strategy<Value = Case> {
    let loan = (
        (
            50_000.0f64..600_000.0,
            0.03f64..0.09,
            120u32..=360,
            0u32..24,
        ),
        prop::option::of((0.015f64..0.04, 0u32..24, 0.005f64..0.02)),
    )
        .prop_map(|((balance, rate, rem_term, age), arm)| LoanSpec {
            balance: (balance * 100.0).round() / 100.0,
            rate,
            rem_term,
            age,
            io_months: 0,
            servicing_fee: 0.0025,
            arm: arm.map(|(margin, mtr, cap)| ArmSpec {
                index: 1,
                margin,
                months_to_reset: mtr,
                reset_freq: 6,
                periodic_cap: cap,
                life_cap_above: 0.05,
            }),
        });
    let deal = (
        prop::collection::vec((0.05f64..1.0, 0.1f64..2.0), 2..=4),
        0.85f64..0.99,
        (0.0f64..15.0, 0.0f64..3.0, any::<bool>()),
        prop::option::of((0.0f64..0.8, 1.0f64..6.0, any::<bool>())),
    )
        .prop_map(|(bonds, total, (call, oc, sequential), swap)| {
            let w: f64 = bonds.iter().map(|b| b.0).sum();
            DealSpec {
                bond_fractions: bonds.iter().map(|b| b.0 / w * total).collect(),
                margins_pct: bonds.iter().map(|b| b.1).collect(),
                oc_target_pct: oc,
                call_pct: call,
                sequential,
                fixed_cap_pct: 11.5,
                master_servicing_fee_pct: 0.03,
                swap,
            }
        });
    (
        prop::collection::vec(loan, 2..10),
        deal,
        (
            0.0f64..40.0,
            20.0f64..=100.0,
            0u32..13,
            0.5f64..7.0,
            any::<bool>(),
        ),
        0usize..4,
    )
        .prop_map(|(specs, spec, (cpr, sev, lag, ix, to_call), class)| {
            let loans: Vec<Loan> = specs
                .iter()
                .enumerate()
                .map(|(i, s)| testkit::loan(&format!("L{i}"), s))
                .collect();
            let total: f64 = loans.iter().map(|l| l.balance).sum();
            let deal: Deal = toml::from_str(&testkit::deal_toml(&spec, total)).unwrap();
            let mut scenario = Scenario {
                prepay: Prepay::all(Speed::Cpr { pct: cpr }),
                horizon: if to_call {
                    Horizon::Call
                } else {
                    Horizon::Maturity
                },
                ..Scenario::default()
            };
            scenario.defaults.severity_pct = sev;
            scenario.defaults.lag_months = lag;
            scenario.rates.base = RateBase::Flat { pct: ix };
            Case {
                class_from_junior: class % deal.bonds.len(),
                loans,
                deal,
                scenario,
            }
        })
}

#[test]
fn more_defaults_mean_more_loss_or_the_solver_says_otherwise() {
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: 48,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &[23u8; 32]),
    );
    let seen = std::sync::Mutex::new((0usize, 0usize, 0usize));
    runner
        .run(&case(), |c| {
            let model = DealModel::new(
                c.deal.clone(),
                LoanPool::from_loans(&c.loans).unwrap(),
                None,
            )
            .unwrap();
            let class = model.deal.bonds[model.deal.bonds.len() - 1 - c.class_from_junior]
                .name
                .clone();
            let loss = |cdr: f64| {
                let s = Over::Cdr.apply(&c.scenario, cdr).unwrap();
                model
                    .run(&s)
                    .unwrap()
                    .summary
                    .bond(&class)
                    .unwrap()
                    .principal_loss_pct
            };
            // The test's own scan, from fresh runs.
            let scan: Vec<(f64, f64)> = (0..=(SCAN_TOP / STEP) as usize)
                .map(|i| {
                    let cdr = i as f64 * STEP;
                    (cdr, loss(cdr))
                })
                .collect();
            let spec = BreakevenSpec {
                base: c.scenario.clone(),
                classes: vec![class.clone()],
                targets: vec![Target::FirstLoss],
                over: Over::Cdr,
                speeds: vec![],
                severities: vec![],
                lags: vec![],
                step: Some(STEP),
            };
            let row = solve(&model, &spec, &|| {}).unwrap().remove(0);
            // The first crossing of the scan: the solver's answer lies in the step before.
            let first = scan.iter().find(|(_, l)| *l > LOSS_DUST_PCT).map(|p| p.0);
            match (row.rate, first) {
                (Some(r), Some(f)) => {
                    prop_assert!(r <= f && r > f - STEP, "{} vs scan {}", r, f);
                    prop_assert!(loss(r) > LOSS_DUST_PCT);
                    if r > 0.0 {
                        prop_assert!(loss(r - 0.01) <= LOSS_DUST_PCT, "a loss just below {}", r);
                    }
                }
                (Some(r), None) => prop_assert!(r > SCAN_TOP, "{}", r),
                (None, f) => prop_assert!(f.is_none(), "scan crosses at {:?}", f),
            }
            // Where the test's scan shows less loss at more defaults, up to where the
            // solver looked, the solver says so.
            let looked = row.probes.last().map_or(0.0, |p| p.rate);
            let falls = scan
                .windows(2)
                .filter(|w| w[1].0 <= looked)
                .any(|w| w[1].1 < w[0].1 - LOSS_DUST_PCT);
            if falls {
                prop_assert!(!row.monotone, "{:?}", scan);
            }
            let mut s = seen.lock().unwrap();
            s.0 += 1;
            s.1 += usize::from(!row.monotone);
            s.2 += usize::from(row.rate.is_some());
            Ok(())
        })
        .unwrap();
    let (n, flagged, found) = *seen.lock().unwrap();
    eprintln!("{n} cases: {found} reached a first loss, {flagged} not monotone (flagged)");
    assert!(
        found > n / 3,
        "too few cases with a loss to test: {found} of {n}"
    );
}
