//! `tranche grid`: a scenario grid (speeds × CDR × severity × rate shocks), run in
//! parallel, with a progress bar on a terminal.

use super::tables_common::{emit, load, parse_list, Loaded};
use crate::Failure;
use std::io::IsTerminal;
use std::path::PathBuf;
use tranche_core::grid::{run_grid, GridSpec};
use tranche_core::waterfall::Horizon;
use tranche_io::tables_out::{self, TableFormat};

#[derive(clap::Args)]
pub struct Args {
    /// Deal directory (holding deal.toml) or the deal file.
    pub deal: PathBuf,
    /// Speeds, percent of the pricing speed.
    #[arg(long, default_value = "50,100,150")]
    pub speeds: String,
    /// Constant default rates, percent CDR.
    #[arg(long, default_value = "0,2,5,10")]
    pub cdr: String,
    /// Loss severities, percent.
    #[arg(long, default_value = "30,50")]
    pub severity: String,
    /// Parallel index shocks from period 1, basis points.
    #[arg(long, default_value = "0")]
    pub shocks: String,
    /// Months from default to liquidation.
    #[arg(long, default_value_t = 12)]
    pub lag: u32,
    /// Price for DM and duration, percent of par.
    #[arg(long, default_value_t = 100.0)]
    pub price: f64,
    /// Run to the clean-up call instead of to maturity.
    #[arg(long)]
    pub to_call: bool,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// csv, json or md.
    #[arg(long, default_value = "csv")]
    pub format: TableFormat,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub check: super::TapeCheck,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let pct = |v: Vec<f64>| v.into_iter().map(|x| x / 100.0).collect::<Vec<_>>();
    let speeds = parse_list("--speeds", &args.speeds)?;
    let cdrs = pct(percents("--cdr", parse_list("--cdr", &args.cdr)?)?);
    let severities = pct(percents(
        "--severity",
        parse_list("--severity", &args.severity)?,
    )?);
    let shocks_bps = parse_list("--shocks", &args.shocks)?;
    if args.threads == Some(0) {
        return Err(Failure::Input("--threads: needs at least 1".into()));
    }
    let Loaded { deal, pool, .. } = load(&args.deal, args.check)?;
    let spec = GridSpec {
        speeds,
        cdrs,
        severities,
        shocks_bps,
        lag: args.lag,
        horizon: if args.to_call {
            Horizon::Call
        } else {
            Horizon::Maturity
        },
        price: args.price,
        rates: deal.pricing_rates(),
    };
    let ctx = tranche_core::tables::runner::DealContext::new(&deal, &pool);
    let bar = if std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new(spec.len() as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} scenarios, {elapsed} elapsed, eta {eta}",
        ) {
            b.set_style(style);
        }
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let tick = || bar.inc(1);
    let cells = match args.threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| Failure::Internal(format!("thread pool: {e}")))?
            .install(|| run_grid(&ctx, &spec, &tick)),
        None => run_grid(&ctx, &spec, &tick),
    }
    .map_err(|e| {
        super::flag_error(
            e,
            &[
                ("speeds", "--speeds"),
                ("prepay.multiplier", "--speeds"),
                ("shocks_bps", "--shocks"),
            ],
        )
    })?;
    bar.finish_and_clear();
    emit(&tables_out::grid(&cells, args.format), args.out.as_deref())
}

/// Percent values (CDR, severity) must lie in 0–100; checked here, where the message can
/// show them as typed (the engine sees decimals).
fn percents(flag: &str, v: Vec<f64>) -> Result<Vec<f64>, Failure> {
    match v.iter().find(|x| !(0.0..=100.0).contains(*x)) {
        Some(x) => Err(Failure::Input(format!(
            "{flag}: expected percents between 0 and 100, got {x}"
        ))),
        None => Ok(v),
    }
}
