#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The second bundled deal's tape (Impac CMB 2003-12, fitted by `tranche pool-from-strats`
//! to a mixed pool's term sheet): its fit to the published tables (`stratify_check`, the
//! fit's own measure), each loan against the term sheet's rules and its own dates, and the
//! tape writer round trip. Reads the bundled tape; never refits.

use chrono::{Datelike, NaiveDate};
use std::path::PathBuf;
use tranche_core::tape::{AmortType, Loan};
use tranche_poolfit::stratify_check;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tape() -> PathBuf {
    root().join("deals/impac-cmb-2003-12/tape.csv")
}

fn loans() -> Vec<Loan> {
    tranche_io::tape::read_tape(tape()).unwrap().loans
}

fn cutoff() -> NaiveDate {
    NaiveDate::from_ymd_opt(2003, 12, 1).unwrap()
}

fn pct_of(loans: &[Loan], f: impl Fn(&Loan) -> bool) -> f64 {
    let tot: f64 = loans.iter().map(|l| l.balance).sum();
    loans
        .iter()
        .filter(|l| f(l))
        .map(|l| l.balance)
        .sum::<f64>()
        / tot
        * 100.0
}

#[test]
fn bundled_tape_fits_the_published_tables() {
    let loans = loans();
    assert_eq!(loans.len(), 3951);
    assert_eq!(
        loans.iter().map(|l| l.balance).sum::<f64>(),
        1_000_000_139.0
    );
    let fx = root().join("tests/fixtures/impac-cmb-2003-12");
    let tables = tranche_io::strat_csv::read_strat_dir(&fx.join("strat")).unwrap();
    let summary = tranche_io::strat_csv::read_pool_summary(&fx.join("pool_summary.json")).unwrap();
    let rep = stratify_check(&loans, &tables, &summary, cutoff(), 0.0343);
    println!("{rep}");
    let key = [
        "description",
        "range of months to roll",
        "range of margin",
        "current gross coupon",
        "range of maximum rates",
    ];
    let mut checked = 0;
    for t in rep.tables.iter().filter(|t| t.checked) {
        checked += 1;
        assert_eq!((t.max_count_err, t.unplaced), (0, 0), "{}", t.title);
        assert!(
            t.max_share_err_pp <= 0.05,
            "{}: share {}",
            t.title,
            t.max_share_err_pp
        );
        if key.contains(&t.title.as_str()) {
            for (what, e) in [
                ("gross WAC", t.max_gross_wac_err),
                ("net WAC", t.max_net_wac_err),
                ("remaining term", t.max_rem_term_err),
            ] {
                assert!(e.unwrap() <= 0.02 + 1e-9, "{}: {what} {e:?}", t.title);
            }
        }
    }
    // 20 tables; the payment history is not a tape field
    assert_eq!(checked, 19);
}

/// The term sheet's rules, loan by loan: servicing 0.375% on the ARMs and 0.25% on the
/// fixed-rate loans; MI premiums averaging the Premium Rate, none above 2%; interest-only
/// terms (60 months) on ARMs only, about 56% of their balance.
#[test]
fn bundled_tape_follows_the_term_sheet_rules() {
    let loans = loans();
    let arms: Vec<&Loan> = loans.iter().filter(|l| l.arm.is_some()).collect();
    assert_eq!(arms.len(), 3835);
    // ARM share: 96.76% printed
    assert!((pct_of(&loans, |l| l.arm.is_some()) - 96.76).abs() < 0.05);
    for l in &loans {
        let (fee, kind) = match l.amort {
            AmortType::Arm => (0.375, "ARM"),
            AmortType::Fixed => (0.25, "fixed"),
        };
        assert!(
            (l.servicing_fee * 100.0 - fee).abs() < 1e-9,
            "{}: {kind} servicing {}",
            l.loan_id,
            l.servicing_fee
        );
        assert!(
            l.mi_fee * 100.0 <= 2.0 + 1e-9,
            "{}: MI {}",
            l.loan_id,
            l.mi_fee
        );
        assert!(
            l.mi_fee == 0.0 || l.orig_ltv > 80.0,
            "{}: MI at LTV {}",
            l.loan_id,
            l.orig_ltv
        );
        if l.arm.is_none() {
            assert_eq!(l.io_months, 0, "{}: fixed-rate IO", l.loan_id);
        } else {
            assert!(matches!(l.io_months, 0 | 60), "{}", l.loan_id);
        }
    }
    let tot: f64 = loans.iter().map(|l| l.balance).sum();
    let wa_mi = loans.iter().map(|l| l.balance * l.mi_fee).sum::<f64>() / tot * 100.0;
    assert!((wa_mi - 0.078).abs() <= 0.0005, "Premium Rate {wa_mi}");
    let arm_bal: f64 = arms.iter().map(|l| l.balance).sum();
    let io: f64 = arms
        .iter()
        .filter(|l| l.io_months > 0)
        .map(|l| l.balance)
        .sum();
    assert!(
        (io / arm_bal * 100.0 - 56.0).abs() < 0.5,
        "IO {}",
        io / arm_bal
    );
}

/// Each loan's dates and terms agree with each other and with its product: originated
/// before the cut-off with its age counting the payments due since; ARMs on their
/// product's reset schedule with their first change pending when it is; fixed-rate loans
/// with the term their product names.
#[test]
fn bundled_tape_loans_are_coherent() {
    let months = |d: NaiveDate| d.year() * 12 + d.month0() as i32;
    for l in loans() {
        let id = &l.loan_id;
        let orig = l.orig_date.unwrap();
        assert_eq!(
            months(cutoff()) - months(orig),
            l.age as i32 + 1,
            "{id}: originated {orig} with age {}",
            l.age
        );
        assert_eq!(l.rem_term + l.age, l.orig_term, "{id}");
        let years: u32 = l
            .product
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|x| x.parse().ok())
            .unwrap();
        match &l.arm {
            None => {
                assert!(l.product.ends_with("Fixed"), "{id}: {}", l.product);
                assert_eq!(l.orig_term, years * 12, "{id}: {}", l.product);
            }
            Some(a) => {
                assert_eq!(l.orig_term, 360, "{id}");
                // `2/28` first changes at 24 months, `5/1` at 60, `30Yr LIB6M` at its
                // reset frequency
                let first = if l.product.contains('/') {
                    years * 12
                } else {
                    a.reset_freq
                };
                let at = l.age + a.months_to_reset;
                assert!(
                    at == first
                        || (at > first
                            && a.months_to_reset <= a.reset_freq
                            && (at - first) % a.reset_freq == 0),
                    "{id}: age {} + months to reset {} off the {} schedule",
                    l.age,
                    a.months_to_reset,
                    l.product
                );
                assert_eq!(a.first_reset_pending, at <= first, "{id}");
                assert!(a.life_cap + 1e-12 >= l.gross_rate, "{id}: cap below rate");
                assert!(
                    l.gross_rate + 1e-12 >= a.life_floor,
                    "{id}: floor above rate"
                );
                assert!(a.margin > 0.0 && a.initial_cap > 0.0 && a.periodic_cap > 0.0);
            }
        }
    }
}

#[test]
fn writer_round_trips_the_bundled_tape() {
    let bytes = tranche_io::tape_write::tape_csv_bytes(&loans()).unwrap();
    assert_eq!(bytes, std::fs::read(tape()).unwrap());
}
