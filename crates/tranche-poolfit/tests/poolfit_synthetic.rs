#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The pool fitter on a second, made-up pool (fixed-rate 15/20/30-year loans, a few
//! tables): its strats are computed from a hand-generated loan set, the fitter rebuilds a
//! pool from the strats alone, and the rebuilt pool's own strats are compared with them.

use chrono::NaiveDate;
use tranche_poolfit::{
    fit_pool, FeeTier, FitOptions, PoolSummary, StratRow, StratTable, SummaryFigure, TierScope,
};

struct Src {
    product: &'static str,
    term: u32,
    age: u32,
    balance: f64,
    rate: f64,
    state: &'static str,
    ltv: f64,
    fico: u32,
}

/// A deterministic made-up pool (simple LCG; not the fitter's generator).
fn source_pool() -> Vec<Src> {
    let mut x: u64 = 12345;
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((x >> 33) as f64) / (1u64 << 31) as f64
    };
    let mut out = Vec::new();
    for i in 0..400 {
        let u = next();
        let (product, term, base) = if u < 0.6 {
            ("30Y FIXED", 360, 6.25)
        } else if u < 0.8 {
            ("20Y FIXED", 240, 5.875)
        } else {
            ("15Y FIXED", 180, 5.5)
        };
        let rate = base + ((next() * 16.0).floor() - 8.0) * 0.125;
        let balance = (40_000.0 + next().powi(2) * 560_000.0).round();
        let states = ["CA", "TX", "FL", "NY", "WA"];
        out.push(Src {
            product,
            term,
            age: (next() * 6.0).floor() as u32,
            balance,
            rate,
            state: states[(next() * 5.0).floor() as usize % 5],
            ltv: (40.0 + next() * 55.0).min(95.0),
            fico: 580 + (next() * 230.0) as u32 + (i % 3),
        });
    }
    out
}

const SERVICING: f64 = 0.25;

/// A bucket: label and membership test.
type Bucket = (String, Box<dyn Fn(&Src) -> bool>);

fn row(label: &str, loans: &[&Src]) -> StratRow {
    let b: f64 = loans.iter().map(|l| l.balance).sum();
    let w = |f: &dyn Fn(&Src) -> f64| loans.iter().map(|l| l.balance * f(l)).sum::<f64>() / b;
    let r3 = |x: f64| (x * 1000.0).round() / 1000.0;
    StratRow {
        label: label.into(),
        balance: b,
        count: loans.len(),
        pct: None,
        avg_balance: Some((b / loans.len() as f64).round()),
        min_wac: Some(loans.iter().map(|l| l.rate).fold(f64::MAX, f64::min)),
        max_wac: Some(loans.iter().map(|l| l.rate).fold(f64::MIN, f64::max)),
        gross_wac: Some(r3(w(&|l| l.rate))),
        net_wac: Some(r3(w(&|l| l.rate - SERVICING))),
        rem_term: Some((w(&|l| (l.term - l.age) as f64) * 100.0).round() / 100.0),
        age: Some((w(&|l| l.age as f64) * 100.0).round() / 100.0),
        fico: Some(w(&|l| l.fico as f64).round()),
        ltv: Some((w(&|l| l.ltv) * 10.0).round() / 10.0),
        wa_mtr: None,
    }
}

fn table(title: &str, pool: &[Src], buckets: &[Bucket]) -> StratTable {
    let mut rows = Vec::new();
    for (label, f) in buckets {
        let m: Vec<&Src> = pool.iter().filter(|l| f(l)).collect();
        if !m.is_empty() {
            rows.push(row(label, &m));
        }
    }
    let total = rows.iter().map(|r| r.balance).sum::<f64>();
    for r in &mut rows {
        r.pct = Some((r.balance / total * 10000.0).round() / 100.0);
    }
    StratTable {
        title: title.into(),
        rows,
        total: None,
    }
}

fn ranges(lo: f64, step: f64, n: usize, dec: usize, key: fn(&Src) -> f64) -> Vec<Bucket> {
    let eps = 10f64.powi(-(dec as i32));
    (0..n)
        .map(|k| {
            let a = lo + step * k as f64;
            let b = a + step - eps;
            let f: Box<dyn Fn(&Src) -> bool> =
                Box::new(move |l: &Src| key(l) >= a - 1e-9 && key(l) < a + step - 1e-9);
            (format!("{a:.dec$} - {b:.dec$}"), f)
        })
        .collect()
}

fn strats(pool: &[Src]) -> (Vec<StratTable>, PoolSummary) {
    let labels = |xs: &[&'static str], key: fn(&Src) -> &'static str| -> Vec<Bucket> {
        xs.iter()
            .map(|&x| {
                let f: Box<dyn Fn(&Src) -> bool> = Box::new(move |l: &Src| key(l) == x);
                (x.to_string(), f)
            })
            .collect()
    };
    let tables = vec![
        table(
            "product",
            pool,
            &labels(&["30Y FIXED", "20Y FIXED", "15Y FIXED"], |l| l.product),
        ),
        table(
            "range of current balance",
            pool,
            &ranges(0.01, 100_000.0, 6, 2, |l| l.balance),
        ),
        table(
            "state",
            pool,
            &labels(&["CA", "TX", "FL", "NY", "WA"], |l| l.state),
        ),
        table(
            "current gross coupon",
            pool,
            &ranges(4.0, 0.5, 8, 3, |l| l.rate),
        ),
        table("original ltv", pool, &ranges(30.0, 10.0, 7, 2, |l| l.ltv)),
        table("fico", pool, &ranges(500.0, 50.0, 7, 0, |l| l.fico as f64)),
        table(
            "months remaining",
            pool,
            &ranges(121.0, 60.0, 4, 0, |l| (l.term - l.age) as f64),
        ),
    ];
    let mut s = PoolSummary::default();
    let tot: f64 = pool.iter().map(|l| l.balance).sum();
    let fig = |v: f64, mn: Option<f64>, mx: Option<f64>| SummaryFigure {
        value: v,
        min: mn,
        max: mx,
    };
    s.figures.insert(
        "total_number_of_loans".into(),
        fig(pool.len() as f64, None, None),
    );
    s.figures
        .insert("total_outstanding_balance".into(), fig(tot, None, None));
    let bmin = pool.iter().map(|l| l.balance).fold(f64::MAX, f64::min);
    let bmax = pool.iter().map(|l| l.balance).fold(f64::MIN, f64::max);
    s.figures.insert(
        "average_loan_balance".into(),
        fig((tot / pool.len() as f64).round(), Some(bmin), Some(bmax)),
    );
    (tables, s)
}

fn opts(seed: u64) -> FitOptions {
    let mut o = FitOptions::new(NaiveDate::from_ymd_opt(2010, 1, 1).unwrap());
    o.seed = seed;
    o.servicing = vec![FeeTier {
        rate_pct: SERVICING,
        scope: TierScope::Share(100.0),
    }];
    o
}

#[test]
fn fits_a_different_fixed_rate_pool() {
    let pool = source_pool();
    let (tables, summary) = strats(&pool);
    let fit = fit_pool(&tables, &summary, &opts(7)).unwrap();
    let total: f64 = pool.iter().map(|l| l.balance).sum();
    assert_eq!(fit.loans.len(), pool.len());
    assert_eq!(fit.loans.iter().map(|l| l.balance).sum::<f64>(), total);
    println!("{}", fit.report);
    for t in &fit.report.tables {
        assert!(t.checked, "{} not checked", t.title);
        assert_eq!(t.max_count_err, 0, "{}: count", t.title);
        assert_eq!(t.unplaced, 0, "{}: unplaced", t.title);
        assert!(
            t.max_share_err_pp <= 0.05,
            "{}: share {}",
            t.title,
            t.max_share_err_pp
        );
        if t.title == "product" || t.title == "current gross coupon" {
            assert!(
                t.max_gross_wac_err.unwrap() <= 0.02,
                "{}: wac {:?}",
                t.title,
                t.max_gross_wac_err
            );
            assert!(
                t.max_net_wac_err.unwrap() <= 0.02,
                "{}: net {:?}",
                t.title,
                t.max_net_wac_err
            );
            assert!(
                t.max_rem_term_err.unwrap() <= 0.05,
                "{}: term {:?}",
                t.title,
                t.max_rem_term_err
            );
        }
    }
    for l in &fit.loans {
        assert!(l.arm.is_none());
        assert_eq!(l.rem_term + l.age, l.orig_term);
        let want = match l.product.as_str() {
            "30Y FIXED" => 360,
            "20Y FIXED" => 240,
            _ => 180,
        };
        assert_eq!(l.orig_term, want);
        assert!((l.servicing_fee - 0.0025).abs() < 1e-12);
    }
}

#[test]
fn same_seed_same_pool_other_seed_other_pool() {
    let pool = source_pool();
    let (tables, summary) = strats(&pool);
    let mut o = opts(3);
    o.iterations = 200_000;
    let a = fit_pool(&tables, &summary, &o).unwrap();
    let b = fit_pool(&tables, &summary, &o).unwrap();
    assert_eq!(a.loans, b.loans);
    o.seed = 4;
    let c = fit_pool(&tables, &summary, &o).unwrap();
    assert_ne!(a.loans, c.loans);
}

#[test]
fn io_share_is_spread_across_products() {
    let pool = source_pool();
    let (tables, summary) = strats(&pool);
    let mut o = opts(5);
    o.iterations = 100_000;
    o.io_share_pct = 40.0;
    o.io_months = 120;
    let fit = fit_pool(&tables, &summary, &o).unwrap();
    for p in ["30Y FIXED", "20Y FIXED", "15Y FIXED"] {
        let m: Vec<_> = fit.loans.iter().filter(|l| l.product == p).collect();
        let tot: f64 = m.iter().map(|l| l.balance).sum();
        let io: f64 = m
            .iter()
            .filter(|l| l.io_months > 0)
            .map(|l| l.balance)
            .sum();
        assert!(
            (io / tot * 100.0 - 40.0).abs() < 5.0,
            "{p}: {}",
            io / tot * 100.0
        );
        assert!(m.iter().all(|l| l.io_months == 0 || l.io_months == 120));
    }
    // bad IO options are input errors
    o.io_months = 0;
    assert!(fit_pool(&tables, &summary, &o).is_err());
}

/// Figures of the product and coupon tables beyond their tolerances (share 0.05 pp, gross
/// and net WAC and remaining term 0.02): per table, the largest error's excess, summed.
fn excess(fit: &tranche_poolfit::FitResult) -> f64 {
    let mut e = 0.0;
    for t in &fit.report.tables {
        e += (t.max_share_err_pp - 0.05).max(0.0);
        if t.title == "product" || t.title == "current gross coupon" {
            for x in [t.max_gross_wac_err, t.max_net_wac_err, t.max_rem_term_err] {
                e += (x.unwrap() - 0.02).max(0.0);
            }
        }
    }
    e
}

/// After a short annealing and no polish rounds some figures are beyond tolerance; the
/// compound moves (an exchange followed by a greedy repair) alone bring every one within
/// it (measured: 0.0765 of excess without them, 0 with).
#[test]
fn compound_moves_close_the_remaining_gaps() {
    let pool = source_pool();
    let (tables, summary) = strats(&pool);
    let mut o = opts(11);
    o.iterations = 20_000;
    o.polish_rounds = 0;
    o.compound_passes = 0;
    let without = fit_pool(&tables, &summary, &o).unwrap();
    o.compound_passes = 8;
    let with = fit_pool(&tables, &summary, &o).unwrap();
    let (e0, e1) = (excess(&without), excess(&with));
    println!("excess beyond tolerance: without compound moves {e0:.4}, with {e1:.4}");
    println!("{}", with.report);
    assert_eq!(e1, 0.0, "{}", with.report);
    assert_eq!(with.loans.len(), pool.len());
    let total: f64 = pool.iter().map(|l| l.balance).sum();
    assert_eq!(with.loans.iter().map(|l| l.balance).sum::<f64>(), total);
    for t in &with.report.tables {
        assert_eq!(t.max_count_err, 0, "{}: count", t.title);
    }
}
