//! `gather` on the core testkit's small deal, run by the engine.

use super::*;
use crate::report::build_document;
use crate::report::CreditSpec;
use tranche_core::scenario::RateBase;
use tranche_core::tables::AFR_SHOCK;
use tranche_core::testkit::small_model;

fn spec(model: &DealModel) -> ReportSpec {
    let mut curves = Scenario::default();
    curves.rates.base = RateBase::Flat { pct: 1.1 };
    ReportSpec {
        deal_name: "Kit".into(),
        pricing_speed: "25% CPR".into(),
        classes: ClassInfo::of_deal(&model.deal),
        base: Scenario::default(),
        speeds: vec![0.0, 100.0, 180.0],
        afr: Some((curves, AFR_SHOCK)),
        collateral: vec![],
        notes: vec![],
        credit: Some(CreditSpec::standard(vec!["M".into()])),
    }
}

#[test]
fn gathers_every_table_and_run() {
    let model = small_model();
    let mut steps = Vec::new();
    let inp = gather(&model, &spec(&model), &mut |s| steps.push(s.to_string())).unwrap();
    assert_eq!(steps, STEPS);
    assert_eq!(inp.summary.len(), 2);
    // 2 classes × 2 horizons × 3 speeds.
    assert_eq!(inp.price_rows.len(), 12);
    assert_eq!(inp.runs.len(), 3);
    assert!(!inp.afr.is_empty());
    assert!(inp.afr_notes[0].starts_with("Run at 100% of the pricing prepayment speed"));
    // To call at par, a floater's DM is its margin.
    let a = inp
        .price_rows
        .iter()
        .find(|r| r.class == "A" && r.horizon == Horizon::Call && r.speed_pct == 100.0)
        .unwrap();
    assert!((a.dm_bps.unwrap() - 34.0).abs() < 0.5, "{a:?}");
    let wal = |s: f64| {
        inp.price_rows
            .iter()
            .find(|r| r.class == "A" && r.horizon == Horizon::Call && r.speed_pct == s)
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
            "price-dm-a-call",
            "price-dm-a-maturity",
            "price-dm-m-call",
            "price-dm-m-maturity",
            "available-funds-rate",
            "breakevens",
            "loss-yield-m"
        ]
    );
    // The summary's WAL to call is the Price/DM table's WAL at 100%.
    let summary = doc.tables().next().unwrap();
    assert_eq!(summary.cell(0, 3).display(), format!("{:.2}", wal(100.0)));
    // Charts: AFR, two classes, pool balance, excess spread, credit losses.
    assert_eq!(doc.charts().count(), 6);
    // The credit section: M's breakevens at 50/100/150% speed, its loss and yield rows
    // over 3 speeds × 6 CDRs × 2 severities.
    let credit = inp.credit.as_ref().unwrap();
    assert_eq!(credit.breakevens.len(), 3);
    assert!(credit.breakevens.iter().all(|b| b.rate.is_some()));
    assert_eq!(credit.cells.len(), 36);
    let t = doc.tables().find(|t| t.id == "loss-yield-m").unwrap();
    assert_eq!(t.rows.len(), 36);
}

#[test]
fn no_losing_class_no_credit_section() {
    let model = small_model();
    let mut s = spec(&model);
    s.credit = None;
    let inp = gather(&model, &s, &mut |_| {}).unwrap();
    let doc = build_document(&inp);
    assert!(doc.sections.iter().all(|s| s.title != "Credit Sensitivity"));
    assert!(doc.tables().all(|t| t.id != "breakevens"));
}

#[test]
fn no_curves_no_schedule() {
    let model = small_model();
    let mut s = spec(&model);
    s.afr = None;
    let inp = gather(&model, &s, &mut |_| {}).unwrap();
    assert!(inp.afr.is_empty());
    assert_eq!(inp.afr_notes.len(), 1);
    let doc = build_document(&inp);
    assert!(doc.tables().all(|t| t.id != "available-funds-rate"));
    assert!(doc.charts().all(|c| c.id != "afr"));
}

#[test]
fn bad_speeds_are_an_error() {
    let model = small_model();
    let mut s = spec(&model);
    s.speeds = vec![-5.0];
    assert!(gather(&model, &s, &mut |_| {}).is_err());
}
