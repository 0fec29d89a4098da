//! One module per subcommand.

pub mod collateral;
