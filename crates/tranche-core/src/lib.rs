//! tranche-core: the pure engine.
//!
//! One direction: loan tape + deal + [`scenario`] → [`collateral`] projection →
//! [`waterfall`] → bond cash flows → [`summary`] analytics → report tables ([`tables`]),
//! all through the one runner, [`runner::DealModel::run`].
//! No IO, no global state: every function is a deterministic map from its inputs.
//!
//! Units: every rate inside the engine is a decimal per annum (5.375% is `0.05375`);
//! files and reports speak percent. Balances are currency units as `f64`.

pub mod analytics;
pub mod assumptions;
pub mod breakeven;
pub mod collateral;
pub mod dates;
pub mod deal;
pub mod error;
pub mod grid;
pub mod pricing;
pub mod rates;
pub mod runner;
pub mod scenario;
pub mod strats;
pub mod summary;
pub mod surveillance;
pub mod tables;
pub mod tape;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
pub mod waterfall;

pub use error::{Error, Result};
