//! `tranche collateral`: the pool's monthly cash flow table.

use crate::Failure;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Deal directory (holding deal.toml and the tape) or a tape file.
    pub deal: PathBuf,
    /// Prepayment speed, percent of the deal's pricing speed.
    #[arg(long, default_value_t = 100.0)]
    pub speed: f64,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let _ = args;
    Err(Failure::Internal("not implemented yet".into()))
}
