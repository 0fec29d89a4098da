use super::*;
use crate::scenario::{DefaultRate, Defaults, Scenario};
use crate::testkit::small_model;
use crate::waterfall::Horizon;

fn ym(s: &str) -> YearMonth {
    YearMonth::parse(s).unwrap()
}

/// The kit's deal run 12 months at 10% CDR: a state with defaults awaiting liquidation.
fn reached() -> (crate::runner::DealModel, crate::runner::Reached) {
    let m = small_model();
    let s = Scenario {
        defaults: Defaults {
            rate: DefaultRate::Cdr { pct: 10.0 },
            severity_pct: 40.0,
            lag_months: 6,
        },
        horizon: Horizon::Maturity,
        ..Scenario::default()
    };
    let r = m.run_until(&s, ym("2025-01")).unwrap();
    (m, r)
}

fn fields(st: &DealState, m: &crate::runner::DealModel) -> Vec<String> {
    st.check(&m.deal)
        .into_iter()
        .map(|e| format!("{}: {}", e.location.field.unwrap_or_default(), e.message))
        .collect()
}

#[test]
fn a_state_tranche_wrote_is_sound() {
    let (m, r) = reached();
    assert_eq!(r.state.as_of, ym("2025-01"));
    assert_eq!(r.months, 12);
    assert!(
        fields(&r.state, &m).is_empty(),
        "{:?}",
        fields(&r.state, &m)
    );
    assert_eq!(r.state.collateral.awaiting_liquidation.len(), 6);
    assert!(r.state.collateral.defaulted_balance > 0.0);
    // The kit's ARMs look back 0 months: no fixings needed.
    assert!(r.state.collateral.index_fixings.is_empty());
    let bonds: f64 = r.state.bonds.iter().map(|b| b.balance).sum();
    let pool = r.state.collateral.balance + r.state.collateral.defaulted_balance;
    assert!((r.state.overcollateralization - (pool - bonds)).abs() < 1e-6);
}

#[test]
fn a_bond_the_deal_does_not_have_and_a_missing_one_are_refused() {
    let (m, r) = reached();
    let mut st = r.state.clone();
    st.bonds[1].name = "Z".into();
    assert_eq!(
        fields(&st, &m),
        vec![
            "bonds[1].name: the deal has no bond `Z`; its bonds are `A`, `M`",
            "bonds: missing bond(s) `M`; expected every bond of the deal",
        ]
    );
}

#[test]
fn a_balance_above_the_original_is_refused() {
    let (m, r) = reached();
    let mut st = r.state.clone();
    let orig = m.deal.bonds[0].balance;
    st.bonds[0].balance = orig + 1.0;
    st.overcollateralization -= orig + 1.0 - r.state.bonds[0].balance;
    let f = fields(&st, &m);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].starts_with("bonds[0].balance: "), "{f:?}");
    assert!(f[0].ends_with(&format!("is above the bond's original balance {orig}")));
}

#[test]
fn amounts_months_and_totals_are_checked() {
    let (m, r) = reached();
    let mut st = r.state.clone();
    st.fees_unpaid = -1.0;
    st.collateral.awaiting_liquidation[0].month = ym("2026-01");
    st.collateral.awaiting_liquidation[1].balance += 1000.0;
    st.overcollateralization += 5.0;
    st.triggers.push(TriggerStatus {
        name: "nope".into(),
        failing: true,
        first_failed: None,
    });
    st.clean_up_call.exercisable_since = Some(ym("2024-01"));
    let f = fields(&st, &m);
    let starts: Vec<&str> = f.iter().map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(
        starts,
        vec![
            "collateral.awaiting_liquidation[0].month",
            "collateral.awaiting_liquidation",
            "overcollateralization",
            "triggers[0].name",
            "triggers[0].first_failed",
            "clean_up_call.exercisable_since",
            "fees_unpaid",
        ],
        "{f:#?}"
    );
}

#[test]
fn a_state_of_another_deal_or_date_is_refused() {
    let (m, r) = reached();
    let mut st = r.state.clone();
    st.deal = "other".into();
    st.as_of = ym("2023-12");
    st.kind = "something".into();
    let f = fields(&st, &m);
    // Then each default awaiting liquidation, now after the as-of month.
    assert_eq!(f.len(), 3 + 6, "{f:?}");
    assert!(f[0].starts_with("kind: expected \"tranche deal state\""));
    assert_eq!(
        f[1],
        "deal: the state is of deal `other`; this deal is `kit`"
    );
    assert!(f[2].starts_with("as_of: expected a payment month of the deal"));
}

#[test]
fn the_tape_must_be_the_states() {
    let (m, r) = reached();
    // The cut-off tape is not the tape as of 2025-01.
    let e = m.clone().at(&r.state).unwrap_err().to_string();
    assert!(e.contains("is not the current tape's total balance"), "{e}");
    let mut st = r.state.clone();
    st.clean_up_call.exercised = true;
    let (tape, pays) = current_loans(&crate::testkit::small_loans(), &r.loans, r.months);
    let mut pool = crate::collateral::LoanPool::from_loans(&tape).unwrap();
    pool.set_level_payments(&pays).unwrap();
    let at = crate::runner::DealModel::new(m.deal.clone(), pool, None).unwrap();
    let e = at.clone().at(&st).unwrap_err().to_string();
    assert!(e.contains("the deal has ended"), "{e}");
    assert!(at.at(&r.state).is_ok());
}

#[test]
fn aged_loans_keep_their_reset_schedule() {
    let mut l = crate::testkit::loan(
        "a",
        &crate::testkit::LoanSpec {
            balance: 1000.0,
            rate: 0.05,
            rem_term: 100,
            age: 4,
            io_months: 0,
            servicing_fee: 0.0,
            arm: Some(crate::testkit::ArmSpec {
                index: 1,
                margin: 0.02,
                months_to_reset: 2,
                reset_freq: 6,
                periodic_cap: 0.01,
                life_cap_above: 0.05,
            }),
        },
    );
    l.arm.as_mut().unwrap().first_reset_pending = true;
    let end = crate::collateral::LoanEnd {
        balance: 900.0,
        rate: 0.06,
        level_payment: Some(12.5),
    };
    // Resets in periods 3, 9, 15, ...: after 2 months the first is 1 month away and still
    // the first; after 10 months the next (15) is 4 months away and not the first.
    let (t, p) = current_loans(std::slice::from_ref(&l), &[end], 2);
    let a = t[0].arm.as_ref().unwrap();
    assert_eq!((a.months_to_reset, a.first_reset_pending), (0, true));
    assert_eq!((t[0].rem_term, t[0].age, t[0].balance), (98, 6, 900.0));
    assert_eq!(p, vec![Some(12.5)]);
    let (t, _) = current_loans(std::slice::from_ref(&l), &[end], 10);
    let a = t[0].arm.as_ref().unwrap();
    assert_eq!((a.months_to_reset, a.first_reset_pending), (4, false));
    assert_eq!(t[0].gross_rate, 0.06);
}

/// The committed `docs/deal-state.schema.json` is the schema generated from these types.
/// `TRANCHE_UPDATE_SCHEMA=1 cargo test -p tranche-core surveillance::` rewrites it.
#[test]
fn committed_schema_matches_the_types() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/deal-state.schema.json"
    );
    let fresh = serde_json::to_string_pretty(&DealState::json_schema()).unwrap() + "\n";
    if std::env::var_os("TRANCHE_UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == fresh,
        "docs/deal-state.schema.json is stale: run TRANCHE_UPDATE_SCHEMA=1 cargo test -p tranche-core surveillance::"
    );
}
