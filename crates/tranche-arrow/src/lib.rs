//! tranche-arrow: the engine behind an Arrow interface, for any Arrow engine (Python,
//! Spark, DataFusion, DuckDB, ...).
//!
//! The grid entry point takes a [`RecordBatch`](arrow_array::RecordBatch) of scenarios,
//! one row per (deal, scenario) — see [`scenarios`] for the columns — and returns a
//! RecordBatch of results with one row per (scenario, bond) — see [`results`]. Rows are
//! independent, so a batch can be split anywhere and run on any machine: the result of a
//! row depends only on that row and the deal's files.
//!
//! [`tables`] turns a single deal run (collateral cash flows, bond cash flows) into Arrow.

pub mod engine;
pub mod error;
pub mod grid;
pub mod results;
pub mod scenarios;
pub mod tables;

pub use engine::{DealCache, DealIds, DealSource, PreparedDeal, RunSpec, ScenarioEngine};
pub use error::GridError;
pub use grid::{run_batch, GridOptions};
pub use results::{result_schema, BondResult, ScenarioResult};
pub use scenarios::{read_scenarios, scenario_schema, GridScenario};
