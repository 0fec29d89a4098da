//! Where scenarios meet the engine: a [`DealSource`] hands out one prepared
//! [`ScenarioEngine`] per deal (loaded and validated once, then run many times).

use crate::results::{BondResult, ScenarioResult};
use crate::scenarios::GridScenario;
use crate::GridError;
use arrow_array::RecordBatch;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tranche_core::assumptions::DefaultCurve;
use tranche_core::collateral::LoanPool;
use tranche_core::grid::summarize_run;
use tranche_core::rates::{RateCurves, RatePath};
use tranche_core::strats::{compute_all, default_tables, StratContext};
use tranche_core::tables::runner::DealContext;
use tranche_core::tables::{afr_schedule, check_price, AfrOptions, PriceTableOptions, TableRates};
use tranche_core::tape::RateIndex;
use tranche_core::waterfall::{run_deal_with_ledger, DealRun, Horizon, Ledger};
use tranche_io::deal::LoadedDeal;

/// A deal ready to run scenarios. Implementations are immutable and thread-safe.
pub trait ScenarioEngine: Send + Sync {
    fn run(&self, scenario: &GridScenario) -> Result<ScenarioResult, GridError>;
}

/// Resolves the `deal` column of a scenario table to a prepared deal.
pub trait DealSource: Sync {
    fn deal(&self, name: &str) -> Result<Arc<dyn ScenarioEngine>, GridError>;
}

type Loader = dyn Fn(&Path) -> Result<Arc<dyn ScenarioEngine>, GridError> + Send + Sync;

/// Deals by path, each loaded once.
///
/// Keys are canonical paths, so `deals/x` and `./deals/x/` share one entry. A long-lived
/// cache (Spark executors keep one per Python worker) does not notice edited files:
/// call [`DealCache::clear`] after changing a deal.
pub struct DealCache {
    loaded: Mutex<HashMap<PathBuf, Arc<dyn ScenarioEngine>>>,
    loader: Box<Loader>,
}

impl DealCache {
    /// A cache that loads deals with the real engine.
    pub fn new() -> Self {
        Self::with_loader(load_engine)
    }

    /// A cache with a custom loader (tests, or engines over other deal formats).
    pub fn with_loader(
        loader: impl Fn(&Path) -> Result<Arc<dyn ScenarioEngine>, GridError> + Send + Sync + 'static,
    ) -> Self {
        DealCache {
            loaded: Mutex::new(HashMap::new()),
            loader: Box::new(loader),
        }
    }

    pub fn clear(&self) {
        if let Ok(mut m) = self.loaded.lock() {
            m.clear();
        }
    }

    /// The deal named `name`: an id of `ids`, else a path.
    pub fn get(
        &self,
        name: &str,
        ids: &HashMap<String, PathBuf>,
    ) -> Result<Arc<dyn ScenarioEngine>, GridError> {
        let given = ids
            .get(name)
            .cloned()
            .unwrap_or_else(|| PathBuf::from(name));
        let path = given.canonicalize().map_err(|e| {
            let mut known: Vec<&str> = ids.keys().map(String::as_str).collect();
            known.sort_unstable();
            GridError::input(format!(
                "deal `{name}`: cannot open {}: {e}; expected a deal directory or deal file{}",
                given.display(),
                if known.is_empty() {
                    String::new()
                } else {
                    format!(" (or one of the deal ids: {})", known.join(", "))
                }
            ))
        })?;
        if let Some(e) = self.loaded.lock().ok().and_then(|m| m.get(&path).cloned()) {
            return Ok(e);
        }
        // Loaded outside the lock: two threads may each load the same deal once; the
        // results are identical and the second insert wins.
        let engine = (self.loader)(&path)?;
        if let Ok(mut m) = self.loaded.lock() {
            m.insert(path, engine.clone());
        }
        Ok(engine)
    }
}

impl Default for DealCache {
    fn default() -> Self {
        Self::new()
    }
}

impl DealSource for DealCache {
    fn deal(&self, name: &str) -> Result<Arc<dyn ScenarioEngine>, GridError> {
        self.get(name, &HashMap::new())
    }
}

/// A [`DealCache`] seen through a table of deal ids (id -> path).
pub struct DealIds<'a> {
    pub cache: &'a DealCache,
    pub ids: &'a HashMap<String, PathBuf>,
}

impl DealSource for DealIds<'_> {
    fn deal(&self, name: &str) -> Result<Arc<dyn ScenarioEngine>, GridError> {
        self.cache.get(name, self.ids)
    }
}

/// One scenario of a single deal run, with an optional override of the index curves.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSpec {
    pub scenario: GridScenario,
    /// Replaces every LIBOR curve of the deal by this path (percent, by period; a single
    /// value is a flat curve) before any shock is applied.
    pub libor_pct: Option<Vec<f64>>,
}

/// A deal loaded from its files and validated, ready to run many scenarios.
pub struct PreparedDeal {
    path: PathBuf,
    loaded: LoadedDeal,
    pool: LoanPool,
}

/// Engine errors as the CLI classes them: a solver that found no solution is the engine's
/// limit; everything else is input the engine rejects.
pub fn core_error(e: tranche_core::Error) -> GridError {
    match e {
        tranche_core::Error::NoSolution(_) => GridError::Engine(e.to_string()),
        _ => GridError::Input(e.to_string()),
    }
}

impl PreparedDeal {
    /// Loads a deal directory (or deal file): deal file, tape and curves. Tape loans that
    /// break a warning rule are counted ([`PreparedDeal::warnings`]), not refused.
    pub fn load(path: &Path) -> Result<Self, GridError> {
        Self::load_with(path, false)
    }

    /// [`PreparedDeal::load`]; `strict`: tape loans that break a warning rule are errors.
    pub fn load_with(path: &Path, strict: bool) -> Result<Self, GridError> {
        let loaded = tranche_io::deal::load_deal(path, strict)?;
        let pool = LoanPool::from_loans(&loaded.loans).map_err(|e| {
            GridError::Input(format!(
                "{}: {}",
                loaded.dir.join(&loaded.deal.collateral.tape).display(),
                e
            ))
        })?;
        Ok(PreparedDeal {
            path: path.to_path_buf(),
            loaded,
            pool,
        })
    }

    /// The tape's warnings, one line per broken rule, each naming the file, the first
    /// row, the column and the count (`docs/validation.md`).
    pub fn warnings(&self) -> Vec<String> {
        self.loaded.warnings.lines()
    }

    /// Where the deal was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The deal's name (from its deal file).
    pub fn name(&self) -> &str {
        &self.loaded.deal.name
    }

    /// Bond names in the deal's order.
    pub fn bond_names(&self) -> Vec<String> {
        self.loaded
            .deal
            .bonds
            .iter()
            .map(|b| b.name.clone())
            .collect()
    }

    /// Number of loans (or rep lines) on the tape.
    pub fn loan_count(&self) -> usize {
        self.pool.len()
    }

    /// The index paths a scenario starts from, as `tranche run` builds them: a `libor`
    /// override (every index flat, or following the given path), else the deal's forward
    /// curves, else its flat pricing rates; then the scenario's shock.
    fn rates(&self, spec: &RunSpec) -> RateCurves {
        let deal = &self.loaded.deal;
        let base = match &spec.libor_pct {
            Some(path) => {
                let p = RatePath {
                    values: path.iter().map(|x| x / 100.0).collect(),
                };
                let mut rc = RateCurves::flat_all(0.0);
                for (_, v) in rc.paths.iter_mut() {
                    *v = p.clone();
                }
                for n in &deal.collateral.indices {
                    rc.set(RateIndex::parse(n), p.clone());
                }
                rc
            }
            None => self
                .loaded
                .curves
                .clone()
                .unwrap_or_else(|| deal.pricing_rates()),
        };
        let s = &spec.scenario;
        if s.shock_bps == 0.0 {
            base
        } else {
            base.shocked(s.shock_bps, s.shock_start_period as usize, 0)
        }
    }

    /// Runs one scenario through collateral and waterfall, with the trust's ledger.
    pub fn run_with_ledger(&self, spec: &RunSpec) -> Result<(DealRun, Ledger), GridError> {
        let s = &spec.scenario;
        let deal = &self.loaded.deal;
        let scenario = deal.scenario(
            s.speed_pct,
            DefaultCurve::Cdr {
                cdr: s.cdr_pct / 100.0,
            },
            s.severity_pct / 100.0,
            s.lag_months,
            self.rates(spec),
        );
        run_deal_with_ledger(deal, &self.pool, &scenario, s.horizon).map_err(core_error)
    }

    /// Runs one scenario through collateral and waterfall.
    pub fn run_deal(&self, spec: &RunSpec) -> Result<DealRun, GridError> {
        self.run_with_ledger(spec).map(|(r, _)| r)
    }

    /// Analytics of a run, as the scenario grid computes them: every bond's DM at `price`
    /// against the run's own index, WAL, modified duration, window; write-downs; losses.
    pub fn analyze(&self, run: &DealRun, price: f64) -> Result<ScenarioResult, GridError> {
        let summary = summarize_run(run, price).map_err(core_error)?;
        Ok(ScenarioResult {
            bonds: summary
                .bonds
                .into_iter()
                .map(|b| BondResult {
                    bond: b.name,
                    dm_bps: b.dm.map(|dm| dm * 10_000.0),
                    wal_years: b.wal,
                    mod_duration: b.mod_duration,
                    first_principal_period: b.window.map(|w| w.first_period),
                    last_principal_period: b.window.map(|w| w.last_period),
                    first_principal_date: b.window.map(|w| w.first_date),
                    last_principal_date: b.window.map(|w| w.last_date),
                    bond_writedown: b.net_writedown,
                })
                .collect(),
            collateral_loss: summary.pool_loss,
            collateral_loss_pct: summary.pool_loss_pct,
        })
    }

    /// The Price/DM report of every class, as `tranche price-table` computes it: at `price`
    /// (percent of par) and each speed (percent of the pricing speed), to call and to
    /// maturity; every index flat at `libor_pct` for the runs and the DM, default the
    /// deal's pricing level. Messages are the command's, options spelled as arguments.
    pub fn price_table(
        &self,
        price: f64,
        speeds: &[f64],
        libor_pct: Option<f64>,
    ) -> Result<RecordBatch, GridError> {
        if speeds.is_empty() {
            return Err(GridError::input("speeds: needs at least one value"));
        }
        check_price(price).map_err(|m| GridError::input(format!("price: {m}")))?;
        let deal = &self.loaded.deal;
        let rates = TableRates::for_deal(deal, libor_pct)
            .map_err(|m| GridError::input(format!("libor: {m}")))?;
        let ctx = DealContext::new(deal, &self.pool);
        let rows = tranche_core::tables::price_table(
            &ctx,
            &PriceTableOptions {
                price,
                speeds: speeds.to_vec(),
                rates,
            },
        )
        .map_err(core_error)?;
        Ok(crate::tables::price_table_batch(&rows)?)
    }

    /// The default collateral stratification tables (as the term sheet prints them), by
    /// file stem, then the pool summary as `summary`.
    pub fn strats(&self) -> Result<Vec<(String, RecordBatch)>, GridError> {
        let deal = &self.loaded.deal;
        let ctx = StratContext {
            fees: deal.pool_fees(),
            cutoff: Some(deal.dates.cut_off),
        };
        let tables =
            compute_all(&default_tables(), &self.loaded.loans, &ctx).map_err(core_error)?;
        tables
            .iter()
            .map(|t| Ok((t.file_stem.clone(), crate::tables::strat_table(t)?)))
            .collect()
    }

    /// The Available Funds Rate schedule, as `tranche afr` computes it: under the forward
    /// curves (`curves`, default the deal's `curves.csv`) and under the same curves
    /// shocked by `shock_bps` from period `shock_from`, at `speed_pct` of the pricing
    /// speed to `horizon`. Messages are the command's, options spelled as arguments.
    pub fn afr(
        &self,
        curves: Option<&Path>,
        shock_bps: f64,
        shock_from: i64,
        speed_pct: f64,
        horizon: Horizon,
    ) -> Result<RecordBatch, GridError> {
        if !shock_bps.is_finite() || shock_bps.abs() > 10_000.0 {
            return Err(GridError::input(format!(
                "shock_bps: expected basis points within ±10000, found {shock_bps}"
            )));
        }
        let shock_from = usize::try_from(shock_from)
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| GridError::input("shock_from: periods count from 1"))?;
        if !(speed_pct.is_finite() && speed_pct >= 0.0) {
            return Err(GridError::input(format!(
                "speed: expected a percent ≥ 0, found {speed_pct}"
            )));
        }
        let curves = match curves {
            Some(p) => tranche_io::curves::read_curves(p)?,
            None => self.loaded.curves.clone().ok_or_else(|| {
                GridError::input(format!(
                    "{}: the deal has no curves.csv; pass curves=FILE",
                    self.path.display()
                ))
            })?,
        };
        let ctx = DealContext::new(&self.loaded.deal, &self.pool);
        let rows = afr_schedule(
            &ctx,
            &AfrOptions {
                curves,
                shock_bps,
                shock_from,
                speed_pct,
                horizon,
            },
        )
        .map_err(core_error)?;
        Ok(crate::tables::afr_batch(&rows)?)
    }
}

impl ScenarioEngine for PreparedDeal {
    fn run(&self, scenario: &GridScenario) -> Result<ScenarioResult, GridError> {
        let spec = RunSpec {
            scenario: scenario.clone(),
            libor_pct: None,
        };
        let run = self.run_deal(&spec)?;
        self.analyze(&run, scenario.price)
    }
}

/// Loads a deal directory (or deal file) with the real engine.
pub fn load_engine(path: &Path) -> Result<Arc<dyn ScenarioEngine>, GridError> {
    Ok(Arc::new(PreparedDeal::load(path)?))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn repo(rel: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(rel)
    }

    #[test]
    fn tape_warnings_come_with_the_deal_and_strict_refuses_them() {
        let reference = PreparedDeal::load(&repo("deals/impac-cmb-2004-1")).unwrap();
        assert!(reference.warnings().is_empty());
        // The toy deal with one loan whose age and remaining term overrun its term.
        let dir = tempfile::tempdir().unwrap();
        let toy = repo("tests/bad_inputs/_base/toy");
        for f in ["deal.toml", "curves.csv", "tape.csv"] {
            std::fs::copy(toy.join(f), dir.path().join(f)).unwrap();
        }
        let tape = dir.path().join("tape.csv");
        let body = std::fs::read_to_string(&tape).unwrap();
        std::fs::write(&tape, body.replacen("358,2,arm", "358,10,arm", 1)).unwrap();
        let d = PreparedDeal::load(dir.path()).unwrap();
        let w = d.warnings();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].ends_with("tape.csv: row 1, field `age`: age 10 + remaining term 358 = 368 months exceeds the original term 360 (loan `L1`); projected over its remaining term, with its age as given"),
            "{w:?}"
        );
        assert_eq!(d.loan_count(), 4);
        match PreparedDeal::load_with(dir.path(), true) {
            Err(GridError::Input(e)) => assert!(e.contains("row 1, field `age`"), "{e}"),
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("strict load accepted a warned loan"),
        }
    }
}
