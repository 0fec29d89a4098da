//! One module per subcommand.

pub mod collateral;
pub mod pool_from_strats;
pub mod run;
pub mod schema;
pub mod strats;
