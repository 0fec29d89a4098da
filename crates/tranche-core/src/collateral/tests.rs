//! Hand-checked cases of the collateral projection.

use super::resets::{recip_powi, round_half_away};
use super::*;
use crate::assumptions::Assumptions;
use crate::assumptions::{
    cpr_to_smm, smm_to_cpr, DefaultCurve, PrepayAssumption, PrepayCurve, PrepayTiming,
};
use crate::rates::{RateCurves, RatePath};
use crate::tape::{AmortType, ArmTerms, Loan, RateIndex};
use crate::Error;

pub(crate) fn fixed_loan(id: &str, balance: f64, rate: f64, rem: u32, age: u32) -> Loan {
    Loan {
        loan_id: id.into(),
        balance,
        gross_rate: rate,
        orig_term: rem + age,
        rem_term: rem,
        age,
        amort: AmortType::Fixed,
        io_months: 0,
        servicing_fee: 0.0,
        mi_fee: 0.0,
        arm: None,
        product: String::new(),
        state: String::new(),
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
        delinquency: "Current".into(),
    }
}

fn scenario(prepay: PrepayCurve, default: DefaultCurve) -> Assumptions {
    Assumptions {
        prepay: PrepayAssumption {
            arm: prepay.clone(),
            fixed: prepay,
            multiplier: 1.0,
        },
        default,
        severity: 0.0,
        recovery_lag: 0,
        advancing: false,
        timing: PrepayTiming::default(),
        rates: RateCurves::flat_all(0.05),
        delinquency: None,
    }
}

fn no_default() -> DefaultCurve {
    DefaultCurve::Cdr { cdr: 0.0 }
}

fn run(loans: &[Loan], s: &Assumptions, per_loan: bool) -> PoolCashflows {
    let pool = LoanPool::from_loans(loans).unwrap();
    let opts = ProjectionOptions {
        per_loan,
        ..Default::default()
    };
    pool.project(s, &PoolFees::default(), &opts).unwrap()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

#[test]
fn fixed_30_year_matches_closed_form() {
    let (b0, r) = (100_000.0f64, 0.06f64);
    let i = r / 12.0;
    let pmt = b0 * i / (1.0 - (1.0 + i).powi(-360));
    assert!((pmt - 599.550_525_152_8).abs() < 1e-6, "{pmt}");
    let cf = run(
        &[fixed_loan("a", b0, r, 360, 0)],
        &scenario(PrepayCurve::Cpr { cpr: 0.0 }, no_default()),
        false,
    );
    assert_eq!(cf.periods.len(), 360);
    for (k, p) in cf.periods.iter().enumerate() {
        let k = k as i32;
        let g = (1.0 + i).powi(k);
        let begin = b0 * g - pmt * (g - 1.0) / i;
        assert!(close(p.begin_balance, begin, 1e-9), "period {}", k + 1);
        assert!(close(p.gross_interest, begin * i, 1e-9));
        assert!(close(p.scheduled_principal + p.gross_interest, pmt, 1e-9));
        assert_eq!(p.prepaid_principal, 0.0);
    }
    assert_eq!(cf.periods[0].gross_interest, 500.0);
    assert!(cf.periods[359].end_balance.abs() < 1e-6);
}

fn arm_loan(rate: f64, months_to_reset: u32, lookback: u32) -> Loan {
    let mut l = fixed_loan("arm", 200_000.0, rate, 360, 0);
    l.amort = AmortType::Arm;
    l.arm = Some(ArmTerms {
        index: RateIndex::Libor6M,
        margin: 0.0275,
        months_to_reset,
        reset_freq: 6,
        first_reset_pending: true,
        initial_cap: 0.03,
        periodic_cap: 0.02,
        life_cap: 0.105,
        life_floor: 0.07,
        rounding: 0.00125,
        lookback_months: lookback,
    });
    l
}

fn stepped_path(steps: &[(usize, f64)], n: usize) -> RatePath {
    let values = (1..=n)
        .map(|t| {
            steps
                .iter()
                .rev()
                .find(|(from, _)| t >= *from)
                .map(|s| s.1)
                .unwrap_or(0.0)
        })
        .collect();
    RatePath { values }
}

#[test]
fn arm_resets_hit_periodic_cap_then_life_cap_then_floor() {
    let mut s = scenario(PrepayCurve::Cpr { cpr: 0.0 }, no_default());
    // 1% until period 2, 5.03% from 3, 8% from 9, 9% from 15, 1% from 21.
    let path = stepped_path(
        &[(1, 0.01), (3, 0.0503), (9, 0.08), (15, 0.09), (21, 0.01)],
        400,
    );
    s.rates.set(RateIndex::Libor6M, path);
    let cf = run(&[arm_loan(0.05, 2, 0)], &s, true);
    let rate = |t: usize| cf.loans[t - 1].rate;
    let expect = [
        (1, 0.05),   // initial rate
        (2, 0.05),   //
        (3, 0.0775), // 5.03 + 2.75 = 7.78 → nearest 1/8 = 7.75; within the 3% initial cap
        (8, 0.0775), //
        (9, 0.0975), // 8 + 2.75 = 10.75, periodic cap 2%: 7.75 + 2 = 9.75
        (15, 0.105), // 11.75, periodic cap allows 11.75, lifetime cap 10.5
        (21, 0.085), // 3.75, periodic cap: 10.5 − 2 = 8.5
        (27, 0.07),  // 3.75, periodic cap 6.5, floor 7.0
        (33, 0.07),  //
        (360, 0.07), //
    ];
    for (t, r) in expect {
        assert!(
            (rate(t) - r).abs() < 1e-12,
            "period {t}: {} vs {r}",
            rate(t)
        );
    }
    // The level payment is recomputed at the reset over the remaining 358 months.
    let l3 = &cf.loans[2];
    let pmt = level_payment(l3.begin_balance, 0.0775, 358);
    assert!(close(l3.scheduled_principal + l3.interest, pmt, 1e-12));
    let l9 = &cf.loans[8];
    let pmt = level_payment(l9.begin_balance, 0.0975, 352);
    assert!(close(l9.scheduled_principal + l9.interest, pmt, 1e-12));
    assert!(cf.periods.last().unwrap().end_balance.abs() < 1e-6);
}

#[test]
fn arm_initial_cap_and_lookback() {
    let mut s = scenario(PrepayCurve::Cpr { cpr: 0.0 }, no_default());
    // Index 2% in period 2, 9% from period 3: with a 1-month lookback the period-3 reset
    // sees 2% (→ 4.75%, below the 7% floor → 7%), without it 9% (→ 11.75, cap 3% → 8%).
    s.rates.set(
        RateIndex::Libor6M,
        stepped_path(&[(1, 0.02), (3, 0.09)], 400),
    );
    let with = run(&[arm_loan(0.05, 2, 1)], &s, true);
    assert!((with.loans[2].rate - 0.07).abs() < 1e-12);
    let without = run(&[arm_loan(0.05, 2, 0)], &s, true);
    assert!((without.loans[2].rate - 0.08).abs() < 1e-12);
}

#[test]
fn rounding_is_to_nearest_increment() {
    // 2.0% + 3.0625% = 5.0625 → nearest 1/8: 5.0 or 5.125; the half rounds up.
    let r = reset_rate(0.05, 0.02, 0.030625, 0.00125, 1.0, 0.0, 1.0);
    assert!((r - 0.05125).abs() < 1e-12, "{r}");
    let r = reset_rate(0.05, 0.02, 0.0306, 0.00125, 1.0, 0.0, 1.0);
    assert!((r - 0.05).abs() < 1e-12, "{r}");
    let r = reset_rate(0.05, 0.02, 0.0306, 0.0, 1.0, 0.0, 1.0);
    assert!((r - 0.0506).abs() < 1e-12, "{r}");
}

#[test]
fn cpr_smm_round_trip() {
    // 6% CPR: SMM = 1 − 0.94^(1/12) = 0.00514301...
    assert!((cpr_to_smm(0.06) - 0.005_143_012_8).abs() < 1e-9);
    assert!((cpr_to_smm(0.30) - 0.029_285_530_4).abs() < 1e-9);
    for c in [0.0, 0.01, 0.06, 0.2, 0.5, 0.99] {
        assert!((smm_to_cpr(cpr_to_smm(c)) - c).abs() < 1e-12);
    }
    assert_eq!(cpr_to_smm(1.0), 1.0);
}

/// Annualized prepayment rate each period, from per-loan output (prepaid / balance after
/// scheduled principal).
fn observed_cpr(cf: &PoolCashflows) -> Vec<f64> {
    cf.loans
        .iter()
        .map(|l| {
            let base = l.begin_balance - l.defaulted_principal - l.scheduled_principal;
            smm_to_cpr(l.prepaid_principal / base)
        })
        .collect()
}

#[test]
fn psa_100_month_by_month() {
    let cf = run(
        &[fixed_loan("a", 100_000.0, 0.06, 360, 0)],
        &scenario(PrepayCurve::Psa { pct: 100.0 }, no_default()),
        true,
    );
    let cpr = observed_cpr(&cf);
    for m in 1..=40usize {
        let want = if m <= 30 { 0.002 * m as f64 } else { 0.06 };
        assert!(
            (cpr[m - 1] - want).abs() < 1e-12,
            "month {m}: {}",
            cpr[m - 1]
        );
    }
    // 150% PSA scales the curve.
    let cf = run(
        &[fixed_loan("a", 100_000.0, 0.06, 360, 0)],
        &scenario(PrepayCurve::Psa { pct: 150.0 }, no_default()),
        true,
    );
    let cpr = observed_cpr(&cf);
    assert!((cpr[9] - 0.03).abs() < 1e-12);
    assert!((cpr[40] - 0.09).abs() < 1e-12);
}

fn ppc() -> PrepayCurve {
    PrepayCurve::Ramp {
        start: 0.02,
        end: 0.20,
        months: 12,
    }
}

#[test]
fn ppc_ramp_month_by_month() {
    let cf = run(
        &[fixed_loan("a", 100_000.0, 0.06, 360, 0)],
        &scenario(ppc(), no_default()),
        true,
    );
    let cpr = observed_cpr(&cf);
    for m in 1..=20usize {
        let want = if m <= 12 {
            0.02 + (m as f64 - 1.0) * 0.18 / 11.0
        } else {
            0.20
        };
        assert!(
            (cpr[m - 1] - want).abs() < 1e-12,
            "month {m}: {}",
            cpr[m - 1]
        );
    }
    assert!((cpr[1] - 0.036_363_636_36).abs() < 1e-9);
}

#[test]
fn seasoned_loan_enters_ramp_mid_way() {
    // Age 5 at cut-off: period 1 is loan month 6 of the ramp.
    let cf = run(
        &[fixed_loan("a", 100_000.0, 0.06, 355, 5)],
        &scenario(ppc(), no_default()),
        true,
    );
    let cpr = observed_cpr(&cf);
    for t in 1..=10usize {
        let m = (5 + t) as f64;
        let want = if m <= 12.0 {
            0.02 + (m - 1.0) * 0.18 / 11.0
        } else {
            0.20
        };
        assert!((cpr[t - 1] - want).abs() < 1e-12, "period {t}");
    }
}

#[test]
fn distinct_curves_and_multiplier() {
    let mut s = scenario(PrepayCurve::Cpr { cpr: 0.10 }, no_default());
    s.prepay.arm = PrepayCurve::Cpr { cpr: 0.30 };
    s.prepay.multiplier = 1.5;
    s.rates = RateCurves::flat_all(0.03);
    let cf = run(
        &[
            fixed_loan("f", 100_000.0, 0.06, 360, 0),
            arm_loan(0.05, 2, 0),
        ],
        &s,
        true,
    );
    let cpr = observed_cpr(&cf);
    let fixed_rows = 360;
    assert!((cpr[0] - 0.15).abs() < 1e-12);
    assert!((cpr[fixed_rows] - 0.45).abs() < 1e-12);
}

#[test]
fn smm_and_vector_curves() {
    let cf = run(
        &[fixed_loan("a", 1000.0, 0.06, 360, 0)],
        &scenario(PrepayCurve::Smm { smm: 0.01 }, no_default()),
        true,
    );
    let l = &cf.loans[0];
    assert!(close(
        l.prepaid_principal,
        0.01 * (l.begin_balance - l.scheduled_principal),
        1e-14
    ));
    let cf = run(
        &[fixed_loan("a", 1000.0, 0.06, 360, 0)],
        &scenario(
            PrepayCurve::Vector {
                cpr: vec![0.05, 0.10, 0.20],
            },
            no_default(),
        ),
        true,
    );
    let cpr = observed_cpr(&cf);
    assert!((cpr[0] - 0.05).abs() < 1e-12);
    assert!((cpr[1] - 0.10).abs() < 1e-12);
    assert!((cpr[2] - 0.20).abs() < 1e-12);
    assert!((cpr[50] - 0.20).abs() < 1e-12);
}

#[test]
fn interest_only_then_amortizing() {
    let mut l = fixed_loan("io", 300_000.0, 0.06, 360, 0);
    l.io_months = 120;
    let cf = run(
        &[l],
        &scenario(PrepayCurve::Cpr { cpr: 0.0 }, no_default()),
        true,
    );
    for p in &cf.periods[..120] {
        assert_eq!(p.scheduled_principal, 0.0);
        assert_eq!(p.begin_balance, 300_000.0);
        assert!((p.gross_interest - 1500.0).abs() < 1e-9);
    }
    // Period 121: level payment over the remaining 240 months.
    let pmt = level_payment(300_000.0, 0.06, 240);
    assert!((pmt - 2_149.293_175_43).abs() < 1e-6, "{pmt}");
    let p = &cf.periods[120];
    assert!(close(p.scheduled_principal + p.gross_interest, pmt, 1e-12));
    let last = cf.periods.last().unwrap();
    assert!(close(
        last.scheduled_principal + last.gross_interest,
        pmt,
        1e-9
    ));
    assert!(last.end_balance.abs() < 1e-6);

    // With prepayments the payment shrinks with the balance, and is recomputed at IO end
    // on the balance then left.
    let mut l = fixed_loan("io", 300_000.0, 0.06, 360, 0);
    l.io_months = 24;
    l.age = 12;
    l.rem_term = 348;
    let cf = run(
        &[l],
        &scenario(PrepayCurve::Cpr { cpr: 0.2 }, no_default()),
        true,
    );
    let p13 = &cf.loans[12];
    assert!(cf.loans[11].scheduled_principal == 0.0);
    let pmt = level_payment(p13.begin_balance, 0.06, 336);
    assert!(close(p13.scheduled_principal + p13.interest, pmt, 1e-12));
}

#[test]
fn defaults_recoveries_and_lag() {
    let mut s = scenario(
        PrepayCurve::Cpr { cpr: 0.0 },
        DefaultCurve::Cdr { cdr: 0.12 },
    );
    s.severity = 0.4;
    s.recovery_lag = 3;
    let cf = run(&[fixed_loan("a", 1_000_000.0, 0.06, 360, 0)], &s, true);
    assert_eq!(cf.periods.len(), 363);
    let mdr = cpr_to_smm(0.12);
    let p1 = &cf.periods[0];
    assert!(close(p1.defaulted_principal, 1_000_000.0 * mdr, 1e-14));
    // Interest is paid by the surviving balance only (no advancing).
    assert!(close(
        p1.gross_interest,
        1_000_000.0 * (1.0 - mdr) * 0.005,
        1e-14
    ));
    for p in &cf.periods[..3] {
        assert_eq!(p.recoveries, 0.0);
        assert_eq!(p.realized_loss, 0.0);
    }
    assert!(close(
        cf.periods[2].pending_default_balance,
        cf.periods[..3]
            .iter()
            .map(|p| p.defaulted_principal)
            .sum::<f64>(),
        1e-12
    ));
    for t in 3..cf.periods.len() {
        let d = cf.periods[t - 3].defaulted_principal;
        assert!(
            close(cf.periods[t].recoveries, 0.6 * d, 1e-12),
            "period {}",
            t + 1
        );
        assert!(close(cf.periods[t].realized_loss, 0.4 * d, 1e-12));
    }
    let total_def: f64 = cf.periods.iter().map(|p| p.defaulted_principal).sum();
    let total_liq: f64 = cf
        .periods
        .iter()
        .map(|p| p.recoveries + p.realized_loss)
        .sum();
    assert!(close(total_def, total_liq, 1e-12));
    assert_eq!(cf.periods.last().unwrap().pending_default_balance, 0.0);

    // Advancing: interest on loans awaiting liquidation is advanced (3 months each).
    s.advancing = true;
    let adv = run(&[fixed_loan("a", 1_000_000.0, 0.06, 360, 0)], &s, false);
    let d1 = adv.periods[0].defaulted_principal;
    assert!(close(
        adv.periods[0].gross_interest,
        1_000_000.0 * 0.005,
        1e-14
    ));
    let d2 = adv.periods[1].defaulted_principal;
    let surv2 = adv.periods[1].begin_balance - d2;
    assert!(close(
        adv.periods[1].gross_interest,
        (surv2 + d1 + d2) * 0.005,
        1e-12
    ));
    // Period 4: period-1 defaults were liquidated; periods 2..4 still advance.
    let pending4: f64 = adv.periods[1..4]
        .iter()
        .map(|p| p.defaulted_principal)
        .sum();
    let surv4 = adv.periods[3].begin_balance - adv.periods[3].defaulted_principal;
    assert!(close(
        adv.periods[3].gross_interest,
        (surv4 + pending4) * 0.005,
        1e-12
    ));
    assert_eq!(adv.periods[0].advanced_principal, 0.0);
}

#[test]
fn sda_curve_shape() {
    use crate::assumptions::sda_cdr;
    assert!((sda_cdr(1) - 0.0002).abs() < 1e-15);
    assert!((sda_cdr(30) - 0.006).abs() < 1e-15);
    assert!((sda_cdr(45) - 0.006).abs() < 1e-15);
    assert!((sda_cdr(61) - 0.005905).abs() < 1e-15);
    assert!((sda_cdr(120) - 0.0003).abs() < 1e-12);
    assert!((sda_cdr(200) - 0.0003).abs() < 1e-15);
    let s = scenario(
        PrepayCurve::Cpr { cpr: 0.0 },
        DefaultCurve::Sda { pct: 200.0 },
    );
    let cf = run(&[fixed_loan("a", 1_000_000.0, 0.06, 300, 60)], &s, true);
    // Age 60: period 1 is month 61.
    let l = &cf.loans[0];
    assert!(close(
        l.defaulted_principal / l.begin_balance,
        cpr_to_smm(2.0 * 0.005905),
        1e-12
    ));
}

#[test]
fn first_period_fraction() {
    let mut s = scenario(PrepayCurve::Cpr { cpr: 0.3 }, no_default());
    s.timing.first_period_fraction = 0.5;
    let cf = run(&[fixed_loan("a", 100_000.0, 0.06, 360, 0)], &s, true);
    let smm = cpr_to_smm(0.3);
    let l1 = &cf.loans[0];
    assert!(close(
        l1.prepaid_principal,
        0.5 * smm * (l1.begin_balance - l1.scheduled_principal),
        1e-14
    ));
    let l2 = &cf.loans[1];
    assert!(close(
        l2.prepaid_principal,
        smm * (l2.begin_balance - l2.scheduled_principal),
        1e-14
    ));
}

#[test]
fn fees_and_net_wac() {
    let mut a = fixed_loan("a", 100_000.0, 0.06, 360, 0);
    a.servicing_fee = 0.00375;
    a.mi_fee = 0.01;
    let mut b = fixed_loan("b", 300_000.0, 0.05, 360, 0);
    b.servicing_fee = 0.005;
    let pool = LoanPool::from_loans(&[a, b]).unwrap();
    let fees = PoolFees {
        master_servicing: 0.0003,
        trustee: 0.000043,
    };
    let s = scenario(PrepayCurve::Cpr { cpr: 0.0 }, no_default());
    let cf = pool
        .project(&s, &fees, &ProjectionOptions::default())
        .unwrap();
    let p = &cf.periods[0];
    let wac = (100_000.0 * 0.06 + 300_000.0 * 0.05) / 400_000.0;
    assert!(close(p.wac, wac, 1e-14));
    let fee_rate = (100_000.0 * (0.00375 + 0.01) + 300_000.0 * 0.005) / 400_000.0;
    assert!(close(p.net_wac, wac - fee_rate - 0.0003 - 0.000043, 1e-14));
    assert!(close(
        p.servicing_fee,
        (100_000.0 * 0.00375 + 300_000.0 * 0.005) / 12.0,
        1e-14
    ));
    assert!(close(p.mi_fee, 100_000.0 * 0.01 / 12.0, 1e-14));
    assert!(close(
        p.master_servicing_fee,
        400_000.0 * 0.0003 / 12.0,
        1e-14
    ));
    assert!(close(p.trustee_fee, 400_000.0 * 0.000043 / 12.0, 1e-14));
    assert!(close(
        p.net_interest,
        p.gross_interest - p.servicing_fee - p.mi_fee - p.master_servicing_fee - p.trustee_fee,
        1e-14
    ));
    assert!(close(p.net_interest, p.net_wac * 400_000.0 / 12.0, 1e-12));
}

#[test]
fn period_limit_is_an_error() {
    let pool = LoanPool::from_loans(&[fixed_loan("a", 1.0, 0.05, 360, 0)]).unwrap();
    let s = scenario(PrepayCurve::Cpr { cpr: 0.0 }, no_default());
    let opts = ProjectionOptions {
        per_loan: false,
        max_periods: 359,
    };
    let e = pool.project(&s, &PoolFees::default(), &opts).unwrap_err();
    assert!(e.to_string().contains("360 monthly periods"), "{e}");
}

#[test]
fn invalid_loans_are_all_reported() {
    let mut a = fixed_loan("a", -5.0, 0.05, 360, 0);
    a.rem_term = 400;
    let mut b = arm_loan(0.05, 2, 0);
    if let Some(t) = b.arm.as_mut() {
        t.life_floor = 0.2;
    }
    let e = LoanPool::from_loans(&[a, b]).unwrap_err();
    match e {
        Error::InvalidMany(v) => {
            assert_eq!(v.len(), 3, "{v:?}");
            assert_eq!(v[0].location.row, Some(1));
            assert_eq!(v[0].location.field.as_deref(), Some("balance"));
            assert_eq!(v[1].location.field.as_deref(), Some("rem_term"));
            assert_eq!(v[2].location.row, Some(2));
            assert_eq!(v[2].location.field.as_deref(), Some("life_floor"));
        }
        other => panic!("unexpected {other}"),
    }
    assert!(LoanPool::from_loans(&[]).is_err());
}

#[test]
fn unknown_index_is_an_error() {
    let mut l = arm_loan(0.05, 2, 0);
    if let Some(t) = l.arm.as_mut() {
        t.index = RateIndex::Named("SOFR30A".into());
    }
    let pool = LoanPool::from_loans(&[l]).unwrap();
    let s = scenario(PrepayCurve::Cpr { cpr: 0.0 }, no_default());
    let e = pool
        .project(&s, &PoolFees::default(), &ProjectionOptions::default())
        .unwrap_err();
    assert!(e.to_string().contains("SOFR30A"), "{e}");
}

#[test]
fn thread_count_does_not_change_results() {
    let loans: Vec<Loan> = (0..3000)
        .map(|k| {
            let mut l = if k % 2 == 0 {
                arm_loan(0.04 + (k % 17) as f64 * 0.001, (k % 30) as u32, 0)
            } else {
                fixed_loan(
                    "f",
                    1000.0 + k as f64,
                    0.05 + (k % 11) as f64 * 0.002,
                    360,
                    0,
                )
            };
            l.balance = 50_000.0 + (k * 37 % 1000) as f64 * 400.0;
            l
        })
        .collect();
    let pool = LoanPool::from_loans(&loans).unwrap();
    let mut s = scenario(
        PrepayCurve::Cpr { cpr: 0.3 },
        DefaultCurve::Cdr { cdr: 0.02 },
    );
    s.rates = RateCurves::flat_all(0.03);
    s.recovery_lag = 6;
    s.severity = 0.35;
    let go = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                pool.project(&s, &PoolFees::default(), &ProjectionOptions::default())
                    .unwrap()
            })
    };
    let one = go(1);
    let many = go(4);
    assert_eq!(one, many);
}

#[test]
fn speed_above_100_cpr_is_an_error_not_a_silent_cap() {
    let loans = [fixed_loan("L1", 100_000.0, 0.06, 360, 0)];
    let pool = LoanPool::from_loans(&loans).unwrap();
    let opts = ProjectionOptions::default();
    // 1,000,000% of a 25 CPR curve.
    let mut s = scenario(PrepayCurve::Cpr { cpr: 0.25 }, no_default());
    s.prepay.multiplier = 10_000.0;
    let e = pool.project(&s, &PoolFees::default(), &opts).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("prepay.multiplier"), "{msg}");
    assert!(msg.contains("expected at most 100%"), "{msg}");
    // PSA peaks at 6% CPR: 2000% PSA is 120% CPR.
    let s = scenario(PrepayCurve::Psa { pct: 2000.0 }, no_default());
    assert!(pool.project(&s, &PoolFees::default(), &opts).is_err());
    // Exactly 100% CPR is allowed: the whole pool prepays in period 1.
    let mut s = scenario(PrepayCurve::Cpr { cpr: 0.5 }, no_default());
    s.prepay.multiplier = 2.0;
    let cf = pool.project(&s, &PoolFees::default(), &opts).unwrap();
    assert!(cf.periods[0].end_balance.abs() < 1e-6);
}

#[test]
fn recip_powi_is_powi_bit_for_bit() {
    // Monthly rates from 0 to 2% in uneven steps, and terms up to 60 years; one at a time
    // and four side by side (with different terms, so some finish early).
    let mut x = 1.0f64;
    for step in 0..4000u32 {
        for n in (0..=720u32).step_by(1 + (step % 7) as usize) {
            let want = x.powi(-(n as i32)).to_bits();
            assert_eq!(recip_powi([x], [n])[0].to_bits(), want, "x = {x}, n = {n}");
            let ns = [n, n / 3, 720 - n, n % 5];
            let xs = [x, x * 1.001, x, 1.0 + (x - 1.0) / 2.0];
            let got = recip_powi(xs, ns);
            for k in 0..4 {
                assert_eq!(
                    got[k].to_bits(),
                    xs[k].powi(-(ns[k] as i32)).to_bits(),
                    "x = {}, n = {}",
                    xs[k],
                    ns[k]
                );
            }
        }
        x += 0.02 / 4000.0 * (1.0 + f64::from(step % 3) / 7.0);
    }
}

#[test]
fn round_half_away_is_round_bit_for_bit() {
    let mut xs = vec![
        0.0,
        -0.0,
        0.5,
        -0.5,
        1.5,
        2.5,
        -2.5,
        0.49999999999999994,
        -0.49999999999999994,
        4_503_599_627_370_495.5,
        4_503_599_627_370_496.0,
        -4_503_599_627_370_495.5,
        1e300,
        f64::MIN_POSITIVE,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    // Quotients of a rate by a rounding step, as in a reset, and their neighbours.
    for k in 0..20_000 {
        let x = k as f64 * 0.000_61 - 3.0;
        xs.extend([x, x / 0.00125 + 1e-9, (k as f64 + 0.5), -(k as f64 + 0.5)]);
    }
    for x in xs {
        assert_eq!(round_half_away(x).to_bits(), x.round().to_bits(), "x = {x}");
    }
    assert!(round_half_away(f64::NAN).is_nan());
}

/// Rate events worked out once for several projections give every projection bit for bit
/// what it works out alone, at any speed and default rate, and are ignored for other rates.
#[test]
fn shared_rate_events_change_nothing() {
    let m = crate::testkit::small_model();
    let fees = m.deal.pool_fees();
    let opts = ProjectionOptions::default();
    let mut sc = crate::scenario::Scenario::default();
    sc.rates.base = crate::scenario::RateBase::Flat { pct: 4.0 };
    let base = m.resolve(&sc).unwrap().assumptions;
    let events = m.pool.rate_events(&base.rates).unwrap();
    for (speed, cdr) in [(0.0, 0.0), (100.0, 0.0), (180.0, 0.05)] {
        let mut a = base.clone();
        a.prepay.multiplier = speed / 100.0;
        a.default = DefaultCurve::Cdr { cdr };
        a.recovery_lag = 6;
        let alone = m.pool.project(&a, &fees, &opts).unwrap();
        let shared = m
            .pool
            .project_with(&a, &fees, &opts, Some(&events))
            .unwrap();
        assert!(alone == shared, "speed {speed} cdr {cdr}");
    }
    // Events of other rates are not used.
    let mut other = base.clone();
    other.rates = RateCurves::flat_all(0.09);
    let alone = m.pool.project(&other, &fees, &opts).unwrap();
    let given = m
        .pool
        .project_with(&other, &fees, &opts, Some(&events))
        .unwrap();
    assert!(alone == given);
}
