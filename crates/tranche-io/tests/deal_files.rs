#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Deal files: the reference deal loads; every malformed file in `tests/bad_deals/` gives
//! exactly the message in its `.expected` file (file:line:column: field: what was
//! expected, then the line with carets).
//!
//! `TRANCHE_UPDATE_EXPECTED=1 cargo test -p tranche-io --test deal_files` rewrites the
//! `.expected` files; review the diff before committing.

use std::path::Path;
use tranche_io::deal::{load_deal, parse_deal};
use tranche_io::IoError;

#[test]
fn toy_deal_is_valid() {
    let p = Path::new("tests/good_toy.toml");
    let src = std::fs::read_to_string(p).unwrap();
    let deal = parse_deal(p, &src).unwrap();
    assert_eq!(deal.bonds.len(), 2);
}

#[test]
fn reference_deal_loads_from_its_directory() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deals/impac-cmb-2004-1");
    let loaded = load_deal(&dir, false).unwrap();
    assert_eq!(loaded.deal.name, "impac-cmb-2004-1");
    assert_eq!(loaded.dir, dir);
    let via_file = load_deal(dir.join("deal.toml"), false).unwrap();
    assert_eq!(via_file.deal, loaded.deal);
    // The reference tape breaks no rule, not even a warning one: it loads strict too.
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings.lines());
    assert_eq!(
        load_deal(&dir, true).unwrap().loans.len(),
        loaded.loans.len()
    );
}

/// Loading a deal with its tape streamed into a pool gives the pool of its loans, the
/// same deal and curves, and the same errors.
#[test]
fn deal_loaded_as_a_pool_is_the_pool_of_its_loans() {
    use tranche_core::collateral::LoanPool;
    use tranche_io::deal::load_deal_pool;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deals/impac-cmb-2004-1");
    let loaded = load_deal(&dir, false).unwrap();
    let pooled = load_deal_pool(&dir, false).unwrap();
    assert_eq!(pooled.deal, loaded.deal);
    assert_eq!(pooled.dir, loaded.dir);
    assert_eq!(
        format!("{:?}", pooled.pool),
        format!("{:?}", LoanPool::from_loans(&loaded.loans).unwrap())
    );
    assert_eq!(
        format!("{:?}", pooled.curves),
        format!("{:?}", loaded.curves)
    );
    assert!(!pooled.pool.is_empty());
    // A deal whose stated balance is off by a loan fails the same way both ways.
    let tmp = tempfile::tempdir().unwrap();
    for f in ["deal.toml", "curves.csv"] {
        std::fs::copy(dir.join(f), tmp.path().join(f)).unwrap();
    }
    let tape = std::fs::read_to_string(dir.join(&loaded.deal.collateral.tape)).unwrap();
    let short: Vec<&str> = tape.lines().take(tape.lines().count() - 1).collect();
    std::fs::write(
        tmp.path().join(&loaded.deal.collateral.tape),
        short.join("\n") + "\n",
    )
    .unwrap();
    let a = load_deal(tmp.path(), false).unwrap_err().to_string();
    let b = load_deal_pool(tmp.path(), false).unwrap_err().to_string();
    assert_eq!(a, b);
}

#[test]
fn missing_deal_file_is_an_input_error_naming_the_path() {
    let e = load_deal("tests/bad_deals/no-such-dir", false).unwrap_err();
    assert!(matches!(e, IoError::Input { .. }), "{e}");
    assert_eq!(
        e.to_string(),
        "tests/bad_deals/no-such-dir: no such file; expected a deal directory holding deal.toml, or a deal file"
    );
}

#[test]
fn every_bad_deal_gives_its_expected_message() {
    let dir = Path::new("tests/bad_deals");
    let update = std::env::var_os("TRANCHE_UPDATE_EXPECTED").is_some();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 12, "bad deal files missing");
    let mut failures = Vec::new();
    for f in &files {
        let src = std::fs::read_to_string(f).unwrap();
        let err = match parse_deal(f, &src) {
            Ok(_) => {
                failures.push(format!("{}: parsed without error", f.display()));
                continue;
            }
            Err(e) => e,
        };
        assert!(
            matches!(err, IoError::DealFile(_)),
            "{}: {err:?}",
            f.display()
        );
        let got = format!("{err}\n");
        let expected_path = f.with_extension("expected");
        if update {
            std::fs::write(&expected_path, &got).unwrap();
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if got != expected {
            failures.push(format!(
                "{}:\n--- expected\n{expected}--- got\n{got}",
                f.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `clean_up_call.none = true`: the deal has no call, so its "to call" run is its maturity
/// run, period for period; the same deal with a call is shorter to call.
#[test]
fn a_deal_without_a_call_runs_to_call_as_to_maturity() {
    use tranche_core::collateral::LoanPool;
    use tranche_core::deal::Coupon;
    use tranche_core::runner::DealModel;
    use tranche_core::scenario::Scenario;
    use tranche_core::waterfall::Horizon;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deals/impac-cmb-2004-1");
    let loaded = load_deal(&dir, false).unwrap();
    let pool = LoanPool::from_loans(&loaded.loans).unwrap();
    let mut deal = loaded.deal;
    let run = |deal: &tranche_core::deal::Deal, horizon| {
        let m = DealModel::new(deal.clone(), pool.clone(), None).unwrap();
        m.run(&Scenario {
            horizon,
            ..Scenario::default()
        })
        .unwrap()
        .run
    };
    let called = run(&deal, Horizon::Call);
    assert!(called.call_period.is_some());
    deal.clean_up_call.pool_pct_of_cut_off = None;
    deal.clean_up_call.date = None;
    deal.clean_up_call.none = true;
    for b in &mut deal.bonds {
        if let Coupon::Floating {
            step_up_multiple, ..
        } = &mut b.coupon
        {
            *step_up_multiple = 1.0;
        }
    }
    assert_eq!(deal.validate(), vec![]);
    let to_call = run(&deal, Horizon::Call);
    let to_maturity = run(&deal, Horizon::Maturity);
    assert_eq!(to_call.call_period, None);
    assert_eq!(to_call.bonds, to_maturity.bonds);
    assert_eq!(to_call.periods, to_maturity.periods);
    assert!(called.periods.len() < to_call.periods.len());
}
