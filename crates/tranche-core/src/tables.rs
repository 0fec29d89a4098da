//! Report tables: the Price/DM sensitivity report, the term-sheet summary and the
//! Available Funds Rate schedule.
//!
//! Every table is a set of scenarios run through the one runner ([`DealModel::run`]) and
//! read off the runs' summaries. Runs of one table are independent and run in parallel;
//! rows come back in a fixed order whatever the thread count.

use crate::deal::Coupon;
use crate::runner::{DealModel, RunOptions, RunOutput};
use crate::scenario::{RateBase, Scenario, Shock};
use crate::summary::BondSummary;
use crate::waterfall::Horizon;
use crate::{Error, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub mod tieout;

/// Runs every scenario, in parallel and without ledgers, returning results in the
/// scenarios' order.
pub fn run_all(model: &DealModel, scenarios: &[Scenario]) -> Result<Vec<RunOutput>> {
    model.run_many(scenarios, &RunOptions { ledger: false })
}

/// `base` at `speed_pct` percent of the pricing speed, to `horizon`.
fn at_speed(base: &Scenario, speed_pct: f64, horizon: Horizon) -> Result<Scenario> {
    let mut s = base.clone();
    s.set("speed_pct", speed_pct)?;
    s.horizon = horizon;
    Ok(s)
}

/// One column of one class's Price/DM report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceTableRow {
    pub class: String,
    pub horizon: Horizon,
    pub speed_pct: f64,
    /// Discount margin at the table's price, basis points; `None` when the flows cannot
    /// reach the price.
    pub dm_bps: Option<f64>,
    /// `None` when the bond receives no principal in the run.
    pub wal_years: Option<f64>,
    pub mod_duration: Option<f64>,
    pub first_principal: Option<NaiveDate>,
    pub last_principal: Option<NaiveDate>,
    /// Payment window as period numbers from the first payment date ("1 - 47").
    pub first_period: Option<u32>,
    pub last_period: Option<u32>,
}

impl PriceTableRow {
    /// The row of one bond's summary.
    pub fn from_bond(b: &BondSummary, horizon: Horizon, speed_pct: f64) -> Self {
        PriceTableRow {
            class: b.bond.clone(),
            horizon,
            speed_pct,
            dm_bps: b.dm_bps,
            wal_years: b.wal_years,
            mod_duration: b.mod_duration,
            first_principal: b.window.map(|w| w.first_date),
            last_principal: b.window.map(|w| w.last_date),
            first_period: b.window.map(|w| w.first_period),
            last_period: b.window.map(|w| w.last_period),
        }
    }
}

/// The Price/DM sensitivity report of `base` (its rates, defaults and price): for each
/// class, to call then to maturity, one row per speed (percent of the pricing speed).
/// Rows are ordered class (deal order), horizon (call, maturity), speed (as given).
pub fn price_table(
    model: &DealModel,
    base: &Scenario,
    speeds: &[f64],
) -> Result<Vec<PriceTableRow>> {
    if speeds.is_empty() {
        return Err(Error::invalid("speed_pct", "need at least one speed"));
    }
    let cols: Vec<(Horizon, f64)> = [Horizon::Call, Horizon::Maturity]
        .iter()
        .flat_map(|h| speeds.iter().map(move |s| (*h, *s)))
        .collect();
    let scenarios = cols
        .iter()
        .map(|(h, s)| at_speed(base, *s, *h))
        .collect::<Result<Vec<_>>>()?;
    let runs = run_all(model, &scenarios)?;
    let mut out = Vec::with_capacity(model.deal.bonds.len() * cols.len());
    for (k, bond) in model.deal.bonds.iter().enumerate() {
        for ((h, s), r) in cols.iter().zip(&runs) {
            let b = r.summary.bonds.get(k).filter(|b| b.bond == bond.name);
            if let Some(b) = b {
                out.push(PriceTableRow::from_bond(b, *h, *s));
            }
        }
    }
    Ok(out)
}

/// A class as the term-sheet summary lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassInfo {
    pub name: String,
    pub balance: f64,
    /// E.g. "Floating Rate Senior".
    pub tranche_type: String,
}

impl ClassInfo {
    /// The deal's classes (type from the coupon).
    pub fn of_deal(deal: &crate::deal::Deal) -> Vec<ClassInfo> {
        deal.bonds
            .iter()
            .map(|b| ClassInfo {
                name: b.name.clone(),
                balance: b.balance,
                tranche_type: match b.coupon {
                    Coupon::Floating { .. } => "Floating Rate".into(),
                    Coupon::Fixed { .. } => "Fixed Rate".into(),
                },
            })
            .collect()
    }
}

/// One line of the term-sheet summary (at the pricing speed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryRow {
    pub class: String,
    pub balance: f64,
    pub tranche_type: String,
    pub wal_call: Option<f64>,
    pub wal_maturity: Option<f64>,
    pub mod_duration_call: Option<f64>,
    pub mod_duration_maturity: Option<f64>,
    /// Payment windows as period numbers (first, last).
    pub window_call: Option<(u32, u32)>,
    pub window_maturity: Option<(u32, u32)>,
    /// Last Scheduled Payment Date: the bond's last principal payment with no prepayments
    /// and no losses, run to maturity.
    pub last_scheduled_payment: Option<NaiveDate>,
}

/// The term-sheet summary of `base` (its rates and price): WAL, modified duration and
/// payment window to call and to maturity at 100% of the pricing speed, and the last
/// scheduled payment date (0% speed, no defaults, to maturity).
pub fn term_sheet_summary(
    model: &DealModel,
    classes: &[ClassInfo],
    base: &Scenario,
) -> Result<Vec<SummaryRow>> {
    let mut scheduled = at_speed(base, 0.0, Horizon::Maturity)?;
    scheduled.defaults = Default::default();
    let scenarios = [
        at_speed(base, 100.0, Horizon::Call)?,
        at_speed(base, 100.0, Horizon::Maturity)?,
        scheduled,
    ];
    let runs = run_all(model, &scenarios)?;
    classes
        .iter()
        .map(|c| {
            let find = |i: usize| {
                runs[i].summary.bond(&c.name).ok_or_else(|| {
                    Error::invalid("classes", format!("class {} is not in the deal", c.name))
                })
            };
            let (call, mat, sched) = (find(0)?, find(1)?, find(2)?);
            let window = |b: &BondSummary| b.window.map(|w| (w.first_period, w.last_period));
            Ok(SummaryRow {
                class: c.name.clone(),
                balance: c.balance,
                tranche_type: c.tranche_type.clone(),
                wal_call: call.wal_years,
                wal_maturity: mat.wal_years,
                mod_duration_call: call.mod_duration,
                mod_duration_maturity: mat.mod_duration,
                window_call: window(call),
                window_maturity: window(mat),
                last_scheduled_payment: sched.window.map(|w| w.last_date),
            })
        })
        .collect()
}

/// One period of the Available Funds Rate schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AfrRow {
    pub period: u32,
    pub payment_date: NaiveDate,
    /// AFR under the scenario's curves, decimal.
    pub afr: f64,
    /// AFR under the same curves shocked, decimal.
    pub afr_shocked: f64,
}

/// The Available Funds Rate schedule's scenario as the term sheet states it: the deal's
/// forward curves at the pricing speed, to call.
pub fn afr_base() -> Scenario {
    let mut s = Scenario::default();
    s.rates.base = RateBase::DealCurves;
    s
}

/// The term sheet's shock of the schedule's second column: every index +1000 bp from
/// period 2.
pub const AFR_SHOCK: Shock = Shock {
    bps: 1000.0,
    from_period: 2,
    index: None,
};

/// The Available Funds Rate schedule under `base` and under `base` with `shock` added.
/// Rows cover the periods of the unshocked run.
pub fn afr_schedule(model: &DealModel, base: &Scenario, shock: &Shock) -> Result<Vec<AfrRow>> {
    let mut shocked = base.clone();
    shocked.rates.shocks.push(shock.clone());
    let runs = run_all(model, &[base.clone(), shocked])?;
    let at = |r: &RunOutput, i: usize| r.run.periods.get(i).map(|p| p.available_rate);
    Ok(runs[0]
        .run
        .periods
        .iter()
        .enumerate()
        .map(|(i, p)| AfrRow {
            period: p.period,
            payment_date: p.payment_date,
            afr: p.available_rate,
            afr_shocked: at(&runs[1], i).unwrap_or(f64::NAN),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::small_model;

    #[test]
    fn price_table_layout_and_par_dm() {
        let m = small_model();
        let speeds = [0.0, 80.0, 100.0, 150.0, 180.0];
        let rows = price_table(&m, &Scenario::default(), &speeds).unwrap();
        assert_eq!(rows.len(), 2 * 2 * 5);
        assert_eq!(
            (rows[0].class.as_str(), rows[0].horizon),
            ("A", Horizon::Call)
        );
        assert_eq!(rows[5].horizon, Horizon::Maturity);
        assert_eq!(rows[10].class, "M");
        let got: Vec<f64> = rows[..5].iter().map(|r| r.speed_pct).collect();
        assert_eq!(got, speeds);
        // To call, uncapped, flat index, at par: the DM is the margin.
        for r in rows.iter().filter(|r| r.horizon == Horizon::Call) {
            let margin = if r.class == "A" { 34.0 } else { 120.0 };
            assert!((r.dm_bps.unwrap() - margin).abs() < 1e-6, "{r:?}");
        }
        // To maturity the step-up lifts the DM above the margin.
        let mat = rows
            .iter()
            .find(|r| r.class == "A" && r.horizon == Horizon::Maturity && r.speed_pct == 100.0)
            .unwrap();
        assert!(mat.dm_bps.unwrap() > 34.0);
        let wal: Vec<f64> = rows[..5].iter().map(|r| r.wal_years.unwrap()).collect();
        assert!(wal.windows(2).all(|w| w[0] > w[1]), "{wal:?}");
        assert!(price_table(&m, &Scenario::default(), &[]).is_err());
        assert!(price_table(&m, &Scenario::default(), &[-5.0]).is_err());
    }

    #[test]
    fn summary_matches_the_price_table_at_the_pricing_speed() {
        let m = small_model();
        let base = Scenario::default();
        let classes = ClassInfo::of_deal(&m.deal);
        let sum = term_sheet_summary(&m, &classes, &base).unwrap();
        let table = price_table(&m, &base, &[100.0]).unwrap();
        for s in &sum {
            let at = |h: Horizon| {
                table
                    .iter()
                    .find(|x| x.class == s.class && x.horizon == h)
                    .unwrap()
            };
            assert_eq!(s.wal_call, at(Horizon::Call).wal_years);
            assert_eq!(s.mod_duration_maturity, at(Horizon::Maturity).mod_duration);
            assert!(s.last_scheduled_payment.is_some());
        }
        let bad = vec![ClassInfo {
            name: "Z".into(),
            balance: 1.0,
            tranche_type: String::new(),
        }];
        assert!(term_sheet_summary(&m, &bad, &base).is_err());
    }

    #[test]
    fn afr_schedule_covers_the_call_run_and_the_shock_lifts_it() {
        let m = small_model();
        let mut base = Scenario::default();
        base.rates.base = RateBase::Flat { pct: 1.0 };
        let rows = afr_schedule(&m, &base, &AFR_SHOCK).unwrap();
        let call = m.run(&base).unwrap();
        assert_eq!(rows.len(), call.run.periods.len());
        assert_eq!(rows[0].afr, rows[0].afr_shocked);
        // The ARMs reset into the shock: later the shocked AFR is the higher.
        assert!(
            rows.iter().skip(30).all(|r| r.afr_shocked > r.afr),
            "{rows:?}"
        );
        // Without forward curves the deal's curves cannot be the base.
        let e = afr_schedule(&m, &afr_base(), &AFR_SHOCK).unwrap_err();
        assert!(e.to_string().contains("no forward curves"), "{e}");
    }
}
