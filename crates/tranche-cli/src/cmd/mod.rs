//! One module per subcommand.

pub mod collateral;
pub mod schema;
pub mod pool_from_strats;
