//! One module per subcommand.

pub mod collateral;
pub mod schema;
