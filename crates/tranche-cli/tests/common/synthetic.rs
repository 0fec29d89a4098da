//! A small hand-made report (one bond, a few periods) for tests that need a document
//! without running a deal.

use chrono::NaiveDate;
use tranche_core::breakeven::{Breakeven, Over, Target};
use tranche_core::collateral::{PoolCashflows, PoolPeriod};
use tranche_core::grid::GridCell;
use tranche_core::summary::{BondSummary, RunSummary};
use tranche_core::tables::{AfrRow, ClassInfo, PriceTableRow, SummaryRow};
use tranche_core::waterfall::{BondFlows, BondPeriod, DealRun, Horizon};
use tranche_io::render::{Cell, Document, Table};
use tranche_io::report::{build_document, CreditInputs, ReportInputs};

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
        credit: Some(credit()),
        as_of: None,
    };
    build_document(&inputs)
}

/// One bond's figures in a made-up cell: `loss` percent of it lost.
fn bond(name: &str, loss: f64) -> BondSummary {
    BondSummary {
        bond: name.into(),
        original_balance: 1_000_000.0,
        wal_years: Some(4.0 - loss / 50.0),
        dm_bps: Some(120.0 - 10.0 * loss),
        yield_pct: Some(2.31 - 0.1 * loss),
        mod_duration: Some(3.8),
        window: None,
        principal_paid: 1_000_000.0 * (1.0 - loss / 100.0),
        writedown: 10_000.0 * loss,
        reimbursed: 0.0,
        unpaid_principal: 0.0,
        principal_loss_pct: loss,
        price: Some(100.0),
        accrued_pct: Some(0.0),
        factor: Some(1.0),
        spread_bps: None,
        yield_monthly_pct: Some(2.3),
        spread_duration: Some(3.8),
        eff_duration: None,
        eff_convexity: None,
        first_loss_period: (loss > 0.0).then_some(60),
        first_loss_date: (loss > 0.0).then(|| date(2009, 1)),
    }
}

/// Breakevens of two classes and a loss and yield grid of speeds × CDRs × one severity.
fn credit() -> CreditInputs {
    let classes = ["M-1", "M-2"];
    let mut breakevens = Vec::new();
    for speed in [50.0, 100.0] {
        for (k, class) in classes.iter().enumerate() {
            breakevens.push(Breakeven {
                class: class.to_string(),
                target: Target::FirstLoss,
                over: Over::Cdr,
                speed_pct: Some(speed),
                severity_pct: 40.0,
                lag_months: 12,
                rate: (k == 0 || speed == 100.0).then_some(6.0 - k as f64 - speed / 100.0),
                max_rate: 100.0,
                pool_loss_pct: Some(4.1),
                class_loss_pct: Some(0.01),
                monotone: true,
                probes: vec![],
            });
        }
    }
    let mut cells = Vec::new();
    for speed in [50.0, 100.0] {
        for cdr in [0.0, 4.0, 8.0] {
            let loss = |k: f64| (cdr - 4.0 + k).max(0.0) * 5.0;
            cells.push(GridCell {
                point: vec![speed, cdr, 40.0],
                summary: RunSummary {
                    price: 100.0,
                    quote: None,
                    settlement: None,
                    pool_loss: cdr * 1e4,
                    pool_loss_pct: cdr,
                    bonds: vec![bond("M-1", loss(0.0)), bond("M-2", loss(2.0))],
                },
            });
        }
    }
    CreditInputs {
        breakevens,
        axes: ["speed_pct", "cdr_pct", "severity_pct"]
            .map(String::from)
            .to_vec(),
        cells,
        classes: classes.map(String::from).to_vec(),
        notes: vec!["Breakevens at 40% severity, 12-month lag, to maturity.".into()],
    }
}
