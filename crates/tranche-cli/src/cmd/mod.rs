//! One module per subcommand.

pub mod collateral;
pub mod pool_from_strats;
pub mod report;
pub mod report_deal;
pub mod run;
pub mod schema;
pub mod strats;
