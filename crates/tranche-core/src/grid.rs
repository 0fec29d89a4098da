//! Scenario grids: every combination of speeds × CDRs × severities × rate shocks, run in
//! parallel. Each cell is computed from its own inputs only and results are collected in
//! grid order, so the output is identical whatever the thread count.

use crate::analytics::{payment_window, wal, IndexAssumption, PaymentWindow, Priceable};
use crate::rates::RateCurves;
use crate::tables::{DealRunner, RunSpec};
use crate::waterfall::{DealRun, Horizon};
use crate::{Error, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The axes of a grid and what every cell shares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridSpec {
    /// Percent of the pricing speed.
    pub speeds: Vec<f64>,
    /// Annual default rates, decimal.
    pub cdrs: Vec<f64>,
    /// Loss severities, decimal.
    pub severities: Vec<f64>,
    /// Parallel shifts of every index path, basis points, from period 1.
    pub shocks_bps: Vec<f64>,
    /// Months from default to liquidation.
    pub lag: u32,
    pub horizon: Horizon,
    /// Price for DM and duration, percent.
    pub price: f64,
    /// Unshocked index paths.
    pub rates: RateCurves,
}

/// One cell's inputs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GridPoint {
    pub speed_pct: f64,
    pub cdr: f64,
    pub severity: f64,
    pub shock_bps: f64,
}

/// One bond in one cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridBond {
    pub class: String,
    /// DM at the grid's price against the run's own (shocked) index, bps; `None` when the
    /// flows cannot reach the price (e.g. a bond written off).
    pub dm_bps: Option<f64>,
    pub wal_years: Option<f64>,
    pub mod_duration: Option<f64>,
    /// Principal never repaid when the run ended, currency.
    pub unpaid_principal: f64,
    /// Principal lost (written down and not reimbursed, plus never repaid), percent of the
    /// original balance.
    pub principal_loss_pct: f64,
}

/// One cell's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridCell {
    pub point: GridPoint,
    /// Cumulative realized pool losses, percent of the cut-off pool balance.
    pub pool_loss_pct: f64,
    pub bonds: Vec<GridBond>,
}

impl GridSpec {
    /// The cells in grid order: speed, then CDR, then severity, then shock.
    pub fn points(&self) -> Vec<GridPoint> {
        let mut v = Vec::with_capacity(self.len());
        for &speed_pct in &self.speeds {
            for &cdr in &self.cdrs {
                for &severity in &self.severities {
                    for &shock_bps in &self.shocks_bps {
                        v.push(GridPoint {
                            speed_pct,
                            cdr,
                            severity,
                            shock_bps,
                        });
                    }
                }
            }
        }
        v
    }

    pub fn len(&self) -> usize {
        self.speeds.len() * self.cdrs.len() * self.severities.len() * self.shocks_bps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn validate(&self) -> Result<()> {
        let check = |name: &str, v: &[f64], lo: f64, hi: f64| -> Result<()> {
            if v.is_empty() {
                return Err(Error::invalid(name, "needs at least one value"));
            }
            match v.iter().find(|x| !x.is_finite() || **x < lo || **x > hi) {
                Some(x) => Err(Error::invalid(
                    name,
                    format!("value {x} outside [{lo}, {hi}]"),
                )),
                None => Ok(()),
            }
        };
        check("speeds", &self.speeds, 0.0, 10_000.0)?;
        check("cdrs", &self.cdrs, 0.0, 1.0)?;
        check("severities", &self.severities, 0.0, 1.0)?;
        check("shocks_bps", &self.shocks_bps, -10_000.0, 10_000.0)
    }
}

fn run_cell(runner: &impl DealRunner, spec: &GridSpec, point: GridPoint) -> Result<GridCell> {
    let rates = if point.shock_bps == 0.0 {
        spec.rates.clone()
    } else {
        spec.rates.shocked(point.shock_bps, 1, 1)
    };
    let run = runner.run(&RunSpec {
        speed_pct: point.speed_pct,
        cdr: point.cdr,
        severity: point.severity,
        lag: spec.lag,
        rates,
        horizon: spec.horizon,
    })?;
    let summary = summarize_run(&run, spec.price)?;
    Ok(GridCell {
        point,
        pool_loss_pct: summary.pool_loss_pct,
        bonds: summary
            .bonds
            .into_iter()
            .map(|b| GridBond {
                unpaid_principal: b.unpaid_principal,
                principal_loss_pct: b.principal_loss_pct,
                class: b.name,
                dm_bps: b.dm.map(|dm| dm * 10_000.0),
                wal_years: b.wal,
                mod_duration: b.mod_duration,
            })
            .collect(),
    })
}

/// One bond of a run as a scenario grid reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunBond {
    pub name: String,
    pub original_balance: f64,
    /// DM at the price against the run's own index, decimal; `None` when the flows cannot
    /// reach the price (e.g. a bond written off).
    pub dm: Option<f64>,
    pub mod_duration: Option<f64>,
    pub wal: Option<f64>,
    pub window: Option<PaymentWindow>,
    /// Principal paid over the run.
    pub principal_paid: f64,
    /// Principal written down less reimbursements.
    pub net_writedown: f64,
    /// Principal never repaid when the run ended.
    pub unpaid_principal: f64,
    /// `net_writedown + unpaid_principal`, percent of the original balance.
    pub principal_loss_pct: f64,
}

/// A run's pool losses and every bond's analytics at one price.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    pub pool_loss: f64,
    /// Cumulative realized losses, percent of the cut-off pool balance.
    pub pool_loss_pct: f64,
    pub bonds: Vec<RunBond>,
}

/// Pool losses and every bond's DM, modified duration, WAL and window at `price` (percent
/// of par), priced against the run's own index path.
pub fn summarize_run(run: &DealRun, price: f64) -> Result<RunSummary> {
    let cut_off = run
        .collateral
        .periods
        .first()
        .map(|p| p.begin_balance)
        .unwrap_or(0.0);
    let losses: f64 = run.collateral.periods.iter().map(|p| p.realized_loss).sum();
    let bonds = run
        .bonds
        .iter()
        .map(|b| {
            let priced = Priceable::new(b, &run.periods, run.settlement, &IndexAssumption::Run)
                .ok()
                .and_then(|p| {
                    let dm = p.dm_from_price(price).ok()?;
                    let y = p.yield_from_price(price).ok()?;
                    Some((dm, p.macaulay_duration(y) / (1.0 + y / 2.0)))
                });
            Ok(RunBond {
                name: b.name.clone(),
                original_balance: b.original_balance,
                dm: priced.map(|p| p.0),
                mod_duration: priced.map(|p| p.1),
                wal: wal(b, &run.periods, run.settlement)?,
                window: payment_window(b, &run.periods)?,
                principal_paid: b.periods.iter().map(|p| p.principal_paid).sum(),
                net_writedown: b.net_writedown(),
                unpaid_principal: b.unpaid_principal(),
                principal_loss_pct: if b.original_balance > 0.0 {
                    100.0 * b.principal_loss() / b.original_balance
                } else {
                    0.0
                },
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(RunSummary {
        pool_loss: losses,
        pool_loss_pct: if cut_off > 0.0 {
            100.0 * losses / cut_off
        } else {
            0.0
        },
        bonds,
    })
}

/// Runs every cell in parallel on the current rayon pool. `progress` is called once per
/// finished cell (from worker threads, in any order); results come back in grid order.
pub fn run_grid(
    runner: &impl DealRunner,
    spec: &GridSpec,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<GridCell>> {
    spec.validate()?;
    spec.points()
        .into_par_iter()
        .map(|p| {
            let cell = run_cell(runner, spec, p);
            progress();
            cell
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::testkit::ToyDeal;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn spec() -> GridSpec {
        GridSpec {
            speeds: vec![50.0, 100.0, 150.0],
            cdrs: vec![0.0, 0.05, 0.10],
            severities: vec![0.3, 0.5],
            shocks_bps: vec![0.0, 200.0],
            lag: 0,
            horizon: Horizon::Maturity,
            price: 100.0,
            rates: RateCurves::flat_all(0.011),
        }
    }

    #[test]
    fn identical_whatever_the_thread_count() {
        let deal = ToyDeal::new();
        let s = spec();
        let count = AtomicUsize::new(0);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| {
                run_grid(&deal, &s, &|| {
                    count.fetch_add(1, Ordering::Relaxed);
                })
            })
            .unwrap();
        let many = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap()
            .install(|| run_grid(&deal, &s, &|| {}))
            .unwrap();
        let default = run_grid(&deal, &s, &|| {}).unwrap();
        assert_eq!(one.len(), 36);
        assert_eq!(count.load(Ordering::Relaxed), 36);
        // Bit-for-bit equality, not a tolerance.
        assert_eq!(one, many);
        assert_eq!(one, default);
        assert_eq!(one[0].point.speed_pct, 50.0);
        assert_eq!(one[1].point.shock_bps, 200.0);
    }

    #[test]
    fn losses_grow_with_cdr_and_hit_the_junior_first() {
        let deal = ToyDeal::new();
        let cells = run_grid(&deal, &spec(), &|| {}).unwrap();
        let at = |cdr: f64| {
            cells
                .iter()
                .find(|c| {
                    c.point.speed_pct == 100.0
                        && c.point.cdr == cdr
                        && c.point.severity == 0.5
                        && c.point.shock_bps == 0.0
                })
                .unwrap()
        };
        assert_eq!(at(0.0).pool_loss_pct, 0.0);
        assert!(at(0.10).pool_loss_pct > at(0.05).pool_loss_pct);
        // Junior absorbs losses first; the senior only once the (pro rata paid down)
        // junior is gone.
        for cdr in [0.05, 0.10] {
            let c = at(cdr);
            assert!(c.bonds[1].principal_loss_pct > 10.0 * c.bonds[0].principal_loss_pct);
        }
        assert_eq!(at(0.0).bonds[1].principal_loss_pct, 0.0);
    }

    #[test]
    fn empty_axis_is_an_error() {
        let mut s = spec();
        s.cdrs.clear();
        assert!(matches!(
            run_grid(&ToyDeal::new(), &s, &|| {}),
            Err(Error::Invalid(_))
        ));
        let mut s = spec();
        s.severities = vec![1.5];
        assert!(run_grid(&ToyDeal::new(), &s, &|| {}).is_err());
    }
}
