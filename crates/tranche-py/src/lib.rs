//! `tranche._tranche`: the Python extension. The public API is the `tranche` package
//! (python/tranche), which re-exports these classes and adds pure-Python helpers.
//!
//! Every call into the engine releases the GIL, so Python threads run grids in parallel.

mod deal;
mod errors;
mod input;
mod keywords;
mod table;

use pyo3::prelude::*;

#[pymodule]
fn _tranche(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<table::Table>()?;
    m.add_class::<table::Schema>()?;
    m.add_class::<deal::Deal>()?;
    m.add_class::<deal::RunResult>()?;
    m.add_function(wrap_pyfunction!(deal::run_scenarios, m)?)?;
    m.add_function(wrap_pyfunction!(deal::clear_cache, m)?)?;
    m.add_function(wrap_pyfunction!(table::scenario_schema, m)?)?;
    m.add_function(wrap_pyfunction!(table::result_schema, m)?)?;
    Ok(())
}
