//! `tranche price-table`: the Price/DM sensitivity report of every class.

use super::scenario::{numbers, AssumptionArgs, Mode, PricingArgs};
use super::tables_common::{emit, out_file, Loaded};
use crate::Failure;
use std::path::PathBuf;
use tranche_core::scenario::Scenario;
use tranche_core::tables::price_table;
use tranche_io::tables_out::{self, TableFormat, TableKind};

/// The term sheet's columns: percent of the pricing speed.
pub const STANDARD_SPEEDS: [f64; 5] = [0.0, 80.0, 100.0, 150.0, 180.0];

#[derive(clap::Args)]
pub struct Args {
    /// Deal directory (holding deal.toml) or the deal file.
    pub deal: PathBuf,
    /// The table's columns (--speeds PCT,...; default 0,80,100,150,180), rates, defaults
    /// and price; every flag takes one value.
    #[command(flatten)]
    pub assumptions: AssumptionArgs,
    #[command(flatten)]
    pub pricing: PricingArgs,
    /// csv, json or md.
    #[arg(long, default_value = "csv")]
    pub format: TableFormat,
    /// Write to this file (atomically) instead of standard output; an existing file is
    /// replaced only if it is an earlier output of this command (docs/outputs.md).
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub check: super::TapeCheck,
    #[command(flatten)]
    pub as_of: super::as_of::AsOfArgs,
}

/// The columns of a table command: `--speeds` (or `--speed`) as a list.
pub fn speed_columns(a: &AssumptionArgs) -> Result<(AssumptionArgs, Vec<f64>), Failure> {
    if let Some(flag) = [
        ("--cpr", &a.cpr),
        ("--psa", &a.psa),
        ("--cpr-vector", &a.cpr_vector),
    ]
    .iter()
    .find(|(_, v)| v.is_some())
    .map(|(f, _)| *f)
    {
        return Err(Failure::Input(format!(
            "{flag}: the table's columns are speeds in percent of the pricing speed; give them with --speeds"
        )));
    }
    let (flag, raw) = match (&a.speeds, &a.speed) {
        (Some(s), _) => ("--speeds", Some(s)),
        (None, Some(s)) => ("--speed", Some(s)),
        _ => ("--speeds", None),
    };
    let speeds = match raw {
        Some(s) => numbers(flag, s)?,
        None => STANDARD_SPEEDS.to_vec(),
    };
    let mut rest = a.clone();
    rest.speed = None;
    rest.speeds = None;
    Ok((rest, speeds))
}

pub fn run(args: Args) -> Result<(), Failure> {
    if args.pricing.to.is_some() {
        return Err(Failure::Input(
            "--to: the table shows both horizons, to call and to maturity".into(),
        ));
    }
    let (rest, speeds) = speed_columns(&args.assumptions)?;
    let parsed = rest.parse(&args.pricing, Scenario::default(), Mode::Single, &[])?;
    for s in &speeds {
        let mut probe = parsed.scenario.clone();
        probe
            .set("speed_pct", *s)
            .map_err(|e| flag_of_speeds(&args.assumptions, e))?;
    }
    let Loaded { model, mut inputs } = args.as_of.load_model(&args.deal, args.check)?;
    inputs.extend(parsed.inputs.iter().cloned());
    let out = out_file(
        &inputs,
        args.out.as_deref(),
        TableKind::PriceTable,
        args.format,
    )?;
    let rows = price_table(&model, &parsed.scenario, &speeds).map_err(|e| {
        if matches!(&e, tranche_core::Error::Invalid(fe) if fe.location.field.as_deref() == Some("speed_pct")) {
            flag_of_speeds(&args.assumptions, e)
        } else {
            parsed.error(e)
        }
    })?;
    emit(&tables_out::price_table(&rows, args.format), out.as_ref())
}

/// A speed error told under the flag that gave the columns.
pub fn flag_of_speeds(a: &AssumptionArgs, e: tranche_core::Error) -> Failure {
    let flag = if a.speed.is_some() {
        "--speed"
    } else {
        "--speeds"
    };
    match e {
        tranche_core::Error::Invalid(fe) => Failure::Input(format!("{flag}: {}", fe.message)),
        other => Failure::from(other),
    }
}
