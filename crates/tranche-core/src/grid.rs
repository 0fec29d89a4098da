//! Scenario grids: the cross product of a base scenario's axes (e.g. speeds × CDRs ×
//! severities × rate shocks), run in parallel through the one runner. Each cell is
//! computed from its own inputs only and results are collected in grid order (first axis
//! outermost), so the output is identical whatever the thread count.
//!
//! A grid always crosses its axes; a table of explicit scenarios (one row each) is
//! [`run_scenarios`].

use crate::runner::{DealModel, RunOptions};
use crate::scenario::{field_spec, Scenario};
use crate::summary::RunSummary;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// Cells need the bonds and their analytics, not the trust's ledger.
const NO_LEDGER: RunOptions = RunOptions { ledger: false };

/// Most cells a grid may have unless its `max_cells` says otherwise.
pub const DEFAULT_MAX_CELLS: usize = 100_000;

/// One axis: a scenario field (a [`crate::scenario::FIELDS`] name) and its values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    pub field: String,
    pub values: Vec<f64>,
}

/// A base scenario and the axes crossed over it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridSpec {
    pub base: Scenario,
    pub axes: Vec<Axis>,
    /// Most cells allowed (the front end's option that raises it names itself in the
    /// error).
    pub max_cells: usize,
}

/// One cell's results: the axis values (in axis order) and the run's summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridCell {
    pub point: Vec<f64>,
    pub summary: RunSummary,
}

impl GridSpec {
    /// Number of cells (saturating).
    pub fn len(&self) -> usize {
        self.axes
            .iter()
            .fold(1usize, |n, a| n.saturating_mul(a.values.len()))
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cells' scenarios in grid order, every value checked.
    pub fn scenarios(&self) -> Result<Vec<(Vec<f64>, Scenario)>> {
        for a in &self.axes {
            if field_spec(&a.field).is_none() {
                return Err(Error::invalid(&a.field, "is not a scenario field"));
            }
            if a.values.is_empty() {
                return Err(Error::invalid(&a.field, "needs at least one value"));
            }
            if self.axes.iter().filter(|b| b.field == a.field).count() > 1 {
                return Err(Error::invalid(&a.field, "is given as two axes"));
            }
            // A speed axis sets every loan's speed: it would silently undo speeds given
            // by loan type.
            let speed_axis = matches!(a.field.as_str(), "speed_pct" | "cpr_pct" | "psa_pct");
            if speed_axis && self.base.prepay.arm != self.base.prepay.fixed {
                return Err(Error::invalid(
                    &a.field,
                    "varies every loan's prepayment speed, but the scenario gives the fixed-rate and adjustable-rate loans speeds of their own; give one or the other",
                ));
            }
        }
        let n = self.len();
        if n > self.max_cells {
            return Err(Error::invalid(
                "max_cells",
                format!(
                    "the grid has {n} cells, more than the limit of {}",
                    self.max_cells
                ),
            ));
        }
        let mut out = Vec::with_capacity(n);
        for k in 0..n {
            let (mut rest, mut point) = (k, vec![0.0; self.axes.len()]);
            for (i, a) in self.axes.iter().enumerate().rev() {
                point[i] = a.values[rest % a.values.len()];
                rest /= a.values.len();
            }
            let mut s = self.base.clone();
            for (a, v) in self.axes.iter().zip(&point) {
                s.set(&a.field, *v)?;
            }
            out.push((point, s));
        }
        Ok(out)
    }
}

/// Runs every cell in parallel on the current rayon pool. `progress` is called once per
/// finished cell (from worker threads, in any order); results come back in grid order.
pub fn run_grid(
    model: &DealModel,
    spec: &GridSpec,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<GridCell>> {
    let cells = spec.scenarios()?;
    let mut out = Vec::with_capacity(cells.len());
    // In blocks, so that cells sharing a projection share it and the projections held at
    // once stay bounded.
    for block in cells.chunks(GRID_BLOCK) {
        let scenarios: Vec<Scenario> = block.iter().map(|(_, s)| s.clone()).collect();
        let runs = model.run_many(&scenarios, &NO_LEDGER)?;
        for ((point, _), r) in block.iter().zip(runs) {
            out.push(GridCell {
                point: point.clone(),
                summary: r.summary,
            });
            progress();
        }
    }
    Ok(out)
}

/// Cells run together (their distinct projections held at once).
const GRID_BLOCK: usize = 256;

/// Runs explicit scenarios (one per row, nothing crossed), in parallel, in order.
pub fn run_scenarios(
    model: &DealModel,
    scenarios: &[Scenario],
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<RunSummary>> {
    let mut out = Vec::with_capacity(scenarios.len());
    for block in scenarios.chunks(GRID_BLOCK) {
        for r in model.run_many(block, &NO_LEDGER)? {
            out.push(r.summary);
            progress();
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::small_model;
    use crate::waterfall::Horizon;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn spec() -> GridSpec {
        let axis = |f: &str, v: &[f64]| Axis {
            field: f.into(),
            values: v.to_vec(),
        };
        let mut base = Scenario {
            horizon: Horizon::Maturity,
            ..Scenario::default()
        };
        base.defaults.lag_months = 6;
        GridSpec {
            base,
            axes: vec![
                axis("speed_pct", &[50.0, 100.0, 150.0]),
                axis("cdr_pct", &[0.0, 5.0, 10.0]),
                axis("severity_pct", &[30.0, 50.0]),
                axis("shock_bps", &[0.0, 200.0]),
            ],
            max_cells: DEFAULT_MAX_CELLS,
        }
    }

    #[test]
    fn identical_whatever_the_thread_count_and_equal_to_single_runs() {
        let m = small_model();
        let s = spec();
        let count = AtomicUsize::new(0);
        let pool = |n| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .unwrap()
        };
        let one = pool(1)
            .install(|| {
                run_grid(&m, &s, &|| {
                    count.fetch_add(1, Ordering::Relaxed);
                })
            })
            .unwrap();
        let many = pool(4).install(|| run_grid(&m, &s, &|| {})).unwrap();
        assert_eq!(one.len(), 36);
        assert_eq!(count.load(Ordering::Relaxed), 36);
        assert_eq!(one, many);
        // First axis outermost.
        assert_eq!(one[0].point, vec![50.0, 0.0, 30.0, 0.0]);
        assert_eq!(one[1].point, vec![50.0, 0.0, 30.0, 200.0]);
        assert_eq!(one[35].point, vec![150.0, 10.0, 50.0, 200.0]);
        // A cell is the run of its own scenario, bit for bit.
        let mut sc = s.base.clone();
        for (f, v) in [
            ("speed_pct", 100.0),
            ("cdr_pct", 5.0),
            ("severity_pct", 50.0),
        ] {
            sc.set(f, v).unwrap();
        }
        sc.set("shock_bps", 200.0).unwrap();
        let direct = m.run(&sc).unwrap().summary;
        let cell = one
            .iter()
            .find(|c| c.point == vec![100.0, 5.0, 50.0, 200.0])
            .unwrap();
        assert_eq!(cell.summary, direct);
        let explicit = run_scenarios(&m, std::slice::from_ref(&sc), &|| {}).unwrap();
        assert_eq!(explicit[0], direct);
    }

    #[test]
    fn losses_grow_with_defaults_and_hit_the_junior_first() {
        let m = small_model();
        let cells = run_grid(&m, &spec(), &|| {}).unwrap();
        let at = |cdr: f64| {
            &cells
                .iter()
                .find(|c| c.point == vec![100.0, cdr, 50.0, 0.0])
                .unwrap()
                .summary
        };
        assert_eq!(at(0.0).pool_loss_pct, 0.0);
        assert!(at(10.0).pool_loss_pct > at(5.0).pool_loss_pct);
        for cdr in [5.0, 10.0] {
            let b = &at(cdr).bonds;
            assert!(
                b[1].principal_loss_pct > 10.0 * b[0].principal_loss_pct,
                "{b:?}"
            );
        }
        assert_eq!(at(0.0).bonds[1].principal_loss_pct, 0.0);
    }

    #[test]
    fn bad_axes_and_oversized_grids_are_errors() {
        let m = small_model();
        let mut s = spec();
        s.axes[1].values.clear();
        assert!(run_grid(&m, &s, &|| {}).is_err());
        let mut s = spec();
        s.axes[2].values = vec![150.0];
        let e = run_grid(&m, &s, &|| {}).unwrap_err().to_string();
        assert!(e.contains("severity_pct"), "{e}");
        let mut s = spec();
        s.max_cells = 35;
        let e = run_grid(&m, &s, &|| {}).unwrap_err().to_string();
        assert!(e.contains("36 cells, more than the limit of 35"), "{e}");
        let mut s = spec();
        s.axes.push(s.axes[0].clone());
        assert!(run_grid(&m, &s, &|| {}).is_err());
        // A speed axis over speeds by loan type would undo them: refused.
        let mut s = spec();
        s.base.prepay.fixed = crate::scenario::Speed::Cpr { pct: 12.0 };
        let e = run_grid(&m, &s, &|| {}).unwrap_err().to_string();
        assert!(e.contains("loans speeds of their own"), "{e}");
    }
}
