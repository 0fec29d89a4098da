#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The reference deal through the whole engine: bundled tape → collateral projection →
//! waterfall. Pro-rata principal gives every class the same WAL at every speed, and the
//! clean-up call falls in the month the published payment windows imply; every published
//! last-principal month and WAL of the Price/DM report is reproduced.

use chrono::{Datelike, NaiveDate};
use std::path::Path;
use tranche_core::collateral::LoanPool;
use tranche_core::runner::DealModel;
use tranche_core::scenario::{DefaultRate, Scenario};
use tranche_core::waterfall::{DealRun, Horizon};
use tranche_io::deal::load_deal;

fn wal(run: &DealRun, bond: usize) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for (info, p) in run.periods.iter().zip(&run.bonds[bond].periods) {
        let t = (info.payment_date - run.settlement).num_days() as f64 / 365.0;
        num += t * p.principal_paid;
        den += p.principal_paid;
    }
    num / den
}

fn last_principal(run: &DealRun, bond: usize) -> NaiveDate {
    let k = run.bonds[bond]
        .periods
        .iter()
        .rposition(|p| p.principal_paid > 0.005)
        .unwrap();
    run.periods[k].payment_date
}

/// `(speed, horizon, WAL, last principal "YYYY-MM")` of class A-1 in the Price/DM report.
fn published() -> Vec<(f64, String, f64, String)> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/impac-cmb-2004-1/dm_tables.csv"),
    )
    .unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|c| c[2] == "A-1")
        .map(|c| {
            (
                c[4].parse().unwrap(),
                c[3].to_string(),
                c[6].parse().unwrap(),
                c[9].to_string(),
            )
        })
        .collect()
}

#[test]
fn pro_rata_classes_share_one_wal_and_the_call_falls_where_published() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deals/impac-cmb-2004-1");
    let loaded = load_deal(&dir, false).unwrap();
    assert!(!loaded.loans.is_empty(), "the bundled tape loads");
    let pool = LoanPool::from_loans(&loaded.loans).unwrap();
    let model = DealModel::new(loaded.deal, pool, None).unwrap();
    let mut report = Vec::new();
    for (speed, horizon, pub_wal, pub_last) in published() {
        let h = if horizon == "to_call" {
            Horizon::Call
        } else {
            Horizon::Maturity
        };
        let mut scenario = Scenario {
            horizon: h,
            ..Scenario::default()
        };
        scenario.set("speed_pct", speed).unwrap();
        let run = model.run(&scenario).unwrap().run;
        let w0 = wal(&run, 0);
        for b in 1..run.bonds.len() {
            assert!(
                (wal(&run, b) - w0).abs() < 1e-9,
                "{speed}% {horizon}: {} WAL {} vs A-1 {w0}",
                run.bonds[b].name,
                wal(&run, b)
            );
            assert_eq!(last_principal(&run, b), last_principal(&run, 0));
        }
        let last = last_principal(&run, 0);
        let last = format!("{:04}-{:02}", last.year(), last.month());
        report.push(format!(
            "{speed}% {horizon}: WAL {w0:.3} (published {pub_wal}), last {last} (published {pub_last})"
        ));
        // The published Price/DM report, on the bundled tape and the deal file's pricing
        // assumptions: last principal month exact, WAL within 0.02 years.
        assert_eq!(last, pub_last, "{}", report.join("\n"));
        assert!((w0 - pub_wal).abs() < 0.02, "{}", report.join("\n"));
        if speed == 100.0 && h == Horizon::Call {
            // "Payment Window (Mos.) Call ... 1 - 47": December 2007.
            assert_eq!(run.call_period, Some(47), "{}", report.join("\n"));
            assert_eq!(last, "2007-12");
        }
    }
    eprintln!("{}", report.join("\n"));
}

/// At CDR 30 and 60% severity the pool runs out long before A-1, which is not in the
/// write-down order, is repaid: what it never receives is a loss in every figure.
#[test]
fn principal_never_repaid_is_reported_as_a_loss() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deals/impac-cmb-2004-1");
    let loaded = load_deal(&dir, false).unwrap();
    let pool = LoanPool::from_loans(&loaded.loans).unwrap();
    let model = DealModel::new(loaded.deal, pool, None).unwrap();
    let deal = &model.deal;
    let mut scenario = Scenario {
        horizon: Horizon::Maturity,
        ..Scenario::default()
    };
    scenario.defaults.rate = DefaultRate::Cdr { pct: 30.0 };
    scenario.defaults.severity_pct = 60.0;
    scenario.defaults.lag_months = 6;
    let out = model.run(&scenario).unwrap();
    let (run, ledger) = (&out.run, &out.ledger);
    let a1 = &run.bonds[0];
    assert_eq!(a1.name, "A-1");
    assert!(!deal.realized_losses.writedown_order.contains(&a1.name));
    let unpaid = a1.unpaid_principal();
    assert!(unpaid > 1e8, "A-1 unpaid {unpaid}");
    let last = ledger.periods.last().unwrap();
    assert!(last.pool_end_balance < 0.005);
    let total_unpaid: f64 = run.bonds.iter().map(|b| b.unpaid_principal()).sum();
    assert!((total_unpaid - last.unabsorbed_loss).abs() < 0.01);
    let s = &out.summary.bonds[0];
    assert_eq!(s.unpaid_principal, unpaid);
    assert!((s.principal_loss_pct - 100.0 * unpaid / a1.original_balance).abs() < 1e-9);
    for b in &run.bonds {
        let paid: f64 = b.periods.iter().map(|p| p.principal_paid).sum();
        let written: f64 = b.periods.iter().map(|p| p.writedown).sum();
        assert!((paid + written + b.unpaid_principal() - b.original_balance).abs() < 0.01);
    }
}
