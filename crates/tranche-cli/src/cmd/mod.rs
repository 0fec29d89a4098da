//! One module per subcommand.

pub mod afr;
pub mod collateral;
pub mod grid;
pub mod pool_from_strats;
pub mod report;
pub mod report_deal;
pub mod run;
pub mod schema;
pub mod strats;
pub mod price_table;
pub mod run;
pub mod schema;
mod tables_common;
