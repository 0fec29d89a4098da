use super::*;
use crate::analytics::tests::floater;
use crate::testkit::small_model;
use proptest::prelude::*;

fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).unwrap()
}

fn monthly(n: u32) -> Vec<NaiveDate> {
    (0..n)
        .map(|i| crate::dates::add_months_on_day(d(2004, 2, 25), i, 25))
        .collect()
}

fn pricing(quote: Quote, settlement: NaiveDate, forward: Option<Vec<f64>>) -> Pricing {
    Pricing {
        quote,
        settlement,
        forward: forward.map(|values| RatePath { values }),
        settles_flat: false,
    }
}

#[test]
fn a_bullet_s_effective_duration_is_its_modified_duration() {
    // A 5-year fixed 6% bullet paying monthly on dates 30 days apart, discounted at a flat
    // 4% + DM: one period is exactly 1/12 year, so the discounting compounds monthly and
    // the analytic modified duration is Macaulay / (1 + r/12).
    let settle = d(2004, 1, 1);
    let n = 60;
    let dates: Vec<NaiveDate> = (1..=n)
        .map(|i| settle + chrono::Duration::days(30 * i))
        .collect();
    let mut principal = vec![0.0; n as usize];
    principal[n as usize - 1] = 1_000_000.0;
    let (r, dm, shift) = (0.04, 0.0125, 0.0001);
    let priced = |index: f64| {
        // A coupon of 6% whatever the index: index + (6% − index).
        let (flows, periods) = floater(settle, &dates, &vec![index; 60], 0.06 - index, &principal);
        Priceable::new(&flows, &periods, settle, &IndexAssumption::Run).unwrap()
    };
    let p0 = priced(r).price_from_dm(dm);
    let e = Effective::from_prices(
        p0,
        priced(r + shift).price_from_dm(dm),
        priced(r - shift).price_from_dm(dm),
        shift,
    );
    // Analytic: weights PVᵢ/P at the monthly rate y = r + DM.
    let y: f64 = r + dm;
    let cash: Vec<f64> = (1..=n)
        .map(|i| 1_000_000.0 * 0.06 / 12.0 + if i == n { 1_000_000.0 } else { 0.0 })
        .collect();
    let pv: Vec<f64> = cash
        .iter()
        .enumerate()
        .map(|(i, c)| c * (1.0 + y / 12.0).powi(-(i as i32 + 1)))
        .collect();
    let total: f64 = pv.iter().sum();
    assert!(
        (100.0 * total / 1_000_000.0 - p0).abs() < 1e-9,
        "same price"
    );
    let macaulay: f64 = pv
        .iter()
        .enumerate()
        .map(|(i, v)| v * (i as f64 + 1.0) / 12.0)
        .sum::<f64>()
        / total;
    let modified = macaulay / (1.0 + y / 12.0);
    assert!(
        (e.duration - modified).abs() < 1e-6,
        "effective {} vs analytic {}",
        e.duration,
        modified
    );
    // The spread duration of a fixed-rate bond is the same number, computed exactly.
    let sd = priced(r).dm_duration(dm);
    assert!((sd - modified).abs() < 1e-12, "{sd} vs {modified}");
    // Convexity of a bullet: positive, near (T² + T/12)/(1 + y/12)² for a zero.
    assert!(e.convexity > 0.0 && e.convexity < 30.0, "{}", e.convexity);
}

#[test]
fn accrued_interest_from_the_accrual_start_flat_at_issue() {
    let start = d(2004, 1, 29);
    let dates = monthly(12);
    let (b, p) = floater(start, &dates, &[0.011; 12], 0.0034, &[100.0; 12]);
    // Settling on 2004-03-10: period 2 runs from 2004-02-25, 14 days accrued.
    let s = d(2004, 3, 10);
    let ai = accrued(&b, &p, s, DayCount::Act360, false);
    assert!((ai - 100.0 * 0.0144 * 14.0 / 360.0).abs() < 1e-12, "{ai}");
    assert_eq!(accrued(&b, &p, s, DayCount::Act360, true), 0.0);
    // On a payment date the period just paid belongs to the seller; nothing accrued.
    assert_eq!(
        accrued(&b, &p, d(2004, 2, 25), DayCount::Act360, false),
        0.0
    );
    // 30/360: 2004-02-25 to 2004-03-10 is 15 days.
    let ai30 = accrued(&b, &p, s, DayCount::Thirty360, false);
    assert!(
        (ai30 - 100.0 * 0.0144 * 15.0 / 360.0).abs() < 1e-12,
        "{ai30}"
    );
    assert_eq!(days_30_360(d(2004, 1, 31), d(2004, 3, 31)), 60.0);
    assert_eq!(days_30_360(d(2004, 2, 29), d(2004, 3, 31)), 32.0);
    // The factor: the balance after the payments made by settlement.
    assert_eq!(factor(&b, &p, s), Some(11.0 / 12.0));
    assert_eq!(factor(&b, &p, d(2005, 3, 1)), None);
}

#[test]
fn a_par_floater_settling_on_a_payment_date_is_worth_par_at_its_margin() {
    let start = d(2004, 1, 29);
    let dates = monthly(24);
    let idx: Vec<f64> = (0..24).map(|i| 0.011 + 0.0004 * i as f64).collect();
    let margin = 0.0045;
    let (b, p) = floater(start, &dates, &idx, margin, &[50.0; 24]);
    let s = d(2004, 6, 25);
    let m = measure(
        &b,
        &p,
        &pricing(Quote::Dm { bps: 45.0 }, s, Some(idx.clone())),
        DayCount::Act360,
    )
    .unwrap();
    assert!((m.price - 100.0).abs() < 1e-10, "{}", m.price);
    assert_eq!(m.accrued, 0.0);
    // Its own index is the forward curve here: the spread is the DM.
    assert!((m.spread.unwrap() - m.dm).abs() < 1e-12);
    // Mid-period: the clean price stays near par, the accrued carries the coupon.
    let mid = d(2004, 7, 9);
    let m = measure(
        &b,
        &p,
        &pricing(Quote::Dm { bps: 45.0 }, mid, None),
        DayCount::Act360,
    )
    .unwrap();
    let coupon = idx[5] + margin;
    assert!((m.accrued - 100.0 * coupon * 14.0 / 360.0).abs() < 1e-12);
    assert!((m.price - 100.0).abs() < 1e-3, "{}", m.price);
    assert_eq!(m.spread, None);
}

#[test]
fn monthly_and_bond_equivalent_yields_convert_both_ways() {
    for y in [-0.02, 0.0, 0.01444, 0.06, 0.25] {
        let ym = monthly_from_bey(y);
        assert!((bey_from_monthly(ym) - y).abs() < 1e-13);
        // The same discount factor over any horizon.
        let t = 3.7;
        let (a, b) = (
            (1.0 + y / 2.0).powf(-2.0 * t),
            (1.0 + ym / 12.0).powf(-12.0 * t),
        );
        assert!((a - b).abs() < 1e-13, "{a} vs {b}");
    }
    // A monthly 6% is a little more than 6% bond-equivalent.
    assert!(bey_from_monthly(0.06) > 0.06);
}

#[test]
fn a_spread_quote_without_forward_curves_is_an_error() {
    let m = small_model();
    let mut s = Scenario::default();
    s.set("spread_bps", 50.0).unwrap();
    let e = m.run(&s).unwrap_err().to_string();
    assert!(
        e.contains("spread_bps") && e.contains("forward curves"),
        "{e}"
    );
    let mut s = Scenario {
        settlement: Some(d(2023, 12, 1)),
        ..Scenario::default()
    };
    let e = m.run(&s).unwrap_err().to_string();
    assert!(
        e.contains("on or after the closing date (2024-01-30)"),
        "{e}"
    );
    s.settlement = Some(d(2024, 3, 5));
    assert!(m.run(&s).is_ok());
}

#[test]
fn quotes_give_the_same_bond_whichever_way_round() {
    let m = small_model();
    let base = m.run(&Scenario::default()).unwrap().summary;
    for b in &base.bonds {
        let mut s = Scenario::default();
        s.set("dm_bps", b.dm_bps.unwrap()).unwrap();
        let by_dm = m.run(&s).unwrap().summary;
        s.set("yield_pct", b.yield_pct.unwrap()).unwrap();
        let by_yield = m.run(&s).unwrap().summary;
        for other in [&by_dm, &by_yield] {
            let o = other.bond(&b.bond).unwrap();
            assert!((o.price.unwrap() - 100.0).abs() < 1e-8, "{o:?}");
            assert!((o.dm_bps.unwrap() - b.dm_bps.unwrap()).abs() < 1e-6);
            assert!((o.yield_pct.unwrap() - b.yield_pct.unwrap()).abs() < 1e-6);
        }
    }
}

/// The kit's deal with its bonds capped at `cap` percent (none: uncapped) and not at the
/// Available Funds Rate, checked afresh.
fn capped(cap: Option<f64>) -> DealModel {
    let m = small_model();
    let mut deal = m.deal.clone();
    for b in &mut deal.bonds {
        b.afr_cap = false;
        b.fixed_cap_pct = cap;
    }
    DealModel::new(deal, m.pool, m.curves).unwrap()
}

#[test]
fn an_uncapped_floater_at_its_margin_has_almost_no_rate_duration() {
    // Index 2% flat, far below any cap: the coupon follows the index, so repriced at the
    // same DM the bond barely moves (its first coupon is fixed: about a month).
    let m = capped(None);
    let mut s = Scenario::default();
    s.set("index_rate_pct", 2.0).unwrap();
    let out = run_with_risk(&m, &s, 25.0).unwrap();
    for b in &out.summary.bonds {
        let eff = b.eff_duration.unwrap();
        assert!(eff > 0.0 && eff < 0.2, "{}: {eff}", b.bond);
        assert!(b.mod_duration.unwrap() > 1.0, "{b:?}");
        assert!((b.spread_duration.unwrap() - b.mod_duration.unwrap()).abs() < 0.1);
    }
    let e = run_with_risk(&m, &s, 0.0).unwrap_err().to_string();
    assert!(
        e.contains("eff_shift_bps") && e.contains("above 0 and at most 1000"),
        "{e}"
    );
}

#[test]
fn a_capped_floater_s_effective_duration_rises_as_the_cap_nears() {
    // Class A pays 2% + 0.34% = 2.34%; shifted 50 bp up it would pay 2.84%. The lower its
    // cap, the more of the up move it loses, and the longer its effective duration.
    let eff = |cap: Option<f64>| {
        let m = capped(cap);
        let mut s = Scenario::default();
        s.set("index_rate_pct", 2.0).unwrap();
        let out = run_with_risk(&m, &s, 50.0).unwrap();
        out.summary.bond("A").unwrap().eff_duration.unwrap()
    };
    let d: Vec<f64> = [None, Some(2.8), Some(2.6), Some(2.45), Some(2.36)]
        .into_iter()
        .map(eff)
        .collect();
    assert!(d.windows(2).all(|w| w[1] > w[0]), "{d:?}");
    assert!(d[0] < 0.2 && d[4] > 0.5, "{d:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, rng_seed: proptest::test_runner::RngSeed::Fixed(3), ..ProptestConfig::default() })]
    #[test]
    fn price_dm_yield_spread_round_trip(
        dm in -0.005f64..0.04,
        base in 0.0f64..0.08,
        slope in -0.0005f64..0.0005,
        margin in 0.0f64..0.03,
        n in 2usize..120,
        settle_day in 0i64..200,
    ) {
        let start = d(2004, 1, 29);
        let dates = monthly(n as u32);
        let idx: Vec<f64> = (0..n).map(|i| (base + slope * i as f64).max(0.0)).collect();
        // The forward curve differs from the run's path, so spread ≠ DM.
        let fwd: Vec<f64> = idx.iter().map(|x| x + 0.002).collect();
        let prin: Vec<f64> = (0..n).map(|i| 1.0 + (i % 5) as f64).collect();
        let (b, p) = floater(start, &dates, &idx, margin, &prin);
        let settle = start + chrono::Duration::days(settle_day);
        prop_assume!(p.iter().filter(|x| x.payment_date > settle).count() >= 1);
        let at = |q: Quote| {
            measure(&b, &p, &pricing(q, settle, Some(fwd.clone())), DayCount::Act360).unwrap()
        };
        let m = at(Quote::Dm { bps: dm * 10_000.0 });
        prop_assert!((m.dm - dm).abs() < 1e-10);
        for q in [
            Quote::Price { pct: m.price },
            Quote::Yield { pct: m.yield_ * 100.0 },
            Quote::Spread { bps: m.spread.unwrap() * 10_000.0 },
        ] {
            let back = at(q);
            prop_assert!((back.price - m.price).abs() < 1e-8, "{:?}: {} vs {}", q, back.price, m.price);
            prop_assert!((back.dm - m.dm).abs() * 10_000.0 < 1e-8, "{:?}", q);
            prop_assert!((back.yield_ - m.yield_).abs() * 100.0 < 1e-8, "{:?}", q);
            prop_assert!(
                (back.spread.unwrap() - m.spread.unwrap()).abs() * 10_000.0 < 1e-8,
                "{:?}", q
            );
        }
    }
}
