//! One module per subcommand.

pub mod afr;
pub mod collateral;
pub mod grid;
pub mod pool_from_strats;
pub mod price_table;
pub mod report;
pub mod report_deal;
pub mod run;
pub mod schema;
pub mod strats;
mod tables_common;
