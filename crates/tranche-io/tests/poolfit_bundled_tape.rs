#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The bundled reference-deal tape: its own stratification against the published strat
//! tables (the fit targets of `tranche pool-from-strats`), and the tape writer round trip.

use std::path::PathBuf;
use tranche_core::tape::{AmortType, ArmTerms, Loan, RateIndex};
use tranche_poolfit::stratify_check;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A small reader for the tape columns (the test's own, independent of the engine's).
fn read(path: &std::path::Path) -> Vec<Loan> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let s = |n: &str| rec.get(col(n)).unwrap().to_string();
        let f = |n: &str| s(n).parse::<f64>().unwrap();
        let u = |n: &str| s(n).parse::<u32>().unwrap();
        let arm = (s("amort_type") == "arm").then(|| {
            let age = u("age");
            let m = u("months_to_reset");
            ArmTerms {
                index: RateIndex::parse(&s("index")),
                margin: f("margin_pct") / 100.0,
                months_to_reset: m,
                reset_freq: u("reset_freq_months"),
                first_reset_pending: age + m <= u("first_reset_months"),
                initial_cap: f("initial_cap_pct") / 100.0,
                periodic_cap: f("periodic_cap_pct") / 100.0,
                life_cap: f("life_cap_pct") / 100.0,
                life_floor: f("life_floor_pct") / 100.0,
                rounding: f("rounding_pct") / 100.0,
                lookback_months: u("lookback_months"),
            }
        });
        out.push(Loan {
            loan_id: s("loan_id"),
            balance: f("balance"),
            gross_rate: f("gross_rate_pct") / 100.0,
            orig_term: u("orig_term"),
            rem_term: u("rem_term"),
            age: u("age"),
            amort: if arm.is_some() {
                AmortType::Arm
            } else {
                AmortType::Fixed
            },
            io_months: u("io_months"),
            servicing_fee: f("servicing_fee_pct") / 100.0,
            mi_fee: f("mi_fee_pct") / 100.0,
            arm,
            product: s("product"),
            state: s("state"),
            property_type: s("property_type"),
            occupancy: s("occupancy"),
            purpose: s("purpose"),
            doc_type: s("doc_type"),
            fico: s("fico").parse().ok(),
            orig_ltv: f("orig_ltv_pct"),
            dti: s("dti_pct").parse().ok(),
            prepay_penalty_months: u("prepay_penalty_months"),
            prepay_penalty_type: s("prepay_penalty_type"),
            orig_date: chrono::NaiveDate::parse_from_str(&s("orig_date"), "%Y-%m-%d").ok(),
            lien: s("lien").parse().unwrap(),
            delinquency: s("delinquency"),
        });
    }
    out
}

#[test]
fn bundled_tape_reproduces_the_published_strats() {
    let tape = root().join("deals/impac-cmb-2004-1/tape.csv");
    let loans = read(&tape);
    let fx = root().join("tests/fixtures/impac-cmb-2004-1");
    let tables = tranche_io::strat_csv::read_strat_dir(&fx.join("strat")).unwrap();
    let summary = tranche_io::strat_csv::read_pool_summary(&fx.join("pool_summary.json")).unwrap();
    assert_eq!(loans.len(), 3951);
    assert_eq!(
        loans.iter().map(|l| l.balance).sum::<f64>(),
        1_000_000_040.0
    );
    let cutoff = chrono::NaiveDate::from_ymd_opt(2004, 1, 1).unwrap();
    let rep = stratify_check(&loans, &tables, &summary, cutoff, 0.0343);
    println!("{rep}");
    for t in &rep.tables {
        if !t.checked {
            continue;
        }
        assert_eq!(t.max_count_err, 0, "{}: count", t.title);
        assert_eq!(t.unplaced, 0, "{}: unplaced", t.title);
        // the tolerance: 0.05 pp in every table
        assert!(
            t.max_share_err_pp <= 0.05,
            "{}: share {}",
            t.title,
            t.max_share_err_pp
        );
        let key = [
            "description",
            "range of months to roll",
            "range of margin",
            "current gross coupon",
            "range of maximum rates",
        ];
        if key.contains(&t.title.as_str()) {
            // tolerance 0.02 (strats_reference.rs)
            assert!(
                t.max_gross_wac_err.unwrap() <= 0.02 + 1e-9,
                "{}: wac {:?}",
                t.title,
                t.max_gross_wac_err
            );
            assert!(
                t.max_net_wac_err.unwrap() <= 0.02 + 1e-9,
                "{}: net wac {:?}",
                t.title,
                t.max_net_wac_err
            );
            assert!(
                t.max_rem_term_err.unwrap() <= 0.02 + 1e-9,
                "{}: term {:?}",
                t.title,
                t.max_rem_term_err
            );
        }
    }
    // every ARM coherent: cap >= rate >= floor, caps positive
    for l in &loans {
        let a = l.arm.as_ref().unwrap();
        assert!(
            a.life_cap + 1e-12 >= l.gross_rate && l.gross_rate + 1e-12 >= a.life_floor,
            "{}",
            l.loan_id
        );
        assert!(a.initial_cap > 0.0 && a.periodic_cap > 0.0 && a.reset_freq > 0);
        assert_eq!(l.rem_term + l.age, 360);
    }
}

#[test]
fn writer_round_trips_the_bundled_tape() {
    let tape = root().join("deals/impac-cmb-2004-1/tape.csv");
    let loans = read(&tape);
    let bytes = tranche_io::tape_write::tape_csv_bytes(&loans).unwrap();
    assert_eq!(bytes, std::fs::read(&tape).unwrap());
}

/// Each loan's dates and ARM timing agree with each other and with its product: originated
/// no later than the pool cut-off, or (the term sheet's own cut-off date being "the later of
/// January 1, 2004, or the origination date") within the cut-off month at age 0; the
/// first payment one month after origination's month; age + months to reset on the
/// product's reset schedule; months to roll (from the loan's own cut-off) at least 1.
#[test]
fn bundled_tape_loans_are_coherent() {
    let tape = root().join("deals/impac-cmb-2004-1/tape.csv");
    let cutoff = chrono::NaiveDate::from_ymd_opt(2004, 1, 1).unwrap();
    let mut r = csv::Reader::from_path(&tape).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let loans = read(&tape);
    let mut late = 0;
    for (rec, loan) in r.records().zip(&loans) {
        let rec = rec.unwrap();
        let s = |n: &str| rec.get(col(n)).unwrap().to_string();
        let u = |n: &str| s(n).parse::<u32>().unwrap();
        let id = &loan.loan_id;
        let orig = loan.orig_date.unwrap();
        let age = loan.age;
        if orig > cutoff {
            late += 1;
            assert_eq!(age, 0, "{id}: originated after the cut-off with age {age}");
            assert!(
                orig < chrono::NaiveDate::from_ymd_opt(2004, 2, 1).unwrap(),
                "{id}: originated {orig}, after the cut-off month"
            );
        } else {
            // age = payments due before the cut-off: first payment in the month after
            // origination's month, `age` months before the cut-off month's next payment
            let months = |d: chrono::NaiveDate| {
                use chrono::Datelike;
                d.year() * 12 + d.month0() as i32
            };
            assert_eq!(
                months(cutoff) - months(orig),
                age as i32 + 1,
                "{id}: originated {orig} with age {age}"
            );
        }
        let a = loan.arm.as_ref().unwrap();
        let (first, freq) = (u("first_reset_months"), a.reset_freq);
        let at = age + a.months_to_reset;
        // the product name gives the first change: `2/28` = 24 months, `30Y LIB6M` = 6
        let years: u32 = loan
            .product
            .split('/')
            .next()
            .and_then(|x| x.parse().ok())
            .unwrap_or(0);
        let product_first = if years > 0 { years * 12 } else { freq };
        let delayed = orig > cutoff && at == product_first + 1;
        assert_eq!(
            first,
            product_first + u32::from(delayed),
            "{id}: first_reset_months {first} for {}",
            loan.product
        );
        assert!(
            at == first || (at > first && a.months_to_reset <= freq && (at - first) % freq == 0),
            "{id}: age {age} + months to reset {} off the {} schedule",
            a.months_to_reset,
            loan.product
        );
        assert_eq!(a.first_reset_pending, at <= first, "{id}");
        let mtr = tranche_core::strats::months_to_roll(loan, Some(cutoff)).unwrap();
        assert!(mtr >= 1, "{id}: months to roll {mtr}");
    }
    // the term sheet's rows adjusting one month after their products' first change at
    // age 0 (08/04, 02/06, 02/07, 02/09) hold the loans originated after the cut-off
    assert!(late > 0);
}
