//! `tranche.Deal`, `tranche.RunResult` and the scenario-table entry point
//! `tranche.run_scenarios`. A run takes the scenario keywords of [`crate::keywords`]; a
//! grid crosses its axes; a scenario table runs one scenario per row.

use crate::errors::{input, to_py};
use crate::input::scenario_batches;
use crate::keywords::{numbers, Keywords};
use crate::table::Table;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use tranche_arrow::engine::{AsOf, DealCache, DealIds, DealSource, PreparedDeal, ScenarioEngine};
use tranche_arrow::{build_results, result_schema, run_scenario_batch, tables, BatchOptions};
use tranche_arrow::{RunError, ScenarioRow};
use tranche_core::breakeven::{
    default_base, refused, BreakevenSpec, Over, Target, DEFAULT_LAG_MONTHS, DEFAULT_SEVERITY_PCT,
    DEFAULT_SPEED_PCT,
};
use tranche_core::grid::{Axis, GridSpec, DEFAULT_MAX_CELLS};
use tranche_core::pricing::{DEFAULT_SHIFT_BPS, EFFECTIVE_SHIFT};
use tranche_core::scenario::{check, field_spec, Scenario, Shock};
use tranche_core::summary::RunSummary;
use tranche_core::tables::{afr_base, AFR_SHOCK};
use tranche_core::waterfall::{DealRun, Ledger};

/// Deals loaded by `run_scenarios`, kept for the life of the process (one per Spark
/// worker).
fn cache() -> &'static DealCache {
    static CACHE: OnceLock<DealCache> = OnceLock::new();
    CACHE.get_or_init(DealCache::new)
}

/// Runs scenario batches against `source`, numbering rows across batches.
fn run_batches(
    py: Python<'_>,
    scenarios: &Bound<'_, PyAny>,
    source: &(dyn DealSource + Send + Sync),
    default_deal: Option<String>,
    threads: Option<usize>,
) -> PyResult<Table> {
    let batches = scenario_batches(scenarios)?;
    let out = py.detach(|| -> Result<Vec<_>, RunError> {
        let mut out = Vec::with_capacity(batches.len());
        let mut first_row = 0;
        for b in &batches {
            let opts = BatchOptions {
                threads,
                default_deal: default_deal.clone(),
                first_row,
            };
            out.push(run_scenario_batch(b, source, &opts)?);
            first_row += b.num_rows();
        }
        Ok(out)
    });
    Ok(Table::from_batches(result_schema(), out.map_err(to_py)?))
}

/// Runs a table of explicit scenarios, one row per (deal, scenario), nothing crossed;
/// one table of results (one row per scenario and bond). The Arrow entry point Spark
/// executors call.
///
/// `deals` maps deal ids used in the `deal` column to deal directories; other values of
/// `deal` are paths. `threads=None` uses every core.
#[pyfunction]
#[pyo3(signature = (scenarios, deals=None, *, threads=None, default_deal=None))]
pub fn run_scenarios(
    py: Python<'_>,
    scenarios: &Bound<'_, PyAny>,
    deals: Option<HashMap<String, PathBuf>>,
    threads: Option<usize>,
    default_deal: Option<String>,
) -> PyResult<Table> {
    let ids = deals.unwrap_or_default();
    let source = DealIds {
        cache: cache(),
        ids: &ids,
    };
    run_batches(py, scenarios, &source, default_deal, threads)
}

/// Forgets every deal `run_scenarios` has loaded (call after editing a deal's files).
#[pyfunction]
pub fn clear_cache() {
    cache().clear();
}

/// Serves one already-loaded deal to a scenario table.
struct OneDeal {
    name: String,
    deal: Arc<PreparedDeal>,
}

impl DealSource for OneDeal {
    fn deal(&self, name: &str) -> Result<Arc<dyn ScenarioEngine>, RunError> {
        if name == self.name {
            Ok(self.deal.clone())
        } else {
            Err(RunError::input(format!(
                "deal `{name}`: Deal.run_scenarios runs only its own deal `{}`; use tranche.run_scenarios for several deals",
                self.name
            )))
        }
    }
}

/// A deal loaded from its directory: deal file, loan tape and forward curves.
#[pyclass(module = "tranche", name = "Deal", frozen)]
pub struct Deal {
    inner: Arc<PreparedDeal>,
}

#[pymethods]
impl Deal {
    /// Loads a deal directory (or a deal file). With `as_of` (`"YYYY-MM"`), `state` (the
    /// deal state as of that month) and `tape` (the current tape), the deal as it stood
    /// after that payment date, as `tranche ... --as-of --state --tape` loads it: every
    /// run, grid, table and breakeven projects the periods after it. With `actuals` (a
    /// remittance actuals CSV), the pool's reported figures drive the waterfall for the
    /// payment dates after where the deal starts, as `--actuals` does.
    #[staticmethod]
    #[pyo3(signature = (path, *, as_of=None, state=None, tape=None, actuals=None))]
    fn load(
        py: Python<'_>,
        path: PathBuf,
        as_of: Option<String>,
        state: Option<PathBuf>,
        tape: Option<PathBuf>,
        actuals: Option<PathBuf>,
    ) -> PyResult<Deal> {
        let inner = match (as_of, state, tape) {
            (None, None, None) => py.detach(|| PreparedDeal::load(&path)),
            (Some(month), Some(state), Some(tape)) => py.detach(|| {
                let at = AsOf {
                    name: "as_of",
                    month: &month,
                    state: &state,
                    tape: &tape,
                };
                PreparedDeal::load_as_of(&path, false, &at)
            }),
            (month, state, tape) => {
                let missing: Vec<&str> = [
                    ("as_of", month.is_none()),
                    ("state", state.is_none()),
                    ("tape", tape.is_none()),
                ]
                .iter()
                .filter(|(_, m)| *m)
                .map(|(k, _)| *k)
                .collect();
                let given = if month.is_some() {
                    "as_of"
                } else if state.is_some() {
                    "state"
                } else {
                    "tape"
                };
                return Err(input(format!(
                    "{given}: needs {}; as_of (YYYY-MM), state (the deal state as of it) and tape (the current tape) go together",
                    missing.join(" and ")
                )));
            }
        }
        .map_err(to_py)?;
        let inner = match actuals {
            Some(a) => py.detach(|| inner.with_actuals(&a)).map_err(to_py)?,
            None => inner,
        };
        Ok(Deal {
            inner: Arc::new(inner),
        })
    }

    /// The payment month runs start after (`"YYYY-MM"`), when loaded at a deal state;
    /// else `None` (runs from the cut-off).
    #[getter]
    fn as_of(&self) -> Option<String> {
        self.inner.as_of().map(|m| m.to_string())
    }

    #[getter]
    fn name(&self) -> String {
        self.inner.name().to_owned()
    }

    #[getter]
    fn path(&self) -> PathBuf {
        self.inner.path().to_path_buf()
    }

    /// Bond names in the deal's order.
    #[getter]
    fn bonds(&self) -> Vec<String> {
        self.inner.bond_names()
    }

    /// Runs one scenario (the scenario keywords; none: the deal's pricing assumption):
    /// collateral projection, waterfall and analytics, with effective duration and
    /// convexity by full revaluation at ±`eff_shift_bps` (as `tranche run --summary`).
    #[pyo3(signature = (*, eff_shift_bps=DEFAULT_SHIFT_BPS, **scenario))]
    fn run(
        &self,
        py: Python<'_>,
        eff_shift_bps: f64,
        scenario: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<RunResult> {
        let mut k = Keywords::read(scenario, "run", &["eff_shift_bps"])?;
        k.name_as(EFFECTIVE_SHIFT.name, "eff_shift_bps");
        let row = k.row(self.inner.name(), Scenario::default())?;
        let deal = self.inner.clone();
        let out = py
            .detach(|| deal.run_with_risk(&row.scenario, eff_shift_bps, &|f| k.name(f)))
            .map_err(to_py)?;
        Ok(RunResult {
            run: Arc::new(out.run),
            ledger: Arc::new(out.ledger),
            row,
            summary: out.summary,
        })
    }

    /// A grid: the cross product of `axes` (scenario field -> values; the first axis
    /// outermost) over the scenario the keywords give. One row per (cell, bond).
    #[pyo3(signature = (axes, *, threads=None, max_cells=None, **scenario))]
    fn grid(
        &self,
        py: Python<'_>,
        axes: &Bound<'_, PyAny>,
        threads: Option<usize>,
        max_cells: Option<usize>,
        scenario: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Table> {
        let mut k = Keywords::read(scenario, "grid", &["threads", "max_cells"])?;
        let axes = axes.cast::<PyDict>().map_err(|_| {
            PyTypeError::new_err("grid: axes must be a dict of scenario field -> list of values")
        })?;
        let mut list = Vec::new();
        for (key, values) in axes.iter() {
            let name: String = key.extract()?;
            let field = axis_field(&name)?;
            let values = numbers(&name, &values)?;
            // The first value goes through the keywords' checks (one prepayment speed, one
            // default rate, ...); every value is checked when the grid is laid out.
            if let Some(v) = values.first() {
                k.inputs.numbers.push((field, *v));
            }
            k.name_as(field, &name);
            list.push(Axis {
                field: field.to_string(),
                values,
            });
        }
        // The base keeps each axis' first value: every cell sets its own.
        k.name_as("max_cells", "max_cells");
        let base = k.row(self.inner.name(), Scenario::default())?;
        let spec = GridSpec {
            base: base.scenario.clone(),
            axes: list,
            max_cells: max_cells.unwrap_or(DEFAULT_MAX_CELLS),
        };
        let deal = self.inner.clone();
        let b = py
            .detach(|| {
                tranche_arrow::grid::run_grid(deal.model(), &base, &spec, threads, &|f| k.name(f))
            })
            .map_err(to_py)?;
        Ok(Table::new(b))
    }

    /// Runs a table of explicit scenarios over this deal, one row each (any Arrow table,
    /// a dict of lists or a list of dicts; columns as in `tranche.scenario_schema()`).
    #[pyo3(signature = (scenarios, *, threads=None))]
    fn run_scenarios(
        &self,
        py: Python<'_>,
        scenarios: &Bound<'_, PyAny>,
        threads: Option<usize>,
    ) -> PyResult<Table> {
        let source = OneDeal {
            name: self.inner.name().to_owned(),
            deal: self.inner.clone(),
        };
        run_batches(py, scenarios, &source, Some(source.name.clone()), threads)
    }

    /// The Price/DM report of every class, as `tranche price-table` computes it: the
    /// scenario the keywords give at each of `speeds` (percent of the pricing speed), to
    /// call and to maturity. Columns as `tranche price-table --format csv`.
    #[pyo3(signature = (speeds=vec![0.0, 80.0, 100.0, 150.0, 180.0], **scenario))]
    fn price_table(
        &self,
        py: Python<'_>,
        speeds: Vec<f64>,
        scenario: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Table> {
        let mut k = Keywords::read(scenario, "price_table", &["speeds"])?;
        k.refuse(
            &["speed_pct", "cpr_pct", "psa_pct", "cpr_vector"],
            "the table's columns are speeds in percent of the pricing speed; give them with speeds",
        )?;
        k.refuse(
            &["horizon"],
            "the table shows both horizons, to call and to maturity",
        )?;
        k.name_as("speed_pct", "speeds");
        let base = k.scenario(Scenario::default())?;
        let deal = self.inner.clone();
        let b = py
            .detach(|| deal.price_table(&base, &speeds, &|f| k.name(f)))
            .map_err(to_py)?;
        Ok(Table::new(b))
    }

    /// Breakevens, as `tranche breakeven` solves them: for each class and target, the
    /// lowest default rate (`over`: `cdr`, `sda` or `default-vector-multiple`) at which
    /// the target (`first-loss`, `loss-pct=X`, `yield=Y`, `dm=D`) is first reached, in
    /// every cell of `speeds` × `severities` × `lags`, over the scenario the keywords give
    /// (to maturity unless `to` says otherwise). Unrounded; one row per (cell, class,
    /// target).
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (classes, *, targets=vec!["first-loss".to_string()], over="cdr".to_string(), speeds=None, severities=vec![DEFAULT_SEVERITY_PCT], lags=vec![DEFAULT_LAG_MONTHS], step=None, threads=None, **scenario))]
    fn breakeven(
        &self,
        py: Python<'_>,
        classes: Vec<String>,
        targets: Vec<String>,
        over: String,
        speeds: Option<Vec<f64>>,
        severities: Vec<f64>,
        lags: Vec<f64>,
        step: Option<f64>,
        threads: Option<usize>,
        scenario: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Table> {
        let own = [
            "targets",
            "over",
            "speeds",
            "severities",
            "lags",
            "step",
            "threads",
        ];
        let k = Keywords::read(scenario, "breakeven", &own)?;
        k.refuse(
            &["severity_pct", "lag_months"],
            "the breakeven's cells; give them with severities and lags",
        )?;
        let prepay_given = ["speed_pct", "cpr_pct", "psa_pct", "cpr_vector"]
            .iter()
            .any(|f| k.given(f));
        if prepay_given && speeds.is_some() {
            return Err(input(
                "speeds: the prepayment keywords already set the speed; give one of them",
            ));
        }
        let spell = |f: &str| k.name(f);
        let core = |e: tranche_core::Error| to_py(tranche_arrow::error::spelled(e, &spell));
        let over = Over::parse(&over).map_err(&core)?;
        let plain = |input: &str| input.to_string();
        for input in [
            "cdr_pct",
            "sda_pct",
            "cdr_vector",
            "dm_bps",
            "yield_pct",
            "spread_bps",
        ] {
            if let Some(why) = refused(input, over, &plain) {
                k.refuse(&[input], &why)?;
            }
        }
        let targets = targets
            .iter()
            .map(|t| Target::parse(t).map_err(&core))
            .collect::<PyResult<Vec<_>>>()?;
        let checked = |name: &str, field: &str, v: &[f64]| -> PyResult<Vec<f64>> {
            v.iter()
                .map(|x| {
                    check(field, *x)
                        .map_err(|e| to_py(tranche_arrow::error::spelled(e, &|_| name.to_string())))
                })
                .collect()
        };
        let speeds = match speeds {
            Some(v) => checked("speeds", "speed_pct", &v)?,
            None if prepay_given => Vec::new(),
            None => vec![DEFAULT_SPEED_PCT],
        };
        let severities = checked("severities", "severity_pct", &severities)?;
        let lags = checked("lags", "lag_months", &lags)?;
        let base = k.scenario(default_base())?;
        let spec = BreakevenSpec {
            base,
            classes,
            targets,
            over,
            speeds,
            severities,
            lags: lags.iter().map(|l| *l as u32).collect(),
            step,
        };
        let deal = self.inner.clone();
        let b = py
            .detach(|| {
                tranche_arrow::batch::in_pool(threads, || deal.breakeven(&spec, &|f| k.name(f)))
            })
            .map_err(to_py)?;
        Ok(Table::new(b))
    }

    /// The collateral stratification tables, as a dict of name -> Table.
    fn strats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let deal = self.inner.clone();
        let tables = py.detach(|| deal.strats()).map_err(to_py)?;
        let d = PyDict::new(py);
        for (name, b) in tables {
            d.set_item(name, Table::new(b))?;
        }
        Ok(d)
    }

    /// The Available Funds Rate schedule, as `tranche afr` computes it: under the scenario
    /// the keywords give (by default the deal's forward curves at the pricing speed, to
    /// call) and under it with every index (or `shock_index`) shifted by `shock_bps` from
    /// period `shock_from`. Columns as `tranche afr --format csv`.
    #[pyo3(signature = (shock_bps=AFR_SHOCK.bps, shock_from=f64::from(AFR_SHOCK.from_period), shock_index=None, **scenario))]
    fn afr(
        &self,
        py: Python<'_>,
        shock_bps: f64,
        shock_from: f64,
        shock_index: Option<String>,
        scenario: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Table> {
        let k = Keywords::read(scenario, "afr", &["shock_bps", "shock_from", "shock_index"])?;
        let one = |kw: &str, v: f64| {
            check(kw, v).map_err(|e| to_py(tranche_arrow::error::spelled(e, &|f| f.to_string())))
        };
        let shock = Shock {
            bps: one("shock_bps", shock_bps)?,
            from_period: one("shock_from", shock_from)? as u32,
            index: shock_index,
        };
        let base = k.scenario(afr_base())?;
        let deal = self.inner.clone();
        let b = py
            .detach(|| deal.afr(&base, &shock, &|f| k.name(f)))
            .map_err(to_py)?;
        Ok(Table::new(b))
    }

    fn __repr__(&self) -> String {
        let at = self
            .inner
            .as_of()
            .map_or_else(String::new, |m| format!(", as_of={:?}", m.to_string()));
        format!(
            "tranche.Deal({:?}, bonds={:?}{at})",
            self.inner.path().display().to_string(),
            self.inner.bond_names()
        )
    }
}

/// The scenario field an axis named `name` crosses (a field name or its keyword).
fn axis_field(name: &str) -> PyResult<&'static str> {
    let kw = crate::keywords::KEYWORDS
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, f)| *f);
    kw.or(Some(name))
        .and_then(field_spec)
        .filter(|f| !f.name.ends_with("_vector"))
        .map(|f| f.name)
        .ok_or_else(|| {
            let known: Vec<&str> = tranche_core::scenario::FIELDS
                .iter()
                .map(|f| f.name)
                .filter(|n| !n.ends_with("_vector"))
                .collect();
            input(format!(
                "grid: `{name}` is not a scenario field a grid can cross; expected one of: {}",
                known.join(", ")
            ))
        })
}

/// The tables of one deal run.
#[pyclass(module = "tranche", name = "RunResult", frozen)]
pub struct RunResult {
    run: Arc<DealRun>,
    ledger: Arc<Ledger>,
    row: ScenarioRow,
    summary: RunSummary,
}

#[pymethods]
impl RunResult {
    /// The pool's monthly cash flows (one row per period).
    #[getter]
    fn collateral(&self) -> PyResult<Table> {
        tables::collateral_table(&self.run)
            .map(Table::new)
            .map_err(|e| to_py(e.into()))
    }

    /// Every bond's monthly cash flows (one row per bond and period).
    #[getter]
    fn bonds(&self) -> PyResult<Table> {
        tables::bond_table(&self.run)
            .map(Table::new)
            .map_err(|e| to_py(e.into()))
    }

    /// The trust's ledger, one row per period (available funds, Available Funds Rate,
    /// overcollateralization, Principal Distribution Amount, write-downs, residual).
    #[getter]
    fn ledger(&self) -> PyResult<Table> {
        tables::ledger_table(&self.ledger)
            .map(Table::new)
            .map_err(|e| to_py(e.into()))
    }

    /// One row per bond: the scenario, then the `tranche run --summary` figures (the
    /// columns of every result table).
    #[getter]
    fn summary(&self) -> PyResult<Table> {
        build_results(
            std::slice::from_ref(&self.row),
            std::slice::from_ref(&self.summary),
        )
        .map(Table::new)
        .map_err(to_py)
    }

    /// The period of the clean-up call, if the run was to call and it was exercised.
    #[getter]
    fn call_period(&self) -> Option<u32> {
        self.run.call_period
    }

    fn __repr__(&self) -> String {
        format!(
            "tranche.RunResult(periods={}, bonds={}, call_period={})",
            self.run.periods.len(),
            self.run.bonds.len(),
            self.run
                .call_period
                .map_or_else(|| "None".to_string(), |p| p.to_string())
        )
    }
}
