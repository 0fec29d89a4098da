//! tranche-io: everything that touches files. Readers turn bytes into core types with
//! errors that name the file, row/line, field and what was expected; writers are atomic.

pub mod actuals;
pub mod as_of;
pub mod atomic;
pub mod curves;
pub mod deal;
pub mod error;
pub mod guard;
pub mod outputs;
#[cfg(feature = "parquet")]
pub mod parquet_check;
#[cfg(feature = "parquet")]
pub mod parquet_table;
pub mod records;
pub mod render;
pub mod report;
pub mod state;
pub mod strat_csv;
pub mod strats_out;
pub mod table;
pub mod tables_out;
pub mod tape;
pub mod tape_write;

pub use error::IoError;
