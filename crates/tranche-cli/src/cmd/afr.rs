//! `tranche afr`: the Available Funds Rate schedule under the deal's forward curves (or
//! any other rates) and under the same rates shocked.

use super::scenario::{numbers, AssumptionArgs, Mode, PricingArgs};
use super::tables_common::{emit, out_file, Loaded};
use crate::Failure;
use std::path::PathBuf;
use tranche_core::scenario::{check, Shock};
use tranche_core::tables::{afr_base, afr_schedule, AFR_SHOCK};
use tranche_core::waterfall::Horizon;
use tranche_io::tables_out::{self, TableFormat, TableKind};

#[derive(clap::Args)]
pub struct Args {
    /// Deal directory (holding deal.toml) or the deal file.
    pub deal: PathBuf,
    /// The schedule's scenario: by default the deal's forward curves (its curves.csv) at
    /// the pricing speed to the call; --shock-bps (default 1000) and --shock-from (default
    /// 2) give the shocked column's shift.
    #[command(flatten)]
    pub assumptions: AssumptionArgs,
    #[command(flatten)]
    pub pricing: PricingArgs,
    /// Run to maturity (the same as --to maturity).
    #[arg(long, conflicts_with = "to")]
    pub to_maturity: bool,
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

/// One number of the shocked column's shift.
fn one(flag: &str, field: &str, raw: &Option<String>, default: f64) -> Result<f64, Failure> {
    let Some(s) = raw else { return Ok(default) };
    let v = numbers(flag, s)?;
    if v.len() != 1 {
        return Err(Failure::Input(format!(
            "{flag}: expected one value, found `{s}`"
        )));
    }
    check(field, v[0]).map_err(|e| match e {
        tranche_core::Error::Invalid(fe) => Failure::Input(format!("{flag}: {}", fe.message)),
        other => Failure::from(other),
    })
}

pub fn run(args: Args) -> Result<(), Failure> {
    let a = &args.assumptions;
    let shock = Shock {
        bps: one("--shock-bps", "shock_bps", &a.shock_bps, AFR_SHOCK.bps)?,
        from_period: one(
            "--shock-from",
            "shock_from",
            &a.shock_from,
            f64::from(AFR_SHOCK.from_period),
        )? as u32,
        index: a.shock_index.clone(),
    };
    if a.shocks.is_some() {
        return Err(Failure::Input(
            "--shocks: the schedule has one shocked column; give its shift with --shock-bps".into(),
        ));
    }
    let mut rest = a.clone();
    rest.shock_bps = None;
    rest.shock_from = None;
    rest.shock_index = None;
    let mut base = afr_base();
    if args.to_maturity {
        base.horizon = Horizon::Maturity;
    }
    let parsed = rest.parse(&args.pricing, base, Mode::Single, &[])?;
    let Loaded { model, mut inputs } = args.as_of.load_model(&args.deal, args.check)?;
    inputs.extend(parsed.inputs.iter().cloned());
    let out = out_file(&inputs, args.out.as_deref(), TableKind::Afr, args.format)?;
    let rows = afr_schedule(&model, &parsed.scenario, &shock).map_err(|e| {
        if matches!(&e, tranche_core::Error::Invalid(fe) if fe.location.field.as_deref() == Some("curves"))
        {
            Failure::Input(format!(
                "{}: the deal has no curves.csv; pass --curves FILE (or --libor PCT)",
                args.deal.display()
            ))
        } else {
            parsed.error(e)
        }
    })?;
    emit(&tables_out::afr_schedule(&rows, args.format), out.as_ref())
}
