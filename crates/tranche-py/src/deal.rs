//! `tranche.Deal`, `tranche.RunResult` and the grid entry point `tranche.run_grid`.

use crate::errors::{input, to_py};
use crate::input::scenario_batches;
use crate::table::Table;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyInt};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use tranche_arrow::engine::{
    DealCache, DealIds, DealSource, PreparedDeal, RunSpec, ScenarioEngine,
};
use tranche_arrow::grid::{run_batch, GridOptions};
use tranche_arrow::scenarios::{parse_horizon, GridScenario};
use tranche_arrow::{result_schema, tables, GridError};
use tranche_core::waterfall::{DealRun, Horizon, Ledger};

/// Deals loaded by `run_grid`, kept for the life of the process (one per Spark worker).
fn cache() -> &'static DealCache {
    static CACHE: OnceLock<DealCache> = OnceLock::new();
    CACHE.get_or_init(DealCache::new)
}

fn horizon(to: &str) -> PyResult<Horizon> {
    parse_horizon(to).ok_or_else(|| input(format!("to: `{to}`; expected `call` or `maturity`")))
}

/// Reads `libor=`: a number (flat, percent) or a sequence of numbers (percent by period).
fn libor_path(v: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<f64>>> {
    let Some(v) = v else { return Ok(None) };
    if v.is_none() {
        return Ok(None);
    }
    let path: Vec<f64> = if v.is_instance_of::<PyFloat>() || v.is_instance_of::<PyInt>() {
        vec![v.extract()?]
    } else {
        v.extract()
            .map_err(|_| input("libor: expected a number or a list of numbers (percent)"))?
    };
    if path.is_empty()
        || path
            .iter()
            .any(|x| !x.is_finite() || *x < -5.0 || *x > 50.0)
    {
        return Err(input(
            "libor: expected one or more rates in percent between -5 and 50",
        ));
    }
    Ok(Some(path))
}

/// Runs scenario batches against `source`, numbering rows across batches.
fn run_batches(
    py: Python<'_>,
    scenarios: &Bound<'_, PyAny>,
    source: &(dyn DealSource + Send + Sync),
    default_deal: Option<String>,
    threads: Option<usize>,
) -> PyResult<Table> {
    if threads == Some(0) {
        return Err(input("threads: expected at least 1"));
    }
    let batches = scenario_batches(scenarios)?;
    let out = py.detach(|| -> Result<Vec<_>, GridError> {
        let mut out = Vec::with_capacity(batches.len());
        let mut first_row = 0;
        for b in &batches {
            let opts = GridOptions {
                threads,
                default_deal: default_deal.clone(),
                first_row,
            };
            out.push(run_batch(b, source, &opts)?);
            first_row += b.num_rows();
        }
        Ok(out)
    });
    Ok(Table::from_batches(result_schema(), out.map_err(to_py)?))
}

/// Runs a table of scenarios (one row per deal and scenario) and returns one table of
/// results (one row per scenario and bond). This is the Arrow entry point Spark calls.
///
/// `deals` maps deal ids used in the `deal` column to deal directories; other values of
/// `deal` are paths. `threads=None` uses every core.
#[pyfunction]
#[pyo3(signature = (scenarios, deals=None, *, threads=None, default_deal=None))]
pub fn run_grid(
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

/// Forgets every deal `run_grid` has loaded (call after editing a deal's files).
#[pyfunction]
pub fn clear_cache() {
    cache().clear();
}

/// Serves one already-loaded deal to the grid.
struct OneDeal {
    name: String,
    deal: Arc<PreparedDeal>,
}

impl DealSource for OneDeal {
    fn deal(&self, name: &str) -> Result<Arc<dyn ScenarioEngine>, GridError> {
        if name == self.name {
            Ok(self.deal.clone())
        } else {
            Err(GridError::input(format!(
                "deal `{name}`: Deal.grid runs only its own deal `{}`; use tranche.run_grid for several deals",
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
    /// Loads a deal directory (or a deal file).
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Deal> {
        let inner = py.detach(|| PreparedDeal::load(&path)).map_err(to_py)?;
        Ok(Deal {
            inner: Arc::new(inner),
        })
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

    /// Runs one scenario: collateral projection, waterfall and analytics.
    #[pyo3(signature = (speed=100.0, to="call", cdr=0.0, severity=0.0, lag=0, libor=None, shock_bps=0.0, shock_start=1, price=100.0))]
    #[allow(clippy::too_many_arguments)]
    fn run(
        &self,
        py: Python<'_>,
        speed: f64,
        to: &str,
        cdr: f64,
        severity: f64,
        lag: u32,
        libor: Option<&Bound<'_, PyAny>>,
        shock_bps: f64,
        shock_start: u32,
        price: f64,
    ) -> PyResult<RunResult> {
        let spec = self.spec(
            speed,
            to,
            cdr,
            severity,
            lag,
            libor,
            shock_bps,
            shock_start,
            price,
        )?;
        let deal = self.inner.clone();
        let (run, ledger, summary) = py
            .detach(|| -> Result<_, GridError> {
                let out = deal.run_spec(&spec)?;
                let summary = tranche_arrow::engine::scenario_result(out.summary);
                let batch = tranche_arrow::results::build_results(
                    std::slice::from_ref(&spec.scenario),
                    std::slice::from_ref(&summary),
                )?;
                Ok((out.run, out.ledger, batch))
            })
            .map_err(to_py)?;
        Ok(RunResult {
            run: Arc::new(run),
            ledger: Arc::new(ledger),
            summary,
        })
    }

    /// Runs a table of scenarios over this deal (any Arrow table, a dict of lists or a list
    /// of dicts; columns as in `tranche.scenario_schema()`); one table of results.
    #[pyo3(signature = (scenarios, *, threads=None))]
    fn grid(
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

    /// The Price/DM report of every class, as `tranche price-table` computes it: at
    /// `price` (percent of par) and each of `speeds` (percent of the pricing speed), to
    /// call and to maturity, every index flat at `libor` percent (default: the deal's
    /// pricing level). Columns as `tranche price-table --format csv`.
    #[pyo3(signature = (price=100.0, speeds=vec![0.0, 80.0, 100.0, 150.0, 180.0], libor=None))]
    fn price_table(
        &self,
        py: Python<'_>,
        price: f64,
        speeds: Vec<f64>,
        libor: Option<f64>,
    ) -> PyResult<Table> {
        let deal = self.inner.clone();
        let b = py
            .detach(|| deal.price_table(price, &speeds, libor))
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

    /// The Available Funds Rate schedule, as `tranche afr` computes it: under the forward
    /// curves (`curves`: a curves CSV file; default the deal's `curves.csv`) and under
    /// them shocked by `shock_bps` from period `shock_from`, at `speed` percent of the
    /// pricing speed, to `to`. Columns as `tranche afr --format csv`.
    #[pyo3(signature = (curves=None, shock_bps=1000.0, shock_from=2, speed=100.0, to="call"))]
    fn afr(
        &self,
        py: Python<'_>,
        curves: Option<PathBuf>,
        shock_bps: f64,
        shock_from: i64,
        speed: f64,
        to: &str,
    ) -> PyResult<Table> {
        let h = horizon(to)?;
        let deal = self.inner.clone();
        let b = py
            .detach(|| deal.afr(curves.as_deref(), shock_bps, shock_from, speed, h))
            .map_err(to_py)?;
        Ok(Table::new(b))
    }

    fn __repr__(&self) -> String {
        format!(
            "tranche.Deal({:?}, bonds={:?})",
            self.inner.path().display().to_string(),
            self.inner.bond_names()
        )
    }
}

impl Deal {
    /// Validates keyword arguments exactly as a scenario-table row is validated.
    #[allow(clippy::too_many_arguments)]
    fn spec(
        &self,
        speed: f64,
        to: &str,
        cdr: f64,
        severity: f64,
        lag: u32,
        libor: Option<&Bound<'_, PyAny>>,
        shock_bps: f64,
        shock_start: u32,
        price: f64,
    ) -> PyResult<RunSpec> {
        let h = horizon(to)?;
        let row = arrow_array::RecordBatch::try_from_iter(vec![
            ("speed_pct", f64_array(speed)),
            ("cdr_pct", f64_array(cdr)),
            ("severity_pct", f64_array(severity)),
            ("lag_months", f64_array(lag as f64)),
            ("shock_bps", f64_array(shock_bps)),
            ("shock_start_period", f64_array(shock_start as f64)),
            ("price", f64_array(price)),
        ])
        .map_err(|e| input(e.to_string()))?;
        let mut s: Vec<GridScenario> =
            tranche_arrow::read_scenarios(&row, 0, Some(self.inner.name()))
                .map_err(|e| input(keyword_message(&e.to_string())))?;
        let mut scenario = s.pop().ok_or_else(|| input("no scenario"))?;
        scenario.horizon = h;
        Ok(RunSpec {
            scenario,
            libor_pct: libor_path(libor)?,
        })
    }
}

fn f64_array(v: f64) -> arrow_array::ArrayRef {
    Arc::new(arrow_array::Float64Array::from(vec![v]))
}

/// Rewrites a scenario-table message for keyword arguments (`column `cdr_pct`` -> `cdr=`).
fn keyword_message(m: &str) -> String {
    let m = m.replace("scenario table: row 0, ", "");
    [
        ("speed_pct", "speed"),
        ("cdr_pct", "cdr"),
        ("severity_pct", "severity"),
        ("lag_months", "lag"),
        ("shock_start_period", "shock_start"),
        ("shock_bps", "shock_bps"),
        ("price", "price"),
    ]
    .iter()
    .fold(m, |m, (col, kw)| {
        m.replace(&format!("column `{col}`"), &format!("argument `{kw}`"))
    })
}

/// The tables of one deal run.
#[pyclass(module = "tranche", name = "RunResult", frozen)]
pub struct RunResult {
    run: Arc<DealRun>,
    ledger: Arc<Ledger>,
    summary: arrow_array::RecordBatch,
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

    /// Per-bond analytics of the run (DM at the run's price, WAL, duration, window, losses):
    /// the same columns as a grid's result.
    #[getter]
    fn summary(&self) -> Table {
        Table::new(self.summary.clone())
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
