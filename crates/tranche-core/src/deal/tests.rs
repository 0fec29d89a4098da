use super::*;
use chrono::NaiveDate;

const REFERENCE: &str = include_str!("../../../../deals/impac-cmb-2004-1/deal.toml");

fn reference() -> Deal {
    toml::from_str(REFERENCE).unwrap()
}

fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).unwrap()
}

#[test]
fn reference_deal_parses_and_validates() {
    let deal = reference();
    assert_eq!(deal.validate(), vec![]);
    assert_eq!(deal.bonds.len(), 6);
    let total: f64 = deal.bonds.iter().map(|b| b.balance).sum();
    assert_eq!(total, 1_000_000_000.0);
    assert_eq!(deal.bonds[0].name, "A-1");
    assert!((deal.bonds[0].margin() - 0.0034).abs() < 1e-12);
    // Step-up: A classes 2x, M classes 1.5x.
    assert!((deal.bonds[1].base_coupon(0.011, true) - (0.011 + 0.009)).abs() < 1e-12);
    assert!((deal.bonds[5].base_coupon(0.011, true) - (0.011 + 0.018)).abs() < 1e-12);
    assert_eq!(deal.bonds[0].day_count(), DayCount::Act360);
    assert_eq!(
        deal.realized_losses.writedown_order,
        vec!["M-4", "M-3", "M-2", "M-1", "A-2"]
    );
}

#[test]
fn reference_payment_dates_and_derivative_notional() {
    let deal = reference();
    assert_eq!(deal.payment_date(1), d(2004, 2, 25));
    assert_eq!(deal.payment_date(3), d(2004, 4, 26)); // Sunday → Monday
    let sw = &deal.derivatives[0];
    assert_eq!(sw.notional_at(deal.payment_date(2)), 0.0);
    assert_eq!(sw.notional_at(deal.payment_date(3)), 18_566_100.0);
    assert_eq!(sw.notional_at(deal.payment_date(4)), 479_659_400.0);
    assert!(sw.notional_at(deal.payment_date(5)) < 479_659_400.0);
    assert!(sw.notional_at(deal.payment_date(55)) > 0.0);
    assert_eq!(sw.notional_at(deal.payment_date(56)), 0.0);
}

#[test]
fn scenario_scales_the_pricing_speed() {
    use crate::scenario::{resolve, DefaultRate, Scenario};
    let deal = reference();
    let mut sc = Scenario::default();
    sc.set("speed_pct", 150.0).unwrap();
    sc.defaults.rate = DefaultRate::Cdr { pct: 2.0 };
    sc.defaults.severity_pct = 35.0;
    sc.defaults.lag_months = 6;
    let s = resolve(&deal, None, &sc).unwrap().assumptions;
    assert_eq!(s.prepay.arm, PrepayCurve::Cpr { cpr: 0.30 });
    assert!((s.prepay.multiplier - 1.5).abs() < 1e-12);
    assert_eq!(s.recovery_lag, 6);
    assert_eq!(
        s.default,
        crate::assumptions::DefaultCurve::Cdr { cdr: 0.02 }
    );
    assert_eq!(
        s.rates.rate(&RateIndex::Libor1M, 7),
        Some(deal.pricing.index_rate_pct / 100.0)
    );
    // A speed whose peak passes 100% CPR is refused, naming the field.
    sc.set("speed_pct", 400.0).unwrap();
    let e = resolve(&deal, None, &sc).unwrap_err().to_string();
    assert!(e.contains("`speed_pct`") && e.contains("120% CPR"), "{e}");
    let fees = deal.pool_fees();
    assert!((fees.master_servicing - 0.0003).abs() < 1e-15);
    assert!((fees.trustee - 0.000043).abs() < 1e-15);
}

#[test]
fn deal_round_trips_through_toml() {
    let deal = reference();
    let text = toml::to_string(&deal).unwrap();
    let back: Deal = toml::from_str(&text).unwrap();
    assert_eq!(back, deal);
}

fn fields(deal: &Deal) -> Vec<String> {
    deal.validate()
        .into_iter()
        .filter_map(|e| e.location.field)
        .collect()
}

#[test]
fn validation_names_each_bad_field() {
    let mut deal = reference();
    deal.bonds[2].coupon = Coupon::Floating {
        index: "LIBOR1M".into(),
        margin_pct: -0.1,
        step_up_multiple: 1.5,
    };
    deal.bonds.push(deal.bonds[0].clone());
    deal.bonds[4].fixed_cap_pct = Some(-1.0);
    deal.dates.closing = d(2003, 12, 1);
    deal.waterfall[2].bonds.push("Z-9".into());
    assert_eq!(
        fields(&deal),
        vec![
            "dates.closing",
            "bonds[2].coupon.margin_pct",
            "bonds[4].fixed_cap_pct",
            "bonds[6].name",
            "bonds",
            "waterfall[2].bonds[6]",
        ]
    );
}

#[test]
fn waterfall_missing_pieces_are_reported() {
    let mut deal = reference();
    deal.waterfall
        .retain(|s| s.step != StepKind::PrincipalDistribution && s.step != StepKind::Residual);
    let msgs: Vec<String> = deal.validate().into_iter().map(|e| e.message).collect();
    assert!(msgs
        .iter()
        .any(|m| m.contains("missing a `principal_distribution` step")));
    assert!(msgs.iter().any(|m| m.contains("missing a `residual` step")));
    assert!(msgs
        .iter()
        .any(|m| m.contains("expected a `principal_distribution` step before this one")));
}

#[test]
fn bonds_exceeding_the_pool_are_reported() {
    let deal = reference();
    assert!(deal.validate_against_pool(1_000_000_040.0).is_empty());
    let errs = deal.validate_against_pool(900_000_000.0);
    assert_eq!(errs[0].location.field.as_deref(), Some("bonds"));
}

/// The committed `docs/deal.schema.json` is the schema generated from these types.
/// `TRANCHE_UPDATE_SCHEMA=1 cargo test -p tranche-core deal::` rewrites it.
#[test]
fn committed_schema_matches_the_types() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/deal.schema.json");
    let fresh = serde_json::to_string_pretty(&Deal::json_schema()).unwrap() + "\n";
    if std::env::var_os("TRANCHE_UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == fresh,
        "docs/deal.schema.json is stale: run TRANCHE_UPDATE_SCHEMA=1 cargo test -p tranche-core deal::"
    );
}

#[test]
fn pricing_speeds_outside_0_to_100_cpr_are_reported() {
    let mut deal = reference();
    deal.pricing.arm_curve = SpeedCurve::Cpr { cpr_pct: -5.0 };
    deal.pricing.fixed_curve = SpeedCurve::Vector {
        cpr_pct: vec![10.0, 1e6, f64::NAN],
    };
    assert_eq!(
        fields(&deal),
        vec![
            "pricing.arm_curve.cpr_pct",
            "pricing.fixed_curve.cpr_pct[1]",
            "pricing.fixed_curve.cpr_pct[2]",
        ]
    );
    deal.pricing.arm_curve = SpeedCurve::Psa { psa_pct: 1700.0 };
    deal.pricing.fixed_curve = SpeedCurve::Ramp {
        start_cpr_pct: 0.0,
        end_cpr_pct: 100.0,
        months: 12,
    };
    assert_eq!(fields(&deal), vec!["pricing.arm_curve.psa_pct"]);
}
