#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The first-loss breakeven CDR of every M class of the reference deal at 50%, 100% and
//! 150% of the pricing speed (40% severity, 12-month lag, the deal's pricing rates, to
//! maturity), checked against a brute-force scan at 0.01% CDR.
//!
//! The scan: a scan of every 0.01% CDR from 0 to 10% is 1,000 full deal runs per speed;
//! instead, every 0.25% CDR from 0 up to the window (each must show no loss: no earlier
//! crossing at that resolution), then every 0.01% CDR through a window of 0.30% CDR below
//! the solver's answer, up to the first run with a loss, which must be the solver's answer
//! within 0.01. The window is wider than the last 0.25 step below the crossing, so a
//! crossing inside that step is found by the 0.01 scan, not by the solver's word.

use std::collections::BTreeMap;
use std::path::Path;
use tranche_core::breakeven::{solve, BreakevenSpec, Over, Target};
use tranche_core::runner::DealModel;
use tranche_core::scenario::Scenario;
use tranche_core::summary::LOSS_DUST_PCT;
use tranche_core::waterfall::Horizon;
use tranche_io::deal::load_deal_pool;

const CLASSES: [&str; 4] = ["M-1", "M-2", "M-3", "M-4"];
const SPEEDS: [f64; 3] = [50.0, 100.0, 150.0];

fn model() -> DealModel {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deals/impac-cmb-2004-1");
    let l = load_deal_pool(&dir, false).unwrap();
    DealModel::new(l.deal, l.pool, l.curves).unwrap()
}

fn base() -> Scenario {
    let mut s = Scenario {
        horizon: Horizon::Maturity,
        ..Scenario::default()
    };
    s.set("severity_pct", 40.0).unwrap();
    s.set("lag_months", 12.0).unwrap();
    s
}

/// Each class's principal loss (percent) at `cdr`, hundredths of a percent CDR as keys.
struct Losses<'a> {
    model: &'a DealModel,
    speed: f64,
    runs: BTreeMap<i64, Vec<f64>>,
}

impl Losses<'_> {
    fn at(&mut self, hundredths: i64) -> &[f64] {
        let (model, speed) = (self.model, self.speed);
        self.runs.entry(hundredths).or_insert_with(|| {
            let mut s = base();
            s.set("speed_pct", speed).unwrap();
            s.set("cdr_pct", hundredths as f64 / 100.0).unwrap();
            let sum = model.run(&s).unwrap().summary;
            CLASSES
                .iter()
                .map(|c| sum.bond(c).unwrap().principal_loss_pct)
                .collect()
        })
    }
}

/// The brute-force first-loss CDR of class `k` (hundredths), given where to look.
fn brute_force(l: &mut Losses, k: usize, answer: i64) -> i64 {
    let window = (answer - 30).max(0);
    for h in (0..window).step_by(25) {
        assert!(
            l.at(h)[k] <= LOSS_DUST_PCT,
            "{} at {}% speed: a loss at {}% CDR, below the window",
            CLASSES[k],
            l.speed,
            h as f64 / 100.0
        );
    }
    (window..=answer + 30)
        .find(|h| l.at(*h)[k] > LOSS_DUST_PCT)
        .unwrap_or_else(|| panic!("{}: no loss in the window", CLASSES[k]))
}

#[test]
fn m_class_first_loss_breakevens_match_a_brute_force_scan() {
    let m = model();
    let spec = BreakevenSpec {
        base: base(),
        classes: CLASSES.iter().map(|c| c.to_string()).collect(),
        targets: vec![Target::FirstLoss],
        over: Over::Cdr,
        speeds: SPEEDS.to_vec(),
        severities: vec![],
        lags: vec![],
        step: None,
    };
    let rows = solve(&m, &spec, &|| {}).unwrap();
    assert_eq!(rows.len(), SPEEDS.len() * CLASSES.len());
    let found: Vec<Vec<(i64, i64)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = SPEEDS
            .iter()
            .map(|&speed| {
                let (m, rows) = (&m, &rows);
                scope.spawn(move || {
                    let mut l = Losses {
                        model: m,
                        speed,
                        runs: BTreeMap::new(),
                    };
                    (0..CLASSES.len())
                        .map(|k| {
                            let row = rows
                                .iter()
                                .find(|r| r.class == CLASSES[k] && r.speed_pct == Some(speed))
                                .unwrap();
                            let answer = (row.rate.unwrap() * 100.0).round() as i64;
                            (answer, brute_force(&mut l, k, answer))
                        })
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (speed, per_class) in SPEEDS.iter().zip(&found) {
        for (class, (solver, scan)) in CLASSES.iter().zip(per_class) {
            eprintln!(
                "{class} at {speed}% speed: solver {:.2}% CDR, scan {:.2}% CDR",
                *solver as f64 / 100.0,
                *scan as f64 / 100.0
            );
            assert!(
                (solver - scan).abs() <= 1,
                "{class} at {speed}%: solver {solver}, scan {scan} (hundredths of a % CDR)"
            );
        }
        // A junior class breaks no later than a senior one.
        let r: Vec<i64> = per_class.iter().map(|p| p.0).collect();
        assert!(r.windows(2).all(|w| w[0] >= w[1]), "{speed}%: {r:?}");
    }
    for r in &rows {
        assert!(r.monotone, "{r:?}");
        assert!(r.pool_loss_pct.unwrap() > 0.0);
    }
    // The hand bisection of sixteen `tranche run` calls that prompted the solver put
    // M-4's first loss at 3.955% CDR at 100% speed (between 3.95, no loss, and 3.96).
    let m4 = rows
        .iter()
        .find(|r| r.class == "M-4" && r.speed_pct == Some(100.0))
        .unwrap();
    assert!((m4.rate.unwrap() - 3.955).abs() <= 0.01, "{m4:?}");
}
