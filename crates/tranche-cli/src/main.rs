//! `tranche`: loan tape + deal file + assumptions → cash flows, prices and reports.
//!
//! Exit codes: 0 success; 2 bad input (file, row/line, field named); 1 internal error.

mod cmd;
mod crash;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "tranche",
    version,
    about = "Mortgage securitization cash flows, prices and reports"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Project the collateral pool's monthly cash flows.
    #[command(allow_negative_numbers = true)]
    Collateral(cmd::collateral::Args),
    /// Run a deal's waterfall for one scenario: bond cash flows or the trust ledger.
    #[command(allow_negative_numbers = true)]
    Run(cmd::run::Args),
    /// Print the JSON Schema of the deal file.
    #[command(allow_negative_numbers = true)]
    Schema(cmd::schema::Args),
    /// Build a loan tape whose strats reproduce a term sheet's strat tables.
    #[command(allow_negative_numbers = true)]
    PoolFromStrats(cmd::pool_from_strats::Args),
    /// Pool summary and stratification tables of a deal's tape (md, csv, json, xlsx).
    #[command(allow_negative_numbers = true)]
    Strats(cmd::strats::Args),
    /// Write the deal's Computational Materials (Markdown, HTML, XLSX, CSV, charts).
    #[command(allow_negative_numbers = true)]
    Report(cmd::report::Args),
    /// The Price/DM sensitivity report: DM, WAL, modified duration and principal window of
    /// every class, to call and to maturity, at several speeds.
    #[command(allow_negative_numbers = true)]
    PriceTable(cmd::price_table::Args),
    /// The Available Funds Rate schedule under forward curves and shocked curves.
    #[command(allow_negative_numbers = true)]
    Afr(cmd::afr::Args),
    /// A scenario grid (speeds × CDR × severity × rate shocks), run in parallel.
    #[command(allow_negative_numbers = true)]
    Grid(cmd::grid::Args),
    /// Breakevens: the default rate at which a class takes its first loss (or reaches a
    /// loss, yield or DM target), per speed, severity and lag.
    #[command(allow_negative_numbers = true)]
    Breakeven(cmd::breakeven::Args),
    /// The deal explorer in the browser: a JSON API and a single-page app on this machine.
    #[cfg(feature = "serve")]
    Serve(cmd::serve::Args),
}

/// How a command failed: bad input (exit 2) or a bug (exit 1).
#[derive(Debug)]
pub enum Failure {
    Input(String),
    Internal(String),
}

impl From<tranche_io::IoError> for Failure {
    fn from(e: tranche_io::IoError) -> Self {
        Failure::Input(e.to_string())
    }
}

impl From<tranche_core::Error> for Failure {
    fn from(e: tranche_core::Error) -> Self {
        Failure::Input(e.to_string())
    }
}

fn main() -> ExitCode {
    crash::install_panic_hook();
    crash::panic_if_asked();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Collateral(a) => cmd::collateral::run(a),
        Command::Run(a) => cmd::run::run(a),
        Command::Schema(a) => cmd::schema::run(a),
        Command::PoolFromStrats(a) => cmd::pool_from_strats::run(a),
        Command::Strats(a) => cmd::strats::run(a),
        Command::Report(a) => cmd::report::run(a),
        Command::PriceTable(a) => cmd::price_table::run(a),
        Command::Afr(a) => cmd::afr::run(a),
        Command::Grid(a) => cmd::grid::run(a),
        Command::Breakeven(a) => cmd::breakeven::run(a),
        #[cfg(feature = "serve")]
        Command::Serve(a) => cmd::serve::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Internal(msg)) => {
            eprintln!("internal error: {msg}\nThis is a bug in tranche; please report it with the command and inputs.");
            ExitCode::from(1)
        }
    }
}
