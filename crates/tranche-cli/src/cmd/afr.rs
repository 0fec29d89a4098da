//! `tranche afr`: the Available Funds Rate schedule under forward curves and shocked curves.

use super::tables_common::{emit, load, Loaded};
use crate::Failure;
use std::path::PathBuf;
use tranche_core::tables::{afr_schedule, AfrOptions};
use tranche_core::waterfall::Horizon;
use tranche_io::tables_out::{self, TableFormat};

#[derive(clap::Args)]
pub struct Args {
    /// Deal directory (holding deal.toml) or the deal file.
    pub deal: PathBuf,
    /// Forward curves (CSV: period,LIBOR1M,LIBOR6M,LIBOR12M,CMT1Y in percent); default: the
    /// deal directory's curves.csv.
    #[arg(long)]
    pub curves: Option<PathBuf>,
    /// Parallel shock of every curve, basis points.
    #[arg(long, default_value_t = 1000.0)]
    pub shock_bps: f64,
    /// First period the shock applies to.
    #[arg(long, default_value_t = 2)]
    pub shock_from: usize,
    /// Speed, percent of the pricing speed.
    #[arg(long, default_value_t = 100.0)]
    pub speed: f64,
    /// Run to maturity instead of to the clean-up call.
    #[arg(long)]
    pub to_maturity: bool,
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
    if !args.shock_bps.is_finite() || args.shock_bps.abs() > 10_000.0 {
        return Err(Failure::Input(format!(
            "--shock-bps: expected basis points within ±10000, found {}",
            args.shock_bps
        )));
    }
    if args.shock_from == 0 {
        return Err(Failure::Input("--shock-from: periods count from 1".into()));
    }
    if !(args.speed.is_finite() && args.speed >= 0.0) {
        return Err(Failure::Input(format!(
            "--speed: expected a percent ≥ 0, found {}",
            args.speed
        )));
    }
    let Loaded { deal, pool, curves } = load(&args.deal, args.check)?;
    let curves = match &args.curves {
        Some(p) => tranche_io::curves::read_curves(p)?,
        None => curves.ok_or_else(|| {
            Failure::Input(format!(
                "{}: the deal has no curves.csv; pass --curves FILE",
                args.deal.display()
            ))
        })?,
    };
    let ctx = tranche_core::tables::runner::DealContext::new(&deal, &pool);
    let rows = afr_schedule(
        &ctx,
        &AfrOptions {
            curves,
            shock_bps: args.shock_bps,
            shock_from: args.shock_from,
            speed_pct: args.speed,
            horizon: if args.to_maturity {
                Horizon::Maturity
            } else {
                Horizon::Call
            },
        },
    )
    .map_err(|e| super::flag_error(e, &[("prepay.multiplier", "--speed")]))?;
    emit(
        &tables_out::afr_schedule(&rows, args.format),
        args.out.as_deref(),
    )
}
