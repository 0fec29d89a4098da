//! `tranche serve`: the deal explorer in the browser (crate tranche-serve), lent this
//! program's table writers and report setup, so what it shows and what it downloads are
//! what the commands print.

use crate::Failure;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tranche_core::summary::RunSummary;
use tranche_core::waterfall::{DealRun, Ledger};
use tranche_io::records::Records;
use tranche_io::report::ReportSpec;
use tranche_serve::{Limits, ServeConfig};

#[derive(clap::Args)]
pub struct Args {
    /// Folder holding the deal folders (each with its deal.toml); nothing outside it is
    /// read.
    #[arg(long, default_value = "deals")]
    pub deals: PathBuf,
    /// Address to listen on; port 0 picks a free port (the address is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Allow an address other than loopback. The server has no login: anyone who can
    /// reach the address can read the deals and run them.
    #[arg(long)]
    pub allow_remote: bool,
    /// Time limit of one request's runs, seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub run_timeout: f64,
    /// Runs at once (more requests wait their turn) [default: the number of cores].
    #[arg(long, value_name = "N")]
    pub max_runs: Option<usize>,
}

/// This program's writers and report setup, lent to the server.
struct Cli;

impl tranche_serve::Host for Cli {
    fn bond_flows(&self, run: &DealRun) -> Records {
        super::run::bonds_table(run)
    }
    fn ledger(&self, ledger: &Ledger) -> Records {
        super::run::ledger_table(ledger)
    }
    fn run_summary(&self, summary: &RunSummary) -> Records {
        super::run::summary_table(summary)
    }
    fn report_spec(&self, dir: &Path, price: f64, speeds: &[f64]) -> Result<ReportSpec, String> {
        let check = super::TapeCheck { strict: false };
        match super::report_deal::load(dir, price, speeds, check, &Default::default()) {
            Ok((_, spec, _, _)) => Ok(spec),
            Err(Failure::Input(m) | Failure::Internal(m)) => Err(m),
        }
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    if !(args.run_timeout.is_finite() && args.run_timeout > 0.0 && args.run_timeout <= 3600.0) {
        return Err(Failure::Input(format!(
            "--run-timeout: expected seconds above 0 and at most 3600, found {}",
            args.run_timeout
        )));
    }
    let mut limits = Limits {
        run_timeout: Duration::from_secs_f64(args.run_timeout),
        ..Limits::default()
    };
    if let Some(n) = args.max_runs {
        if n == 0 || n > 256 {
            return Err(Failure::Input(format!(
                "--max-runs: expected from 1 to 256, found {n}"
            )));
        }
        limits.max_runs = n;
    }
    let config = ServeConfig {
        deals: args.deals,
        addr: args.addr,
        allow_remote: args.allow_remote,
        limits,
    };
    tranche_serve::serve(config, Arc::new(Cli)).map_err(Failure::Input)
}
