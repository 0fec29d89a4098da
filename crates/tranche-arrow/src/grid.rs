//! The grid entry point: the cross product of a base scenario's axes (the core's
//! [`tranche_core::grid::run_grid`]), as a result table. A grid always crosses its axes;
//! a table of explicit scenarios, one row each, is [`crate::batch`].

use crate::batch::in_pool;
use crate::error::spelled;
use crate::results::build_results;
use crate::scenarios::ScenarioRow;
use crate::RunError;
use arrow_array::RecordBatch;
use tranche_core::grid::{run_grid as core_grid, GridSpec};
use tranche_core::runner::DealModel;

/// Runs every cell of the grid over `base` (its deal label, scenario and curves file) on
/// `threads` workers. One result row per (cell, bond); `scenario_id` is the cell's number
/// in grid order (first axis outermost). A mistake in a field is told as `spell(field)`
/// and the core's message.
pub fn run_grid(
    model: &DealModel,
    base: &ScenarioRow,
    spec: &GridSpec,
    threads: Option<usize>,
    spell: &dyn Fn(&str) -> String,
) -> Result<RecordBatch, RunError> {
    let err = |e| spelled(e, spell);
    let cells = spec.scenarios().map_err(err)?;
    let results =
        in_pool(threads, || Ok(core_grid(model, spec, &|| {}))).and_then(|r| r.map_err(err))?;
    let rows: Vec<ScenarioRow> = cells
        .into_iter()
        .enumerate()
        .map(|(k, (_, scenario))| ScenarioRow {
            scenario_id: k as i64,
            scenario,
            ..base.clone()
        })
        .collect();
    let summaries: Vec<_> = results.into_iter().map(|c| c.summary).collect();
    build_results(&rows, &summaries)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::batch::{run_scenario_batch, BatchOptions};
    use crate::engine::{DealCache, PreparedDeal};
    use arrow_array::{ArrayRef, Float64Array, StringArray};
    use std::path::Path;
    use std::sync::Arc;
    use tranche_core::grid::{Axis, DEFAULT_MAX_CELLS};

    #[test]
    fn a_grid_cell_is_the_table_row_and_the_single_run_of_its_scenario() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deals/impac-cmb-2004-1");
        let deal = PreparedDeal::load(&dir).unwrap();
        let mut base = ScenarioRow::new("impac");
        base.scenario.set("severity_pct", 40.0).unwrap();
        base.scenario.set("lag_months", 6.0).unwrap();
        let spec = GridSpec {
            base: base.scenario.clone(),
            axes: vec![
                Axis {
                    field: "speed_pct".into(),
                    values: vec![50.0, 150.0],
                },
                Axis {
                    field: "cdr_pct".into(),
                    values: vec![0.0, 4.0],
                },
            ],
            max_cells: DEFAULT_MAX_CELLS,
        };
        let bonds = deal.bond_names().len();
        let grid = run_grid(deal.model(), &base, &spec, Some(2), &|f| f.to_string()).unwrap();
        assert_eq!(grid.num_rows(), 4 * bonds);
        // Cell 2 (first axis outermost) is speed 150, CDR 0.
        let table = RecordBatch::try_from_iter(vec![
            (
                "deal",
                Arc::new(StringArray::from(vec!["impac"])) as ArrayRef,
            ),
            (
                "speed",
                Arc::new(Float64Array::from(vec![150.0])) as ArrayRef,
            ),
            (
                "cdr_pct",
                Arc::new(Float64Array::from(vec![0.0])) as ArrayRef,
            ),
            (
                "severity_pct",
                Arc::new(Float64Array::from(vec![40.0])) as ArrayRef,
            ),
            (
                "lag_months",
                Arc::new(Float64Array::from(vec![6.0])) as ArrayRef,
            ),
            (
                "scenario_id",
                Arc::new(Float64Array::from(vec![2.0])) as ArrayRef,
            ),
        ])
        .unwrap();
        let cache = DealCache::new();
        let ids = std::collections::HashMap::from([("impac".to_string(), dir.clone())]);
        let src = crate::engine::DealIds {
            cache: &cache,
            ids: &ids,
        };
        let row = run_scenario_batch(&table, &src, &BatchOptions::default()).unwrap();
        assert_eq!(grid.slice(2 * bonds, bonds), row);
        let mut sc = base.scenario.clone();
        sc.set("speed_pct", 150.0).unwrap();
        sc.set("cdr_pct", 0.0).unwrap();
        let single = deal.run(&sc, &|f| f.to_string()).unwrap();
        let scenario = ScenarioRow {
            scenario_id: 2,
            scenario: sc,
            ..base.clone()
        };
        assert_eq!(build_results(&[scenario], &[single.summary]).unwrap(), row);
        let mut bad = spec.clone();
        bad.axes[1].values.push(120.0);
        let e = run_grid(deal.model(), &base, &bad, None, &|f| format!("axis {f}"));
        assert_eq!(
            e.unwrap_err().to_string(),
            "axis cdr_pct: expected percent CDR from 0 to 100, found 120"
        );
    }
}
