#![allow(clippy::unwrap_used)]
use super::*;
use crate::scenario::Shock;

fn name(input: &str) -> String {
    format!("<{input}>")
}

fn spell() -> Spelling<'static> {
    Spelling {
        prefix: "at ".into(),
        name: &name,
    }
}

#[test]
fn applies_in_the_command_line_order() {
    let i = ScenarioInputs {
        numbers: vec![("shock_bps", 50.0), ("cdr_pct", 2.0), ("shock_from", 3.0)],
        shock_index: Some("LIBOR1M".into()),
        rates: Some("deal_curves".into()),
        horizon: Some("call:2008-06".into()),
        ..Default::default()
    };
    let s = i.apply(Scenario::default(), &spell()).unwrap();
    assert_eq!(s.rates.base, RateBase::DealCurves);
    assert_eq!(
        s.rates.shocks,
        vec![Shock {
            bps: 50.0,
            from_period: 3,
            index: Some("LIBOR1M".into())
        }]
    );
    assert_eq!(s.defaults.rate, DefaultRate::Cdr { pct: 2.0 });
    assert_eq!(s.horizon.name(), "call:2008-06");
}

#[test]
fn one_message_per_mistake_under_the_front_ends_name() {
    let bad = |i: ScenarioInputs| {
        i.apply(Scenario::default(), &spell())
            .unwrap_err()
            .to_string()
    };
    let e = bad(ScenarioInputs {
        numbers: vec![("severity_pct", 150.0)],
        ..Default::default()
    });
    assert_eq!(
        e,
        "at <severity_pct>: expected percent from 0 to 100, found 150"
    );
    let e = bad(ScenarioInputs {
        numbers: vec![("speed_pct", 50.0)],
        cpr_vector: Some(vec![5.0]),
        ..Default::default()
    });
    assert_eq!(
        e,
        "at <speed_pct>: sets the prepayment speed, as <cpr_vector> does; give one of them"
    );
    let e = bad(ScenarioInputs {
        cdr_vector: Some(vec![1.0, 101.0]),
        ..Default::default()
    });
    assert!(
        e.starts_with("at <cdr_vector>: period 2: expected percent CDR"),
        "{e}"
    );
    let e = bad(ScenarioInputs {
        rates: Some("forward".into()),
        ..Default::default()
    });
    assert_eq!(
        e,
        "at <rates>: expected `pricing` or `deal_curves`, found `forward`"
    );
    let e = bad(ScenarioInputs {
        shock_index: Some("LIBOR1M".into()),
        ..Default::default()
    });
    assert_eq!(e, "at <shock_index>: give the shift with <shock_bps>");
    let e = bad(ScenarioInputs {
        horizon: Some("soon".into()),
        ..Default::default()
    });
    assert!(
        e.starts_with("at <horizon>: expected `call`, `maturity`"),
        "{e}"
    );
    let e = bad(ScenarioInputs {
        index_levels: vec![("LIBOR6M".into(), 200.0)],
        ..Default::default()
    });
    assert!(
        e.starts_with("at <index_levels>: expected percent per annum"),
        "{e}"
    );
}

#[test]
fn per_type_speeds_and_settlement_apply_after_the_common_speed() {
    let i = ScenarioInputs {
        numbers: vec![("speed_pct", 150.0)],
        fixed_prepay: Some("ramp:4,20,12".into()),
        settlement: Some("2004-03-15".into()),
        ..Default::default()
    };
    let s = i.apply(Scenario::default(), &spell()).unwrap();
    assert_eq!(s.prepay.arm, Speed::Pricing { pct: 150.0 });
    assert_eq!(
        s.prepay.fixed,
        Speed::Ramp {
            start_pct: 4.0,
            end_pct: 20.0,
            months: 12
        }
    );
    assert_eq!(s.settlement, NaiveDate::from_ymd_opt(2004, 3, 15));
    let bad = |i: ScenarioInputs| i.apply(Scenario::default(), &spell()).unwrap_err();
    let e = bad(ScenarioInputs {
        arm_prepay: Some("cpr:150".into()),
        ..Default::default()
    });
    assert_eq!(e.input.as_deref(), Some("arm_prepay"));
    assert!(
        e.message
            .starts_with("at <arm_prepay>: expected percent CPR"),
        "{e}"
    );
    let e = bad(ScenarioInputs {
        fixed_prepay: Some("fast".into()),
        ..Default::default()
    });
    assert!(
        e.message
            .starts_with("at <fixed_prepay>: expected pricing:PCT"),
        "{e}"
    );
    let e = bad(ScenarioInputs {
        settlement: Some("2004-13-01".into()),
        ..Default::default()
    });
    assert_eq!(
        e.message,
        "at <settlement>: expected a date YYYY-MM-DD, found `2004-13-01`"
    );
}

#[test]
fn speed_specs_read_back() {
    for s in [
        Speed::Pricing { pct: 150.0 },
        Speed::Cpr { pct: 6.5 },
        Speed::Psa { pct: 200.0 },
        Speed::Ramp {
            start_pct: 4.0,
            end_pct: 20.0,
            months: 12,
        },
        Speed::Vector {
            cpr_pct: vec![1.0, 2.5, 30.0],
        },
    ] {
        assert_eq!(parse_speed(&speed_spec(&s)).unwrap(), s);
    }
}

#[test]
fn two_quotes_are_one_too_many() {
    let e = ScenarioInputs {
        numbers: vec![("price", 99.0), ("dm_bps", 50.0)],
        ..Default::default()
    }
    .apply(Scenario::default(), &spell())
    .unwrap_err();
    assert_eq!(
        e.message,
        "at <dm_bps>: sets the quote the analytics are priced at, as <price> does; give one of them"
    );
}
