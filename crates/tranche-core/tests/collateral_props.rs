#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Property tests of the collateral projection over random tapes and assumptions.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use tranche_core::assumptions::{
    Assumptions, DefaultCurve, PrepayAssumption, PrepayCurve, PrepayTiming,
};
use tranche_core::collateral::{LoanPeriod, LoanPool, PoolCashflows, PoolFees, ProjectionOptions};
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

fn scenario_strategy() -> impl Strategy<Value = Assumptions> {
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
            Assumptions {
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
                delinquency: None,
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

fn project(loans: &[Loan], s: &Assumptions) -> PoolCashflows {
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
            let s = Assumptions {
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
                delinquency: None,
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

/// Pool sums kept by the reference, per period (period 0 unused).
#[derive(Clone, Copy, Default)]
struct RefSums {
    begin: f64,
    begin_rate: f64,
    begin_svc: f64,
    begin_mi: f64,
    defaulted: f64,
    def_rate: f64,
    def_svc: f64,
    def_mi: f64,
    scheduled: f64,
    prepaid: f64,
}

impl RefSums {
    fn add(&mut self, o: &RefSums) {
        self.begin += o.begin;
        self.begin_rate += o.begin_rate;
        self.begin_svc += o.begin_svc;
        self.begin_mi += o.begin_mi;
        self.defaulted += o.defaulted;
        self.def_rate += o.def_rate;
        self.def_svc += o.def_svc;
        self.def_mi += o.def_mi;
        self.scheduled += o.scheduled;
        self.prepaid += o.prepaid;
    }
}

/// The projection written the plain way: one loan at a time, month by month, straight from
/// the tape record, with the pool sums taken per block of `CHUNK_LOANS` loans in loan order
/// and the blocks added in order (the engine's documented summation order).
fn reference(loans: &[Loan], s: &Assumptions) -> (Vec<RefSums>, Vec<LoanPeriod>) {
    use tranche_core::collateral::CHUNK_LOANS;
    let pool = LoanPool::from_loans(loans).unwrap();
    let np = pool.periods_needed(s) as usize;
    let mult = s.prepay.multiplier;
    let mut total = vec![RefSums::default(); np + 1];
    let mut out = Vec::new();
    for (c, block) in loans.chunks(CHUNK_LOANS).enumerate() {
        let mut sums = vec![RefSums::default(); np + 1];
        for (j, l) in block.iter().enumerate() {
            let curve = match l.arm {
                Some(_) => &s.prepay.arm,
                None => &s.prepay.fixed,
            };
            let mut bal = l.balance;
            let mut rate = l.gross_rate;
            let mut first_pending = l.arm.as_ref().is_some_and(|a| a.first_reset_pending);
            let mut next_reset = l.arm.as_ref().map(|a| a.months_to_reset as usize + 1);
            let io = l.io_remaining().min(l.rem_term) as usize;
            let rem = l.rem_term as usize;
            let mut pmt = 0.0;
            let mut need_pmt = true;
            for (per, sum) in sums.iter_mut().enumerate().take(rem.min(np) + 1).skip(1) {
                if bal <= 0.0 {
                    break;
                }
                if let (Some(a), true) = (&l.arm, next_reset == Some(per)) {
                    let path = s.rates.get(&a.index).unwrap();
                    let cap = if first_pending {
                        a.initial_cap
                    } else {
                        a.periodic_cap
                    };
                    let obs = per.saturating_sub(a.lookback_months as usize);
                    // Index + margin to the nearest rounding step (a nudge so that exact
                    // halves round up), within the cap of the previous rate, then within
                    // the floor and lifetime cap.
                    let mut r = path.at(obs) + a.margin;
                    if a.rounding > 0.0 {
                        r = ((r / a.rounding) + 1e-9).round() * a.rounding;
                    }
                    rate = r
                        .clamp(rate - cap, rate + cap)
                        .min(a.life_cap)
                        .max(a.life_floor);
                    first_pending = false;
                    next_reset = Some(per + a.reset_freq.max(1) as usize);
                    need_pmt = true;
                }
                if per > io && need_pmt {
                    // The level payment over the months left, with the standard library's
                    // `powi`.
                    let n = rem + 1 - per;
                    let i = rate / 12.0;
                    pmt = if i.abs() < 1e-12 {
                        bal / n as f64
                    } else {
                        bal * i / (1.0 - (1.0 + i).powi(-(n as i32)))
                    };
                    need_pmt = false;
                }
                let age_month = |k: usize, by_age: bool| {
                    let k = if by_age { l.age as usize + k } else { k };
                    k as u32
                };
                let m = age_month(per, s.default.by_age());
                let mdr = s.default.mdr_at(m, m);
                let m = age_month(per, curve.by_age());
                let mut smm = curve.smm_at(m, m, mult);
                if per == 1 {
                    smm *= s.timing.first_period_fraction;
                }
                let begin = bal;
                let performing = begin * (1.0 - mdr);
                let defaulted = begin - performing;
                let interest = performing * (rate / 12.0);
                let sched = if per == rem {
                    performing
                } else if per > io {
                    pmt *= 1.0 - mdr;
                    (pmt - interest).clamp(0.0, performing)
                } else {
                    0.0
                };
                let after = performing - sched;
                let end = after * (1.0 - smm);
                pmt *= 1.0 - smm;
                sum.add(&RefSums {
                    begin,
                    begin_rate: begin * rate,
                    begin_svc: begin * l.servicing_fee,
                    begin_mi: begin * l.mi_fee,
                    defaulted,
                    def_rate: defaulted * rate,
                    def_svc: defaulted * l.servicing_fee,
                    def_mi: defaulted * l.mi_fee,
                    scheduled: sched,
                    prepaid: after - end,
                });
                out.push(LoanPeriod {
                    loan: (c * CHUNK_LOANS + j) as u32,
                    period: per as u32,
                    begin_balance: begin,
                    rate,
                    scheduled_principal: sched,
                    prepaid_principal: after - end,
                    defaulted_principal: defaulted,
                    interest,
                    end_balance: end,
                });
                bal = end;
            }
        }
        for (t, x) in total.iter_mut().zip(&sums) {
            t.add(x);
        }
    }
    (total, out)
}

fn same_bits(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits()
}

/// Projects `loans` per loan and checks every loan row and pool sum against the plain
/// reference, bit for bit.
fn check_against_reference(loans: &[Loan], s: &Assumptions) -> Result<(), TestCaseError> {
    let cf = LoanPool::from_loans(loans)
        .unwrap()
        .project(
            s,
            &PoolFees::default(),
            &ProjectionOptions {
                per_loan: true,
                ..Default::default()
            },
        )
        .unwrap();
    let (sums, per_loan) = reference(loans, s);
    prop_assert_eq!(cf.loans.len(), per_loan.len());
    for (x, y) in cf.loans.iter().zip(&per_loan) {
        let bits = |p: &LoanPeriod| {
            [
                p.begin_balance,
                p.rate,
                p.scheduled_principal,
                p.prepaid_principal,
                p.defaulted_principal,
                p.interest,
                p.end_balance,
            ]
            .map(f64::to_bits)
        };
        prop_assert_eq!((x.loan, x.period), (y.loan, y.period));
        prop_assert_eq!(bits(x), bits(y), "{:?} vs reference {:?}", x, y);
    }
    prop_assert_eq!(cf.periods.len() + 1, sums.len());
    for (p, r) in cf.periods.iter().zip(&sums[1..]) {
        let wac = if r.begin > 0.0 {
            r.begin_rate / r.begin
        } else {
            0.0
        };
        for (got, want) in [
            (p.begin_balance, r.begin),
            (p.scheduled_principal, r.scheduled),
            (p.prepaid_principal, r.prepaid),
            (p.defaulted_principal, r.defaulted),
            (p.gross_interest, (r.begin_rate - r.def_rate) / 12.0 + 0.0),
            (p.servicing_fee, (r.begin_svc - r.def_svc) / 12.0 + 0.0),
            (p.mi_fee, (r.begin_mi - r.def_mi) / 12.0 + 0.0),
            (p.wac, wac),
        ] {
            prop_assert!(same_bits(got, want), "period {}: {got} vs {want}", p.period);
        }
    }
    Ok(())
}

#[test]
fn matches_plain_reference_bit_for_bit() {
    let small = (
        prop::collection::vec(loan_strategy(), 1..40),
        scenario_strategy(),
    );
    // Pools larger than one block of loans, ending mid-block.
    let large = (
        prop::collection::vec(loan_strategy(), 520..1200),
        scenario_strategy(),
    );
    let check = |(loans, mut s): (Vec<Loan>, Assumptions)| {
        // Advanced interest is summed after the loan loop; off here so every pool figure
        // checked below is one of the loop's sums.
        s.advancing = false;
        check_against_reference(&loans, &s)
    };
    runner(64).run(&small, check).unwrap();
    runner(4).run(&large, check).unwrap();
}

/// Without defaults the engine steps the months without survival factors (its fast path);
/// the results must still be the plain reference's, bit for bit. Also pools of many loans
/// sharing coupons and terms, so that cached payment terms are used.
#[test]
fn matches_plain_reference_bit_for_bit_without_defaults() {
    let zero_default = prop_oneof![
        Just(DefaultCurve::Cdr { cdr: 0.0 }),
        Just(DefaultCurve::Sda { pct: 0.0 }),
        Just(DefaultCurve::Vector { cdr: vec![0.0] }),
    ];
    let shared_terms = |loans: Vec<Loan>| {
        // Every loan repeated with other balances: same coupons, resets and terms.
        let mut all = loans.clone();
        for (k, l) in loans.iter().enumerate().cycle().take(3 * loans.len()) {
            let mut l = l.clone();
            l.balance *= 1.0 + (k % 7) as f64 / 8.0;
            all.push(l);
        }
        all
    };
    let pools = (
        prop_oneof![
            prop::collection::vec(loan_strategy(), 1..40),
            prop::collection::vec(loan_strategy(), 130..300).prop_map(shared_terms),
        ],
        scenario_strategy(),
        zero_default,
    );
    let check = |(loans, mut s, d): (Vec<Loan>, Assumptions, DefaultCurve)| {
        s.default = d;
        s.advancing = false;
        check_against_reference(&loans, &s)
    };
    runner(48).run(&pools, check).unwrap();
}
