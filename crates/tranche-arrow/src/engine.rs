//! Where scenarios meet the engine: a [`DealSource`] hands out one prepared
//! [`ScenarioEngine`] per deal (loaded and validated once, then run many times).

use crate::error::{core_error, spelled};
use crate::RunError;
use arrow_array::RecordBatch;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tranche_core::breakeven::BreakevenSpec;
use tranche_core::collateral::LoanPool;
use tranche_core::deal::YearMonth;
use tranche_core::runner::{DealModel, RunOutput};
use tranche_core::scenario::{Scenario, Shock};
use tranche_core::strats::{compute_all, default_tables, StratContext};
use tranche_core::summary::RunSummary;
use tranche_core::tables::afr_schedule;

/// A deal ready to run scenarios through the core's one runner. Implementations are
/// immutable and thread-safe.
pub trait ScenarioEngine: Send + Sync {
    fn run(&self, scenario: &Scenario) -> tranche_core::Result<RunSummary>;
}

/// Resolves the `deal` column of a scenario table to a prepared deal.
pub trait DealSource: Sync {
    fn deal(&self, name: &str) -> Result<Arc<dyn ScenarioEngine>, RunError>;
}

type Loader = dyn Fn(&Path) -> Result<Arc<dyn ScenarioEngine>, RunError> + Send + Sync;

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
        loader: impl Fn(&Path) -> Result<Arc<dyn ScenarioEngine>, RunError> + Send + Sync + 'static,
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
    ) -> Result<Arc<dyn ScenarioEngine>, RunError> {
        let given = ids
            .get(name)
            .cloned()
            .unwrap_or_else(|| PathBuf::from(name));
        let path = given.canonicalize().map_err(|e| {
            let mut known: Vec<&str> = ids.keys().map(String::as_str).collect();
            known.sort_unstable();
            RunError::input(format!(
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
    fn deal(&self, name: &str) -> Result<Arc<dyn ScenarioEngine>, RunError> {
        self.get(name, &HashMap::new())
    }
}

/// A [`DealCache`] seen through a table of deal ids (id -> path).
pub struct DealIds<'a> {
    pub cache: &'a DealCache,
    pub ids: &'a HashMap<String, PathBuf>,
}

impl DealSource for DealIds<'_> {
    fn deal(&self, name: &str) -> Result<Arc<dyn ScenarioEngine>, RunError> {
        self.cache.get(name, self.ids)
    }
}

/// A deal loaded from its files and checked, ready to run many scenarios through the
/// core's one runner.
pub struct PreparedDeal {
    path: PathBuf,
    model: DealModel,
    loans: Vec<tranche_core::tape::Loan>,
    /// The tape's warnings, one line per broken rule.
    warnings: Vec<String>,
}

pub use tranche_io::as_of::AsOf;

impl PreparedDeal {
    /// Loads a deal directory (or deal file): deal file, tape and curves. Tape loans that
    /// break a warning rule are counted ([`PreparedDeal::warnings`]), not refused.
    pub fn load(path: &Path) -> Result<Self, RunError> {
        Self::load_with(path, false)
    }

    /// [`PreparedDeal::load`]; `strict`: tape loans that break a warning rule are errors.
    pub fn load_with(path: &Path, strict: bool) -> Result<Self, RunError> {
        let loaded = tranche_io::deal::load_deal(path, strict)?;
        let tape = loaded.dir.join(&loaded.deal.collateral.tape);
        let pool = LoanPool::from_loans(&loaded.loans)
            .map_err(|e| RunError::Input(format!("{}: {}", tape.display(), e)))?;
        let model = DealModel::new(loaded.deal, pool, loaded.curves)
            .map_err(|e| RunError::Input(format!("{}: {}", path.display(), e)))?;
        Ok(PreparedDeal {
            path: path.to_path_buf(),
            model,
            loans: loaded.loans,
            warnings: loaded.warnings.lines(),
        })
    }

    /// The deal placed at a deal state with its current tape, as `tranche run --as-of
    /// --state --tape` places it: every run projects the periods after the as-of date.
    /// The state and the tape are checked against the deal and each other; errors name
    /// the file, line and field, in the command line's words.
    pub fn load_as_of(path: &Path, strict: bool, at: &AsOf<'_>) -> Result<Self, RunError> {
        let p = tranche_io::as_of::load_at(path, strict, at)?;
        Ok(PreparedDeal {
            path: path.to_path_buf(),
            model: p.model,
            // The strats describe the loans outstanding: paid-off rows are left out.
            loans: p.loans.into_iter().filter(|l| l.balance > 0.0).collect(),
            warnings: p.warnings.lines(),
        })
    }

    /// The deal with a pool's remittance actuals (`docs/surveillance.md`) for the payment
    /// dates after where it starts, read and checked as the command line's `--actuals`.
    pub fn with_actuals(mut self, actuals: &Path) -> Result<Self, RunError> {
        let af = tranche_io::actuals::read_actuals(actuals)?;
        self.model = af.place(self.model)?;
        Ok(self)
    }

    /// The as-of month runs start after, when loaded at a deal state.
    pub fn as_of(&self) -> Option<YearMonth> {
        self.model.as_of()
    }

    /// The tape's warnings, one line per broken rule, each naming the file, the first
    /// row, the column and the count (`docs/validation.md`).
    pub fn warnings(&self) -> Vec<String> {
        self.warnings.clone()
    }

    /// Where the deal was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The deal's name (from its deal file).
    pub fn name(&self) -> &str {
        &self.model.deal.name
    }

    /// Bond names in the deal's order.
    pub fn bond_names(&self) -> Vec<String> {
        self.model
            .deal
            .bonds
            .iter()
            .map(|b| b.name.clone())
            .collect()
    }

    /// Number of loans (or rep lines) on the tape.
    pub fn loan_count(&self) -> usize {
        self.model.pool.len()
    }

    /// The deal, pool and curves behind this engine.
    pub fn model(&self) -> &DealModel {
        &self.model
    }

    /// Runs one scenario through the core's runner; a mistake in a field is told as
    /// `spell(field)` and the core's message.
    pub fn run(
        &self,
        scenario: &Scenario,
        spell: &dyn Fn(&str) -> String,
    ) -> Result<RunOutput, RunError> {
        self.model.run(scenario).map_err(|e| spelled(e, spell))
    }

    /// [`Self::run`] with every bond's effective duration and convexity, as `tranche run
    /// --summary` gives them (the deal rerun with the index paths shifted ±`shift_bps`).
    pub fn run_with_risk(
        &self,
        scenario: &Scenario,
        shift_bps: f64,
        spell: &dyn Fn(&str) -> String,
    ) -> Result<RunOutput, RunError> {
        tranche_core::pricing::run_with_risk(&self.model, scenario, shift_bps)
            .map_err(|e| spelled(e, spell))
    }

    /// The Price/DM report of every class, as `tranche price-table` computes it: `base`
    /// (its rates, defaults and price) at each speed (percent of the pricing speed), to
    /// call and to maturity.
    pub fn price_table(
        &self,
        base: &Scenario,
        speeds: &[f64],
        spell: &dyn Fn(&str) -> String,
    ) -> Result<RecordBatch, RunError> {
        let rows = tranche_core::tables::price_table(&self.model, base, speeds)
            .map_err(|e| spelled(e, spell))?;
        Ok(crate::tables::price_table_batch(&rows)?)
    }

    /// Breakevens as `tranche breakeven` solves them (unrounded; see
    /// [`crate::tables::breakeven_batch`]), cells in parallel on the current rayon pool.
    pub fn breakeven(
        &self,
        spec: &BreakevenSpec,
        spell: &dyn Fn(&str) -> String,
    ) -> Result<RecordBatch, RunError> {
        let rows = tranche_core::breakeven::solve(&self.model, spec, &|| {})
            .map_err(|e| spelled(e, spell))?;
        Ok(crate::tables::breakeven_batch(&rows)?)
    }

    /// The default collateral stratification tables (as the term sheet prints them), by
    /// file stem, then the pool summary as `summary`.
    pub fn strats(&self) -> Result<Vec<(String, RecordBatch)>, RunError> {
        let deal = &self.model.deal;
        // A current tape stands as of the first day of its as-of month.
        let date = self
            .as_of()
            .and_then(|m| chrono::NaiveDate::from_ymd_opt(m.year, m.month, 1))
            .unwrap_or(deal.dates.cut_off);
        let ctx = StratContext {
            fees: deal.pool_fees(),
            cutoff: Some(date),
        };
        let tables = compute_all(&default_tables(), &self.loans, &ctx).map_err(core_error)?;
        tables
            .iter()
            .map(|t| Ok((t.file_stem.clone(), crate::tables::strat_table(t)?)))
            .collect()
    }

    /// The Available Funds Rate schedule, as `tranche afr` computes it: under `base` and
    /// under `base` with `shock` added.
    pub fn afr(
        &self,
        base: &Scenario,
        shock: &Shock,
        spell: &dyn Fn(&str) -> String,
    ) -> Result<RecordBatch, RunError> {
        let rows = afr_schedule(&self.model, base, shock).map_err(|e| spelled(e, spell))?;
        Ok(crate::tables::afr_batch(&rows)?)
    }
}

impl ScenarioEngine for PreparedDeal {
    fn run(&self, scenario: &Scenario) -> tranche_core::Result<RunSummary> {
        self.model.run(scenario).map(|o| o.summary)
    }
}

/// Loads a deal directory (or deal file) with the real engine.
pub fn load_engine(path: &Path) -> Result<Arc<dyn ScenarioEngine>, RunError> {
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
    fn a_deal_loads_at_a_state_and_runs_from_it() {
        let case = repo("tests/bad_inputs/state_as_of_other_month");
        let (state, tape) = (case.join("state.json"), case.join("current.csv"));
        let at = |month| AsOf {
            name: "as_of",
            month,
            state: &state,
            tape: &tape,
        };
        let toy = repo("tests/bad_inputs/_base/toy");
        let d = PreparedDeal::load_as_of(&toy, false, &at("2024-07")).unwrap();
        assert_eq!(d.as_of().map(|m| m.to_string()).as_deref(), Some("2024-07"));
        let run = d.run(&Scenario::default(), &|f| f.to_string()).unwrap();
        assert!(run.run.periods[0].period > 1, "{:?}", run.run.periods[0]);
        let e = PreparedDeal::load_as_of(&toy, false, &at("2024-08"))
            .err()
            .unwrap();
        assert!(
            e.to_string().starts_with("as_of 2024-08: the deal state ")
                && e.to_string()
                    .ends_with("is as of 2024-07; expected a state as of 2024-08"),
            "{e}"
        );
        let e = PreparedDeal::load_as_of(&toy, false, &at("July"))
            .err()
            .unwrap();
        assert_eq!(
            e.to_string(),
            "as_of: expected a month YYYY-MM, found `July`"
        );
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
            Err(RunError::Input(e)) => assert!(e.contains("row 1, field `age`"), "{e}"),
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("strict load accepted a warned loan"),
        }
    }
}
