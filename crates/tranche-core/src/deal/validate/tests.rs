//! The semantic rules of a deal: each is broken on its own on the reference deal, which
//! must then give exactly that one error; values on the rule's edge must pass.

use super::super::*;
use chrono::NaiveDate;

const REFERENCE: &str = include_str!("../../../../../deals/impac-cmb-2004-1/deal.toml");

fn reference() -> Deal {
    toml::from_str(REFERENCE).unwrap()
}

fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).unwrap()
}

fn ym(s: &str) -> YearMonth {
    YearMonth::parse(s).unwrap()
}

/// The one error of `deal`, as "field: message".
fn only_error(deal: &Deal) -> String {
    let errs = deal.validate();
    assert_eq!(errs.len(), 1, "{errs:#?}");
    format!(
        "{}: {}",
        errs[0].location.field.as_deref().unwrap_or(""),
        errs[0].message
    )
}

fn valid(deal: &Deal) {
    assert_eq!(deal.validate(), vec![]);
}

fn floating(deal: &mut Deal, bond: usize, margin: f64, multiple: f64) {
    deal.bonds[bond].coupon = Coupon::Floating {
        index: "LIBOR1M".into(),
        margin_pct: margin,
        step_up_multiple: multiple,
    };
}

#[test]
fn settlement_must_come_before_the_first_payment() {
    let mut deal = reference();
    deal.dates.settlement = deal.dates.first_payment;
    assert_eq!(
        only_error(&deal),
        "dates.settlement: expected a date before the first payment date 2004-02-25, found 2004-02-25"
    );
    deal.dates.settlement = d(2004, 2, 24);
    valid(&deal);
}

#[test]
fn first_payment_falls_on_the_payment_day_or_its_roll() {
    let mut deal = reference();
    deal.dates.first_payment = d(2004, 2, 20);
    assert_eq!(
        only_error(&deal),
        "dates.first_payment: expected day 25 of its month (payment_day), 2004-02-25, or the business day it rolls to, found 2004-02-20"
    );
    // April 25, 2004 is a Sunday: the printed (rolled) Monday is accepted.
    deal.dates.first_payment = d(2004, 4, 26);
    valid(&deal);
    deal.dates.first_payment = d(2004, 4, 27);
    assert!(only_error(&deal).starts_with("dates.first_payment:"));
    // A payment day past the month's end is the month's last day.
    deal.dates.payment_day = 31;
    deal.dates.first_payment = d(2004, 2, 29);
    valid(&deal);
}

#[test]
fn deal_fees_have_a_ceiling() {
    let mut deal = reference();
    deal.collateral.master_servicing_fee_pct = 3.0;
    assert_eq!(
        only_error(&deal),
        "collateral.master_servicing_fee_pct: the deal-level fees total 3.0043% a year (master servicing 3% + trustee 0.0043%); expected at most 1% (fee rates are percent: 0.03 is 3 bp)"
    );
    deal.collateral.master_servicing_fee_pct = 0.2;
    deal.collateral.trustee_fee_pct = 0.8;
    valid(&deal);
    deal.collateral.master_servicing_fee_pct = 0.3;
    deal.collateral.trustee_fee_pct = 0.82;
    assert_eq!(
        only_error(&deal),
        "collateral.trustee_fee_pct: the deal-level fees total 1.12% a year (master servicing 0.3% + trustee 0.82%); expected at most 1% (fee rates are percent: 0.03 is 3 bp)"
    );
}

#[test]
fn other_index_rates_are_rates_of_declared_indices() {
    let mut deal = reference();
    deal.pricing
        .other_index_rates_pct
        .insert("LIBOR6M".into(), 1e300);
    assert_eq!(
        only_error(&deal),
        "pricing.other_index_rates_pct.LIBOR6M: expected a rate between -100 and 100 (percent), found 1e300"
    );
    deal.pricing.other_index_rates_pct.clear();
    deal.pricing
        .other_index_rates_pct
        .insert("SOFR".into(), 1.0);
    assert!(only_error(&deal)
        .starts_with("pricing.other_index_rates_pct.SOFR: index `SOFR` is not declared"));
}

#[test]
fn a_fixed_cap_must_sit_above_a_floaters_margin() {
    let mut deal = reference();
    deal.bonds[0].fixed_cap_pct = Some(0.2);
    assert_eq!(
        only_error(&deal),
        "bonds[0].fixed_cap_pct: a fixed cap of 0.2% is at or below the margin 0.34%: the coupon would be capped at every index level; expected a cap above the margin"
    );
    deal.bonds[0].fixed_cap_pct = Some(0.34);
    assert!(only_error(&deal).starts_with("bonds[0].fixed_cap_pct: a fixed cap of 0.34%"));
    deal.bonds[0].fixed_cap_pct = Some(0.35);
    valid(&deal);
    // A cap out of range is reported once, for its range.
    deal.bonds[0].fixed_cap_pct = Some(-1.0);
    assert_eq!(
        only_error(&deal),
        "bonds[0].fixed_cap_pct: expected a cap between 0 and 100 (percent), found -1"
    );
}

#[test]
fn a_fixed_cap_must_not_be_below_a_fixed_coupon() {
    let mut deal = reference();
    deal.bonds[5].coupon = Coupon::Fixed {
        rate_pct: 12.0,
        step_up_pct: 0.5,
    };
    assert_eq!(
        only_error(&deal),
        "bonds[5].fixed_cap_pct: a fixed cap of 11.5% is below the fixed coupon 12%; expected a cap at or above the coupon"
    );
    deal.bonds[5].coupon = Coupon::Fixed {
        rate_pct: 11.5,
        step_up_pct: 0.5,
    };
    valid(&deal);
}

#[test]
fn step_up_multiple_is_from_1_to_10() {
    let mut deal = reference();
    for bad in [0.5, 10.5, f64::INFINITY] {
        floating(&mut deal, 1, 0.45, bad);
        assert_eq!(
            only_error(&deal),
            format!(
                "bonds[1].coupon.step_up_multiple: expected a multiple from 1 (no step-up) to 10, found {bad}"
            )
        );
    }
    for good in [1.0, 10.0] {
        floating(&mut deal, 1, 0.45, good);
        valid(&deal);
    }
}

#[test]
fn the_call_percentage_is_above_0_and_at_most_100() {
    let mut deal = reference();
    deal.clean_up_call.date = None;
    deal.clean_up_call.pool_pct_of_cut_off = Some(0.0);
    assert_eq!(
        only_error(&deal),
        "clean_up_call.pool_pct_of_cut_off: expected a pool percentage above 0 and at most 100 (percent), found 0: a call at 0% never comes before maturity; a deal without a clean-up call says `none = true`"
    );
    deal.clean_up_call.pool_pct_of_cut_off = Some(100.5);
    assert_eq!(
        only_error(&deal),
        "clean_up_call.pool_pct_of_cut_off: expected a pool percentage above 0 and at most 100 (percent), found 100.5"
    );
    deal.clean_up_call.pool_pct_of_cut_off = Some(100.0);
    valid(&deal);
}

#[test]
fn a_deal_without_a_call_says_so() {
    let mut deal = reference();
    deal.clean_up_call.date = None;
    deal.clean_up_call.pool_pct_of_cut_off = None;
    assert_eq!(
        only_error(&deal),
        "clean_up_call: expected pool_pct_of_cut_off, date, or both; a deal without a clean-up call says `none = true`"
    );
    deal.clean_up_call.none = true;
    // The reference bonds step up after the call date: with no call, that is a contradiction.
    let errs = deal.validate();
    assert_eq!(errs.len(), 6, "{errs:#?}");
    assert_eq!(
        errs[0].location.field.as_deref(),
        Some("bonds[0].coupon.step_up_multiple")
    );
    assert!(errs[0]
        .message
        .starts_with("a step-up applies after the first clean-up call date"));
    for b in 0..6 {
        floating(&mut deal, b, 0.5, 1.0);
    }
    valid(&deal);
    deal.clean_up_call.date = Some(ym("2010-01"));
    assert_eq!(
        only_error(&deal),
        "clean_up_call.none: a deal with no clean-up call (none = true) gives neither pool_pct_of_cut_off nor date"
    );
}

#[test]
fn the_call_date_is_within_the_deals_life() {
    let mut deal = reference();
    deal.clean_up_call.date = Some(ym("2004-02"));
    assert_eq!(
        only_error(&deal),
        "clean_up_call.date: expected a month after the first payment month 2004-02, found 2004-02"
    );
    deal.clean_up_call.date = Some(ym("2064-02"));
    assert_eq!(
        only_error(&deal),
        "clean_up_call.date: expected a date within the deal's life (720 payment dates from the first payment, to 2064-01), found 2064-02"
    );
    deal.clean_up_call.date = Some(ym("2064-01"));
    valid(&deal);
    deal.clean_up_call.date = Some(ym("2004-03"));
    valid(&deal);
}

#[test]
fn oc_stepdown_rules() {
    let mut deal = reference();
    deal.overcollateralization.stepdown = Some(OcStepdown {
        on_or_after: ym("2007-02"),
        target_pct_of_current: 1.0,
        floor_pct_of_cut_off: 0.6,
        blocked_by: vec![],
    });
    assert_eq!(
        only_error(&deal),
        "overcollateralization.stepdown.floor_pct_of_cut_off: expected a floor at or below the initial target 0.5% of the cut-off balance, found 0.6%"
    );
    let s = deal.overcollateralization.stepdown.as_mut().unwrap();
    s.floor_pct_of_cut_off = 0.5;
    valid(&deal);
    let s = deal.overcollateralization.stepdown.as_mut().unwrap();
    s.target_pct_of_current = 0.0;
    assert_eq!(
        only_error(&deal),
        "overcollateralization.stepdown.target_pct_of_current: expected a target above 0 and at most 100 (percent), found 0"
    );
    let s = deal.overcollateralization.stepdown.as_mut().unwrap();
    s.target_pct_of_current = 100.0;
    s.on_or_after = ym("2070-01");
    assert_eq!(
        only_error(&deal),
        "overcollateralization.stepdown.on_or_after: expected a date within the deal's life (720 payment dates from the first payment, to 2064-01), found 2070-01"
    );
}

#[test]
fn zero_through_is_within_the_deals_life() {
    let mut deal = reference();
    deal.overcollateralization.zero_through = Some(ym("2004-01"));
    assert_eq!(
        only_error(&deal),
        "overcollateralization.zero_through: expected a month from the first payment month 2004-02 on, found 2004-01"
    );
    deal.overcollateralization.zero_through = Some(ym("2004-02"));
    valid(&deal);
    deal.overcollateralization.zero_through = Some(ym("2099-01"));
    assert!(only_error(&deal)
        .starts_with("overcollateralization.zero_through: expected a date within the deal's life"));
}

#[test]
fn trigger_thresholds_are_within_the_deals_life() {
    let mut deal = reference();
    deal.triggers.push(Trigger {
        name: "cum-loss".into(),
        kind: TriggerKind::CumulativeLoss,
        thresholds: vec![
            Threshold {
                from: ym("2007-02"),
                pct: 1.0,
            },
            Threshold {
                from: ym("2300-01"),
                pct: 2.0,
            },
        ],
        sticky: false,
    });
    assert!(only_error(&deal)
        .starts_with("triggers[0].thresholds[1].from: expected a date within the deal's life"));
    deal.triggers[0].thresholds[1].from = ym("2010-01");
    valid(&deal);
}

#[test]
fn derivative_notionals_are_bounded_by_the_bonds() {
    let mut deal = reference();
    deal.derivatives[0].notional[1].amount = 1e300;
    assert_eq!(
        only_error(&deal),
        "derivatives[0].notional[1].amount: expected a notional of at most the bonds' original total 1000000000.00, found 1e300"
    );
    deal.derivatives[0].notional[1].amount = 1_000_000_000.0;
    valid(&deal);
}

#[test]
fn derivative_dates_fit_the_contract_and_the_deal() {
    let mut deal = reference();
    let n = deal.derivatives[0].notional.len();
    deal.derivatives[0].end = d(2008, 7, 25);
    assert_eq!(
        only_error(&deal),
        format!(
            "derivatives[0].notional[{}].date: expected a date on or before the contract's end 2008-07-25, found 2008-08-25",
            n - 1
        )
    );
    // An end before every notional date is one error, on the end.
    deal.derivatives[0].end = d(2004, 3, 25);
    assert_eq!(
        only_error(&deal),
        "derivatives[0].end: expected an end on or after the first notional date 2004-04-25, found 2004-03-25"
    );
    let mut deal = reference();
    deal.derivatives[0].notional = vec![NotionalStep {
        date: d(2003, 12, 25),
        amount: 1e6,
    }];
    deal.derivatives[0].end = d(2004, 1, 25);
    assert_eq!(
        only_error(&deal),
        "derivatives[0].end: expected an end on or after the first payment date 2004-02-25, found 2004-01-25"
    );
    deal.derivatives[0].end = d(2070, 1, 25);
    assert_eq!(
        only_error(&deal),
        "derivatives[0].end: expected a date within the deal's life (720 payment dates from the first payment, to 2064-01), found 2070-01-25"
    );
}

#[test]
fn derivative_strikes_are_sane() {
    let mut deal = reference();
    deal.derivatives[0].strike_pct = 25.0;
    assert_eq!(
        only_error(&deal),
        "derivatives[0].strike_pct: expected a strike between 0 and 20 (percent), found 25"
    );
    deal.derivatives[0].strike_pct = 6.0;
    deal.derivatives[0].kind = DerivativeKind::Corridor;
    deal.derivatives[0].upper_strike_pct = Some(6.0);
    assert_eq!(
        only_error(&deal),
        "derivatives[0].upper_strike_pct: expected an upper strike above the strike 6, found 6"
    );
    deal.derivatives[0].upper_strike_pct = Some(f64::INFINITY);
    assert!(only_error(&deal).starts_with("derivatives[0].upper_strike_pct:"));
    deal.derivatives[0].upper_strike_pct = Some(9.5);
    valid(&deal);
}

fn fee_loan(
    id: &str,
    balance: f64,
    arm: bool,
    servicing_pct: f64,
    mi_pct: f64,
) -> crate::tape::Loan {
    use crate::testkit::{loan, ArmSpec, LoanSpec};
    let mut l = loan(
        id,
        &LoanSpec {
            balance,
            rate: 0.06,
            rem_term: 358,
            age: 2,
            io_months: 0,
            servicing_fee: servicing_pct / 100.0,
            arm: arm.then_some(ArmSpec {
                index: 1,
                margin: 0.03,
                months_to_reset: 4,
                reset_freq: 6,
                periodic_cap: 0.01,
                life_cap_above: 0.06,
            }),
        },
    );
    l.mi_fee = mi_pct / 100.0;
    l
}

#[test]
fn loan_fee_rates_are_percent_within_reason() {
    let mut deal = reference();
    deal.collateral.servicing_fee_pct = Some(ServicingFees {
        arm: Some(0.375),
        fixed: Some(25.0),
    });
    assert_eq!(
        only_error(&deal),
        "collateral.servicing_fee_pct.fixed: expected a servicing fee rate between 0 and 5 (percent), found 25"
    );
    deal.collateral.servicing_fee_pct = Some(ServicingFees {
        arm: None,
        fixed: None,
    });
    assert_eq!(
        only_error(&deal),
        "collateral.servicing_fee_pct: expected a rate for `arm`, `fixed` or both"
    );
    deal.collateral.servicing_fee_pct = Some(ServicingFees {
        arm: Some(0.375),
        fixed: Some(5.0),
    });
    deal.collateral.premium_rate_pct = Some(-0.078);
    assert_eq!(
        only_error(&deal),
        "collateral.premium_rate_pct: expected a premium rate between 0 and 5 (percent), found -0.078"
    );
    deal.collateral.premium_rate_pct = Some(0.0);
    valid(&deal);
}

#[test]
fn the_tape_charges_the_servicing_fee_of_each_loan_kind_and_the_premium_rate() {
    let mut deal = reference();
    // 0.078% over the pool: 0.39% on a fifth of the balance.
    let mut loans = vec![
        fee_loan("a1", 300_000.0, true, 0.375, 0.0),
        fee_loan("a2", 100_000.0, true, 0.375, 0.39),
        fee_loan("f1", 100_000.0, false, 0.25, 0.0),
    ];
    assert!(deal.validate_against_loans(&loans).is_empty());
    deal.collateral.servicing_fee_pct = Some(ServicingFees {
        arm: Some(0.375),
        fixed: Some(0.25),
    });
    deal.collateral.premium_rate_pct = Some(0.078);
    assert!(deal.validate_against_loans(&loans).is_empty());
    loans[2].servicing_fee = 0.00375;
    loans[1].mi_fee = 0.005;
    let errs = deal.validate_against_loans(&loans);
    let msgs: Vec<String> = errs
        .iter()
        .map(|e| {
            format!(
                "{}: {}",
                e.location.field.as_deref().unwrap_or(""),
                e.message
            )
        })
        .collect();
    assert_eq!(
        msgs,
        [
            "collateral.servicing_fee_pct.fixed: the deal charges 0.25% on the fixed loans, but 1 of the tape's 1 charge another rate (first: loan f1 at 0.375%)",
            "collateral.premium_rate_pct: the tape's MI premiums average 0.1% of the pool balance; the deal's Premium Rate is 0.078%"
        ]
    );
}
