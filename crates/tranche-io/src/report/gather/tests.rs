//! `gather` on a small deal run by hand: a level-pay pool at a CPR, two bonds paid pro
//! rata, coupons index + margin, a 25% clean-up call.

use super::*;
use crate::report::build_document;
use chrono::NaiveDate;
use tranche_core::analytics::IndexAssumption;
use tranche_core::collateral::{PoolCashflows, PoolPeriod};
use tranche_core::dates::{add_months_on_day, days_between, Calendar};
use tranche_core::rates::RateCurves;
use tranche_core::tape::RateIndex;
use tranche_core::waterfall::{BondFlows, BondPeriod, DealRun, PeriodInfo};

struct Toy;

const BONDS: [(&str, f64, f64); 2] = [("A-1", 800.0, 0.0034), ("M-1", 200.0, 0.0120)];

impl DealRunner for Toy {
    fn settlement(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(2004, 1, 29).unwrap()
    }

    fn run(&self, spec: &RunSpec) -> tranche_core::Result<DealRun> {
        let first = NaiveDate::from_ymd_opt(2004, 2, 25).unwrap();
        let smm = 1.0 - (1.0 - 0.30 * spec.speed_pct / 100.0_f64).powf(1.0 / 12.0);
        let (term, wac) = (120u32, 0.055_f64);
        let mut pool: f64 = 1000.0;
        let mut bal: Vec<f64> = BONDS.iter().map(|b| b.1).collect();
        let mut bonds: Vec<Vec<BondPeriod>> = vec![Vec::new(); 2];
        let (mut periods, mut pool_periods) = (Vec::new(), Vec::new());
        let mut prev = self.settlement();
        let mut call_period = None;
        for t in 1..=term {
            let date = Calendar::UsBanking.roll_following(add_months_on_day(first, t - 1, 25));
            let days = days_between(prev, date) as u32;
            let idx = spec
                .rates
                .rate(&RateIndex::Libor1M, t as usize)
                .unwrap_or(0.0);
            let r = wac / 12.0;
            let sched = pool * r / ((1.0 + r).powi((term - t + 1) as i32) - 1.0);
            let prepaid = (pool - sched) * smm;
            let mut prin = sched + prepaid;
            let mut end = pool - prin;
            if spec.horizon == Horizon::Call && (end <= 250.0 || t == term) {
                prin += end;
                end = 0.0;
                call_period = Some(t);
            }
            pool_periods.push(PoolPeriod {
                period: t,
                begin_balance: pool,
                scheduled_principal: sched,
                prepaid_principal: prepaid,
                net_interest: pool * (wac - 0.004) / 12.0,
                end_balance: end,
                ..Default::default()
            });
            let total: f64 = bal.iter().sum();
            for (i, b) in BONDS.iter().enumerate() {
                let begin = bal[i];
                let p = (prin * begin / total).min(begin);
                let coupon = idx + b.2;
                let int = begin * coupon * f64::from(days) / 360.0;
                bal[i] = begin - p;
                bonds[i].push(BondPeriod {
                    period: t,
                    begin_balance: begin,
                    coupon,
                    interest_due: int,
                    interest_paid: int,
                    principal_paid: p,
                    end_balance: bal[i],
                    ..Default::default()
                });
            }
            periods.push(PeriodInfo {
                period: t,
                payment_date: date,
                accrual_start: prev,
                accrual_days: days,
                bond_index_rate: idx,
                available_rate: f64::NAN,
            });
            pool = end;
            prev = date;
            if call_period.is_some() || bal.iter().sum::<f64>() < 1e-9 {
                break;
            }
        }
        Ok(DealRun {
            horizon: spec.horizon,
            settlement: self.settlement(),
            periods,
            collateral: PoolCashflows {
                periods: pool_periods,
                loans: Vec::new(),
            },
            bonds: BONDS
                .iter()
                .zip(bonds)
                .map(|(b, periods)| BondFlows {
                    name: b.0.into(),
                    original_balance: b.1,
                    margin: b.2,
                    periods,
                })
                .collect(),
            call_period,
        })
    }

    fn available_funds_rates(&self, run: &DealRun) -> tranche_core::Result<Vec<f64>> {
        Ok(run
            .collateral
            .periods
            .iter()
            .map(|p| p.net_interest * 12.0 / p.begin_balance)
            .collect())
    }
}

fn spec() -> ReportSpec {
    ReportSpec {
        deal_name: "Toy".into(),
        pricing_speed: "30% CPR".into(),
        classes: BONDS
            .iter()
            .map(|b| ClassInfo {
                name: b.0.into(),
                balance: b.1,
                tranche_type: "Floating Rate".into(),
            })
            .collect(),
        price: 100.0,
        speeds: vec![0.0, 100.0, 180.0],
        rates: TableRates {
            run: RateCurves::flat_all(0.011),
            discount: IndexAssumption::Flat { rate: 0.011 },
        },
        afr: Some(AfrOptions::standard(RateCurves::flat_all(0.011))),
        collateral: vec![],
        notes: vec![],
    }
}

#[test]
fn gathers_every_table_and_run() {
    let mut steps = Vec::new();
    let inp = gather(&Toy, &spec(), &mut |s| steps.push(s.to_string())).unwrap();
    assert_eq!(steps, STEPS);
    assert_eq!(inp.summary.len(), 2);
    // 2 classes × 2 horizons × 3 speeds.
    assert_eq!(inp.price_rows.len(), 12);
    assert_eq!(inp.runs.len(), 3);
    assert!(!inp.afr.is_empty());
    // To call at par, a floater's DM is its margin.
    let a1 = inp
        .price_rows
        .iter()
        .find(|r| r.class == "A-1" && r.horizon == Horizon::Call && r.speed_pct == 100.0)
        .unwrap();
    assert!((a1.dm_bps - 34.0).abs() < 0.5, "{}", a1.dm_bps);
    // Faster speeds, shorter WALs.
    let wal = |s: f64| {
        inp.price_rows
            .iter()
            .find(|r| r.class == "A-1" && r.horizon == Horizon::Call && r.speed_pct == s)
            .unwrap()
            .wal_years
            .unwrap()
    };
    assert!(wal(0.0) > wal(100.0) && wal(100.0) > wal(180.0));

    let doc = build_document(&inp);
    let ids: Vec<&str> = doc.tables().map(|t| t.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "summary",
            "price-dm-a-1-call",
            "price-dm-a-1-maturity",
            "price-dm-m-1-call",
            "price-dm-m-1-maturity",
            "available-funds-rate"
        ]
    );
    // The summary's WAL to call is the Price/DM table's WAL at 100%.
    let summary = doc.tables().next().unwrap();
    assert_eq!(summary.cell(0, 3).display(), format!("{:.2}", wal(100.0)));
    // Charts: AFR, two classes, pool balance, excess spread.
    assert_eq!(doc.charts().count(), 5);
}

#[test]
fn no_curves_no_schedule() {
    let mut s = spec();
    s.afr = None;
    let inp = gather(&Toy, &s, &mut |_| {}).unwrap();
    assert!(inp.afr.is_empty());
    assert_eq!(inp.afr_notes.len(), 1);
    let doc = build_document(&inp);
    assert!(doc.tables().all(|t| t.id != "available-funds-rate"));
    assert!(doc.charts().all(|c| c.id != "afr"));
}

#[test]
fn bad_speeds_are_an_error() {
    let mut s = spec();
    s.speeds = vec![-5.0];
    assert!(gather(&Toy, &s, &mut |_| {}).is_err());
}
