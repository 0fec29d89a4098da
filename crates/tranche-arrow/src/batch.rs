//! The scenario-table entry point: a RecordBatch of explicit scenarios in (one row each,
//! nothing crossed), a RecordBatch of results out. A grid, which crosses axes, is
//! [`crate::grid`].

use crate::engine::{DealSource, ScenarioEngine};
use crate::error::{core_error, spelled};
use crate::results::build_results;
use crate::scenarios::{cell, read_scenarios, ScenarioRow};
use crate::RunError;
use arrow_array::RecordBatch;
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;
use tranche_core::summary::RunSummary;

#[derive(Debug, Clone, Default)]
pub struct BatchOptions {
    /// Worker threads; `None` = rayon's global pool (all cores, or `RAYON_NUM_THREADS`).
    pub threads: Option<usize>,
    /// Deal for rows whose `deal` is missing or null.
    pub default_deal: Option<String>,
    /// Row number of the batch's first row (for default scenario ids and messages).
    pub first_row: usize,
}

/// Runs `f` on a pool of `threads` workers (`None`: the global pool).
pub fn in_pool<T: Send>(
    threads: Option<usize>,
    f: impl FnOnce() -> Result<T, RunError> + Send,
) -> Result<T, RunError> {
    match threads {
        None => f(),
        Some(0) => Err(RunError::input("threads: expected at least 1")),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| RunError::Internal(e.to_string()))?
            .install(f),
    }
}

/// Runs every scenario of `batch`, one result row per (scenario, bond). Output rows
/// follow input order (scenario by scenario, bonds in deal order) and do not depend on
/// the thread count. The first failing row (in input order) is reported.
pub fn run_scenario_batch(
    batch: &RecordBatch,
    source: &dyn DealSource,
    opts: &BatchOptions,
) -> Result<RecordBatch, RunError> {
    let rows = read_scenarios(batch, opts.first_row, opts.default_deal.as_deref())?;
    let results = run_rows(&rows, opts.first_row, source, opts.threads)?;
    build_results(&rows, &results)
}

/// Runs parsed rows (the first numbered `first_row`); `results[i]` belongs to `rows[i]`.
pub fn run_rows(
    rows: &[ScenarioRow],
    first_row: usize,
    source: &dyn DealSource,
    threads: Option<usize>,
) -> Result<Vec<RunSummary>, RunError> {
    // Deals are loaded up front, once each, in first-use order.
    let mut engines: HashMap<&str, Arc<dyn ScenarioEngine>> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if !engines.contains_key(r.deal.as_str()) {
            let e = source
                .deal(&r.deal)
                .map_err(|e| e.context(&cell(first_row + i, "deal")))?;
            engines.insert(&r.deal, e);
        }
    }
    let run_one = |(i, r): (usize, &ScenarioRow)| -> Result<RunSummary, RunError> {
        let engine = engines
            .get(r.deal.as_str())
            .ok_or_else(|| RunError::Internal(format!("deal `{}` not loaded", r.deal)))?;
        let row = first_row + i;
        engine.run(&r.scenario).map_err(|e| match &e {
            tranche_core::Error::Invalid(fe) if fe.location.field.is_some() => {
                // At run time `curves` means the deal's own, asked for by `rates`.
                spelled(e, &|f| cell(row, if f == "curves" { "rates" } else { f }))
            }
            _ => core_error(e).context(&format!(
                "scenario table: row {row} (scenario {}, deal `{}`)",
                r.scenario_id, r.deal
            )),
        })
    };
    let outcomes: Vec<Result<RunSummary, RunError>> = in_pool(threads, || {
        Ok(rows.par_iter().enumerate().map(run_one).collect())
    })?;
    // The first failure in input order, whatever order the threads finished in.
    outcomes.into_iter().collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::engine::{DealCache, DealIds};
    use crate::results::result_schema;
    use arrow_array::cast::AsArray;
    use arrow_array::types::Float64Type;
    use arrow_array::{ArrayRef, Float64Array, StringArray};
    use tranche_core::scenario::{DefaultRate, Scenario, Speed};
    use tranche_core::summary::BondSummary;

    /// A deterministic stand-in engine: the plumbing is tested, not the finance.
    struct Toy;
    impl ScenarioEngine for Toy {
        fn run(&self, s: &Scenario) -> tranche_core::Result<RunSummary> {
            let speed = match s.prepay.arm {
                Speed::Pricing { pct } => pct,
                _ => 0.0,
            };
            let cdr = match s.defaults.rate {
                DefaultRate::Cdr { pct } => pct,
                _ => 0.0,
            };
            if cdr > 50.0 {
                return Err(tranche_core::Error::invalid(
                    "cdr_pct",
                    "the toy engine refuses CDR above 50",
                ));
            }
            if speed == 13.0 {
                return Err(tranche_core::Error::NoSolution("unlucky".into()));
            }
            let bond = |name: &str| BondSummary {
                bond: name.into(),
                original_balance: 100.0,
                wal_years: Some(100.0 / speed.max(1.0)),
                dm_bps: Some(speed),
                yield_pct: None,
                mod_duration: None,
                window: None,
                principal_paid: 100.0,
                writedown: 0.0,
                reimbursed: 0.0,
                unpaid_principal: 0.0,
                principal_loss_pct: 0.0,
                ..Default::default()
            };
            Ok(RunSummary {
                price: s.price,
                pool_loss: cdr,
                pool_loss_pct: 0.0,
                bonds: vec![bond("A"), bond("B")],
                ..Default::default()
            })
        }
    }

    fn toy_cache() -> DealCache {
        DealCache::with_loader(|_| Ok(Arc::new(Toy) as Arc<dyn ScenarioEngine>))
    }

    fn toy_ids() -> HashMap<String, std::path::PathBuf> {
        HashMap::from([("toy".to_string(), std::env::temp_dir())])
    }

    fn run(b: &RecordBatch, opts: &BatchOptions) -> Result<RecordBatch, RunError> {
        let (cache, ids) = (toy_cache(), toy_ids());
        let src = DealIds {
            cache: &cache,
            ids: &ids,
        };
        run_scenario_batch(b, &src, opts)
    }

    fn column(name: &str, v: Vec<f64>) -> (&str, ArrayRef) {
        (name, Arc::new(Float64Array::from(v)) as ArrayRef)
    }

    #[test]
    fn rows_follow_input_order_for_any_thread_count() {
        let n = 300;
        let b = RecordBatch::try_from_iter(vec![
            (
                "deal",
                Arc::new(StringArray::from(vec!["toy"; n])) as ArrayRef,
            ),
            column("speed_pct", (0..n).map(|i| 50.0 + i as f64).collect()),
            column("cdr_pct", (0..n).map(|i| (i % 7) as f64).collect()),
        ])
        .unwrap();
        let opts = |t| BatchOptions {
            threads: Some(t),
            ..Default::default()
        };
        let one = run(&b, &opts(1)).unwrap();
        let four = run(&b, &opts(4)).unwrap();
        assert_eq!(one, four);
        assert_eq!(one.schema(), result_schema());
        assert_eq!(one.num_rows(), 600);
        let dm = one
            .column_by_name("dm_bps")
            .unwrap()
            .as_primitive::<Float64Type>();
        assert_eq!((dm.value(0), dm.value(599)), (50.0, 349.0));
        let loss = one
            .column_by_name("collateral_loss")
            .unwrap()
            .as_primitive::<Float64Type>();
        assert_eq!(loss.value(2 * 9), 2.0);
    }

    #[test]
    fn the_first_failing_row_is_reported_under_its_column() {
        let b = RecordBatch::try_from_iter(vec![column("cdr", vec![1.0, 60.0, 70.0])]).unwrap();
        let opts = BatchOptions {
            default_deal: Some("toy".into()),
            threads: Some(2),
            first_row: 5,
        };
        let e = run(&b, &opts).unwrap_err().to_string();
        assert_eq!(
            e,
            "scenario table: row 6, column `cdr_pct`: the toy engine refuses CDR above 50"
        );
        let b = RecordBatch::try_from_iter(vec![column("speed", vec![1.0, 13.0])]).unwrap();
        match run(&b, &opts).unwrap_err() {
            RunError::Engine(e) => assert!(
                e.starts_with("scenario table: row 6 (scenario 6, deal `toy`): no solution"),
                "{e}"
            ),
            e => panic!("{e}"),
        }
    }

    #[test]
    fn unknown_deal_lists_known_ids() {
        let b = RecordBatch::try_from_iter(vec![(
            "deal",
            Arc::new(StringArray::from(vec!["no/such/deal"])) as ArrayRef,
        )])
        .unwrap();
        let e = run(&b, &BatchOptions::default()).unwrap_err();
        assert!(matches!(e, RunError::Input(_)));
        let e = e.to_string();
        assert!(
            e.starts_with("scenario table: row 0, column `deal`: deal `no/such/deal`: cannot open"),
            "{e}"
        );
        assert!(e.contains("toy"), "{e}");
    }
}
