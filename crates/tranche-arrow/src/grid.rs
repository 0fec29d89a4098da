//! The grid entry point: RecordBatch of scenarios in, RecordBatch of results out.

use crate::engine::{DealSource, ScenarioEngine};
use crate::results::{build_results, ScenarioResult};
use crate::scenarios::{read_scenarios, GridScenario};
use crate::GridError;
use arrow_array::RecordBatch;
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug, Clone, Default)]
pub struct GridOptions {
    /// Worker threads; `None` = rayon's global pool (all cores, or `RAYON_NUM_THREADS`).
    pub threads: Option<usize>,
    /// Deal for rows whose `deal` is missing or null.
    pub default_deal: Option<String>,
    /// Row number of the batch's first row (for default scenario ids and messages).
    pub first_row: usize,
}

/// Runs every scenario of `batch`. Output rows follow input order (scenario by scenario,
/// bonds in deal order) and do not depend on the thread count. The first failing row
/// (in input order) is reported, naming its row number, id and deal.
pub fn run_batch(
    batch: &RecordBatch,
    source: &dyn DealSource,
    opts: &GridOptions,
) -> Result<RecordBatch, GridError> {
    let scenarios = read_scenarios(batch, opts.first_row, opts.default_deal.as_deref())?;
    let results = run_scenarios(&scenarios, source, opts.threads)?;
    build_results(&scenarios, &results)
}

/// Runs parsed scenarios; `results[i]` belongs to `scenarios[i]`.
pub fn run_scenarios(
    scenarios: &[GridScenario],
    source: &dyn DealSource,
    threads: Option<usize>,
) -> Result<Vec<ScenarioResult>, GridError> {
    // Deals are loaded up front, once each, in first-use order.
    let mut engines: HashMap<&str, Arc<dyn ScenarioEngine>> = HashMap::new();
    for s in scenarios {
        if !engines.contains_key(s.deal.as_str()) {
            engines.insert(&s.deal, source.deal(&s.deal)?);
        }
    }
    let run_one = |s: &GridScenario| -> Result<ScenarioResult, GridError> {
        match engines.get(s.deal.as_str()) {
            Some(e) => e.run(s),
            None => Err(GridError::Internal(format!("deal `{}` not loaded", s.deal))),
        }
    };
    let outcomes: Vec<Result<ScenarioResult, GridError>> = match threads {
        Some(1) => scenarios.iter().map(run_one).collect(),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| GridError::Internal(e.to_string()))?
            .install(|| scenarios.par_iter().map(run_one).collect()),
        None => scenarios.par_iter().map(run_one).collect(),
    };
    let mut results = Vec::with_capacity(outcomes.len());
    for (s, o) in scenarios.iter().zip(outcomes) {
        match o {
            Ok(r) => results.push(r),
            Err(e) => {
                let context = format!("scenario {} (deal `{}`)", s.scenario_id, s.deal);
                return Err(match e {
                    GridError::Input(m) => GridError::Input(format!("{context}: {m}")),
                    GridError::Engine(m) => GridError::Engine(format!("{context}: {m}")),
                    GridError::Internal(m) => GridError::Internal(format!("{context}: {m}")),
                });
            }
        }
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{DealCache, DealIds};
    use crate::results::{result_schema, BondResult};
    use arrow_array::cast::AsArray;
    use arrow_array::types::Float64Type;
    use arrow_array::{ArrayRef, Float64Array, StringArray};

    /// A deterministic stand-in engine: the plumbing is tested, not the finance.
    struct Toy;
    impl ScenarioEngine for Toy {
        fn run(&self, s: &GridScenario) -> Result<ScenarioResult, GridError> {
            if s.cdr_pct > 50.0 {
                return Err(GridError::Engine("toy engine refuses CDR above 50".into()));
            }
            Ok(ScenarioResult {
                bonds: ["A", "B"]
                    .iter()
                    .map(|b| BondResult {
                        bond: b.to_string(),
                        dm_bps: Some(s.speed_pct + s.shock_bps),
                        wal_years: Some(100.0 / s.speed_pct.max(1.0)),
                        mod_duration: None,
                        first_principal_period: Some(1),
                        last_principal_period: Some(s.lag_months + 1),
                        first_principal_date: None,
                        last_principal_date: None,
                        bond_writedown: 0.0,
                        unpaid_principal: 0.0,
                        principal_loss_pct: 0.0,
                    })
                    .collect(),
                collateral_loss: s.cdr_pct * s.severity_pct,
                collateral_loss_pct: 0.0,
            })
        }
    }

    fn toy_cache() -> DealCache {
        DealCache::with_loader(|_| Ok(Arc::new(Toy) as Arc<dyn ScenarioEngine>))
    }

    fn toy_ids() -> HashMap<String, std::path::PathBuf> {
        HashMap::from([("toy".to_string(), std::env::temp_dir())])
    }

    fn scenarios(n: usize) -> RecordBatch {
        let speed: Vec<f64> = (0..n).map(|i| 50.0 + i as f64).collect();
        let cdr: Vec<f64> = (0..n).map(|i| (i % 7) as f64).collect();
        RecordBatch::try_from_iter(vec![
            (
                "deal",
                Arc::new(StringArray::from(vec!["toy"; n])) as ArrayRef,
            ),
            ("speed_pct", Arc::new(Float64Array::from(speed)) as ArrayRef),
            ("cdr_pct", Arc::new(Float64Array::from(cdr)) as ArrayRef),
        ])
        .unwrap()
    }

    #[test]
    fn rows_follow_input_order_for_any_thread_count() {
        let b = scenarios(300);
        let (cache, ids) = (toy_cache(), toy_ids());
        let cache = DealIds {
            cache: &cache,
            ids: &ids,
        };
        let one = run_batch(
            &b,
            &cache,
            &GridOptions {
                threads: Some(1),
                ..Default::default()
            },
        )
        .unwrap();
        let four = run_batch(
            &b,
            &cache,
            &GridOptions {
                threads: Some(4),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(one, four);
        assert_eq!(one.schema(), result_schema());
        assert_eq!(one.num_rows(), 600);
        let dm = one
            .column_by_name("dm_bps")
            .unwrap()
            .as_primitive::<Float64Type>();
        assert_eq!(dm.value(0), 50.0);
        assert_eq!(dm.value(599), 349.0);
    }

    #[test]
    fn first_failing_row_is_reported() {
        let b = RecordBatch::try_from_iter(vec![(
            "cdr",
            Arc::new(Float64Array::from(vec![1.0, 60.0, 70.0])) as ArrayRef,
        )])
        .unwrap();
        let opts = GridOptions {
            default_deal: Some("toy".into()),
            threads: Some(2),
            first_row: 0,
        };
        let (cache, ids) = (toy_cache(), toy_ids());
        let src = DealIds {
            cache: &cache,
            ids: &ids,
        };
        let e = run_batch(&b, &src, &opts).unwrap_err().to_string();
        assert!(e.starts_with("scenario 1 (deal `toy`)"), "{e}");
    }

    #[test]
    fn unknown_deal_lists_known_ids() {
        let b = RecordBatch::try_from_iter(vec![(
            "deal",
            Arc::new(StringArray::from(vec!["no/such/deal"])) as ArrayRef,
        )])
        .unwrap();
        let (cache, ids) = (toy_cache(), toy_ids());
        let src = DealIds {
            cache: &cache,
            ids: &ids,
        };
        let e = run_batch(&b, &src, &GridOptions::default()).unwrap_err();
        assert!(matches!(e, GridError::Input(_)));
        assert!(
            e.to_string().contains("deal `no/such/deal`: cannot open"),
            "{e}"
        );
        assert!(e.to_string().contains("toy"), "{e}");
    }
}
