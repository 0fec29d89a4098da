#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The pool fitter on a made-up mixed pool (ARMs and fixed-rate loans): the strats of a
//! hand-made tape are computed by `tranche_core::strats` (its ARM-term tables cover the
//! ARMs only, as a mixed pool's term sheet prints them), the fitter rebuilds a pool from
//! them, and the rebuilt pool is checked against them and against the rules of the fit:
//! servicing fee by loan kind, interest-only terms on the chosen products only, MI
//! premiums within their bound, margins never made up.

use chrono::NaiveDate;
use tranche_core::strats::{compute_all, default_tables, NetFees, StratContext};
use tranche_core::tape::{AmortType, ArmTerms, Loan, RateIndex};
use tranche_poolfit::{
    fit_pool, FeeTier, FitOptions, LoanKind, PoolSummary, StratRow, StratTable, SummaryFigure,
    TierScope,
};

const ARM_FEE: f64 = 0.375;
const FIXED_FEE: f64 = 0.25;

fn cutoff() -> NaiveDate {
    NaiveDate::from_ymd_opt(2010, 1, 1).unwrap()
}

/// 150 loans: 2/28 and 30Y six-month LIBOR ARMs, 30- and 15-year fixed-rate loans (a
/// simple LCG; not the fitter's generator).
fn source_pool() -> Vec<Loan> {
    let mut x: u64 = 2003;
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((x >> 33) as f64) / (1u64 << 31) as f64
    };
    (0..150)
        .map(|i| {
            let u = next();
            let (product, term, first, base) = if u < 0.5 {
                ("2/28 LIB6M", 360, Some(24), 5.75)
            } else if u < 0.8 {
                ("30Y LIB6M", 360, Some(6), 5.25)
            } else if u < 0.92 {
                ("30Yr Fixed", 360, None, 6.25)
            } else {
                ("15Yr Fixed", 180, None, 5.75)
            };
            let age = (next() * 4.0).floor() as u32;
            let rate = base + ((next() * 12.0).floor() - 6.0) * 0.125;
            let ltv = (55.0 + next() * 40.0).min(95.0);
            let arm = first.map(|f: u32| ArmTerms {
                index: RateIndex::Libor6M,
                margin: (2.25 + (next() * 20.0).floor() * 0.125) / 100.0,
                months_to_reset: f - age,
                reset_freq: 6,
                first_reset_pending: true,
                initial_cap: if f > 6 { 0.03 } else { 0.01 },
                periodic_cap: 0.01,
                life_cap: (rate + 6.0) / 100.0,
                life_floor: 0.0225,
                rounding: 0.00125,
                lookback_months: 1,
            });
            Loan {
                loan_id: format!("{i:04}"),
                balance: (60_000.0 + next().powi(2) * 540_000.0).round(),
                gross_rate: rate / 100.0,
                orig_term: term,
                rem_term: term - age,
                age,
                amort: if arm.is_some() {
                    AmortType::Arm
                } else {
                    AmortType::Fixed
                },
                io_months: 0,
                servicing_fee: if arm.is_some() { ARM_FEE } else { FIXED_FEE } / 100.0,
                mi_fee: if ltv > 80.0 { 0.006 } else { 0.0 },
                arm,
                product: product.into(),
                state: ["CA", "FL", "NY"][i % 3].into(),
                property_type: "SFR".into(),
                occupancy: "OWNER OCC".into(),
                purpose: "PUR".into(),
                doc_type: "FULL".into(),
                fico: Some(620 + (next() * 180.0) as u32),
                orig_ltv: (ltv * 100.0).round() / 100.0,
                dti: None,
                prepay_penalty_months: 0,
                prepay_penalty_type: String::new(),
                orig_date: None,
                lien: 1,
                delinquency: "Current".into(),
            }
        })
        .collect()
}

const TABLES: [&str; 8] = [
    "01_description",
    "02_range_of_current_balance",
    "05_current_gross_coupon",
    "09_range_of_months_remaining_to_scheduled_maturity",
    "16_range_of_months_to_roll",
    "17_range_of_margin",
    "18_range_of_maximum_rates",
    "19_next_interest_adjustment_date",
];

/// The source pool's strats, as a term sheet would print them (rounded), and its summary.
fn strats(pool: &[Loan]) -> (Vec<StratTable>, PoolSummary) {
    let ctx = StratContext {
        fees: NetFees::default(),
        cutoff: Some(cutoff()),
    };
    let defs: Vec<_> = default_tables()
        .into_iter()
        .filter(|d| TABLES.contains(&d.file_stem.as_str()))
        .collect();
    let r = |x: Option<f64>, d: i32| x.map(|v| (v * 10f64.powi(d)).round() / 10f64.powi(d));
    let tables = compute_all(&defs, pool, &ctx)
        .unwrap()
        .into_iter()
        .map(|t| {
            let row = |s: &tranche_core::strats::StratRow| {
                let m = &s.measures;
                StratRow {
                    label: s.description.clone(),
                    balance: m.balance,
                    count: m.loans as usize,
                    pct: Some((m.pct_of_total * 100.0).round() / 100.0),
                    avg_balance: Some(m.average_balance.round()),
                    min_wac: r(m.min_wac.map(|v| v * 100.0), 3),
                    max_wac: r(m.max_wac.map(|v| v * 100.0), 3),
                    gross_wac: r(m.gross_wac.map(|v| v * 100.0), 3),
                    net_wac: r(m.net_wac.map(|v| v * 100.0), 3),
                    rem_term: r(m.rem_term, 2),
                    age: r(m.age, 2),
                    fico: r(m.fico, 0),
                    ltv: r(m.orig_ltv, 1),
                    wa_mtr: r(m.wa_mtr, 0),
                }
            };
            StratTable {
                title: t.file_stem.clone(),
                rows: t.data_rows().map(row).collect(),
                total: t.total().map(row),
            }
        })
        .collect();
    let mut s = PoolSummary::default();
    let fig = |value: f64, min: Option<f64>, max: Option<f64>| SummaryFigure { value, min, max };
    let tot: f64 = pool.iter().map(|l| l.balance).sum();
    let arms: Vec<&Loan> = pool.iter().filter(|l| l.arm.is_some()).collect();
    let arm_tot: f64 = arms.iter().map(|l| l.balance).sum();
    let margins = arms.iter().map(|l| l.arm.as_ref().unwrap().margin * 100.0);
    let wa_margin = arms
        .iter()
        .map(|l| l.balance * l.arm.as_ref().unwrap().margin * 100.0)
        .sum::<f64>()
        / arm_tot;
    let (mn, mx) = (
        margins.clone().fold(f64::MAX, f64::min),
        margins.fold(f64::MIN, f64::max),
    );
    s.figures.insert(
        "total_number_of_loans".into(),
        fig(pool.len() as f64, None, None),
    );
    s.figures
        .insert("total_outstanding_balance".into(), fig(tot, None, None));
    s.figures.insert(
        "arm_characteristics_wa_gross_margin".into(),
        fig((wa_margin * 1000.0).round() / 1000.0, Some(mn), Some(mx)),
    );
    (tables, s)
}

fn opts() -> FitOptions {
    let mut o = FitOptions::new(cutoff());
    o.servicing = vec![
        FeeTier {
            rate_pct: ARM_FEE,
            scope: TierScope::Kind(LoanKind::Arm),
        },
        FeeTier {
            rate_pct: FIXED_FEE,
            scope: TierScope::Kind(LoanKind::Fixed),
        },
    ];
    o.io_share_pct = 50.0;
    o.io_months = 60;
    o.io_products = vec!["arm".into()];
    o.mi_max_pct = 1.0;
    // A short fit: the rules, not the last basis point, are under test.
    o.iterations = 150_000;
    o.polish_rounds = 1;
    o.compound_passes = 1;
    o
}

#[test]
fn a_mixed_pool_is_rebuilt_from_its_strats_with_arm_only_tables() {
    let pool = source_pool();
    let n_arm = pool.iter().filter(|l| l.arm.is_some()).count();
    assert!(n_arm > 80 && n_arm < 140, "a mixed pool: {n_arm} ARMs");
    let (tables, summary) = strats(&pool);
    let mtr = tables
        .iter()
        .find(|t| t.title.contains("roll"))
        .unwrap()
        .total_count();
    assert_eq!(mtr, n_arm, "the months-to-roll table covers the ARMs");
    let fit = fit_pool(&tables, &summary, &opts()).unwrap();
    assert_eq!(fit.loans.len(), pool.len());
    for t in &fit.report.tables {
        assert!(t.checked, "{}", t.title);
        assert_eq!((t.max_count_err, t.unplaced), (0, 0), "{}", t.title);
        assert!(
            t.max_share_err_pp < 1.0,
            "{}: {}",
            t.title,
            t.max_share_err_pp
        );
    }
    let arms: Vec<&Loan> = fit.loans.iter().filter(|l| l.arm.is_some()).collect();
    assert_eq!(arms.len(), n_arm);
    for l in &fit.loans {
        let fee = if l.arm.is_some() { ARM_FEE } else { FIXED_FEE };
        assert!(
            (l.servicing_fee * 100.0 - fee).abs() < 1e-9,
            "{}",
            l.loan_id
        );
        assert!(
            l.arm.is_some() || l.io_months == 0,
            "{}: fixed IO",
            l.loan_id
        );
        assert!(
            l.mi_fee * 100.0 <= 1.0 + 1e-9,
            "{}: MI {}",
            l.loan_id,
            l.mi_fee
        );
        if let Some(a) = &l.arm {
            assert!(a.margin > 0.0, "{}", l.loan_id);
        }
    }
    let io: f64 = arms
        .iter()
        .filter(|l| l.io_months > 0)
        .map(|l| l.balance)
        .sum();
    let arm_bal: f64 = arms.iter().map(|l| l.balance).sum();
    assert!(
        (io / arm_bal - 0.5).abs() < 0.1,
        "IO share {}",
        io / arm_bal
    );
    let said: Vec<&String> = fit
        .notes
        .iter()
        .filter(|n| n.contains("the ARM loans only"))
        .collect();
    assert_eq!(said.len(), 4, "{:?}", fit.notes);
}

#[test]
fn without_a_margin_table_the_summary_margin_holds_and_without_either_it_is_an_error() {
    let pool = source_pool();
    let (mut tables, mut summary) = strats(&pool);
    tables.retain(|t| !t.title.contains("margin"));
    let fit = fit_pool(&tables, &summary, &opts()).unwrap();
    let f = summary.get("wa_gross_margin").unwrap();
    let arms: Vec<&Loan> = fit.loans.iter().filter(|l| l.arm.is_some()).collect();
    let tot: f64 = arms.iter().map(|l| l.balance).sum();
    let wa = arms
        .iter()
        .map(|l| l.balance * l.arm.as_ref().unwrap().margin * 100.0)
        .sum::<f64>()
        / tot;
    assert!((wa - f.value).abs() < 0.02, "WA margin {wa} vs {}", f.value);
    for l in &arms {
        let m = l.arm.as_ref().unwrap().margin * 100.0;
        assert!(
            m >= f.min.unwrap() - 1e-9 && m <= f.max.unwrap() + 1e-9,
            "{}: margin {m}",
            l.loan_id
        );
    }
    summary.figures.clear();
    let e = fit_pool(&tables, &summary, &opts())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("wa_gross_margin") && e.contains("no margin table"),
        "{e}"
    );
}

#[test]
fn a_table_of_arm_terms_must_count_the_pool_or_its_arms() {
    let pool = source_pool();
    let (mut tables, summary) = strats(&pool);
    let t = tables
        .iter_mut()
        .find(|t| t.title.contains("margin"))
        .unwrap();
    t.rows[0].count += 1;
    let e = fit_pool(&tables, &summary, &opts())
        .unwrap_err()
        .to_string();
    assert!(e.contains("ARM loans (product table)"), "{e}");
}

#[test]
fn fit_options_are_checked() {
    let pool = source_pool();
    let (tables, summary) = strats(&pool);
    let mut o = opts();
    o.servicing.pop();
    let e = fit_pool(&tables, &summary, &o).unwrap_err().to_string();
    assert!(
        e.contains("no servicing fee tier for the pool's fixed-rate loans"),
        "{e}"
    );
    o.servicing.push(FeeTier {
        rate_pct: 0.25,
        scope: TierScope::Share(100.0),
    });
    let e = fit_pool(&tables, &summary, &o).unwrap_err().to_string();
    assert!(e.contains("not both"), "{e}");
    let mut o = opts();
    o.io_products = vec!["5/1 CMT1Y".into()];
    let e = fit_pool(&tables, &summary, &o).unwrap_err().to_string();
    assert!(e.contains("`5/1 CMT1Y` names no product"), "{e}");
    let mut o = opts();
    o.mi_max_pct = 0.0;
    let e = fit_pool(&tables, &summary, &o).unwrap_err().to_string();
    assert!(e.contains("mi_max_pct"), "{e}");
}
