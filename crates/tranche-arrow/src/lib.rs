//! tranche-arrow: the engine behind an Arrow interface, for any Arrow engine (Python,
//! Spark, DataFusion, DuckDB, ...).
//!
//! Two entry points, one meaning each: [`batch::run_scenario_batch`] takes a
//! [`RecordBatch`](arrow_array::RecordBatch) of explicit scenarios, one row per (deal,
//! scenario) — see [`scenarios`] for the columns; [`grid::run_grid`] crosses the axes of
//! a base scenario. Both return a RecordBatch with one row per (scenario, bond) — see
//! [`results`] — and run every scenario through the core's one runner. Rows are
//! independent, so a batch can be split anywhere and run on any machine: the result of a
//! row depends only on that row and the deal's files.
//!
//! [`inputs`] maps named values (table cells, keyword arguments) onto the core's one
//! scenario type; [`tables`] turns a single deal run (collateral cash flows, bond cash
//! flows, ledger) and the report tables into Arrow.

pub mod batch;
pub mod engine;
pub mod error;
pub mod grid;
pub mod results;
pub mod scenarios;
pub mod tables;

pub use batch::{run_scenario_batch, BatchOptions};
pub use engine::{DealCache, DealIds, DealSource, PreparedDeal, ScenarioEngine};
pub use error::RunError;
pub use results::{build_results, result_schema};
pub use scenarios::{read_scenarios, scenario_schema, ScenarioRow};
pub use tranche_core::scenario::inputs::{ScenarioInputs, Spelling};
