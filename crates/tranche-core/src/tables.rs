//! Report tables: the Price/DM sensitivity report, the term-sheet summary and the
//! Available Funds Rate schedule.
//!
//! Tables run a deal through a [`DealRunner`] (the deal + pool + waterfall behind one call),
//! so they depend only on what a run produces ([`DealRun`]) and never on how a deal is
//! built. Runs of one table are independent and run in parallel; rows come back in a fixed
//! order whatever the thread count.

use crate::analytics::{IndexAssumption, Priceable};
use crate::rates::RateCurves;
use crate::waterfall::{DealRun, Horizon};
use crate::{Error, Result};
use chrono::NaiveDate;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub mod runner;
pub mod tieout;

/// One run of a deal: speed, credit and rates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSpec {
    /// Percent of the deal's pricing prepayment speed (100 = the pricing speed).
    pub speed_pct: f64,
    /// Constant annual default rate, decimal.
    pub cdr: f64,
    /// Loss severity, decimal.
    pub severity: f64,
    /// Months from default to liquidation.
    pub lag: u32,
    pub rates: RateCurves,
    pub horizon: Horizon,
}

impl RunSpec {
    /// No defaults, the given speed, rates and horizon (the term-sheet runs).
    pub fn pricing(speed_pct: f64, rates: RateCurves, horizon: Horizon) -> Self {
        RunSpec {
            speed_pct,
            cdr: 0.0,
            severity: 0.0,
            lag: 0,
            rates,
            horizon,
        }
    }
}

/// A deal ready to run: what the tables need from the deal, the pool and the waterfall.
pub trait DealRunner: Sync {
    /// Settlement date for pricing.
    fn settlement(&self) -> NaiveDate;
    /// Runs the deal once.
    fn run(&self, spec: &RunSpec) -> Result<DealRun>;
    /// The Available Funds Rate of each period of `run` (decimal per annum), including the
    /// projected proceeds of the derivative contracts, in period order: the waterfall's own
    /// figure, so the schedule and the bonds' caps come from one computation.
    fn available_funds_rates(&self, run: &DealRun) -> Result<Vec<f64>> {
        Ok(run.periods.iter().map(|p| p.available_rate).collect())
    }
}

/// Runs every spec, in parallel, returning results in the specs' order.
pub fn run_all(runner: &impl DealRunner, specs: &[RunSpec]) -> Result<Vec<DealRun>> {
    specs.par_iter().map(|s| runner.run(s)).collect()
}

/// Rates for a table: what the runs project with and what the DM discounts at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableRates {
    /// Index paths for the runs (ARM resets, bond coupons, derivatives).
    pub run: RateCurves,
    /// The index path for discount margins (usually 1M LIBOR flat at its pricing level).
    pub discount: IndexAssumption,
}

impl TableRates {
    /// The rates of a Price/DM table: every index flat at `libor_pct` (runs and DM alike),
    /// or else the deal's pricing rates discounted at its pricing index level. The error is
    /// the message without the option's name, which each front end spells its own way.
    pub fn for_deal(
        deal: &crate::deal::Deal,
        libor_pct: Option<f64>,
    ) -> std::result::Result<Self, String> {
        match libor_pct {
            Some(pct) if pct.is_finite() && pct > -5.0 && pct < 50.0 => Ok(TableRates {
                run: RateCurves::flat_all(pct / 100.0),
                discount: IndexAssumption::Flat { rate: pct / 100.0 },
            }),
            Some(pct) => Err(format!(
                "expected a rate in percent between -5 and 50, found {pct}"
            )),
            None => Ok(TableRates {
                run: deal.pricing_rates(),
                discount: IndexAssumption::Flat {
                    rate: deal.pricing.index_rate_pct / 100.0,
                },
            }),
        }
    }
}

/// Checks a table's price (percent of par); the error is the message without the option's
/// name.
pub fn check_price(price: f64) -> std::result::Result<(), String> {
    if price.is_finite() && price > 0.0 {
        Ok(())
    } else {
        Err(format!("expected a positive percent of par, found {price}"))
    }
}

/// Options of the Price/DM sensitivity report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceTableOptions {
    /// Price, percent of par.
    pub price: f64,
    /// Speeds, percent of the pricing speed.
    pub speeds: Vec<f64>,
    pub rates: TableRates,
}

impl PriceTableOptions {
    /// The term sheet's layout: par, 0/80/100/150/180% of the pricing speed.
    pub fn standard(rates: TableRates) -> Self {
        PriceTableOptions {
            price: 100.0,
            speeds: vec![0.0, 80.0, 100.0, 150.0, 180.0],
            rates,
        }
    }
}

/// One column of one class's Price/DM report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceTableRow {
    pub class: String,
    pub horizon: Horizon,
    pub speed_pct: f64,
    /// Discount margin at the table's price, basis points.
    pub dm_bps: f64,
    /// `None` when the bond receives no principal in the run.
    pub wal_years: Option<f64>,
    pub mod_duration: f64,
    pub first_principal: Option<NaiveDate>,
    pub last_principal: Option<NaiveDate>,
    /// Payment window as period numbers from the first payment date ("1 - 47").
    pub first_period: Option<u32>,
    pub last_period: Option<u32>,
}

/// Analytics of every bond of one run at `price`, discounting at `discount`.
pub fn rows_for_run(
    run: &DealRun,
    speed_pct: f64,
    price: f64,
    discount: &IndexAssumption,
) -> Result<Vec<PriceTableRow>> {
    run.bonds
        .iter()
        .map(|b| {
            let p = Priceable::new(b, &run.periods, run.settlement, discount)?;
            let y = p.yield_from_price(price)?;
            let window = crate::analytics::payment_window(b, &run.periods)?;
            Ok(PriceTableRow {
                class: b.name.clone(),
                horizon: run.horizon,
                speed_pct,
                dm_bps: p.dm_from_price(price)? * 10_000.0,
                wal_years: crate::analytics::wal(b, &run.periods, run.settlement)?,
                mod_duration: p.macaulay_duration(y) / (1.0 + y / 2.0),
                first_principal: window.map(|w| w.first_date),
                last_principal: window.map(|w| w.last_date),
                first_period: window.map(|w| w.first_period),
                last_period: window.map(|w| w.last_period),
            })
        })
        .collect()
}

/// The Price/DM sensitivity report: for each class, to call then to maturity, one row per
/// speed. Rows are ordered class (deal order), horizon (call, maturity), speed (as given).
pub fn price_table(
    runner: &impl DealRunner,
    opts: &PriceTableOptions,
) -> Result<Vec<PriceTableRow>> {
    if opts.speeds.is_empty() {
        return Err(Error::invalid("speeds", "need at least one speed"));
    }
    if let Some(s) = opts.speeds.iter().find(|s| !s.is_finite() || **s < 0.0) {
        return Err(Error::invalid(
            "speeds",
            format!("speeds are percentages ≥ 0, found {s}"),
        ));
    }
    let specs: Vec<RunSpec> = [Horizon::Call, Horizon::Maturity]
        .iter()
        .flat_map(|h| {
            opts.speeds
                .iter()
                .map(|s| RunSpec::pricing(*s, opts.rates.run.clone(), *h))
        })
        .collect();
    let runs = run_all(runner, &specs)?;
    let per_run: Vec<Vec<PriceTableRow>> = runs
        .par_iter()
        .zip(specs.par_iter())
        .map(|(run, spec)| rows_for_run(run, spec.speed_pct, opts.price, &opts.rates.discount))
        .collect::<Result<_>>()?;
    // Regroup: class-major, then horizon, then speed.
    let classes: Vec<String> = runs
        .first()
        .map(|r| r.bonds.iter().map(|b| b.name.clone()).collect())
        .unwrap_or_default();
    let mut out = Vec::with_capacity(classes.len() * specs.len());
    for class in &classes {
        for rows in &per_run {
            if let Some(r) = rows.iter().find(|r| &r.class == class) {
                out.push(r.clone());
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

/// One line of the term-sheet summary (at the pricing speed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryRow {
    pub class: String,
    pub balance: f64,
    pub tranche_type: String,
    pub wal_call: Option<f64>,
    pub wal_maturity: Option<f64>,
    pub mod_duration_call: f64,
    pub mod_duration_maturity: f64,
    /// Payment windows as period numbers (first, last).
    pub window_call: Option<(u32, u32)>,
    pub window_maturity: Option<(u32, u32)>,
    /// Last Scheduled Payment Date: the bond's last principal payment with no prepayments
    /// and no losses, run to maturity.
    pub last_scheduled_payment: Option<NaiveDate>,
}

/// The term-sheet summary: WAL, modified duration and payment window to call and to
/// maturity at 100% of the pricing speed, and the last scheduled payment date.
pub fn term_sheet_summary(
    runner: &impl DealRunner,
    classes: &[ClassInfo],
    price: f64,
    rates: &TableRates,
) -> Result<Vec<SummaryRow>> {
    let specs = [
        RunSpec::pricing(100.0, rates.run.clone(), Horizon::Call),
        RunSpec::pricing(100.0, rates.run.clone(), Horizon::Maturity),
        RunSpec::pricing(0.0, rates.run.clone(), Horizon::Maturity),
    ];
    let runs = run_all(runner, &specs)?;
    let rows: Vec<Vec<PriceTableRow>> = runs
        .iter()
        .zip(&specs)
        .map(|(r, s)| rows_for_run(r, s.speed_pct, price, &rates.discount))
        .collect::<Result<_>>()?;
    classes
        .iter()
        .map(|c| {
            let find = |i: usize| {
                rows[i].iter().find(|r| r.class == c.name).ok_or_else(|| {
                    Error::invalid("classes", format!("class {} is not in the deal", c.name))
                })
            };
            let (call, mat, sched) = (find(0)?, find(1)?, find(2)?);
            let window = |r: &PriceTableRow| r.first_period.zip(r.last_period);
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
                last_scheduled_payment: sched.last_principal,
            })
        })
        .collect()
}

/// One period of the Available Funds Rate schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AfrRow {
    pub period: u32,
    pub payment_date: NaiveDate,
    /// AFR under the forward curves, decimal.
    pub afr: f64,
    /// AFR under the shocked curves, decimal.
    pub afr_shocked: f64,
}

/// Options of the AFR schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AfrOptions {
    /// Forward curves of every index.
    pub curves: RateCurves,
    /// Parallel shock of every curve, basis points.
    pub shock_bps: f64,
    /// First period (1-based) the shock applies to.
    pub shock_from: usize,
    /// Percent of the pricing speed.
    pub speed_pct: f64,
    pub horizon: Horizon,
}

impl AfrOptions {
    /// The term sheet's schedule: pricing speed, to call, curves +1000 bp from period 2.
    pub fn standard(curves: RateCurves) -> Self {
        AfrOptions {
            curves,
            shock_bps: 1000.0,
            shock_from: 2,
            speed_pct: 100.0,
            horizon: Horizon::Call,
        }
    }
}

/// The Available Funds Rate schedule under the curves and under the shocked curves.
/// Rows cover the periods of the unshocked run.
pub fn afr_schedule(runner: &impl DealRunner, opts: &AfrOptions) -> Result<Vec<AfrRow>> {
    let horizon_len = 720;
    let specs = [
        RunSpec::pricing(opts.speed_pct, opts.curves.clone(), opts.horizon),
        RunSpec::pricing(
            opts.speed_pct,
            opts.curves
                .shocked(opts.shock_bps, opts.shock_from, horizon_len),
            opts.horizon,
        ),
    ];
    let runs = run_all(runner, &specs)?;
    let base = runner.available_funds_rates(&runs[0])?;
    let shocked = runner.available_funds_rates(&runs[1])?;
    Ok(runs[0]
        .periods
        .iter()
        .zip(&base)
        .enumerate()
        .map(|(i, (p, afr))| AfrRow {
            period: p.period,
            payment_date: p.payment_date,
            afr: *afr,
            afr_shocked: shocked.get(i).copied().unwrap_or(f64::NAN),
        })
        .collect())
}

#[cfg(test)]
pub(crate) mod testkit {
    //! A small synthetic deal for testing tables and grids without the full engine:
    //! a level-pay pool at a CPR, bonds paid principal pro rata, coupons index + margin
    //! (stepped up after the call date when run to maturity), losses written down from
    //! the last bond up.
    use super::*;
    use crate::assumptions::cpr_to_smm;
    use crate::collateral::{PoolCashflows, PoolPeriod};
    use crate::dates::{add_months_on_day, days_between, Calendar};
    use crate::tape::RateIndex;
    use crate::waterfall::{BondFlows, BondPeriod, PeriodInfo};

    pub struct ToyDeal {
        pub bonds: Vec<(String, f64, f64)>,
        pub base_cpr: f64,
        pub term: u32,
        pub wac: f64,
        pub call_pct: f64,
    }

    impl ToyDeal {
        pub fn new() -> Self {
            ToyDeal {
                bonds: vec![("A".into(), 800.0, 0.0034), ("M".into(), 200.0, 0.0120)],
                base_cpr: 0.30,
                term: 120,
                wac: 0.055,
                call_pct: 0.25,
            }
        }
    }

    impl DealRunner for ToyDeal {
        fn settlement(&self) -> NaiveDate {
            NaiveDate::from_ymd_opt(2004, 1, 29).unwrap_or_default()
        }

        fn run(&self, spec: &RunSpec) -> Result<DealRun> {
            let settle = self.settlement();
            let first = NaiveDate::from_ymd_opt(2004, 2, 25).unwrap_or_default();
            let cut_off: f64 = self.bonds.iter().map(|b| b.1).sum();
            let smm = cpr_to_smm(self.base_cpr * spec.speed_pct / 100.0);
            let mdr = cpr_to_smm(spec.cdr);
            let mut pool = cut_off;
            let mut bal: Vec<f64> = self.bonds.iter().map(|b| b.1).collect();
            let mut periods = Vec::new();
            let mut pool_periods = Vec::new();
            let mut bps: Vec<Vec<BondPeriod>> = vec![Vec::new(); bal.len()];
            let mut prev = settle;
            let mut call_period = None;
            let mut called = false;
            for t in 1..=self.term {
                let date = Calendar::UsBanking.roll_following(add_months_on_day(first, t - 1, 25));
                let days = days_between(prev, date) as u32;
                let idx = spec
                    .rates
                    .rate(&RateIndex::Libor1M, t as usize)
                    .unwrap_or(0.0);
                let n = self.term - t + 1;
                let r = self.wac / 12.0;
                let defaulted = pool * mdr;
                let live = pool - defaulted;
                let sched = live * r / ((1.0 + r).powi(n as i32) - 1.0);
                let prepaid = (live - sched) * smm;
                let mut prin = sched + prepaid + defaulted * (1.0 - spec.severity);
                let loss = defaulted * spec.severity;
                let mut end = live - sched - prepaid;
                let exercise = spec.horizon == Horizon::Call
                    && (end <= self.call_pct * cut_off || t == self.term);
                if exercise {
                    prin += end;
                    end = 0.0;
                    call_period = Some(t);
                    called = true;
                }
                pool_periods.push(PoolPeriod {
                    period: t,
                    begin_balance: pool,
                    scheduled_principal: sched,
                    prepaid_principal: prepaid,
                    defaulted_principal: defaulted,
                    realized_loss: loss,
                    end_balance: end,
                    ..Default::default()
                });
                let total: f64 = bal.iter().sum();
                let mut writedowns = vec![0.0; bal.len()];
                let mut left = loss;
                for i in (0..bal.len()).rev() {
                    let w = left.min(bal[i]);
                    writedowns[i] = w;
                    left -= w;
                }
                for (i, b) in self.bonds.iter().enumerate() {
                    let begin = bal[i];
                    let share = if total > 0.0 { begin / total } else { 0.0 };
                    let p = (prin * share).min(begin - writedowns[i]).max(0.0);
                    let step = spec.horizon == Horizon::Maturity && end <= self.call_pct * cut_off;
                    let coupon = idx + if step { 2.0 * b.2 } else { b.2 };
                    let int = begin * coupon * f64::from(days) / 360.0;
                    bal[i] = begin - p - writedowns[i];
                    bps[i].push(BondPeriod {
                        period: t,
                        begin_balance: begin,
                        coupon,
                        interest_due: int,
                        interest_paid: int,
                        principal_paid: p,
                        writedown: writedowns[i],
                        end_balance: bal[i],
                        ..Default::default()
                    });
                }
                periods.push(PeriodInfo {
                    period: t,
                    payment_date: date,
                    accrual_start: prev,
                    accrual_days: days,
                    bond_index_rate: idx,
                    available_rate: f64::NAN,
                });
                pool = end;
                prev = date;
                if called || bal.iter().sum::<f64>() < 1e-9 {
                    break;
                }
            }
            Ok(DealRun {
                horizon: spec.horizon,
                settlement: settle,
                periods,
                collateral: PoolCashflows {
                    periods: pool_periods,
                    loans: Vec::new(),
                },
                bonds: self
                    .bonds
                    .iter()
                    .zip(bps)
                    .map(|(b, p)| BondFlows {
                        name: b.0.clone(),
                        original_balance: b.1,
                        margin: b.2,
                        periods: p,
                    })
                    .collect(),
                call_period,
            })
        }

        fn available_funds_rates(&self, run: &DealRun) -> Result<Vec<f64>> {
            Ok(run
                .periods
                .iter()
                .zip(&run.collateral.periods)
                .map(|(p, c)| {
                    let bonds: f64 = run
                        .bonds
                        .iter()
                        .map(|b| b.periods[p.period as usize - 1].begin_balance)
                        .sum();
                    (self.wac - 0.005) * c.begin_balance / bonds * 30.0 / f64::from(p.accrual_days)
                })
                .collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testkit::ToyDeal;
    use super::*;

    fn rates(level: f64) -> TableRates {
        TableRates {
            run: RateCurves::flat_all(level),
            discount: IndexAssumption::Flat { rate: level },
        }
    }

    #[test]
    fn price_table_layout_and_par_dm() {
        let deal = ToyDeal::new();
        let rows = price_table(&deal, &PriceTableOptions::standard(rates(0.011))).unwrap();
        assert_eq!(rows.len(), 2 * 2 * 5);
        assert_eq!(rows[0].class, "A");
        assert_eq!(rows[0].horizon, Horizon::Call);
        assert_eq!(rows[5].horizon, Horizon::Maturity);
        assert_eq!(rows[10].class, "M");
        let speeds: Vec<f64> = rows[..5].iter().map(|r| r.speed_pct).collect();
        assert_eq!(speeds, vec![0.0, 80.0, 100.0, 150.0, 180.0]);
        // To call, uncapped, flat index: DM at par = margin.
        for r in rows.iter().filter(|r| r.horizon == Horizon::Call) {
            let margin = if r.class == "A" { 34.0 } else { 120.0 };
            assert!((r.dm_bps - margin).abs() < 1e-6, "{r:?}");
        }
        // To maturity the step-up raises the DM above the margin.
        let mat_a = rows
            .iter()
            .find(|r| r.class == "A" && r.horizon == Horizon::Maturity && r.speed_pct == 100.0)
            .unwrap();
        assert!(mat_a.dm_bps > 34.0);
        // Faster speeds shorten WAL and duration.
        let wal: Vec<f64> = rows[..5].iter().map(|r| r.wal_years.unwrap()).collect();
        assert!(wal.windows(2).all(|w| w[0] > w[1]), "{wal:?}");
        assert_eq!(rows[0].first_period, Some(1));
    }

    #[test]
    fn summary_matches_price_table_at_pricing_speed() {
        let deal = ToyDeal::new();
        let r = rates(0.011);
        let classes = vec![
            ClassInfo {
                name: "A".into(),
                balance: 800.0,
                tranche_type: "Floating Rate Senior".into(),
            },
            ClassInfo {
                name: "M".into(),
                balance: 200.0,
                tranche_type: "Floating Rate Mezzanine".into(),
            },
        ];
        let sum = term_sheet_summary(&deal, &classes, 100.0, &r).unwrap();
        let table = price_table(&deal, &PriceTableOptions::standard(r)).unwrap();
        let at = |c: &str, h: Horizon| {
            table
                .iter()
                .find(|x| x.class == c && x.horizon == h && x.speed_pct == 100.0)
                .unwrap()
        };
        for s in &sum {
            assert_eq!(s.wal_call, at(&s.class, Horizon::Call).wal_years);
            assert_eq!(
                s.mod_duration_maturity,
                at(&s.class, Horizon::Maturity).mod_duration
            );
            // Level-pay pool of 120 months: the last scheduled payment is period 120.
            assert_eq!(
                s.last_scheduled_payment,
                NaiveDate::from_ymd_opt(2014, 1, 27)
            );
        }
        let bad = vec![ClassInfo {
            name: "Z".into(),
            balance: 1.0,
            tranche_type: String::new(),
        }];
        assert!(term_sheet_summary(&deal, &bad, 100.0, &rates(0.011)).is_err());
    }

    #[test]
    fn afr_schedule_covers_call_run() {
        let deal = ToyDeal::new();
        let rows = afr_schedule(&deal, &AfrOptions::standard(RateCurves::flat_all(0.011))).unwrap();
        let call = deal
            .run(&RunSpec::pricing(
                100.0,
                RateCurves::flat_all(0.011),
                Horizon::Call,
            ))
            .unwrap();
        assert_eq!(rows.len(), call.periods.len());
        assert!(rows
            .iter()
            .all(|r| r.afr.is_finite() && r.afr_shocked.is_finite()));
    }

    #[test]
    fn bad_speeds_are_rejected() {
        let deal = ToyDeal::new();
        let mut o = PriceTableOptions::standard(rates(0.011));
        o.speeds = vec![-5.0];
        assert!(matches!(price_table(&deal, &o), Err(Error::Invalid(_))));
        o.speeds.clear();
        assert!(price_table(&deal, &o).is_err());
    }
}
