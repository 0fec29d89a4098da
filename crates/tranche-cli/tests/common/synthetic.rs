//! A small hand-made report (one bond, a few periods) for tests that need a document
//! without running a deal.

use chrono::NaiveDate;
use tranche_core::collateral::{PoolCashflows, PoolPeriod};
use tranche_core::tables::{AfrRow, ClassInfo, PriceTableRow, SummaryRow};
use tranche_core::waterfall::{BondFlows, BondPeriod, DealRun, Horizon};
use tranche_io::render::{Cell, Document, Table};
use tranche_io::report::{build_document, ReportInputs};

fn date(y: i32, m: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, 25).unwrap()
}

/// A run at `speed`: a pool of 1,000,000 paid down over `n` periods, the bond with it.
fn run(speed: f64, n: u32) -> DealRun {
    let bal = |p: u32| 1_000_000.0 * f64::from(n - p.min(n)) / f64::from(n);
    let pool: Vec<PoolPeriod> = (1..=n)
        .map(|p| PoolPeriod {
            period: p,
            begin_balance: bal(p - 1),
            end_balance: bal(p),
            net_interest: bal(p - 1) * 0.05 / 12.0,
            ..Default::default()
        })
        .collect();
    let bond: Vec<BondPeriod> = (1..=n)
        .map(|p| BondPeriod {
            period: p,
            begin_balance: bal(p - 1),
            end_balance: bal(p),
            principal_paid: bal(p - 1) - bal(p),
            interest_paid: bal(p - 1) * (0.011 + 0.0034) / 12.0 * (speed / 100.0).max(0.5),
            ..Default::default()
        })
        .collect();
    DealRun {
        horizon: Horizon::Call,
        settlement: NaiveDate::from_ymd_opt(2004, 1, 29).unwrap(),
        periods: vec![],
        collateral: PoolCashflows {
            periods: pool,
            loans: vec![],
        },
        bonds: vec![BondFlows {
            name: "A-1".into(),
            original_balance: 1_000_000.0,
            margin: 0.0034,
            periods: bond,
        }],
        call_period: None,
    }
}

pub fn document() -> Document {
    let speeds = [0.0, 100.0, 180.0];
    let price_rows: Vec<PriceTableRow> = [Horizon::Call, Horizon::Maturity]
        .iter()
        .flat_map(|h| {
            speeds.iter().map(move |s| PriceTableRow {
                class: "A-1".into(),
                horizon: *h,
                speed_pct: *s,
                dm_bps: Some(34.0 + f64::from(u8::from(*h == Horizon::Maturity)) * 7.4),
                wal_years: Some(9.47 / (1.0 + s / 30.0)),
                mod_duration: Some(8.89 / (1.0 + s / 30.0)),
                first_principal: Some(date(2004, 2)),
                last_principal: Some(date(2014 - (*s / 30.0) as i32, 2)),
                first_period: Some(1),
                last_period: Some(121),
            })
        })
        .collect();
    let mut strat = Table::new(
        "Range of Current Balance",
        &[
            "DESCRIPTION",
            "CURRENT BALANCE",
            "# OF LOANS",
            "% OF TOTAL",
            "GROSS WAC",
        ],
    )
    .with_id("strat-current-balance");
    strat.push(vec![
        Cell::text("$0.01 - $50,000.00"),
        Cell::money(130_779.0, 0),
        Cell::Int(3),
        Cell::decimal(0.01, 2),
        Cell::decimal(7.469, 3),
    ]);
    strat.push(vec![
        Cell::text("$50,000.01 - $100,000.00 & up"),
        Cell::money(20_912_372.0, 0),
        Cell::Int(245),
        Cell::decimal(2.09, 2),
        Cell::decimal(6.374, 3),
    ]);
    strat.push_total(vec![
        Cell::Empty,
        Cell::money(21_043_151.0, 0),
        Cell::Int(248),
        Cell::decimal(2.10, 2),
        Cell::decimal(6.38, 3),
    ]);
    let inputs = ReportInputs {
        deal_name: "Synthetic Trust 2004-1".into(),
        settlement: Some(NaiveDate::from_ymd_opt(2004, 1, 29).unwrap()),
        price: 100.0,
        pricing_speed: "30% CPR".into(),
        classes: vec![ClassInfo {
            name: "A-1".into(),
            balance: 1_000_000.0,
            tranche_type: "Floating Rate Senior".into(),
        }],
        summary: vec![SummaryRow {
            class: "A-1".into(),
            balance: 1_000_000.0,
            tranche_type: "Floating Rate Senior".into(),
            wal_call: Some(2.13),
            wal_maturity: Some(2.73),
            mod_duration_call: Some(2.10),
            mod_duration_maturity: Some(2.65),
            window_call: Some((1, 47)),
            window_maturity: Some((1, 169)),
            last_scheduled_payment: Some(date(2033, 12)),
        }],
        price_rows,
        afr: (1..=24)
            .map(|p| AfrRow {
                period: p,
                payment_date: date(2004 + (p as i32 + 1) / 12, (p + 1) % 12 + 1),
                afr: 0.04 + f64::from(p) * 0.0005,
                afr_shocked: 0.04 + f64::from(p) * 0.003,
            })
            .collect(),
        afr_notes: vec!["(1) Forward curves; (2) curves + 1000 bp from period 2.".into()],
        runs: speeds
            .iter()
            .map(|s| (*s, run(*s, 12 + (180.0 - s) as u32 / 10)))
            .collect(),
        collateral: vec![strat],
        notes: vec![],
    };
    build_document(&inputs)
}
