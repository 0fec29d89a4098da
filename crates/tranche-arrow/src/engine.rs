//! Where scenarios meet the engine: a [`DealSource`] hands out one prepared
//! [`ScenarioEngine`] per deal (loaded and validated once, then run many times).

use crate::results::ScenarioResult;
use crate::scenarios::GridScenario;
use crate::GridError;
use arrow_array::RecordBatch;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tranche_core::waterfall::{DealRun, Horizon};

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
    name: String,
}

fn unavailable(what: &str) -> GridError {
    GridError::Engine(format!("{what} is not available in this build"))
}

impl PreparedDeal {
    /// Loads a deal directory (or deal file): deal file, tape and curves.
    pub fn load(path: &Path) -> Result<Self, GridError> {
        Err(unavailable(&format!("{}: deal loading", path.display())))
    }

    /// Where the deal was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The deal's name (its directory name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Bond names in the deal's order.
    pub fn bond_names(&self) -> Vec<String> {
        Vec::new()
    }

    /// Runs one scenario through collateral and waterfall.
    pub fn run_deal(&self, spec: &RunSpec) -> Result<DealRun, GridError> {
        let _ = spec;
        Err(unavailable("the waterfall"))
    }

    /// Analytics of a run: every bond's DM at `price`, WAL, duration, window; losses.
    pub fn analyze(&self, run: &DealRun, price: f64) -> Result<ScenarioResult, GridError> {
        let _ = (run, price);
        Err(unavailable("analytics"))
    }

    /// The price/DM table of the Computational Materials at the given speeds.
    pub fn price_table(&self, speeds: &[f64], horizon: Horizon) -> Result<RecordBatch, GridError> {
        let _ = (speeds, horizon);
        Err(unavailable("the price table"))
    }

    /// The collateral stratification tables, by name.
    pub fn strats(&self) -> Result<Vec<(String, RecordBatch)>, GridError> {
        Err(unavailable("strats"))
    }

    /// The Available Funds Rate schedule.
    pub fn afr(&self, spec: &RunSpec) -> Result<RecordBatch, GridError> {
        let _ = spec;
        Err(unavailable("the Available Funds Rate schedule"))
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
