//! Each loan rule broken alone on an otherwise clean loan, with its exact message; values
//! on the rule's edge pass.

use super::*;
use crate::tape::{ArmTerms, RateIndex};

fn fixed() -> Loan {
    Loan {
        loan_id: "L1".into(),
        balance: 100_000.0,
        gross_rate: 0.0625,
        orig_term: 360,
        rem_term: 356,
        age: 4,
        amort: AmortType::Fixed,
        io_months: 0,
        servicing_fee: 0.0025,
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
        delinquency: String::new(),
    }
}

fn arm() -> Loan {
    Loan {
        gross_rate: 0.055,
        amort: AmortType::Arm,
        arm: Some(ArmTerms {
            index: RateIndex::Libor6M,
            margin: 0.0325,
            months_to_reset: 22,
            reset_freq: 6,
            first_reset_pending: true,
            initial_cap: 0.03,
            periodic_cap: 0.01,
            life_cap: 0.115,
            life_floor: 0.0325,
            rounding: 0.00125,
            lookback_months: 0,
        }),
        ..fixed()
    }
}

fn terms(l: &mut Loan) -> &mut ArmTerms {
    l.arm.as_mut().unwrap()
}

/// The one finding of `l`: its rule and message.
fn only(l: &Loan) -> (LoanRule, String) {
    let f = check_loan(l);
    assert_eq!(f.len(), 1, "{f:#?}");
    (f[0].rule, f[0].message.clone())
}

fn clean(l: &Loan) {
    assert_eq!(check_loan(l), vec![]);
}

#[test]
fn clean_loans_break_no_rule() {
    clean(&fixed());
    clean(&arm());
}

#[test]
fn terms_against_each_other() {
    let mut l = fixed();
    l.rem_term = 361;
    assert_eq!(
        only(&l),
        (
            LoanRule::RemTermOverOrigTerm,
            "remaining term 361 exceeds the original term 360".into()
        )
    );
    let mut l = fixed();
    l.io_months = 361;
    assert_eq!(
        only(&l),
        (
            LoanRule::IoOverOrigTerm,
            "interest-only months 361 exceed the original term 360".into()
        )
    );
    l.io_months = 360; // interest only for the whole term: a balloon, not a contradiction
    clean(&l);
}

#[test]
fn age_and_remaining_term_beyond_the_original_term_warn() {
    let mut l = fixed();
    l.age = 5;
    let (rule, msg) = only(&l);
    assert_eq!(rule, LoanRule::AgePlusRemOverOrigTerm);
    assert!(rule.is_warning());
    assert_eq!(
        msg,
        "age 5 + remaining term 356 = 361 months exceeds the original term 360"
    );
    l.age = 3; // curtailed: fewer months left than the schedule says
    clean(&l);
}

#[test]
fn interest_only_past_maturity_warns() {
    let mut l = fixed();
    l.age = 10;
    l.rem_term = 100;
    l.io_months = 120;
    let (rule, msg) = only(&l);
    assert_eq!(rule, LoanRule::IoPastMaturity);
    assert!(rule.is_warning());
    assert_eq!(
        msg,
        "110 interest-only months remain (io_months 120 − age 10), more than the remaining term 100"
    );
    l.io_months = 110;
    clean(&l);
}

#[test]
fn arm_caps_floors_and_margins() {
    let mut l = arm();
    terms(&mut l).life_cap = 0.05;
    assert_eq!(
        only(&l),
        (
            LoanRule::LifeCapBelowRate,
            "lifetime cap 5% is below the current rate 5.5%".into()
        )
    );
    let mut l = arm();
    terms(&mut l).life_floor = 0.12;
    l.gross_rate = 0.115;
    // A floor above the cap is one error, not also a rate below the floor.
    assert_eq!(
        only(&l),
        (
            LoanRule::LifeFloorAboveCap,
            "lifetime floor 12% is above the lifetime cap 11.5%".into()
        )
    );
    let mut l = arm();
    terms(&mut l).margin = 0.12;
    assert_eq!(
        only(&l),
        (
            LoanRule::MarginAboveLifeCap,
            "margin 12% is above the lifetime cap 11.5%: the rate would sit at the cap at every index level; expected a margin at or below the cap".into()
        )
    );
    terms(&mut l).margin = 0.115;
    clean(&l);
}

#[test]
fn a_rate_below_the_floor_warns() {
    let mut l = arm();
    l.gross_rate = 0.03;
    let (rule, msg) = only(&l);
    assert_eq!(rule, LoanRule::RateBelowLifeFloor);
    assert!(rule.is_warning());
    assert_eq!(msg, "the current rate 3% is below the lifetime floor 3.25%");
    l.gross_rate = 0.0325;
    clean(&l);
}

#[test]
fn a_reset_after_maturity_is_an_error() {
    let mut l = arm();
    terms(&mut l).months_to_reset = 357;
    assert_eq!(
        only(&l),
        (
            LoanRule::ResetAfterMaturity,
            "the next rate change, 357 months after the cut-off, comes after the loan's last payment in month 356".into()
        )
    );
    // A change due with the last payment is harmless (a monthly ARM with a month left).
    terms(&mut l).months_to_reset = 356;
    clean(&l);
}

#[test]
fn fees_taking_the_whole_coupon() {
    let mut l = fixed();
    l.servicing_fee = 0.05;
    l.mi_fee = 0.0125;
    let (rule, msg) = only(&l);
    assert_eq!(rule, LoanRule::FixedFeesAtOrAboveRate);
    assert!(!rule.is_warning());
    assert_eq!(
        msg,
        "the servicing fee 5% and MI fee 1.25% take all of the gross rate 6.25% or more"
    );
    l.mi_fee = 0.0124;
    clean(&l);
    // A zero-rate loan with no fees takes nothing from anyone.
    l.gross_rate = 0.0;
    l.servicing_fee = 0.0;
    l.mi_fee = 0.0;
    clean(&l);
    // An ARM's teaser coupon is temporary: a warning.
    let mut l = arm();
    l.gross_rate = 0.035;
    l.mi_fee = 0.033;
    let (rule, _) = only(&l);
    assert_eq!(rule, LoanRule::ArmFeesAtOrAboveRate);
    assert!(rule.is_warning());
}

#[test]
fn warnings_are_counted_per_rule_with_the_first_loan() {
    let mut w = LoanWarnings::default();
    assert!(w.is_empty());
    let mut a = arm();
    a.gross_rate = 0.03;
    let mut b = fixed();
    b.age = 9;
    for (row, id, l) in [(2, "A2", &a), (5, "B5", &b), (7, "A7", &a)] {
        for f in check_loan(l) {
            w.add(row, id, &f);
        }
    }
    assert_eq!(w.count(LoanRule::RateBelowLifeFloor), 2);
    assert_eq!(w.count(LoanRule::AgePlusRemOverOrigTerm), 1);
    assert_eq!(w.count(LoanRule::IoPastMaturity), 0);
    assert_eq!(
        w.lines(),
        vec![
            "row 2, field `life_floor_pct`: the current rate 3% is below the lifetime floor 3.25% (loan `A2`, the first of 2 loans); the rate holds until the next rate change, which applies the floor",
            "row 5, field `age`: age 9 + remaining term 356 = 365 months exceeds the original term 360 (loan `B5`); projected over its remaining term, with its age as given",
        ]
    );
}

#[test]
fn every_warning_rule_says_what_the_projection_does() {
    for r in LoanRule::ALL {
        assert_eq!(r.is_warning(), !r.consequence().is_empty(), "{r:?}");
    }
}
