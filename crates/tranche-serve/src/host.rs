//! What the program that hosts the server lends it. The `tranche` binary lends its own
//! table writers, so a table downloaded from the server is byte for byte what the matching
//! command prints, and its report setup, so the report downloaded is `tranche report`'s.

use std::path::Path;
use tranche_core::summary::RunSummary;
use tranche_core::waterfall::{DealRun, Ledger};
use tranche_io::records::Records;
use tranche_io::report::ReportSpec;

pub trait Host: Send + Sync + 'static {
    /// One row per period per bond (`tranche run`).
    fn bond_flows(&self, run: &DealRun) -> Records;
    /// One row per period per waterfall step (`tranche run --ledger`).
    fn ledger(&self, ledger: &Ledger) -> Records;
    /// One row per bond (`tranche run --summary`).
    fn run_summary(&self, summary: &RunSummary) -> Records;
    /// The report's setup for the deal in `dir` at `price` and `speeds`
    /// (`tranche report DIR --price P --speeds S`); its collateral tables are the deal
    /// page's collateral summary and strats.
    fn report_spec(&self, dir: &Path, price: f64, speeds: &[f64]) -> Result<ReportSpec, String>;
}
