//! `tranche price-table`: the Price/DM sensitivity report of every class.

use super::tables_common::{emit, load, parse_list, Loaded};
use crate::Failure;
use std::path::PathBuf;
use tranche_core::tables::{check_price, price_table, PriceTableOptions, TableRates};
use tranche_io::tables_out::{self, TableFormat};

#[derive(clap::Args)]
pub struct Args {
    /// Deal directory (holding deal.toml) or the deal file.
    pub deal: PathBuf,
    /// Price, percent of par.
    #[arg(long, default_value_t = 100.0)]
    pub price: f64,
    /// Speeds, percent of the deal's pricing speed, comma-separated.
    #[arg(long, default_value = "0,80,100,150,180")]
    pub speeds: String,
    /// Flat level (percent) of every index for the runs and the DM; default: the deal's
    /// pricing level.
    #[arg(long, value_name = "PCT")]
    pub libor: Option<f64>,
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
    let speeds = parse_list("--speeds", &args.speeds)?;
    check_price(args.price).map_err(|m| Failure::Input(format!("--price: {m}")))?;
    let Loaded { deal, pool, .. } = load(&args.deal, args.check)?;
    let rates = TableRates::for_deal(&deal, args.libor)
        .map_err(|m| Failure::Input(format!("--libor: {m}")))?;
    let ctx = tranche_core::tables::runner::DealContext::new(&deal, &pool);
    let rows = price_table(
        &ctx,
        &PriceTableOptions {
            price: args.price,
            speeds,
            rates,
        },
    )
    .map_err(|e| super::flag_error(e, &[("prepay.multiplier", "--speeds")]))?;
    emit(
        &tables_out::price_table(&rows, args.format),
        args.out.as_deref(),
    )
}
